// One WebSocket connection's limits, and the front door's, on an in-process server (FrontDoor ->
// QWebSocketServer -> WebSocketGateway -> ClientConnection) with a fixed-principal
// authenticator. Complements tests/e2e/tst_protocol_errors_e2e.cpp, which covers malformed
// frames, binary frames, a 70 KiB frame, invalid UTF-8, a flood and a wrong path against the real
// binary; here: exact boundaries (frame size, request head size, burst count), the rate limiter's
// recovery after a quiet period, the hard frame ceiling, admission control and the head timeout.
#include "in_process_gateway.h"
#include "server_process.h"
#include "ws_client.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTest>

using namespace spidi;
using spidi::test::HttpReply;
using spidi::test::WsClient;
using spidi::test::InProcessGateway;

namespace {

QString typeOf(const std::optional<QJsonObject> &m)
{
    return m ? m->value(QLatin1String("type")).toString() : QStringLiteral("<none>");
}

QString codeOf(const std::optional<QJsonObject> &m)
{
    return m ? m->value(QLatin1String("code")).toString() : QStringLiteral("<none>");
}

bool isError(const QJsonObject &m)
{
    return m.value(QLatin1String("type")).toString() == QLatin1String("ERROR");
}

// A HELLO to an unknown room padded to exactly `bytes` bytes of UTF-8 (the pad uses `fill`,
// one or two bytes per character): refused for its content, so the reply shows it was parsed.
QString frameOfExactly(qsizetype bytes, QChar fill = QLatin1Char('x'))
{
    const QString head = QStringLiteral("{\"type\":\"HELLO\",\"seq\":7,\"clientId\":\"c\","
                                        "\"appVersion\":\"1\",\"roomCode\":\"NOPE\",\"pad\":\"");
    const QString tail = QStringLiteral("\"}");
    const qsizetype fixed = head.toUtf8().size() + tail.toUtf8().size();
    const qsizetype perChar = QString(fill).toUtf8().size();
    qsizetype remaining = bytes - fixed;
    QString pad(remaining / perChar, fill);
    pad += QString(remaining % perChar, QLatin1Char('x'));
    const QString frame = head + pad + tail;
    Q_ASSERT(frame.toUtf8().size() == bytes);
    return frame;
}

// Sends raw bytes to the front door and reads the HTTP response without blocking the event loop
// (the server runs in this thread). `keepOpen` leaves the socket for the caller.
HttpReply exchange(quint16 port, const QByteArray &request)
{
    HttpReply result;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return result;
    socket.write(request);
    QByteArray data;
    qsizetype headEnd = -1;
    qsizetype length = 0;
    const bool complete = QTest::qWaitFor(
        [&] {
            data += socket.readAll();
            headEnd = data.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return false;
            length = 0;
            for (const QByteArray &line : data.left(headEnd).split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length")
                    length = line.mid(colon + 1).trimmed().toLongLong();
            }
            return data.size() >= headEnd + 4 + length;
        },
        10000);
    if (!complete)
        return result;
    const QList<QByteArray> lines = data.left(headEnd).split('\n');
    const QList<QByteArray> status = lines.first().split(' ');
    result.status = status.size() > 1 ? status.at(1).toInt() : 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon > 0)
            result.headers.append(
                {lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed()});
    }
    result.body = data.mid(headEnd + 4, length);
    return result;
}

// A GET whose head (up to, not including, the blank line) is exactly `headBytes` long.
QByteArray getWithHeadOf(qsizetype headBytes)
{
    const QByteArray start = "GET /api/v1/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
    QByteArray request = start + QByteArray(headBytes - start.size(), 'p');
    Q_ASSERT(request.size() == headBytes);
    return request + "\r\n\r\n";
}

QJsonObject heartbeatForNobody()
{
    return {{QStringLiteral("type"), QStringLiteral("HEARTBEAT")},
            {QStringLiteral("sessionId"), QStringLiteral("00000000-0000-0000-0000-000000000000")}};
}

} // namespace

class TestClientConnection : public QObject
{
    Q_OBJECT

    std::unique_ptr<InProcessGateway> m_server;

    InProcessGateway &start(const GatewayLimits &limits)
    {
        m_server = std::make_unique<InProcessGateway>(limits);
        return *m_server;
    }

