// STOMP 1.2 over WebSocket (SPEC 4.2, server/gateway/stomp_framing.h) through the real
// WebSocket path of the server (in_process_gateway.h), frame by frame: CONNECT and its
// authentication, version and heart-beat negotiation, SEND to the presence destinations with
// replies on /user/queue/ack and errors on /user/queue/errors, RECEIPTs, topic subscriptions
// and their MESSAGE headers, transactions, DISCONNECT, and the ERROR-then-close answer to every
// protocol violation. The same presence outcomes over both framings are asserted by
// tst_presence_e2e_stomp; stomp.js interoperability by tests/interop.
#include "in_process_gateway.h"
#include "protocol/stomp_frame.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

using namespace spidi;
using spidi::stomp::Frame;
using spidi::stomp::FrameParser;
using spidi::test::InProcessGateway;

namespace {

QByteArray connectFrame(const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    return stomp::encode(Frame{"CONNECT", headers, {}}, stomp::Version::V1_2);
}

QByteArray frame(const QByteArray &command, const QList<std::pair<QByteArray, QByteArray>> &headers,
                 const QByteArray &body = {})
{
    return stomp::encode(Frame{command, headers, body}, stomp::Version::V1_2);
}

QByteArray helloBody(const QString &room, const QString &client, qint64 seq = 1)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("seq"), seq},
                                     {QStringLiteral("roomCode"), room},
                                     {QStringLiteral("clientId"), client},
                                     {QStringLiteral("appVersion"), QStringLiteral("1.0")}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject json(const Frame &f)
{
    return QJsonDocument::fromJson(f.body).object();
}

// A raw STOMP peer: writes frames as given, parses what the server sends with the frame parser
// (whose byte-level behaviour tst_stomp_frame pins down), and counts heart-beat EOLs.
class StompPeer : public QObject
{
public:
    StompPeer()
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QByteArray bytes = text.toUtf8();
            m_raw.append(bytes);
            m_parser.feed(bytes);
            for (;;) {
                FrameParser::Item item = m_parser.next();
                if (item.kind == FrameParser::Item::Kind::NeedMore ||
                    item.kind == FrameParser::Item::Kind::Error)
                    break;
                if (item.kind == FrameParser::Item::Kind::HeartBeat)
                    ++m_heartBeats;
                else
                    m_frames.append(item.frame);
            }
        });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
    }

    // Upgrades with the given subprotocols and (optionally) a handshake token.
    bool open(const QUrl &url, const QByteArray &token = {},
              const QByteArray &subprotocols = "v12.stomp")
    {
        QNetworkRequest request(url);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        request.setRawHeader("Sec-WebSocket-Protocol", subprotocols);
        m_socket.open(request);
        return QTest::qWaitFor(
                   [this] {
                       return m_socket.state() == QAbstractSocket::ConnectedState || m_closed;
                   },
                   5000) &&
               m_socket.state() == QAbstractSocket::ConnectedState;
    }

    // CONNECT with a passcode and wait for CONNECTED.
    std::optional<Frame> login(const QByteArray &token = "dev@t1",
                               const QByteArray &heartBeat = "0,0")
    {
        send(connectFrame(
            {{"accept-version", "1.2"}, {"passcode", token}, {"heart-beat", heartBeat}}));
        return waitFor("CONNECTED");
    }

    void send(const QByteArray &bytes) { m_socket.sendTextMessage(QString::fromUtf8(bytes)); }
    void sendBinary(const QByteArray &bytes) { m_socket.sendBinaryMessage(bytes); }

    std::optional<Frame> waitFor(const std::function<bool(const Frame &)> &match, int ms = 5000)
    {
        std::optional<Frame> found;
        (void)QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < m_frames.size(); ++i)
                    if (match(m_frames.at(i))) {
                        found = m_frames.takeAt(i);
                        return true;
                    }
                return false;
            },
            ms);
        return found;
    }
    std::optional<Frame> waitFor(const QByteArray &command, int ms = 5000)
    {
        return waitFor([&](const Frame &f) { return f.command == command; }, ms);
    }
    std::optional<Frame> waitReceipt(const QByteArray &id)
    {
        return waitFor([&](const Frame &f) {
            return f.command == "RECEIPT" && f.headerOr("receipt-id") == id;
        });
    }
    // The MESSAGE on `destination` whose JSON body has this type.
    std::optional<Frame> waitMessage(const QByteArray &destination, const QString &type,
                                     int ms = 5000)
    {
        return waitFor(
            [&](const Frame &f) {
                return f.command == "MESSAGE" && f.headerOr("destination") == destination &&
                       json(f).value(QStringLiteral("type")).toString() == type;
            },
            ms);
    }
    bool waitClosed(int ms = 5000)
    {
        return QTest::qWaitFor([this] { return m_closed; }, ms);
    }
    QList<Frame> frames() const { return m_frames; }
    int heartBeats() const { return m_heartBeats; }
    QByteArray raw() const { return m_raw; }
    QWebSocket &socket() { return m_socket; }
    bool closed() const { return m_closed; }

