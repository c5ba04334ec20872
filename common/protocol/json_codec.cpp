#include "json_codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QMap>

#include <algorithm>
#include <cmath>

namespace spidi::protocol {

namespace {

DecodeError badRequest(QString message, std::optional<qint64> seq)
{
    return DecodeError{ErrorCode::BadRequest, std::move(message), seq};
}

// Reads an optional string field; returns false (and sets error) when it has the wrong type or
// is too long. Required fields must also be non-empty.
bool readString(const QJsonObject &obj, QLatin1String key, bool required, int maxLength,
                QString &out, QString &error)
{
    const QJsonValue v = obj.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (required) {
            error = QStringLiteral("missing field '%1'").arg(key);
            return false;
        }
        return true;
    }
    if (!v.isString()) {
        error = QStringLiteral("field '%1' must be a string").arg(key);
        return false;
    }
    out = v.toString();
    if (required && out.trimmed().isEmpty()) {
        error = QStringLiteral("field '%1' must not be empty").arg(key);
        return false;
    }
    if (out.size() > maxLength) {
        error = QStringLiteral("field '%1' is longer than %2 characters").arg(key).arg(maxLength);
        return false;
    }
    return true;
}

bool readTopic(const QJsonObject &obj, Topic &out, QString &error)
{
    QString text;
    if (!readString(obj, QLatin1String("topic"), true, 2 * MaxRoomCodeLength, text, error))
        return false;
    const auto topic = Topic::parse(text);
    if (!topic) {
        error = QStringLiteral("unknown topic '%1' (expected rooms, room/CODE/metrics, "
                               "room/CODE/roster or alerts)")
                    .arg(text.left(2 * MaxRoomCodeLength));
        return false;
    }
    out = *topic;
    return true;
}

QJsonValue refValue(const std::optional<qint64> &ref)
{
    return ref ? QJsonValue(double(*ref)) : QJsonValue();
}

QByteArray serialize(const QJsonObject &obj)
{
    return QJsonDocument(obj).toJson(QJsonDocument::Compact);
}

QJsonObject withRef(QJsonObject obj, const std::optional<qint64> &ref)
{
    if (ref)
        obj.insert(QLatin1String("ref"), refValue(ref));
    return obj;
}

double round1(double v)
{
    return std::round(v * 10.0) / 10.0;
}

} // namespace

DecodeResult decodeClientMessage(QByteArrayView utf8Json)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(utf8Json.data(), utf8Json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return badRequest(QStringLiteral("invalid JSON at offset %1: %2")
                              .arg(parseError.offset)
                              .arg(parseError.errorString()),
                          std::nullopt);
    if (!doc.isObject())
        return badRequest(QStringLiteral("a message must be a JSON object"), std::nullopt);
    return decodeClientObject(doc.object());
}

