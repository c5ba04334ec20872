// End to end: AlertNotifier on ConnectionService's inbox against a real spidi-server. A device
// fills a room past a CRITICAL and a WARNING capacity rule (both with the in-app channel): the
// CRITICAL one notifies exactly once (room code and the server's message in the text), the
// WARNING one not at all; more devices joining while it fires add nothing; the badge counts it.
#include "server_process.h"
#include "services/alert_notifier.h"
#include "services/connection_service.h"
#include "ws_client.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spidi::desktop;
using namespace spidi::test;
using namespace std::chrono_literals;

namespace {
const QString kTenant = QStringLiteral("acme");
const QString kRoom = QStringLiteral("NOTIFY-1");

QJsonObject capacityRule(const QString &name, const QString &severity, const QString &roomId)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("type"), QStringLiteral("CAPACITY")},
            {QStringLiteral("threshold"), 0.4},
            {QStringLiteral("severity"), severity},
            {QStringLiteral("scope"), QJsonObject{{QStringLiteral("roomId"), roomId}}},
            {QStringLiteral("channels"),
             QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("inapp")}}}}};
}
} // namespace

class TestAlertNotifierE2e : public QObject
{
    Q_OBJECT

    QTemporaryDir m_settingsDir;
    QNetworkAccessManager m_http;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        // No session bus: the channel is the badge (the offscreen platform has no tray).
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/spidi-test-bus");
    }

    void criticalAlertFromTheServerNotifiesOnce()
    {
        ServerProcess server;
        QVERIFY2(server.start(), qPrintable(server.errorText()));
        const QByteArray admin =
            server.token(QStringLiteral("desk-admin"), kTenant, {QStringLiteral("spidi:admin")});
        const HttpReply room =
            httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                        {{QStringLiteral("code"), kRoom},
                         {QStringLiteral("name"), QStringLiteral("Notify one")},
                         {QStringLiteral("typeCode"), QStringLiteral("GENERIC")},
                         {QStringLiteral("capacity"), 4}});
        QCOMPARE(room.status, 201);
        const QString roomId = room.json().value(QStringLiteral("id")).toString();
        for (const auto &[name, severity] :
             {std::pair{QStringLiteral("Room packed"), QStringLiteral("CRITICAL")},
              std::pair{QStringLiteral("Room busy"), QStringLiteral("WARNING")}}) {
            const HttpReply rule =
                httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/alerts/rules")),
                            admin, capacityRule(name, severity, roomId));
            QCOMPARE(rule.status, 201);
        }

        ConnectionService service;
        service.setBackoff({100ms, 400ms, 2.0, 0.2});
        AlertNotifier notifier;
        notifier.setInbox(service.alerts());
        QCOMPARE(notifier.channel(), QStringLiteral("badge"));
        QSignalSpy delivered(&notifier, &AlertNotifier::delivered);
        QVERIFY(service.configure(QStringLiteral("http://127.0.0.1:%1").arg(server.port()),
                                  QString::fromUtf8(admin), false));
        QTRY_COMPARE(service.state(), ConnectionService::Connected);
        QTRY_VERIFY(service.loaded());

        // Two devices of four: 50 %, over both rules' 40 %.
        WsClient phone, laptop;
        for (auto [client, id] : {std::pair{&phone, "phone-1"}, std::pair{&laptop, "laptop-1"}}) {
            QVERIFY(client->open(server.wsUrl(), server.token(QString::fromLatin1(id), kTenant,
                                                              {QStringLiteral("spidi:user")})));
            const auto ack =
                client->request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                 {QStringLiteral("roomCode"), kRoom},
                                 {QStringLiteral("clientId"), QString::fromLatin1(id)},
                                 {QStringLiteral("appVersion"), QStringLiteral("1.0")}});
            QVERIFY(ack);
            QCOMPARE(ack->value(QStringLiteral("type")).toString(), QStringLiteral("ACK"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(service.alerts()->count(), 2, 10000);
        QTRY_COMPARE(delivered.count(), 1);
        const QVariantMap last = notifier.lastNotification();
        QCOMPARE(last.value(QStringLiteral("channel")).toString(), QStringLiteral("badge"));
        QCOMPARE(last.value(QStringLiteral("roomCode")).toString(), kRoom);
        const QString text = last.value(QStringLiteral("title")).toString() + QLatin1Char('\n') +
                             last.value(QStringLiteral("body")).toString();
        QVERIFY2(text.contains(kRoom), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Room packed")), qPrintable(text));
        // The server's message, as the inbox holds it.
        const int row = notifier.rowOf(last.value(QStringLiteral("eventId")).toString());
        QVERIFY(row >= 0);
        const QString message =
            service.alerts()->index(row).data(AlertInboxModel::MessageRole).toString();
        QVERIFY(!message.isEmpty());
        QVERIFY2(text.contains(message), qPrintable(text));
        QCOMPARE(notifier.unseenCount(), 1);

        // A third device while it fires: the same events, nothing new.
        WsClient tablet;
        QVERIFY(tablet.open(server.wsUrl(), server.token(QStringLiteral("tablet-1"), kTenant,
                                                         {QStringLiteral("spidi:user")})));
        QVERIFY(tablet.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                {QStringLiteral("roomCode"), kRoom},
                                {QStringLiteral("clientId"), QStringLiteral("tablet-1")},
                                {QStringLiteral("appVersion"), QStringLiteral("1.0")}}));
        QTRY_COMPARE(service.totals()->online(), 3);
        QCOMPARE(service.alerts()->count(), 2);
        QCOMPARE(delivered.count(), 1);
        QCOMPARE(notifier.deliveredCount(), 1);
    }
};

QTEST_MAIN(TestAlertNotifierE2e)
#include "tst_alert_notifier_e2e.moc"
