#include "services/alert_notifier.h"

#include "models/alert_inbox_model.h"
#include "services/app_info.h"
#include "services/desktop_logging.h"

#include <QApplication>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QLocale>
#include <QSystemTrayIcon>
#include <QWindow>

namespace spidi::desktop {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
const QString kDefaultAction = QStringLiteral("default");
// How long a tray balloon stays (the freedesktop one: the server's default, -1).
constexpr int kTrayMessageMs = 15000;
// Events named in a summary's text; the rest are counted.
constexpr int kSummaryNamed = 3;

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

AlertNotifier::AlertNotifier(QObject *parent)
    : QObject(parent), m_bus(QDBusConnection::sessionBus())
{
    m_groupTimer.setSingleShot(true);
    m_groupTimer.setInterval(DefaultGroupingWindowMs);
    connect(&m_groupTimer, &QTimer::timeout, this, &AlertNotifier::onGroupingWindowEnded);
    detectChannel();
}

void AlertNotifier::setGroupingWindowMs(int ms)
{
    ms = std::max(ms, 0);
    if (ms == m_groupTimer.interval())
        return;
    m_groupTimer.setInterval(ms);
    Q_EMIT groupingWindowMsChanged();
}

AlertNotifier::~AlertNotifier() = default;

void AlertNotifier::setInbox(AlertInboxModel *inbox)
{
    if (m_inbox == inbox)
        return;
    if (m_inbox)
        disconnect(m_inbox, nullptr, this, nullptr);
    m_inbox = inbox;
    if (m_inbox)
        connect(m_inbox, &AlertInboxModel::criticalFired, this, &AlertNotifier::onCriticalFired);
    Q_EMIT inboxChanged();
}

void AlertNotifier::setWindow(QWindow *window)
{
    if (m_window == window)
        return;
    m_window = window;
    // The tray icon is there as long as the window is: a click on it brings the window back.
    if (m_window && m_channel == QLatin1String("tray"))
        ensureTrayIcon();
    Q_EMIT windowChanged();
}

void AlertNotifier::setBus(const QDBusConnection &bus)
{
    m_bus = bus;
    m_listening = false;
    detectChannel();
}

bool AlertNotifier::notificationServiceAvailable() const
{
    if (!m_bus.isConnected() || !m_bus.interface())
        return false;
    QDBusConnectionInterface *bus = m_bus.interface();
    if (bus->isServiceRegistered(kService).value())
        return true;
    // Not running yet but started on demand (D-Bus activation) counts too.
    return bus->activatableServiceNames().value().contains(kService);
}

void AlertNotifier::detectChannel()
{
    // QSystemTrayIcon is a widget class: only with a QApplication (spidi-desktop has one).
    const bool tray = qobject_cast<QApplication *>(QCoreApplication::instance()) &&
                      QSystemTrayIcon::isSystemTrayAvailable() &&
                      QSystemTrayIcon::supportsMessages();
    const QString channel = tray                             ? QStringLiteral("tray")
                            : notificationServiceAvailable() ? QStringLiteral("dbus")
                                                             : QStringLiteral("badge");
    if (channel == m_channel)
        return;
    m_channel = channel;
    qCInfo(lcDesktop).noquote() << "notify.channel"
                                << "channel=" + m_channel;
    Q_EMIT channelChanged();
}

QString AlertNotifier::titleFor(const QJsonObject &event)
{
    const QString room = str(event, "roomCode");
    const QString rule = str(event, "ruleName");
    QString title = QStringLiteral("CRITICAL");
    if (!room.isEmpty())
        title += QStringLiteral(" · ") + room;
    if (!rule.isEmpty())
        title += QStringLiteral(" · ") + rule;
    return title;
}

QString AlertNotifier::bodyFor(const QJsonObject &event)
{
    const QString message = str(event, "message");
    const QString room = str(event, "roomCode");
    // The room code in the text too: some notification servers show only the body.
    if (room.isEmpty() || message.contains(room))
        return message;
    return room + QStringLiteral(": ") + message;
}

void AlertNotifier::onCriticalFired(const QJsonObject &event, bool notify)
{
    const QString id = str(event, "id");
    if (!notify || id.isEmpty() || str(event, "severity") != QLatin1String("CRITICAL") ||
        m_notified.contains(id))
        return;
    m_notified.insert(id);

    // The taskbar entry asks for attention until the window is activated; the badge counts
    // every event, grouped or not.
    if (m_window)
        m_window->alert(0);
    setUnseen(m_unseen + 1);

    if (m_groupTimer.isActive()) {
        m_held.append(event);
        ++m_burstTotal;
        qCInfo(lcDesktop).noquote() << "notify.held"
                                    << "event=" + id << "room=" + str(event, "roomCode")
                                    << "held=" + QString::number(m_held.size());
        return;
    }
    m_burstTotal = 1;
    m_burstDBusId = 0;
    deliver(id, str(event, "roomCode"), titleFor(event), bodyFor(event), 1);
    m_groupTimer.start();
}

void AlertNotifier::onGroupingWindowEnded()
{
    if (m_held.isEmpty())
        return; // a quiet window: the burst is over, the next event is told at once
    deliver(QString(), QString(), summaryTitleFor(m_burstTotal),
            summaryBodyFor(m_held, m_burstTotal), int(m_held.size()));
    m_held.clear();
    m_groupTimer.start(); // the burst may go on: at most one notification per window
}

void AlertNotifier::deliver(const QString &eventId, const QString &roomCode, const QString &title,
                            const QString &body, int events)
{
    detectChannel();
    if (m_channel == QLatin1String("tray")) {
        ensureTrayIcon();
        m_trayEventId = eventId;
        m_tray->showMessage(title, body, QSystemTrayIcon::Critical, kTrayMessageMs);
    } else if (m_channel == QLatin1String("dbus")) {
        sendDBusNotification(eventId, title, body);
    }
    m_last = {{QStringLiteral("eventId"), eventId},   {QStringLiteral("roomCode"), roomCode},
              {QStringLiteral("title"), title},       {QStringLiteral("body"), body},
              {QStringLiteral("channel"), m_channel}, {QStringLiteral("events"), events},
              {QStringLiteral("burst"), m_burstTotal}};
    ++m_delivered;
    const auto orDash = [](const QString &s) { return s.isEmpty() ? QStringLiteral("-") : s; };
    qCInfo(lcDesktop).noquote() << "notify.delivered"
                                << "channel=" + m_channel << "event=" + orDash(eventId)
                                << "room=" + orDash(roomCode) << "events=" + QString::number(events)
                                << "burst=" + QString::number(m_burstTotal);
    Q_EMIT delivered();
}

QString AlertNotifier::summaryTitleFor(int total)
{
    // A summary is never of one event.
    return tr("CRITICAL · %1 alerts").arg(QLocale().toString(total));
}

QString AlertNotifier::summaryBodyFor(const QList<QJsonObject> &held, int total)
{
    QStringList lines;
    // Newest first: what just happened is read first.
    for (qsizetype i = held.size() - 1; i >= 0 && lines.size() < kSummaryNamed; --i) {
        const QString room = str(held.at(i), "roomCode");
        const QString rule = str(held.at(i), "ruleName");
        if (room.isEmpty() || rule.isEmpty())
            lines.append(room + rule);
        else
            lines.append(room + QStringLiteral(": ") + rule);
    }
    const int more = total - int(lines.size());
    if (more > 0)
        lines.append(tr("and %1 more").arg(QLocale().toString(more)));
    return lines.join(QLatin1Char('\n'));
}

void AlertNotifier::ensureTrayIcon()
{
    if (m_tray)
        return;
    m_tray = new QSystemTrayIcon(AppInfo::icon(), this);
    m_tray->setToolTip(QStringLiteral("Spidi"));
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { activate(m_trayEventId); });
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    activate(QString());
            });
    m_tray->show();
}

