// Presence rules on a virtual clock: no test here waits for real time.
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "store/memory_hot_store.h"

#include <QSignalSpy>
#include <QTest>

using namespace spidi;
using protocol::ErrorCode;

namespace {

Principal user(const QString &id, const QString &tenant = QStringLiteral("t1"))
{
    return Principal{id, tenant, {perm::User}, 0};
}

Room room(const QString &code, int capacity = 10, int ttlSec = 3600,
          const QString &tenant = QStringLiteral("t1"))
{
    Room r;
    r.id = QStringLiteral("id-") + tenant + QLatin1Char('-') + code;
    r.tenantId = tenant;
    r.code = code;
    r.name = code;
    r.typeCode = QStringLiteral("GENERIC");
    r.capacity = capacity;
    r.ttlSec = ttlSec;
    return r;
}

protocol::Hello hello(const QString &code, const QString &client = QStringLiteral("c1"),
                      const QString &resume = {})
{
    protocol::Hello h;
    h.roomCode = code;
    h.clientId = client;
    h.appVersion = QStringLiteral("1.0.0");
    h.device = QStringLiteral("phone");
    h.os = QStringLiteral("Android 14");
    h.resumeSessionId = resume;
    return h;
}

template <typename T>
const T &ok(const Outcome<T> &outcome)
{
    if (auto failure = std::get_if<PresenceFailure>(&outcome))
        qFatal("unexpected failure: %s", qPrintable(failure->message));
    return std::get<T>(outcome);
}

template <typename T>
ErrorCode failure(const Outcome<T> &outcome)
{
    if (!std::holds_alternative<PresenceFailure>(outcome))
        return ErrorCode::Internal; // fails the QCOMPARE that follows with a clear value
    return std::get<PresenceFailure>(outcome).code;
}

} // namespace

class TestPresenceEngine : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    std::unique_ptr<MemoryHotStore> m_store;
    std::unique_ptr<PresenceEngine> m_engine;

