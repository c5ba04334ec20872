#pragma once

#include "db/database.h"
#include "presence/presence_engine.h"
#include "stats/room_stats_repository.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <map>
#include <optional>

namespace spidi {

class Clock;

// Counts, on every instance, the heartbeats it received itself (EventOrigin::Local) and the
// latency samples they reported, per room and UTC minute, and writes them every few seconds
// (and on flush()) to dat_spd_room_stats_part as this instance's absolute totals: a retried
// write rewrites the same values, and a restarted process (new instance id) adds its own row.
// A failed write keeps everything in memory for the next flush; a minute is forgotten once it
// has been written after it closed.
class HeartbeatStatsRecorder : public QObject
{
    Q_OBJECT
public:
    HeartbeatStatsRecorder(PresenceEngine &engine, const Database &database, const Clock &clock,
                           QString instanceId, QObject *parent = nullptr);

    // Flushes every `intervalMs` until stop().
    void start(int intervalMs = 10'000);
    void stop();

    // Writes every minute changed since its last write; false when the database refused
    // (everything stays queued).
    bool flush();

    // One heartbeat in `roomId` at `atMs`, with a new latency sample or not. The engine's
    // signals call it; public for tests.
    void record(const QString &roomId, const QString &tenantId, qint64 atMs,
                std::optional<double> latencyMs);

    // Minutes held in memory (written or not) and how many have changes not yet written.
    int heldMinutes() const { return int(m_cells.size()); }
    int dirtyMinutes() const;

private:
    struct Cell
    {
        StatsPart part;
        bool dirty = false;
    };

    void onHeartbeat(const SessionRecord &session, EventOrigin origin);

    Database m_db;
    const Clock &m_clock;
    QString m_instanceId;
    std::map<std::pair<QString, qint64>, Cell> m_cells; // (room, minute)
    QHash<QString, qint64> m_samplesSeen;               // session -> latencySamples seen
    QTimer m_timer;
};

} // namespace spidi
