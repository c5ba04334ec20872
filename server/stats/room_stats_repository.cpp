#include "stats/room_stats_repository.h"

#include "db/sql_dialect.h"
#include "db/sql_support.h"

#include <QDateTime>
#include <QSqlQuery>

namespace spidi {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kDayMs = 86'400'000;

const QString kRowColumns = QStringLiteral(
    "room_id, tenant_id, bucket, ts_bucket, online_avg, online_peak, users_peak, latency_avg, "
    "latency_p95, latency_samples, latency_hist, sessions_started, sessions_ended, heartbeats");

const QString kRowUpsert = QStringLiteral(
    "INSERT INTO dat_spd_room_stats (room_id, tenant_id, bucket, ts_bucket, online_avg, "
    "online_peak, users_peak, latency_avg, latency_p95, latency_samples, latency_hist, "
    "sessions_started, sessions_ended, heartbeats, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (room_id, bucket, ts_bucket) DO UPDATE SET "
    "tenant_id = excluded.tenant_id, online_avg = excluded.online_avg, "
    "online_peak = excluded.online_peak, users_peak = excluded.users_peak, "
    "latency_avg = excluded.latency_avg, latency_p95 = excluded.latency_p95, "
    "latency_samples = excluded.latency_samples, latency_hist = excluded.latency_hist, "
    "sessions_started = excluded.sessions_started, sessions_ended = excluded.sessions_ended, "
    "heartbeats = excluded.heartbeats, updated_at = excluded.updated_at");

const QString kPartUpsert = QStringLiteral(
    "INSERT INTO dat_spd_room_stats_part (room_id, tenant_id, ts_minute, instance_id, "
    "heartbeats, latency_samples, latency_sum, latency_hist, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (room_id, ts_minute, instance_id) DO UPDATE SET "
    "tenant_id = excluded.tenant_id, heartbeats = excluded.heartbeats, "
    "latency_samples = excluded.latency_samples, latency_sum = excluded.latency_sum, "
    "latency_hist = excluded.latency_hist, updated_at = excluded.updated_at");

QVariant nullableDouble(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::Double));
}

// A histogram column that cannot be read is logged by the caller's error and counted as empty
// rather than failing a whole read.
stats::LatencyHistogram histogramOf(const QVariant &value)
{
    auto parsed = stats::LatencyHistogram::fromJson(value.toString());
    return parsed ? parsed.value() : stats::LatencyHistogram();
}

RoomStatsRow rowFromQuery(const QSqlQuery &query)
{
    RoomStatsRow row;
    row.roomId = sql::fromDbId(query.value(0));
    row.tenantId = query.value(1).toString();
    row.bucket = statsBucketFromString(query.value(2).toString()).value_or(StatsBucket::Minute);
    row.tsMs = sql::fromDbTimeMs(query.value(3));
    row.onlineAvg = query.value(4).toDouble();
    row.onlinePeak = query.value(5).toInt();
    row.usersPeak = query.value(6).toInt();
    if (!query.value(7).isNull())
        row.latencyAvgMs = query.value(7).toDouble();
    if (!query.value(8).isNull())
        row.latencyP95Ms = query.value(8).toDouble();
    row.latencySamples = query.value(9).toLongLong();
    row.latencyHist = histogramOf(query.value(10));
    row.sessionsStarted = query.value(11).toInt();
    row.sessionsEnded = query.value(12).toInt();
    row.heartbeats = query.value(13).toLongLong();
    return row;
}

} // namespace

QString toString(StatsBucket bucket)
{
    switch (bucket) {
    case StatsBucket::Minute:
        return QStringLiteral("MINUTE");
    case StatsBucket::Hour:
        return QStringLiteral("HOUR");
    case StatsBucket::Day:
        return QStringLiteral("DAY");
    }
    return QStringLiteral("MINUTE");
}

std::optional<StatsBucket> statsBucketFromString(const QString &text)
{
    const QString upper = text.trimmed().toUpper();
    if (upper == QLatin1String("MINUTE"))
        return StatsBucket::Minute;
    if (upper == QLatin1String("HOUR"))
        return StatsBucket::Hour;
    if (upper == QLatin1String("DAY"))
        return StatsBucket::Day;
    return std::nullopt;
}

