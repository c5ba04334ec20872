#pragma once

#include "model/room.h"
#include "model/room_metrics.h"
#include "model/session.h"

#include <QHash>
#include <QSet>

namespace spidi {

// The live side of one room: which sessions are in it and the figures derived from them.
// Distinct-user counts are kept incrementally; latency percentiles are computed on demand
// (at most a few times a second per room, when a broadcast is due).
class RoomPresence
{
public:
    explicit RoomPresence(Room room) : m_room(std::move(room)) {}

    const Room &room() const { return m_room; }
    void setRoom(Room room) { m_room = std::move(room); }

    void add(const SessionRecord &session);
    void remove(const SessionRecord &session);
    const QSet<QString> &sessionIds() const { return m_sessionIds; }
    int online() const { return int(m_sessionIds.size()); }
    int users() const { return int(m_userSessions.size()); }
    int peak() const { return m_peak; }
    void restorePeak(int peak) { m_peak = std::max(m_peak, peak); }
    bool isFull() const { return online() >= m_room.capacity; }

    // `sessions` resolves ids to records (owned by the engine).
    template <typename Lookup>
    RoomMetrics metrics(qint64 nowMs, Lookup &&sessions) const
    {
        QList<int> latencies;
        latencies.reserve(m_sessionIds.size());
        for (const QString &id : m_sessionIds) {
            if (const SessionRecord *s = sessions(id); s && s->latencyMs >= 0)
                latencies.append(s->latencyMs);
        }
        return computeMetrics(nowMs, latencies);
    }

private:
    RoomMetrics computeMetrics(qint64 nowMs, QList<int> &latencies) const;

    Room m_room;
    QSet<QString> m_sessionIds;
    QHash<QString, int> m_userSessions; // userId -> sessions of that user here
    int m_peak = 0;
};

// p95 by the nearest-rank method: the smallest value with at least 95% of samples at or below.
double percentile(QList<int> &values, double fraction);

} // namespace spidi