private:
    QWebSocket m_socket;
    FrameParser m_parser{1024 * 1024};
    QList<Frame> m_frames;
    QByteArray m_raw;
    int m_heartBeats = 0;
    bool m_closed = false;
};

} // namespace

class TestStompFraming : public QObject
{
    Q_OBJECT

    std::unique_ptr<InProcessGateway> m_server;

    InProcessGateway &start(GatewayLimits limits = {})
    {
        m_server = std::make_unique<InProcessGateway>(limits, 100);
        return *m_server;
    }

    // A logged-in peer subscribed to both user queues.
    void ready(StompPeer &peer, const QByteArray &token = "dev@t1")
    {
        QVERIFY(peer.open(m_server->url()));
        QVERIFY(peer.login(token));
        peer.send(frame("SUBSCRIBE", {{"id", "ack"}, {"destination", "/user/queue/ack"}}) +
                  frame("SUBSCRIBE",
                        {{"id", "err"}, {"destination", "/user/queue/errors"}, {"receipt", "q"}}));
        QVERIFY(peer.waitReceipt("q"));
    }

    static void expectProtocolError(StompPeer &peer, const QString &fragment)
    {
        const std::optional<Frame> error = peer.waitFor("ERROR");
        QVERIFY2(error, qPrintable(fragment));
        QVERIFY2(QString::fromUtf8(error->headerOr("message")).contains(fragment),
                 error->headerOr("message").constData());
        QCOMPARE(error->headerOr("content-type"), QByteArray("text/plain"));
        QVERIFY(peer.waitClosed());
    }

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(QStringLiteral("spidi.*.info=false")); }
    void cleanup() { m_server.reset(); }

    void connectWithPasscodeNeedsNoHandshakeToken()
    {
        start();
        StompPeer peer;
        QVERIFY(peer.open(m_server->url())); // upgraded without any token
        QCOMPARE(peer.socket().subprotocol(), QStringLiteral("v12.stomp"));
        peer.send(connectFrame({{"accept-version", "1.0,1.1,1.2"},
                                {"host", "spidi"},
                                {"login", "ignored"},
                                {"passcode", "dev@t1"}}));
        const std::optional<Frame> connected = peer.waitFor("CONNECTED");
        QVERIFY(connected);
        QCOMPARE(connected->headerOr("version"), QByteArray("1.2"));
        QVERIFY(connected->headerOr("server").startsWith("spidi/"));
        QCOMPARE(connected->headerOr("heart-beat"), QByteArray("10000,10000"));
        QVERIFY(!connected->headerOr("session").isEmpty());
    }

    void connectWithAuthorizationHeaderOrHandshakeToken()
    {
        start();
        StompPeer header;
        QVERIFY(header.open(m_server->url()));
        header.send(connectFrame({{"accept-version", "1.2"}, {"Authorization", "Bearer dev@t1"}}));
        QVERIFY(header.waitFor("CONNECTED"));

        // The handshake's token suffices when CONNECT brings none (the "STOMP" command too).
        StompPeer handshake;
        QVERIFY(handshake.open(m_server->url(), "dev@t1"));
        handshake.send(frame("STOMP", {{"accept-version", "1.2"}}));
        QVERIFY(handshake.waitFor("CONNECTED"));
    }

    void upgradesWithoutTokenAreForStompOnly()
    {
        start();
        StompPeer json;
        QVERIFY(!json.open(m_server->url(), {}, "spidi.v1.json"));
        // A token that is present but invalid is refused at the handshake for STOMP too.
        StompPeer forged;
        QVERIFY(!forged.open(m_server->url(), "no-at-sign"));
    }

    void connectWithoutOrWithBadCredentialsIsRefused()
    {
        start();
        StompPeer none;
        QVERIFY(none.open(m_server->url()));
        none.send(connectFrame({{"accept-version", "1.2"}}));
        expectProtocolError(none, QStringLiteral("authentication required"));

        StompPeer bad;
        QVERIFY(bad.open(m_server->url()));
        bad.send(connectFrame({{"accept-version", "1.2"}, {"passcode", "malformed"}}));
        expectProtocolError(bad, QStringLiteral("authentication failed: malformed test token"));
    }

    void connectMustComeFirstAndInTime()
    {
        start();
        StompPeer early;
        QVERIFY(early.open(m_server->url(), "dev@t1"));
        early.send(frame("SEND", {{"destination", "/app/presence/hello"}, {"receipt", "r1"}},
                         helloBody(QStringLiteral("LOBBY"), QStringLiteral("c"))));
        const std::optional<Frame> error = early.waitFor("ERROR");
        QVERIFY(error);
        QCOMPARE(error->headerOr("receipt-id"), QByteArray("r1"));
        QVERIFY(error->headerOr("message").contains("expected CONNECT"));
        QVERIFY(early.waitClosed());

        GatewayLimits limits;
        limits.stompConnectTimeoutMs = 300;
        start(limits);
        StompPeer silent;
        QVERIFY(silent.open(m_server->url()));
        expectProtocolError(silent, QStringLiteral("no CONNECT frame within 300 ms"));
        QCOMPARE(int(silent.socket().closeCode()),
                 int(QWebSocketProtocol::CloseCodePolicyViolated));
    }

    void negotiatesTheHighestCommonVersion()
    {
        start();
        StompPeer v11;
        QVERIFY(v11.open(m_server->url(), {}, "v11.stomp"));
        v11.send(connectFrame({{"accept-version", "1.0,1.1"}, {"passcode", "dev@t1"}}));
        const std::optional<Frame> connected = v11.waitFor("CONNECTED");
        QVERIFY(connected);
        QCOMPARE(connected->headerOr("version"), QByteArray("1.1"));

        StompPeer none;
        QVERIFY(none.open(m_server->url()));
        none.send(connectFrame({{"accept-version", "2.0,3.1"}, {"passcode", "dev@t1"}}));
        const std::optional<Frame> error = none.waitFor("ERROR");
        QVERIFY(error);
        QCOMPARE(error->headerOr("version"), QByteArray("1.0,1.1,1.2"));
        QVERIFY(none.waitClosed());
    }

    void stomp10SubscriptionsNeedNoId()
    {
        start();
        StompPeer peer;
        QVERIFY(peer.open(m_server->url(), {}, "v10.stomp"));
        peer.send(connectFrame({{"passcode", "dev@t1"}})); // no accept-version: STOMP 1.0
        const std::optional<Frame> connected = peer.waitFor("CONNECTED");
        QVERIFY(connected);
        QCOMPARE(connected->headerOr("version"), QByteArray("1.0"));
        peer.send(frame("SUBSCRIBE", {{"destination", "/topic/room/LOBBY/metrics"}}));
        const std::optional<Frame> metrics =
            peer.waitMessage("/topic/room/LOBBY/metrics", QStringLiteral("ROOM_METRICS"));
        QVERIFY(metrics);
        QCOMPARE(metrics->headerOr("subscription"), QByteArray("/topic/room/LOBBY/metrics"));
        peer.send(
            frame("UNSUBSCRIBE", {{"destination", "/topic/room/LOBBY/metrics"}, {"receipt", "u"}}));
        const std::optional<Frame> receipt = peer.waitReceipt("u");
        QVERIFY(receipt);
        QVERIFY(!receipt->header("spidi-error-code"));
    }

    void helloHeartbeatAndLeaveOverSend()
    {
        start();
        StompPeer peer;
        ready(peer);
        peer.send(frame("SEND",
                        {{"destination", "/app/presence/hello"},
                         {"content-type", "application/json;charset=utf-8"},
                         {"receipt", "h"}},
                        helloBody(QStringLiteral("LOBBY"), QStringLiteral("phone"), 41)));
        const std::optional<Frame> ack = peer.waitMessage("/user/queue/ack", QStringLiteral("ACK"));
        QVERIFY(ack);
        QCOMPARE(ack->headerOr("subscription"), QByteArray("ack"));
        QCOMPARE(ack->headerOr("content-type"), QByteArray("application/json"));
        QCOMPARE(ack->headerOr("content-length").toInt(), ack->body.size());
        QVERIFY(!ack->headerOr("message-id").isEmpty());
        const QJsonObject body = json(*ack);
        QCOMPARE(body.value(QStringLiteral("ref")).toInteger(), 41);
        QCOMPARE(body.value(QStringLiteral("roomCode")).toString(), QStringLiteral("LOBBY"));
        const QString sessionId = body.value(QStringLiteral("sessionId")).toString();
        QVERIFY(!sessionId.isEmpty());
        // The receipt follows the reply: the request was handled when it arrives.
        const std::optional<Frame> receipt = peer.waitReceipt("h");
        QVERIFY(receipt);
        QVERIFY(!receipt->header("spidi-error-code"));
        QCOMPARE(m_server->engine.sessionsOfRoom(QStringLiteral("room-lobby")).size(), 1);

        peer.send(frame("SEND", {{"destination", "/app/presence/heartbeat"}},
                        QJsonDocument(QJsonObject{{QStringLiteral("sessionId"), sessionId},
                                                  {QStringLiteral("latencyMs"), 42}})
                            .toJson(QJsonDocument::Compact)));
        const std::optional<Frame> beat =
            peer.waitMessage("/user/queue/ack", QStringLiteral("HEARTBEAT_ACK"));
        QVERIFY(beat);
        QCOMPARE(json(*beat).value(QStringLiteral("sessionId")).toString(), sessionId);

        peer.send(frame("SEND", {{"destination", "/app/presence/leave"}},
                        QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("LEAVE")},
                                                  {QStringLiteral("sessionId"), sessionId}})
                            .toJson(QJsonDocument::Compact)));
        QVERIFY(peer.waitMessage("/user/queue/ack", QStringLiteral("ACK")));
        QVERIFY(m_server->engine.sessionsOfRoom(QStringLiteral("room-lobby")).isEmpty());
    }

    void requestErrorsGoToTheErrorQueueAndTheReceipt_data()
    {
        QTest::addColumn<QByteArray>("destination");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("fragment");
        const QByteArray hello = helloBody(QStringLiteral("LOBBY"), QStringLiteral("x"));
        QTest::newRow("unknown room")
            << QByteArray("/app/presence/hello") << QByteArray()
            << helloBody(QStringLiteral("NOPE"), QStringLiteral("x")) << "ROOM_NOT_FOUND"
            << "NOPE";
        QTest::newRow("unknown destination")
            << QByteArray("/app/x:y") << QByteArray() << hello << "UNKNOWN_TYPE"
            << "/app/x:y";
        QTest::newRow("not JSON") << QByteArray("/app/presence/hello") << QByteArray("text/plain")
                                  << hello << "BAD_REQUEST"
                                  << "application/json";
        QTest::newRow("invalid JSON") << QByteArray("/app/presence/hello") << QByteArray()
                                      << QByteArray("{\"roomCode\":") << "BAD_REQUEST"
                                      << "invalid JSON";
        QTest::newRow("not an object") << QByteArray("/app/presence/hello") << QByteArray()
                                       << QByteArray("[1]") << "BAD_REQUEST"
                                       << "JSON object";
        QTest::newRow("type mismatch")
            << QByteArray("/app/presence/leave") << QByteArray()
            << QByteArray(R"({"type":"HELLO","sessionId":"s"})") << "BAD_REQUEST"
            << "does not match";
        QTest::newRow("missing field") << QByteArray("/app/presence/heartbeat") << QByteArray()
                                       << QByteArray("{}") << "BAD_REQUEST"
                                       << "sessionId";
        // A content-length body may hold NUL: the frame is read whole, and it is the JSON that
        // is refused, not the frame.
        QTest::newRow("NUL in the body")
            << QByteArray("/app/presence/hello") << QByteArray()
            << QByteArray(hello + QByteArray(1, '\0') + "x") << "BAD_REQUEST"
            << "invalid JSON";
    }

    void requestErrorsGoToTheErrorQueueAndTheReceipt()
    {
        QFETCH(QByteArray, destination);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, fragment);
        start();
        StompPeer peer;
        ready(peer);
        QList<std::pair<QByteArray, QByteArray>> headers{
            {"destination", destination},
            {"receipt", "r"},
            {"content-length", QByteArray::number(body.size())}};
        if (!contentType.isEmpty())
            headers.append({"content-type", contentType});
        peer.send(frame("SEND", headers, body));
        const std::optional<Frame> error =
            peer.waitMessage("/user/queue/errors", QStringLiteral("ERROR"));
        QVERIFY(error);
        QCOMPARE(error->headerOr("subscription"), QByteArray("err"));
        QCOMPARE(json(*error).value(QStringLiteral("code")).toString(), code);
        QVERIFY2(json(*error).value(QStringLiteral("message")).toString().contains(fragment),
                 error->body.constData());
        const std::optional<Frame> receipt = peer.waitReceipt("r");
        QVERIFY(receipt);
        QCOMPARE(QString::fromUtf8(receipt->headerOr("spidi-error-code")), code);
        QVERIFY(QString::fromUtf8(receipt->headerOr("message")).contains(fragment));
        // Not a protocol violation: the connection stays usable.
        QVERIFY(!peer.closed());
        peer.send(frame("SEND", {{"destination", "/app/presence/hello"}},
                        helloBody(QStringLiteral("LOBBY"), QStringLiteral("after"))));
        QVERIFY(peer.waitMessage("/user/queue/ack", QStringLiteral("ACK")));
    }

    void headersAreEscapedOnTheWire()
    {
        start();
        StompPeer peer;
        ready(peer);
        // An escaped colon in the destination, read back decoded and sent escaped.
        peer.send(QByteArray("SEND\ndestination:/app/a\\cb\nreceipt:x\\\\y\n\n{}") + '\0');
        const std::optional<Frame> receipt = peer.waitReceipt("x\\y");
        QVERIFY(receipt);
        QVERIFY(receipt->headerOr("message").contains("'/app/a:b'"));
        QVERIFY(peer.raw().contains("receipt-id:x\\\\y\n"));
        QVERIFY(peer.raw().contains("/app/a\\cb"));
    }

    void topicMessagesCarryTheirSubscription()
    {
        start();
        StompPeer monitor;
        ready(monitor);
        monitor.send(
            frame("SUBSCRIBE", {{"id", "m1"}, {"destination", "/topic/room/LOBBY/roster"}}));
        const std::optional<Frame> snapshot =
            monitor.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER"));
        QVERIFY(snapshot);
        QCOMPARE(snapshot->headerOr("subscription"), QByteArray("m1"));
        QCOMPARE(snapshot->headerOr("content-length").toInt(), snapshot->body.size());
        // A second id for the same topic gets its own copy of every message.
        monitor.send(
            frame("SUBSCRIBE",
                  {{"id", "m2"}, {"destination", "/topic/room/LOBBY/roster"}, {"receipt", "s2"}}));
        QVERIFY(monitor.waitReceipt("s2"));
        monitor.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER"), 1000);
        monitor.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER"), 1000);

        StompPeer device;
        ready(device);
        device.send(frame("SEND", {{"destination", "/app/presence/hello"}},
                          helloBody(QStringLiteral("LOBBY"), QStringLiteral("d1"))));
        QVERIFY(device.waitMessage("/user/queue/ack", QStringLiteral("ACK")));
        const auto diffFor = [&](const QByteArray &id) {
            return monitor.waitFor([&](const Frame &f) {
                return f.command == "MESSAGE" && f.headerOr("subscription") == id &&
                       json(f).value(QStringLiteral("type")).toString() ==
                           QLatin1String("ROOM_ROSTER_DIFF");
            });
        };
        QVERIFY(diffFor("m1"));
        QVERIFY(diffFor("m2"));

        // Dropping one id keeps the other; dropping the last releases the topic. A second
        // monitor that stays subscribed shows when the next diff has gone out.
        StompPeer witness;
        ready(witness);
        witness.send(
            frame("SUBSCRIBE", {{"id", "w"}, {"destination", "/topic/room/LOBBY/roster"}}));
        QVERIFY(witness.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER")));
        monitor.send(frame("UNSUBSCRIBE", {{"id", "m1"}, {"receipt", "u1"}}));
        QVERIFY(monitor.waitReceipt("u1"));
        device.send(frame("SEND", {{"destination", "/app/presence/hello"}},
                          helloBody(QStringLiteral("LOBBY"), QStringLiteral("d2"))));
        QVERIFY(
            witness.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER_DIFF")));
        QVERIFY(diffFor("m2"));
        QVERIFY(
            !monitor.waitFor([](const Frame &f) { return f.headerOr("subscription") == "m1"; }, 0));

        monitor.send(frame("UNSUBSCRIBE", {{"id", "m2"}, {"receipt", "u2"}}));
        QVERIFY(monitor.waitReceipt("u2"));
        device.send(frame("SEND", {{"destination", "/app/presence/hello"}},
                          helloBody(QStringLiteral("LOBBY"), QStringLiteral("d3"))));
        QVERIFY(
            witness.waitMessage("/topic/room/LOBBY/roster", QStringLiteral("ROOM_ROSTER_DIFF")));
        QVERIFY(!monitor.waitFor([](const Frame &f) { return f.command == "MESSAGE"; }, 0));
    }

    void refusedSubscriptionsFreeTheirId()
    {
        start();
        StompPeer peer;
        ready(peer);
        peer.send(
            frame("SUBSCRIBE",
                  {{"id", "a"}, {"destination", "/topic/room/NOPE/metrics"}, {"receipt", "1"}}));
        const std::optional<Frame> refused = peer.waitReceipt("1");
        QVERIFY(refused);
        QCOMPARE(refused->headerOr("spidi-error-code"), QByteArray("ROOM_NOT_FOUND"));
        QVERIFY(peer.waitMessage("/user/queue/errors", QStringLiteral("ERROR")));
        peer.send(frame("SUBSCRIBE",
                        {{"id", "a"}, {"destination", "/queue/elsewhere"}, {"receipt", "2"}}));
        const std::optional<Frame> unknown = peer.waitReceipt("2");
        QVERIFY(unknown);
        QCOMPARE(unknown->headerOr("spidi-error-code"), QByteArray("BAD_REQUEST"));
        // The id is free again.
        peer.send(
            frame("SUBSCRIBE", {{"id", "a"}, {"destination", "/topic/rooms"}, {"receipt", "3"}}));
        const std::optional<Frame> ok = peer.waitReceipt("3");
        QVERIFY(ok);
        QVERIFY(!ok->header("spidi-error-code"));
        QVERIFY(!peer.closed());
        // UNSUBSCRIBE of an unknown id is an error in STOMP terms, not a violation.
        peer.send(frame("UNSUBSCRIBE", {{"id", "zz"}, {"receipt", "4"}}));
        const std::optional<Frame> unknownId = peer.waitReceipt("4");
        QVERIFY(unknownId);
        QCOMPARE(unknownId->headerOr("spidi-error-code"), QByteArray("BAD_REQUEST"));
    }

    void protocolViolationsGetErrorThenClose_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("duplicate id")
            << QByteArray(frame("SUBSCRIBE", {{"id", "ack"}, {"destination", "/topic/rooms"}}))
            << "already in use";
        QTest::newRow("subscribe without id")
            << frame("SUBSCRIBE", {{"destination", "/topic/rooms"}}) << "needs an id";
        QTest::newRow("send without destination") << frame("SEND", {}, "{}") << "destination";
        QTest::newRow("unknown command") << frame("PUBLISH", {}) << "unknown command PUBLISH";
        QTest::newRow("second CONNECT")
            << connectFrame({{"passcode", "dev@t1"}}) << "already connected";
        QTest::newRow("malformed frame") << QByteArray("SEND\nno colon here\n\n\0", 21) << "':'";
        QTest::newRow("undefined escape") << QByteArray("SEND\na:\\t\n\n\0", 12) << "escape";
        QTest::newRow("ACK without id") << frame("ACK", {}) << "needs an id";
        QTest::newRow("commit unknown") << frame("COMMIT", {{"transaction", "t"}}) << "not begun";
    }

    void protocolViolationsGetErrorThenClose()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, fragment);
        start();
        StompPeer peer;
        ready(peer);
        peer.send(bytes);
        expectProtocolError(peer, fragment);
        QCOMPARE(int(peer.socket().closeCode()), int(QWebSocketProtocol::CloseCodeProtocolError));
    }

    void severalFramesPerMessageAndFramesAcrossMessages()
    {
        start();
        StompPeer peer;
        QVERIFY(peer.open(m_server->url()));
        // CONNECT, two subscriptions and a SEND in one message, as binary.
        peer.sendBinary(connectFrame({{"accept-version", "1.2"}, {"passcode", "dev@t1"}}) +
                        frame("SUBSCRIBE", {{"id", "ack"}, {"destination", "/user/queue/ack"}}) +
                        "\n\n" + // heart-beats between frames
                        frame("SEND", {{"destination", "/app/presence/hello"}},
                              helloBody(QStringLiteral("LOBBY"), QStringLiteral("a"), 1)));
        QVERIFY(peer.waitFor("CONNECTED"));
        QVERIFY(peer.waitMessage("/user/queue/ack", QStringLiteral("ACK")));
        // One SEND cut in three messages.
        const QByteArray split =
            frame("SEND", {{"destination", "/app/presence/hello"}, {"receipt", "s"}},
                  helloBody(QStringLiteral("LOBBY"), QStringLiteral("b"), 2));
        peer.send(split.left(10));
        peer.send(split.mid(10, 20));
        peer.send(split.mid(30));
        const std::optional<Frame> ack = peer.waitMessage("/user/queue/ack", QStringLiteral("ACK"));
        QVERIFY(ack);
        QCOMPARE(json(*ack).value(QStringLiteral("ref")).toInteger(), 2);
        QVERIFY(peer.waitReceipt("s"));
        QCOMPARE(m_server->engine.sessionsOfRoom(QStringLiteral("room-lobby")).size(), 2);
    }

    void framesPackedInOneMessageAreRateLimitedEach()
    {
        GatewayLimits limits;
        limits.rateLimitPerSec = 1;
        limits.rateLimitBurst = 5;
        start(limits);
        StompPeer peer;
        QVERIFY(peer.open(m_server->url()));
        peer.send(connectFrame({{"accept-version", "1.2"}, {"passcode", "dev@t1"}}) +
                  frame("SUBSCRIBE", {{"id", "err"}, {"destination", "/user/queue/errors"}}));
        QVERIFY(peer.waitFor("CONNECTED"));
        // Eight SENDs in one message: each is admitted on its own. The SUBSCRIBE took one of
        // the five burst tokens, so four SENDs are handled (SESSION_NOT_FOUND: nobody's
        // session) and four refused, each with its own RATE_LIMITED; none is lost silently.
        QByteArray many;
        for (int i = 0; i < 8; ++i)
            many += frame("SEND", {{"destination", "/app/presence/heartbeat"}},
                          R"({"sessionId":"00000000-0000-0000-0000-000000000000"})");
        peer.send(many);
        const auto codeIs = [](const char *code) {
            return [code](const Frame &f) {
                return json(f).value(QStringLiteral("code")).toString() == QLatin1String(code);
            };
        };
        int limited = 0;
        int handled = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                while (peer.waitFor(codeIs("RATE_LIMITED"), 0))
                    ++limited;
                while (peer.waitFor(codeIs("SESSION_NOT_FOUND"), 0))
                    ++handled;
                return limited + handled == 8;
            }(),
            5000);
        QVERIFY2(limited >= 3 && handled >= 4,
                 qPrintable(QStringLiteral("%1 limited, %2 handled").arg(limited).arg(handled)));
        QVERIFY(!peer.closed());
    }

    void transactionsHoldSendsUntilCommit()
    {
        start();
        StompPeer peer;
        ready(peer);
        peer.send(frame("BEGIN", {{"transaction", "t1"}}) +
                  frame("SEND",
                        {{"destination", "/app/presence/hello"},
                         {"transaction", "t1"},
                         {"receipt", "queued"}},
                        helloBody(QStringLiteral("LOBBY"), QStringLiteral("tx"), 5)));
        QVERIFY(peer.waitReceipt("queued"));
        // In order on one connection: had the SEND run, its ACK would precede the receipt.
        QVERIFY(!peer.waitMessage("/user/queue/ack", QStringLiteral("ACK"), 0));
        QVERIFY(m_server->engine.sessionsOfRoom(QStringLiteral("room-lobby")).isEmpty());
        peer.send(frame("COMMIT", {{"transaction", "t1"}, {"receipt", "c"}}));
        const std::optional<Frame> ack = peer.waitMessage("/user/queue/ack", QStringLiteral("ACK"));
        QVERIFY(ack);
        QCOMPARE(json(*ack).value(QStringLiteral("ref")).toInteger(), 5);
        QVERIFY(peer.waitReceipt("c"));

        peer.send(frame("BEGIN", {{"transaction", "t2"}}) +
                  frame("SEND", {{"destination", "/app/presence/hello"}, {"transaction", "t2"}},
                        helloBody(QStringLiteral("LOBBY"), QStringLiteral("tx2"), 6)) +
                  frame("ABORT", {{"transaction", "t2"}, {"receipt", "a"}}));
        QVERIFY(peer.waitReceipt("a"));
        QVERIFY(!peer.waitMessage("/user/queue/ack", QStringLiteral("ACK"), 0));
        QCOMPARE(m_server->engine.sessionsOfRoom(QStringLiteral("room-lobby")).size(), 1);
    }

    void disconnectIsAcknowledgedThenClosed()
    {
        start();
        StompPeer peer;
        ready(peer);
        peer.send(frame("DISCONNECT", {{"receipt", "bye"}}));
        QVERIFY(peer.waitReceipt("bye"));
        QVERIFY(peer.waitClosed());
        QCOMPARE(int(peer.socket().closeCode()), int(QWebSocketProtocol::CloseCodeNormal));
    }

    void heartBeatsBothWays()
    {
        GatewayLimits limits;
        limits.stompHeartBeatMs = 150;
        start(limits);

        // The server beats at max(150, 200) while idle; the client's beats keep it open.
        StompPeer alive;
        QVERIFY(alive.open(m_server->url()));
        const std::optional<Frame> connected = alive.login("dev@t1", "200,200");
        QVERIFY(connected);
        QCOMPARE(connected->headerOr("heart-beat"), QByteArray("150,150"));
        QTimer beat;
        connect(&beat, &QTimer::timeout, &alive, [&alive] { alive.send("\n"); });
        beat.start(100);
        QTRY_VERIFY_WITH_TIMEOUT(alive.heartBeats() >= 4, 5000);
        QVERIFY(!alive.closed()); // 4 × 200 ms > the 400 ms the server waits without a beat
        beat.stop();

        // A client that promised beats and went silent is closed after twice the interval.
        StompPeer silent;
        QVERIFY(silent.open(m_server->url()));
        QVERIFY(silent.login("dev@t1", "200,0"));
        QElapsedTimer clock;
        clock.start();
        expectProtocolError(silent, QStringLiteral("nothing received for 400 ms"));
        QVERIFY2(clock.elapsed() >= 350, qPrintable(QString::number(clock.elapsed())));

        // Nobody beats when the client asks for none.
        StompPeer quiet;
        QVERIFY(quiet.open(m_server->url()));
        QVERIFY(quiet.login("dev@t1", "0,0"));
        QVERIFY(!quiet.waitFor("ERROR", 600));
        QCOMPARE(quiet.heartBeats(), 0);
    }
};

QTEST_GUILESS_MAIN(TestStompFraming)
#include "tst_stomp_framing.moc"
