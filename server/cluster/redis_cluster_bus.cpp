#include "cluster/redis_cluster_bus.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "store/redis_connection.h"

#include <hiredis/hiredis.h>

namespace spidi {

namespace {
// A batch this large is sent at once instead of waiting for the timer (bounded message size).
constexpr int kMaxBatch = 5000;
} // namespace

RedisClusterBus::RedisClusterBus(ClusterBusOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_clock.start();
    RedisConnectionOptions publisher;
    publisher.url = m_options.url;
    publisher.name = QStringLiteral("cluster-publish");
    m_publisher = new RedisConnection(publisher, this);

    RedisConnectionOptions subscriber = publisher;
    subscriber.name = QStringLiteral("cluster-subscribe");
    subscriber.pingTimeoutMs = 0; // liveness comes from our own messages echoing back
    m_subscriber = new RedisConnection(subscriber, this);
    m_subscriber->setSubscription(m_options.channel,
                                  [this](const QByteArray &payload) { onPayload(payload); });

    for (RedisConnection *c : {m_publisher, m_subscriber}) {
        connect(c, &RedisConnection::ready, this, &RedisClusterBus::onConnectionReady);
        connect(c, &RedisConnection::connectionLost, this, &RedisClusterBus::onConnectionLost);
    }
    m_flushTimer.setInterval(m_options.flushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &RedisClusterBus::flushHeartbeats);
    m_watchdogTimer.setInterval(qMax(100, m_options.beaconIntervalMs / 2));
    connect(&m_watchdogTimer, &QTimer::timeout, this, &RedisClusterBus::watchdog);
}

RedisClusterBus::~RedisClusterBus() = default;

void RedisClusterBus::start()
{
    m_publisher->start();
    m_subscriber->start();
    m_flushTimer.start();
    m_watchdogTimer.start();
}

bool RedisClusterBus::isConnected() const
{
    return m_publisher->isReady() && m_subscriber->isReady();
}

qint64 RedisClusterBus::listeningForMs() const
{
    if (!isConnected() || m_listeningSince < 0)
        return -1;
    return m_clock.elapsed() - m_listeningSince;
}

bool RedisClusterBus::isPeerAlive(const QString &instanceId) const
{
    if (instanceId == m_options.instanceId)
        return true;
    const qint64 listening = listeningForMs();
    if (listening < m_options.peerTimeoutMs)
        return true;
    const auto it = m_lastHeard.constFind(instanceId);
    return it != m_lastHeard.cend() && m_clock.elapsed() - it.value() < m_options.peerTimeoutMs;
}

QStringList RedisClusterBus::alivePeers() const
{
    QStringList peers;
    const qint64 now = m_clock.elapsed();
    for (auto it = m_lastHeard.cbegin(); it != m_lastHeard.cend(); ++it)
        if (now - it.value() < m_options.peerTimeoutMs)
            peers.append(it.key());
    peers.sort();
    return peers;
}

QString RedisClusterBus::detail() const
{
    if (!m_publisher->isReady())
        return m_publisher->detail();
    if (!m_subscriber->isReady())
        return m_subscriber->detail();
    return {};
}

void RedisClusterBus::publish(cluster::Message message)
{
    message.from = m_options.instanceId;
    send(message);
}

void RedisClusterBus::send(const cluster::Message &message)
{
    if (!isConnected()) {
        ++m_dropped;
        return;
    }
    const bool sent = m_publisher->command(
        {QByteArrayLiteral("PUBLISH"), m_options.channel, cluster::encode(message)},
        [this, type = message.type](redisReply *reply) {
            if (reply && reply->type == REDIS_REPLY_ERROR) {
                ++m_dropped;
                m_publisher->countError();
                qCWarning(lcCluster).noquote()
                    << "cluster.publish_failed: type=" << cluster::toString(type)
                    << "error=" << RedisConnection::replyText(reply);
            }
        });
    if (sent) {
        ++m_published;
        m_lastSent = m_clock.elapsed();
    } else {
        ++m_dropped;
    }
}

void RedisClusterBus::queueHeartbeat(const cluster::HeartbeatUpdate &update)
{
    m_pendingHeartbeats.insert(update.sessionId, update);
    if (m_pendingHeartbeats.size() >= kMaxBatch)
        flushHeartbeats();
}

void RedisClusterBus::dropHeartbeat(const QString &sessionId)
{
    m_pendingHeartbeats.remove(sessionId);
}

void RedisClusterBus::flushHeartbeats()
{
    const qint64 now = m_clock.elapsed();
    if (m_pendingHeartbeats.isEmpty()) {
        if (m_lastSent < 0 || now - m_lastSent >= m_options.beaconIntervalMs)
            publish(cluster::Message{}); // a Beacon
        return;
    }
    cluster::Message batch;
    batch.type = cluster::MessageType::Heartbeats;
    batch.heartbeats = m_pendingHeartbeats.values();
    m_pendingHeartbeats.clear();
    publish(std::move(batch));
}

void RedisClusterBus::onPayload(const QByteArray &payload)
{
    auto message = cluster::decode(payload);
    if (!message) {
        ++m_malformed;
        qCWarning(lcCluster).noquote()
            << "cluster.malformed_message: error=" << message.error().message
            << "bytes=" << payload.size();
        return;
    }
    const qint64 now = m_clock.elapsed();
    if (message->from == m_options.instanceId) {
        m_lastEcho = now;
        return;
    }
    ++m_received;
    if (!m_lastHeard.contains(message->from))
        logEvent(lcCluster(), QtInfoMsg, "cluster.peer_joined",
                 {{"peer", message->from}, {"instance_id", m_options.instanceId}});
    m_lastHeard.insert(message->from, now);
    Q_EMIT received(*message);
}

void RedisClusterBus::onConnectionReady()
{
    if (!isConnected())
        return;
    m_listeningSince = m_clock.elapsed();
    m_lastEcho = m_listeningSince;
    m_wasConnected = true;
    logEvent(
        lcCluster(), QtInfoMsg, "cluster.bus_connected",
        {{"instance_id", m_options.instanceId}, {"channel", QString::fromUtf8(m_options.channel)}});
    Q_EMIT connected();
}

void RedisClusterBus::onConnectionLost(const QString &reason)
{
    m_listeningSince = -1;
    if (!m_wasConnected)
        return;
    m_wasConnected = false;
    logEvent(lcCluster(), QtWarningMsg, "cluster.bus_disconnected", reason,
             {{"instance_id", m_options.instanceId}, {"reason", reason}});
    Q_EMIT disconnected(reason);
}

void RedisClusterBus::watchdog()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_lastHeard.begin(); it != m_lastHeard.end();) {
        if (now - it.value() >= m_options.peerTimeoutMs && listeningForMs() >= 0) {
            logEvent(lcCluster(), QtWarningMsg, "cluster.peer_lost",
                     {{"peer", it.key()},
                      {"silent_ms", now - it.value()},
                      {"instance_id", m_options.instanceId}});
            it = m_lastHeard.erase(it);
        } else {
            ++it;
        }
    }
    // We publish at least every beaconInterval; if none of it comes back, the subscription is
    // dead even though its socket looks fine (it cannot PING): start it again.
    if (isConnected() && now - m_lastEcho > m_options.echoTimeoutMs) {
        m_lastEcho = now;
        m_subscriber->reset(
            QStringLiteral("no echo of our own messages for %1 ms").arg(m_options.echoTimeoutMs));
    }
}

} // namespace spidi
