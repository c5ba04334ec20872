#pragma once

#include <QString>

namespace spidi {

// Live figures of one room, as broadcast in ROOM_METRICS (SPEC section 4.1).
struct RoomMetrics
{
    QString roomId;
    QString roomCode;
    QString status; // ACTIVE | MAINTENANCE | CLOSED
    int online = 0; // live sessions
    int users = 0;  // distinct users among them
    int peak = 0;   // highest `online` since the server started serving the room
    int capacity = 0;
    double capacityPct = 0.0; // 0..100 (can exceed 100 only if capacity was lowered)
    double avgLatencyMs = 0.0;
    double p95LatencyMs = 0.0;
    qint64 ts = 0; // ms since epoch

    bool sameFigures(const RoomMetrics &o) const
    {
        return online == o.online && users == o.users && peak == o.peak && capacity == o.capacity &&
               status == o.status && avgLatencyMs == o.avgLatencyMs &&
               p95LatencyMs == o.p95LatencyMs;
    }
};

} // namespace spidi
