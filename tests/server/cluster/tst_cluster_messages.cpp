// The messages instances exchange: every type survives a round trip field for field, and
// anything malformed is refused with a reason instead of reaching the engine.
#include "cluster/cluster_messages.h"

#include <QTest>

using namespace spidi;
using namespace spidi::cluster;

namespace {

SessionRecord session(const QString &id)
{
    SessionRecord s;
    s.id = id;
    s.tenantId = QStringLiteral("acme");
    s.roomId = QStringLiteral("room-1");
    s.roomCode = QStringLiteral("LOBBY");
    s.userId = QStringLiteral("dave");
    s.clientId = QStringLiteral("phone");
    s.device = QStringLiteral("Pixel 8");
    s.os = QStringLiteral("Android 14");
    s.appVersion = QStringLiteral("2.4.1");
    s.ip = QStringLiteral("10.0.0.7");
    s.instanceId = QStringLiteral("instance-a");
    s.connectedAtMs = 1'795'000'000'123;
    s.lastHeartbeatAtMs = 1'795'000'045'678;
    s.latencyMs = 38;
    s.heartbeatCount = 4'000'000'001; // beyond 32 bits
    s.latencySamples = 7;
    s.latencySumMs = 266.5;
    return s;
}

void compareSessions(const SessionRecord &a, const SessionRecord &b)
{
    QCOMPARE(a.id, b.id);
    QCOMPARE(a.tenantId, b.tenantId);
    QCOMPARE(a.roomId, b.roomId);
    QCOMPARE(a.roomCode, b.roomCode);
    QCOMPARE(a.userId, b.userId);
    QCOMPARE(a.clientId, b.clientId);
    QCOMPARE(a.device, b.device);
    QCOMPARE(a.os, b.os);
    QCOMPARE(a.appVersion, b.appVersion);
    QCOMPARE(a.ip, b.ip);
    QCOMPARE(a.instanceId, b.instanceId);
    QCOMPARE(a.connectedAtMs, b.connectedAtMs);
    QCOMPARE(a.lastHeartbeatAtMs, b.lastHeartbeatAtMs);
    QCOMPARE(a.latencyMs, b.latencyMs);
    QCOMPARE(a.heartbeatCount, b.heartbeatCount);
    QCOMPARE(a.latencySamples, b.latencySamples);
    QCOMPARE(a.latencySumMs, b.latencySumMs);
    QCOMPARE(a.endedAtMs, b.endedAtMs);
    QVERIFY(a.endReason == b.endReason);
}

} // namespace

class TestClusterMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sessionMessagesRoundTrip_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("started") << int(MessageType::Started);
        QTest::newRow("resumed") << int(MessageType::Resumed);
        QTest::newRow("ended") << int(MessageType::Ended);
        QTest::newRow("snapshot") << int(MessageType::Snapshot);
    }

    void sessionMessagesRoundTrip()
    {
        QFETCH(int, type);
        Message m;
        m.type = MessageType(type);
        m.from = QStringLiteral("instance-a");
        m.sessions = {session(QStringLiteral("s1"))};
        if (m.type == MessageType::Ended) {
            m.sessions[0].endedAtMs = 1'795'000'099'000;
            m.sessions[0].endReason = SessionEndReason::Expired;
        }
        if (m.type == MessageType::Snapshot)
            m.sessions.append(session(QStringLiteral("s2")));
        const auto decoded = decode(encode(m));
        QVERIFY2(decoded, decoded ? "" : qPrintable(decoded.error().message));
        QCOMPARE(int(decoded->type), type);
        QCOMPARE(decoded->from, QStringLiteral("instance-a"));
        QCOMPARE(decoded->sessions.size(), m.sessions.size());
        for (int i = 0; i < m.sessions.size(); ++i)
            compareSessions(decoded->sessions.at(i), m.sessions.at(i));
    }

    void heartbeatBatchRoundTrip()
    {
        Message m;
        m.type = MessageType::Heartbeats;
        m.from = QStringLiteral("b");
        m.heartbeats = {{QStringLiteral("s1"), 1'795'000'000'001, 12, 3, 2, 24.5},
                        {QStringLiteral("s2"), 1'795'000'000'002, -1, 1, 0, 0.0}};
        const auto decoded = decode(encode(m));
        QVERIFY(decoded);
        QCOMPARE(decoded->heartbeats.size(), 2);
        const HeartbeatUpdate &h = decoded->heartbeats.at(0);
        QCOMPARE(h.sessionId, QStringLiteral("s1"));
        QCOMPARE(h.lastHeartbeatAtMs, 1'795'000'000'001);
        QCOMPARE(h.latencyMs, 12);
        QCOMPARE(h.heartbeatCount, 3);
        QCOMPARE(h.latencySamples, 2);
        QCOMPARE(h.latencySumMs, 24.5);
        QCOMPARE(decoded->heartbeats.at(1).latencyMs, -1);
    }

    void roomKickAndBeaconRoundTrip()
    {
        Message room;
        room.type = MessageType::RoomChanged;
        room.from = QStringLiteral("a");
        room.roomId = QStringLiteral("r9");
        room.removed = true;
        auto decoded = decode(encode(room));
        QVERIFY(decoded);
        QCOMPARE(decoded->roomId, QStringLiteral("r9"));
        QCOMPARE(decoded->removed, true);

        Message kick;
        kick.type = MessageType::Kick;
        kick.from = QStringLiteral("a");
        kick.target = QStringLiteral("b");
        kick.tenantId = QStringLiteral("acme");
        kick.sessionId = QStringLiteral("s1");
        decoded = decode(encode(kick));
        QVERIFY(decoded);
        QCOMPARE(decoded->target, QStringLiteral("b"));
        QCOMPARE(decoded->tenantId, QStringLiteral("acme"));
        QCOMPARE(decoded->sessionId, QStringLiteral("s1"));

        Message beacon;
        beacon.from = QStringLiteral("a");
        decoded = decode(encode(beacon));
        QVERIFY(decoded);
        QVERIFY(decoded->type == MessageType::Beacon);
        QVERIFY(decoded->sessions.isEmpty() && decoded->heartbeats.isEmpty());
    }

    void malformedMessagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("reason");
        const QByteArray s = R"({"id":"s1","tenantId":"t","roomId":"r","instanceId":"a"})";
        QTest::newRow("not json") << QByteArray("{nope") << "invalid JSON";
        QTest::newRow("array") << QByteArray("[]") << "not a JSON object";
        QTest::newRow("version") << QByteArray(R"({"v":2,"type":"beacon","from":"a"})")
                                 << "unsupported version";
        QTest::newRow("type") << QByteArray(R"({"v":1,"type":"gossip","from":"a"})")
                              << "unknown type";
        QTest::newRow("sender") << QByteArray(R"({"v":1,"type":"beacon"})") << "no sender";
        QTest::newRow("started without session")
            << QByteArray(R"({"v":1,"type":"started","from":"a"})") << "exactly one session";
        QTest::newRow("session without owner")
            << QByteArray(
                   R"({"v":1,"type":"started","from":"a","sessions":[{"id":"s1","tenantId":"t","roomId":"r"}]})")
            << "malformed session";
        QTest::newRow("ended without reason")
            << QByteArray(R"({"v":1,"type":"ended","from":"a","sessions":[)" + s + "]}")
            << "end reason";
        QTest::newRow("bad reason")
            << QByteArray(
                   R"({"v":1,"type":"ended","from":"a","sessions":[{"id":"s1","tenantId":"t","roomId":"r","instanceId":"a","endReason":"BORED"}]})")
            << "malformed session";
        QTest::newRow("heartbeat entry")
            << QByteArray(R"({"v":1,"type":"heartbeats","from":"a","heartbeats":[["s1",1,2]]})")
            << "malformed heartbeat";
        QTest::newRow("room without id")
            << QByteArray(R"({"v":1,"type":"room","from":"a"})") << "needs a roomId";
        QTest::newRow("kick without target")
            << QByteArray(R"({"v":1,"type":"kick","from":"a","tenantId":"t","sessionId":"s"})")
            << "target";
    }

    void malformedMessagesAreRefused()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, reason);
        const auto decoded = decode(payload);
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().kind, ErrorKind::Invalid);
        QVERIFY2(decoded.error().message.contains(reason), qPrintable(decoded.error().message));
    }
};

QTEST_GUILESS_MAIN(TestClusterMessages)
#include "tst_cluster_messages.moc"
