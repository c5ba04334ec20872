#include "cluster/cluster_messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace spidi::cluster {

namespace {

constexpr int kVersion = 1;

struct TypeName
{
    MessageType type;
    QLatin1String name;
};

const TypeName kTypes[] = {
    {MessageType::Beacon, QLatin1String("beacon")},
    {MessageType::Started, QLatin1String("started")},
    {MessageType::Resumed, QLatin1String("resumed")},
    {MessageType::Heartbeats, QLatin1String("heartbeats")},
    {MessageType::Ended, QLatin1String("ended")},
    {MessageType::Snapshot, QLatin1String("snapshot")},
    {MessageType::SyncRequest, QLatin1String("sync")},
    {MessageType::RoomChanged, QLatin1String("room")},
    {MessageType::Kick, QLatin1String("kick")},
    {MessageType::Alerts, QLatin1String("alerts")},
};

std::optional<MessageType> typeFromString(const QString &text)
{
    for (const TypeName &t : kTypes)
        if (text == t.name)
            return t.type;
    return std::nullopt;
}

// Millisecond times and counters exceed 2^31 but stay far below 2^53: exact as JSON doubles.
QJsonObject sessionToJson(const SessionRecord &s)
{
    QJsonObject o{{QLatin1String("id"), s.id},
                  {QLatin1String("tenantId"), s.tenantId},
                  {QLatin1String("roomId"), s.roomId},
                  {QLatin1String("roomCode"), s.roomCode},
                  {QLatin1String("userId"), s.userId},
                  {QLatin1String("clientId"), s.clientId},
                  {QLatin1String("device"), s.device},
                  {QLatin1String("os"), s.os},
                  {QLatin1String("appVersion"), s.appVersion},
                  {QLatin1String("ip"), s.ip},
                  {QLatin1String("instanceId"), s.instanceId},
                  {QLatin1String("connectedAtMs"), double(s.connectedAtMs)},
                  {QLatin1String("lastHeartbeatAtMs"), double(s.lastHeartbeatAtMs)},
                  {QLatin1String("latencyMs"), s.latencyMs},
                  {QLatin1String("heartbeatCount"), double(s.heartbeatCount)},
                  {QLatin1String("latencySamples"), double(s.latencySamples)},
                  {QLatin1String("latencySumMs"), s.latencySumMs},
                  {QLatin1String("endedAtMs"), double(s.endedAtMs)}};
    if (s.endReason)
        o.insert(QLatin1String("endReason"), toString(*s.endReason));
    return o;
}

std::optional<SessionRecord> sessionFromJson(const QJsonObject &o)
{
    SessionRecord s;
    const auto text = [&o](const char *name) { return o.value(QLatin1String(name)).toString(); };
    const auto integer = [&o](const char *name) {
        return qint64(o.value(QLatin1String(name)).toDouble());
    };
    s.id = text("id");
    s.tenantId = text("tenantId");
    s.roomId = text("roomId");
    s.roomCode = text("roomCode");
    s.userId = text("userId");
    s.clientId = text("clientId");
    s.device = text("device");
    s.os = text("os");
    s.appVersion = text("appVersion");
    s.ip = text("ip");
    s.instanceId = text("instanceId");
    s.connectedAtMs = integer("connectedAtMs");
    s.lastHeartbeatAtMs = integer("lastHeartbeatAtMs");
    s.latencyMs = o.value(QLatin1String("latencyMs")).toInt(-1);
    s.heartbeatCount = integer("heartbeatCount");
    s.latencySamples = integer("latencySamples");
    s.latencySumMs = o.value(QLatin1String("latencySumMs")).toDouble();
    s.endedAtMs = integer("endedAtMs");
    if (o.contains(QLatin1String("endReason"))) {
        s.endReason = sessionEndReasonFromString(text("endReason"));
        if (!s.endReason)
            return std::nullopt;
    }
    if (s.id.isEmpty() || s.tenantId.isEmpty() || s.roomId.isEmpty() || s.instanceId.isEmpty())
        return std::nullopt;
    return s;
}

Error invalid(const QString &why)
{
    return makeError(ErrorKind::Invalid, QStringLiteral("cluster message: %1").arg(why));
}

} // namespace

QString toString(MessageType type)
{
    for (const TypeName &t : kTypes)
        if (t.type == type)
            return t.name;
    return QStringLiteral("unknown");
}

