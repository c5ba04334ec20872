// AlertNotifier: ALERT messages fed into a real AlertInboxModel; a CRITICAL event with the
// rule's notify flag gives exactly one notification (room code and message in its text), a
// WARNING or notify=false none, the same event twice one; a burst is the first event and then
// one summary per grouping window (replacing the burst's notification on the bus); the unseen
// badge counts every event and clears;
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
        uint replacesId = 0;
    };
    QList<Call> calls;

public Q_SLOTS:
    uint Notify(const QString &appName, uint replacesId, const QString &icon,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int)
    {
        calls.append({appName, icon, summary, body, actions, hints, replacesId});
        // As a notification server does: a replacement keeps the id it replaces.
        return replacesId != 0 ? replacesId : uint(100 + calls.size());
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
        // A different event is news again (told at once once the burst of e1 is over).
        notifier.setGroupingWindowMs(50);
        QTRY_VERIFY(!notifier.grouping());
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e2", "CRITICAL", "HALL"), true);
        QCOMPARE(delivered.count(), 2);
        QCOMPARE(notifier.lastNotification().value("roomCode").toString(), QStringLiteral("HALL"));
    }

    void burstIsOneSummary()
    {
        AlertInboxModel inbox;
        AlertNotifier notifier;
        notifier.setInbox(&inbox);
        QCOMPARE(notifier.groupingWindowMs(), AlertNotifier::DefaultGroupingWindowMs);
        notifier.setGroupingWindowMs(500);
        QSignalSpy delivered(&notifier, &AlertNotifier::delivered);

        // The first of a burst is told at once, by itself.
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("b1", "CRITICAL", "ROOM-1"), true);
        QCOMPARE(delivered.count(), 1);
        QCOMPARE(notifier.lastNotification().value("eventId").toString(), QStringLiteral("b1"));
        QVERIFY(notifier.grouping());
        // Four more within the window: held, but counted on the badge at once.
        for (int i = 2; i <= 5; ++i)
            inbox.applyAlert(QStringLiteral("FIRED"),
                             makeEvent(QStringLiteral("b%1").arg(i), "CRITICAL",
                                       QStringLiteral("ROOM-%1").arg(i)),
                             true);
        // A WARNING in the middle is neither told nor counted.
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("w1", "WARNING", "ROOM-9"), true);
        QCOMPARE(delivered.count(), 1);
        QCOMPARE(notifier.unseenCount(), 5);

        // Then one summary of the whole burst, the newest named first.
        QTRY_COMPARE(delivered.count(), 2);
        const QVariantMap summary = notifier.lastNotification();
        QCOMPARE(summary.value("eventId").toString(), QString());
        QCOMPARE(summary.value("roomCode").toString(), QString());
        QCOMPARE(summary.value("events").toInt(), 4);
        QCOMPARE(summary.value("burst").toInt(), 5);
        QCOMPARE(summary.value("title").toString(), QStringLiteral("CRITICAL · 5 alerts"));
        QCOMPARE(summary.value("body").toString(),
                 QStringLiteral("ROOM-5: Lobby full\nROOM-4: Lobby full\nROOM-3: Lobby full\n"
                                "and 2 more"));

        // The burst goes on: one more summary a window later, counting it all.
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("b6", "CRITICAL", "ROOM-6"), true);
        QCOMPARE(delivered.count(), 2);
        QTRY_COMPARE(delivered.count(), 3);
        QCOMPARE(notifier.lastNotification().value("title").toString(),
                 QStringLiteral("CRITICAL · 6 alerts"));
        QCOMPARE(notifier.lastNotification().value("events").toInt(), 1);
        QVERIFY(notifier.lastNotification().value("body").toString().startsWith(
            QStringLiteral("ROOM-6: Lobby full\n")));

        // A quiet window ends the burst; the next event is told at once, by itself.
        QTRY_VERIFY(!notifier.grouping());
        QCOMPARE(delivered.count(), 3);
        inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("b7", "CRITICAL", "ROOM-7"), true);
        QCOMPARE(delivered.count(), 4);
        QCOMPARE(notifier.lastNotification().value("eventId").toString(), QStringLiteral("b7"));
        QCOMPARE(notifier.lastNotification().value("burst").toInt(), 1);
        QCOMPARE(notifier.unseenCount(), 7);
    }

    void summaryText_data()
    {
        QTest::addColumn<int>("held");
        QTest::addColumn<int>("total");
        QTest::addColumn<QString>("body");
        QTest::newRow("one held") << 1 << 2 << QStringLiteral("R1: Lobby full\nand 1 more");
        QTest::newRow("three, all named")
            << 3 << 3 << QStringLiteral("R3: Lobby full\nR2: Lobby full\nR1: Lobby full");
        QTest::newRow("many") << 40 << 41
                              << QStringLiteral(
                                     "R40: Lobby full\nR39: Lobby full\nR38: Lobby full\n"
                                     "and 38 more");
    }

    void summaryText()
    {
        QFETCH(int, held);
        QFETCH(int, total);
        QFETCH(QString, body);
        QList<QJsonObject> events;
        for (int i = 1; i <= held; ++i)
            events.append(
                makeEvent(QStringLiteral("s%1").arg(i), "CRITICAL", QStringLiteral("R%1").arg(i)));
        QCOMPARE(AlertNotifier::summaryBodyFor(events, total), body);
        QCOMPARE(AlertNotifier::summaryTitleFor(total),
                 QStringLiteral("CRITICAL · %1 alerts").arg(total));
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
            // e9's burst lasts the whole test however slow the machine; shortened below.
            notifier.setGroupingWindowMs(60000);
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

            QSignalSpy activated(&notifier, &AlertNotifier::eventActivated);
            // The user clicks a notification: the server says so on the bus.
            const auto click = [&server](uint id) {
                QDBusMessage signal =
                    QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                               QStringLiteral("org.freedesktop.Notifications"),
                                               QStringLiteral("ActionInvoked"));
                signal << id << QStringLiteral("default");
                return server.send(signal);
            };
            // Sent after Notify's reply (which names the id): the bus keeps their order.
            QVERIFY(click(101));
            QTRY_COMPARE(activated.count(), 1);
            QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("e9"));
            QVERIFY(window.isVisible());
            QCOMPARE(service.calls.constFirst().replacesId, 0u);

            // Two more within the burst: one summary that replaces the first notification.
            QVERIFY(notifier.grouping());
            notifier.setGroupingWindowMs(200); // restarts the running window
            inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e10", "CRITICAL", "HALL"), true);
            inbox.applyAlert(QStringLiteral("FIRED"), makeEvent("e11", "CRITICAL", "DECK"), true);
            QTRY_COMPARE(service.calls.size(), 2);
            const NotificationService::Call summary = service.calls.at(1);
            QCOMPARE(summary.replacesId, 101u);
            QCOMPARE(summary.summary, QStringLiteral("CRITICAL · 3 alerts"));
            QVERIFY2(summary.body.startsWith(QStringLiteral("DECK: Lobby full\nHALL")),
                     qPrintable(summary.body));
            QCOMPARE(summary.hints.value(QStringLiteral("urgency")).toInt(), 2);
            // Clicking the summary shows the inbox, no event in particular.
            QVERIFY(click(101));
            QTRY_COMPARE(activated.count(), 2);
            QCOMPARE(activated.at(1).at(0).toString(), QString());
        }
        QDBusConnection::disconnectFromBus(QStringLiteral("notification-server"));
        QDBusConnection::disconnectFromBus(QStringLiteral("console"));
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(5000));
    }
};

QTEST_MAIN(TestAlertNotifier)
#include "tst_alert_notifier.moc"
