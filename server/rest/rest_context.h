#pragma once

#include "auth/principal.h"
#include "core/result.h"
#include "model/room.h"
#include "model/session.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

#include <functional>
#include <optional>

namespace spidi {
class Database;
}

namespace spidi::rest {

// What route handlers need from the rest of the server; filled in by ServerApplication.
struct RestContext
{
    // Verifies the bearer token (Authorization header or access_token query parameter).
    // Error kind Forbidden is never returned here: an invalid/missing token is an Error with
    // kind Invalid and message for a 401.
    std::function<Result<Principal>(const QHttpServerRequest &)> authenticate;
    // The main-thread database connection used by REST handlers.
    Database *database = nullptr;
    // Tell the presence engine that a room changed or was deleted, so HELLO sees it at once.
    std::function<void(const Room &)> roomChanged;
    std::function<void(const Room &)> roomDeleted;
    // The newest record of a session that the history write-behind has not written yet (an
    // end written behind, say); empty when there is none or no history.
    std::function<std::optional<SessionRecord>(const QString &sessionId)> unwrittenSession;
};

// 401 problem for a failed authenticate(), 403 for a missing permission.
QHttpServerResponse unauthorized(const Error &error);
QHttpServerResponse forbidden(const QString &needed);

} // namespace spidi::rest