QByteArray encode(const Message &message)
{
    QJsonObject o{{QLatin1String("v"), kVersion},
                  {QLatin1String("type"), toString(message.type)},
                  {QLatin1String("from"), message.from}};
    if (!message.sessions.isEmpty()) {
        QJsonArray sessions;
        for (const SessionRecord &s : message.sessions)
            sessions.append(sessionToJson(s));
        o.insert(QLatin1String("sessions"), sessions);
    }
    if (!message.heartbeats.isEmpty()) {
        // Positional arrays: a batch can hold thousands of entries every 250 ms.
        QJsonArray heartbeats;
        for (const HeartbeatUpdate &h : message.heartbeats)
            heartbeats.append(QJsonArray{h.sessionId, double(h.lastHeartbeatAtMs), h.latencyMs,
                                         double(h.heartbeatCount), double(h.latencySamples),
                                         h.latencySumMs});
        o.insert(QLatin1String("heartbeats"), heartbeats);
    }
    if (message.type == MessageType::RoomChanged) {
        o.insert(QLatin1String("roomId"), message.roomId);
        o.insert(QLatin1String("removed"), message.removed);
    }
    if (message.type == MessageType::Kick) {
        o.insert(QLatin1String("target"), message.target);
        o.insert(QLatin1String("tenantId"), message.tenantId);
        o.insert(QLatin1String("sessionId"), message.sessionId);
    }
    if (message.type == MessageType::Alerts)
        o.insert(QLatin1String("payload"), message.payload);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<Message> decode(const QByteArray &payload)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("invalid JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return invalid(QStringLiteral("not a JSON object"));
    const QJsonObject o = document.object();
    if (o.value(QLatin1String("v")).toInt() != kVersion)
        return invalid(QStringLiteral("unsupported version %1")
                           .arg(o.value(QLatin1String("v")).toVariant().toString()));
    Message message;
    const auto type = typeFromString(o.value(QLatin1String("type")).toString());
    if (!type)
        return invalid(
            QStringLiteral("unknown type '%1'").arg(o.value(QLatin1String("type")).toString()));
    message.type = *type;
    message.from = o.value(QLatin1String("from")).toString();
    if (message.from.isEmpty())
        return invalid(QStringLiteral("no sender"));

    const QJsonArray sessions = o.value(QLatin1String("sessions")).toArray();
    for (const QJsonValue &value : sessions) {
        auto session = sessionFromJson(value.toObject());
        if (!session)
            return invalid(
                QStringLiteral("malformed session in a %1 message").arg(toString(*type)));
        message.sessions.append(*session);
    }
    const bool needsOne = message.type == MessageType::Started ||
                          message.type == MessageType::Resumed ||
                          message.type == MessageType::Ended;
    if (needsOne && message.sessions.size() != 1)
        return invalid(
            QStringLiteral("a %1 message carries exactly one session").arg(toString(*type)));
    if (message.type == MessageType::Ended && !message.sessions.constFirst().endReason)
        return invalid(QStringLiteral("an ended session needs its end reason"));

    const QJsonArray heartbeats = o.value(QLatin1String("heartbeats")).toArray();
    message.heartbeats.reserve(heartbeats.size());
    for (const QJsonValue &value : heartbeats) {
        const QJsonArray h = value.toArray();
        if (h.size() != 6 || !h.at(0).isString() || h.at(0).toString().isEmpty())
            return invalid(QStringLiteral("malformed heartbeat entry"));
        message.heartbeats.append(HeartbeatUpdate{h.at(0).toString(), qint64(h.at(1).toDouble()),
                                                  h.at(2).toInt(-1), qint64(h.at(3).toDouble()),
                                                  qint64(h.at(4).toDouble()), h.at(5).toDouble()});
    }

    if (message.type == MessageType::RoomChanged) {
        message.roomId = o.value(QLatin1String("roomId")).toString();
        message.removed = o.value(QLatin1String("removed")).toBool();
        if (message.roomId.isEmpty())
            return invalid(QStringLiteral("a room message needs a roomId"));
    }
    if (message.type == MessageType::Kick) {
        message.target = o.value(QLatin1String("target")).toString();
        message.tenantId = o.value(QLatin1String("tenantId")).toString();
        message.sessionId = o.value(QLatin1String("sessionId")).toString();
        if (message.target.isEmpty() || message.tenantId.isEmpty() || message.sessionId.isEmpty())
            return invalid(QStringLiteral("a kick needs target, tenantId and sessionId"));
    }
    if (message.type == MessageType::Alerts) {
        message.payload = o.value(QLatin1String("payload")).toObject();
        if (message.payload.value(QLatin1String("kind")).toString().isEmpty())
            return invalid(QStringLiteral("an alerts message needs a payload with a kind"));
    }
    return message;
}

} // namespace spidi::cluster
