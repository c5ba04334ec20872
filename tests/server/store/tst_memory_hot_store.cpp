// The in-process hot store: what it keeps, what a heartbeat may change, synchronous callbacks,
// peaks and health; then the presence engine writing through to it on a virtual clock.
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "store/memory_hot_store.h"

#include <QTest>

#include <algorithm>

using namespace spidi;

namespace {

SessionRecord record(const QString &id, const QString &roomId = QStringLiteral("room-1"),
                     const QString &userId = QStringLiteral("u1"))
{
    SessionRecord s;
    s.id = id;
    s.tenantId = QStringLiteral("t1");
    s.roomId = roomId;
    s.roomCode = QStringLiteral("LOBBY");
    s.userId = userId;
    s.clientId = QStringLiteral("client-") + id;
    s.device = QStringLiteral("phone");
    s.os = QStringLiteral("Android 14");
    s.appVersion = QStringLiteral("1.0.0");
    s.ip = QStringLiteral("10.0.0.1");
    s.connectedAtMs = 1'700'000'000'000;
    s.lastHeartbeatAtMs = 1'700'000'000'000;
    return s;
}

QList<SessionRecord> loadAll(MemoryHotStore &store)
{
    QList<SessionRecord> result;
    bool called = false;
    store.loadSessions([&](Result<QList<SessionRecord>> sessions) {
        called = true;
        if (sessions)
            result = *sessions;
    });
    if (!called)
        qFatal("MemoryHotStore::loadSessions did not call back before returning");
    std::sort(result.begin(), result.end(),
              [](const SessionRecord &a, const SessionRecord &b) { return a.id < b.id; });
    return result;
}

std::optional<SessionRecord> find(MemoryHotStore &store, const QString &id)
{
    for (const SessionRecord &s : loadAll(store)) {
        if (s.id == id)
            return s;
    }
    return std::nullopt;
}

Room room(const QString &code, int capacity = 10)
{
    Room r;
    r.id = QStringLiteral("id-") + code;
    r.tenantId = QStringLiteral("t1");
    r.code = code;
    r.name = code;
    r.typeCode = QStringLiteral("GENERIC");
    r.capacity = capacity;
    r.ttlSec = 3600;
    return r;
}

} // namespace

class TestMemoryHotStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsEmptyAndHealthy()
    {
        MemoryHotStore store;
        QCOMPARE(store.sessionCount(), 0);
        QVERIFY(loadAll(store).isEmpty());
        QCOMPARE(store.roomPeak(QStringLiteral("anything")), 0);
        const HotStore::Health health = store.health();
        QVERIFY(health.ok);
        QCOMPARE(health.backend, QStringLiteral("memory"));
        QVERIFY(health.detail.isEmpty());
        QCOMPARE(health.errors, 0);
        QVERIFY(!store.survivesRestart());
    }

    void putStoresACopyAndReplacesById()
    {
        MemoryHotStore store;
        SessionRecord s = record(QStringLiteral("s1"));
        store.putSession(s);
        store.putSession(record(QStringLiteral("s2"), QStringLiteral("room-2")));
        QCOMPARE(store.sessionCount(), 2);

        s.ip = QStringLiteral("changed-after-put");
        QCOMPARE(find(store, QStringLiteral("s1"))->ip, QStringLiteral("10.0.0.1"));

        // A second put with the same id replaces every field (a resume re-puts the session).
        s.ip = QStringLiteral("10.9.9.9");
        s.appVersion = QStringLiteral("2.0.0");
        store.putSession(s);
        QCOMPARE(store.sessionCount(), 2);
        const auto stored = find(store, QStringLiteral("s1"));
        QVERIFY(stored);
        QCOMPARE(stored->ip, QStringLiteral("10.9.9.9"));
        QCOMPARE(stored->appVersion, QStringLiteral("2.0.0"));
        QCOMPARE(stored->roomId, QStringLiteral("room-1"));
    }

    void touchUpdatesOnlyHeartbeatFields()
    {
        MemoryHotStore store;
        store.putSession(record(QStringLiteral("s1")));

        SessionRecord beat = record(QStringLiteral("s1"));
        beat.lastHeartbeatAtMs += 15'000;
        beat.latencyMs = 42;
        beat.heartbeatCount = 3;
        beat.latencySamples = 2;
        beat.latencySumMs = 80.5;
        // Fields a heartbeat does not own must not be taken from the touch.
        beat.ip = QStringLiteral("spoofed");
        beat.roomId = QStringLiteral("elsewhere");
        beat.connectedAtMs = 0;
        store.touchSession(beat);

        const auto stored = find(store, QStringLiteral("s1"));
        QVERIFY(stored);
        QCOMPARE(stored->lastHeartbeatAtMs, 1'700'000'015'000);
        QCOMPARE(stored->latencyMs, 42);
        QCOMPARE(stored->heartbeatCount, 3);
        QCOMPARE(stored->latencySamples, 2);
        QCOMPARE(stored->latencySumMs, 80.5);
        QCOMPARE(stored->ip, QStringLiteral("10.0.0.1"));
        QCOMPARE(stored->roomId, QStringLiteral("room-1"));
        QCOMPARE(stored->connectedAtMs, 1'700'000'000'000);
    }

    void touchOfAnUnknownSessionDoesNotCreateIt()
    {
        MemoryHotStore store;
        store.touchSession(record(QStringLiteral("ghost")));
        QCOMPARE(store.sessionCount(), 0);
        QVERIFY(!find(store, QStringLiteral("ghost")));
    }

    void removeDeletesByIdAndIgnoresUnknown()
    {
        MemoryHotStore store;
        store.putSession(record(QStringLiteral("s1")));
        store.putSession(record(QStringLiteral("s2")));
        store.removeSession(record(QStringLiteral("unknown")));
        QCOMPARE(store.sessionCount(), 2);

        // Removal is by id: the rest of the record passed in does not matter.
        SessionRecord stale = record(QStringLiteral("s1"), QStringLiteral("other-room"));
        store.removeSession(stale);
        QCOMPARE(store.sessionCount(), 1);
        QVERIFY(!find(store, QStringLiteral("s1")));
        QVERIFY(find(store, QStringLiteral("s2")));

        store.removeSession(record(QStringLiteral("s1"))); // twice: no effect
        QCOMPARE(store.sessionCount(), 1);
    }

    void loadSessionsReturnsEverythingSynchronously()
    {
        MemoryHotStore store;
        for (int i = 0; i < 50; ++i)
            store.putSession(record(QStringLiteral("s%1").arg(i, 2, 10, QLatin1Char('0')),
                                    QStringLiteral("room-%1").arg(i % 3)));
        store.removeSession(record(QStringLiteral("s07")));
        const QList<SessionRecord> all = loadAll(store); // qFatal if not synchronous
        QCOMPARE(all.size(), 49);
        QCOMPARE(all.first().id, QStringLiteral("s00"));
        QCOMPARE(all.last().id, QStringLiteral("s49"));
        QVERIFY(std::none_of(all.cbegin(), all.cend(),
                             [](const SessionRecord &s) { return s.id == QLatin1String("s07"); }));
        QCOMPARE(std::count_if(
                     all.cbegin(), all.cend(),
                     [](const SessionRecord &s) { return s.roomId == QLatin1String("room-1"); }),
                 qsizetype(16));
    }

    void peaksArePerRoomAndOverwritten()
    {
        MemoryHotStore store;
        store.setRoomPeak(QStringLiteral("room-1"), 5);
        store.setRoomPeak(QStringLiteral("room-2"), 9);
        QCOMPARE(store.roomPeak(QStringLiteral("room-1")), 5);
        QCOMPARE(store.roomPeak(QStringLiteral("room-2")), 9);
        // The store records what the engine says; the engine only ever raises it.
        store.setRoomPeak(QStringLiteral("room-1"), 7);
        QCOMPARE(store.roomPeak(QStringLiteral("room-1")), 7);
        QCOMPARE(store.roomPeak(QStringLiteral("room-2")), 9);
        // Peaks are independent of sessions.
        QCOMPARE(store.sessionCount(), 0);
        QVERIFY(store.health().ok);
    }

    void engineWritesThroughToTheStore()
    {
        ManualClock clock;
        MemoryHotStore store;
        PresenceEngine engine(clock, store, PresenceSettings{15, 45});
        engine.loadRooms({room(QStringLiteral("LOBBY"))});
        const Principal alice{QStringLiteral("alice"), QStringLiteral("t1"), {perm::User}, 0};

        protocol::Hello hello;
        hello.roomCode = QStringLiteral("LOBBY");
        hello.clientId = QStringLiteral("c1");
        hello.appVersion = QStringLiteral("1.0.0");
        auto first = engine.hello(alice, hello, QStringLiteral("10.0.0.1"), 1);
        QVERIFY(std::holds_alternative<protocol::HelloAck>(first));
        const QString s1 = std::get<protocol::HelloAck>(first).sessionId;
        hello.clientId = QStringLiteral("c2");
        auto second = engine.hello(alice, hello, QStringLiteral("10.0.0.2"), 2);
        QVERIFY(std::holds_alternative<protocol::HelloAck>(second));
        const QString s2 = std::get<protocol::HelloAck>(second).sessionId;

        QCOMPARE(store.sessionCount(), 2);
        QCOMPARE(store.roomPeak(QStringLiteral("id-LOBBY")), 2);

        clock.advance(5000);
        protocol::Heartbeat beat{s1, 33};
        QVERIFY(std::holds_alternative<qint64>(engine.heartbeat(alice, beat, 1)));
        const auto touched = find(store, s1);
        QVERIFY(touched);
        QCOMPARE(touched->latencyMs, 33);
        QCOMPARE(touched->lastHeartbeatAtMs, clock.nowMs());
        QCOMPARE(touched->heartbeatCount, 1);

        QVERIFY(std::holds_alternative<QString>(engine.leave(alice, protocol::Leave{s2})));
        QCOMPARE(store.sessionCount(), 1);
        QVERIFY(!find(store, s2));
        QCOMPARE(store.roomPeak(QStringLiteral("id-LOBBY")), 2); // a leave keeps the peak

        // Expiry removes it from the store too.
        clock.advance(45'000);
        QCOMPARE(engine.sweep(), 1);
        QCOMPARE(store.sessionCount(), 0);
    }

    void storedSessionsRebuildAnEngine()
    {
        ManualClock clock;
        MemoryHotStore store;
        store.putSession(
            record(QStringLiteral("s1"), QStringLiteral("id-LOBBY"), QStringLiteral("u1")));
        store.putSession(
            record(QStringLiteral("s2"), QStringLiteral("id-LOBBY"), QStringLiteral("u2")));
        store.putSession(
            record(QStringLiteral("s3"), QStringLiteral("id-GONE"), QStringLiteral("u3")));

        PresenceEngine engine(clock, store, PresenceSettings{15, 45});
        engine.loadRooms({room(QStringLiteral("LOBBY"))});
        store.loadSessions([&](Result<QList<SessionRecord>> sessions) {
            QVERIFY(sessions);
            engine.restoreSessions(*sessions);
        });
        // Sessions of rooms that no longer exist are not restored.
        QCOMPARE(engine.sessionCount(), 2);
        QCOMPARE(engine.metrics(QStringLiteral("id-LOBBY")).online, 2);
        QCOMPARE(engine.metrics(QStringLiteral("id-LOBBY")).users, 2);
        QVERIFY(engine.session(QStringLiteral("s1")));
        QVERIFY(!engine.session(QStringLiteral("s3")));
    }
};

QTEST_GUILESS_MAIN(TestMemoryHotStore)
#include "tst_memory_hot_store.moc"