qint64 bucketLengthMs(StatsBucket bucket)
{
    switch (bucket) {
    case StatsBucket::Minute:
        return kMinuteMs;
    case StatsBucket::Hour:
        return kHourMs;
    case StatsBucket::Day:
        return kDayMs;
    }
    return kMinuteMs;
}

qint64 bucketStart(StatsBucket bucket, qint64 ms)
{
    const qint64 length = bucketLengthMs(bucket);
    // Floor, also for times before the epoch.
    const qint64 q = ms / length;
    return (ms % length < 0 ? q - 1 : q) * length;
}

RoomStatsRepository::RoomStatsRepository(const Database &database) : m_db(database) {}

Status RoomStatsRepository::upsertParts(const QList<StatsPart> &parts)
{
    if (parts.isEmpty())
        return Ok{};
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics parts flush")); !begun)
        return begun;
    QSqlQuery query(m_db.handle());
    if (auto prepared = sql::prepare(query, kPartUpsert, dialect,
                                     QStringLiteral("preparing statistics part upsert"));
        !prepared)
        return prepared;
    const QVariant now = sql::toDbTime(QDateTime::currentDateTimeUtc(), dialect);
    for (const StatsPart &part : parts) {
        const QVariantList values = {part.roomId,
                                     part.tenantId,
                                     sql::toDbTimeMs(part.minuteMs, dialect),
                                     part.instanceId,
                                     part.heartbeats,
                                     part.latencySamples,
                                     part.latencySumMs,
                                     part.latencyHist.toJson(),
                                     now};
        for (qsizetype i = 0; i < values.size(); ++i)
            query.bindValue(int(i), values.at(i));
        if (auto done =
                sql::exec(query, dialect,
                          QStringLiteral("writing statistics part of room %1").arg(part.roomId));
            !done)
            return done;
    }
    return transaction.commit();
}

Result<QList<StatsPart>> RoomStatsRepository::partsBetween(qint64 fromMs, qint64 toMs) const
{
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics consolidation"));
        !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral(
        "SELECT room_id, tenant_id, ts_minute, instance_id, heartbeats, latency_samples, "
        "latency_sum, latency_hist FROM dat_spd_room_stats_part WHERE ts_minute >= ? AND "
        "ts_minute < ? ORDER BY room_id, ts_minute, instance_id"));
    query.addBindValue(sql::toDbTimeMs(fromMs, dialect));
    query.addBindValue(sql::toDbTimeMs(toMs, dialect));
    if (auto done = sql::exec(query, dialect, QStringLiteral("reading statistics parts")); !done)
        return done.error();
    QList<StatsPart> parts;
    while (query.next()) {
        StatsPart part;
        part.roomId = sql::fromDbId(query.value(0));
        part.tenantId = query.value(1).toString();
        part.minuteMs = sql::fromDbTimeMs(query.value(2));
        part.instanceId = query.value(3).toString();
        part.heartbeats = query.value(4).toLongLong();
        part.latencySamples = query.value(5).toLongLong();
        part.latencySumMs = query.value(6).toDouble();
        part.latencyHist = histogramOf(query.value(7));
        parts.append(part);
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return parts;
}

Result<QList<SessionSpan>> RoomStatsRepository::sessionsOverlapping(qint64 fromMs,
                                                                    qint64 toMs) const
{
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics consolidation"));
        !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral(
        "SELECT room_id, tenant_id, user_id, started_at, ended_at FROM dat_spd_session "
        "WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?) "
        "ORDER BY room_id, started_at, id"));
    query.addBindValue(sql::toDbTimeMs(toMs, dialect));
    query.addBindValue(sql::toDbTimeMs(fromMs, dialect));
    if (auto done = sql::exec(query, dialect, QStringLiteral("reading sessions for statistics"));
        !done)
        return done.error();
    QList<SessionSpan> spans;
    while (query.next()) {
        SessionSpan span;
        span.roomId = query.value(0).toString();
        span.tenantId = query.value(1).toString();
        span.userId = query.value(2).toString();
        span.startMs = sql::fromDbTimeMs(query.value(3));
        span.endMs = sql::fromDbTimeMs(query.value(4));
        spans.append(span);
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return spans;
}

