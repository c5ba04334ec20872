#include "subscription_hub.h"

#include "logging/log_categories.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"

#include <QJsonDocument>

namespace spidi {

using protocol::ErrorCode;
using protocol::Topic;

SubscriptionHub::SubscriptionHub(PresenceEngine &engine, const Clock &clock, int minIntervalMs,
                                 QObject *parent)
    : QObject(parent), m_engine(engine), m_clock(clock), m_minIntervalMs(minIntervalMs)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SubscriptionHub::flushDue);
    connect(&engine, &PresenceEngine::sessionStarted, this, &SubscriptionHub::onSessionStarted);
    connect(&engine, &PresenceEngine::sessionResumed, this, &SubscriptionHub::onSessionResumed);
    connect(&engine, &PresenceEngine::sessionHeartbeat, this, &SubscriptionHub::onSessionHeartbeat);
    connect(&engine, &PresenceEngine::sessionEnded, this,
            [this](const SessionRecord &s, ConnectionId) { onSessionEnded(s); });
    connect(&engine, &PresenceEngine::roomChanged, this, &SubscriptionHub::onRoomChanged);
    connect(&engine, &PresenceEngine::roomRemoved, this, &SubscriptionHub::onRoomRemoved);
}

QString SubscriptionHub::topicKey(const QString &tenantId, const Topic &topic)
{
    return tenantId + QChar(u'\x1f') + topic.toString();
}

int SubscriptionHub::subscriberCount() const
{
    int n = 0;
    for (const auto &set : m_subscribers)
        n += int(set.size());
    return n;
}

void SubscriptionHub::subscribe(ClientConnection *connection, const std::optional<qint64> &ref,
                                const Topic &topic)
{
    const Principal &who = connection->principal();
    if (!who.canRead()) {
        connection->sendError(ref, ErrorCode::Forbidden,
                              QStringLiteral("subscribing needs spidi:monitor"));
        return;
    }
    if ((topic.kind == Topic::Kind::RoomMetrics || topic.kind == Topic::Kind::RoomRoster) &&
        !m_engine.roomByCode(who.tenantId, topic.roomCode)) {
        connection->sendError(ref, ErrorCode::RoomNotFound,
                              QStringLiteral("room '%1' does not exist").arg(topic.roomCode));
        return;
    }
    const QString key = topicKey(who.tenantId, topic);
    if (!connection->subscriptions.contains(key) &&
        connection->subscriptions.size() >= MaxSubscriptionsPerConnection) {
        connection->sendError(ref, ErrorCode::BadRequest,
                              QStringLiteral("at most %1 subscriptions per connection")
                                  .arg(MaxSubscriptionsPerConnection));
        return;
    }
    connection->subscriptions.insert(key);
    m_subscribers[key].insert(connection);
    connection->send(Framing::Outbound::SubscriptionReply, protocol::encodeSubscribed(ref, topic));
    if (connection->isSlow()) {
        // Not piled onto a backlog the client is not reading (a re-SUBSCRIBE would otherwise
        // buffer a full snapshot per request): it gets the snapshot once it drains.
        m_missed[connection].insert(key);
        return;
    }
    sendSnapshot(connection, topic);
}

void SubscriptionHub::unsubscribe(ClientConnection *connection, const std::optional<qint64> &ref,
                                  const Topic &topic)
{
    const QString key = topicKey(connection->principal().tenantId, topic);
    connection->subscriptions.remove(key);
    if (auto it = m_subscribers.find(key); it != m_subscribers.end()) {
        it->remove(connection);
        if (it->isEmpty())
            m_subscribers.erase(it);
    }
    if (auto it = m_missed.find(connection); it != m_missed.end())
        it->remove(key);
    // Unsubscribing from something not subscribed is not an error: the end state is the same.
    connection->send(Framing::Outbound::SubscriptionReply,
                     protocol::encodeUnsubscribed(ref, topic));
}

void SubscriptionHub::removeConnection(ClientConnection *connection)
{
    for (const QString &key : std::as_const(connection->subscriptions)) {
        if (auto it = m_subscribers.find(key); it != m_subscribers.end()) {
            it->remove(connection);
            if (it->isEmpty())
                m_subscribers.erase(it);
        }
    }
    connection->subscriptions.clear();
    m_missed.remove(connection);
}