DecodeResult decodeClientObject(const QJsonObject &obj)
{
    std::optional<qint64> seq;
    const QJsonValue seqValue = obj.value(QLatin1String("seq"));
    if (!seqValue.isUndefined() && !seqValue.isNull()) {
        const double d = seqValue.toDouble(std::nan(""));
        // Integers only, and only those a double holds exactly (JavaScript clients).
        if (!seqValue.isDouble() || std::trunc(d) != d || std::fabs(d) > 9007199254740991.0)
            return badRequest(QStringLiteral("field 'seq' must be an integer"), std::nullopt);
        seq = qint64(d);
    }

    const QJsonValue typeValue = obj.value(QLatin1String("type"));
    if (typeValue.isUndefined() || typeValue.isNull())
        return badRequest(QStringLiteral("missing field 'type'"), seq);
    if (!typeValue.isString())
        return badRequest(QStringLiteral("field 'type' must be a string"), seq);
    const QString type = typeValue.toString();

    QString error;
    if (type == QLatin1String("HELLO")) {
        Hello h;
        if (!readString(obj, QLatin1String("roomCode"), true, MaxRoomCodeLength, h.roomCode,
                        error) ||
            !readString(obj, QLatin1String("clientId"), true, MaxIdentifierLength, h.clientId,
                        error) ||
            !readString(obj, QLatin1String("appVersion"), true, MaxAppVersionLength, h.appVersion,
                        error) ||
            !readString(obj, QLatin1String("device"), false, MaxIdentifierLength, h.device,
                        error) ||
            !readString(obj, QLatin1String("os"), false, MaxIdentifierLength, h.os, error) ||
            !readString(obj, QLatin1String("resumeSessionId"), false, MaxIdentifierLength,
                        h.resumeSessionId, error))
            return badRequest(error, seq);
        return ClientMessage{seq, std::move(h)};
    }
    if (type == QLatin1String("HEARTBEAT")) {
        Heartbeat hb;
        if (!readString(obj, QLatin1String("sessionId"), true, MaxIdentifierLength, hb.sessionId,
                        error))
            return badRequest(error, seq);
        const QJsonValue latency = obj.value(QLatin1String("latencyMs"));
        if (!latency.isUndefined() && !latency.isNull()) {
            const double d = latency.toDouble(-1.0);
            if (!latency.isDouble() || d < 0.0 || d > MaxLatencyMs)
                return badRequest(QStringLiteral("field 'latencyMs' must be a number from 0 to %1")
                                      .arg(MaxLatencyMs),
                                  seq);
            hb.latencyMs = int(std::lround(d));
        }
        return ClientMessage{seq, std::move(hb)};
    }
    if (type == QLatin1String("LEAVE")) {
        Leave l;
        if (!readString(obj, QLatin1String("sessionId"), true, MaxIdentifierLength, l.sessionId,
                        error))
            return badRequest(error, seq);
        return ClientMessage{seq, std::move(l)};
    }
    if (type == QLatin1String("SUBSCRIBE")) {
        Subscribe s;
        if (!readTopic(obj, s.topic, error))
            return badRequest(error, seq);
        return ClientMessage{seq, std::move(s)};
    }
    if (type == QLatin1String("UNSUBSCRIBE")) {
        Unsubscribe u;
        if (!readTopic(obj, u.topic, error))
            return badRequest(error, seq);
        return ClientMessage{seq, std::move(u)};
    }
    return DecodeError{ErrorCode::UnknownType,
                       QStringLiteral("unknown message type '%1'").arg(type.left(64)), seq};
}

QByteArray encodeHelloAck(const std::optional<qint64> &ref, const HelloAck &ack)
{
    QJsonObject obj{{QLatin1String("type"), QLatin1String("ACK")},
                    {QLatin1String("sessionId"), ack.sessionId},
                    {QLatin1String("roomId"), ack.roomId},
                    {QLatin1String("roomCode"), ack.roomCode},
                    {QLatin1String("heartbeatIntervalSec"), ack.heartbeatIntervalSec},
                    {QLatin1String("timeoutSec"), ack.timeoutSec},
                    {QLatin1String("serverTime"), double(ack.serverTimeMs)},
                    {QLatin1String("resumed"), ack.resumed}};
    return serialize(withRef(std::move(obj), ref));
}

QByteArray encodeLeaveAck(const std::optional<qint64> &ref, const QString &sessionId)
{
    return serialize(withRef(
        {{QLatin1String("type"), QLatin1String("ACK")}, {QLatin1String("sessionId"), sessionId}},
        ref));
}

QByteArray encodeHeartbeatAck(const std::optional<qint64> &ref, const QString &sessionId,
                              qint64 serverTimeMs)
{
    return serialize(withRef({{QLatin1String("type"), QLatin1String("HEARTBEAT_ACK")},
                              {QLatin1String("sessionId"), sessionId},
                              {QLatin1String("serverTime"), double(serverTimeMs)}},
                             ref));
}

QByteArray encodeError(const std::optional<qint64> &ref, ErrorCode code, const QString &message)
{
    return serialize(withRef({{QLatin1String("type"), QLatin1String("ERROR")},
                              {QLatin1String("code"), errorCodeName(code)},
                              {QLatin1String("message"), message}},
                             ref));
}

QByteArray encodeSubscribed(const std::optional<qint64> &ref, const Topic &topic)
{
    return serialize(withRef({{QLatin1String("type"), QLatin1String("SUBSCRIBED")},
                              {QLatin1String("topic"), topic.toString()}},
                             ref));
}

QByteArray encodeUnsubscribed(const std::optional<qint64> &ref, const Topic &topic)
{
    return serialize(withRef({{QLatin1String("type"), QLatin1String("UNSUBSCRIBED")},
                              {QLatin1String("topic"), topic.toString()}},
                             ref));
}

QJsonObject metricsToJson(const RoomMetrics &m)
{
    return {{QLatin1String("type"), QLatin1String("ROOM_METRICS")},
            {QLatin1String("roomId"), m.roomId},
            {QLatin1String("roomCode"), m.roomCode},
            {QLatin1String("status"), m.status},
            {QLatin1String("online"), m.online},
            {QLatin1String("users"), m.users},
            {QLatin1String("peak"), m.peak},
            {QLatin1String("capacity"), m.capacity},
            {QLatin1String("capacityPct"), round1(m.capacityPct)},
            {QLatin1String("avgLatencyMs"), round1(m.avgLatencyMs)},
            {QLatin1String("p95LatencyMs"), round1(m.p95LatencyMs)},
            {QLatin1String("ts"), double(m.ts)}};
}

