#include "rest/presence_api.h"

#include "db/room_repository.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "presence/presence_engine.h"
#include "rest/problem.h"
#include "rest/rest_context.h"
#include "rest/session_json.h"

#include <QHttpServer>
#include <QJsonArray>
#include <QUrlQuery>

#include <algorithm>

namespace spidi::rest {

namespace {

using Status = QHttpServerResponse::StatusCode;

struct Paging
{
    int offset = 0;
    int limit = 100;
};

constexpr int kMaxLimit = 1000;

Result<Paging> pagingOf(const QHttpServerRequest &request)
{
    Paging paging;
    const QUrlQuery query(request.url());
    for (const auto &[name, target, maximum] :
         {std::tuple{QStringLiteral("offset"), &paging.offset, std::numeric_limits<int>::max()},
          std::tuple{QStringLiteral("limit"), &paging.limit, kMaxLimit}}) {
        if (!query.hasQueryItem(name))
            continue;
        bool ok = false;
        const int value = query.queryItemValue(name).toInt(&ok);
        if (!ok || value < (name == QLatin1String("limit") ? 1 : 0) || value > maximum)
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("%1 must be an integer between %2 and %3")
                                 .arg(name)
                                 .arg(name == QLatin1String("limit") ? 1 : 0)
                                 .arg(maximum),
                             name);
        *target = value;
    }
    return paging;
}

// Newest first, so the first page shows who just arrived.
QJsonObject page(QList<SessionRecord> sessions, const Paging &paging)
{
    std::sort(sessions.begin(), sessions.end(), [](const auto &a, const auto &b) {
        return a.connectedAtMs != b.connectedAtMs ? a.connectedAtMs > b.connectedAtMs : a.id < b.id;
    });
    QJsonArray items;
    const qsizetype end = qMin<qsizetype>(sessions.size(), qsizetype(paging.offset) + paging.limit);
    for (qsizetype i = paging.offset; i < end; ++i)
        items.append(sessionToJson(sessions.at(i), true));
    return QJsonObject{{QLatin1String("items"), items},
                       {QLatin1String("total"), qint64(sessions.size())},
                       {QLatin1String("offset"), paging.offset},
                       {QLatin1String("limit"), paging.limit}};
}

} // namespace

void registerPresenceRoutes(QHttpServer &server, RestContext &context, PresenceEngine &engine)
{
    server.route(QStringLiteral("/api/v1/rooms/<arg>/sessions"), QHttpServerRequest::Method::Get,
                 [&context, &engine](const QString &idOrCode, const QHttpServerRequest &request) {
                     const Result<Principal> who = context.authenticate(request);
                     if (!who)
                         return unauthorized(who.error());
                     if (!who->canRead())
                         return forbidden(perm::Monitor);
                     const Result<Paging> paging = pagingOf(request);
                     if (!paging)
                         return problem(paging.error());
                     const Result<Room> room =
                         RoomRepository(*context.database).find(who->tenantId, idOrCode);
                     if (!room)
                         return problem(room.error());
                     return json(page(engine.sessionsOfRoom(room->id), *paging));
                 });

    server.route(QStringLiteral("/api/v1/users/<arg>/sessions"), QHttpServerRequest::Method::Get,
                 [&context, &engine](const QString &userId, const QHttpServerRequest &request) {
                     const Result<Principal> who = context.authenticate(request);
                     if (!who)
                         return unauthorized(who.error());
                     // A user may always see their own devices; anyone else's need spidi:monitor.
                     if (!who->canRead() && who->userId != userId)
                         return forbidden(perm::Monitor);
                     const Result<Paging> paging = pagingOf(request);
                     if (!paging)
                         return problem(paging.error());
                     return json(page(engine.sessionsOfUser(who->tenantId, userId), *paging));
                 });

    server.route(QStringLiteral("/api/v1/sessions/<arg>"), QHttpServerRequest::Method::Delete,
                 [&context, &engine](const QString &sessionId, const QHttpServerRequest &request) {
                     const Result<Principal> who = context.authenticate(request);
                     if (!who)
                         return unauthorized(who.error());
                     if (!who->isAdmin())
                         return forbidden(perm::Admin);
                     if (!engine.kick(who->tenantId, sessionId))
                         return problem(Status::NotFound, QStringLiteral("Not Found"),
                                        QStringLiteral("no live session '%1'").arg(sessionId));
                     logEvent(lcRest(), QtInfoMsg, "session.kicked",
                              {{"session_id", sessionId},
                               {"user_id", who->userId},
                               {"tenant_id", who->tenantId}});
                     return QHttpServerResponse(Status::NoContent);
                 });
}

} // namespace spidi::rest