void AlertNotifier::sendDBusNotification(const QString &eventId, const QString &title,
                                         const QString &body)
{
    if (!m_listening) {
        m_listening = m_bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"),
                                    this, SLOT(onNotificationAction(uint, QString)));
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    const QVariantMap hints{
        {QStringLiteral("urgency"), QVariant::fromValue(uchar(2))}, // critical: stays until read
        {QStringLiteral("category"), QStringLiteral("im.received")},
        {QStringLiteral("desktop-entry"), QStringLiteral("org.spidi.Desktop")}};
    // A summary replaces the burst's earlier notification: one to read per burst.
    const uint replaces = eventId.isEmpty() ? m_burstDBusId : 0;
    call << QStringLiteral("Spidi") << replaces << QStringLiteral("org.spidi.Desktop") << title
         << body << QStringList{kDefaultAction, tr("Show")} << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, eventId](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<uint> reply = *w;
                if (reply.isError()) {
                    qCWarning(lcDesktop).noquote()
                        << "notify.dbus_failed"
                        << "event=" + eventId << "error=" + reply.error().message();
                    return;
                }
                m_dbusEventIds.insert(reply.value(), eventId);
                m_burstDBusId = reply.value();
            });
}

void AlertNotifier::onNotificationAction(uint id, const QString &actionKey)
{
    const auto it = m_dbusEventIds.constFind(id);
    if (it == m_dbusEventIds.cend() || actionKey != kDefaultAction)
        return;
    activate(it.value());
}

void AlertNotifier::activate(const QString &eventId)
{
    if (m_window) {
        m_window->setWindowStates(m_window->windowStates() & ~Qt::WindowMinimized);
        m_window->show();
        m_window->raise();
        m_window->requestActivate();
    }
    Q_EMIT eventActivated(eventId);
}

int AlertNotifier::rowOf(const QString &eventId) const
{
    return m_inbox ? m_inbox->rowOf(eventId) : -1;
}

void AlertNotifier::markSeen()
{
    setUnseen(0);
}

void AlertNotifier::setUnseen(int unseen)
{
    if (m_unseen == unseen)
        return;
    m_unseen = unseen;
    if (m_tray) {
        m_tray->setToolTip(m_unseen > 0
                               ? tr("Spidi — %n critical alert(s) not seen", nullptr, m_unseen)
                               : QStringLiteral("Spidi"));
    }
    Q_EMIT unseenCountChanged();
}

} // namespace spidi::desktop
