#pragma once

#include "models/alert_inbox_model.h"

#include <QDBusConnection>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QVariantMap>
#include <QWindow>

class QSystemTrayIcon;

namespace spidi::desktop {

// Tells the user about CRITICAL alerts even when the console is minimised (docs/desktop.md,
// "Alert notifications"): for each CRITICAL event the inbox reports as fired with the rule's
// `notify` flag, one notification through the best channel there is (a system tray balloon
// when a tray exists, else a freedesktop notification over the session bus, else none), plus
// the taskbar flash (QWindow::alert) and a count of unseen critical events that the window
// shows as a badge until the user looks at the inbox. Activating a notification (or the tray
// icon) raises the window and reports the event (eventActivated) for the inbox to show it.
//
// A burst is grouped: the first CRITICAL event after a quiet spell is notified at once; those
// that follow within the grouping window are held and then told in one summary ("CRITICAL ·
// 5 alerts", the newest rooms and rules named) that replaces the burst's earlier notification,
// at most one notification per window for as long as the burst lasts. A mass disconnect over
// fifty rooms is one notification to read, not fifty.
class AlertNotifier : public QObject
{
    Q_OBJECT
    Q_PROPERTY(spidi::desktop::AlertInboxModel *inbox READ inbox WRITE setInbox NOTIFY inboxChanged)
    Q_PROPERTY(QWindow *window READ window WRITE setWindow NOTIFY windowChanged)
    // CRITICAL events fired since the user last looked at the inbox.
    Q_PROPERTY(int unseenCount READ unseenCount NOTIFY unseenCountChanged)
    // Where the next notification goes: "tray", "dbus" or "badge" (window badge only).
    Q_PROPERTY(QString channel READ channel NOTIFY channelChanged)
    // The last notification: {eventId, roomCode, title, body, channel}; empty before the first.
    Q_PROPERTY(QVariantMap lastNotification READ lastNotification NOTIFY delivered)
    // Notifications delivered since start (the badge-only ones included).
    Q_PROPERTY(int deliveredCount READ deliveredCount NOTIFY delivered)
    // How long after a notification the next CRITICAL events are held and grouped (ms).
    Q_PROPERTY(int groupingWindowMs READ groupingWindowMs WRITE setGroupingWindowMs NOTIFY
                   groupingWindowMsChanged)

public:
    explicit AlertNotifier(QObject *parent = nullptr);
    ~AlertNotifier() override;

    AlertInboxModel *inbox() const { return m_inbox; }
    void setInbox(AlertInboxModel *inbox);
    QWindow *window() const { return m_window; }
    void setWindow(QWindow *window);
    int unseenCount() const { return m_unseen; }
    QString channel() const { return m_channel; }
    QVariantMap lastNotification() const { return m_last; }
    int deliveredCount() const { return m_delivered; }
    int groupingWindowMs() const { return m_groupTimer.interval(); }
    void setGroupingWindowMs(int ms);
    // A burst is going on: a CRITICAL event now would be held for the next summary.
    bool grouping() const { return m_groupTimer.isActive(); }
    static constexpr int DefaultGroupingWindowMs = 5000;

    // The user looked at the inbox: the badge goes.
    Q_INVOKABLE void markSeen();
    // Raises and shows the window and reports `eventId` (a notification or the tray clicked).
    Q_INVOKABLE void activate(const QString &eventId);
    // The inbox row of an event (-1 when it is not open), for the inbox to scroll to it.
    Q_INVOKABLE int rowOf(const QString &eventId) const;
    // Looks again for a tray or a notification service (called before each notification).
    void detectChannel();
    // The session bus to reach the notification service on (tests use a private bus).
    void setBus(const QDBusConnection &bus);

    // A notification's title and text for an event (REST shape, docs/alerts.md#events).
    static QString titleFor(const QJsonObject &event);
    static QString bodyFor(const QJsonObject &event);
    // The same for a burst of `total` events, `held` being those not told yet (oldest first).
    static QString summaryTitleFor(int total);
    static QString summaryBodyFor(const QList<QJsonObject> &held, int total);

Q_SIGNALS:
    void inboxChanged();
    void windowChanged();
    void unseenCountChanged();
    void channelChanged();
    void groupingWindowMsChanged();
    void delivered();
    // The user asked to see this event (empty: no particular event).
    void eventActivated(const QString &eventId);

private Q_SLOTS:
    // org.freedesktop.Notifications.ActionInvoked (old-style slot: QDBusConnection::connect).
    void onNotificationAction(uint id, const QString &actionKey);

private:
    void onCriticalFired(const QJsonObject &event, bool notify);
    void onGroupingWindowEnded();
    // Shows one notification through the channel; `eventId` is empty for a summary.
    void deliver(const QString &eventId, const QString &roomCode, const QString &title,
                 const QString &body, int events);
    bool notificationServiceAvailable() const;
    void ensureTrayIcon();
    void sendDBusNotification(const QString &eventId, const QString &title, const QString &body);
    void setUnseen(int unseen);

    QPointer<AlertInboxModel> m_inbox;
    QPointer<QWindow> m_window;
    QDBusConnection m_bus;
    bool m_listening = false; // subscribed to ActionInvoked on m_bus
    QSystemTrayIcon *m_tray = nullptr;
    QString m_channel;
    QVariantMap m_last;
    int m_delivered = 0;
    int m_unseen = 0;
    QSet<QString> m_notified;            // event ids already notified
    QHash<uint, QString> m_dbusEventIds; // notification id -> event id
    QString m_trayEventId;               // the event of the tray's last balloon
    QTimer m_groupTimer;                 // runs while a burst is going on
    QList<QJsonObject> m_held;           // CRITICAL events waiting for the next summary
    int m_burstTotal = 0;                // events of the current burst, told or held
    uint m_burstDBusId = 0;              // the burst's last freedesktop notification, 0: none
};

} // namespace spidi::desktop
