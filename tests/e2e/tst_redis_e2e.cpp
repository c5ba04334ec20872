// spidi-server with --redis against a real redis-server: sessions are written to Redis, /health
// reports the Redis backend, and a SIGTERM restart keeps sessions live (restored from Redis) so
// a device carries on with the same session id.
#include "presence_messages.h"
#include "redis_process.h"
#include "server_process.h"
#include "ws_client.h"

#include <QTest>

using namespace spidi::test;
using namespace spidi::test::msg;

namespace {} // namespace

class TestRedisE2e : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_http;

private Q_SLOTS:
    void sessionsSurviveARestartThroughRedis()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        const QStringList options = {QStringLiteral("--redis"), redis.url()};

        ServerProcess server;
        QVERIFY2(server.start(options), qPrintable(server.errorText()));
        const QByteArray admin = server.token(QStringLiteral("alice"), QStringLiteral("acme"),
                                              {QStringLiteral("spidi:admin")});
        QCOMPARE(httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                             {{QStringLiteral("code"), QStringLiteral("REDIS")},
                              {QStringLiteral("name"), QStringLiteral("Redis room")},
                              {QStringLiteral("typeCode"), QStringLiteral("CHAT")}})
                     .status,
                 201);

        const QByteArray device = server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                               {QStringLiteral("spidi:user")});
        WsClient client;
        QVERIFY(client.open(server.wsUrl(), device));
        const auto ack = client.request(hello(QStringLiteral("REDIS"), QStringLiteral("r1")));
        QVERIFY(ack);
        QCOMPARE(ack->value("type").toString(), QStringLiteral("ACK"));
        const QString sessionId = ack->value("sessionId").toString();
        const QString roomId = ack->value("roomId").toString();
        QVERIFY(!sessionId.isEmpty() && !roomId.isEmpty());

        const QStringList key = {QStringLiteral("session:{%1}:%2").arg(roomId, sessionId)};
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli(QStringList{QStringLiteral("EXISTS")} + key),
                                  QByteArray("1"), 5000);
        QCOMPARE(redis.cli(QStringList{QStringLiteral("HGET")} + key +
                           QStringList{QStringLiteral("userId")}),
                 QByteArray("dave"));
        QCOMPARE(
            redis.cli({QStringLiteral("ZCARD"), QStringLiteral("room:{%1}:online").arg(roomId)}),
            QByteArray("1"));

        const QJsonObject health =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health"))).json();
        QCOMPARE(health.value("status").toString(), QStringLiteral("ok"));
        const QJsonObject hotStore =
            health.value("components").toObject().value("hotStore").toObject();
        QCOMPARE(hotStore.value("backend").toString(), QStringLiteral("redis"));
        QCOMPARE(hotStore.value("status").toString(), QStringLiteral("ok"));

        // SIGTERM: with a durable store the session is not ended, it stays in Redis.
        QCOMPARE(server.terminate(), 0);
        QVERIFY(client.waitClosed());
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + key), QByteArray("1"));

        // Same data directory, same Redis: the session is restored and still live.
        QVERIFY2(server.start(options), qPrintable(server.errorText()));
        const auto restored = server.logEvents(QStringLiteral("store.sessions_restored"));
        QCOMPARE(restored.size(), 1);
        QCOMPARE(restored.first().value("sessions").toInt(), 1);
        WsClient again;
        QVERIFY(again.open(server.wsUrl(), device));
        const auto beat = again.request(heartbeat(sessionId));
        QVERIFY(beat);
        QCOMPARE(beat->value("type").toString(), QStringLiteral("HEARTBEAT_ACK"));
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli(QStringList{QStringLiteral("HGET")} + key +
                                            QStringList{QStringLiteral("heartbeatCount")}),
                                  QByteArray("1"), 5000);
        const QJsonObject presence =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health"))).json();
        QCOMPARE(presence.value("components")
                     .toObject()
                     .value("presence")
                     .toObject()
                     .value("sessions")
                     .toInt(),
                 1);
        QCOMPARE(server.terminate(), 0);
    }

    void unreachableRedisDegradesInsteadOfFailing()
    {
        RedisProcess redis; // its port is picked but nothing listens until start()
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        const QString url = redis.url();
        redis.kill();

        ServerProcess server;
        QVERIFY2(server.start({QStringLiteral("--redis"), url}), qPrintable(server.errorText()));
        QJsonObject health =
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health"))).json();
        QCOMPARE(health.value("status").toString(), QStringLiteral("degraded"));
        QJsonObject hotStore = health.value("components").toObject().value("hotStore").toObject();
        QCOMPARE(hotStore.value("status").toString(), QStringLiteral("down"));
        QVERIFY(!hotStore.value("detail").toString().isEmpty());

        // Presence keeps working from the in-process view; Redis gets it once it is back.
        const QByteArray admin = server.token(QStringLiteral("alice"), QStringLiteral("acme"),
                                              {QStringLiteral("spidi:admin")});
        QCOMPARE(httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                             {{QStringLiteral("code"), QStringLiteral("LATER")},
                              {QStringLiteral("name"), QStringLiteral("Later")},
                              {QStringLiteral("typeCode"), QStringLiteral("CHAT")}})
                     .status,
                 201);
        WsClient client;
        QVERIFY(
            client.open(server.wsUrl(), server.token(QStringLiteral("dave"), QStringLiteral("acme"),
                                                     {QStringLiteral("spidi:user")})));
        const auto ack = client.request(hello(QStringLiteral("LATER"), QStringLiteral("l1")));
        QCOMPARE(ack->value("type").toString(), QStringLiteral("ACK"));
        const QStringList key = {
            QStringLiteral("session:{%1}:%2")
                .arg(ack->value("roomId").toString(), ack->value("sessionId").toString())};

        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli(QStringList{QStringLiteral("EXISTS")} + key),
                                  QByteArray("1"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            httpRequest(m_http, "GET", server.httpUrl(QStringLiteral("/health")))
                .json()
                .value("status")
                .toString(),
            QStringLiteral("ok"), 10000);
        QCOMPARE(server.terminate(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRedisE2e)
#include "tst_redis_e2e.moc"
