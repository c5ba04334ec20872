#pragma once

#include "core/result.h"
#include "db/database.h"
#include "stats/latency_histogram.h"

#include <QList>
#include <QString>

#include <optional>

namespace spidi {

enum class StatsBucket { Minute, Hour, Day };

QString toString(StatsBucket bucket); // MINUTE | HOUR | DAY
std::optional<StatsBucket> statsBucketFromString(const QString &text);
qint64 bucketLengthMs(StatsBucket bucket);
// Start of the UTC bucket holding `ms` (minutes, hours and days all start on UTC boundaries).
qint64 bucketStart(StatsBucket bucket, qint64 ms);

// What one server instance counted in one room and minute (dat_spd_room_stats_part).
struct StatsPart
{
    QString roomId;
    QString tenantId;
    qint64 minuteMs = 0;
    QString instanceId;
    qint64 heartbeats = 0;
    qint64 latencySamples = 0;
    double latencySumMs = 0.0;
    stats::LatencyHistogram latencyHist;
};

// One row of dat_spd_room_stats.
struct RoomStatsRow
{
    QString roomId;
    QString tenantId;
    StatsBucket bucket = StatsBucket::Minute;
    qint64 tsMs = 0; // start of the bucket
    double onlineAvg = 0.0;
    int onlinePeak = 0;
    int usersPeak = 0;
    std::optional<double> latencyAvgMs; // none without samples
    std::optional<double> latencyP95Ms;
    qint64 latencySamples = 0;
    stats::LatencyHistogram latencyHist;
    int sessionsStarted = 0;
    int sessionsEnded = 0;
    qint64 heartbeats = 0;
};

// The part of a dat_spd_session row that statistics need.
struct SessionSpan
{
    QString roomId;
    QString tenantId;
    QString userId;
    qint64 startMs = 0;
    qint64 endMs = 0; // 0 while open
};

// dat_spd_room_stats and dat_spd_room_stats_part. The writes and the consolidation reads are
// system work across tenants (row-level-security bypass on PostgreSQL, docs/schema.md); the
// *ForTenant reads are tenant-scoped and serve the REST API.
class RoomStatsRepository
{
public:
    explicit RoomStatsRepository(const Database &database);

    // Rewrites each instance's row of (room, minute, instance) with the absolute values given.
    Status upsertParts(const QList<StatsPart> &parts);
    // Parts with fromMs <= ts_minute < toMs.
    Result<QList<StatsPart>> partsBetween(qint64 fromMs, qint64 toMs) const;
    // Sessions whose [started_at, ended_at or open) overlaps [fromMs, toMs) or that ended in it.
    Result<QList<SessionSpan>> sessionsOverlapping(qint64 fromMs, qint64 toMs) const;

    // One transaction: deletes the `bucket` rows with fromMs <= ts_bucket < toMs, then upserts
    // `rows` (which must be of that bucket and range). Recomputing a range is idempotent and
    // drops rows that no longer have anything in them.
    Status replaceRows(StatsBucket bucket, qint64 fromMs, qint64 toMs,
                       const QList<RoomStatsRow> &rows);
    // Every tenant's rows of `bucket` with fromMs <= ts_bucket < toMs.
    Result<QList<RoomStatsRow>> rowsBetween(StatsBucket bucket, qint64 fromMs, qint64 toMs) const;
    // The earliest sign of activity at or after sinceMs: the start of the oldest session not
    // ended before it (clamped to sinceMs) or the oldest part; 0 when there is none.
    Result<qint64> earliestActivity(qint64 sinceMs) const;
    // Start of the most recent row of `bucket`, 0 when there is none.
    Result<qint64> latestBucket(StatsBucket bucket) const;
    // Retention: deletes rows of `bucket` with ts_bucket < cutoffMs; returns how many.
    Result<int> deleteRowsBefore(StatsBucket bucket, qint64 cutoffMs);
    Result<int> deletePartsBefore(qint64 cutoffMs);

    // Tenant-scoped reads, oldest first. An empty roomId means every room of the tenant.
    Result<QList<RoomStatsRow>> rowsForTenant(const QString &tenantId, const QString &roomId,
                                              StatsBucket bucket, qint64 fromMs, qint64 toMs) const;

private:
    Result<QList<RoomStatsRow>> selectRows(const QString &tenantId, const QString &condition,
                                           const QVariantList &binds, const QString &what) const;
    Result<int> deleteWhere(const QString &table, const QString &condition,
                            const QVariantList &binds, const QString &what);

    Database m_db;
};

} // namespace spidi
