// Every bad input of SPEC 4.1 against a real server: the specified ERROR or close code, no crash,
// and the connection keeps working where the protocol says it stays open.
#include "presence_messages.h"
#include "server_process.h"
#include "ws_client.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

bool isError(const QJsonObject &m)
{
    return m.value(QStringLiteral("type")).toString() == QLatin1String("ERROR");
}

// A hand-rolled WebSocket client for what QWebSocket refuses to send (invalid UTF-8).
class RawWebSocket
{
public:
    bool open(quint16 port, const QByteArray &token)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write("GET /ws/presence HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                       token + "\r\n\r\n");
        QByteArray head;
        QDeadlineTimer deadline(5000);
        while (!head.contains("\r\n\r\n") && !deadline.hasExpired()) {
            if (m_socket.bytesAvailable() == 0)
                m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
            head += m_socket.read(1); // byte by byte: frames may follow the head
        }
        return head.startsWith("HTTP/1.1 101");
    }

    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81)); // FIN + text
        Q_ASSERT(payload.size() < 126);
        frame.append(char(0x80 | payload.size()));
        const quint32 maskKey = QRandomGenerator::global()->generate();
        const char mask[4] = {char(maskKey >> 24), char(maskKey >> 16), char(maskKey >> 8),
                              char(maskKey)};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload[i] ^ mask[i % 4]));
        m_socket.write(frame);
    }

    // Reads frames until a close frame; returns its status code (-1 if none came).
    int waitForCloseCode()
    {
        QByteArray data;
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            if (m_socket.bytesAvailable() == 0 &&
                !m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                break;
            data += m_socket.readAll();
            qsizetype pos = 0;
            while (data.size() - pos >= 2) {
                const quint8 opcode = quint8(data[pos]) & 0x0F;
                qint64 length = quint8(data[pos + 1]) & 0x7F;
                qsizetype header = 2;
                if (length == 126) {
                    if (data.size() - pos < 4)
                        break;
                    length = (quint8(data[pos + 2]) << 8) | quint8(data[pos + 3]);
                    header = 4;
                }
                if (data.size() - pos < header + length)
                    break;
                if (opcode == 0x8)
                    return length >= 2
                               ? (quint8(data[pos + header]) << 8) | quint8(data[pos + header + 1])
                               : 1005;
                pos += header + length;
            }
        }
        return -1;
    }

private:
    QTcpSocket m_socket;
};

} // namespace