private Q_SLOTS:
    void init()
    {
        m_clock.set(1'700'000'000'000);
        m_store = std::make_unique<MemoryHotStore>();
        m_engine = std::make_unique<PresenceEngine>(m_clock, *m_store, PresenceSettings{15, 45});
        m_engine->loadRooms({room(QStringLiteral("LOBBY")), room(QStringLiteral("TINY"), 2),
                             room(QStringLiteral("SHORT"), 10, 60),
                             room(QStringLiteral("LOBBY"), 10, 3600, QStringLiteral("t2"))});
    }

    void helloCreatesSessionAndAck()
    {
        QSignalSpy started(m_engine.get(), &PresenceEngine::sessionStarted);
        const auto ack =
            ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")),
                               QStringLiteral("10.0.0.1"), 1));
        QCOMPARE(ack.roomCode, QStringLiteral("LOBBY"));
        QCOMPARE(ack.roomId, QStringLiteral("id-t1-LOBBY"));
        QCOMPARE(ack.heartbeatIntervalSec, 15);
        QCOMPARE(ack.timeoutSec, 45);
        QCOMPARE(ack.serverTimeMs, m_clock.nowMs());
        QVERIFY(!ack.resumed);
        QCOMPARE(started.count(), 1);
        const SessionRecord *s = m_engine->session(ack.sessionId);
        QVERIFY(s);
        QCOMPARE(s->userId, QStringLiteral("u1"));
        QCOMPARE(s->ip, QStringLiteral("10.0.0.1"));
        QCOMPARE(s->os, QStringLiteral("Android 14"));
        QCOMPARE(m_store->sessionCount(), 1);
        const RoomMetrics m = m_engine->metrics(ack.roomId);
        QCOMPARE(m.online, 1);
        QCOMPARE(m.users, 1);
        QCOMPARE(m.peak, 1);
        QCOMPARE(m.capacity, 10);
        QCOMPARE(m.capacityPct, 10.0);
    }

    void refusals()
    {
        const Principal monitor{QStringLiteral("m"), QStringLiteral("t1"), {perm::Monitor}, 0};
        QCOMPARE(failure(m_engine->hello(monitor, hello(QStringLiteral("LOBBY")), {}, 1)),
                 ErrorCode::Forbidden);
        QCOMPARE(failure(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("NOPE")),
                                         {}, 1)),
                 ErrorCode::RoomNotFound);
        // t3 has no room called LOBBY even though t1 and t2 do.
        QCOMPARE(failure(m_engine->hello(user(QStringLiteral("u1"), QStringLiteral("t3")),
                                         hello(QStringLiteral("LOBBY")), {}, 1)),
                 ErrorCode::RoomNotFound);
        Room maintenance = room(QStringLiteral("LOBBY"));
        maintenance.status = RoomStatus::Maintenance;
        m_engine->upsertRoom(maintenance);
        QCOMPARE(failure(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")),
                                         {}, 1)),
                 ErrorCode::RoomInactive);
    }

    void capacityRefusesTheNextJoin()
    {
        ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("TINY")), {}, 1));
        ok(m_engine->hello(user(QStringLiteral("u2")), hello(QStringLiteral("TINY")), {}, 2));
        QCOMPARE(failure(m_engine->hello(user(QStringLiteral("u3")), hello(QStringLiteral("TINY")),
                                         {}, 3)),
                 ErrorCode::RoomFull);
        QCOMPARE(m_engine->metrics(QStringLiteral("id-t1-TINY")).capacityPct, 100.0);
    }

    void latencyAverageAndP95()
    {
        m_engine->upsertRoom(room(QStringLiteral("BIG"), 100));
        for (int i = 1; i <= 20; ++i) {
            const Principal p = user(QStringLiteral("u%1").arg(i));
            const auto ack = ok(m_engine->hello(p, hello(QStringLiteral("BIG")), {}, quint64(i)));
            protocol::Heartbeat hb{ack.sessionId, i * 10}; // 10, 20, ... 200 ms
            m_clock.advance(10);
            QCOMPARE(ok(m_engine->heartbeat(p, hb, quint64(i))), m_clock.nowMs());
        }
        const RoomMetrics m = m_engine->metrics(QStringLiteral("id-t1-BIG"));
        QCOMPARE(m.online, 20);
        QCOMPARE(m.avgLatencyMs, 105.0);
        // Nearest rank: ceil(0.95 * 20) = 19th value.
        QCOMPARE(m.p95LatencyMs, 190.0);
    }

    void sessionsBelongToTheirUser()
    {
        const auto ack = ok(
            m_engine->hello(user(QStringLiteral("alice")), hello(QStringLiteral("LOBBY")), {}, 1));
        QCOMPARE(
            failure(m_engine->heartbeat(user(QStringLiteral("mallory")), {ack.sessionId, 5}, 2)),
            ErrorCode::SessionNotFound);
        QCOMPARE(failure(m_engine->leave(user(QStringLiteral("mallory")), {ack.sessionId})),
                 ErrorCode::SessionNotFound);
        // Same user id in another tenant is another user.
        QCOMPARE(failure(m_engine->leave(user(QStringLiteral("alice"), QStringLiteral("t2")),
                                         {ack.sessionId})),
                 ErrorCode::SessionNotFound);
        QVERIFY(m_engine->session(ack.sessionId));
    }

    void expiryAfterTimeout()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        const Principal p = user(QStringLiteral("u1"));
        const auto ack = ok(m_engine->hello(p, hello(QStringLiteral("LOBBY")), {}, 7));
        m_clock.advance(30'000);
        ok(m_engine->heartbeat(p, {ack.sessionId, 12}, 7));
        m_clock.advance(44'999);
        QCOMPARE(m_engine->sweep(), 0);
        m_clock.advance(1);
        QCOMPARE(m_engine->sweep(), 1);
        QCOMPARE(ended.count(), 1);
        const auto record = ended.at(0).at(0).value<SessionRecord>();
        QCOMPARE(toString(record.endReason.value()), QStringLiteral("EXPIRED"));
        QCOMPARE(record.heartbeatCount, 1);
        QCOMPARE(record.averageLatencyMs(), 12.0);
        QCOMPARE(ended.at(0).at(1).value<ConnectionId>(), ConnectionId(7));
        QVERIFY(!m_engine->session(ack.sessionId));
        QCOMPARE(m_store->sessionCount(), 0);
        QCOMPARE(m_engine->metrics(ack.roomId).online, 0);
        QCOMPARE(m_engine->metrics(ack.roomId).peak, 1);
    }

    void closedSocketEndsAsDisconnectedAfterTimeout()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        const auto ack =
            ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")), {}, 3));
        m_engine->connectionClosed(3);
        QCOMPARE(m_engine->metrics(ack.roomId).online, 1); // a reconnect is not a leave
        m_clock.advance(45'000);
        QCOMPARE(m_engine->sweep(), 1);
        QCOMPARE(toString(ended.at(0).at(0).value<SessionRecord>().endReason.value()),
                 QStringLiteral("DISCONNECTED"));
    }

    void resumeWithinTimeoutKeepsTheSession()
    {
        const Principal p = user(QStringLiteral("u1"));
        const auto first = ok(m_engine->hello(p, hello(QStringLiteral("LOBBY")), {}, 1));
        m_engine->connectionClosed(1);
        m_clock.advance(40'000);
        const auto resumed = ok(m_engine->hello(
            p, hello(QStringLiteral("LOBBY"), QStringLiteral("c1"), first.sessionId), {}, 2));
        QCOMPARE(resumed.sessionId, first.sessionId);
        QVERIFY(resumed.resumed);
        m_clock.advance(40'000); // 80 s after the join, 40 s after the resume
        QCOMPARE(m_engine->sweep(), 0);
        QCOMPARE(m_engine->metrics(first.roomId).online, 1);
        // The resumed session lives on the new socket: closing the old one changes nothing.
        m_engine->connectionClosed(1);
        QCOMPARE(ok(m_engine->heartbeat(p, {first.sessionId, {}}, 2)), m_clock.nowMs());
    }

    void resumeAfterExpiryStartsANewSession()
    {
        const Principal p = user(QStringLiteral("u1"));
        const auto first = ok(m_engine->hello(p, hello(QStringLiteral("LOBBY")), {}, 1));
        m_clock.advance(46'000);
        m_engine->sweep();
        const auto second = ok(m_engine->hello(
            p, hello(QStringLiteral("LOBBY"), QStringLiteral("c1"), first.sessionId), {}, 2));
        QVERIFY(second.sessionId != first.sessionId);
        QVERIFY(!second.resumed);
        // Nor can another user take over a live session by naming it.
        const auto third = ok(m_engine->hello(
            user(QStringLiteral("u2")),
            hello(QStringLiteral("LOBBY"), QStringLiteral("c9"), second.sessionId), {}, 3));
        QVERIFY(third.sessionId != second.sessionId);
        QCOMPARE(m_engine->session(second.sessionId)->userId, QStringLiteral("u1"));
    }

    void oneUserOnThreeDevices()
    {
        const Principal p = user(QStringLiteral("u1"));
        for (int i = 0; i < 3; ++i)
            ok(m_engine->hello(p, hello(QStringLiteral("LOBBY"), QStringLiteral("dev%1").arg(i)),
                               {}, quint64(i + 1)));
        ok(m_engine->hello(p, hello(QStringLiteral("SHORT")), {}, 9));
        const RoomMetrics m = m_engine->metrics(QStringLiteral("id-t1-LOBBY"));
        QCOMPARE(m.online, 3);
        QCOMPARE(m.users, 1);
        QCOMPARE(m_engine->sessionsOfUser(QStringLiteral("t1"), QStringLiteral("u1")).size(), 4);
    }

    void roomTtlEndsLongSessions()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        const Principal p = user(QStringLiteral("u1"));
        const auto ack = ok(m_engine->hello(p, hello(QStringLiteral("SHORT")), {}, 1));
        for (int i = 0; i < 3; ++i) {
            m_clock.advance(15'000);
            ok(m_engine->heartbeat(p, {ack.sessionId, 20}, 1));
            QCOMPARE(m_engine->sweep(), 0);
        }
        m_clock.advance(15'000); // 60 s: the room's TTL
        QCOMPARE(m_engine->sweep(), 1);
        QCOMPARE(toString(ended.at(0).at(0).value<SessionRecord>().endReason.value()),
                 QStringLiteral("TTL"));
        // The client may join again.
        QVERIFY(ok(m_engine->hello(p, hello(QStringLiteral("SHORT")), {}, 1)).sessionId !=
                ack.sessionId);
    }

    void leaveEndsOnceAndKeepsPeak()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        const Principal p = user(QStringLiteral("u1"));
        const auto a = ok(m_engine->hello(p, hello(QStringLiteral("LOBBY")), {}, 1));
        const auto b =
            ok(m_engine->hello(user(QStringLiteral("u2")), hello(QStringLiteral("LOBBY")), {}, 2));
        QCOMPARE(ok(m_engine->leave(p, {a.sessionId})), a.sessionId);
        QCOMPARE(failure(m_engine->leave(p, {a.sessionId})), ErrorCode::SessionNotFound);
        QCOMPARE(ended.count(), 1);
        QCOMPARE(toString(ended.at(0).at(0).value<SessionRecord>().endReason.value()),
                 QStringLiteral("LEFT"));
        const RoomMetrics m = m_engine->metrics(b.roomId);
        QCOMPARE(m.online, 1);
        QCOMPARE(m.peak, 2);
    }

    void kickAndRoomRemoval()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        const auto a =
            ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")), {}, 1));
        const auto b =
            ok(m_engine->hello(user(QStringLiteral("u2")), hello(QStringLiteral("LOBBY")), {}, 2));
        QVERIFY(!m_engine->kick(QStringLiteral("t2"), a.sessionId)); // other tenant
        QVERIFY(m_engine->kick(QStringLiteral("t1"), a.sessionId));
        QCOMPARE(toString(ended.at(0).at(0).value<SessionRecord>().endReason.value()),
                 QStringLiteral("KICKED"));
        m_engine->removeRoom(b.roomId);
        QCOMPARE(ended.count(), 2);
        QVERIFY(!m_engine->session(b.sessionId));
        QCOMPARE(failure(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")),
                                         {}, 1)),
                 ErrorCode::RoomNotFound);
    }

    void closingARoomEndsItsSessionsButMaintenanceDoesNot()
    {
        const auto a =
            ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")), {}, 1));
        Room r = room(QStringLiteral("LOBBY"));
        r.status = RoomStatus::Maintenance;
        m_engine->upsertRoom(r);
        QVERIFY(m_engine->session(a.sessionId));
        r.status = RoomStatus::Closed;
        m_engine->upsertRoom(r);
        QVERIFY(!m_engine->session(a.sessionId));
    }

    void endAllForShutdown()
    {
        ok(m_engine->hello(user(QStringLiteral("u1")), hello(QStringLiteral("LOBBY")), {}, 1));
        ok(m_engine->hello(user(QStringLiteral("u2")), hello(QStringLiteral("SHORT")), {}, 2));
        QCOMPARE(m_engine->endAll(SessionEndReason::Disconnected), 2);
        QCOMPARE(m_engine->sessionCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestPresenceEngine)
#include "tst_presence_engine.moc"
