// AlertNotifier: ALERT messages fed into a real AlertInboxModel; a CRITICAL event with the
// rule's notify flag gives exactly one notification (room code and message in its text), a
// WARNING or notify=false none, the same event twice one; the unseen badge counts and clears;
// without a tray and a session bus the channel is the badge; with a private dbus-daemon and a
// notification service on it, the freedesktop Notify call carries the text and its
// ActionInvoked raises the window and reports the event.
#include "models/alert_inbox_model.h"
#include "services/alert_notifier.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QWindow>

using namespace spidi::desktop;

namespace {

QJsonObject makeEvent(const QString &id, const QString &severity,
                      const QString &room = QStringLiteral("LOBBY"))
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("ruleId"), QStringLiteral("rule-1")},
            {QStringLiteral("ruleName"), QStringLiteral("Lobby full")},
            {QStringLiteral("ruleType"), QStringLiteral("CAPACITY")},
            {QStringLiteral("roomId"), QString(QStringLiteral("r-") + room)},
            {QStringLiteral("roomCode"), room},
            {QStringLiteral("severity"), severity},
            {QStringLiteral("state"), QStringLiteral("FIRING")},
            {QStringLiteral("value"), 0.97},
            {QStringLiteral("threshold"), 0.9},
            {QStringLiteral("message"), QStringLiteral("occupancy 97 % over 90 %")},
            {QStringLiteral("firedAt"), QStringLiteral("2026-11-23T10:00:00.000Z")}};
}

} // namespace

// The notification server's side of org.freedesktop.Notifications, on a real (private) bus.
class NotificationService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Call
    {
        QString appName, icon, summary, body;
        QStringList actions;
        QVariantMap hints;
    };
    QList<Call> calls;

public Q_SLOTS:
    uint Notify(const QString &appName, uint, const QString &icon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints, int)
    {
        calls.append({appName, icon, summary, body, actions, hints});
        return uint(100 + calls.size());
    }
};

class TestAlertNotifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // No session bus for this process (a bus address where nothing listens): the
        // offscreen platform has no tray either, so the window badge is all there is.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/spidi-test-bus");
    }

    void channelWithoutTrayAndBusIsTheBadge()
    {
        AlertNotifier notifier;
        QCOMPARE(notifier.channel(), QStringLiteral("badge"));
        QCOMPARE(notifier.deliveredCount(), 0);
        QVERIFY(notifier.lastNotification().isEmpty());
    }

    void criticalWithNotifyGivesOneNotification()
    {
        AlertInboxModel inbox;
        AlertNotifier notifier;
        notifier.setInbox(&inbox);
        QSignalSpy delivered(&notifier, &AlertNotifier::delivered);

        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e1", "CRITICAL"), true);
        QCOMPARE(delivered.count(), 1);
        QCOMPARE(notifier.deliveredCount(), 1);
        const QVariantMap last = notifier.lastNotification();
        QCOMPARE(last.value("eventId").toString(), QStringLiteral("e1"));
        QCOMPARE(last.value("roomCode").toString(), QStringLiteral("LOBBY"));
        QCOMPARE(last.value("channel").toString(), QStringLiteral("badge"));
        const QString text = last.value("title").toString() + '\n' + last.value("body").toString();
        QVERIFY2(text.contains(QStringLiteral("LOBBY")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("occupancy 97 % over 90 %")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("CRITICAL")), qPrintable(text));
        QCOMPARE(notifier.unseenCount(), 1);
    }

    void warningOrNotifyFalseGivesNone()
    {
        AlertInboxModel inbox;
        AlertNotifier notifier;
        notifier.setInbox(&inbox);
        QSignalSpy delivered(&notifier, &AlertNotifier::delivered);

        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("w1", "WARNING"), true);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("i1", "INFO"), true);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("c1", "CRITICAL"), false);
        // A CRITICAL seen only in a snapshot or a REST list is not news.
        inbox.applyAlert(QStringLiteral("SNAPSHOT"), makeEvent("c2", "CRITICAL"), true);
        inbox.upsert(makeEvent("c3", "CRITICAL"));
        QCOMPARE(inbox.count(), 5);
        QCOMPARE(delivered.count(), 0);
        QCOMPARE(notifier.deliveredCount(), 0);
        QCOMPARE(notifier.unseenCount(), 0);
    }

    void sameEventTwiceGivesOne()
    {
        AlertInboxModel inbox;
        AlertNotifier notifier;
        notifier.setInbox(&inbox);
        QSignalSpy delivered(&notifier, &AlertNotifier::delivered);

        const QJsonObject e = makeEvent("e1", "CRITICAL");
        inbox.applyAlert(QStringLiteral("FIRED"), e, true);
        inbox.applyAlert(QStringLiteral("FIRED"), e, true);
        // Even after it was resolved and comes again with the same id (a replayed message).
        inbox.applyAlert(QStringLiteral("RESOLVED"), e, true);
        inbox.applyAlert(QStringLiteral("FIRED"), e, true);
        QCOMPARE(delivered.count(), 1);
        QCOMPARE(notifier.unseenCount(), 1);
        // A different event is news again.
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e2", "CRITICAL", "HALL"), true);
        QCOMPARE(delivered.count(), 2);
        QCOMPARE(notifier.lastNotification().value("roomCode").toString(), QStringLiteral("HALL"));
    }

    void badgeCountsAndClears()
    {
        AlertInboxModel inbox;
        AlertNotifier notifier;
        notifier.setInbox(&inbox);
        QSignalSpy unseen(&notifier, &AlertNotifier::unseenCountChanged);

        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e1", "CRITICAL"), true);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e2", "CRITICAL"), true);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("w1", "WARNING"), true);
        QCOMPARE(notifier.unseenCount(), 2);
        QCOMPARE(unseen.count(), 2);
        notifier.markSeen();
        QCOMPARE(notifier.unseenCount(), 0);
        QCOMPARE(unseen.count(), 3);
        notifier.markSeen();
        QCOMPARE(unseen.count(), 3);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e3", "CRITICAL"), true);
        QCOMPARE(notifier.unseenCount(), 1);
    }

    void activateRestoresAMinimisedWindow()
    {
        AlertNotifier notifier;
        QWindow window;
        window.resize(200, 100);
        notifier.setWindow(&window);
        window.showMinimized();
        QVERIFY(window.windowStates() & Qt::WindowMinimized);
        QSignalSpy activated(&notifier, &AlertNotifier::eventActivated);
        notifier.activate(QStringLiteral("e7"));
        QVERIFY(!(window.windowStates() & Qt::WindowMinimized));
        QVERIFY(window.isVisible());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("e7"));
    }

    void freedesktopNotificationOverAPrivateBus()
    {
        QProcess daemon;
        daemon.start(QStringLiteral("dbus-daemon"),
                     {QStringLiteral("--session"), QStringLiteral("--nofork"),
                      QStringLiteral("--print-address=1")});
        // scripts/deps.sh installs dbus-daemon: a missing one is a failure, not a skip.
        QVERIFY2(daemon.waitForStarted(5000), qPrintable(daemon.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(daemon.canReadLine(), 10000);
        const QString address = QString::fromUtf8(daemon.readLine().trimmed());
        QVERIFY(!address.isEmpty());
        {
            QDBusConnection server =
                QDBusConnection::connectToBus(address, QStringLiteral("notification-server"));
            QVERIFY2(server.isConnected(), qPrintable(server.lastError().message()));
            NotificationService service;
            QVERIFY(server.registerObject(QStringLiteral("/org/freedesktop/Notifications"),
                                          &service, QDBusConnection::ExportAllSlots));
            QVERIFY(server.registerService(QStringLiteral("org.freedesktop.Notifications")));

            AlertInboxModel inbox;
            AlertNotifier notifier;
            notifier.setBus(QDBusConnection::connectToBus(address, QStringLiteral("console")));
            QCOMPARE(notifier.channel(), QStringLiteral("dbus"));
            notifier.setInbox(&inbox);
            QWindow window;
            window.resize(200, 100);
            notifier.setWindow(&window);

            inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e9", "CRITICAL"), true);
            QCOMPARE(notifier.lastNotification().value("channel").toString(),
                     QStringLiteral("dbus"));
            QTRY_COMPARE(service.calls.size(), 1);
            const NotificationService::Call call = service.calls.constFirst();
            QCOMPARE(call.appName, QStringLiteral("Spidi"));
            QCOMPARE(call.icon, QStringLiteral("org.spidi.Desktop"));
            QVERIFY(call.summary.contains(QStringLiteral("LOBBY")));
            QVERIFY(call.body.contains(QStringLiteral("occupancy 97 % over 90 %")));
            QVERIFY(call.actions.contains(QStringLiteral("default")));
            QCOMPARE(call.hints.value(QStringLiteral("urgency")).toInt(), 2);

            // The user clicks the notification: the server says so on the bus.
            QSignalSpy activated(&notifier, &AlertNotifier::eventActivated);
            QDBusMessage click = QDBusMessage::createSignal(
                QStringLiteral("/org/freedesktop/Notifications"),
                QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("ActionInvoked"));
            click << uint(101) << QStringLiteral("default");
            // Sent after Notify's reply (which names the id): the bus keeps their order.
            QVERIFY(server.send(click));
            QTRY_COMPARE(activated.count(), 1);
            QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("e9"));
            QVERIFY(window.isVisible());
        }
        QDBusConnection::disconnectFromBus(QStringLiteral("notification-server"));
        QDBusConnection::disconnectFromBus(QStringLiteral("console"));
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(5000));
    }
};

QTEST_MAIN(TestAlertNotifier)
#include "tst_alert_notifier.moc"
