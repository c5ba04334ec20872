// The presence engine as one instance of several, on a virtual clock: what other instances
// report joins its view without being written by it, only its own sessions expire here,
// orphans of a dead instance expire once, and a device that moves brings its session along.
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "store/memory_hot_store.h"

#include <QSignalSpy>
#include <QTest>

using namespace spidi;

namespace {

const QString kMe = QStringLiteral("instance-me");
const QString kPeer = QStringLiteral("instance-peer");

Room room()
{
    Room r;
    r.id = QStringLiteral("room-1");
    r.tenantId = QStringLiteral("t1");
    r.code = QStringLiteral("LOBBY");
    r.name = QStringLiteral("Lobby");
    r.capacity = 3;
    r.ttlSec = 3600;
    return r;
}

SessionRecord remote(const QString &id, qint64 nowMs, const QString &owner = kPeer)
{
    SessionRecord s;
    s.id = id;
    s.tenantId = QStringLiteral("t1");
    s.roomId = QStringLiteral("room-1");
    s.roomCode = QStringLiteral("LOBBY");
    s.userId = QStringLiteral("dave");
    s.clientId = QStringLiteral("phone");
    s.instanceId = owner;
    s.connectedAtMs = nowMs;
    s.lastHeartbeatAtMs = nowMs;
    return s;
}

Principal dave()
{
    return Principal{QStringLiteral("dave"), QStringLiteral("t1"), {perm::User}, 0};
}

protocol::Hello hello(const QString &resume = {})
{
    protocol::Hello h;
    h.roomCode = QStringLiteral("LOBBY");
    h.clientId = QStringLiteral("phone");
    h.appVersion = QStringLiteral("1.0");
    h.resumeSessionId = resume;
    return h;
}

} // namespace

class TestClusterEngine : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    std::unique_ptr<MemoryHotStore> m_store;
    std::unique_ptr<PresenceEngine> m_engine;
    bool m_peerAlive = true;