QByteArray encodeRoomMetrics(const RoomMetrics &metrics)
{
    return serialize(metricsToJson(metrics));
}

QJsonObject sessionToJson(const SessionRecord &s)
{
    QJsonObject obj{{QLatin1String("sessionId"), s.id},
                    {QLatin1String("clientId"), s.clientId},
                    {QLatin1String("device"), s.device},
                    {QLatin1String("os"), s.os},
                    {QLatin1String("appVersion"), s.appVersion},
                    {QLatin1String("ip"), s.ip},
                    {QLatin1String("connectedAt"), double(s.connectedAtMs)},
                    {QLatin1String("lastHeartbeatAt"), double(s.lastHeartbeatAtMs)}};
    obj.insert(QLatin1String("latencyMs"),
               s.latencyMs >= 0 ? QJsonValue(s.latencyMs) : QJsonValue());
    return obj;
}

QByteArray encodeRoomRoster(const QString &roomId, const QString &roomCode,
                            const QList<SessionRecord> &sessions, qint64 ts)
{
    QMap<QString, QList<const SessionRecord *>> byUser;
    for (const SessionRecord &s : sessions)
        byUser[s.userId].append(&s);
    QJsonArray users;
    for (auto it = byUser.begin(); it != byUser.end(); ++it) {
        auto list = it.value();
        std::sort(list.begin(), list.end(), [](const SessionRecord *a, const SessionRecord *b) {
            return a->connectedAtMs != b->connectedAtMs ? a->connectedAtMs < b->connectedAtMs
                                                        : a->id < b->id;
        });
        QJsonArray userSessions;
        for (const SessionRecord *s : list)
            userSessions.append(sessionToJson(*s));
        users.append(QJsonObject{{QLatin1String("userId"), it.key()},
                                 {QLatin1String("sessions"), userSessions}});
    }
    return serialize({{QLatin1String("type"), QLatin1String("ROOM_ROSTER")},
                      {QLatin1String("roomId"), roomId},
                      {QLatin1String("roomCode"), roomCode},
                      {QLatin1String("users"), users},
                      {QLatin1String("ts"), double(ts)}});
}

QByteArray encodeRosterDiff(const RosterDiff &diff, qint64 ts)
{
    QJsonArray joins;
    for (const SessionRecord &s : diff.joins) {
        QJsonObject j = sessionToJson(s);
        j.insert(QLatin1String("userId"), s.userId);
        joins.append(j);
    }
    QJsonArray leaves;
    for (const QString &id : diff.leaves)
        leaves.append(id);
    QJsonArray updates;
    for (const RosterUpdate &u : diff.updates) {
        updates.append(QJsonObject{
            {QLatin1String("sessionId"), u.sessionId},
            {QLatin1String("latencyMs"), u.latencyMs >= 0 ? QJsonValue(u.latencyMs) : QJsonValue()},
            {QLatin1String("lastHeartbeatAt"), double(u.lastHeartbeatAtMs)}});
    }
    return serialize({{QLatin1String("type"), QLatin1String("ROOM_ROSTER_DIFF")},
                      {QLatin1String("roomId"), diff.roomId},
                      {QLatin1String("roomCode"), diff.roomCode},
                      {QLatin1String("joins"), joins},
                      {QLatin1String("leaves"), leaves},
                      {QLatin1String("updates"), updates},
                      {QLatin1String("ts"), double(ts)}});
}

QByteArray encodeRoomRemoved(const QString &roomId, const QString &roomCode, qint64 ts)
{
    return serialize({{QLatin1String("type"), QLatin1String("ROOM_REMOVED")},
                      {QLatin1String("roomId"), roomId},
                      {QLatin1String("roomCode"), roomCode},
                      {QLatin1String("ts"), double(ts)}});
}

QByteArray encodeSessionEnded(const QString &sessionId, const QString &roomCode,
                              SessionEndReason reason)
{
    return serialize({{QLatin1String("type"), QLatin1String("SESSION_ENDED")},
                      {QLatin1String("sessionId"), sessionId},
                      {QLatin1String("roomCode"), roomCode},
                      {QLatin1String("reason"), toString(reason)}});
}

} // namespace spidi::protocol
