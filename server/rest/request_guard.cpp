#include "rest/request_guard.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "rest/problem.h"
#include "rest/rooms_api.h"

namespace spidi::rest {

std::variant<Principal, QHttpServerResponse>
authorize(const RestContext &context, const QHttpServerRequest &request, Access access)
{
    using StatusCode = QHttpServerResponse::StatusCode;
    const QString path = request.url().path();
    if (request.body().size() > MaxRequestBodyBytes)
        return problem(StatusCode::PayloadTooLarge, QStringLiteral("Payload too large"),
                       QStringLiteral("the request body has %1 bytes; the limit is %2")
                           .arg(request.body().size())
                           .arg(MaxRequestBodyBytes));
    if (!context.authenticate) {
        qCCritical(lcRest).noquote()
            << "rest.misconfigured: no authenticate function; path=" << path;
        return problem(makeError(ErrorKind::Internal, QStringLiteral("no authenticator")));
    }
    Result<Principal> principal = context.authenticate(request);
    if (!principal.ok()) {
        const Error &error = principal.error();
        if (error.kind == ErrorKind::Unavailable || error.kind == ErrorKind::Internal)
            return problem(error);
        logEvent(lcRest(), QtInfoMsg, "rest.unauthorized",
                 {{"path", path}, {"reason", error.message}});
        return unauthorized(error);
    }
    const bool allowed = access == Access::Admin ? principal->isAdmin() : principal->canRead();
    if (!allowed) {
        const QString needed = access == Access::Admin ? perm::Admin : perm::Monitor;
        logEvent(lcRest(), QtInfoMsg, "rest.forbidden",
                 {{"path", path}, {"user_id", principal->userId}, {"needed", needed}});
        return forbidden(needed);
    }
    // A closed connection is not refused here: the repositories' transactions reopen it.
    if (!context.database)
        return problem(StatusCode::ServiceUnavailable, QStringLiteral("Service unavailable"),
                       QStringLiteral("the database is not available; try again later"));
    return std::move(principal).value();
}

Result<std::optional<qint64>> ifMatchVersion(const QHttpServerRequest &request, const QString &what)
{
    QByteArray value = request.value(QByteArrayLiteral("If-Match")).trimmed();
    if (value.isEmpty())
        return std::optional<qint64>{};
    if (value.startsWith("W/"))
        value = value.mid(2);
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    bool ok = false;
    const qint64 version = value.toLongLong(&ok);
    if (!ok || version < 1)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("If-Match must be one %1 ETag as sent by the server, "
                                        "e.g. \"3\"")
                             .arg(what),
                         QStringLiteral("If-Match"));
    return std::optional<qint64>{version};
}

} // namespace spidi::rest
