#pragma once

#include "protocol/json_codec.h"
#include "protocol/messages.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <variant>

// The device side of the JSON framing (docs/protocol.md): the shared codec in common/protocol
// decodes client messages and encodes server messages for the server; this is the mirror image,
// built on the same message structs so that both ends agree on field names and limits.
namespace spidi::client {

QByteArray encodeHello(qint64 seq, const protocol::Hello &hello);
QByteArray encodeHeartbeat(qint64 seq, const protocol::Heartbeat &heartbeat);
QByteArray encodeLeave(qint64 seq, const protocol::Leave &leave);

// ACK of a HELLO: carries the session and the server's timing rules.
struct HelloAckMessage
{
    std::optional<qint64> ref;
    protocol::HelloAck ack;
};

// ACK of a LEAVE: only the session id.
struct LeaveAckMessage
{
    std::optional<qint64> ref;
    QString sessionId;
};

struct HeartbeatAckMessage
{
    std::optional<qint64> ref;
    QString sessionId;
    qint64 serverTimeMs = 0;
};

struct ErrorMessage
{
    std::optional<qint64> ref;
    QString code; // ROOM_NOT_FOUND, SESSION_NOT_FOUND, ...
    QString message;
};

struct SessionEndedMessage
{
    QString sessionId;
    QString roomCode;
    QString reason; // EXPIRED, TTL, KICKED, ...
};

// Messages a device does not act on (metrics, rosters of a subscription it does not hold).
struct OtherMessage
{
    QString type;
};

using ServerMessage = std::variant<HelloAckMessage, LeaveAckMessage, HeartbeatAckMessage,
                                   ErrorMessage, SessionEndedMessage, OtherMessage>;

// A frame that is not a JSON object with a string "type", or a known type without the fields
// the device needs.
struct MalformedMessage
{
    QString reason;
};

std::variant<ServerMessage, MalformedMessage> decodeServerMessage(QByteArrayView utf8Json);

} // namespace spidi::client