void SubscriptionHub::resync(ClientConnection *connection)
{
    const QSet<QString> missed = m_missed.take(connection);
    for (const QString &key : missed) {
        const auto topic = Topic::parse(key.section(QChar(u'\x1f'), 1));
        if (topic && connection->subscriptions.contains(key))
            sendSnapshot(connection, *topic);
    }
}

void SubscriptionHub::sendSnapshot(ClientConnection *connection, const Topic &topic)
{
    const QString &tenant = connection->principal().tenantId;
    switch (topic.kind) {
    case Topic::Kind::Rooms:
        for (const RoomPresence *room : m_engine.roomsOfTenant(tenant)) {
            connection->send(Framing::Outbound::Event,
                             protocol::encodeRoomMetrics(m_engine.metrics(room->room().id)),
                             &topic);
        }
        break;
    case Topic::Kind::RoomMetrics:
        if (const RoomPresence *room = m_engine.roomByCode(tenant, topic.roomCode))
            connection->send(Framing::Outbound::Event,
                             protocol::encodeRoomMetrics(m_engine.metrics(room->room().id)),
                             &topic);
        break;
    case Topic::Kind::RoomRoster:
        if (const RoomPresence *room = m_engine.roomByCode(tenant, topic.roomCode))
            connection->send(Framing::Outbound::Event,
                             protocol::encodeRoomRoster(room->room().id, room->room().code,
                                                        m_engine.sessionsOfRoom(room->room().id),
                                                        m_clock.nowMs()),
                             &topic);
        break;
    case Topic::Kind::Alerts:
        if (m_alertSnapshot) {
            for (const QJsonObject &message : m_alertSnapshot(tenant))
                connection->send(Framing::Outbound::Event,
                                 QJsonDocument(message).toJson(QJsonDocument::Compact), &topic);
        }
        break;
    }
}

void SubscriptionHub::onSessionStarted(const SessionRecord &session)
{
    PendingRoom &p = m_pending[session.roomId];
    p.joins.insert(session.id, session);
    p.metricsDirty = true;
    markDirty(session.roomId);
}

void SubscriptionHub::onSessionResumed(const SessionRecord &session)
{
    // A resume may come from a new address or app version, which a roster update does not
    // carry: announce the whole record as a join, which replaces the session a subscriber
    // already holds (docs/protocol.md: a join of a known session replaces it).
    PendingRoom &p = m_pending[session.roomId];
    p.updates.remove(session.id);
    p.joins.insert(session.id, session);
    p.metricsDirty = true;
    markDirty(session.roomId);
}

void SubscriptionHub::onSessionHeartbeat(const SessionRecord &session)
{
    PendingRoom &p = m_pending[session.roomId];
    if (auto join = p.joins.find(session.id); join != p.joins.end())
        *join = session; // not announced yet: the join carries the latest state
    else
        p.updates.insert(session.id, {session.id, session.latencyMs, session.lastHeartbeatAtMs});
    p.metricsDirty = true;
    markDirty(session.roomId);
}

void SubscriptionHub::onSessionEnded(const SessionRecord &session)
{
    PendingRoom &p = m_pending[session.roomId];
    // Always announce the leave, even for a join not yet broadcast: a subscriber that joined
    // in between saw the session in its snapshot.
    p.joins.remove(session.id);
    p.updates.remove(session.id);
    p.leaves.insert(session.id);
    p.metricsDirty = true;
    markDirty(session.roomId);
}

void SubscriptionHub::onRoomChanged(const QString &roomId, bool removed)
{
    if (!removed) {
        m_pending[roomId].metricsDirty = true;
        markDirty(roomId);
        return;
    }
    m_pending.remove(roomId);
    rescheduleTimer();
}

void SubscriptionHub::markDirty(const QString &roomId)
{
    PendingRoom &p = m_pending[roomId];
    if (p.dueMs >= 0)
        return;
    p.dueMs = qMax(m_clock.nowMs(), p.lastSentMs + m_minIntervalMs);
    rescheduleTimer();
}

void SubscriptionHub::rescheduleTimer()
{
    qint64 next = -1;
    for (const PendingRoom &p : std::as_const(m_pending)) {
        if (p.dueMs >= 0 && (next < 0 || p.dueMs < next))
            next = p.dueMs;
    }
    if (next < 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(qBound(qint64(0), next - m_clock.nowMs(), qint64(m_minIntervalMs))));
}

