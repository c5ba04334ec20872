#pragma once

#include "cluster/cluster_messages.h"
#include "store/redis_url.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace spidi {

class RedisConnection;

struct ClusterBusOptions
{
    RedisUrl url;
    QString instanceId;
    QByteArray channel = QByteArrayLiteral("spidi:cluster:events");
    // Heartbeats are batched: a dashboard on another instance sees latency and last-seen
    // changes within this delay, well inside the 500 ms coalescing window of SPEC 4.1.
    int flushIntervalMs = 250;
    // Something is sent at least this often, so silence means death.
    int beaconIntervalMs = 1000;
    // A peer not heard from for this long is presumed dead (its sessions become orphans).
    int peerTimeoutMs = 5000;
    // Our own messages not echoed back for this long: the subscriber connection is dead.
    int echoTimeoutMs = 3000;
};

// Fan-out between the instances of one service over Redis pub/sub: one connection publishes
// (and carries the leader lease's commands), a second one is subscribed to the channel.
// Pub/sub is at-most-once, so whatever a reconnect may have lost is repaired by snapshots
// (see ClusterLink); this class only moves messages and tracks who is alive.
class RedisClusterBus : public QObject
{
    Q_OBJECT
public:
    explicit RedisClusterBus(ClusterBusOptions options, QObject *parent = nullptr);
    ~RedisClusterBus() override;

    void start();
    // Sent now, in order; dropped (and counted) while disconnected.
    void publish(cluster::Message message);
    // Batched; a newer update for the same session replaces the queued one.
    void queueHeartbeat(const cluster::HeartbeatUpdate &update);
    void dropHeartbeat(const QString &sessionId);

    bool isConnected() const;
    // How long the subscription has been up without a break; -1 while it is down.
    qint64 listeningForMs() const;
    // True for ourselves, and whenever we cannot tell (not connected, or not listening long
    // enough to have heard everyone): only a peer we should have heard and did not is dead.
    bool isPeerAlive(const QString &instanceId) const;
    QStringList alivePeers() const;
    QString detail() const;
    const ClusterBusOptions &options() const { return m_options; }
    RedisConnection &commands() { return *m_publisher; }

    qint64 messagesPublished() const { return m_published; }
    qint64 messagesReceived() const { return m_received; }
    qint64 messagesDropped() const { return m_dropped; }
    qint64 malformedMessages() const { return m_malformed; }

Q_SIGNALS:
    // A message from another instance.
    void received(const spidi::cluster::Message &message);
    // Both connections are up (again): time to exchange snapshots.
    void connected();
    void disconnected(const QString &reason);

private:
    void onPayload(const QByteArray &payload);
    void onConnectionReady();
    void onConnectionLost(const QString &reason);
    void flushHeartbeats();
    void watchdog();
    void send(const cluster::Message &message);

    ClusterBusOptions m_options;
    RedisConnection *m_publisher = nullptr;
    RedisConnection *m_subscriber = nullptr;
    QTimer m_flushTimer;
    QTimer m_watchdogTimer;
    QElapsedTimer m_clock; // monotonic time base for the fields below
    qint64 m_listeningSince = -1;
    qint64 m_lastSent = -1;
    qint64 m_lastEcho = -1;
    bool m_wasConnected = false;
    QHash<QString, qint64> m_lastHeard; // peer instance id -> m_clock time
    QHash<QString, cluster::HeartbeatUpdate> m_pendingHeartbeats;
    qint64 m_published = 0;
    qint64 m_received = 0;
    qint64 m_dropped = 0;
    qint64 m_malformed = 0;
};

} // namespace spidi
