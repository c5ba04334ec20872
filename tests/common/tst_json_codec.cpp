// JSON framing of SPEC section 4.1: every client message decoded, every rejection, and the exact
// JSON the encoders produce.
#include "protocol/json_codec.h"
#include "protocol/messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace spidi;
using namespace spidi::protocol;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Decodes and requires success; a failure is reported with its message.
ClientMessage decoded(const QByteArray &json)
{
    const DecodeResult result = decodeClientMessage(json);
    if (const auto *error = std::get_if<DecodeError>(&result)) {
        qWarning("unexpected decode error %s: %s", qPrintable(errorCodeName(error->code)),
                 qPrintable(error->message));
        return ClientMessage{std::nullopt, Leave{QStringLiteral("<decode failed>")}};
    }
    return std::get<ClientMessage>(result);
}

// Decodes and requires a DecodeError; success is reported as an INTERNAL error that no
// expectation matches.
DecodeError rejected(const QByteArray &json)
{
    const DecodeResult result = decodeClientMessage(json);
    if (const auto *error = std::get_if<DecodeError>(&result))
        return *error;
    return DecodeError{ErrorCode::Internal, QStringLiteral("<decoded without error>"), {}};
}

QJsonObject parsed(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning("encoder produced invalid JSON: %s", json.constData());
    return doc.object();
}

SessionRecord session(const QString &id, const QString &user, qint64 connectedAt,
                      int latencyMs = 42)
{
    SessionRecord s;
    s.id = id;
    s.tenantId = QStringLiteral("t1");
    s.roomId = QStringLiteral("room-uuid");
    s.roomCode = QStringLiteral("LOBBY");
    s.userId = user;
    s.clientId = QStringLiteral("client-") + id;
    s.device = QStringLiteral("phone");
    s.os = QStringLiteral("Android 14");
    s.appVersion = QStringLiteral("2.1.0");
    s.ip = QStringLiteral("10.0.0.7");
    s.connectedAtMs = connectedAt;
    s.lastHeartbeatAtMs = connectedAt + 15000;
    s.latencyMs = latencyMs;
    return s;
}

} // namespace

class TestJsonCodec : public QObject
{
    Q_OBJECT

private slots:
    void helloRequiredFieldsOnly();
    void helloAllFields();
    void helloNullOptionalFieldsAreAbsent();
    void heartbeatWithoutLatency();
    void heartbeatWithLatency_data();
    void heartbeatWithLatency();
    void leave();
    void subscribeTopics_data();
    void subscribeTopics();
    void unsubscribe();
    void seqEcho_data();
    void seqEcho();
    void rejections_data();
    void rejections();
    void rejectionKeepsSeq();
    void unknownType_data();
    void unknownType();
    void topicRoundTrip_data();
    void topicRoundTrip();
    void errorCodeNames_data();
    void errorCodeNames();

    void helloAckExact();
    void helloAckWithoutRef();
    void leaveAck();
    void heartbeatAckExact();
    void errorExact();
    void errorWithoutRef();
    void subscribedAndUnsubscribed();
    void roomMetricsExact();
    void roomRosterGroupedByUser();
    void roomRosterEmpty();
    void rosterDiffExact();
    void sessionEnded();
};

void TestJsonCodec::helloRequiredFieldsOnly()
{
    const ClientMessage m =
        decoded(R"({"type":"HELLO","roomCode":"LOBBY","clientId":"c-1","appVersion":"1.2.3"})");
    QVERIFY(!m.seq.has_value());
    QVERIFY(std::holds_alternative<Hello>(m.request));
    const Hello &h = std::get<Hello>(m.request);
    QCOMPARE(h.roomCode, QStringLiteral("LOBBY"));
    QCOMPARE(h.clientId, QStringLiteral("c-1"));
    QCOMPARE(h.appVersion, QStringLiteral("1.2.3"));
    QVERIFY(h.device.isEmpty());
    QVERIFY(h.os.isEmpty());
    QVERIFY(h.resumeSessionId.isEmpty());
}

