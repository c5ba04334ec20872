#include "rest/stats_api.h"

#include "alerts/alert_repository.h"
#include "db/room_repository.h"
#include "presence/presence_engine.h"
#include "rest/problem.h"
#include "rest/query_params.h"
#include "rest/request_guard.h"
#include "rest/rest_context.h"
#include "rest/session_json.h"
#include "stats/room_stats_repository.h"

#include <QHash>
#include <QHttpServer>
#include <QJsonArray>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>

namespace spidi::rest {

namespace {

constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kDayMs = 24 * kHourMs;
constexpr qint64 kMaxBuckets = 10'000;
constexpr int kBusiestRooms = 5;

struct Range
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
};

// from/to of a statistics query: both optional (to = now, from = to - defaultSpan), ISO 8601
// with a zone, from before to.
Result<Range> rangeOf(const QHttpServerRequest &request, qint64 nowMs, qint64 defaultSpanMs)
{
    const auto from = isoInstantParam(request, QStringLiteral("from"));
    if (!from)
        return from.error();
    const auto to = isoInstantParam(request, QStringLiteral("to"));
    if (!to)
        return to.error();
    Range range;
    range.toMs = to->value_or(nowMs);
    range.fromMs = from->value_or(range.toMs - defaultSpanMs);
    if (range.fromMs >= range.toMs)
        return makeError(ErrorKind::Invalid, QStringLiteral("from must be before to"),
                         QStringLiteral("from"));
    if (range.fromMs <= 0)
        return makeError(ErrorKind::Invalid, QStringLiteral("from must be after 1970"),
                         QStringLiteral("from"));
    return range;
}

// The bucket asked for, else the one that suits the range: up to 6 h MINUTE, up to 14 days
// HOUR, beyond DAY. At most kMaxBuckets buckets.
Result<StatsBucket> bucketOf(const QHttpServerRequest &request, const Range &range)
{
    const QUrlQuery query(request.url());
    StatsBucket bucket = StatsBucket::Day;
    if (query.hasQueryItem(QStringLiteral("bucket"))) {
        const QString text = query.queryItemValue(QStringLiteral("bucket"), QUrl::FullyDecoded);
        const auto parsed = statsBucketFromString(text);
        if (!parsed)
            return makeError(
                ErrorKind::Invalid,
                QStringLiteral("bucket '%1' is not one of MINUTE, HOUR, DAY").arg(text),
                QStringLiteral("bucket"));
        bucket = *parsed;
    } else {
        const qint64 span = range.toMs - range.fromMs;
        bucket = span <= 6 * kHourMs   ? StatsBucket::Minute
                 : span <= 14 * kDayMs ? StatsBucket::Hour
                                       : StatsBucket::Day;
    }
    const qint64 length = bucketLengthMs(bucket);
    const qint64 buckets = (range.toMs - bucketStart(bucket, range.fromMs) + length - 1) / length;
    if (buckets > kMaxBuckets)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1 %2 buckets in the range; at most %3: use a larger "
                                        "bucket or a shorter range")
                             .arg(buckets)
                             .arg(toString(bucket))
                             .arg(kMaxBuckets),
                         QStringLiteral("bucket"));
    return bucket;
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonObject itemJson(const RoomStatsRow &row, qint64 nowMs)
{
    return QJsonObject{
        {QLatin1String("ts"), isoTimeMs(row.tsMs)},
        {QLatin1String("onlineAvg"), row.onlineAvg},
        {QLatin1String("onlinePeak"), row.onlinePeak},
        {QLatin1String("usersPeak"), row.usersPeak},
        {QLatin1String("latencyAvgMs"), optionalNumber(row.latencyAvgMs)},
        {QLatin1String("latencyP95Ms"), optionalNumber(row.latencyP95Ms)},
        {QLatin1String("sessionsStarted"), row.sessionsStarted},
        {QLatin1String("sessionsEnded"), row.sessionsEnded},
        {QLatin1String("heartbeats"), row.heartbeats},
        // The bucket still running: its figures will grow.
        {QLatin1String("partial"), row.tsMs + bucketLengthMs(row.bucket) > nowMs},
    };
}

