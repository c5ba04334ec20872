// The cluster bus and the leader lease against a real redis-server: messages reach the other
// instances in order and never their sender, silence makes a peer dead, a subscriber that stops
// hearing its own echo reconnects, exactly one lease holder at a time, handover on release and
// on expiry, and nobody leads without Redis.
#include "cluster/leader_lease.h"
#include "cluster/redis_cluster_bus.h"
#include "redis_process.h"
#include "store/redis_connection.h"

#include <QSignalSpy>
#include <QTest>

using namespace spidi;
using spidi::test::RedisProcess;

namespace {

ClusterBusOptions busOptions(const RedisProcess &redis, const QString &id)
{
    ClusterBusOptions options;
    options.url = RedisUrl::parse(redis.url()).value();
    options.instanceId = id;
    options.flushIntervalMs = 50;
    options.beaconIntervalMs = 100;
    options.peerTimeoutMs = 600;
    options.echoTimeoutMs = 400;
    return options;
}

LeaderLeaseOptions leaseOptions(const QString &id)
{
    LeaderLeaseOptions options;
    options.instanceId = id;
    options.key = QByteArrayLiteral("spidi:test:leader");
    options.ttlMs = 800;
    options.renewIntervalMs = 100;
    return options;
}

cluster::Message started(const QString &sessionId, const QString &owner)
{
    SessionRecord s;
    s.id = sessionId;
    s.tenantId = QStringLiteral("acme");
    s.roomId = QStringLiteral("room-1");
    s.instanceId = owner;
    cluster::Message m;
    m.type = cluster::MessageType::Started;
    m.sessions = {s};
    return m;
}

} // namespace