Status RoomStatsRepository::replaceRows(StatsBucket bucket, qint64 fromMs, qint64 toMs,
                                        const QList<RoomStatsRow> &rows)
{
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics consolidation"));
        !begun)
        return begun;
    QSqlQuery remove(m_db.handle());
    remove.prepare(QStringLiteral(
        "DELETE FROM dat_spd_room_stats WHERE bucket = ? AND ts_bucket >= ? AND ts_bucket < ?"));
    remove.addBindValue(toString(bucket));
    remove.addBindValue(sql::toDbTimeMs(fromMs, dialect));
    remove.addBindValue(sql::toDbTimeMs(toMs, dialect));
    if (auto done = sql::exec(
            remove, dialect,
            QStringLiteral("clearing %1 statistics before recomputing").arg(toString(bucket)));
        !done)
        return done;
    if (!rows.isEmpty()) {
        QSqlQuery query(m_db.handle());
        if (auto prepared = sql::prepare(query, kRowUpsert, dialect,
                                         QStringLiteral("preparing statistics upsert"));
            !prepared)
            return prepared;
        const QVariant now = sql::toDbTime(QDateTime::currentDateTimeUtc(), dialect);
        for (const RoomStatsRow &row : rows) {
            const QVariantList values = {row.roomId,
                                         row.tenantId,
                                         toString(row.bucket),
                                         sql::toDbTimeMs(row.tsMs, dialect),
                                         row.onlineAvg,
                                         row.onlinePeak,
                                         row.usersPeak,
                                         nullableDouble(row.latencyAvgMs),
                                         nullableDouble(row.latencyP95Ms),
                                         row.latencySamples,
                                         row.latencyHist.toJson(),
                                         row.sessionsStarted,
                                         row.sessionsEnded,
                                         row.heartbeats,
                                         now,
                                         now};
            for (qsizetype i = 0; i < values.size(); ++i)
                query.bindValue(int(i), values.at(i));
            if (auto done = sql::exec(query, dialect,
                                      QStringLiteral("writing %1 statistics of room %2")
                                          .arg(toString(row.bucket), row.roomId));
                !done)
                return done;
        }
    }
    return transaction.commit();
}

Result<QList<RoomStatsRow>> RoomStatsRepository::selectRows(const QString &tenantId,
                                                            const QString &condition,
                                                            const QVariantList &binds,
                                                            const QString &what) const
{
    sql::Transaction transaction(m_db);
    const Status begun = tenantId.isEmpty()
                             ? transaction.beginCrossTenant(QStringLiteral("statistics roll-up"))
                             : transaction.beginForTenant(tenantId);
    if (!begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("SELECT ") + kRowColumns +
                  QStringLiteral(" FROM dat_spd_room_stats WHERE ") + condition);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (auto done = sql::exec(query, m_db.dialect(), what); !done)
        return done.error();
    QList<RoomStatsRow> rows;
    while (query.next())
        rows.append(rowFromQuery(query));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rows;
}

Result<QList<RoomStatsRow>> RoomStatsRepository::rowsBetween(StatsBucket bucket, qint64 fromMs,
                                                             qint64 toMs) const
{
    const SqlDialect dialect = m_db.dialect();
    return selectRows(
        {},
        QStringLiteral(
            "bucket = ? AND ts_bucket >= ? AND ts_bucket < ? ORDER BY room_id, ts_bucket"),
        {toString(bucket), sql::toDbTimeMs(fromMs, dialect), sql::toDbTimeMs(toMs, dialect)},
        QStringLiteral("reading %1 statistics for a roll-up").arg(toString(bucket)));
}

