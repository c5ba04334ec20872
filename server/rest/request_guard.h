#pragma once

#include "auth/principal.h"
#include "rest/rest_context.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

#include <optional>
#include <variant>

namespace spidi::rest {

enum class Access { Read, Admin };

// What precedes every handler: body size (413), token (401), permission (403: Read needs
// Principal::canRead(), Admin isAdmin()) and a database (503). Either the caller, or the
// problem response to send.
std::variant<Principal, QHttpServerResponse>
authorize(const RestContext &context, const QHttpServerRequest &request, Access access);

// The version an If-Match header names: "3", "\"3\"" or "W/\"3\"" → 3; no header → nullopt;
// anything else is Invalid naming "If-Match" (`what`: "room", "rule", for the message).
Result<std::optional<qint64>> ifMatchVersion(const QHttpServerRequest &request,
                                             const QString &what = QStringLiteral("room"));

} // namespace spidi::rest
