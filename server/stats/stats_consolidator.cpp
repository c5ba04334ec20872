#include "stats/stats_consolidator.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "presence/clock.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>
#include <vector>

namespace spidi {

namespace stats {

namespace {

constexpr qint64 kMinuteMs = 60'000;

struct MinuteAcc
{
    QString tenantId;
    double presenceMs = 0.0; // sessions × ms online
    int onlinePeak = 0;
    int usersPeak = 0;
    int started = 0;
    int ended = 0;
    qint64 heartbeats = 0;
    qint64 latencySamples = 0;
    double latencySumMs = 0.0;
    stats::LatencyHistogram hist;
};

struct Event
{
    qint64 at;
    int delta; // +1 start, -1 end
    QString userId;
};

void finishLatency(RoomStatsRow &row, double latencySumMs)
{
    if (row.latencySamples > 0) {
        row.latencyAvgMs = latencySumMs / double(row.latencySamples);
        row.latencyP95Ms = row.latencyHist.percentile(0.95);
    } else {
        row.latencyAvgMs.reset();
        row.latencyP95Ms.reset();
    }
}

} // namespace

QList<RoomStatsRow> computeMinuteRows(const QList<SessionSpan> &sessions,
                                      const QList<StatsPart> &parts, qint64 fromMs, qint64 toMs,
                                      qint64 nowMs)
{
    // room id -> minute -> figures; std::map keeps minutes ordered.
    QHash<QString, std::map<qint64, MinuteAcc>> rooms;
    QHash<QString, QList<const SessionSpan *>> byRoom;
    for (const SessionSpan &span : sessions)
        byRoom[span.roomId].append(&span);
    const qint64 limit = qMin(toMs, nowMs);
    const auto inWindow = [fromMs, toMs](qint64 at) { return at >= fromMs && at < toMs; };

    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it) {
        std::map<qint64, MinuteAcc> &minutes = rooms[it.key()];
        std::vector<Event> events;
        for (const SessionSpan *span : it.value()) {
            if (inWindow(span->startMs)) {
                MinuteAcc &acc = minutes[bucketStart(StatsBucket::Minute, span->startMs)];
                acc.tenantId = span->tenantId;
                ++acc.started;
            }
            if (span->endMs > 0 && inWindow(span->endMs)) {
                MinuteAcc &acc = minutes[bucketStart(StatsBucket::Minute, span->endMs)];
                acc.tenantId = span->tenantId;
                ++acc.ended;
            }
            // Online over [start, end), an open session until now, clipped to the window.
            const qint64 a = qMax(span->startMs, fromMs);
            const qint64 b = qMin(span->endMs > 0 ? span->endMs : nowMs, limit);
            if (a < b) {
                events.push_back(Event{a, +1, span->userId});
                events.push_back(Event{b, -1, span->userId});
            }
        }
        std::sort(events.begin(), events.end(),
                  [](const Event &x, const Event &y) { return x.at < y.at; });
        // Sweep: between two consecutive event times the set of sessions is constant. Events at
        // one instant are all applied before the next stretch, so a session ending when
        // another starts does not count them together.
        const QString tenantId = it.value().constFirst()->tenantId;
        int online = 0;
        QHash<QString, int> users; // user -> sessions online now
        size_t i = 0;
        while (i < events.size()) {
            const qint64 at = events[i].at;
            for (; i < events.size() && events[i].at == at; ++i) {
                online += events[i].delta;
                int &n = users[events[i].userId];
                n += events[i].delta;
                if (n == 0)
                    users.remove(events[i].userId);
            }
            if (online <= 0 || i >= events.size())
                continue;
            const qint64 next = events[i].at;
            for (qint64 m = bucketStart(StatsBucket::Minute, at); m < next; m += kMinuteMs) {
                MinuteAcc &acc = minutes[m];
                acc.tenantId = tenantId;
                acc.presenceMs += double(online) * double(qMin(next, m + kMinuteMs) - qMax(at, m));
                acc.onlinePeak = qMax(acc.onlinePeak, online);
                acc.usersPeak = qMax(acc.usersPeak, int(users.size()));
            }
        }
    }

    for (const StatsPart &part : parts) {
        const qint64 minute = bucketStart(StatsBucket::Minute, part.minuteMs);
        if (!inWindow(minute))
            continue;
        MinuteAcc &acc = rooms[part.roomId][minute];
        if (acc.tenantId.isEmpty())
            acc.tenantId = part.tenantId;
        acc.heartbeats += part.heartbeats;
        acc.latencySamples += part.latencySamples;
        acc.latencySumMs += part.latencySumMs;
        acc.hist.merge(part.latencyHist);
    }

