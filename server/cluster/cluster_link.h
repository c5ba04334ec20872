#pragma once

#include "cluster/cluster_messages.h"
#include "presence/presence_engine.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace spidi {

class LeaderLease;
class RedisClusterBus;

// Makes several instances one service (SPEC 9). It tells the cluster what this instance's
// engine did (sessions started, resumed, heartbeats in batches, ended; rooms changed through
// its REST API) and applies what the others did, so every engine holds the whole cluster's
// sessions and every dashboard sees them all.
//
// Who does which periodic work:
//  - partitioned by ownership, idempotent by construction: each instance expires and writes
//    to history only the sessions it holds (PresenceEngine::sweep), so no two instances ever
//    do the same one; history upserts by session id and never undoes an end, so even a race
//    (a session ended by two instances during a partition) leaves exactly one row;
//  - cluster-once, under the Redis leader lease (LeaderLease): sessions whose instance died
//    (orphans), which nobody holds, are expired by the leader alone.
class ClusterLink : public QObject
{
    Q_OBJECT
public:
    // `reloadRooms` re-reads the room directory from SQL (another instance changed it).
    ClusterLink(PresenceEngine &engine, RedisClusterBus &bus, LeaderLease &lease,
                std::function<void()> reloadRooms, QObject *parent = nullptr);
    ~ClusterLink() override;

    void start();
    // A room changed through this instance's REST API.
    void roomChanged(const QString &roomId, bool removed);
    // Alert news for the other instances, and where to hand theirs (AlertService).
    void publishAlerts(const QJsonObject &payload);
    void setAlertsHandler(std::function<void(const QJsonObject &)> handler)
    {
        m_alertsHandler = std::move(handler);
    }
    // Runs the leader's share of the periodic work; returns the orphans ended.
    int sweepOrphans();

private:
    void onReceived(const cluster::Message &message);
    void onConnected();
    void publishSession(cluster::MessageType type, const SessionRecord &session);
    void publishSnapshot();

    PresenceEngine &m_engine;
    RedisClusterBus &m_bus;
    LeaderLease &m_lease;
    std::function<void()> m_reloadRooms;
    std::function<void(const QJsonObject &)> m_alertsHandler;
    QTimer m_orphanTimer;
};

} // namespace spidi
