#pragma once

#include <QByteArray>
#include <QUrlQuery>

namespace spidi {

// The access token of an HTTP or WebSocket request: "Authorization: Bearer <t>" (scheme
// case-insensitive) wins; otherwise the access_token query parameter (browsers cannot set
// headers on a WebSocket). Empty when there is none; the verifier decides whether it is valid.
QByteArray extractBearerToken(const QByteArray &authorizationHeader, const QUrlQuery &query);

} // namespace spidi
