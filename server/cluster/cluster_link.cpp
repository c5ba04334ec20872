#include "cluster/cluster_link.h"

#include "cluster/leader_lease.h"
#include "cluster/redis_cluster_bus.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

namespace spidi {

namespace {
constexpr int kOrphanSweepIntervalMs = 1000;
} // namespace

ClusterLink::ClusterLink(PresenceEngine &engine, RedisClusterBus &bus, LeaderLease &lease,
                         std::function<void()> reloadRooms, QObject *parent)
    : QObject(parent), m_engine(engine), m_bus(bus), m_lease(lease),
      m_reloadRooms(std::move(reloadRooms))
{
    using cluster::MessageType;
    m_engine.setOwnerAlive(
        [this](const QString &instanceId) { return m_bus.isPeerAlive(instanceId); });

    connect(&m_engine, &PresenceEngine::sessionStarted, this,
            [this](const SessionRecord &s, EventOrigin origin) {
                if (origin == EventOrigin::Local)
                    publishSession(MessageType::Started, s);
            });
    connect(&m_engine, &PresenceEngine::sessionResumed, this,
            [this](const SessionRecord &s, EventOrigin origin) {
                if (origin == EventOrigin::Local)
                    publishSession(MessageType::Resumed, s);
            });
    connect(&m_engine, &PresenceEngine::sessionHeartbeat, this,
            [this](const SessionRecord &s, EventOrigin origin) {
                if (origin == EventOrigin::Local)
                    m_bus.queueHeartbeat({s.id, s.lastHeartbeatAtMs, s.latencyMs, s.heartbeatCount,
                                          s.latencySamples, s.latencySumMs});
            });
    connect(&m_engine, &PresenceEngine::sessionEnded, this,
            [this](const SessionRecord &s, ConnectionId, EventOrigin origin) {
                m_bus.dropHeartbeat(s.id);
                if (origin == EventOrigin::Local)
                    publishSession(MessageType::Ended, s);
            });
    connect(&m_engine, &PresenceEngine::kickRequested, this, [this](const SessionRecord &s) {
        cluster::Message kick;
        kick.type = MessageType::Kick;
        kick.target = s.instanceId;
        kick.tenantId = s.tenantId;
        kick.sessionId = s.id;
        m_bus.publish(kick);
    });
    connect(&m_bus, &RedisClusterBus::received, this, &ClusterLink::onReceived);
    connect(&m_bus, &RedisClusterBus::connected, this, &ClusterLink::onConnected);

    m_orphanTimer.setInterval(kOrphanSweepIntervalMs);
    connect(&m_orphanTimer, &QTimer::timeout, this, &ClusterLink::sweepOrphans);
}

ClusterLink::~ClusterLink() = default;

void ClusterLink::start()
{
    m_orphanTimer.start();
}

void ClusterLink::roomChanged(const QString &roomId, bool removed)
{
    cluster::Message message;
    message.type = cluster::MessageType::RoomChanged;
    message.roomId = roomId;
    message.removed = removed;
    m_bus.publish(message);
}

void ClusterLink::publishAlerts(const QJsonObject &payload)
{
    cluster::Message message;
    message.type = cluster::MessageType::Alerts;
    message.payload = payload;
    m_bus.publish(message);
}

int ClusterLink::sweepOrphans()
{
    // Only the leader, and only once it has listened long enough to know who is alive.
    if (!m_lease.isLeader() || m_bus.listeningForMs() < m_bus.options().peerTimeoutMs)
        return 0;
    return m_engine.sweepOrphans();
}

void ClusterLink::publishSession(cluster::MessageType type, const SessionRecord &session)
{
    cluster::Message message;
    message.type = type;
    message.sessions = {session};
    m_bus.publish(message);
}

void ClusterLink::publishSnapshot()
{
    cluster::Message snapshot;
    snapshot.type = cluster::MessageType::Snapshot;
    snapshot.sessions = m_engine.localSessions();
    m_bus.publish(snapshot);
}

void ClusterLink::onConnected()
{
    // Pub/sub lost whatever was sent while we were away: catch up on rooms, tell the others
    // what we hold, and ask them for theirs.
    if (m_reloadRooms)
        m_reloadRooms();
    publishSnapshot();
    cluster::Message sync;
    sync.type = cluster::MessageType::SyncRequest;
    m_bus.publish(sync);
}

void ClusterLink::onReceived(const cluster::Message &message)
{
    using cluster::MessageType;
    switch (message.type) {
    case MessageType::Beacon:
        return;
    case MessageType::Started:
        m_engine.applyRemoteSession(message.sessions.constFirst(), false);
        return;
    case MessageType::Resumed:
        m_engine.applyRemoteSession(message.sessions.constFirst(), true);
        return;
    case MessageType::Heartbeats:
        for (const cluster::HeartbeatUpdate &h : message.heartbeats)
            m_engine.applyRemoteHeartbeat(h.sessionId, h.lastHeartbeatAtMs, h.latencyMs,
                                          h.heartbeatCount, h.latencySamples, h.latencySumMs);
        return;
    case MessageType::Ended:
        m_engine.applyRemoteEnd(message.sessions.constFirst());
        return;
    case MessageType::Snapshot:
        m_engine.applyRemoteSnapshot(message.from, message.sessions);
        return;
    case MessageType::SyncRequest:
        publishSnapshot();
        return;
    case MessageType::RoomChanged:
        logEvent(
            lcCluster(), QtInfoMsg, "cluster.room_changed",
            {{"room_id", message.roomId}, {"removed", message.removed}, {"peer", message.from}});
        if (m_reloadRooms)
            m_reloadRooms();
        return;
    case MessageType::Alerts:
        if (m_alertsHandler)
            m_alertsHandler(message.payload);
        return;
    case MessageType::Kick:
        if (message.target == m_engine.instanceId() &&
            !m_engine.kick(message.tenantId, message.sessionId))
            qCInfo(lcCluster).noquote() << "cluster.kick_unknown: session_id=" << message.sessionId
                                        << "from=" << message.from;
        return;
    }
}

} // namespace spidi