void TestJsonCodec::helloAllFields()
{
    const ClientMessage m = decoded(
        R"({"type":"HELLO","seq":7,"roomCode":"LOBBY","clientId":"c-1","appVersion":"1.2.3",)"
        R"("device":"Pixel 8","os":"Android 14","resumeSessionId":"5f0c7a8e-1111-2222-3333-444455556666"})");
    QCOMPARE(m.seq, std::optional<qint64>(7));
    QVERIFY(std::holds_alternative<Hello>(m.request));
    const Hello &h = std::get<Hello>(m.request);
    QCOMPARE(h.roomCode, QStringLiteral("LOBBY"));
    QCOMPARE(h.device, QStringLiteral("Pixel 8"));
    QCOMPARE(h.os, QStringLiteral("Android 14"));
    QCOMPARE(h.resumeSessionId, QStringLiteral("5f0c7a8e-1111-2222-3333-444455556666"));
}

void TestJsonCodec::helloNullOptionalFieldsAreAbsent()
{
    const ClientMessage m =
        decoded(R"({"type":"HELLO","roomCode":"R","clientId":"c","appVersion":"1","device":null,)"
                R"("os":null,"resumeSessionId":null})");
    QVERIFY(std::holds_alternative<Hello>(m.request));
    const Hello &h = std::get<Hello>(m.request);
    QCOMPARE(h.roomCode, QStringLiteral("R"));
    QVERIFY(h.device.isEmpty());
    QVERIFY(h.os.isEmpty());
    QVERIFY(h.resumeSessionId.isEmpty());
}

void TestJsonCodec::heartbeatWithoutLatency()
{
    const ClientMessage m = decoded(R"({"type":"HEARTBEAT","sessionId":"s-1"})");
    QVERIFY(std::holds_alternative<Heartbeat>(m.request));
    const Heartbeat &hb = std::get<Heartbeat>(m.request);
    QCOMPARE(hb.sessionId, QStringLiteral("s-1"));
    QVERIFY(!hb.latencyMs.has_value());

    const ClientMessage withNull =
        decoded(R"({"type":"HEARTBEAT","sessionId":"s-1","latencyMs":null})");
    QVERIFY(std::holds_alternative<Heartbeat>(withNull.request));
    QVERIFY(!std::get<Heartbeat>(withNull.request).latencyMs.has_value());
}

void TestJsonCodec::heartbeatWithLatency_data()
{
    QTest::addColumn<QByteArray>("latency");
    QTest::addColumn<int>("expected");
    QTest::newRow("zero") << QByteArray("0") << 0;
    QTest::newRow("integer") << QByteArray("87") << 87;
    QTest::newRow("fraction rounds") << QByteArray("12.6") << 13;
    QTest::newRow("maximum") << QByteArray::number(MaxLatencyMs) << MaxLatencyMs;
}

void TestJsonCodec::heartbeatWithLatency()
{
    QFETCH(QByteArray, latency);
    QFETCH(int, expected);
    const ClientMessage m =
        decoded(R"({"type":"HEARTBEAT","sessionId":"s-9","latencyMs":)" + latency + "}");
    QVERIFY(std::holds_alternative<Heartbeat>(m.request));
    const Heartbeat &hb = std::get<Heartbeat>(m.request);
    QCOMPARE(hb.sessionId, QStringLiteral("s-9"));
    QCOMPARE(hb.latencyMs, std::optional<int>(expected));
}

void TestJsonCodec::leave()
{
    const ClientMessage m = decoded(R"({"type":"LEAVE","sessionId":"s-2","seq":3})");
    QCOMPARE(m.seq, std::optional<qint64>(3));
    QVERIFY(std::holds_alternative<Leave>(m.request));
    QCOMPARE(std::get<Leave>(m.request).sessionId, QStringLiteral("s-2"));
}

