// End to end: ConnectionService and its models against a real spidi-server process. A room
// created over REST shows up as a tile with its name; a device joining shows as online 1; an
// alert fires, is acknowledged through RestClient and resolves, all in the inbox; the server
// stopping makes the data stale; a token the server refuses is reported, not retried.
#include "models/alert_inbox_model.h"
#include "models/dashboard_totals.h"
#include "models/room_list_model.h"
#include "server_process.h"
#include "services/connection_service.h"
#include "services/rest_client.h"
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

QVariant roomData(const ConnectionService &service, const QString &code, int role)
{
    const int row = service.rooms()->rowOfCode(code);
    return row < 0 ? QVariant() : service.rooms()->index(row).data(role);
}

} // namespace

class TestConnectionServiceE2e : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QNetworkAccessManager m_http;

    static QString serverUrl(const ServerProcess &server)
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    }

    void followsTheServerLive()
    {
        ServerProcess server;
        QVERIFY2(server.start(), qPrintable(server.errorText()));
        const QByteArray admin =
            server.token(QStringLiteral("desk-admin"), kTenant, {QStringLiteral("spidi:admin")});
        HttpReply created =
            httpRequest(m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/rooms")), admin,
                        {{QStringLiteral("code"), QStringLiteral("DESK-1")},
                         {QStringLiteral("name"), QStringLiteral("Desk one")},
                         {QStringLiteral("typeCode"), QStringLiteral("GENERIC")},
                         {QStringLiteral("capacity"), 2},
                         {QStringLiteral("tags"), QJsonArray{QStringLiteral("e2e")}}});
        QCOMPARE(created.status, 201);
        const QString roomId = created.json().value(QStringLiteral("id")).toString();
        // CAPACITY above 40 %: one device of two fires it.
        HttpReply rule = httpRequest(
            m_http, "POST", server.httpUrl(QStringLiteral("/api/v1/alerts/rules")), admin,
            {{QStringLiteral("name"), QStringLiteral("Desk busy")},
             {QStringLiteral("type"), QStringLiteral("CAPACITY")},
             {QStringLiteral("threshold"), 0.4},
             {QStringLiteral("severity"), QStringLiteral("CRITICAL")},
             {QStringLiteral("scope"), QJsonObject{{QStringLiteral("roomId"), roomId}}}});
        QCOMPARE(rule.status, 201);

        ConnectionService service;
        service.setBackoff({100ms, 400ms, 2.0, 0.2});
        QSignalSpy roomResets(service.rooms(), &QAbstractItemModel::modelReset);
        QSignalSpy alertResets(service.alerts(), &QAbstractItemModel::modelReset);
        QVERIFY(service.configure(serverUrl(server), QString::fromUtf8(admin), false));
        QVERIFY(service.canAdmin());
        QTRY_COMPARE(service.state(), ConnectionService::Connected);
        QVERIFY(!service.stale());
        QTRY_VERIFY(service.loaded());

        // The tile: REST metadata and the rooms topic's figures.
        QTRY_COMPARE(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::NameRole).toString(),
            QStringLiteral("Desk one"));
        QCOMPARE(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::TypeCodeRole).toString(),
            QStringLiteral("GENERIC"));
        QCOMPARE(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::TagsRole).toStringList(),
            QStringList{QStringLiteral("e2e")});
        QCOMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::CapacityRole).toInt(),
                 2);
        QTRY_VERIFY(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::HasMetricsRole).toBool());
        QCOMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::OnlineRole).toInt(), 0);
        QCOMPARE(service.totals()->rooms(), 1);
        QVERIFY(service.lastUpdate().isValid());

        // A device joins: online 1 on the tile and in the totals, and the rule fires.
        WsClient device;
        QVERIFY(device.open(server.wsUrl(), server.token(QStringLiteral("dev-1"), kTenant,
                                                         {QStringLiteral("spidi:user")})));
        const auto ack = device.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                         {QStringLiteral("roomCode"), QStringLiteral("DESK-1")},
                                         {QStringLiteral("clientId"), QStringLiteral("phone-1")},
                                         {QStringLiteral("appVersion"), QStringLiteral("1.0")}});
        QVERIFY(ack);
        QCOMPARE(ack->value(QStringLiteral("type")).toString(), QStringLiteral("ACK"));
        QTRY_COMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::OnlineRole).toInt(),
                     1);
        QCOMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::UsersRole).toInt(), 1);
        QCOMPARE(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::CapacityPctRole).toDouble(),
            50.0);
        QTRY_COMPARE(service.totals()->online(), 1);

        QTRY_COMPARE(service.alerts()->count(), 1);
        const QModelIndex alert = service.alerts()->index(0);
        QCOMPARE(alert.data(AlertInboxModel::RuleNameRole).toString(), QStringLiteral("Desk busy"));
        QCOMPARE(alert.data(AlertInboxModel::StateRole).toString(), QStringLiteral("FIRING"));
        QCOMPARE(alert.data(AlertInboxModel::RoomCodeRole).toString(), QStringLiteral("DESK-1"));
        QVERIFY(alert.data(AlertInboxModel::CriticalRole).toBool());
        QTRY_COMPARE(service.totals()->firingAlerts(), 1);
        QTRY_COMPARE(
            roomData(service, QStringLiteral("DESK-1"), RoomListModel::FiringAlertsRole).toInt(),
            1);

        // Acknowledge from the console.
        QSignalSpy actions(service.rest(), &RestClient::alertActionFinished);
        service.rest()->ack(alert.data(AlertInboxModel::EventIdRole).toString(),
                            QStringLiteral("looking"));
        QVERIFY(actions.wait(10000));
        QVERIFY2(
            actions.at(0).at(2).toBool(),
            qPrintable(actions.at(0).at(3).toMap().value(QStringLiteral("detail")).toString()));
        QTRY_COMPARE(service.alerts()->index(0).data(AlertInboxModel::StateRole).toString(),
                     QStringLiteral("ACKNOWLEDGED"));
        QCOMPARE(service.alerts()->index(0).data(AlertInboxModel::AcknowledgedByRole).toString(),
                 QStringLiteral("desk-admin"));
        QCOMPARE(service.alerts()->index(0).data(AlertInboxModel::CommentRole).toString(),
                 QStringLiteral("looking"));
        QTRY_COMPARE(service.totals()->firingAlerts(), 0);

        // A second acknowledge is refused (409) and reported as problem+json.
        service.rest()->ack(alert.data(AlertInboxModel::EventIdRole).toString(), QString());
        QVERIFY(actions.wait(10000));
        QCOMPARE(actions.at(1).at(2).toBool(), false);
        QCOMPARE(actions.at(1).at(3).toMap().value(QStringLiteral("status")).toInt(), 409);
        QVERIFY(!actions.at(1).at(3).toMap().value(QStringLiteral("detail")).toString().isEmpty());

        // The device leaves: the condition clears, the event resolves and leaves the inbox.
        const auto left = device.request(
            {{QStringLiteral("type"), QStringLiteral("LEAVE")},
             {QStringLiteral("sessionId"), ack->value(QStringLiteral("sessionId")).toString()}});
        QVERIFY(left);
        QTRY_COMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::OnlineRole).toInt(),
                     0);
        QTRY_COMPARE_WITH_TIMEOUT(service.alerts()->count(), 0, 15000);

        // The server goes away: the data is stale, kept, and the service keeps trying.
        const quint16 port = server.port();
        const QDateTime lastBeforeStop = service.lastUpdate();
        QCOMPARE(server.terminate(), 0);
        QTRY_VERIFY(service.stale());
        QCOMPARE(service.state(), ConnectionService::Reconnecting);
        QVERIFY(service.lastError().contains(u"shutting down"));
        QCOMPARE(service.rooms()->count(), 1);
        QVERIFY(service.lastUpdate().isValid());
        QVERIFY(service.lastUpdate() >= lastBeforeStop);
        // The next attempts are refused: retried, not given up.
        QTRY_VERIFY2(service.lastError().contains(u"cannot reach the server"),
                     qPrintable(service.lastError()));
        QCOMPARE(service.state(), ConnectionService::Reconnecting);

        // The server comes back on the same port and data: the console reconnects by itself and
        // converges (the room and its figures again, the new device online), still without reset.
        QVERIFY2(server.start({QStringLiteral("--port"), QString::number(port)}),
                 qPrintable(server.errorText()));
        QCOMPARE(server.port(), port);
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionService::Connected, 15000);
        QVERIFY(!service.stale());
        QVERIFY(service.lastError().isEmpty());
        WsClient second;
        QVERIFY(second.open(server.wsUrl(), server.token(QStringLiteral("dev-2"), kTenant,
                                                         {QStringLiteral("spidi:user")})));
        QVERIFY(second.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                {QStringLiteral("roomCode"), QStringLiteral("DESK-1")},
                                {QStringLiteral("clientId"), QStringLiteral("tablet-2")},
                                {QStringLiteral("appVersion"), QStringLiteral("1.0")}}));
        QTRY_COMPARE(roomData(service, QStringLiteral("DESK-1"), RoomListModel::OnlineRole).toInt(),
                     1);
        QCOMPARE(service.rooms()->count(), 1);

        // Another admin deletes the room: the rooms topic's ROOM_REMOVED drops the tile at once.
        QCOMPARE(httpRequest(m_http, "DELETE",
                             server.httpUrl(QStringLiteral("/api/v1/rooms/DESK-1")), admin)
                     .status,
                 204);
        QTRY_COMPARE(service.rooms()->count(), 0);
        QCOMPARE(service.totals()->rooms(), 0);
        QCOMPARE(roomResets.count(), 0);
        QCOMPARE(alertResets.count(), 0);
    }

    void reportsARefusedTokenWithoutRetrying()
    {
        ServerProcess server;
        QVERIFY2(server.start(), qPrintable(server.errorText()));
        ServerProcess other; // its own secret: its tokens are foreign to `server`
        QVERIFY2(other.start(), qPrintable(other.errorText()));
        const QByteArray foreign =
            other.token(QStringLiteral("mallory"), kTenant, {QStringLiteral("spidi:admin")});
        other.terminate();

        ConnectionService service;
        service.setBackoff({50ms, 100ms, 2.0, 0.2});
        QSignalSpy states(&service, &ConnectionService::stateChanged);
        QVERIFY(service.configure(serverUrl(server), QString::fromUtf8(foreign), false));
        QTRY_VERIFY(service.tokenRefused());
        QCOMPARE(service.state(), ConnectionService::Disconnected);
        QVERIFY(service.stale());
        QVERIFY(service.lastError().startsWith(u"Token refused by the server"));
        // The server's reason (problem+json detail) arrives through REST.
        QTRY_VERIFY2(service.lastError().size() > int(qstrlen("Token refused by the server")),
                     qPrintable(service.lastError()));
        // No retry loop: with a 50 ms backoff, a loop would have tried a dozen times by now.
        const qsizetype transitions = states.count();
        QTest::qWait(1000);
        QCOMPARE(states.count(), transitions);
        QCOMPARE(service.state(), ConnectionService::Disconnected);
        // Exactly one upgrade reached the server, and it was refused.
        QCOMPARE(server.logEvents(QStringLiteral("websocket.refused")).size(), 1);
        QCOMPARE(server.logEvents(QStringLiteral("websocket.opened")).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestConnectionServiceE2e)
#include "tst_connection_service_e2e.moc"
