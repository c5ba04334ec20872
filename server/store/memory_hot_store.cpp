#include "memory_hot_store.h"

namespace spidi {

void MemoryHotStore::putSession(const SessionRecord &session)
{
    m_sessions.insert(session.id, session);
}

void MemoryHotStore::touchSession(const SessionRecord &session)
{
    auto it = m_sessions.find(session.id);
    if (it == m_sessions.end())
        return;
    it->lastHeartbeatAtMs = session.lastHeartbeatAtMs;
    it->latencyMs = session.latencyMs;
    it->heartbeatCount = session.heartbeatCount;
    it->latencySamples = session.latencySamples;
    it->latencySumMs = session.latencySumMs;
}

void MemoryHotStore::removeSession(const SessionRecord &session)
{
    m_sessions.remove(session.id);
}

void MemoryHotStore::forgetSession(const QString &sessionId)
{
    m_sessions.remove(sessionId);
}

void MemoryHotStore::setRoomPeak(const QString &roomId, int peak)
{
    m_peaks.insert(roomId, peak);
}

void MemoryHotStore::loadSessions(SessionsCallback done)
{
    done(QList<SessionRecord>(m_sessions.cbegin(), m_sessions.cend()));
}

HotStore::Health MemoryHotStore::health() const
{
    return Health{true, QStringLiteral("memory"), {}, 0};
}

} // namespace spidi
