#include "room_presence.h"

#include "model/session.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace spidi {

void RoomPresence::add(const SessionRecord &session)
{
    if (m_sessionIds.contains(session.id))
        return;
    m_sessionIds.insert(session.id);
    ++m_userSessions[session.userId];
    m_peak = std::max(m_peak, online());
}

void RoomPresence::remove(const SessionRecord &session)
{
    if (!m_sessionIds.remove(session.id))
        return;
    auto it = m_userSessions.find(session.userId);
    if (it != m_userSessions.end() && --it.value() <= 0)
        m_userSessions.erase(it);
}

double percentile(QList<int> &values, double fraction)
{
    if (values.isEmpty())
        return 0.0;
    const auto rank = qsizetype(std::ceil(fraction * double(values.size())));
    const qsizetype index = std::clamp<qsizetype>(rank - 1, 0, values.size() - 1);
    std::nth_element(values.begin(), values.begin() + index, values.end());
    return values[index];
}

RoomMetrics RoomPresence::computeMetrics(qint64 nowMs, QList<int> &latencies) const
{
    RoomMetrics m;
    m.roomId = m_room.id;
    m.roomCode = m_room.code;
    m.status = toString(m_room.status);
    m.online = online();
    m.users = users();
    m.peak = m_peak;
    m.capacity = m_room.capacity;
    m.capacityPct = m_room.capacity > 0 ? 100.0 * m.online / m_room.capacity : 0.0;
    if (!latencies.isEmpty()) {
        const double sum = std::accumulate(latencies.cbegin(), latencies.cend(), 0.0);
        m.avgLatencyMs = sum / double(latencies.size());
        m.p95LatencyMs = percentile(latencies, 0.95);
    }
    m.ts = nowMs;
    return m;
}

} // namespace spidi