void TestJsonCodec::subscribeTopics_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("roomCode");
    QTest::newRow("rooms") << "rooms" << int(Topic::Kind::Rooms) << QString();
    QTest::newRow("alerts") << "alerts" << int(Topic::Kind::Alerts) << QString();
    QTest::newRow("metrics") << "room/LOBBY/metrics" << int(Topic::Kind::RoomMetrics) << "LOBBY";
    QTest::newRow("roster") << "room/SALA-7/roster" << int(Topic::Kind::RoomRoster) << "SALA-7";
    QTest::newRow("longest code") << QStringLiteral("room/%1/roster").arg(QString(64, u'A'))
                                  << int(Topic::Kind::RoomRoster) << QString(64, u'A');
}

void TestJsonCodec::subscribeTopics()
{
    QFETCH(QString, topic);
    QFETCH(int, kind);
    QFETCH(QString, roomCode);
    const ClientMessage m =
        decoded(compact({{"type", "SUBSCRIBE"}, {"topic", topic}, {"seq", 11}}));
    QCOMPARE(m.seq, std::optional<qint64>(11));
    QVERIFY(std::holds_alternative<Subscribe>(m.request));
    const Topic &t = std::get<Subscribe>(m.request).topic;
    QCOMPARE(int(t.kind), kind);
    QCOMPARE(t.roomCode, roomCode);
    QCOMPARE(t.toString(), topic);
}

void TestJsonCodec::unsubscribe()
{
    const ClientMessage m = decoded(R"({"type":"UNSUBSCRIBE","topic":"room/LOBBY/metrics"})");
    QVERIFY(std::holds_alternative<Unsubscribe>(m.request));
    const Topic &t = std::get<Unsubscribe>(m.request).topic;
    QCOMPARE(t.kind, Topic::Kind::RoomMetrics);
    QCOMPARE(t.roomCode, QStringLiteral("LOBBY"));

    const ClientMessage alerts = decoded(R"({"type":"UNSUBSCRIBE","topic":"alerts"})");
    QVERIFY(std::holds_alternative<Unsubscribe>(alerts.request));
    QCOMPARE(std::get<Unsubscribe>(alerts.request).topic.kind, Topic::Kind::Alerts);
}

void TestJsonCodec::seqEcho_data()
{
    QTest::addColumn<QByteArray>("seq");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("positive") << QByteArray("42") << qint64(42);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-5);
    QTest::newRow("integral double") << QByteArray("12.0") << qint64(12);
    QTest::newRow("largest exact") << QByteArray("9007199254740991") << qint64(9007199254740991);
}

void TestJsonCodec::seqEcho()
{
    QFETCH(QByteArray, seq);
    QFETCH(qint64, expected);
    const ClientMessage m = decoded(R"({"type":"LEAVE","sessionId":"s","seq":)" + seq + "}");
    QCOMPARE(m.seq, std::optional<qint64>(expected));
    // And the reply carries it back as "ref".
    const QJsonObject ack = parsed(encodeLeaveAck(m.seq, QStringLiteral("s")));
    QCOMPARE(qint64(ack.value("ref").toDouble()), expected);
}

