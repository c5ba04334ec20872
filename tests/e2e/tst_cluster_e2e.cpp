// Several spidi-server instances sharing a real Redis and a real PostgreSQL act as one service:
// a device on one instance is seen by a dashboard on another within the coalescing window,
// room changes made through one instance apply on all, a killed instance's sessions expire on
// schedule on the survivor and reach history exactly once, and a Redis outage loses nothing.
#include "deployment.h"
#include "presence_messages.h"
#include "ws_client.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

const QString kTenant = QStringLiteral("acme");

} // namespace

class TestClusterE2e : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_http;

    QJsonObject health(ServerProcess &server)
    {
        return httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health"))).json();
    }

    QJsonObject clusterOf(ServerProcess &server)
    {
        return health(server).value("components").toObject().value("cluster").toObject();
    }

    int createRoom(ServerProcess &server, const QByteArray &admin, const QString &code)
    {
        return httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                           {{QStringLiteral("code"), code},
                            {QStringLiteral("name"), code},
                            {QStringLiteral("typeCode"), QStringLiteral("CHAT")}})
            .status;
    }

    QJsonObject liveSession(ServerProcess &server, const QByteArray &token, const QString &room,
                            const QString &sessionId)
    {
        const QJsonArray items =
            httpRequest(m_http, "GET",
                        server.httpUrl(QStringLiteral("/api/v1/rooms/%1/sessions").arg(room)),
                        token)
                .json()
                .value("items")
                .toArray();
        for (const QJsonValue &item : items)
            if (item.toObject().value("sessionId").toString() == sessionId)
                return item.toObject();
        return {};
    }

    // Two instances on one Redis and PostgreSQL that have heard each other, with tokens minted
    // and `room` created through instance `creator`.
    bool setUp(Deployment &cluster, const QString &room, QByteArray &admin, QByteArray &device,
               QStringList extra = {}, int creator = 0)
    {
        extra << QStringLiteral("--flush-interval") << QStringLiteral("1");
        if (!cluster.start(Setup::Cluster, extra))
            return false;
        ServerProcess &a = cluster.instance(0);
        admin = a.token(QStringLiteral("alice"), kTenant, {"spidi:admin"});
        device = a.token(QStringLiteral("dave"), kTenant, {"spidi:user"});
        if (createRoom(cluster.instance(creator), admin, room) != 201)
            return false;
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired() &&
               (clusterOf(a).value("peers").toArray().size() != 1 ||
                clusterOf(cluster.instance(1)).value("peers").toArray().size() != 1))
            QTest::qWait(20);
        return !deadline.hasExpired();
    }

