#pragma once

#include "core/result.h"

#include <QStringView>

namespace spidi {

// Parses a duration in whole seconds: "90" or "90s", "15m", "24h", "7d". Negative values,
// fractions, unknown units and values that overflow are errors. Zero is accepted; callers that
// need a positive value check it themselves.
Result<qint64> parseDurationSeconds(QStringView text);

} // namespace spidi