void TestJsonCodec::rejections_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("messagePart");

    const QString longCode(MaxRoomCodeLength + 1, u'A');
    const QString longId(MaxIdentifierLength + 1, u'x');
    const QString longVersion(MaxAppVersionLength + 1, u'9');
    const auto hello = [](const QJsonObject &overrides, const QStringList &remove = {}) {
        QJsonObject o{{"type", "HELLO"}, {"roomCode", "R"}, {"clientId", "c"}, {"appVersion", "1"}};
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            o.insert(it.key(), it.value());
        for (const QString &key : remove)
            o.remove(key);
        return compact(o);
    };

    QTest::newRow("invalid JSON") << QByteArray("{\"type\":\"HELLO\"") << "invalid JSON";
    QTest::newRow("not JSON at all") << QByteArray("hello") << "invalid JSON";
    QTest::newRow("empty frame") << QByteArray() << "invalid JSON";
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArray("{\"type\":\"LEAVE\",\"sessionId\":\"s\xff\xfe\"}") << "invalid JSON";
    QTest::newRow("trailing garbage")
        << QByteArray(R"({"type":"LEAVE","sessionId":"s"} x)") << "invalid JSON";
    QTest::newRow("array") << QByteArray(R"([{"type":"HELLO"}])") << "JSON object";
    QTest::newRow("missing type") << QByteArray(R"({"sessionId":"s"})") << "missing field 'type'";
    QTest::newRow("null type") << QByteArray(R"({"type":null})") << "missing field 'type'";
    QTest::newRow("numeric type") << QByteArray(R"({"type":5})") << "'type' must be a string";
    QTest::newRow("seq as string") << QByteArray(R"({"type":"LEAVE","sessionId":"s","seq":"1"})")
                                   << "'seq' must be an integer";
    QTest::newRow("seq fractional") << QByteArray(R"({"type":"LEAVE","sessionId":"s","seq":1.5})")
                                    << "'seq' must be an integer";
    QTest::newRow("seq too large")
        << QByteArray(R"({"type":"LEAVE","sessionId":"s","seq":9007199254740993})")
        << "'seq' must be an integer";

    QTest::newRow("hello missing roomCode")
        << hello({}, {"roomCode"}) << "missing field 'roomCode'";
    QTest::newRow("hello missing clientId")
        << hello({}, {"clientId"}) << "missing field 'clientId'";
    QTest::newRow("hello missing appVersion")
        << hello({}, {"appVersion"}) << "missing field 'appVersion'";
    QTest::newRow("hello empty roomCode")
        << hello({{"roomCode", ""}}) << "'roomCode' must not be empty";
    QTest::newRow("hello blank clientId")
        << hello({{"clientId", "   "}}) << "'clientId' must not be empty";
    QTest::newRow("hello numeric roomCode")
        << hello({{"roomCode", 12}}) << "'roomCode' must be a string";
    QTest::newRow("hello object device")
        << hello({{"device", QJsonObject{}}}) << "'device' must be a string";
    QTest::newRow("hello array os") << hello({{"os", QJsonArray{"x"}}}) << "'os' must be a string";
    QTest::newRow("hello bool resume")
        << hello({{"resumeSessionId", true}}) << "'resumeSessionId' must be a string";
    QTest::newRow("hello long roomCode")
        << hello({{"roomCode", longCode}}) << "'roomCode' is longer than 64";
    QTest::newRow("hello long clientId")
        << hello({{"clientId", longId}}) << "'clientId' is longer than 128";
    QTest::newRow("hello long appVersion")
        << hello({{"appVersion", longVersion}}) << "'appVersion' is longer than 64";
    QTest::newRow("hello long device")
        << hello({{"device", longId}}) << "'device' is longer than 128";
    QTest::newRow("hello long os") << hello({{"os", longId}}) << "'os' is longer than 128";
    QTest::newRow("hello long resume")
        << hello({{"resumeSessionId", longId}}) << "'resumeSessionId' is longer than 128";

    QTest::newRow("heartbeat missing sessionId")
        << QByteArray(R"({"type":"HEARTBEAT"})") << "missing field 'sessionId'";
    QTest::newRow("heartbeat numeric sessionId")
        << QByteArray(R"({"type":"HEARTBEAT","sessionId":17})") << "'sessionId' must be a string";
    QTest::newRow("heartbeat long sessionId")
        << compact({{"type", "HEARTBEAT"}, {"sessionId", longId}})
        << "'sessionId' is longer than 128";
    QTest::newRow("heartbeat negative latency")
        << QByteArray(R"({"type":"HEARTBEAT","sessionId":"s","latencyMs":-1})") << "'latencyMs'";
    QTest::newRow("heartbeat absurd latency")
        << QByteArray(R"({"type":"HEARTBEAT","sessionId":"s","latencyMs":600001})")
        << "'latencyMs'";
    QTest::newRow("heartbeat huge latency")
        << QByteArray(R"({"type":"HEARTBEAT","sessionId":"s","latencyMs":1e300})") << "'latencyMs'";
    QTest::newRow("heartbeat latency as string")
        << QByteArray(R"({"type":"HEARTBEAT","sessionId":"s","latencyMs":"5"})") << "'latencyMs'";

    QTest::newRow("leave missing sessionId")
        << QByteArray(R"({"type":"LEAVE"})") << "missing field 'sessionId'";
    QTest::newRow("leave empty sessionId")
        << QByteArray(R"({"type":"LEAVE","sessionId":""})") << "'sessionId' must not be empty";

    QTest::newRow("subscribe missing topic")
        << QByteArray(R"({"type":"SUBSCRIBE"})") << "missing field 'topic'";
    QTest::newRow("subscribe numeric topic")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":1})") << "'topic' must be a string";
    QTest::newRow("subscribe unknown topic")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"everything"})") << "unknown topic";
    QTest::newRow("subscribe upper-case rooms")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"ROOMS"})") << "unknown topic";
    QTest::newRow("subscribe empty room code")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"room//metrics"})") << "unknown topic";
    QTest::newRow("subscribe unknown room view")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"room/LOBBY/sessions"})") << "unknown topic";
    QTest::newRow("subscribe too many parts")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"room/A/B/metrics"})") << "unknown topic";
    QTest::newRow("subscribe missing view")
        << QByteArray(R"({"type":"SUBSCRIBE","topic":"room/LOBBY"})") << "unknown topic";
    QTest::newRow("subscribe long room code")
        << compact({{"type", "SUBSCRIBE"}, {"topic", QString("room/" + longCode + "/roster")}})
        << "unknown topic";
    QTest::newRow("unsubscribe bad topic")
        << QByteArray(R"({"type":"UNSUBSCRIBE","topic":"room/X/metric"})") << "unknown topic";
}