QJsonObject liveFigures(const PresenceEngine &engine, const QString &tenantId)
{
    const QList<const RoomPresence *> rooms = engine.roomsOfTenant(tenantId);
    int online = 0;
    QSet<QString> users;
    for (const RoomPresence *room : rooms) {
        for (const SessionRecord &s : engine.sessionsOfRoom(room->room().id)) {
            ++online;
            users.insert(s.userId);
        }
    }
    return QJsonObject{{QLatin1String("rooms"), int(rooms.size())},
                       {QLatin1String("online"), online},
                       {QLatin1String("users"), int(users.size())}};
}

QHttpServerResponse roomStats(RestContext &context, PresenceEngine &engine, const QString &idOrCode,
                              const QHttpServerRequest &request)
{
    auto authorized = authorize(context, request, Access::Read);
    if (auto *refused = std::get_if<QHttpServerResponse>(&authorized))
        return std::move(*refused);
    const Principal *who = &std::get<Principal>(authorized);
    const qint64 now = engine.nowMs();
    const Result<Range> range = rangeOf(request, now, kHourMs);
    if (!range)
        return problem(range.error());
    const Result<StatsBucket> bucket = bucketOf(request, *range);
    if (!bucket)
        return problem(bucket.error());
    const Result<Room> room = RoomRepository(*context.database).find(who->tenantId, idOrCode);
    if (!room)
        return problem(room.error());
    // Every bucket that overlaps the range, the one holding `from` included.
    const auto rows = RoomStatsRepository(*context.database)
                          .rowsForTenant(who->tenantId, room->id, *bucket,
                                         bucketStart(*bucket, range->fromMs), range->toMs);
    if (!rows)
        return problem(rows.error());
    QJsonArray items;
    for (const RoomStatsRow &row : rows.value())
        items.append(itemJson(row, now));
    return json(QJsonObject{{QLatin1String("roomId"), room->id},
                            {QLatin1String("roomCode"), room->code},
                            {QLatin1String("bucket"), toString(*bucket)},
                            {QLatin1String("from"), isoTimeMs(range->fromMs)},
                            {QLatin1String("to"), isoTimeMs(range->toMs)},
                            {QLatin1String("items"), items},
                            {QLatin1String("total"), qint64(items.size())}});
}

