// RedisHotStore against a real redis-server: keys and TTLs as written, atomic put/remove, load
// after restart, AUTH and SELECT, an outage with resynchronisation, and pipelined heartbeats.
#include "redis_process.h"
#include "store/redis_hot_store.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>
#include <QUuid>

using namespace spidi;
using spidi::test::RedisProcess;

namespace {

SessionRecord makeSession(const QString &roomId, const QString &user = QStringLiteral("dave"))
{
    SessionRecord s;
    s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    s.tenantId = QStringLiteral("acme");
    s.roomId = roomId;
    s.roomCode = QStringLiteral("CODE-") + roomId.left(4);
    s.userId = user;
    s.clientId = QStringLiteral("client-1");
    s.device = QStringLiteral("ThinkPad");
    s.os = QStringLiteral("Debian 12");
    s.appVersion = QStringLiteral("3.0.0");
    s.ip = QStringLiteral("10.0.0.7");
    s.connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    s.lastHeartbeatAtMs = s.connectedAtMs;
    return s;
}

QString newRoom()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QStringList sessionKey(const SessionRecord &s)
{
    return {QStringLiteral("session:{%1}:%2").arg(s.roomId, s.id)};
}

QString onlineKey(const QString &roomId)
{
    return QStringLiteral("room:{%1}:online").arg(roomId);
}

RedisHotStoreOptions optionsFor(const QString &url, int ttlSec = 75)
{
    RedisHotStoreOptions options;
    options.url = RedisUrl::parse(url).value();
    options.sessionTtlSec = ttlSec;
    return options;
}

bool waitReady(RedisHotStore &store, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!store.isReady() && !deadline.hasExpired())
        QTest::qWait(5);
    return store.isReady();
}

bool waitIdle(RedisHotStore &store, int timeoutMs = 20000)
{
    QDeadlineTimer deadline(timeoutMs);
    while ((!store.isReady() || store.commandsInFlight() > 0) && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return store.isReady() && store.commandsInFlight() == 0;
}

Result<QList<SessionRecord>> load(RedisHotStore &store)
{
    std::optional<Result<QList<SessionRecord>>> result;
    store.loadSessions([&](Result<QList<SessionRecord>> sessions) { result = sessions; });
    QDeadlineTimer deadline(10000);
    while (!result && !deadline.hasExpired())
        QTest::qWait(5);
    if (!result)
        return makeError(ErrorKind::Internal, QStringLiteral("loadSessions never answered"));
    return *result;
}

} // namespace

