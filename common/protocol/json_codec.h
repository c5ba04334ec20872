#pragma once

#include "messages.h"
#include "model/room_metrics.h"
#include "model/session.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>

#include <variant>

// JSON framing of SPEC section 4.1: one JSON object per text frame. Decoding is strict
// (types, lengths, required fields) so that every bad frame gets a precise BAD_REQUEST.
namespace spidi::protocol {

using DecodeResult = std::variant<ClientMessage, DecodeError>;

DecodeResult decodeClientMessage(QByteArrayView utf8Json);
// The same checks on an already parsed object (the STOMP framing's SEND bodies).
DecodeResult decodeClientObject(const QJsonObject &message);

struct RosterUpdate
{
    QString sessionId;
    int latencyMs = -1;
    qint64 lastHeartbeatAtMs = 0;
};

// Changes to a roster since the previous diff or snapshot. Applying a diff is idempotent:
// a join of a known session replaces it, a leave of an unknown one is ignored.
struct RosterDiff
{
    QString roomId;
    QString roomCode;
    QList<SessionRecord> joins;
    QList<QString> leaves;
    QList<RosterUpdate> updates;

    bool isEmpty() const { return joins.isEmpty() && leaves.isEmpty() && updates.isEmpty(); }
};

struct HelloAck
{
    QString sessionId;
    QString roomId;
    QString roomCode;
    int heartbeatIntervalSec = 15;
    int timeoutSec = 45;
    qint64 serverTimeMs = 0;
    bool resumed = false;
};

QByteArray encodeHelloAck(const std::optional<qint64> &ref, const HelloAck &ack);
QByteArray encodeLeaveAck(const std::optional<qint64> &ref, const QString &sessionId);
QByteArray encodeHeartbeatAck(const std::optional<qint64> &ref, const QString &sessionId,
                              qint64 serverTimeMs);
QByteArray encodeError(const std::optional<qint64> &ref, ErrorCode code, const QString &message);
QByteArray encodeSubscribed(const std::optional<qint64> &ref, const Topic &topic);
QByteArray encodeUnsubscribed(const std::optional<qint64> &ref, const Topic &topic);
QByteArray encodeRoomMetrics(const RoomMetrics &metrics);
// Snapshot: sessions grouped by user (users sorted by id, sessions by connection time).
QByteArray encodeRoomRoster(const QString &roomId, const QString &roomCode,
                            const QList<SessionRecord> &sessions, qint64 ts);
QByteArray encodeRosterDiff(const RosterDiff &diff, qint64 ts);
// A room deleted: its subscribers (rooms, room/CODE/...) drop it.
QByteArray encodeRoomRemoved(const QString &roomId, const QString &roomCode, qint64 ts);
// A session ended by the server (kick, TTL, expiry) tells its own socket why.
QByteArray encodeSessionEnded(const QString &sessionId, const QString &roomCode,
                              SessionEndReason reason);

QJsonObject sessionToJson(const SessionRecord &session);
QJsonObject metricsToJson(const RoomMetrics &metrics);

} // namespace spidi::protocol
