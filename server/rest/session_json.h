#pragma once

#include "model/session.h"

#include <QJsonObject>
#include <QString>

namespace spidi::rest {

// ISO-8601 UTC with milliseconds ("2026-11-23T10:00:00.000Z"); 0 → null in JSON.
QString isoTimeMs(qint64 msSinceEpoch);

// A session as REST shows it: {sessionId, roomId, roomCode, userId, clientId, device, os,
// appVersion, ip, latencyMs, avgLatencyMs, heartbeatCount, connectedAt, lastHeartbeatAt,
// endedAt, endReason, live}.
QJsonObject sessionToJson(const SessionRecord &session, bool live);

} // namespace spidi::rest