private Q_SLOTS:
    void deviceOnOneInstanceDashboardOnTheOther()
    {
        Deployment cluster;
        QByteArray admin, device;
        // Created through B, joined through A below: the room reached A's directory.
        QVERIFY2(setUp(cluster, QStringLiteral("SPLIT"), admin, device, {}, 1),
                 qPrintable(cluster.errorText()));
        ServerProcess &a = cluster.instance(0);
        ServerProcess &b = cluster.instance(1);
        QCOMPARE(clusterOf(b).value("peers").toArray().first().toString(),
                 clusterOf(a).value("instanceId").toString());
        // Exactly one of the two holds the leader lease.
        QTRY_VERIFY_WITH_TIMEOUT(
            clusterOf(a).value("leader").toBool() != clusterOf(b).value("leader").toBool(), 8000);

        WsClient dashboard;
        QVERIFY(dashboard.open(b.wsUrl(), admin));
        QCOMPARE(typeOf(dashboard.request(subscribe(QStringLiteral("room/SPLIT/roster")))),
                 QStringLiteral("SUBSCRIBED"));
        QVERIFY(dashboard.waitForType(QStringLiteral("ROOM_ROSTER")));
        QCOMPARE(typeOf(dashboard.request(subscribe(QStringLiteral("room/SPLIT/metrics")))),
                 QStringLiteral("SUBSCRIBED"));
        QVERIFY(dashboard.waitForType(QStringLiteral("ROOM_METRICS")));

        WsClient phone;
        QVERIFY(phone.open(a.wsUrl(), device));
        QElapsedTimer joinTimer;
        joinTimer.start();
        const auto ack = phone.request(hello(QStringLiteral("SPLIT"), QStringLiteral("phone")));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        const QString sessionId = ack->value("sessionId").toString();
        QVERIFY(
            dashboard.waitFor([&](const QJsonObject &m) { return diffJoins(m, sessionId); }, 2000));
        const qint64 joinToDashboardMs = joinTimer.elapsed();
        qInfo("join on A seen by the dashboard on B after %lld ms", joinToDashboardMs);
        // SPEC 4.1: within the 500 ms coalescing window (plus scheduling slack).
        QVERIFY2(joinToDashboardMs < 1000, qPrintable(QString::number(joinToDashboardMs)));

        // Heartbeats on A move B's latency figures; B's REST sees the same counters.
        QCOMPARE(typeOf(phone.request(heartbeat(sessionId, 42))), QStringLiteral("HEARTBEAT_ACK"));
        QVERIFY(dashboard.waitFor([](const QJsonObject &m) {
            return m.value("type").toString() == QLatin1String("ROOM_METRICS") &&
                   m.value("online").toInt() == 1 && m.value("avgLatencyMs").toDouble() == 42.0;
        }));
        QTRY_COMPARE_WITH_TIMEOUT(liveSession(b, admin, QStringLiteral("SPLIT"), sessionId)
                                      .value("heartbeatCount")
                                      .toInt(),
                                  1, 2000);

        // Maintenance switched on through B refuses new joins on A.
        QCOMPARE(httpRequest(m_http, "POST",
                             b.httpUrl(QStringLiteral("/api/v1/rooms/SPLIT/maintenance")), admin,
                             {{QStringLiteral("enabled"), true}})
                     .status,
                 200);
        WsClient late;
        QVERIFY(late.open(a.wsUrl(), device));
        QTRY_COMPARE_WITH_TIMEOUT(
            codeOf(late.request(hello(QStringLiteral("SPLIT"), QStringLiteral("late")))),
            QStringLiteral("ROOM_INACTIVE"), 2000);

        // Leave on A: the dashboard on B sees it; history has one row, written once.
        QCOMPARE(typeOf(phone.request(leave(sessionId))), QStringLiteral("ACK"));
        QVERIFY(dashboard.waitFor([&](const QJsonObject &m) { return diffLeaves(m, sessionId); },
                                  2000));
        QTRY_COMPARE_WITH_TIMEOUT(cluster.historyRows().value(sessionId).endReason,
                                  QStringLiteral("LEFT"), 10000);
        QCOMPARE(cluster.historyRows().value(sessionId).heartbeatCount, 1);
        QVERIFY(cluster.terminateAll());
    }

    void killedInstanceSessionsExpireOnceOnTheSurvivor()
    {
        const int timeoutSec = 8;
        Deployment cluster;
        QByteArray admin, device;
        QVERIFY2(setUp(cluster, QStringLiteral("DOOMED"), admin, device,
                       {QStringLiteral("--heartbeat-interval"), QStringLiteral("2"),
                        QStringLiteral("--session-timeout"), QString::number(timeoutSec)}),
                 qPrintable(cluster.errorText()));
        ServerProcess &a = cluster.instance(0);
        ServerProcess &b = cluster.instance(1);

        WsClient dashboard;
        QVERIFY(dashboard.open(b.wsUrl(), admin));
        QCOMPARE(typeOf(dashboard.request(subscribe(QStringLiteral("room/DOOMED/roster")))),
                 QStringLiteral("SUBSCRIBED"));
        QVERIFY(dashboard.waitForType(QStringLiteral("ROOM_ROSTER")));

        WsClient phone, laptop;
        QVERIFY(phone.open(a.wsUrl(), device));
        QVERIFY(laptop.open(a.wsUrl(), device));
        const QString s1 = phone.request(hello(QStringLiteral("DOOMED"), QStringLiteral("phone")))
                               ->value("sessionId")
                               .toString();
        const QString s2 =
            laptop.request(hello(QStringLiteral("DOOMED"), QStringLiteral("laptop")))
                ->value("sessionId")
                .toString();
        QVERIFY(!s1.isEmpty() && !s2.isEmpty());
        QVERIFY(dashboard.waitFor([&](const QJsonObject &m) { return diffJoins(m, s2); }, 2000));
        QCOMPARE(typeOf(phone.request(heartbeat(s1, 20))), QStringLiteral("HEARTBEAT_ACK"));
        QCOMPARE(typeOf(laptop.request(heartbeat(s2, 30))), QStringLiteral("HEARTBEAT_ACK"));
        // B has seen the last heartbeats (they travel in 250 ms batches).
        QTRY_COMPARE_WITH_TIMEOUT(
            liveSession(b, admin, QStringLiteral("DOOMED"), s2).value("heartbeatCount").toInt(), 1,
            2000);
        const qint64 lastBeat = QDateTime::currentMSecsSinceEpoch();

        a.kill(); // SIGKILL: nothing flushed, nothing handed over
        QVERIFY(!a.isRunning());

        // Both sessions expire on B on schedule: not before the timeout, not much after it
        // (peer detection and the lease take 5 s each, in parallel, inside the 8 s timeout).
        const auto firstLeave = dashboard.waitFor(
            [&](const QJsonObject &m) { return diffLeaves(m, s1) || diffLeaves(m, s2); },
            (timeoutSec + 6) * 1000);
        QVERIFY(firstLeave);
        const qint64 endedAfter = QDateTime::currentMSecsSinceEpoch() - lastBeat;
        qInfo("orphans ended %lld ms after their last heartbeat (timeout %d s)", endedAfter,
              timeoutSec);
        QVERIFY2(endedAfter >= timeoutSec * 1000 - 300, qPrintable(QString::number(endedAfter)));
        QVERIFY2(endedAfter <= (timeoutSec + 3) * 1000, qPrintable(QString::number(endedAfter)));
        if (!diffLeaves(*firstLeave, s1) || !diffLeaves(*firstLeave, s2)) {
            const QString other = diffLeaves(*firstLeave, s1) ? s2 : s1;
            QVERIFY(dashboard.waitFor([&](const QJsonObject &m) { return diffLeaves(m, other); },
                                      3000));
        }
        QCOMPARE(clusterOf(b).value("leader").toBool(), true);
        QCOMPARE(clusterOf(b).value("peers").toArray().size(), 0);

        // History: one row each, ended once as DISCONNECTED (the socket died with A), and the
        // heartbeat counts A reported before it died.
        QTRY_COMPARE_WITH_TIMEOUT(cluster.historyRows().value(s1).endReason,
                                  QStringLiteral("DISCONNECTED"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(cluster.historyRows().value(s2).endReason,
                                  QStringLiteral("DISCONNECTED"), 10000);
        const auto rows = cluster.historyRows();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.value(s1).heartbeatCount, 1);
        QCOMPARE(rows.value(s2).heartbeatCount, 1);
        QCOMPARE(b.logEvents(QStringLiteral("session.orphan_ended")).size(), 2);
        // Ended once: no second end event anywhere on the survivor.
        int ends = 0;
        for (const QJsonObject &e : b.logEvents(QStringLiteral("session.ended")))
            ends += e.value("session_id").toString() == s1 ? 1 : 0;
        QCOMPARE(ends, 1);
        QVERIFY(cluster.terminateAll());
    }

    void sessionsFollowTheirDeviceToAnotherInstance()
    {
        Deployment cluster;
        QByteArray admin, device;
        QVERIFY2(setUp(cluster, QStringLiteral("ROAM"), admin, device),
                 qPrintable(cluster.errorText()));
        ServerProcess &a = cluster.instance(0);
        ServerProcess &b = cluster.instance(1);

        WsClient first;
        QVERIFY(first.open(a.wsUrl(), device));
        const QString sessionId =
            first.request(hello(QStringLiteral("ROAM"), QStringLiteral("phone")))
                ->value("sessionId")
                .toString();
        QVERIFY(!sessionId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            !liveSession(b, admin, QStringLiteral("ROAM"), sessionId).isEmpty(), 2000);
        first.close();
        QVERIFY(first.waitClosed());

        // The load balancer sends the reconnecting device to B: same session, now B's.
        WsClient second;
        QVERIFY(second.open(b.wsUrl(), device));
        const auto ack =
            second.request(hello(QStringLiteral("ROAM"), QStringLiteral("phone"), sessionId, {}));
        QCOMPARE(ack->value("sessionId").toString(), sessionId);
        QCOMPARE(ack->value("resumed").toBool(), true);
        QCOMPARE(typeOf(second.request(heartbeat(sessionId, 9))), QStringLiteral("HEARTBEAT_ACK"));
        QTRY_COMPARE_WITH_TIMEOUT(
            liveSession(a, admin, QStringLiteral("ROAM"), sessionId).value("latencyMs").toInt(), 9,
            2000);
        // Kicked through A, which no longer holds it: B ends it and tells the device.
        QCOMPARE(httpRequest(m_http, "DELETE",
                             a.httpUrl(QStringLiteral("/api/v1/sessions/") + sessionId), admin)
                     .status,
                 204);
        const auto ended = second.waitForType(QStringLiteral("SESSION_ENDED"));
        QVERIFY(ended);
        QCOMPARE(ended->value("reason").toString(), QStringLiteral("KICKED"));
        QTRY_VERIFY_WITH_TIMEOUT(liveSession(a, admin, QStringLiteral("ROAM"), sessionId).isEmpty(),
                                 2000);
        QTRY_COMPARE_WITH_TIMEOUT(cluster.historyRows().value(sessionId).endReason,
                                  QStringLiteral("KICKED"), 10000);
        QVERIFY(cluster.terminateAll());
    }

    void redisOutageDuringHeartbeatsLosesNothing()
    {
        Deployment cluster;
        QByteArray admin, device;
        QVERIFY2(setUp(cluster, QStringLiteral("STORMY"), admin, device),
                 qPrintable(cluster.errorText()));
        ServerProcess &a = cluster.instance(0);
        ServerProcess &b = cluster.instance(1);

        WsClient phone;
        QVERIFY(phone.open(a.wsUrl(), device));
        const QString sessionId =
            phone.request(hello(QStringLiteral("STORMY"), QStringLiteral("phone")))
                ->value("sessionId")
                .toString();
        QVERIFY(!sessionId.isEmpty());
        int acked = 0;
        const auto beat = [&](int latency) {
            if (typeOf(phone.request(heartbeat(sessionId, latency))) ==
                QLatin1String("HEARTBEAT_ACK"))
                ++acked;
        };
        for (int i = 0; i < 5; ++i)
            beat(10);

        cluster.redis()->stop();
        QTRY_COMPARE_WITH_TIMEOUT(health(a).value("status").toString(), QStringLiteral("degraded"),
                                  10000);
        QCOMPARE(clusterOf(a).value("status").toString(), QStringLiteral("down"));
        QCOMPARE(clusterOf(a).value("leader").toBool(), false);
        // Presence goes on from the in-process state: every heartbeat is still answered.
        for (int i = 0; i < 20; ++i)
            beat(25);
        QCOMPARE(acked, 25);

        QVERIFY2(cluster.redis()->start(), qPrintable(cluster.redis()->errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(health(a).value("status").toString(), QStringLiteral("ok"),
                                  15000);
        QTRY_COMPARE_WITH_TIMEOUT(health(b).value("status").toString(), QStringLiteral("ok"),
                                  15000);
        // Resynchronised: Redis holds the session again and B has A's latest counters.
        QTRY_VERIFY_WITH_TIMEOUT(
            !cluster.redis()->cli({QStringLiteral("KEYS"), QStringLiteral("session:*")}).isEmpty(),
            5000);
        beat(30);
        QTRY_COMPARE_WITH_TIMEOUT(liveSession(b, admin, QStringLiteral("STORMY"), sessionId)
                                      .value("heartbeatCount")
                                      .toInt(),
                                  26, 5000);
        QCOMPARE(
            liveSession(b, admin, QStringLiteral("STORMY"), sessionId).value("latencyMs").toInt(),
            30);
        QVERIFY(metricValue(httpRequest(m_http, "GET", a.httpUrl(QStringLiteral("/metrics"))).body,
                            QStringLiteral("spidi_hot_store_reconnects")) >= 1);
        QVERIFY(metricValue(httpRequest(m_http, "GET", a.httpUrl(QStringLiteral("/metrics"))).body,
                            QStringLiteral("spidi_hot_store_errors")) >= 1);
        QCOMPARE(typeOf(phone.request(leave(sessionId))), QStringLiteral("ACK"));
        QTRY_VERIFY_WITH_TIMEOUT(
            liveSession(b, admin, QStringLiteral("STORMY"), sessionId).isEmpty(), 2000);
        QVERIFY(cluster.terminateAll());
        QCOMPARE(cluster.historyRows().value(sessionId).heartbeatCount, 26);
    }
};

QTEST_GUILESS_MAIN(TestClusterE2e)
#include "tst_cluster_e2e.moc"
