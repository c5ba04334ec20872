#pragma once

#include "core/result.h"
#include "model/session.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace spidi::cluster {

// What instances of one service tell each other over the Redis channel (docs/deployment.md).
// One JSON object per message; every message names its sender, so a message is also a sign of
// life (peers that fall silent are presumed dead).
enum class MessageType {
    Beacon,      // nothing else to say; sent at least once a second
    Started,     // sessions[0] began on the sender
    Resumed,     // sessions[0] is now held by the sender (its device resumed there)
    Heartbeats,  // a batch of heartbeat updates for sessions the sender holds
    Ended,       // sessions[0] ended; the sender wrote it to history
    Snapshot,    // every session the sender holds (after a reconnect or on request)
    SyncRequest, // "send me your snapshot"
    RoomChanged, // a room was created, edited or removed through the sender's REST API
    Kick,        // the instance `target` should kick `sessionId` (admin request elsewhere)
    Alerts,      // alert news (an ALERT to publish, rules changed): `payload`, see AlertService
};

struct HeartbeatUpdate
{
    QString sessionId;
    qint64 lastHeartbeatAtMs = 0;
    int latencyMs = -1;
    qint64 heartbeatCount = 0;
    qint64 latencySamples = 0;
    double latencySumMs = 0.0;
};

struct Message
{
    MessageType type = MessageType::Beacon;
    QString from; // sender's instance id
    QList<SessionRecord> sessions;
    QList<HeartbeatUpdate> heartbeats;
    QString roomId;       // RoomChanged
    bool removed = false; // RoomChanged
    QString target;       // Kick
    QString tenantId;     // Kick
    QString sessionId;    // Kick
    QJsonObject payload;  // Alerts
};

QByteArray encode(const Message &message);
// Fails with ErrorKind::Invalid (and why) on anything that is not a well-formed message.
Result<Message> decode(const QByteArray &payload);

QString toString(MessageType type);

} // namespace spidi::cluster