QHttpServerResponse summary(RestContext &context, PresenceEngine &engine,
                            const QHttpServerRequest &request)
{
    auto authorized = authorize(context, request, Access::Read);
    if (auto *refused = std::get_if<QHttpServerResponse>(&authorized))
        return std::move(*refused);
    const Principal *who = &std::get<Principal>(authorized);
    const qint64 now = engine.nowMs();
    const Result<Range> range = rangeOf(request, now, kDayMs);
    if (!range)
        return problem(range.error());
    // MINUTE rows for ranges up to 6 h, HOUR rows beyond (a 90-day range reads 2,160 rows a
    // room at most), in both cases every bucket overlapping the range.
    const StatsBucket bucket =
        range->toMs - range->fromMs <= 6 * kHourMs ? StatsBucket::Minute : StatsBucket::Hour;
    const auto rows = RoomStatsRepository(*context.database)
                          .rowsForTenant(who->tenantId, {}, bucket,
                                         bucketStart(bucket, range->fromMs), range->toMs);
    if (!rows)
        return problem(rows.error());

    struct RoomFigures
    {
        int peakOnline = 0;
        qint64 sessionsStarted = 0;
    };
    QHash<QString, RoomFigures> byRoom;
    qint64 started = 0;
    qint64 ended = 0;
    qint64 heartbeats = 0;
    int peakOnline = 0;
    qint64 samples = 0;
    double latencySum = 0.0;
    stats::LatencyHistogram histogram;
    for (const RoomStatsRow &row : rows.value()) {
        started += row.sessionsStarted;
        ended += row.sessionsEnded;
        heartbeats += row.heartbeats;
        peakOnline = qMax(peakOnline, row.onlinePeak);
        if (row.latencySamples > 0 && row.latencyAvgMs) {
            samples += row.latencySamples;
            latencySum += *row.latencyAvgMs * double(row.latencySamples);
        }
        histogram.merge(row.latencyHist);
        RoomFigures &figures = byRoom[row.roomId];
        figures.peakOnline = qMax(figures.peakOnline, row.onlinePeak);
        figures.sessionsStarted += row.sessionsStarted;
    }

    QList<QPair<QString, RoomFigures>> ranked;
    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it)
        ranked.append({it.key(), it.value()});
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
        if (a.second.peakOnline != b.second.peakOnline)
            return a.second.peakOnline > b.second.peakOnline;
        if (a.second.sessionsStarted != b.second.sessionsStarted)
            return a.second.sessionsStarted > b.second.sessionsStarted;
        return a.first < b.first;
    });
    QJsonArray busiest;
    for (const auto &[roomId, figures] : ranked) {
        if (busiest.size() >= kBusiestRooms)
            break;
        const RoomPresence *live = engine.roomById(roomId);
        busiest.append(
            QJsonObject{{QLatin1String("roomId"), roomId},
                        // A room deleted since has no code any more.
                        {QLatin1String("roomCode"), live && live->room().tenantId == who->tenantId
                                                        ? QJsonValue(live->room().code)
                                                        : QJsonValue(QJsonValue::Null)},
                        {QLatin1String("peakOnline"), figures.peakOnline},
                        {QLatin1String("sessionsStarted"), figures.sessionsStarted}});
    }

    const QJsonObject period{
        {QLatin1String("bucket"), toString(bucket)}, // the rows the figures come from
        {QLatin1String("sessionsStarted"), started},
        {QLatin1String("sessionsEnded"), ended},
        {QLatin1String("peakOnline"), peakOnline},
        {QLatin1String("heartbeats"), heartbeats},
        {QLatin1String("latencyAvgMs"),
         samples > 0 ? QJsonValue(latencySum / double(samples)) : QJsonValue(QJsonValue::Null)},
        {QLatin1String("latencyP95Ms"), optionalNumber(histogram.percentile(0.95))},
    };
    QJsonObject body{{QLatin1String("from"), isoTimeMs(range->fromMs)},
                     {QLatin1String("to"), isoTimeMs(range->toMs)},
                     {QLatin1String("live"), liveFigures(engine, who->tenantId)},
                     {QLatin1String("period"), period},
                     {QLatin1String("busiestRooms"), busiest}};
    // The open alerts of the tenant, by state and severity (the console's header counts).
    auto open = AlertRepository(*context.database).openEvents(who->tenantId);
    if (!open.ok())
        return problem(open.error());
    int firing = 0;
    int acknowledged = 0;
    QJsonObject bySeverity{
        {QLatin1String("INFO"), 0}, {QLatin1String("WARNING"), 0}, {QLatin1String("CRITICAL"), 0}};
    for (const AlertEvent &event : open.value()) {
        (event.state == AlertState::Firing ? firing : acknowledged) += 1;
        const QString severity = alertSeverityName(event.severity);
        bySeverity.insert(severity, bySeverity.value(severity).toInt() + 1);
    }
    body.insert(QLatin1String("alerts"),
                QJsonObject{{QLatin1String("firing"), firing},
                            {QLatin1String("acknowledged"), acknowledged},
                            {QLatin1String("openBySeverity"), bySeverity}});
    return json(body);
}

} // namespace

void registerStatsRoutes(QHttpServer &server, RestContext &context, PresenceEngine &engine)
{
    server.route(QStringLiteral("/api/v1/rooms/<arg>/stats"), QHttpServerRequest::Method::Get,
                 [&context, &engine](const QString &idOrCode, const QHttpServerRequest &request) {
                     return roomStats(context, engine, idOrCode, request);
                 });
    server.route(QStringLiteral("/api/v1/stats/summary"), QHttpServerRequest::Method::Get,
                 [&context, &engine](const QHttpServerRequest &request) {
                     return summary(context, engine, request);
                 });
}

} // namespace spidi::rest