void TestJsonCodec::rejections()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, messagePart);
    const DecodeError error = rejected(json);
    QCOMPARE(error.code, ErrorCode::BadRequest);
    QVERIFY2(error.message.contains(messagePart), qPrintable(error.message));
}

void TestJsonCodec::rejectionKeepsSeq()
{
    // A readable frame with a bad field: the error can still reference the request.
    const DecodeError missing = rejected(R"({"type":"HEARTBEAT","seq":99})");
    QCOMPARE(missing.code, ErrorCode::BadRequest);
    QCOMPARE(missing.seq, std::optional<qint64>(99));

    const DecodeError noType = rejected(R"({"seq":5})");
    QCOMPARE(noType.seq, std::optional<qint64>(5));

    // Unreadable frames carry none.
    QVERIFY(!rejected("{not json").seq.has_value());
    QVERIFY(!rejected(R"({"type":"LEAVE","sessionId":"s","seq":"x"})").seq.has_value());
}

void TestJsonCodec::unknownType_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("unknown") << QByteArray(R"({"type":"JUMP","seq":4})");
    QTest::newRow("lower-case hello")
        << QByteArray(R"({"type":"hello","roomCode":"R","clientId":"c","appVersion":"1","seq":4})");
    QTest::newRow("server message type") << QByteArray(R"({"type":"ACK","seq":4})");
    QTest::newRow("empty type") << QByteArray(R"({"type":"","seq":4})");
}

void TestJsonCodec::unknownType()
{
    QFETCH(QByteArray, json);
    const DecodeError error = rejected(json);
    QCOMPARE(error.code, ErrorCode::UnknownType);
    QCOMPARE(error.seq, std::optional<qint64>(4));
    QVERIFY2(error.message.contains(QLatin1String("unknown message type")),
             qPrintable(error.message));
}

