#include "client_codec.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

namespace spidi::client {

namespace {

const QLatin1String kType("type");
const QLatin1String kSeq("seq");
const QLatin1String kRef("ref");
const QLatin1String kSessionId("sessionId");

QByteArray serialize(const QJsonObject &obj)
{
    return QJsonDocument(obj).toJson(QJsonDocument::Compact);
}

QJsonObject request(const char *type, qint64 seq)
{
    // seq travels as a JSON number; the server accepts integers up to 2^53.
    return {{kType, QLatin1String(type)}, {kSeq, double(seq)}};
}

void insertIfSet(QJsonObject &obj, QLatin1String key, const QString &value)
{
    if (!value.isEmpty())
        obj.insert(key, value);
}

std::optional<qint64> readRef(const QJsonObject &obj)
{
    const QJsonValue v = obj.value(kRef);
    if (!v.isDouble())
        return std::nullopt;
    return qint64(v.toDouble());
}

} // namespace

QByteArray encodeHello(qint64 seq, const protocol::Hello &hello)
{
    QJsonObject obj = request("HELLO", seq);
    obj.insert(QLatin1String("roomCode"), hello.roomCode);
    obj.insert(QLatin1String("clientId"), hello.clientId);
    obj.insert(QLatin1String("appVersion"), hello.appVersion);
    insertIfSet(obj, QLatin1String("device"), hello.device);
    insertIfSet(obj, QLatin1String("os"), hello.os);
    insertIfSet(obj, QLatin1String("resumeSessionId"), hello.resumeSessionId);
    return serialize(obj);
}

QByteArray encodeHeartbeat(qint64 seq, const protocol::Heartbeat &heartbeat)
{
    QJsonObject obj = request("HEARTBEAT", seq);
    obj.insert(kSessionId, heartbeat.sessionId);
    if (heartbeat.latencyMs)
        obj.insert(QLatin1String("latencyMs"), *heartbeat.latencyMs);
    return serialize(obj);
}

QByteArray encodeLeave(qint64 seq, const protocol::Leave &leave)
{
    QJsonObject obj = request("LEAVE", seq);
    obj.insert(kSessionId, leave.sessionId);
    return serialize(obj);
}

std::variant<ServerMessage, MalformedMessage> decodeServerMessage(QByteArrayView utf8Json)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(utf8Json.data(), utf8Json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return MalformedMessage{QStringLiteral("invalid JSON: %1").arg(parseError.errorString())};
    if (!doc.isObject())
        return MalformedMessage{QStringLiteral("not a JSON object")};
    const QJsonObject obj = doc.object();
    const QJsonValue typeValue = obj.value(kType);
    if (!typeValue.isString())
        return MalformedMessage{QStringLiteral("no string field 'type'")};
    const QString type = typeValue.toString();
    const QString sessionId = obj.value(kSessionId).toString();

    if (type == QLatin1String("ACK")) {
        if (sessionId.isEmpty())
            return MalformedMessage{QStringLiteral("ACK without 'sessionId'")};
        // A HELLO's ACK names the room; a LEAVE's ACK carries only the session.
        if (!obj.contains(QLatin1String("roomId")))
            return ServerMessage{LeaveAckMessage{readRef(obj), sessionId}};
        protocol::HelloAck ack;
        ack.sessionId = sessionId;
        ack.roomId = obj.value(QLatin1String("roomId")).toString();
        ack.roomCode = obj.value(QLatin1String("roomCode")).toString();
        ack.heartbeatIntervalSec =
            obj.value(QLatin1String("heartbeatIntervalSec")).toInt(ack.heartbeatIntervalSec);
        ack.timeoutSec = obj.value(QLatin1String("timeoutSec")).toInt(ack.timeoutSec);
        ack.serverTimeMs = qint64(obj.value(QLatin1String("serverTime")).toDouble());
        ack.resumed = obj.value(QLatin1String("resumed")).toBool();
        if (ack.heartbeatIntervalSec <= 0 || ack.timeoutSec <= 0)
            return MalformedMessage{QStringLiteral("ACK with a non-positive heartbeat interval "
                                                   "or timeout")};
        return ServerMessage{HelloAckMessage{readRef(obj), ack}};
    }
    if (type == QLatin1String("HEARTBEAT_ACK"))
        return ServerMessage{HeartbeatAckMessage{
            readRef(obj), sessionId, qint64(obj.value(QLatin1String("serverTime")).toDouble())}};
    if (type == QLatin1String("ERROR")) {
        const QString code = obj.value(QLatin1String("code")).toString();
        if (code.isEmpty())
            return MalformedMessage{QStringLiteral("ERROR without 'code'")};
        return ServerMessage{
            ErrorMessage{readRef(obj), code, obj.value(QLatin1String("message")).toString()}};
    }
    if (type == QLatin1String("SESSION_ENDED")) {
        if (sessionId.isEmpty())
            return MalformedMessage{QStringLiteral("SESSION_ENDED without 'sessionId'")};
        return ServerMessage{SessionEndedMessage{sessionId,
                                                 obj.value(QLatin1String("roomCode")).toString(),
                                                 obj.value(QLatin1String("reason")).toString()}};
    }
    return ServerMessage{OtherMessage{type}};
}

} // namespace spidi::client
