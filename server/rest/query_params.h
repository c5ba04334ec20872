#pragma once

#include "core/result.h"

#include <QHttpServerRequest>
#include <QString>

#include <optional>

namespace spidi::rest {

// Query parameter `name` as an ISO 8601 instant with a zone (Z or ±hh:mm), in ms since the
// epoch; nullopt when absent. Invalid (→ 422 with field `name`) when unparsable or zone-less.
Result<std::optional<qint64>> isoInstantParam(const QHttpServerRequest &request,
                                              const QString &name);

} // namespace spidi::rest