void TestJsonCodec::topicRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("rooms") << "rooms" << true;
    QTest::newRow("alerts") << "alerts" << true;
    QTest::newRow("metrics") << "room/A1/metrics" << true;
    QTest::newRow("roster") << "room/A1/roster" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("room") << "room" << false;
    QTest::newRow("trailing slash") << "rooms/" << false;
    QTest::newRow("leading slash") << "/room/A1/roster" << false;
}

void TestJsonCodec::topicRoundTrip()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto topic = Topic::parse(text);
    QCOMPARE(topic.has_value(), valid);
    if (valid)
        QCOMPARE(topic->toString(), text);
}

void TestJsonCodec::errorCodeNames_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("name");
    QTest::newRow("bad request") << ErrorCode::BadRequest << "BAD_REQUEST";
    QTest::newRow("unknown type") << ErrorCode::UnknownType << "UNKNOWN_TYPE";
    QTest::newRow("room not found") << ErrorCode::RoomNotFound << "ROOM_NOT_FOUND";
    QTest::newRow("room inactive") << ErrorCode::RoomInactive << "ROOM_INACTIVE";
    QTest::newRow("room full") << ErrorCode::RoomFull << "ROOM_FULL";
    QTest::newRow("session not found") << ErrorCode::SessionNotFound << "SESSION_NOT_FOUND";
    QTest::newRow("forbidden") << ErrorCode::Forbidden << "FORBIDDEN";
    QTest::newRow("rate limited") << ErrorCode::RateLimited << "RATE_LIMITED";
    QTest::newRow("internal") << ErrorCode::Internal << "INTERNAL";
}

void TestJsonCodec::errorCodeNames()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, name);
    QCOMPARE(errorCodeName(code), name);
}

void TestJsonCodec::helloAckExact()
{
    HelloAck ack;
    ack.sessionId = QStringLiteral("s-1");
    ack.roomId = QStringLiteral("r-1");
    ack.roomCode = QStringLiteral("LOBBY");
    ack.serverTimeMs = 1714567890123;
    QCOMPARE(encodeHelloAck(7, ack),
             QByteArray(R"({"heartbeatIntervalSec":15,"ref":7,"resumed":false,"roomCode":"LOBBY",)"
                        R"("roomId":"r-1","serverTime":1714567890123,"sessionId":"s-1",)"
                        R"("timeoutSec":45,"type":"ACK"})"));
}

void TestJsonCodec::helloAckWithoutRef()
{
    HelloAck ack;
    ack.sessionId = QStringLiteral("s-2");
    ack.roomId = QStringLiteral("r-2");
    ack.roomCode = QStringLiteral("SALA");
    ack.heartbeatIntervalSec = 20;
    ack.timeoutSec = 60;
    ack.serverTimeMs = 1000;
    ack.resumed = true;
    const QJsonObject o = parsed(encodeHelloAck(std::nullopt, ack));
    QVERIFY(!o.contains("ref"));
    QCOMPARE(o.value("type").toString(), QStringLiteral("ACK"));
    QCOMPARE(o.value("heartbeatIntervalSec").toInt(), 20);
    QCOMPARE(o.value("timeoutSec").toInt(), 60);
    QCOMPARE(o.value("serverTime").toDouble(), 1000.0);
    QCOMPARE(o.value("resumed").toBool(), true);
}

void TestJsonCodec::leaveAck()
{
    QCOMPARE(encodeLeaveAck(3, QStringLiteral("s-3")),
             QByteArray(R"({"ref":3,"sessionId":"s-3","type":"ACK"})"));
    QCOMPARE(encodeLeaveAck(std::nullopt, QStringLiteral("s-3")),
             QByteArray(R"({"sessionId":"s-3","type":"ACK"})"));
}

void TestJsonCodec::heartbeatAckExact()
{
    QCOMPARE(
        encodeHeartbeatAck(12, QStringLiteral("s-4"), 1714567890999),
        QByteArray(
            R"({"ref":12,"serverTime":1714567890999,"sessionId":"s-4","type":"HEARTBEAT_ACK"})"));
    QCOMPARE(encodeHeartbeatAck(std::nullopt, QStringLiteral("s-4"), 5),
             QByteArray(R"({"serverTime":5,"sessionId":"s-4","type":"HEARTBEAT_ACK"})"));
}

