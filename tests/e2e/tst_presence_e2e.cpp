// End to end: real spidi-server processes on free ports, real WebSocket clients, real REST, on
// the set-up SPIDI_E2E_SETUP names (embedded, redis-pg, cluster; see tests/support/deployment.h).
// Devices talk to the first instance; dashboards and REST reads to the last one, which in the
// cluster set-up is another process.
#include "deployment.h"
#include "presence_messages.h"
#include "server_process.h"
#include "ws_client.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {

const Device kPhone{QStringLiteral("2.4.1"), QStringLiteral("Pixel 8"),
                    QStringLiteral("Android 14")};

const QString kTenant = QStringLiteral("acme");
const QString kOtherTenant = QStringLiteral("globex");

std::function<bool(const QJsonObject &)>
metricsWhere(const std::function<bool(const QJsonObject &)> &p)
{
    return [p](const QJsonObject &m) {
        return m.value(QStringLiteral("type")).toString() == QLatin1String("ROOM_METRICS") && p(m);
    };
}

} // namespace

class TestPresenceE2e : public QObject
{
    Q_OBJECT

private:
    Deployment m_deployment;
    ServerProcess *m_server = nullptr;    // where devices connect
    ServerProcess *m_dashboard = nullptr; // where dashboards and REST readers connect
    QNetworkAccessManager m_http;
    QByteArray m_admin, m_monitor, m_device, m_device2, m_otherAdmin, m_otherDevice;

    bool startServer(ServerProcess &server, const QStringList &extra = {})
    {
        if (!server.start(extra)) {
            qWarning("server did not start:\n%s", qPrintable(server.errorText()));
            return false;
        }
        return true;
    }

    void mintTokens(const ServerProcess &server)
    {
        m_admin = server.token(QStringLiteral("alice"), kTenant, {QStringLiteral("spidi:admin")});
        m_monitor =
            server.token(QStringLiteral("mona"), kTenant, {QStringLiteral("spidi:monitor")});
        m_device = server.token(QStringLiteral("dave"), kTenant, {QStringLiteral("spidi:user")});
        m_device2 = server.token(QStringLiteral("erin"), kTenant, {QStringLiteral("spidi:user")});
        m_otherAdmin =
            server.token(QStringLiteral("oscar"), kOtherTenant, {QStringLiteral("spidi:admin")});
        m_otherDevice =
            server.token(QStringLiteral("olga"), kOtherTenant, {QStringLiteral("spidi:user")});
    }