void SubscriptionHub::flushDue()
{
    const qint64 now = m_clock.nowMs();
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        PendingRoom &p = it.value();
        if (p.dueMs >= 0 && p.dueMs <= now)
            flushRoom(it.key(), p, now);
        // Rooms with nothing pending and no recent broadcast need no state.
        if (p.dueMs < 0 && now - p.lastSentMs > m_minIntervalMs && !p.hasLastMetrics)
            it = m_pending.erase(it);
        else
            ++it;
    }
    rescheduleTimer();
}

void SubscriptionHub::flushRoom(const QString &roomId, PendingRoom &p, qint64 now)
{
    p.dueMs = -1;
    p.lastSentMs = now;
    const RoomPresence *room = m_engine.roomById(roomId);
    if (!room) {
        p = PendingRoom{};
        return;
    }
    const QString &tenant = room->room().tenantId;
    if (p.metricsDirty) {
        p.metricsDirty = false;
        const RoomMetrics metrics = m_engine.metrics(roomId);
        if (!p.hasLastMetrics || !metrics.sameFigures(p.lastMetrics)) {
            p.lastMetrics = metrics;
            p.hasLastMetrics = true;
            const QByteArray json = protocol::encodeRoomMetrics(metrics);
            const Topic roomTopic{Topic::Kind::RoomMetrics, room->room().code};
            broadcast(topicKey(tenant, roomTopic), roomTopic, json);
            const Topic roomsTopic{Topic::Kind::Rooms, {}};
            broadcast(topicKey(tenant, roomsTopic), roomsTopic, json);
        }
    }
    if (!p.joins.isEmpty() || !p.leaves.isEmpty() || !p.updates.isEmpty()) {
        protocol::RosterDiff diff;
        diff.roomId = roomId;
        diff.roomCode = room->room().code;
        diff.joins = p.joins.values();
        diff.leaves = p.leaves.values();
        diff.updates = p.updates.values();
        p.joins.clear();
        p.leaves.clear();
        p.updates.clear();
        const Topic rosterTopic{Topic::Kind::RoomRoster, room->room().code};
        broadcast(topicKey(tenant, rosterTopic), rosterTopic,
                  protocol::encodeRosterDiff(diff, now));
    }
}

void SubscriptionHub::publishAlert(const QString &tenantId, const QJsonObject &message)
{
    const Topic topic{Topic::Kind::Alerts, {}};
    auto it = m_subscribers.constFind(topicKey(tenantId, topic));
    if (it == m_subscribers.cend())
        return;
    const QByteArray json = QJsonDocument(message).toJson(QJsonDocument::Compact);
    for (ClientConnection *c : *it) {
        c->send(Framing::Outbound::Event, json, &topic);
        ++m_broadcastsSent;
    }
}

void SubscriptionHub::onRoomRemoved(const Room &room)
{
    // Sent to every subscriber, slow or not: a snapshot after a resync would only show the room
    // missing, which a client merging updates could not tell from "no news".
    const QByteArray json = protocol::encodeRoomRemoved(room.id, room.code, m_clock.nowMs());
    for (const Topic &topic :
         {Topic{Topic::Kind::Rooms, {}}, Topic{Topic::Kind::RoomMetrics, room.code},
          Topic{Topic::Kind::RoomRoster, room.code}}) {
        auto it = m_subscribers.constFind(topicKey(room.tenantId, topic));
        if (it == m_subscribers.cend())
            continue;
        for (ClientConnection *c : *it) {
            c->send(Framing::Outbound::Event, json, &topic);
            ++m_broadcastsSent;
        }
    }
}

void SubscriptionHub::broadcast(const QString &key, const Topic &topic, const QByteArray &json)
{
    auto it = m_subscribers.constFind(key);
    if (it == m_subscribers.cend())
        return;
    for (ClientConnection *c : *it) {
        if (c->isSlow()) {
            // The update is superseded by the snapshot it will get once it drains.
            m_missed[c].insert(key);
            ++m_broadcastsSkipped;
            continue;
        }
        c->send(Framing::Outbound::Event, json, &topic);
        ++m_broadcastsSent;
    }
}

} // namespace spidi
