#pragma once

#include "core/result.h"
#include "db/database.h"
#include "stats/room_stats_repository.h"

#include <QList>
#include <QString>

namespace spidi {

class Clock;

// The pure part of the consolidation (docs/schema.md, "Statistics"), callable with a scripted
// history and a fixed clock.
namespace stats {

// MINUTE rows of every room for the minutes in [fromMs, toMs) (minute-aligned). Presence
// (online avg/peak, users peak, sessions started/ended) comes from `sessions`, open ones live
// until `nowMs`; heartbeats and latency from `parts`, summed over instances. Every average is
// over the whole minute, the part after `nowMs` counting as nobody online. A minute with no
// session overlapping it, none starting or ending in it and no heartbeats has no row.
QList<RoomStatsRow> computeMinuteRows(const QList<SessionSpan> &sessions,
                                      const QList<StatsPart> &parts, qint64 fromMs, qint64 toMs,
                                      qint64 nowMs);

// HOUR rows from MINUTE rows, or DAY rows from HOUR rows: one row per room and `target` bucket
// that has any finer row. online avg = sum of the finer averages / finer buckets per bucket
// (60 or 24: a missing row means nobody online), peaks = max, counts = sum, latency from the
// merged histograms and the summed samples.
QList<RoomStatsRow> rollUp(const QList<RoomStatsRow> &finer, StatsBucket target);

} // namespace stats

struct StatsSettings
{
    int historyFlushIntervalSec = 30; // the write-behind interval that history may lag by
    qint64 retentionMinuteSec = 7 * 86400;
    qint64 retentionHourSec = 90 * 86400;
    qint64 retentionDaySec = 730 * 86400;
    qint64 partRetentionSec = 86400;
    qint64 maxCatchUpSec = 86400; // at most this much history per run
};

struct ConsolidationReport
{
    qint64 fromMs = 0; // the MINUTE range recomputed
    qint64 toMs = 0;
    int minutes = 0;
    int rooms = 0;
    int rows = 0; // MINUTE + HOUR + DAY rows written
    int purged = 0;
};

// The leader's periodic job: recomputes the MINUTE rows of the recent minutes from history and
// parts, rolls the hours and days they touch up, then applies the retention. Idempotent: a
// second run over the same data writes the same rows. Several bounded transactions (one per
// hour of minutes, one per roll-up bucket, one per purge).
class StatsConsolidator
{
public:
    StatsConsolidator(const Database &database, const Clock &clock, StatsSettings settings);

    Result<ConsolidationReport> runOnce();
    // The retention part of runOnce(): deletes MINUTE, HOUR and DAY rows whose bucket starts
    // before now minus their retention (a bucket starting exactly at the cutoff stays) and
    // parts older than partRetentionSec. Returns how many rows went.
    Result<int> applyRetention(qint64 nowMs);

    qint64 lagMs() const;
    qint64 lastRunMs() const { return m_lastRunMs; }
    QString lastError() const { return m_lastError; }
    // Where the next run starts (before the lag); 0 until the first run found its start.
    qint64 cursorMs() const { return m_cursorMs; }
    // Forget where this process got to (it lost the leadership: another instance goes on), so
    // that the next run starts again from the latest MINUTE row.
    void resetCursor() { m_cursorMs = 0; }

private:
    Result<ConsolidationReport> consolidate(qint64 nowMs);
    Status rollUpRange(StatsBucket target, qint64 fromMs, qint64 toMs, int &rows);

    Database m_db;
    const Clock &m_clock;
    StatsSettings m_settings;
    qint64 m_cursorMs = 0;
    qint64 m_lastRunMs = 0;
    QString m_lastError;
};

} // namespace spidi
