#include "rest/presence_api.h"

#include "db/room_repository.h"
#include "db/session_history_repository.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "presence/presence_engine.h"
#include "rest/problem.h"
#include "rest/query_params.h"
#include "rest/request_guard.h"
#include "rest/rest_context.h"
#include "rest/session_json.h"

#include <QDateTime>
#include <QHash>
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

// Live and past sessions of a user, newest first. Live sessions started since the last history
// flush are not in SQL yet: they come first (they are the newest), then the history page, in
// which sessions still live show the engine's fresher state.
// A history row as it is now: an end the write-behind has not written yet is already known.
SessionRecord withUnwrittenEnd(const RestContext &context, const SessionRecord &row)
{
    if (row.endedAtMs != 0 || !context.unwrittenSession)
        return row;
    const std::optional<SessionRecord> newer = context.unwrittenSession(row.id);
    return newer && newer->endedAtMs != 0 ? *newer : row;
}

Result<QJsonObject> userHistoryPage(const RestContext &context, const Principal &who,
                                    const QString &userId, QList<SessionRecord> live,
                                    const Paging &paging)
{
    const SessionHistoryRepository history(*context.database);
    std::sort(live.begin(), live.end(), [](const auto &a, const auto &b) {
        return a.connectedAtMs != b.connectedAtMs ? a.connectedAtMs > b.connectedAtMs : a.id < b.id;
    });
    QHash<QString, SessionRecord> liveById;
    for (const SessionRecord &s : std::as_const(live))
        liveById.insert(s.id, s);
    // Which live sessions history already has: look them up by id (few per user).
    QList<SessionRecord> unflushed;
    for (const SessionRecord &s : std::as_const(live))
        if (!history.find(who.tenantId, s.id))
            unflushed.append(s);

    QJsonArray items;
    const qsizetype extra = unflushed.size();
    for (qsizetype i = paging.offset; i < extra && items.size() < paging.limit; ++i)
        items.append(sessionToJson(unflushed.at(i), true));
    const int historyOffset = int(qMax<qint64>(0, qint64(paging.offset) - extra));
    const int historyLimit = paging.limit - int(items.size());
    const auto rows =
        history.listForUser(who.tenantId, userId, historyOffset, qMax(1, historyLimit));
    if (!rows)
        return rows.error();
    if (historyLimit > 0)
        for (const SessionRecord &s : std::as_const(rows->records)) {
            const auto it = liveById.constFind(s.id);
            items.append(it != liveById.cend()
                             ? sessionToJson(*it, true)
                             : sessionToJson(withUnwrittenEnd(context, s), false));
        }
    return QJsonObject{{QLatin1String("items"), items},
                       {QLatin1String("total"), rows->total + extra},
                       {QLatin1String("offset"), paging.offset},
                       {QLatin1String("limit"), paging.limit}};
}

// `at` of a point-in-time query: ISO 8601 with a zone (Z or ±hh:mm), not in the future.
Result<qint64> instantOf(const QHttpServerRequest &request, qint64 nowMs)
{
    const Result<std::optional<qint64>> at = isoInstantParam(request, QStringLiteral("at"));
    if (!at)
        return at.error();
    if (!at->has_value())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("at is required: an ISO 8601 instant such as "
                                        "2026-11-23T10:15:00Z"),
                         QStringLiteral("at"));
    // A little clock skew between client and server is not the future.
    if (**at > nowMs + 5000)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("at '%1' is in the future").arg(isoTimeMs(**at)),
                         QStringLiteral("at"));
    return **at;
}

} // namespace

void registerPresenceRoutes(QHttpServer &server, RestContext &context, PresenceEngine &engine)
{
    server.route(QStringLiteral("/api/v1/rooms/<arg>/sessions"), QHttpServerRequest::Method::Get,
                 [&context, &engine](const QString &idOrCode, const QHttpServerRequest &request) {
                     auto authorized = authorize(context, request, Access::Read);
                     if (auto *refused = std::get_if<QHttpServerResponse>(&authorized))
                         return std::move(*refused);
                     const Principal *who = &std::get<Principal>(authorized);
                     const Result<Paging> paging = pagingOf(request);
                     if (!paging)
                         return problem(paging.error());
                     const Result<Room> room =
                         RoomRepository(*context.database).find(who->tenantId, idOrCode);
                     if (!room)
                         return problem(room.error());
                     return json(page(engine.sessionsOfRoom(room->id), *paging));
                 });

    server.route(
        QStringLiteral("/api/v1/rooms/<arg>/roster"), QHttpServerRequest::Method::Get,
        [&context, &engine](const QString &idOrCode, const QHttpServerRequest &request) {
            auto authorized = authorize(context, request, Access::Read);
            if (auto *refused = std::get_if<QHttpServerResponse>(&authorized))
                return std::move(*refused);
            const Principal *who = &std::get<Principal>(authorized);
            const Result<qint64> at = instantOf(request, engine.nowMs());
            if (!at)
                return problem(at.error());
            const Result<Room> room =
                RoomRepository(*context.database).find(who->tenantId, idOrCode);
            if (!room)
                return problem(room.error());
            auto past =
                SessionHistoryRepository(*context.database).presentAt(who->tenantId, room->id, *at);
            if (!past)
                return problem(past.error());
            // History is written behind: sessions started since the last flush are
            // only in the engine, and the engine's state of a live one is newer.
            QHash<QString, std::pair<SessionRecord, bool>> present;
            for (const SessionRecord &row : std::as_const(*past)) {
                const bool live = engine.session(row.id) != nullptr;
                // Ended a moment ago, the end not written yet: gone if it ended by `at`.
                const SessionRecord s = live ? row : withUnwrittenEnd(context, row);
                if (s.endedAtMs != 0 && s.endedAtMs <= *at)
                    continue;
                present.insert(s.id, {s, live});
            }
            for (const SessionRecord &s : engine.sessionsOfRoom(room->id))
                if (s.connectedAtMs <= *at)
                    present.insert(s.id, {s, true});
            QList<std::pair<SessionRecord, bool>> ordered = present.values();
            std::sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) {
                return a.first.connectedAtMs != b.first.connectedAtMs
                           ? a.first.connectedAtMs < b.first.connectedAtMs
                           : a.first.id < b.first.id;
            });
            QJsonArray items;
            for (const auto &[session, live] : ordered)
                items.append(sessionToJson(session, live));
            return json(QJsonObject{{QLatin1String("roomId"), room->id},
                                    {QLatin1String("roomCode"), room->code},
                                    {QLatin1String("at"), isoTimeMs(*at)},
                                    {QLatin1String("total"), qint64(items.size())},
                                    {QLatin1String("items"), items}});
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
                     const QList<SessionRecord> live = engine.sessionsOfUser(who->tenantId, userId);
                     if (QUrlQuery(request.url()).queryItemValue(QStringLiteral("live")) ==
                         QLatin1String("true"))
                         return json(page(live, *paging));
                     const Result<QJsonObject> all =
                         userHistoryPage(context, *who, userId, live, *paging);
                     if (!all)
                         return problem(all.error());
                     return json(*all);
                 });

    server.route(QStringLiteral("/api/v1/sessions/<arg>"), QHttpServerRequest::Method::Delete,
                 [&context, &engine](const QString &sessionId, const QHttpServerRequest &request) {
                     auto authorized = authorize(context, request, Access::Admin);
                     if (auto *refused = std::get_if<QHttpServerResponse>(&authorized))
                         return std::move(*refused);
                     const Principal *who = &std::get<Principal>(authorized);
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
