#pragma once

#include <QString>

#include <optional>

namespace spidi {

enum class SessionEndReason { Left, Expired, Disconnected, Kicked, Ttl };

QString toString(SessionEndReason reason);
std::optional<SessionEndReason> sessionEndReasonFromString(const QString &text);

// One device's presence in one room. Times are milliseconds since the Unix epoch (UTC).
struct SessionRecord
{
    QString id; // UUID, no braces
    QString tenantId;
    QString roomId;
    QString roomCode;
    QString userId;
    QString clientId;
    QString device;
    QString os;
    QString appVersion;
    QString ip;
    // The server instance that holds the device's socket and writes this session (SPEC 9);
    // empty on a single instance without a cluster.
    QString instanceId;
    qint64 connectedAtMs = 0;
    qint64 lastHeartbeatAtMs = 0;
    int latencyMs = -1; // last reported round trip; -1 until the client reports one
    qint64 heartbeatCount = 0;
    qint64 latencySamples = 0;
    double latencySumMs = 0.0;
    // Set once the session has ended.
    qint64 endedAtMs = 0;
    std::optional<SessionEndReason> endReason;

    double averageLatencyMs() const
    {
        return latencySamples > 0 ? latencySumMs / double(latencySamples) : -1.0;
    }
};

} // namespace spidi