    QJsonObject createRoom(ServerProcess &server, const QString &code, int capacity = 100,
                           int ttlSec = 3600)
    {
        const HttpReply reply =
            httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), m_admin,
                        {{QStringLiteral("code"), code},
                         {QStringLiteral("name"), QString(QStringLiteral("Room ") + code)},
                         {QStringLiteral("typeCode"), QStringLiteral("CHAT")},
                         {QStringLiteral("capacity"), capacity},
                         {QStringLiteral("ttlSec"), ttlSec}});
        if (reply.status != 201)
            qWarning("create room %s: %d %s", qPrintable(code), reply.status,
                     reply.body.constData());
        return reply.json();
    }

    // Opens a device socket and joins; returns the session id ("" on failure).
    QString join(WsClient &client, const QByteArray &token, const QString &room,
                 const QString &clientId)
    {
        if (!client.isConnected() && !client.open(m_server->wsUrl(), token))
            return {};
        const auto ack = client.request(hello(room, clientId, {}, kPhone));
        if (typeOf(ack) != QLatin1String("ACK"))
            return {};
        return ack->value(QStringLiteral("sessionId")).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("SPIDI_SERVER_BIN"), "SPIDI_SERVER_BIN not set");
        const Setup setup = Deployment::setupFromEnvironment();
        qInfo("set-up: %s", qPrintable(Deployment::name(setup)));
        QVERIFY2(
            m_deployment.start(setup, {QStringLiteral("--flush-interval"), QStringLiteral("1")}),
            qPrintable(m_deployment.errorText()));
        m_server = &m_deployment.device();
        m_dashboard = &m_deployment.dashboard();
        mintTokens(*m_server);
        QVERIFY(!m_admin.isEmpty());
        QCOMPARE(createRoom(*m_server, QStringLiteral("LOBBY")).value("code").toString(),
                 QStringLiteral("LOBBY"));
    }

    void cleanupTestCase() { QVERIFY(m_deployment.terminateAll()); }

    void joinIsSeenByRosterSubscriberAndHeartbeatsMoveLatency()
    {
        createRoom(*m_server, QStringLiteral("E2E-FLOW"));
        WsClient monitor;
        QVERIFY(monitor.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(typeOf(monitor.request(subscribe(QStringLiteral("room/E2E-FLOW/roster")))),
                 QStringLiteral("SUBSCRIBED"));
        const auto snapshot = monitor.waitForType(QStringLiteral("ROOM_ROSTER"));
        QVERIFY(snapshot);
        QCOMPARE(snapshot->value("users").toArray().size(), 0);
        QCOMPARE(typeOf(monitor.request(subscribe(QStringLiteral("room/E2E-FLOW/metrics")))),
                 QStringLiteral("SUBSCRIBED"));
        const auto metrics0 = monitor.waitForType(QStringLiteral("ROOM_METRICS"));
        QVERIFY(metrics0);
        QCOMPARE(metrics0->value("online").toInt(), 0);

        WsClient device;
        QVERIFY(device.open(m_server->wsUrl(), m_device));
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto ack = device.request(
            hello(QStringLiteral("E2E-FLOW"), QStringLiteral("phone-1"), {}, kPhone));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        const QString sessionId = ack->value("sessionId").toString();
        QVERIFY(!sessionId.isEmpty());
        QCOMPARE(ack->value("roomCode").toString(), QStringLiteral("E2E-FLOW"));
        QCOMPARE(ack->value("heartbeatIntervalSec").toInt(), 15);
        QCOMPARE(ack->value("timeoutSec").toInt(), 45);
        QVERIFY(qAbs(ack->value("serverTime").toInteger() - before) < 5000);

        const auto joined =
            monitor.waitFor([&](const QJsonObject &m) { return diffJoins(m, sessionId); }, 2000);
        QVERIFY2(joined, "roster subscriber did not see the join within 2 s");
        const QJsonObject entry = joined->value("joins").toArray().first().toObject();
        QCOMPARE(entry.value("userId").toString(), QStringLiteral("dave"));
        QCOMPARE(entry.value("device").toString(), QStringLiteral("Pixel 8"));
        QCOMPARE(entry.value("os").toString(), QStringLiteral("Android 14"));
        QCOMPARE(entry.value("appVersion").toString(), QStringLiteral("2.4.1"));
        QCOMPARE(entry.value("ip").toString(), QStringLiteral("127.0.0.1"));
        QVERIFY(monitor.waitFor(metricsWhere([](const QJsonObject &m) {
            return m.value("online").toInt() == 1 && m.value("users").toInt() == 1;
        })));

        // The room's latency figures come from each session's last reported round trip.
        for (int latency : {40, 60}) {
            const auto hbAck = device.request(heartbeat(sessionId, latency));
            QCOMPARE(typeOf(hbAck), QStringLiteral("HEARTBEAT_ACK"));
            QCOMPARE(hbAck->value("sessionId").toString(), sessionId);
            QVERIFY(hbAck->value("serverTime").toInteger() >= before);
            const auto latencyMetrics =
                monitor.waitFor(metricsWhere([latency](const QJsonObject &m) {
                    return m.value("avgLatencyMs").toDouble() == latency;
                }));
            QVERIFY2(latencyMetrics, "metrics did not converge to the reported latency");
            QCOMPARE(latencyMetrics->value("p95LatencyMs").toDouble(), double(latency));
            QCOMPARE(latencyMetrics->value("peak").toInt(), 1);
            QCOMPARE(latencyMetrics->value("capacity").toInt(), 100);
            QCOMPARE(latencyMetrics->value("capacityPct").toDouble(), 1.0);
        }
        // A second device: average and p95 over both sessions.
        WsClient laptop;
        const QString second =
            join(laptop, m_device2, QStringLiteral("E2E-FLOW"), QStringLiteral("laptop"));
        QVERIFY(!second.isEmpty());
        QCOMPARE(typeOf(laptop.request(heartbeat(second, 100))), QStringLiteral("HEARTBEAT_ACK"));
        const auto both = monitor.waitFor(metricsWhere([](const QJsonObject &m) {
            return m.value("online").toInt() == 2 && m.value("avgLatencyMs").toDouble() == 80.0;
        }));
        QVERIFY2(both, "metrics did not converge to two sessions averaging 80 ms");
        QCOMPARE(both->value("p95LatencyMs").toDouble(), 100.0);
        QCOMPARE(both->value("users").toInt(), 2);
        QCOMPARE(typeOf(laptop.request(leave(second))), QStringLiteral("ACK"));

        // REST sees the same live session.
        const HttpReply sessions = httpRequest(
            m_http, "GET", m_dashboard->httpUrl(QStringLiteral("/api/v1/rooms/E2E-FLOW/sessions")),
            m_monitor);
        QCOMPARE(sessions.status, 200);
        QCOMPARE(sessions.json().value("total").toInt(), 1);
        const QJsonObject live = sessions.json().value("items").toArray().first().toObject();
        QCOMPARE(live.value("sessionId").toString(), sessionId);
        QCOMPARE(live.value("heartbeatCount").toInt(), 2);
        QCOMPARE(live.value("latencyMs").toInt(), 60);

        const auto leaveAck = device.request(leave(sessionId));
        QCOMPARE(typeOf(leaveAck), QStringLiteral("ACK"));
        QCOMPARE(leaveAck->value("sessionId").toString(), sessionId);
        QVERIFY(
            monitor.waitFor([&](const QJsonObject &m) { return diffLeaves(m, sessionId); }, 2000));
        QVERIFY(monitor.waitFor(metricsWhere([](const QJsonObject &m) {
            return m.value("online").toInt() == 0 && m.value("peak").toInt() == 2;
        })));

        // Leaving twice: the session is gone.
        QCOMPARE(codeOf(device.request(leave(sessionId))), QStringLiteral("SESSION_NOT_FOUND"));
        QTRY_COMPARE_WITH_TIMEOUT(m_deployment.historyRows().value(sessionId).endReason,
                                  QStringLiteral("LEFT"), 10000);
        QCOMPARE(m_deployment.historyRows().value(sessionId).heartbeatCount, 2);
    }

    void oneUserOnThreeDevices()
    {
        createRoom(*m_server, QStringLiteral("E2E-MULTI"));
        createRoom(*m_server, QStringLiteral("E2E-MULTI2"));
        WsClient phone, laptop, tablet;
        const QString s1 =
            join(phone, m_device, QStringLiteral("E2E-MULTI"), QStringLiteral("phone"));
        const QString s2 =
            join(laptop, m_device, QStringLiteral("E2E-MULTI"), QStringLiteral("laptop"));
        const QString s3 =
            join(tablet, m_device, QStringLiteral("E2E-MULTI2"), QStringLiteral("tablet"));
        QVERIFY(!s1.isEmpty() && !s2.isEmpty() && !s3.isEmpty());
        QVERIFY(s1 != s2 && s2 != s3);
        const auto sessionsOfDave = [this] {
            return httpRequest(
                m_http, "GET",
                m_dashboard->httpUrl(QStringLiteral("/api/v1/users/dave/sessions?live=true")),
                m_monitor);
        };
        // The dashboard's instance learns of the sessions within milliseconds.
        QTRY_COMPARE_WITH_TIMEOUT(sessionsOfDave().json().value("total").toInt(), 3, 2000);

        WsClient monitor;
        QVERIFY(monitor.open(m_dashboard->wsUrl(), m_monitor));
        monitor.send(subscribe(QStringLiteral("room/E2E-MULTI/roster")));
        const auto roster = monitor.waitForType(QStringLiteral("ROOM_ROSTER"));
        QVERIFY(roster);
        const QJsonArray users = roster->value("users").toArray();
        QCOMPARE(users.size(), 1);
        QCOMPARE(users.first().toObject().value("userId").toString(), QStringLiteral("dave"));
        QCOMPARE(users.first().toObject().value("sessions").toArray().size(), 2);
        monitor.send(subscribe(QStringLiteral("room/E2E-MULTI/metrics")));
        const auto metrics = monitor.waitForType(QStringLiteral("ROOM_METRICS"));
        QVERIFY(metrics);
        QCOMPARE(metrics->value("online").toInt(), 2);
        QCOMPARE(metrics->value("users").toInt(), 1);

        QCOMPARE(sessionsOfDave().status, 200);
    }

    void resumeKeepsTheSession()
    {
        createRoom(*m_server, QStringLiteral("E2E-RESUME"));
        WsClient monitor;
        QVERIFY(monitor.open(m_dashboard->wsUrl(), m_monitor));
        monitor.send(subscribe(QStringLiteral("room/E2E-RESUME/roster")));
        QVERIFY(monitor.waitForType(QStringLiteral("ROOM_ROSTER")));

        QString sessionId;
        {
            WsClient first;
            sessionId =
                join(first, m_device, QStringLiteral("E2E-RESUME"), QStringLiteral("phone"));
            QVERIFY(!sessionId.isEmpty());
            first.close();
            QVERIFY(first.waitClosed());
        }
        // In the cluster set-up the device comes back through the other instance.
        WsClient second;
        QVERIFY(second.open(m_dashboard->wsUrl(), m_device));
        const auto ack = second.request(
            hello(QStringLiteral("E2E-RESUME"), QStringLiteral("phone"), sessionId, kPhone));
        QCOMPARE(typeOf(ack), QStringLiteral("ACK"));
        QCOMPARE(ack->value("sessionId").toString(), sessionId);
        QCOMPARE(ack->value("resumed").toBool(), true);
        QCOMPARE(typeOf(second.request(heartbeat(sessionId, 12))), QStringLiteral("HEARTBEAT_ACK"));
        // Another user cannot take the session over: they get a session of their own.
        WsClient intruder;
        QVERIFY(intruder.open(m_dashboard->wsUrl(), m_device2));
        const auto other = intruder.request(
            hello(QStringLiteral("E2E-RESUME"), QStringLiteral("x"), sessionId, kPhone));
        QCOMPARE(typeOf(other), QStringLiteral("ACK"));
        QVERIFY(other->value("sessionId").toString() != sessionId);
        QCOMPARE(other->value("resumed").toBool(), false);
        // ... nor beat or end it.
        QCOMPARE(codeOf(intruder.request(heartbeat(sessionId))),
                 QStringLiteral("SESSION_NOT_FOUND"));
        QCOMPARE(codeOf(intruder.request(leave(sessionId))), QStringLiteral("SESSION_NOT_FOUND"));
        // The reconnect was not a leave.
        QVERIFY(
            !monitor.waitFor([&](const QJsonObject &m) { return diffLeaves(m, sessionId); }, 700));
    }

    void capacityRefusesTheNextDevice()
    {
        createRoom(*m_server, QStringLiteral("E2E-FULL"), 2);
        WsClient a, b, c;
        QVERIFY(!join(a, m_device, QStringLiteral("E2E-FULL"), QStringLiteral("a")).isEmpty());
        QVERIFY(!join(b, m_device2, QStringLiteral("E2E-FULL"), QStringLiteral("b")).isEmpty());
        QVERIFY(c.open(m_server->wsUrl(), m_device));
        QCOMPARE(
            codeOf(c.request(hello(QStringLiteral("E2E-FULL"), QStringLiteral("c"), {}, kPhone))),
            QStringLiteral("ROOM_FULL"));
        QVERIFY(c.isConnected());
    }

    void maintenanceAndClosedRooms()
    {
        createRoom(*m_server, QStringLiteral("E2E-MAINT"));
        WsClient inside;
        const QString sessionId =
            join(inside, m_device, QStringLiteral("E2E-MAINT"), QStringLiteral("in"));
        QVERIFY(!sessionId.isEmpty());

        const auto maintenance = [&](bool enabled) {
            return httpRequest(
                m_http, "POST",
                m_server->httpUrl(QStringLiteral("/api/v1/rooms/E2E-MAINT/maintenance")), m_admin,
                {{QStringLiteral("enabled"), enabled}});
        };
        QCOMPARE(maintenance(true).status, 200);
        WsClient late;
        QVERIFY(late.open(m_server->wsUrl(), m_device2));
        QCOMPARE(codeOf(late.request(
                     hello(QStringLiteral("E2E-MAINT"), QStringLiteral("late"), {}, kPhone))),
                 QStringLiteral("ROOM_INACTIVE"));
        // Sessions already inside stay during maintenance.
        QCOMPARE(typeOf(inside.request(heartbeat(sessionId))), QStringLiteral("HEARTBEAT_ACK"));
        QCOMPARE(maintenance(false).status, 200);
        QCOMPARE(typeOf(late.request(
                     hello(QStringLiteral("E2E-MAINT"), QStringLiteral("late"), {}, kPhone))),
                 QStringLiteral("ACK"));

        // Closing the room ends its sessions; the device is told why.
        const HttpReply room = httpRequest(
            m_http, "GET", m_server->httpUrl(QStringLiteral("/api/v1/rooms/E2E-MAINT")), m_admin);
        QCOMPARE(room.status, 200);
        const HttpReply closed = httpRequest(
            m_http, "PUT", m_server->httpUrl(QStringLiteral("/api/v1/rooms/E2E-MAINT")), m_admin,
            {{QStringLiteral("status"), QStringLiteral("CLOSED")},
             {QStringLiteral("version"), room.json().value("version").toInteger()}});
        QCOMPARE(closed.status, 200);
        const auto ended = inside.waitFor([&](const QJsonObject &m) {
            return m.value("type").toString() == QLatin1String("SESSION_ENDED") &&
                   m.value("sessionId").toString() == sessionId;
        });
        QVERIFY(ended);
        QCOMPARE(ended->value("reason").toString(), QStringLiteral("KICKED"));
        QCOMPARE(codeOf(late.request(
                     hello(QStringLiteral("E2E-MAINT"), QStringLiteral("again"), {}, kPhone))),
                 QStringLiteral("ROOM_INACTIVE"));
    }

    void adminKickOverRest()
    {
        createRoom(*m_server, QStringLiteral("E2E-KICK"));
        WsClient device;
        const QString sessionId =
            join(device, m_device, QStringLiteral("E2E-KICK"), QStringLiteral("k"));
        QVERIFY(!sessionId.isEmpty());
        // Through the dashboard's instance: in the cluster set-up another process holds it.
        QTRY_VERIFY_WITH_TIMEOUT(
            httpRequest(m_http, "GET",
                        m_dashboard->httpUrl(QStringLiteral("/api/v1/rooms/E2E-KICK/sessions")),
                        m_admin)
                .body.contains(sessionId.toUtf8()),
            2000);
        const QUrl url = m_dashboard->httpUrl(QStringLiteral("/api/v1/sessions/") + sessionId);
        QCOMPARE(httpRequest(m_http, "DELETE", url, m_monitor).status, 403);
        QCOMPARE(httpRequest(m_http, "DELETE", url, m_otherAdmin).status, 404);
        QCOMPARE(httpRequest(m_http, "DELETE", url, m_admin).status, 204);
        const auto ended = device.waitForType(QStringLiteral("SESSION_ENDED"));
        QVERIFY(ended);
        QCOMPARE(ended->value("reason").toString(), QStringLiteral("KICKED"));
        QTRY_COMPARE_WITH_TIMEOUT(httpRequest(m_http, "DELETE", url, m_admin).status, 404, 2000);
    }

    void deletedRoomsAreAnnounced()
    {
        const QJsonObject room = createRoom(*m_server, QStringLiteral("E2E-GONE"));
        WsClient monitor, other;
        QVERIFY(monitor.open(m_dashboard->wsUrl(), m_monitor));
        QVERIFY(other.open(m_dashboard->wsUrl(), m_otherAdmin));
        for (const QString &topic :
             {QStringLiteral("rooms"), QStringLiteral("room/E2E-GONE/roster")})
            QCOMPARE(typeOf(monitor.request(subscribe(topic))), QStringLiteral("SUBSCRIBED"));
        QCOMPARE(typeOf(other.request(subscribe(QStringLiteral("rooms")))),
                 QStringLiteral("SUBSCRIBED"));
        // Deleted through the devices' instance: in the cluster set-up the dashboard's instance
        // learns it from the other process.
        QCOMPARE(httpRequest(m_http, "DELETE",
                             m_server->httpUrl(QStringLiteral("/api/v1/rooms/E2E-GONE")), m_admin)
                     .status,
                 204);
        const auto isRemoval = [](const QJsonObject &m) {
            return m.value(QStringLiteral("type")).toString() == QLatin1String("ROOM_REMOVED");
        };
        for (int topic = 0; topic < 2; ++topic) { // one on "rooms", one on the roster
            const auto removed = monitor.waitFor(isRemoval);
            QVERIFY(removed);
            QCOMPARE(removed->value("roomId").toString(), room.value("id").toString());
            QCOMPARE(removed->value("roomCode").toString(), QStringLiteral("E2E-GONE"));
        }
        // Another tenant's subscribers hear nothing of it.
        QVERIFY(!other.waitFor(isRemoval, 700));
    }

    void tenantsAreIsolated()
    {
        createRoom(*m_server, QStringLiteral("E2E-TENANT"));
        WsClient device;
        const QString sessionId =
            join(device, m_device, QStringLiteral("E2E-TENANT"), QStringLiteral("t"));
        QVERIFY(!sessionId.isEmpty());

        WsClient stranger;
        QVERIFY(stranger.open(m_server->wsUrl(), m_otherDevice));
        QCOMPARE(codeOf(stranger.request(
                     hello(QStringLiteral("E2E-TENANT"), QStringLiteral("s"), {}, kPhone))),
                 QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(codeOf(stranger.request(heartbeat(sessionId))),
                 QStringLiteral("SESSION_NOT_FOUND"));
        QCOMPARE(codeOf(stranger.request(leave(sessionId))), QStringLiteral("SESSION_NOT_FOUND"));

        WsClient strangeMonitor;
        QVERIFY(strangeMonitor.open(m_server->wsUrl(), m_otherAdmin));
        QCOMPARE(
            codeOf(strangeMonitor.request(subscribe(QStringLiteral("room/E2E-TENANT/roster")))),
            QStringLiteral("ROOM_NOT_FOUND"));
        QCOMPARE(typeOf(strangeMonitor.request(subscribe(QStringLiteral("rooms")))),
                 QStringLiteral("SUBSCRIBED"));
        // Activity in tenant A's room must not reach tenant B's "rooms" subscription.
        QCOMPARE(typeOf(device.request(heartbeat(sessionId, 33))), QStringLiteral("HEARTBEAT_ACK"));
        const auto leaked = strangeMonitor.waitFor(
            [](const QJsonObject &m) { return QJsonDocument(m).toJson().contains("E2E-TENANT"); },
            1200);
        QVERIFY2(!leaked, "tenant B received tenant A's room");

        for (const QString &path : {QStringLiteral("/api/v1/rooms/E2E-TENANT"),
                                    QStringLiteral("/api/v1/rooms/E2E-TENANT/sessions")})
            QCOMPARE(httpRequest(m_http, "GET", m_server->httpUrl(path), m_otherAdmin).status, 404);
        const HttpReply list =
            httpRequest(m_http, "GET", m_server->httpUrl(QStringLiteral("/api/v1/rooms?limit=500")),
                        m_otherAdmin);
        QCOMPARE(list.status, 200);
        QVERIFY(!list.body.contains("E2E-TENANT"));
        const HttpReply dave = httpRequest(
            m_http, "GET", m_server->httpUrl(QStringLiteral("/api/v1/users/dave/sessions")),
            m_otherAdmin);
        QCOMPARE(dave.status, 200);
        QCOMPARE(dave.json().value("total").toInt(), 0);
        // Still there for its own tenant.
        QCOMPARE(typeOf(device.request(heartbeat(sessionId))), QStringLiteral("HEARTBEAT_ACK"));
    }

    void badTokensAreRefused()
    {
        WsClient none;
        QVERIFY(!none.open(m_server->wsUrl(), {}, {}, 5000));
        WsClient garbage;
        QVERIFY(!garbage.open(m_server->wsUrl(), "not.a.jwt", {}, 5000));
        // A token signed by another server's secret.
        ServerProcess other;
        QVERIFY(startServer(other));
        const QByteArray foreign =
            other.token(QStringLiteral("dave"), kTenant, {QStringLiteral("spidi:admin")});
        QVERIFY(!foreign.isEmpty());
        QCOMPARE(other.terminate(), 0);
        WsClient forged;
        QVERIFY(!forged.open(m_server->wsUrl(), foreign, {}, 5000));

        // The upgrade is answered with 401 problem+json before any WebSocket exists.
        for (const QByteArray &token : {QByteArray(), QByteArray("garbage"), foreign}) {
            const HttpReply reply =
                rawHttpRequest(m_server->port(), upgradeRequest("/ws/presence", token));
            QCOMPARE(reply.status, 401);
            QCOMPARE(reply.json().value("status").toInt(), 401);
            QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
            QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
        }
        for (const QString &path :
             {QStringLiteral("/api/v1/rooms"), QStringLiteral("/api/v1/rooms/LOBBY/sessions")}) {
            QCOMPARE(httpRequest(m_http, "GET", m_server->httpUrl(path), "garbage").status, 401);
            QCOMPARE(httpRequest(m_http, "GET", m_server->httpUrl(path), foreign).status, 401);
            QCOMPARE(httpRequest(m_http, "GET", m_server->httpUrl(path)).status, 401);
        }

        // access_token in the query works for browsers.
        WsClient viaQuery;
        QUrl url = m_server->wsUrl();
        url.setQuery(QStringLiteral("access_token=") + QString::fromLatin1(m_device));
        QVERIFY(viaQuery.open(url, {}));
        QCOMPARE(typeOf(viaQuery.request(
                     hello(QStringLiteral("LOBBY"), QStringLiteral("q"), {}, kPhone))),
                 QStringLiteral("ACK"));

        // A monitor may watch but not join: FORBIDDEN, connection kept.
        WsClient monitor;
        QVERIFY(monitor.open(m_dashboard->wsUrl(), m_monitor));
        QCOMPARE(codeOf(monitor.request(
                     hello(QStringLiteral("LOBBY"), QStringLiteral("m"), {}, kPhone))),
                 QStringLiteral("FORBIDDEN"));
        QCOMPARE(typeOf(monitor.request(subscribe(QStringLiteral("rooms")))),
                 QStringLiteral("SUBSCRIBED"));
        // A plain device may join but not watch.
        WsClient device;
        QVERIFY(device.open(m_server->wsUrl(), m_device));
        QCOMPARE(codeOf(device.request(subscribe(QStringLiteral("room/LOBBY/roster")))),
                 QStringLiteral("FORBIDDEN"));
        QVERIFY(device.isConnected());
    }

    // Who was here at an instant, and a user's sessions live and past, from history.
    void pastRosterAndUserHistory()
    {
        createRoom(*m_server, QStringLiteral("E2E-PAST"));
        // Instants strictly between events: the server's clock is this machine's, in ms.
        const auto instantAfterThisMillisecond = [] {
            const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
            [[maybe_unused]] const bool advanced = QTest::qWaitFor(
                [&] { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) != now; });
            return now;
        };
        const QString before = instantAfterThisMillisecond();
        WsClient device;
        const QString gone =
            join(device, m_device2, QStringLiteral("E2E-PAST"), QStringLiteral("gone"));
        QVERIFY(!gone.isEmpty());
        const QString during = instantAfterThisMillisecond();
        QCOMPARE(typeOf(device.request(leave(gone))), QStringLiteral("ACK"));
        const QString stay =
            join(device, m_device2, QStringLiteral("E2E-PAST"), QStringLiteral("stay"));
        QVERIFY(!stay.isEmpty());

        const auto roster = [&](const QString &at) {
            QUrl url = m_dashboard->httpUrl(QStringLiteral("/api/v1/rooms/E2E-PAST/roster"));
            if (!at.isNull())
                url.setQuery(QStringLiteral("at=") +
                             QString::fromLatin1(QUrl::toPercentEncoding(at)));
            return httpRequest(m_http, "GET", url, m_monitor);
        };
        const auto ids = [](const HttpReply &reply) {
            QStringList result;
            for (const QJsonValue &item : reply.json().value("items").toArray())
                result.append(item.toObject().value("sessionId").toString());
            return result;
        };
        QCOMPARE(roster(before).status, 200);
        QCOMPARE(ids(roster(before)), QStringList{});
        // The ended session reaches history within the flush interval (1 s here).
        QTRY_COMPARE_WITH_TIMEOUT(ids(roster(during)), QStringList{gone}, 5000);
        const QJsonObject past = roster(during).json().value("items").toArray().first().toObject();
        QCOMPARE(past.value("live").toBool(), false);
        QCOMPARE(past.value("endReason").toString(), QStringLiteral("LEFT"));
        QCOMPARE(past.value("userId").toString(), QStringLiteral("erin"));
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        QCOMPARE(ids(roster(now)), QStringList{stay});
        QCOMPARE(
            roster(now).json().value("items").toArray().first().toObject().value("live").toBool(),
            true);

        // A user's sessions: the live one first, then the past one, with a total.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const HttpReply mine = httpRequest(
                    m_http, "GET",
                    m_dashboard->httpUrl(QStringLiteral("/api/v1/users/erin/sessions")), m_monitor);
                const QStringList got = ids(mine);
                return got.indexOf(stay) >= 0 && got.indexOf(gone) > got.indexOf(stay) &&
                       mine.json().value("total").toInt() >= 2;
            }(),
            5000);
        const HttpReply firstPage = httpRequest(
            m_http, "GET",
            m_dashboard->httpUrl(QStringLiteral("/api/v1/users/erin/sessions?limit=1")), m_monitor);
        QCOMPARE(firstPage.json().value("items").toArray().size(), 1);
        QVERIFY(firstPage.json().value("total").toInt() >= 2);

        // Bad instants are refused with the field named; devices may not look.
        for (const QString &bad :
             {QString(), QStringLiteral("yesterday"), QStringLiteral("2026-11-23T10:00:00"),
              QStringLiteral("2999-01-01T00:00:00Z")}) {
            const HttpReply refused = roster(bad);
            QCOMPARE(refused.status, 422);
            QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
            QVERIFY2(refused.json().value("detail").toString().contains(QLatin1String("at")),
                     refused.body.constData());
        }
        QCOMPARE(httpRequest(m_http, "GET",
                             m_dashboard->httpUrl(QStringLiteral(
                                 "/api/v1/rooms/NO-SUCH-ROOM/roster?at=2026-01-01T00:00:00Z")),
                             m_monitor)
                     .status,
                 404);
        QCOMPARE(httpRequest(m_http, "GET",
                             m_dashboard->httpUrl(QStringLiteral(
                                 "/api/v1/rooms/E2E-PAST/roster?at=2026-01-01T00:00:00Z")),
                             m_device)
                     .status,
                 403);
    }

    void healthAndMetrics()
    {
        const HttpReply health =
            httpRequest(m_http, "GET", m_server->httpUrl(QStringLiteral("/health")));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));
        const QJsonObject components = health.json().value("components").toObject();
        QCOMPARE(components.value("database").toObject().value("status").toString(),
                 QStringLiteral("ok"));
        const bool embedded = m_deployment.setup() == Setup::Embedded;
        QCOMPARE(components.value("hotStore").toObject().value("backend").toString(),
                 embedded ? QStringLiteral("memory") : QStringLiteral("redis"));
        QCOMPARE(components.value("database").toObject().value("dialect").toString(),
                 embedded ? QStringLiteral("sqlite") : QStringLiteral("postgresql"));
        const QJsonObject cluster = components.value("cluster").toObject();
        QCOMPARE(cluster.value("status").toString(), QStringLiteral("ok"));
        QCOMPARE(cluster.value("mode").toString(),
                 embedded ? QStringLiteral("single") : QStringLiteral("redis"));
        QVERIFY(!cluster.value("instanceId").toString().isEmpty());
        if (m_deployment.setup() == Setup::Cluster)
            QTRY_COMPARE_WITH_TIMEOUT(
                httpRequest(m_http, "GET", m_server->httpUrl(QStringLiteral("/health")))
                    .json()
                    .value("components")
                    .toObject()
                    .value("cluster")
                    .toObject()
                    .value("peers")
                    .toArray()
                    .size(),
                1, 5000);

        WsClient device;
        QVERIFY(
            !join(device, m_device, QStringLiteral("LOBBY"), QStringLiteral("metrics")).isEmpty());
        const HttpReply metrics =
            httpRequest(m_http, "GET", m_server->httpUrl(QStringLiteral("/metrics")));
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.header("Content-Type").startsWith("text/plain"));
        for (const char *name :
             {"spidi_rooms_total", "spidi_sessions_active", "spidi_websocket_connections",
              "spidi_heartbeat_latency_ms_bucket", "spidi_alerts_triggered_total",
              "spidi_history_queue_depth", "spidi_hot_store_errors"})
            QVERIFY2(metrics.body.contains(name), name);
        const HttpReply missing =
            httpRequest(m_http, "GET", m_server->httpUrl(QStringLiteral("/api/v1/nothing-here")));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(missing.json().value("detail").toString().contains(
            QLatin1String("/api/v1/nothing-here")));

        QRegularExpression active(QStringLiteral("\\nspidi_sessions_active (\\d+)"));
        const auto match = active.match(QString::fromUtf8(metrics.body));
        QVERIFY(match.hasMatch());
        QVERIFY(match.captured(1).toInt() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestPresenceE2e)
#include "tst_presence_e2e.moc"