class TestRedisHotStore : public QObject
{
    Q_OBJECT

private:
    RedisProcess m_redis;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.errorText())); }

    void urlParsing()
    {
        auto plain = RedisUrl::parse(QStringLiteral("redis://cache:6380"));
        QVERIFY(plain);
        QCOMPARE(plain->host, QStringLiteral("cache"));
        QCOMPARE(plain->port, quint16(6380));
        QCOMPARE(plain->db, 0);
        QVERIFY(plain->password.isEmpty());

        auto full = RedisUrl::parse(QStringLiteral("redis://:s%40cret@10.1.2.3:6379/4"));
        QVERIFY(full);
        QCOMPARE(full->password, QStringLiteral("s@cret"));
        QCOMPARE(full->db, 4);
        QVERIFY(!full->redacted().contains(QStringLiteral("cret")));
        QCOMPARE(full->redacted(), QStringLiteral("redis://:***@10.1.2.3:6379/4"));

        auto user = RedisUrl::parse(QStringLiteral("redis://spidi:pw@host/2"));
        QVERIFY(user);
        QCOMPARE(user->username, QStringLiteral("spidi"));
        QCOMPARE(user->password, QStringLiteral("pw"));
        QCOMPARE(user->port, quint16(6379));
        QCOMPARE(user->db, 2);

        const QStringList bad = {QString(),
                                 QStringLiteral("cache:6379"),
                                 QStringLiteral("http://cache:6379"),
                                 QStringLiteral("rediss://cache:6379"),
                                 QStringLiteral("redis://:6379"),
                                 QStringLiteral("redis://cache:99999"),
                                 QStringLiteral("redis://cache:6379/x"),
                                 QStringLiteral("redis://cache:6379/-1"),
                                 QStringLiteral("redis://user@cache:6379"),
                                 QStringLiteral("redis://:topsecret@cache:6379/db?x=1")};
        for (const QString &text : bad) {
            auto parsed = RedisUrl::parse(text);
            QVERIFY2(!parsed, qPrintable(text));
            QCOMPARE(parsed.error().field, QStringLiteral("redis"));
            QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
            QVERIFY(!parsed.error().message.contains(QStringLiteral("topsecret")));
        }
    }

    void writesAreVisibleInRedis()
    {
        RedisHotStore store(optionsFor(m_redis.url(), 60));
        store.start();
        QVERIFY(waitReady(store));
        QVERIFY(store.health().ok);
        QCOMPARE(store.health().backend, QStringLiteral("redis"));
        QVERIFY(store.survivesRestart());

        const QString room = newRoom();
        SessionRecord s = makeSession(room);
        store.putSession(s);
        store.setRoomPeak(room, 3);
        QVERIFY(waitIdle(store));

        // Hash-tagged by room: every key of a room hashes to one cluster slot.
        const QByteArray keys = m_redis.cli({QStringLiteral("KEYS"), u'*' + room + u'*'});
        const QString keyList = QString::fromUtf8(keys);
        QVERIFY2(keyList.contains(QStringLiteral("session:{%1}:%2").arg(room, s.id)),
                 qPrintable(keyList));
        QVERIFY2(keyList.contains(QStringLiteral("room:{%1}:online").arg(room)),
                 qPrintable(keyList));
        QVERIFY2(keyList.contains(QStringLiteral("room:{%1}:metrics").arg(room)),
                 qPrintable(keyList));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(s) +
                             QStringList{QStringLiteral("device")}),
                 QByteArray("ThinkPad"));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(s) +
                             QStringList{QStringLiteral("tenantId")}),
                 QByteArray("acme"));
        const int ttl = m_redis.cli(QStringList{QStringLiteral("PTTL")} + sessionKey(s)).toInt();
        QVERIFY2(ttl > 50000 && ttl <= 60000, QByteArray::number(ttl).constData());
        QCOMPARE(m_redis.cli({QStringLiteral("ZSCORE"), onlineKey(room), s.id}),
                 QByteArray::number(s.lastHeartbeatAtMs));
        QCOMPARE(m_redis.cli({QStringLiteral("SISMEMBER"), QStringLiteral("rooms:{index}"), room}),
                 QByteArray("1"));
        QCOMPARE(m_redis.cli({QStringLiteral("HGET"), QStringLiteral("room:{%1}:metrics").arg(room),
                              QStringLiteral("peak")}),
                 QByteArray("3"));

        s.lastHeartbeatAtMs += 15000;
        s.heartbeatCount = 1;
        s.latencyMs = 42;
        s.latencySamples = 1;
        s.latencySumMs = 42;
        store.touchSession(s);
        QVERIFY(waitIdle(store));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(s) +
                             QStringList{QStringLiteral("heartbeatCount")}),
                 QByteArray("1"));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(s) +
                             QStringList{QStringLiteral("latencyMs")}),
                 QByteArray("42"));
        QCOMPARE(m_redis.cli({QStringLiteral("ZSCORE"), onlineKey(room), s.id}),
                 QByteArray::number(s.lastHeartbeatAtMs));

        store.removeSession(s);
        QVERIFY(waitIdle(store));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(s)),
                 QByteArray("0"));
        QCOMPARE(m_redis.cli({QStringLiteral("ZSCORE"), onlineKey(room), s.id}), QByteArray());
        // A late heartbeat does not bring a removed session back.
        store.touchSession(s);
        QVERIFY(waitIdle(store));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(s)),
                 QByteArray("0"));
        QCOMPARE(store.health().errors, 0);
    }

    void loadSessionsRoundTrip()
    {
        m_redis.cli({QStringLiteral("FLUSHALL")});
        const QString roomA = newRoom();
        const QString roomB = newRoom();
        SessionRecord a = makeSession(roomA, QStringLiteral("ann"));
        a.latencyMs = 17;
        a.heartbeatCount = 5;
        a.latencySamples = 4;
        a.latencySumMs = 70.5;
        SessionRecord b = makeSession(roomB, QStringLiteral("bob"));
        SessionRecord gone = makeSession(roomB, QStringLiteral("gus"));
        {
            RedisHotStore writer(optionsFor(m_redis.url()));
            writer.start();
            QVERIFY(waitReady(writer));
            writer.putSession(a);
            writer.putSession(b);
            writer.putSession(gone);
            writer.removeSession(gone);
            QVERIFY(waitIdle(writer));
        }
        // A member whose hash expired (its instance died) is dropped and pruned.
        m_redis.cli({QStringLiteral("ZADD"), onlineKey(roomB), QStringLiteral("1"),
                     QStringLiteral("stale-session")});

        RedisHotStore reader(optionsFor(m_redis.url()));
        reader.start();
        auto loaded = load(reader); // queued until the connection is ready
        QVERIFY2(loaded, qPrintable(loaded.ok() ? QString() : loaded.error().message));
        QCOMPARE(loaded->size(), 2);
        QHash<QString, SessionRecord> byId;
        for (const SessionRecord &s : *loaded)
            byId.insert(s.id, s);
        QVERIFY(byId.contains(a.id) && byId.contains(b.id));
        const SessionRecord &r = byId.value(a.id);
        QCOMPARE(r.tenantId, a.tenantId);
        QCOMPARE(r.roomId, a.roomId);
        QCOMPARE(r.roomCode, a.roomCode);
        QCOMPARE(r.userId, a.userId);
        QCOMPARE(r.clientId, a.clientId);
        QCOMPARE(r.device, a.device);
        QCOMPARE(r.os, a.os);
        QCOMPARE(r.appVersion, a.appVersion);
        QCOMPARE(r.ip, a.ip);
        QCOMPARE(r.connectedAtMs, a.connectedAtMs);
        QCOMPARE(r.lastHeartbeatAtMs, a.lastHeartbeatAtMs);
        QCOMPARE(r.latencyMs, 17);
        QCOMPARE(r.heartbeatCount, qint64(5));
        QCOMPARE(r.latencySamples, qint64(4));
        QCOMPARE(r.latencySumMs, 70.5);
        QVERIFY(!r.endReason);
        QVERIFY(waitIdle(reader));
        QCOMPARE(m_redis.cli(
                     {QStringLiteral("ZSCORE"), onlineKey(roomB), QStringLiteral("stale-session")}),
                 QByteArray());

        // A restored session carries on with heartbeats through the new store.
        SessionRecord beat = byId.value(a.id);
        beat.heartbeatCount = 6;
        reader.touchSession(beat);
        QVERIFY(waitIdle(reader));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(a) +
                             QStringList{QStringLiteral("heartbeatCount")}),
                 QByteArray("6"));
        // A heartbeat for a session the store never held changes nothing.
        const SessionRecord stranger = makeSession(roomA);
        reader.touchSession(stranger);
        QVERIFY(waitIdle(reader));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(stranger)),
                 QByteArray("0"));
    }

    void passwordAndDatabase()
    {
        RedisProcess secured;
        QVERIFY2(secured.start(QStringLiteral("s3cret-pw")), qPrintable(secured.errorText()));
        RedisHotStore store(optionsFor(secured.url(3)));
        store.start();
        QVERIFY(waitReady(store));
        const SessionRecord s = makeSession(newRoom());
        store.putSession(s);
        QVERIFY(waitIdle(store));
        QCOMPARE(secured.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(s), 3),
                 QByteArray("1"));
        QCOMPARE(secured.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(s), 0),
                 QByteArray("0"));

        // The ACL form (user "default") works too.
        RedisHotStore withUser(optionsFor(
            QStringLiteral("redis://default:s3cret-pw@127.0.0.1:%1/3").arg(secured.port())));
        withUser.start();
        QVERIFY(waitReady(withUser));
        const auto fromUser = load(withUser);
        QVERIFY(fromUser);
        QCOMPARE(fromUser->size(), 1);

        // A wrong password: not ready, the reason says AUTH, the password is not repeated.
        RedisHotStore wrong(
            optionsFor(QStringLiteral("redis://:wrong-pw@127.0.0.1:%1").arg(secured.port())));
        wrong.start();
        QTRY_VERIFY_WITH_TIMEOUT(wrong.health().detail.contains(QStringLiteral("AUTH")), 5000);
        QVERIFY(!wrong.health().ok);
        QVERIFY(wrong.health().errors > 0);
        QVERIFY(!wrong.health().detail.contains(QStringLiteral("wrong-pw")));
        QVERIFY(!load(wrong));
    }

    void unreachableAtStart()
    {
        RedisProcess notStarted; // never started: nothing listens on its port
        RedisHotStoreOptions options = optionsFor(QStringLiteral("redis://127.0.0.1:1"));
        RedisHotStore store(options);
        store.start();
        auto loaded = load(store);
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().kind, ErrorKind::Unavailable);
        QVERIFY(!store.health().ok);
        QVERIFY(store.health().errors > 0);
        QVERIFY(!store.health().detail.isEmpty());
        // Writes are accepted (kept in memory) and nothing blocks.
        store.putSession(makeSession(newRoom()));
        QVERIFY(!store.health().ok);
    }

    void killedRedisIsReportedAndResynchronised()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisHotStore store(optionsFor(redis.url()));
        store.start();
        QVERIFY(waitReady(store));
        const QString room = newRoom();
        SessionRecord a = makeSession(room);
        SessionRecord b = makeSession(room);
        store.putSession(a);
        store.putSession(b);
        QVERIFY(waitIdle(store));
        QCOMPARE(store.health().errors, 0);

        redis.kill(); // SIGKILL mid-run: every key is gone with it
        QTRY_VERIFY_WITH_TIMEOUT(!store.health().ok, 5000);
        QVERIFY(store.health().errors > 0);
        QVERIFY2(!store.health().detail.isEmpty(), "health gives no reason");
        qInfo().noquote() << "health while Redis is down:" << store.health().detail
                          << "errors:" << store.health().errors;

        // Writes during the outage.
        a.lastHeartbeatAtMs += 15000;
        a.heartbeatCount = 7;
        store.touchSession(a);
        store.removeSession(b);
        const SessionRecord c = makeSession(room);
        store.putSession(c);
        QTest::qWait(300); // a few reconnect attempts fail meanwhile
        QVERIFY(!store.health().ok);

        QVERIFY2(redis.start(), qPrintable(redis.errorText())); // same port, empty
        QVERIFY(waitReady(store, 10000));
        QVERIFY(waitIdle(store));
        QVERIFY(store.health().ok);
        QCOMPARE(store.connectionsMade(), 2);
        QCOMPARE(redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(a) +
                           QStringList{QStringLiteral("heartbeatCount")}),
                 QByteArray("7"));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(b)), QByteArray("0"));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(c)), QByteArray("1"));
        QCOMPARE(redis.cli({QStringLiteral("ZCARD"), onlineKey(room)}), QByteArray("2"));
    }

    void removalsDuringAnOutageAreReplayed()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisHotStore store(optionsFor(redis.url()));
        store.start();
        QVERIFY(waitReady(store));
        const QString room = newRoom();
        const SessionRecord kept = makeSession(room);
        const SessionRecord removed = makeSession(room);
        store.putSession(kept);
        store.putSession(removed);
        QVERIFY(waitIdle(store));

        // Redis stops with its data saved and comes back with it: the removal made while it
        // was away must still happen.
        redis.stop(/*save=*/true);
        QTRY_VERIFY_WITH_TIMEOUT(!store.health().ok, 5000);
        store.removeSession(removed);
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(removed)).size(), 1);
        QVERIFY(waitReady(store));
        QVERIFY(waitIdle(store));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(removed)),
                 QByteArray("0"));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(kept)),
                 QByteArray("1"));
        QCOMPARE(redis.cli({QStringLiteral("ZRANGE"), onlineKey(room), QStringLiteral("0"),
                            QStringLiteral("-1")}),
                 kept.id.toUtf8());
    }

    void unansweringRedisIsDetected()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.errorText()));
        RedisHotStoreOptions options = optionsFor(redis.url());
        options.pingTimeoutMs = 600;
        options.connectTimeoutMs = 600;
        RedisHotStore store(options);
        store.start();
        QVERIFY(waitReady(store));
        SessionRecord s = makeSession(newRoom());
        store.putSession(s);
        QVERIFY(waitIdle(store));

        redis.pause(); // the socket stays open, nothing answers
        s.heartbeatCount = 3;
        store.touchSession(s);
        QTRY_VERIFY_WITH_TIMEOUT(!store.health().ok, 5000);
        QVERIFY2(store.health().detail.contains(QStringLiteral("no reply")),
                 qPrintable(store.health().detail));
        QTest::qWait(1500); // reconnects reach a paused Redis but the handshake times out
        QVERIFY(!store.health().ok);
        redis.resume();
        QVERIFY(waitReady(store));
        QVERIFY(waitIdle(store));
        QCOMPARE(redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(s) +
                           QStringList{QStringLiteral("heartbeatCount")}),
                 QByteArray("3"));
        redis.kill();
    }

    void scriptCacheFlushFallsBackToEval()
    {
        RedisHotStore store(optionsFor(m_redis.url()));
        store.start();
        QVERIFY(waitReady(store));
        m_redis.cli({QStringLiteral("SCRIPT"), QStringLiteral("FLUSH")});
        const SessionRecord s = makeSession(newRoom());
        store.putSession(s);
        QVERIFY(waitIdle(store));
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("EXISTS")} + sessionKey(s)),
                 QByteArray("1"));
        QCOMPARE(store.health().errors, 0);
    }

    void pipelinedHeartbeats()
    {
        m_redis.cli({QStringLiteral("FLUSHALL")});
        RedisHotStore store(optionsFor(m_redis.url()));
        store.start();
        QVERIFY(waitReady(store));
        constexpr int kSessions = 1000;
        constexpr int kTouches = 20000;
        QList<SessionRecord> sessions;
        for (int i = 0; i < kSessions; ++i) {
            sessions.append(makeSession(i % 2 ? QStringLiteral("room-odd") : newRoom()));
            store.putSession(sessions.last());
        }
        QVERIFY(waitIdle(store));

        // The event loop does not run inside this loop: each call only formats the command into
        // hiredis's buffer. Time per call is how long a heartbeat blocks the loop.
        QElapsedTimer total;
        QElapsedTimer call;
        qint64 worstNs = 0;
        total.start();
        for (int i = 0; i < kTouches; ++i) {
            SessionRecord &s = sessions[i % kSessions];
            s.lastHeartbeatAtMs += 1000;
            ++s.heartbeatCount;
            call.start();
            store.touchSession(s);
            worstNs = qMax(worstNs, call.nsecsElapsed());
        }
        const qint64 enqueueNs = total.nsecsElapsed();
        const qint64 inFlight = store.commandsInFlight();
        QVERIFY(waitIdle(store, 60000));
        const qint64 allAppliedNs = total.nsecsElapsed();
        qInfo("pipelining: %d touchSession calls enqueued in %.1f ms (%.2f us per call, worst "
              "call %.1f us, %lld commands in flight); Redis had applied all of them after %.1f "
              "ms (%.0f heartbeats/s)",
              kTouches, enqueueNs / 1e6, enqueueNs / 1e3 / kTouches, worstNs / 1e3,
              static_cast<long long>(inFlight), allAppliedNs / 1e6,
              kTouches / (allAppliedNs / 1e9));
        QCOMPARE(inFlight, qint64(kTouches)); // nothing waited for a reply
        const SessionRecord &last = sessions.at(kSessions - 1);
        QCOMPARE(m_redis.cli(QStringList{QStringLiteral("HGET")} + sessionKey(last) +
                             QStringList{QStringLiteral("heartbeatCount")}),
                 QByteArray::number(kTouches / kSessions));
        QCOMPARE(store.health().errors, 0);
    }
};

QTEST_GUILESS_MAIN(TestRedisHotStore)
#include "tst_redis_hot_store.moc"