class TestProtocolErrorsE2e : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QByteArray m_device;

    // A connected client that has joined LOBBY, to prove the connection still works afterwards.
    void expectStillServing(WsClient &client)
    {
        QVERIFY(client.isConnected());
        const auto ack = client.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                         {QStringLiteral("roomCode"), QStringLiteral("LOBBY")},
                                         {QStringLiteral("clientId"), QStringLiteral("ok")},
                                         {QStringLiteral("appVersion"), QStringLiteral("1")}});
        QVERIFY(ack);
        QCOMPARE(ack->value("type").toString(), QStringLiteral("ACK"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start({QStringLiteral("--rate-limit"), QStringLiteral("20"),
                                 QStringLiteral("--rate-limit-burst"), QStringLiteral("40")}),
                 qPrintable(m_server.errorText()));
        m_device = m_server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                  {QStringLiteral("spidi:user"), QStringLiteral("spidi:monitor")});
        const QByteArray admin = m_server.token(QStringLiteral("alice"), QStringLiteral("acme"),
                                                {QStringLiteral("spidi:admin")});
        QNetworkAccessManager http;
        QCOMPARE(httpRequest(http, "POST", m_server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                             {{QStringLiteral("code"), QStringLiteral("LOBBY")},
                              {QStringLiteral("name"), QStringLiteral("Lobby")},
                              {QStringLiteral("typeCode"), QStringLiteral("GENERIC")}})
                     .status,
                 201);
    }

    void cleanupTestCase()
    {
        QCOMPARE(m_server.terminate(), 0);
        QCOMPARE(m_server.logEvents(QStringLiteral("server.stopped")).size(), 1);
    }

    // A proxy keeping upstream connections alive sends an upgrade after a REST request on the
    // same connection; it must be served like one on a fresh connection.
    void upgradeOnAKeptAliveConnection()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray received;
        const auto readUntil = [&](const std::function<bool()> &done) {
            QDeadlineTimer deadline(5000);
            while (!done() && !deadline.hasExpired() && socket.waitForReadyRead(100))
                received += socket.readAll();
            received += socket.readAll();
            return done();
        };
        QVERIFY(readUntil([&] {
            const qsizetype head = received.indexOf("\r\n\r\n");
            if (head < 0)
                return false;
            const QRegularExpression lengthHeader(QStringLiteral("content-length: *(\\d+)"),
                                                  QRegularExpression::CaseInsensitiveOption);
            const auto match = lengthHeader.match(QString::fromLatin1(received.left(head)));
            return match.hasMatch() && received.size() >= head + 4 + match.captured(1).toInt();
        }));
        QVERIFY2(received.startsWith("HTTP/1.1 200"), received.constData());
        QVERIFY(socket.state() == QAbstractSocket::ConnectedState);

        received.clear();
        socket.write(upgradeRequest("/ws/presence", m_device));
        QVERIFY2(readUntil([&] { return received.contains("\r\n\r\n"); }), received.constData());
        QVERIFY2(received.startsWith("HTTP/1.1 101"), received.constData());
        QTRY_VERIFY_WITH_TIMEOUT(!m_server.logEvents(QStringLiteral("websocket.opened")).isEmpty(),
                                 5000);

        // The endpoint without an upgrade: told so, not left waiting.
        const HttpReply plain =
            rawHttpRequest(m_server.port(), "GET /ws/presence HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(plain.status, 426);
        QCOMPARE(plain.header("Content-Type"), QByteArray("application/problem+json"));
    }

    void malformedFramesGetBadRequest_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("invalid JSON") << "{\"type\": \"HELLO\","
                                      << "BAD_REQUEST"
                                      << "JSON";
        QTest::newRow("not an object") << "[1,2,3]"
                                       << "BAD_REQUEST"
                                       << "object";
        QTest::newRow("empty") << ""
                               << "BAD_REQUEST"
                               << "";
        QTest::newRow("missing type") << "{\"roomCode\":\"LOBBY\"}"
                                      << "BAD_REQUEST"
                                      << "type";
        QTest::newRow("type not a string") << "{\"type\":7}"
                                           << "BAD_REQUEST"
                                           << "type";
        QTest::newRow("unknown type") << "{\"type\":\"DANCE\"}"
                                      << "UNKNOWN_TYPE"
                                      << "DANCE";
        QTest::newRow("hello without roomCode")
            << "{\"type\":\"HELLO\",\"clientId\":\"c\",\"appVersion\":\"1\"}"
            << "BAD_REQUEST"
            << "roomCode";
        QTest::newRow("hello roomCode not a string")
            << "{\"type\":\"HELLO\",\"roomCode\":5,\"clientId\":\"c\",\"appVersion\":\"1\"}"
            << "BAD_REQUEST"
            << "roomCode";
        QTest::newRow("heartbeat without sessionId") << "{\"type\":\"HEARTBEAT\"}"
                                                     << "BAD_REQUEST"
                                                     << "sessionId";
        QTest::newRow("latency not a number")
            << "{\"type\":\"HEARTBEAT\",\"sessionId\":\"x\",\"latencyMs\":\"fast\"}"
            << "BAD_REQUEST"
            << "latencyMs";
        QTest::newRow("negative latency")
            << "{\"type\":\"HEARTBEAT\",\"sessionId\":\"x\",\"latencyMs\":-5}"
            << "BAD_REQUEST"
            << "latencyMs";
        QTest::newRow("seq not an integer")
            << "{\"type\":\"LEAVE\",\"sessionId\":\"x\",\"seq\":\"one\"}"
            << "BAD_REQUEST"
            << "seq";
        QTest::newRow("bad topic") << "{\"type\":\"SUBSCRIBE\",\"topic\":\"room//metrics\"}"
                                   << "BAD_REQUEST"
                                   << "topic";
        QTest::newRow("unknown session")
            << "{\"type\":\"HEARTBEAT\",\"sessionId\":\"00000000-0000-0000-0000-000000000000\"}"
            << "SESSION_NOT_FOUND"
            << "";
        QTest::newRow("unknown room")
            << "{\"type\":\"HELLO\",\"roomCode\":\"NOPE\",\"clientId\":\"c\",\"appVersion\":\"1\"}"
            << "ROOM_NOT_FOUND"
            << "NOPE";
    }

    void malformedFramesGetBadRequest()
    {
        QFETCH(QString, frame);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        client.sendText(frame);
        const auto error = client.waitFor(isError);
        QVERIFY2(error, "no ERROR for a bad frame");
        QCOMPARE(codeOf(error), code);
        QVERIFY2(error->value("message").toString().contains(mentions, Qt::CaseInsensitive),
                 qPrintable(error->value("message").toString()));
        expectStillServing(client);
    }

    void errorCarriesTheRequestSeqAsRef()
    {
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        client.sendText(QStringLiteral("{\"type\":\"NOPE\",\"seq\":41}"));
        const auto error = client.waitFor(isError);
        QVERIFY(error);
        QCOMPARE(error->value("ref").toInteger(), 41);
    }

    void binaryFramesGetBadRequest()
    {
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        client.sendBinary(QByteArray("\x01\x02\x03", 3));
        const auto error = client.waitFor(isError);
        QCOMPARE(codeOf(error), QStringLiteral("BAD_REQUEST"));
        QVERIFY(error->value("message").toString().contains(QLatin1String("binary")));
        expectStillServing(client);
    }

    void oversizedFrameClosesWith1009()
    {
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        QString big = QStringLiteral("{\"type\":\"HELLO\",\"roomCode\":\"");
        big += QString(70 * 1024, QLatin1Char('A'));
        big += QStringLiteral("\"}");
        client.sendText(big);
        const auto error = client.waitFor(isError);
        QCOMPARE(codeOf(error), QStringLiteral("BAD_REQUEST"));
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1009);
    }

    void frameJustUnderTheLimitIsParsed()
    {
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        // 60 KiB of valid JSON: refused for its content (unknown room), not for its size.
        QString frame =
            QStringLiteral("{\"type\":\"HELLO\",\"clientId\":\"c\",\"appVersion\":\"1\","
                           "\"roomCode\":\"NOPE\",\"pad\":\"");
        frame += QString(60 * 1024, QLatin1Char('x'));
        frame += QStringLiteral("\"}");
        client.sendText(frame);
        const auto error = client.waitFor(isError);
        QVERIFY(error);
        QVERIFY(codeOf(error) != QLatin1String("<none>"));
        QVERIFY(client.isConnected());
    }

    void invalidUtf8ClosesWith1007()
    {
        // RFC 6455 8.1 requires failing the connection on invalid UTF-8 in a text frame; Qt
        // WebSockets does so with 1007 before the frame reaches Spidi (docs/protocol.md).
        RawWebSocket raw;
        QVERIFY(raw.open(m_server.port(), m_device));
        raw.sendText(QByteArray("{\"type\":\"\xC3\x28\"}"));
        QCOMPARE(raw.waitForCloseCode(), 1007);
        // The server is unharmed.
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        expectStillServing(client);
    }

    void floodIsRateLimitedThenClosedWith1008()
    {
        WsClient client;
        QVERIFY(client.open(m_server.wsUrl(), m_device));
        const QJsonObject ping{{QStringLiteral("type"), QStringLiteral("HEARTBEAT")},
                               {QStringLiteral("sessionId"), QStringLiteral("x")}};
        for (int i = 0; i < 400 && client.isConnected(); ++i)
            client.send(ping);
        const auto limited = client.waitFor([](const QJsonObject &m) {
            return isError(m) && m.value("code").toString() == QLatin1String("RATE_LIMITED");
        });
        QVERIFY2(limited, "no RATE_LIMITED error");
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1008);
        // Only the flooder is cut off.
        WsClient polite;
        QVERIFY(polite.open(m_server.wsUrl(), m_device));
        expectStillServing(polite);
    }

    void wrongWebSocketPathIs404()
    {
        const HttpReply reply =
            rawHttpRequest(m_server.port(), upgradeRequest("/ws/elsewhere", m_device));
        QCOMPARE(reply.status, 404);
    }
};

QTEST_GUILESS_MAIN(TestProtocolErrorsE2e)
#include "tst_protocol_errors_e2e.moc"
