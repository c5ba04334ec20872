#pragma once

#include "gateway/client_connection.h"
#include "model/room.h"
#include "protocol/json_codec.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

namespace spidi {

class Clock;
class PresenceEngine;

// Topic subscriptions and coalesced broadcasts (SPEC 4.1): a subscriber gets a snapshot at
// once, then at most one ROOM_METRICS and one ROOM_ROSTER_DIFF per room per `minIntervalMs`
// (500 ms: two a second), and a change is on the wire within `minIntervalMs`. Each broadcast is
// serialised once and shared by every subscriber. A slow subscriber (see ClientConnection) is
// skipped; once drained it gets a fresh snapshot of what it missed.
class SubscriptionHub : public QObject
{
    Q_OBJECT
public:
    SubscriptionHub(PresenceEngine &engine, const Clock &clock, int minIntervalMs = 500,
                    QObject *parent = nullptr);

    static constexpr int MaxSubscriptionsPerConnection = 1000;

    // Validates, answers SUBSCRIBED (or an ERROR) and sends the snapshot.
    void subscribe(ClientConnection *connection, const std::optional<qint64> &ref,
                   const protocol::Topic &topic);
    void unsubscribe(ClientConnection *connection, const std::optional<qint64> &ref,
                     const protocol::Topic &topic);
    void removeConnection(ClientConnection *connection);
    void resync(ClientConnection *connection);

    // The `alerts` topic (SPEC 4.1): `snapshot` gives the tenant's open events as ALERT
    // messages for a new subscriber; publishAlert() sends one ALERT to every subscriber of the
    // tenant. Alerts are rare and each one matters, so unlike room updates they are never
    // skipped for a slow subscriber.
    void setAlertSnapshot(std::function<QList<QJsonObject>(const QString &tenantId)> snapshot)
    {
        m_alertSnapshot = std::move(snapshot);
    }
    void publishAlert(const QString &tenantId, const QJsonObject &message);

    int subscriberCount() const;
    qint64 broadcastsSent() const { return m_broadcastsSent; }
    qint64 broadcastsSkipped() const { return m_broadcastsSkipped; }

private:
    struct PendingRoom
    {
        bool metricsDirty = false;
        QHash<QString, SessionRecord> joins;
        QSet<QString> leaves;
        QHash<QString, protocol::RosterUpdate> updates;
        qint64 lastSentMs = 0;
        qint64 dueMs = -1; // -1: nothing scheduled
        RoomMetrics lastMetrics;
        bool hasLastMetrics = false;
    };

    static QString topicKey(const QString &tenantId, const protocol::Topic &topic);
    void onSessionStarted(const SessionRecord &session);
    void onSessionResumed(const SessionRecord &session);
    void onSessionHeartbeat(const SessionRecord &session);
    void onSessionEnded(const SessionRecord &session);
    void onRoomChanged(const QString &roomId, bool removed);
    void onRoomRemoved(const Room &room);
    void markDirty(const QString &roomId);
    void rescheduleTimer();
    void flushDue();
    void flushRoom(const QString &roomId, PendingRoom &pending, qint64 now);
    void sendSnapshot(ClientConnection *connection, const protocol::Topic &topic);
    void broadcast(const QString &key, const protocol::Topic &topic, const QByteArray &json);

    PresenceEngine &m_engine;
    const Clock &m_clock;
    int m_minIntervalMs;
    QTimer m_timer;
    QHash<QString, PendingRoom> m_pending;                  // by room id
    QHash<QString, QSet<ClientConnection *>> m_subscribers; // by topic key
    QHash<ClientConnection *, QSet<QString>> m_missed;      // topic keys skipped while slow
    std::function<QList<QJsonObject>(const QString &)> m_alertSnapshot;
    qint64 m_broadcastsSent = 0;
    qint64 m_broadcastsSkipped = 0;
};

} // namespace spidi