void TestJsonCodec::errorExact()
{
    QCOMPARE(encodeError(9, ErrorCode::SessionNotFound, QStringLiteral("session 's' not found")),
             QByteArray(R"({"code":"SESSION_NOT_FOUND","message":"session 's' not found",)"
                        R"("ref":9,"type":"ERROR"})"));
}

void TestJsonCodec::errorWithoutRef()
{
    const QJsonObject o = parsed(
        encodeError(std::nullopt, ErrorCode::BadRequest, QStringLiteral("quote \" and newline\n")));
    QVERIFY(!o.contains("ref"));
    QCOMPARE(o.value("type").toString(), QStringLiteral("ERROR"));
    QCOMPARE(o.value("code").toString(), QStringLiteral("BAD_REQUEST"));
    QCOMPARE(o.value("message").toString(), QStringLiteral("quote \" and newline\n"));
}

void TestJsonCodec::subscribedAndUnsubscribed()
{
    const Topic roster{Topic::Kind::RoomRoster, QStringLiteral("LOBBY")};
    QCOMPARE(encodeSubscribed(1, roster),
             QByteArray(R"({"ref":1,"topic":"room/LOBBY/roster","type":"SUBSCRIBED"})"));
    QCOMPARE(encodeUnsubscribed(std::nullopt, Topic{Topic::Kind::Alerts, {}}),
             QByteArray(R"({"topic":"alerts","type":"UNSUBSCRIBED"})"));
}

void TestJsonCodec::roomMetricsExact()
{
    RoomMetrics m;
    m.roomId = QStringLiteral("r-1");
    m.roomCode = QStringLiteral("LOBBY");
    m.status = QStringLiteral("ACTIVE");
    m.online = 3;
    m.users = 2;
    m.peak = 5;
    m.capacity = 8;
    m.capacityPct = 37.5;
    m.avgLatencyMs = 41.26;
    m.p95LatencyMs = 80.04;
    m.ts = 1714567890000;
    QCOMPARE(
        encodeRoomMetrics(m),
        QByteArray(R"({"avgLatencyMs":41.3,"capacity":8,"capacityPct":37.5,"online":3,)"
                   R"("p95LatencyMs":80,"peak":5,"roomCode":"LOBBY","roomId":"r-1",)"
                   R"("status":"ACTIVE","ts":1714567890000,"type":"ROOM_METRICS","users":2})"));
}

void TestJsonCodec::roomRosterGroupedByUser()
{
    // Given out of order: users must come sorted by id, each user's sessions by connection time.
    SessionRecord late = session(QStringLiteral("s-late"), QStringLiteral("bob"), 3000);
    SessionRecord early = session(QStringLiteral("s-early"), QStringLiteral("bob"), 1000, -1);
    SessionRecord alice = session(QStringLiteral("s-a"), QStringLiteral("alice"), 2000, 10);
    const QByteArray json = encodeRoomRoster(QStringLiteral("room-uuid"), QStringLiteral("LOBBY"),
                                             {late, alice, early}, 5000);
    const QJsonObject o = parsed(json);
    QCOMPARE(o.value("type").toString(), QStringLiteral("ROOM_ROSTER"));
    QCOMPARE(o.value("roomId").toString(), QStringLiteral("room-uuid"));
    QCOMPARE(o.value("roomCode").toString(), QStringLiteral("LOBBY"));
    QCOMPARE(o.value("ts").toDouble(), 5000.0);
    const QJsonArray users = o.value("users").toArray();
    QCOMPARE(users.size(), 2);
    QCOMPARE(users[0].toObject().value("userId").toString(), QStringLiteral("alice"));
    QCOMPARE(users[1].toObject().value("userId").toString(), QStringLiteral("bob"));
    QCOMPARE(users[0].toObject().value("sessions").toArray().size(), 1);
    const QJsonArray bobSessions = users[1].toObject().value("sessions").toArray();
    QCOMPARE(bobSessions.size(), 2);
    QCOMPARE(bobSessions[0].toObject().value("sessionId").toString(), QStringLiteral("s-early"));
    QCOMPARE(bobSessions[1].toObject().value("sessionId").toString(), QStringLiteral("s-late"));
    // A session without a measured latency has latencyMs null.
    QVERIFY(bobSessions[0].toObject().value("latencyMs").isNull());
    QCOMPARE(bobSessions[1].toObject().value("latencyMs").toInt(), 42);

    // Every session field of SPEC 4.1, exactly.
    const QJsonObject first = users[0].toObject().value("sessions").toArray().at(0).toObject();
    QCOMPARE(compact(first),
             QByteArray(R"({"appVersion":"2.1.0","clientId":"client-s-a","connectedAt":2000,)"
                        R"("device":"phone","ip":"10.0.0.7","lastHeartbeatAt":17000,)"
                        R"("latencyMs":10,"os":"Android 14","sessionId":"s-a"})"));
    // Grouped sessions do not repeat the user.
    QVERIFY(!first.contains("userId"));
}