private Q_SLOTS:
    void init()
    {
        m_clock.set(1'700'000'000'000);
        m_peerAlive = true;
        m_store = std::make_unique<MemoryHotStore>();
        m_engine = std::make_unique<PresenceEngine>(m_clock, *m_store, PresenceSettings{15, 45});
        m_engine->setInstanceId(kMe);
        m_engine->setOwnerAlive(
            [this](const QString &id) { return id == kMe || (id == kPeer && m_peerAlive); });
        m_engine->loadRooms({room()});
    }

    void remoteSessionsJoinTheViewButNotTheStore()
    {
        QSignalSpy started(m_engine.get(), &PresenceEngine::sessionStarted);
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        QCOMPARE(m_engine->sessionCount(), 1);
        QCOMPARE(m_engine->metrics(QStringLiteral("room-1")).online, 1);
        QCOMPARE(started.size(), 1);
        QVERIFY(started.at(0).at(1).value<EventOrigin>() == EventOrigin::Remote);
        QCOMPARE(m_store->sessionCount(), 0); // its owner writes it
        // Our own echo is ignored.
        m_engine->applyRemoteSession(remote(QStringLiteral("r2"), m_clock.nowMs(), kMe), false);
        QCOMPARE(m_engine->sessionCount(), 1);
        // Remote sessions count against capacity (3): two local joins fill the room.
        QVERIFY(std::holds_alternative<protocol::HelloAck>(
            m_engine->hello(dave(), hello(), QStringLiteral("ip"), 1)));
        QVERIFY(std::holds_alternative<protocol::HelloAck>(
            m_engine->hello(dave(), hello(), QStringLiteral("ip"), 1)));
        QCOMPARE(m_engine->sessionCount(), 3);
        QCOMPARE(m_engine->localSessionCount(), 2);
        QCOMPARE(m_engine->localSessions().size(), 2);
        const auto full = m_engine->hello(dave(), hello(), QStringLiteral("ip"), 1);
        QCOMPARE(std::get<PresenceFailure>(full).code, protocol::ErrorCode::RoomFull);
    }

    void heartbeatsUpdateOnlyNewerRemoteState()
    {
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        QSignalSpy beats(m_engine.get(), &PresenceEngine::sessionHeartbeat);
        m_engine->applyRemoteHeartbeat(QStringLiteral("r1"), m_clock.nowMs() + 500, 40, 2, 1, 40);
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->latencyMs, 40);
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->heartbeatCount, 2);
        // An older batch arriving late changes nothing.
        m_engine->applyRemoteHeartbeat(QStringLiteral("r1"), m_clock.nowMs() + 100, 99, 1, 1, 99);
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->latencyMs, 40);
        QCOMPARE(beats.size(), 1);
        QCOMPARE(m_engine->metrics(QStringLiteral("room-1")).avgLatencyMs, 40.0);
        // Unknown sessions are ignored.
        m_engine->applyRemoteHeartbeat(QStringLiteral("nope"), m_clock.nowMs(), 1, 9, 1, 1);
        QCOMPARE(beats.size(), 1);
    }

    void onlyOwnSessionsExpireHere()
    {
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        const auto ack = m_engine->hello(dave(), hello(), QStringLiteral("ip"), 1);
        const QString mine = std::get<protocol::HelloAck>(ack).sessionId;
        QCOMPARE(m_engine->session(mine)->instanceId, kMe);
        m_clock.advance(46'000);
        QCOMPARE(m_engine->sweep(), 1); // ours, not the peer's
        QVERIFY(!m_engine->session(mine));
        QVERIFY(m_engine->session(QStringLiteral("r1")));
        // The peer is alive: its sessions are not orphans, even overdue.
        QCOMPARE(m_engine->sweepOrphans(), 0);
    }

    void orphansOfADeadInstanceEndOnceAsDisconnected()
    {
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        m_clock.advance(10'000);
        m_engine->applyRemoteSession(remote(QStringLiteral("r2"), m_clock.nowMs()), false);
        m_peerAlive = false;
        QCOMPARE(m_engine->sweepOrphans(), 0); // dead owner, but not silent long enough yet
        m_clock.advance(35'000);               // r1 silent 45 s, r2 35 s
        QCOMPARE(m_engine->sweepOrphans(), 1);
        QCOMPARE(ended.size(), 1);
        const auto record = ended.at(0).at(0).value<SessionRecord>();
        QCOMPARE(record.id, QStringLiteral("r1"));
        QVERIFY(record.endReason == SessionEndReason::Disconnected);
        QVERIFY(ended.at(0).at(2).value<EventOrigin>() == EventOrigin::Local); // we write it
        QCOMPARE(m_engine->sweepOrphans(), 0);
        m_clock.advance(10'000);
        QCOMPARE(m_engine->sweepOrphans(), 1);
        QCOMPARE(m_engine->sessionCount(), 0);
    }

    void aDeviceThatMovesHereBringsItsSession()
    {
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        QSignalSpy resumed(m_engine.get(), &PresenceEngine::sessionResumed);
        const auto ack =
            m_engine->hello(dave(), hello(QStringLiteral("r1")), QStringLiteral("ip"), 7);
        QCOMPARE(std::get<protocol::HelloAck>(ack).sessionId, QStringLiteral("r1"));
        QCOMPARE(std::get<protocol::HelloAck>(ack).resumed, true);
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->instanceId, kMe);
        QCOMPARE(resumed.size(), 1);
        QVERIFY(resumed.at(0).at(1).value<EventOrigin>() == EventOrigin::Local);
        QCOMPARE(m_store->sessionCount(), 1); // ours to write now
        // A stale snapshot from the former owner does not take it back...
        m_engine->applyRemoteSnapshot(kPeer, {remote(QStringLiteral("r1"), m_clock.nowMs())});
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->instanceId, kMe);
        // ...an explicit resume elsewhere does.
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), true);
        QCOMPARE(m_engine->session(QStringLiteral("r1"))->instanceId, kPeer);
        QCOMPARE(m_store->sessionCount(), 0);
    }

    void snapshotsDropWhatTheOwnerNoLongerHolds()
    {
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        m_engine->applyRemoteSession(remote(QStringLiteral("r2"), m_clock.nowMs()), false);
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        m_engine->applyRemoteSnapshot(kPeer, {remote(QStringLiteral("r2"), m_clock.nowMs()),
                                              remote(QStringLiteral("r3"), m_clock.nowMs())});
        QVERIFY(!m_engine->session(QStringLiteral("r1")));
        QVERIFY(m_engine->session(QStringLiteral("r2")));
        QVERIFY(m_engine->session(QStringLiteral("r3")));
        QCOMPARE(ended.size(), 1);
        QVERIFY(ended.at(0).at(2).value<EventOrigin>() == EventOrigin::Remote);
    }

    void remoteEndsAndKicks()
    {
        m_engine->applyRemoteSession(remote(QStringLiteral("r1"), m_clock.nowMs()), false);
        QSignalSpy kicks(m_engine.get(), &PresenceEngine::kickRequested);
        QVERIFY(m_engine->kick(QStringLiteral("t1"), QStringLiteral("r1")));
        QCOMPARE(kicks.size(), 1); // handed to its owner, still live here
        QVERIFY(m_engine->session(QStringLiteral("r1")));
        QVERIFY(!m_engine->kick(QStringLiteral("t2"), QStringLiteral("r1"))); // other tenant

        SessionRecord end = remote(QStringLiteral("r1"), m_clock.nowMs());
        end.endedAtMs = m_clock.nowMs() + 5;
        end.endReason = SessionEndReason::Kicked;
        QSignalSpy ended(m_engine.get(), &PresenceEngine::sessionEnded);
        m_engine->applyRemoteEnd(end);
        QCOMPARE(ended.size(), 1);
        const auto record = ended.at(0).at(0).value<SessionRecord>();
        QVERIFY(record.endReason == SessionEndReason::Kicked);
        QCOMPARE(record.endedAtMs, end.endedAtMs);
        QVERIFY(ended.at(0).at(2).value<EventOrigin>() == EventOrigin::Remote);
        m_engine->applyRemoteEnd(end); // twice: nothing more
        QCOMPARE(ended.size(), 1);

        // A dead owner's session is kicked here, by us.
        m_engine->applyRemoteSession(remote(QStringLiteral("r2"), m_clock.nowMs()), false);
        m_peerAlive = false;
        QVERIFY(m_engine->kick(QStringLiteral("t1"), QStringLiteral("r2")));
        QCOMPARE(kicks.size(), 1);
        QCOMPARE(ended.size(), 2);
        QVERIFY(ended.at(1).at(2).value<EventOrigin>() == EventOrigin::Local);
    }
};

QTEST_GUILESS_MAIN(TestClusterEngine)
#include "tst_cluster_engine.moc"
