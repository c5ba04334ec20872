// End to end: spidi::PresenceClient against a real spidi-server process, over real sockets.
// Transport faults go through TcpProxy, a real TCP forwarder the test can cut or partition.
#include "client_errors.h"
#include "presence_client.h"
#include "server_process.h"
#include "tcp_proxy.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi;
using namespace spidi::test;
using namespace std::chrono_literals;
using State = PresenceClient::State;

namespace {

const QString kTenant = QStringLiteral("acme");
// Short enough that expiry tests finish in seconds, long enough that a resume after a cut
// lands well inside it on a loaded machine.
constexpr int kSessionTimeoutSec = 4;

QList<State> statesOf(const QSignalSpy &spy)
{
    QList<State> states;
    for (const QList<QVariant> &args : spy)
        states.append(args.first().value<State>());
    return states;
}

} // namespace

class TestPresenceClient : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QNetworkAccessManager m_http;
    QByteArray m_admin, m_monitor, m_device;
    int m_roomCounter = 0;

    // A fresh room per test, so that sessions of one test never show up in another's checks.
    QString createRoom(int ttlSec = 3600)
    {
        const QString code = QStringLiteral("CLIENT-%1").arg(++m_roomCounter);
        const HttpReply reply =
            httpRequest(m_http, "POST", m_server.httpUrl(QStringLiteral("/api/v1/rooms")), m_admin,
                        {{QStringLiteral("code"), code},
                         {QStringLiteral("name"), QStringLiteral("Client test room")},
                         {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                         {QStringLiteral("ttlSec"), ttlSec}});
        if (reply.status != 201)
            qWarning("create room %s: %d %s", qPrintable(code), reply.status,
                     reply.body.constData());
        return code;
    }

    QJsonArray sessions(const QString &room)
    {
        const HttpReply reply = httpRequest(
            m_http, "GET", m_server.httpUrl(QStringLiteral("/api/v1/rooms/%1/sessions").arg(room)),
            m_monitor);
        return reply.json().value(QStringLiteral("items")).toArray();
    }

    QJsonObject sessionById(const QString &room, const QString &sessionId)
    {
        for (const QJsonValue &s : sessions(room))
            if (s.toObject().value(QStringLiteral("sessionId")).toString() == sessionId)
                return s.toObject();
        return {};
    }

    // Reason of the session's end in the server's log ("" while it is live).
    QString endReason(const QString &sessionId) const
    {
        for (const QJsonObject &event : m_server.logEvents(QStringLiteral("session.ended")))
            if (event.value(QStringLiteral("session_id")).toString() == sessionId)
                return event.value(QStringLiteral("reason")).toString();
        return {};
    }

    int endedCount(const QString &reason) const
    {
        int count = 0;
        for (const QJsonObject &event : m_server.logEvents(QStringLiteral("session.ended")))
            count += event.value(QStringLiteral("reason")).toString() == reason ? 1 : 0;
        return count;
    }

    void configure(PresenceClient &client, const QString &room, const QUrl &url,
                   const QString &clientId = QStringLiteral("phone-1"))
    {
        client.setUrl(url);
        client.setToken(m_device);
        client.setIdentity({room, clientId, QStringLiteral("2.4.1"), QStringLiteral("Pixel 8"),
                            QStringLiteral("Android 14")});
        client.setHeartbeatInterval(200ms);
        client.setReconnectBackoff({100ms, 400ms, 2.0, 0.2});
        client.setReconnectSeed(1);
    }

    QUrl proxiedUrl(const TcpProxy &proxy) const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/presence").arg(proxy.port()));
    }

    // Opens and waits for the join; returns the session id.
    QString openAndJoin(PresenceClient &client)
    {
        QSignalSpy joined(&client, &PresenceClient::joined);
        client.open();
        if (!joined.wait(10000))
            return {};
        return joined.first().at(0).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_SERVER_BIN"), "SPIDI_SERVER_BIN not set");
        QVERIFY2(m_server.start({QStringLiteral("--heartbeat-interval"), QStringLiteral("1"),
                                 QStringLiteral("--session-timeout"),
                                 QString::number(kSessionTimeoutSec)}),
                 qPrintable(m_server.errorText()));
        m_admin = m_server.token(QStringLiteral("alice"), kTenant, {QStringLiteral("spidi:admin")});
        m_monitor =
            m_server.token(QStringLiteral("mona"), kTenant, {QStringLiteral("spidi:monitor")});
        m_device = m_server.token(QStringLiteral("dave"), kTenant, {QStringLiteral("spidi:user")});
        QVERIFY(!m_admin.isEmpty() && !m_monitor.isEmpty() && !m_device.isEmpty());
    }

    void cleanupTestCase() { QCOMPARE(m_server.terminate(), 0); }

    void joinEmitsTheSessionAndTheServerListsTheDevice()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        QSignalSpy states(&client, &PresenceClient::stateChanged);
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QCOMPARE(client.sessionId(), sessionId);
        QCOMPARE(client.state(), State::Joined);
        QCOMPARE(statesOf(states),
                 (QList<State>{State::Connecting, State::Joining, State::Joined}));
        QCOMPARE(client.sessionTimeoutSec(), kSessionTimeoutSec);

        const QJsonObject session = sessionById(room, sessionId);
        QCOMPARE(session.value("userId").toString(), QStringLiteral("dave"));
        QCOMPARE(session.value("clientId").toString(), QStringLiteral("phone-1"));
        QCOMPARE(session.value("device").toString(), QStringLiteral("Pixel 8"));
        QCOMPARE(session.value("os").toString(), QStringLiteral("Android 14"));
        QCOMPARE(session.value("appVersion").toString(), QStringLiteral("2.4.1"));
        QCOMPARE(session.value("roomCode").toString(), room);
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void heartbeatsReportTheMeasuredRoundTrip()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        QSignalSpy latencies(&client, &PresenceClient::latencyMeasured);
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QCOMPARE(sessions(room).size(), 1);
        QVERIFY(sessionById(room, sessionId).value("latencyMs").isNull());

        // The first ACK gives a measurement; the next heartbeat carries it to the server.
        QVERIFY(latencies.wait(5000));
        const int measured = latencies.first().first().toInt();
        QVERIFY2(measured >= 0 && measured < 1000, qPrintable(QString::number(measured)));
        QTRY_VERIFY_WITH_TIMEOUT(!sessionById(room, sessionId).value("latencyMs").isNull(), 5000);
        const QJsonObject session = sessionById(room, sessionId);
        QVERIFY(session.value("latencyMs").toInt() >= 0);
        QVERIFY(session.value("latencyMs").toInt() < 1000);
        QVERIFY(session.value("heartbeatCount").toInt() >= 2);
        QCOMPARE(client.latencyMs(), latencies.last().first().toInt());
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void latencyAdjusterChangesWhatIsReported()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        client.setLatencyAdjuster([](int measured) { return measured + 250; });
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!sessionById(room, sessionId).value("latencyMs").isNull(), 5000);
        const int reported = sessionById(room, sessionId).value("latencyMs").toInt();
        QVERIFY2(reported >= 250 && reported < 1250, qPrintable(QString::number(reported)));
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void transportDropReconnectsAndResumesTheSameSession()
    {
        const QString room = createRoom();
        TcpProxy proxy;
        QVERIFY(proxy.listen(m_server.port()));
        PresenceClient client;
        configure(client, room, proxiedUrl(proxy));
        QSignalSpy joined(&client, &PresenceClient::joined);
        QSignalSpy states(&client, &PresenceClient::stateChanged);
        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        client.open();
        QVERIFY(joined.wait(10000));
        const QString sessionId = joined.first().at(0).toString();
        QCOMPARE(joined.first().at(1).toBool(), false);
        states.clear();

        proxy.cutAll();
        QTRY_COMPARE_WITH_TIMEOUT(joined.size(), 2, 10000);
        QCOMPARE(joined.at(1).at(0).toString(), sessionId);
        QCOMPARE(joined.at(1).at(1).toBool(), true);
        QCOMPARE(client.sessionId(), sessionId);
        QCOMPARE(statesOf(states),
                 (QList<State>{State::Reconnecting, State::Joining, State::Joined}));
        QCOMPARE(errors.first().at(0).toString(), QString(client_error::ConnectionLost));
        // The server kept the one session: no leave, no second session.
        const QJsonArray live = sessions(room);
        QCOMPARE(live.size(), 1);
        QCOMPARE(live.first().toObject().value("sessionId").toString(), sessionId);
        QCOMPARE(endReason(sessionId), QString());
        // Heartbeats go on over the new connection.
        const int before = sessionById(room, sessionId).value("heartbeatCount").toInt();
        QTRY_VERIFY_WITH_TIMEOUT(
            sessionById(room, sessionId).value("heartbeatCount").toInt() > before, 5000);
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void reconnectAttemptsBackOffUntilTheServerIsReachable()
    {
        const QString room = createRoom();
        TcpProxy proxy;
        QVERIFY(proxy.listen(m_server.port()));
        PresenceClient client;
        configure(client, room, proxiedUrl(proxy));
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QCOMPARE(proxy.acceptTimesMs().size(), 1);

        proxy.setRefusing(true);
        proxy.cutAll();
        // Backoff 100 ms doubling to a 400 ms cap, jitter 20 %: attempts after about 100, 200,
        // 400 and 400 ms.
        QTRY_VERIFY_WITH_TIMEOUT(proxy.acceptTimesMs().size() >= 5, 10000);
        QCOMPARE(client.state(), State::Reconnecting);
        const QList<qint64> times = proxy.acceptTimesMs();
        QList<qint64> gaps;
        for (int i = 2; i < 5; ++i)
            gaps.append(times[i] - times[i - 1]);
        const QList<qint64> bases = {200, 400, 400};
        for (int i = 0; i < gaps.size(); ++i) {
            const QString what =
                QStringLiteral("gaps %1 %2 %3").arg(gaps[0]).arg(gaps[1]).arg(gaps[2]);
            // Lower bound: the jittered delay; upper: the cap plus scheduling slack.
            QVERIFY2(gaps[i] >= qint64(double(bases[i]) * 0.8) - 5, qPrintable(what));
            QVERIFY2(gaps[i] <= bases[i] + 600, qPrintable(what));
        }
        QVERIFY(gaps[1] > gaps[0] - 50);

        QSignalSpy joined(&client, &PresenceClient::joined);
        proxy.setRefusing(false);
        QVERIFY(joined.wait(5000));
        QCOMPARE(joined.first().at(0).toString(), sessionId);
        QCOMPARE(joined.first().at(1).toBool(), true);
        QCOMPARE(client.reconnectAttempts(), 0);
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void silentDeviceIsExpiredAndJoinsAgainWhenItWakes()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        const QString first = openAndJoin(client);
        QVERIFY(!first.isEmpty());

        QSignalSpy ended(&client, &PresenceClient::sessionEnded);
        QSignalSpy joined(&client, &PresenceClient::joined);
        client.setHeartbeatsSuspended(true);
        QVERIFY(ended.wait((kSessionTimeoutSec + 5) * 1000));
        QCOMPARE(ended.first().at(0).toString(), first);
        QCOMPARE(ended.first().at(1).toString(), QStringLiteral("EXPIRED"));
        QCOMPARE(endReason(first), QStringLiteral("EXPIRED"));
        // A suspended device sends nothing, not even the new HELLO.
        QCOMPARE(client.state(), State::Joining);
        QVERIFY(!joined.wait(300));

        client.setHeartbeatsSuspended(false);
        QVERIFY(joined.wait(5000));
        const QString second = joined.first().at(0).toString();
        QVERIFY(second != first);
        QCOMPARE(joined.first().at(1).toBool(), false);
        QCOMPARE(sessionById(room, second).value("clientId").toString(), QStringLiteral("phone-1"));
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void ttlEndJoinsAgainAsANewSession()
    {
        const QString room = createRoom(2);
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        QSignalSpy ended(&client, &PresenceClient::sessionEnded);
        QSignalSpy joined(&client, &PresenceClient::joined);
        client.open();
        QVERIFY(joined.wait(5000));
        const QString first = joined.first().at(0).toString();
        QTRY_COMPARE_WITH_TIMEOUT(joined.size(), 2, 10000);
        QCOMPARE(ended.first().at(0).toString(), first);
        QCOMPARE(ended.first().at(1).toString(), QStringLiteral("TTL"));
        const QString second = joined.at(1).at(0).toString();
        QVERIFY(second != first);
        QCOMPARE(joined.at(1).at(1).toBool(), false);
        QCOMPARE(endReason(first), QStringLiteral("TTL"));
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void partitionOutlivingTheSessionJoinsAgainOnSessionNotFound()
    {
        const QString room = createRoom();
        TcpProxy proxy;
        QVERIFY(proxy.listen(m_server.port()));
        PresenceClient client;
        configure(client, room, proxiedUrl(proxy));
        // Keep the client from declaring the transport dead during the partition: this test is
        // about the server having forgotten the session meanwhile.
        client.setHeartbeatAckTimeout(60s);
        const QString first = openAndJoin(client);
        QVERIFY(!first.isEmpty());

        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        QSignalSpy joined(&client, &PresenceClient::joined);
        proxy.setBlackholed(true); // SESSION_ENDED is lost on the way, like every heartbeat
        QTRY_COMPARE_WITH_TIMEOUT(endReason(first), QStringLiteral("EXPIRED"),
                                  (kSessionTimeoutSec + 5) * 1000);
        QCOMPARE(client.state(), State::Joined); // it cannot know yet
        proxy.setBlackholed(false);

        QVERIFY(joined.wait(5000));
        QCOMPARE(errors.first().at(0).toString(), QStringLiteral("SESSION_NOT_FOUND"));
        const QString second = joined.first().at(0).toString();
        QVERIFY(second != first);
        QCOMPARE(joined.first().at(1).toBool(), false);
        QCOMPARE(proxy.acceptTimesMs().size(), 1); // same connection throughout
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void unacknowledgedHeartbeatsDropADeadTransport()
    {
        const QString room = createRoom();
        TcpProxy proxy;
        QVERIFY(proxy.listen(m_server.port()));
        PresenceClient client;
        configure(client, room, proxiedUrl(proxy));
        client.setHeartbeatAckTimeout(800ms);
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());

        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        QSignalSpy joined(&client, &PresenceClient::joined);
        proxy.setBlackholed(true);
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).toString(), QString(client_error::HeartbeatTimeout));
        proxy.setBlackholed(false); // the new connection gets through
        QVERIFY(joined.wait(5000));
        QCOMPARE(joined.first().at(0).toString(), sessionId);
        QCOMPARE(joined.first().at(1).toBool(), true);
        QCOMPARE(proxy.acceptTimesMs().size(), 2);
        client.close();
        QTRY_COMPARE(client.state(), State::Closed);
    }

    void closeSendsLeaveAndWaitsForItsAck()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QCOMPARE(sessions(room).size(), 1);

        QSignalSpy states(&client, &PresenceClient::stateChanged);
        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        client.close();
        QCOMPARE(client.state(), State::Leaving); // nothing blocks: the ACK is still to come
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(statesOf(states), (QList<State>{State::Leaving, State::Closed}));
        QCOMPARE(errors.size(), 0); // in particular no LEAVE_TIMEOUT
        QCOMPARE(client.sessionId(), QString());
        QTRY_COMPARE(endReason(sessionId), QStringLiteral("LEFT"));
        QCOMPARE(sessions(room).size(), 0);
    }

    void closeWhileTheHelloIsInFlightLeavesTheSessionItOpens()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        const int leftBefore = endedCount(QStringLiteral("LEFT"));
        QSignalSpy states(&client, &PresenceClient::stateChanged);
        QSignalSpy joined(&client, &PresenceClient::joined);
        // Joining is announced with the HELLO already sent: close right then.
        connect(&client, &PresenceClient::stateChanged, &client, [&client](State state) {
            if (state == State::Joining)
                client.close();
        });
        client.open();
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(statesOf(states),
                 (QList<State>{State::Connecting, State::Joining, State::Leaving, State::Closed}));
        QCOMPARE(joined.size(), 0);
        QCOMPARE(client.lastErrorCode(), QString());
        // The session the server opened for the HELLO was left, not orphaned until its timeout.
        QCOMPARE(sessions(room).size(), 0);
        QTRY_COMPARE(endedCount(QStringLiteral("LEFT")), leftBefore + 1);
    }

    void unknownRoomIsReportedAndNotRetried()
    {
        PresenceClient client;
        configure(client, QStringLiteral("NO-SUCH-ROOM"), m_server.wsUrl());
        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        QSignalSpy joined(&client, &PresenceClient::joined);
        client.open();
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().at(0).toString(), QStringLiteral("ROOM_NOT_FOUND"));
        QVERIFY(!errors.first().at(1).toString().isEmpty());
        QCOMPARE(client.lastErrorCode(), QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(joined.size(), 0);
    }

    void kickedSessionIsNotJoinedAgain()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        const QString sessionId = openAndJoin(client);
        QVERIFY(!sessionId.isEmpty());
        QSignalSpy ended(&client, &PresenceClient::sessionEnded);
        QSignalSpy joined(&client, &PresenceClient::joined);
        const HttpReply kick =
            httpRequest(m_http, "DELETE",
                        m_server.httpUrl(QStringLiteral("/api/v1/sessions/") + sessionId), m_admin);
        QCOMPARE(kick.status, 204);
        QTRY_COMPARE(client.state(), State::Closed);
        QCOMPARE(ended.size(), 1);
        QCOMPARE(ended.first().at(1).toString(), QStringLiteral("KICKED"));
        QCOMPARE(client.lastErrorCode(), QString(client_error::SessionKicked));
        QCOMPARE(joined.size(), 0);
        QCOMPARE(sessions(room).size(), 0);
    }

    void invalidTokenIsUnauthorizedAndRetriedWithBackoff()
    {
        const QString room = createRoom();
        PresenceClient client;
        configure(client, room, m_server.wsUrl());
        client.setToken("not-a-token");
        QSignalSpy errors(&client, &PresenceClient::errorOccurred);
        client.open();
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).toString(), QString(client_error::Unauthorized));
        QCOMPARE(client.state(), State::Reconnecting);
        client.close();
        QCOMPARE(client.state(), State::Closed); // nothing to leave: closed at once
    }
};

QTEST_GUILESS_MAIN(TestPresenceClient)
#include "tst_presence_client.moc"
