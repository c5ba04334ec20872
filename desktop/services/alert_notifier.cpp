#include "services/alert_notifier.h"

#include "models/alert_inbox_model.h"
#include "services/app_info.h"
#include "services/desktop_logging.h"

#include <QApplication>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
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

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

AlertNotifier::AlertNotifier(QObject *parent)
    : QObject(parent), m_bus(QDBusConnection::sessionBus())
{
    detectChannel();
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

    detectChannel();
    const QString title = titleFor(event);
    const QString body = bodyFor(event);
    if (m_channel == QLatin1String("tray")) {
        ensureTrayIcon();
        m_trayEventId = id;
        m_tray->showMessage(title, body, QSystemTrayIcon::Critical, kTrayMessageMs);
    } else if (m_channel == QLatin1String("dbus")) {
        sendDBusNotification(id, title, body);
    }
    // The taskbar entry asks for attention until the window is activated.
    if (m_window)
        m_window->alert(0);
    setUnseen(m_unseen + 1);

    m_last = {{QStringLiteral("eventId"), id},
              {QStringLiteral("roomCode"), str(event, "roomCode")},
              {QStringLiteral("title"), title},
              {QStringLiteral("body"), body},
              {QStringLiteral("channel"), m_channel}};
    ++m_delivered;
    qCInfo(lcDesktop).noquote() << "notify.delivered"
                                << "channel=" + m_channel << "event=" + id
                                << "room=" + str(event, "roomCode");
    Q_EMIT delivered();
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
    call << QStringLiteral("Spidi") << uint(0) << QStringLiteral("org.spidi.Desktop") << title
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