    // Counts replies of each kind among everything received so far.
    static int count(const WsClient &client, const std::function<bool(const QJsonObject &)> &match)
    {
        const QList<QJsonObject> all = client.received();
        return int(std::count_if(all.cbegin(), all.cend(), match));
    }
    static bool isRateLimited(const QJsonObject &m)
    {
        return isError(m) &&
               m.value(QLatin1String("code")).toString() == QLatin1String("RATE_LIMITED");
    }
    static bool isSessionNotFound(const QJsonObject &m)
    {
        return isError(m) &&
               m.value(QLatin1String("code")).toString() == QLatin1String("SESSION_NOT_FOUND");
    }

private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(QStringLiteral("spidi.*.info=false")); }
    void cleanup() { m_server.reset(); }

    void frameSizeBoundary_data()
    {
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<QChar>("fill");
        QTest::newRow("1 KiB, ASCII") << qint64(1024) << QChar(QLatin1Char('x'));
        QTest::newRow("1 KiB, two-byte UTF-8") << qint64(1024) << QChar(0x00E9); // é
        QTest::newRow("64 KiB default, ASCII") << qint64(65536) << QChar(QLatin1Char('x'));
        QTest::newRow("64 KiB default, two-byte UTF-8") << qint64(65536) << QChar(0x00E9);
    }

    // A frame of exactly maxFrameBytes (counted in UTF-8 bytes, not characters) is parsed; one
    // byte more is refused with BAD_REQUEST and closes with 1009.
    void frameSizeBoundary()
    {
        QFETCH(qint64, limit);
        QFETCH(QChar, fill);
        GatewayLimits limits;
        limits.maxFrameBytes = limit;
        InProcessGateway &server = start(limits);

        WsClient atLimit;
        QVERIFY(atLimit.open(server.url(), "dev@t1"));
        const QString exact = frameOfExactly(limit, fill);
        QVERIFY(exact.size() < limit || fill == QLatin1Char('x')); // fewer chars than bytes
        atLimit.sendText(exact);
        const auto parsed = atLimit.waitFor(isError);
        QCOMPARE(codeOf(parsed), QStringLiteral("ROOM_NOT_FOUND")); // refused for its content
        QCOMPARE(parsed->value(QLatin1String("ref")).toInteger(), 7);
        QVERIFY(atLimit.isConnected());
        // Still serving.
        const auto ack = atLimit.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                          {QStringLiteral("roomCode"), QStringLiteral("LOBBY")},
                                          {QStringLiteral("clientId"), QStringLiteral("c")},
                                          {QStringLiteral("appVersion"), QStringLiteral("1")}});
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));

        WsClient overLimit;
        QVERIFY(overLimit.open(server.url(), "dev@t1"));
        overLimit.sendText(frameOfExactly(limit + 1, fill));
        const auto refused = overLimit.waitFor(isError);
        QCOMPARE(codeOf(refused), QStringLiteral("BAD_REQUEST"));
        const QString message = refused->value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(QString::number(limit + 1)) &&
                     message.contains(QString::number(limit)),
                 qPrintable(message));
        QVERIFY(!refused->contains(QLatin1String("ref"))); // the frame was never parsed
        QVERIFY(overLimit.waitClosed());
        QCOMPARE(overLimit.closeCode(), 1009);
        // Only that connection is closed.
        QVERIFY(atLimit.isConnected());
        QTRY_COMPARE(server.gateway.connectionCount(), 1);
    }

    // Above the hard ceiling (1 MiB) Qt closes with 1009 itself, without buffering the frame
    // for Spidi; the server is unharmed.
    void frameOverTheHardCeilingCloses1009()
    {
        GatewayLimits limits;
        limits.maxFrameBytes = 1024;
        InProcessGateway &server = start(limits);
        WsClient client;
        QVERIFY(client.open(server.url(), "dev@t1"));
        client.sendText(frameOfExactly(1024 * 1024 + 1));
        QVERIFY(client.waitClosed(10000));
        QCOMPARE(client.closeCode(), 1009);
        QTRY_COMPARE(server.gateway.connectionCount(), 0);

        WsClient next;
        QVERIFY(next.open(server.url(), "dev@t1"));
        QCOMPARE(codeOf(next.request(heartbeatForNobody())), QStringLiteral("SESSION_NOT_FOUND"));
    }

    // Exactly `burst` messages are admitted at once; each refused one gets RATE_LIMITED; up to
    // `burst` refusals in a row keep the connection; after a quiet period the full burst is
    // available again and the refusal count starts over; one refusal more than a burst closes
    // with 1008.
    void rateLimitBurstQuietPeriodAndClose()
    {
        GatewayLimits limits;
        limits.rateLimitPerSec = 5; // one token per 200 ms: the batches below take microseconds
        limits.rateLimitBurst = 5;
        InProcessGateway &server = start(limits);
        WsClient client;
        QVERIFY(client.open(server.url(), "dev@t1"));

        for (int i = 0; i < 10; ++i)
            client.send(heartbeatForNobody());
        QTRY_COMPARE(count(client, isSessionNotFound) + count(client, isRateLimited), 10);
        QCOMPARE(count(client, isSessionNotFound), 5);
        QCOMPARE(count(client, isRateLimited), 5);
        QVERIFY(client.isConnected()); // 5 refused in a row: not more than a burst

        // Quiet period: 1.1 s at 5/s refills the bucket to its burst of 5 (not 5.5).
        QTest::qWait(1100);
        QVERIFY(client.isConnected());
        for (int i = 0; i < 10; ++i)
            client.send(heartbeatForNobody());
        QTRY_COMPARE(count(client, isSessionNotFound) + count(client, isRateLimited), 20);
        QCOMPARE(count(client, isSessionNotFound), 10);
        QCOMPARE(count(client, isRateLimited), 10);
        QVERIFY(client.isConnected()); // the admissions reset the in-a-row count

        // The sixth refusal in a row closes the connection (policy violation), without an ERROR.
        client.send(heartbeatForNobody());
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1008);
        QCOMPARE(count(client, isRateLimited), 10);
        QTRY_COMPARE(server.gateway.connectionCount(), 0);
    }

    // FrontDoor::setWebSocketAdmission: an upgrade past the limit gets 503 with Retry-After and a
    // problem+json body, before any handshake; a freed slot admits again.
    void admissionLimitAnswers503()
    {
        InProcessGateway &server = start(GatewayLimits{});
        server.door.setWebSocketAdmission(
            [&server] { return server.gateway.connectionCount() < 2; });
        WsClient first, second;
        QVERIFY(first.open(server.url(), "dev@t1"));
        QVERIFY(second.open(server.url(), "dev@t1"));
        QTRY_COMPARE(server.gateway.connectionCount(), 2);

        const HttpReply refused =
            exchange(server.door.port(), spidi::test::upgradeRequest("/ws/presence", "dev@t1"));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.header("Retry-After"), QByteArray("5"));
        QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(refused.json().value(QLatin1String("status")).toInt(), 503);
        WsClient third;
        QVERIFY(!third.open(server.url(), "dev@t1", {}, 3000));
        QCOMPARE(server.gateway.connectionCount(), 2);

        // Authentication is checked before admission: a bad token is 401, not 503.
        QCOMPARE(
            exchange(server.door.port(), spidi::test::upgradeRequest("/ws/presence", {})).status,
            401);

        first.close();
        QTRY_COMPARE(server.gateway.connectionCount(), 1);
        WsClient fourth;
        QVERIFY(fourth.open(server.url(), "dev@t1"));
        QCOMPARE(codeOf(fourth.request(heartbeatForNobody())), QStringLiteral("SESSION_NOT_FOUND"));
    }

    // The request head may be up to 16 KiB (plus its blank line); one byte more is 431.
    void requestHeadLimitIs16KiB()
    {
        InProcessGateway &server = start(GatewayLimits{});
        QCOMPARE(FrontDoor::MaxRequestHeadBytes, qint64(16 * 1024));
        // Exactly at the limit: routed (no HTTP server in this harness, hence 404).
        const HttpReply atLimit =
            exchange(server.door.port(), getWithHeadOf(FrontDoor::MaxRequestHeadBytes));
        QCOMPARE(atLimit.status, 404);
        QVERIFY(atLimit.json()
                    .value(QLatin1String("detail"))
                    .toString()
                    .contains(QLatin1String("no HTTP service")));
        // One byte over: 431, problem+json.
        const HttpReply over =
            exchange(server.door.port(), getWithHeadOf(FrontDoor::MaxRequestHeadBytes + 1));
        QCOMPARE(over.status, 431);
        QCOMPARE(over.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(over.json().value(QLatin1String("status")).toInt(), 431);
        // Far over, and never terminated: 431 as soon as 16 KiB have arrived.
        const HttpReply endless =
            exchange(server.door.port(), "GET / HTTP/1.1\r\nX-Pad: " + QByteArray(40000, 'p'));
        QCOMPARE(endless.status, 431);
        // The door still works.
        WsClient client;
        QVERIFY(client.open(server.url(), "dev@t1"));
    }

    // A client that never finishes its request head is dropped after the head timeout
    // (10 s in production, 400 ms here).
    void unfinishedRequestHeadIsDropped()
    {
        InProcessGateway &server = start(GatewayLimits{});
        server.door.setRequestHeadTimeoutMs(400);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.door.port());
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                                5000));
        QElapsedTimer timer;
        timer.start();
        socket.write("GET /ws/presence HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // no blank line, ever
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                                15000));
        const qint64 elapsed = timer.elapsed();
        qInfo("unfinished head dropped after %lld ms", qlonglong(elapsed));
        QVERIFY2(elapsed >= 250, qPrintable(QString::number(elapsed)));
        QVERIFY(socket.readAll().isEmpty()); // dropped without a response
    }
};

QTEST_GUILESS_MAIN(TestClientConnection)
#include "tst_client_connection.moc"