class TestRedisClusterBus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesReachTheOthersInOrder()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisClusterBus a(busOptions(redis, QStringLiteral("a")));
        RedisClusterBus b(busOptions(redis, QStringLiteral("b")));
        QSignalSpy toA(&a, &RedisClusterBus::received);
        QSignalSpy toB(&b, &RedisClusterBus::received);
        a.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(a.isConnected() && b.isConnected(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(a.alivePeers(), QStringList{QStringLiteral("b")}, 3000);
        QCOMPARE(b.alivePeers(), QStringList{QStringLiteral("a")});
        toB.clear();
        toA.clear();

        for (int i = 0; i < 50; ++i)
            a.publish(started(QStringLiteral("s%1").arg(i), QStringLiteral("a")));
        a.queueHeartbeat({QStringLiteral("s1"), 1, 10, 1, 1, 10});
        a.queueHeartbeat({QStringLiteral("s1"), 2, 20, 2, 2, 30}); // replaces the first
        a.queueHeartbeat({QStringLiteral("s2"), 2, 5, 1, 1, 5});
        a.dropHeartbeat(QStringLiteral("s2"));

        QStringList order;
        cluster::Message batch;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QList<QVariant> &args : std::as_const(toB)) {
                    const auto m = args.at(0).value<cluster::Message>();
                    if (m.type == cluster::MessageType::Started &&
                        !order.contains(m.sessions[0].id))
                        order.append(m.sessions[0].id);
                    if (m.type == cluster::MessageType::Heartbeats)
                        batch = m;
                }
                return order.size() == 50 && !batch.heartbeats.isEmpty();
            }(),
            5000);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(order.at(i), QStringLiteral("s%1").arg(i));
        QCOMPARE(batch.from, QStringLiteral("a"));
        QCOMPARE(batch.heartbeats.size(), 1);
        QCOMPARE(batch.heartbeats.first().heartbeatCount, 2);
        QCOMPARE(batch.heartbeats.first().latencyMs, 20);
        // A hears only others: none of its 50 messages came back as received.
        for (const QList<QVariant> &args : std::as_const(toA))
            QVERIFY(args.at(0).value<cluster::Message>().from != QStringLiteral("a"));
        QCOMPARE(a.malformedMessages(), 0);
    }

    void silenceMakesAPeerDeadAndGarbageIsCounted()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisClusterBus a(busOptions(redis, QStringLiteral("a")));
        a.start();
        QTRY_VERIFY_WITH_TIMEOUT(a.isConnected(), 5000);
        // Until it has listened for a peer timeout, nobody can be declared dead.
        QVERIFY(a.isPeerAlive(QStringLiteral("ghost")));
        QTRY_VERIFY_WITH_TIMEOUT(!a.isPeerAlive(QStringLiteral("ghost")), 3000);
        QVERIFY(a.isPeerAlive(QStringLiteral("a")));

        {
            RedisClusterBus b(busOptions(redis, QStringLiteral("b")));
            b.start();
            QTRY_VERIFY_WITH_TIMEOUT(a.isPeerAlive(QStringLiteral("b")), 3000);
        } // b is gone without a word
        QTRY_VERIFY_WITH_TIMEOUT(!a.isPeerAlive(QStringLiteral("b")), 3000);
        QVERIFY(a.alivePeers().isEmpty());

        redis.cli({QStringLiteral("PUBLISH"), QStringLiteral("spidi:cluster:events"),
                   QStringLiteral("{not json")});
        QTRY_COMPARE_WITH_TIMEOUT(a.malformedMessages(), 1, 3000);
    }

    void aBusReconnectsAfterRedisComesBack()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisClusterBus a(busOptions(redis, QStringLiteral("a")));
        RedisClusterBus b(busOptions(redis, QStringLiteral("b")));
        QSignalSpy reconnected(&b, &RedisClusterBus::connected);
        a.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(a.isConnected() && b.isConnected(), 5000);
        redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(!a.isConnected() && !b.isConnected(), 5000);
        // Without Redis nobody can be told dead.
        QVERIFY(a.isPeerAlive(QStringLiteral("b")));
        a.publish(started(QStringLiteral("lost"), QStringLiteral("a")));
        QVERIFY(a.messagesDropped() >= 1);
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        QTRY_VERIFY_WITH_TIMEOUT(a.isConnected() && b.isConnected(), 10000);
        QVERIFY(reconnected.size() >= 2);
        QSignalSpy toB(&b, &RedisClusterBus::received);
        a.publish(started(QStringLiteral("after"), QStringLiteral("a")));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(toB.cbegin(), toB.cend(),
                                             [](const QList<QVariant> &args) {
                                                 const auto m =
                                                     args.at(0).value<cluster::Message>();
                                                 return m.type == cluster::MessageType::Started &&
                                                        m.sessions[0].id == QLatin1String("after");
                                             }),
                                 5000);
    }

    void oneLeaderAtATime()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisConnectionOptions options;
        options.url = RedisUrl::parse(redis.url()).value();
        RedisConnection ca(options), cb(options);
        LeaderLease a(ca, leaseOptions(QStringLiteral("a")));
        LeaderLease b(cb, leaseOptions(QStringLiteral("b")));
        ca.start();
        QTRY_VERIFY_WITH_TIMEOUT(ca.isReady(), 5000);
        a.start();
        QTRY_VERIFY_WITH_TIMEOUT(a.isLeader(), 3000);
        cb.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(cb.isReady(), 5000);
        // b keeps trying and never wins while a renews.
        QTest::qWait(1200); // several of b's attempts and longer than the lease itself
        QVERIFY(a.isLeader());
        QVERIFY(!b.isLeader());
        QCOMPARE(redis.cli({QStringLiteral("GET"), QStringLiteral("spidi:test:leader")}),
                 QByteArray("a"));

        // Released on shutdown: b takes over at its next attempt, not after the TTL.
        QSignalSpy bElected(&b, &LeaderLease::leadershipChanged);
        a.release();
        QVERIFY(!a.isLeader());
        QTRY_VERIFY_WITH_TIMEOUT(b.isLeader(), 500);

        // b's Redis goes away: it stops leading (cannot renew), and so would anybody.
        redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(!b.isLeader(), 2000);
        QVERIFY(!a.isLeader());
    }

    void aSilentLeaderIsReplacedAfterTheTtl()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisConnectionOptions options;
        options.url = RedisUrl::parse(redis.url()).value();
        auto ca = std::make_unique<RedisConnection>(options);
        RedisConnection cb(options);
        auto a = std::make_unique<LeaderLease>(*ca, leaseOptions(QStringLiteral("a")));
        LeaderLease b(cb, leaseOptions(QStringLiteral("b")));
        ca->start();
        QTRY_VERIFY_WITH_TIMEOUT(ca->isReady(), 5000);
        a->start();
        QTRY_VERIFY_WITH_TIMEOUT(a->isLeader(), 3000);
        cb.start();
        b.start();
        // a dies without releasing (like kill -9): b leads once the TTL has run out.
        a.reset();
        ca.reset();
        QElapsedTimer takeover;
        takeover.start();
        QTRY_VERIFY_WITH_TIMEOUT(b.isLeader(), 3000);
        QVERIFY2(takeover.elapsed() >= 300, qPrintable(QString::number(takeover.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestRedisClusterBus)
#include "tst_redis_cluster_bus.moc"