Result<QList<RoomStatsRow>> RoomStatsRepository::rowsForTenant(const QString &tenantId,
                                                               const QString &roomId,
                                                               StatsBucket bucket, qint64 fromMs,
                                                               qint64 toMs) const
{
    if (tenantId.isEmpty())
        return QList<RoomStatsRow>{};
    const SqlDialect dialect = m_db.dialect();
    QVariantList binds = {tenantId, toString(bucket), sql::toDbTimeMs(fromMs, dialect),
                          sql::toDbTimeMs(toMs, dialect)};
    QString condition = QStringLiteral("tenant_id = ? AND bucket = ? AND ts_bucket >= ? AND "
                                       "ts_bucket < ?");
    if (!roomId.isEmpty()) {
        if (!sql::isDbId(roomId, dialect))
            return QList<RoomStatsRow>{};
        condition += QStringLiteral(" AND room_id = ?");
        binds.append(roomId);
    }
    condition += QStringLiteral(" ORDER BY ts_bucket, room_id");
    return selectRows(tenantId, condition, binds, QStringLiteral("reading room statistics"));
}

Result<qint64> RoomStatsRepository::latestBucket(StatsBucket bucket) const
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics consolidation"));
        !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("SELECT MAX(ts_bucket) FROM dat_spd_room_stats WHERE bucket = ?"));
    query.addBindValue(toString(bucket));
    if (auto done = sql::exec(query, m_db.dialect(),
                              QStringLiteral("finding the latest statistics bucket"));
        !done)
        return done.error();
    const qint64 latest = query.next() ? sql::fromDbTimeMs(query.value(0)) : 0;
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return latest;
}

Result<qint64> RoomStatsRepository::earliestActivity(qint64 sinceMs) const
{
    const SqlDialect dialect = m_db.dialect();
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics consolidation"));
        !begun)
        return begun.error();
    const QVariant since = sql::toDbTimeMs(sinceMs, dialect);
    qint64 earliest = 0;
    const auto consider = [&earliest, sinceMs](const QVariant &value) {
        const qint64 at = sql::fromDbTimeMs(value);
        if (at > 0) {
            const qint64 clamped = qMax(at, sinceMs);
            earliest = earliest == 0 ? clamped : qMin(earliest, clamped);
        }
    };
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("SELECT MIN(started_at) FROM dat_spd_session "
                                 "WHERE ended_at IS NULL OR ended_at >= ?"));
    query.addBindValue(since);
    if (auto done = sql::exec(query, dialect, QStringLiteral("finding the oldest session")); !done)
        return done.error();
    if (query.next())
        consider(query.value(0));
    QSqlQuery parts(m_db.handle());
    parts.prepare(
        QStringLiteral("SELECT MIN(ts_minute) FROM dat_spd_room_stats_part WHERE ts_minute >= ?"));
    parts.addBindValue(since);
    if (auto done = sql::exec(parts, dialect, QStringLiteral("finding the oldest part")); !done)
        return done.error();
    if (parts.next())
        consider(parts.value(0));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return earliest;
}

Result<int> RoomStatsRepository::deleteWhere(const QString &table, const QString &condition,
                                             const QVariantList &binds, const QString &what)
{
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("statistics retention")); !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("DELETE FROM ") + table + QStringLiteral(" WHERE ") + condition);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (auto done = sql::exec(query, m_db.dialect(), what); !done)
        return done.error();
    const int affected = query.numRowsAffected();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return qMax(0, affected);
}

Result<int> RoomStatsRepository::deleteRowsBefore(StatsBucket bucket, qint64 cutoffMs)
{
    return deleteWhere(QStringLiteral("dat_spd_room_stats"),
                       QStringLiteral("bucket = ? AND ts_bucket < ?"),
                       {toString(bucket), sql::toDbTimeMs(cutoffMs, m_db.dialect())},
                       QStringLiteral("purging old %1 statistics").arg(toString(bucket)));
}

Result<int> RoomStatsRepository::deletePartsBefore(qint64 cutoffMs)
{
    return deleteWhere(QStringLiteral("dat_spd_room_stats_part"), QStringLiteral("ts_minute < ?"),
                       {sql::toDbTimeMs(cutoffMs, m_db.dialect())},
                       QStringLiteral("purging old statistics parts"));
}

} // namespace spidi