void TestJsonCodec::roomRosterEmpty()
{
    QCOMPARE(encodeRoomRoster(QStringLiteral("r"), QStringLiteral("C"), {}, 1),
             QByteArray(R"({"roomCode":"C","roomId":"r","ts":1,"type":"ROOM_ROSTER","users":[]})"));
}

void TestJsonCodec::rosterDiffExact()
{
    RosterDiff diff;
    diff.roomId = QStringLiteral("r-1");
    diff.roomCode = QStringLiteral("LOBBY");
    diff.joins.append(session(QStringLiteral("s-j"), QStringLiteral("carol"), 100, 7));
    diff.leaves = {QStringLiteral("s-gone"), QStringLiteral("s-gone2")};
    diff.updates.append(RosterUpdate{QStringLiteral("s-u"), 55, 200});
    diff.updates.append(RosterUpdate{QStringLiteral("s-v"), -1, 300});
    QVERIFY(!diff.isEmpty());
    QCOMPARE(encodeRosterDiff(diff, 999),
             QByteArray(R"({"joins":[{"appVersion":"2.1.0","clientId":"client-s-j",)"
                        R"("connectedAt":100,"device":"phone","ip":"10.0.0.7",)"
                        R"("lastHeartbeatAt":15100,"latencyMs":7,"os":"Android 14",)"
                        R"("sessionId":"s-j","userId":"carol"}],"leaves":["s-gone","s-gone2"],)"
                        R"("roomCode":"LOBBY","roomId":"r-1","ts":999,"type":"ROOM_ROSTER_DIFF",)"
                        R"("updates":[{"lastHeartbeatAt":200,"latencyMs":55,"sessionId":"s-u"},)"
                        R"({"lastHeartbeatAt":300,"latencyMs":null,"sessionId":"s-v"}]})"));

    RosterDiff empty;
    QVERIFY(empty.isEmpty());
    const QJsonObject o = parsed(encodeRosterDiff(empty, 1));
    QCOMPARE(o.value("joins").toArray().size(), 0);
    QCOMPARE(o.value("leaves").toArray().size(), 0);
    QCOMPARE(o.value("updates").toArray().size(), 0);
}

void TestJsonCodec::sessionEnded()
{
    QCOMPARE(encodeSessionEnded(QStringLiteral("s-1"), QStringLiteral("LOBBY"),
                                SessionEndReason::Kicked),
             QByteArray(R"({"reason":"KICKED","roomCode":"LOBBY","sessionId":"s-1",)"
                        R"("type":"SESSION_ENDED"})"));
}

QTEST_APPLESS_MAIN(TestJsonCodec)
#include "tst_json_codec.moc"
