#include "stats/heartbeat_stats_recorder.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "presence/clock.h"

namespace spidi {

HeartbeatStatsRecorder::HeartbeatStatsRecorder(PresenceEngine &engine, const Database &database,
                                               const Clock &clock, QString instanceId,
                                               QObject *parent)
    : QObject(parent), m_db(database), m_clock(clock), m_instanceId(std::move(instanceId))
{
    // The last latency sample count of every session known, so that a heartbeat without a new
    // latency report is not taken as a sample.
    const auto seen = [this](const SessionRecord &session) {
        m_samplesSeen.insert(session.id, session.latencySamples);
    };
    connect(&engine, &PresenceEngine::sessionStarted, this,
            [seen](const SessionRecord &session, EventOrigin) { seen(session); });
    connect(&engine, &PresenceEngine::sessionResumed, this,
            [seen](const SessionRecord &session, EventOrigin) { seen(session); });
    connect(&engine, &PresenceEngine::sessionHeartbeat, this, &HeartbeatStatsRecorder::onHeartbeat);
    connect(&engine, &PresenceEngine::sessionEnded, this,
            [this](const SessionRecord &session, ConnectionId, EventOrigin) {
                m_samplesSeen.remove(session.id);
            });
    connect(&m_timer, &QTimer::timeout, this, [this] { flush(); });
}

void HeartbeatStatsRecorder::start(int intervalMs)
{
    m_timer.start(intervalMs);
}

void HeartbeatStatsRecorder::stop()
{
    m_timer.stop();
}

void HeartbeatStatsRecorder::onHeartbeat(const SessionRecord &session, EventOrigin origin)
{
    const auto previous = m_samplesSeen.constFind(session.id);
    // Unknown session (started before this recorder): a reported latency counts as new.
    const bool newSample = previous != m_samplesSeen.cend()
                               ? session.latencySamples > *previous
                               : session.latencySamples > 0 && session.latencyMs >= 0;
    m_samplesSeen.insert(session.id, session.latencySamples);
    // Each heartbeat is counted once, by the instance that received it.
    if (origin != EventOrigin::Local)
        return;
    const qint64 at = session.lastHeartbeatAtMs > 0 ? session.lastHeartbeatAtMs : m_clock.nowMs();
    record(session.roomId, session.tenantId, at,
           newSample ? std::optional<double>(double(session.latencyMs)) : std::nullopt);
}

void HeartbeatStatsRecorder::record(const QString &roomId, const QString &tenantId, qint64 atMs,
                                    std::optional<double> latencyMs)
{
    const qint64 minute = bucketStart(StatsBucket::Minute, atMs);
    Cell &cell = m_cells[{roomId, minute}];
    if (cell.part.roomId.isEmpty()) {
        cell.part.roomId = roomId;
        cell.part.tenantId = tenantId;
        cell.part.minuteMs = minute;
        cell.part.instanceId = m_instanceId;
    }
    ++cell.part.heartbeats;
    if (latencyMs) {
        ++cell.part.latencySamples;
        cell.part.latencySumMs += *latencyMs;
        cell.part.latencyHist.add(*latencyMs);
    }
    cell.dirty = true;
}

int HeartbeatStatsRecorder::dirtyMinutes() const
{
    int dirty = 0;
    for (const auto &[key, cell] : m_cells)
        dirty += cell.dirty ? 1 : 0;
    return dirty;
}

bool HeartbeatStatsRecorder::flush()
{
    QList<StatsPart> parts;
    for (const auto &[key, cell] : m_cells)
        if (cell.dirty)
            parts.append(cell.part);
    if (!parts.isEmpty()) {
        const Status written = RoomStatsRepository(m_db).upsertParts(parts);
        if (!written) {
            logEvent(lcStats(), QtWarningMsg, "stats.parts_flush_failed",
                     {{"rows", qint64(parts.size())}, {"error", written.error().message}});
            return false;
        }
        for (auto &[key, cell] : m_cells)
            cell.dirty = false;
    }
    // A minute closed for a while (no heartbeat can still land in it) and written is done.
    const qint64 now = m_clock.nowMs();
    const qint64 minuteLength = bucketLengthMs(StatsBucket::Minute);
    for (auto it = m_cells.begin(); it != m_cells.end();) {
        if (!it->second.dirty && it->first.second + 2 * minuteLength <= now)
            it = m_cells.erase(it);
        else
            ++it;
    }
    return true;
}

} // namespace spidi