    QList<RoomStatsRow> rows;
    QStringList roomIds = rooms.keys();
    std::sort(roomIds.begin(), roomIds.end());
    for (const QString &roomId : roomIds) {
        for (const auto &[minute, acc] : rooms.value(roomId)) {
            if (acc.presenceMs <= 0.0 && acc.started == 0 && acc.ended == 0 &&
                acc.heartbeats == 0 && acc.latencySamples == 0)
                continue;
            RoomStatsRow row;
            row.roomId = roomId;
            row.tenantId = acc.tenantId;
            row.bucket = StatsBucket::Minute;
            row.tsMs = minute;
            row.onlineAvg = acc.presenceMs / double(kMinuteMs);
            row.onlinePeak = acc.onlinePeak;
            row.usersPeak = acc.usersPeak;
            row.sessionsStarted = acc.started;
            row.sessionsEnded = acc.ended;
            row.heartbeats = acc.heartbeats;
            row.latencySamples = acc.latencySamples;
            row.latencyHist = acc.hist;
            finishLatency(row, acc.latencySumMs);
            rows.append(row);
        }
    }
    return rows;
}

QList<RoomStatsRow> rollUp(const QList<RoomStatsRow> &finer, StatsBucket target)
{
    const double divisor = target == StatsBucket::Day ? 24.0 : 60.0;
    struct Acc
    {
        RoomStatsRow row;
        double onlineSum = 0.0;
        double latencySumMs = 0.0;
    };
    std::map<std::pair<QString, qint64>, Acc> groups;
    for (const RoomStatsRow &r : finer) {
        const qint64 ts = bucketStart(target, r.tsMs);
        Acc &acc = groups[{r.roomId, ts}];
        RoomStatsRow &row = acc.row;
        if (row.roomId.isEmpty()) {
            row.roomId = r.roomId;
            row.tenantId = r.tenantId;
            row.bucket = target;
            row.tsMs = ts;
        }
        acc.onlineSum += r.onlineAvg;
        row.onlinePeak = qMax(row.onlinePeak, r.onlinePeak);
        row.usersPeak = qMax(row.usersPeak, r.usersPeak);
        row.sessionsStarted += r.sessionsStarted;
        row.sessionsEnded += r.sessionsEnded;
        row.heartbeats += r.heartbeats;
        row.latencySamples += r.latencySamples;
        if (r.latencySamples > 0 && r.latencyAvgMs)
            acc.latencySumMs += *r.latencyAvgMs * double(r.latencySamples);
        row.latencyHist.merge(r.latencyHist);
    }
    QList<RoomStatsRow> rows;
    for (auto &[key, acc] : groups) {
        acc.row.onlineAvg = acc.onlineSum / divisor;
        finishLatency(acc.row, acc.latencySumMs);
        rows.append(acc.row);
    }
    return rows;
}

} // namespace stats

StatsConsolidator::StatsConsolidator(const Database &database, const Clock &clock,
                                     StatsSettings settings)
    : m_db(database), m_clock(clock), m_settings(settings)
{}

qint64 StatsConsolidator::lagMs() const
{
    return (qint64(qMax(0, m_settings.historyFlushIntervalSec)) + 60) * 1000;
}

Result<ConsolidationReport> StatsConsolidator::runOnce()
{
    const qint64 now = m_clock.nowMs();
    QElapsedTimer timer;
    timer.start();
    auto report = consolidate(now);
    m_lastRunMs = now;
    if (!report) {
        m_lastError = report.error().message;
        logEvent(lcStats(), QtWarningMsg, "stats.consolidation_failed",
                 {{"error", report.error().message}, {"cursor_ms", m_cursorMs}});
        return report;
    }
    m_lastError.clear();
    logEvent(lcStats(), QtInfoMsg, "stats.consolidated",
             {{"minutes", report->minutes},
              {"rooms", report->rooms},
              {"rows", report->rows},
              {"purged", report->purged},
              {"ms", timer.elapsed()}});
    return report;
}

Result<ConsolidationReport> StatsConsolidator::consolidate(qint64 now)
{
    RoomStatsRepository repository(m_db);
    const qint64 minuteLength = bucketLengthMs(StatsBucket::Minute);
    const qint64 oldestKept = now - m_settings.retentionMinuteSec * 1000;
    if (m_cursorMs == 0) {
        // First run of this process: continue after the latest MINUTE row, or from the oldest
        // activity in history when there is none yet.
        const Result<qint64> latest = repository.latestBucket(StatsBucket::Minute);
        if (!latest)
            return latest.error();
        qint64 start = *latest;
        if (start == 0) {
            const Result<qint64> earliest = repository.earliestActivity(oldestKept);
            if (!earliest)
                return earliest.error();
            start = *earliest > 0 ? *earliest + lagMs() : now;
        }
        m_cursorMs = start;
    }
    ConsolidationReport report;
    const qint64 from =
        bucketStart(StatsBucket::Minute, qMax(m_cursorMs - lagMs(), qMax<qint64>(oldestKept, 1)));
    const qint64 to = qMin(bucketStart(StatsBucket::Minute, now) + minuteLength,
                           from + qMax<qint64>(m_settings.maxCatchUpSec * 1000, minuteLength));
    report.fromMs = from;
    report.toMs = to;
    report.minutes = int((to - from) / minuteLength);

    // MINUTE rows, one transaction per hour of minutes.
    QSet<QString> rooms;
    const qint64 hourLength = bucketLengthMs(StatsBucket::Hour);
    for (qint64 chunk = from; chunk < to;) {
        const qint64 chunkEnd = qMin(to, bucketStart(StatsBucket::Hour, chunk) + hourLength);
        const Result<QList<SessionSpan>> sessions = repository.sessionsOverlapping(chunk, chunkEnd);
        if (!sessions)
            return sessions.error();
        const Result<QList<StatsPart>> parts = repository.partsBetween(chunk, chunkEnd);
        if (!parts)
            return parts.error();
        const QList<RoomStatsRow> rows =
            stats::computeMinuteRows(*sessions, *parts, chunk, chunkEnd, now);
        if (auto written = repository.replaceRows(StatsBucket::Minute, chunk, chunkEnd, rows);
            !written)
            return written.error();
        for (const RoomStatsRow &row : rows)
            rooms.insert(row.roomId);
        report.rows += int(rows.size());
        chunk = chunkEnd;
    }
    report.rooms = int(rooms.size());
    // The current minute is recomputed by the next run as well.
    m_cursorMs = qMin(to, bucketStart(StatsBucket::Minute, now));

    // Roll-ups of the hours and days touched. A bucket that starts before the finer rows'
    // retention would be recomputed from purged rows: it is left as it is.
    const qint64 oldestMinute = now - m_settings.retentionMinuteSec * 1000;
    for (qint64 hour = bucketStart(StatsBucket::Hour, from); hour < to; hour += hourLength) {
        if (hour < oldestMinute)
            continue;
        if (auto done = rollUpRange(StatsBucket::Hour, hour, hour + hourLength, report.rows); !done)
            return done.error();
    }
    const qint64 oldestHour = now - m_settings.retentionHourSec * 1000;
    const qint64 dayLength = bucketLengthMs(StatsBucket::Day);
    for (qint64 day = bucketStart(StatsBucket::Day, from); day < to; day += dayLength) {
        if (day < oldestHour)
            continue;
        if (auto done = rollUpRange(StatsBucket::Day, day, day + dayLength, report.rows); !done)
            return done.error();
    }

    const Result<int> purged = applyRetention(now);
    if (!purged)
        return purged.error();
    report.purged = *purged;
    return report;
}

Result<int> StatsConsolidator::applyRetention(qint64 nowMs)
{
    RoomStatsRepository repository(m_db);
    int purged = 0;
    const std::pair<StatsBucket, qint64> purges[] = {
        {StatsBucket::Minute, m_settings.retentionMinuteSec},
        {StatsBucket::Hour, m_settings.retentionHourSec},
        {StatsBucket::Day, m_settings.retentionDaySec},
    };
    for (const auto &[bucket, seconds] : purges) {
        const Result<int> deleted = repository.deleteRowsBefore(bucket, nowMs - seconds * 1000);
        if (!deleted)
            return deleted.error();
        purged += *deleted;
    }
    const Result<int> parts =
        repository.deletePartsBefore(nowMs - m_settings.partRetentionSec * 1000);
    if (!parts)
        return parts.error();
    return purged + *parts;
}

Status StatsConsolidator::rollUpRange(StatsBucket target, qint64 fromMs, qint64 toMs, int &rows)
{
    RoomStatsRepository repository(m_db);
    const StatsBucket finer = target == StatsBucket::Day ? StatsBucket::Hour : StatsBucket::Minute;
    const Result<QList<RoomStatsRow>> source = repository.rowsBetween(finer, fromMs, toMs);
    if (!source)
        return source.error();
    const QList<RoomStatsRow> rolled = stats::rollUp(*source, target);
    if (auto written = repository.replaceRows(target, fromMs, toMs, rolled); !written)
        return written;
    rows += int(rolled.size());
    return Ok{};
}

} // namespace spidi
