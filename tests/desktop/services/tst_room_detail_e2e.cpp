// End to end: RoomDetailController (the room page) against a real spidi-server. Opening the
// page subscribes the room's roster and metrics topics and asks for the last 15 minutes of
// minute statistics; two devices joining show in the roster
// with their device and OS, and in the fleet breakdown; a LEAVE removes one; the history request
// answers 200; the point-in-time roster lists who was there; kick and maintenance work and a
// refusal is reported in words; after a server restart the topics are subscribed again; closing
// the page unsubscribes.
#include "models/fleet_breakdown.h"
#include "models/metrics_history.h"
#include "models/roster_model.h"
#include "server_process.h"
#include "services/connection_service.h"
#include "services/room_detail_controller.h"
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
const QString kRoom = QStringLiteral("DESK-R");

QString join(WsClient &device, const ServerProcess &server, const QString &user,
             const QString &deviceName, const QString &os, const QString &app)
{
    if (!device.open(server.wsUrl(), server.token(user, kTenant, {QStringLiteral("spidi:user")})))
        return {};
    const auto ack = device.request({{"type", "HELLO"},
                                     {"roomCode", kRoom},
                                     {"clientId", QString(user + "-client")},
                                     {"appVersion", app},
                                     {"device", deviceName},
                                     {"os", os}});
    return ack ? ack->value("sessionId").toString() : QString();
}

QStringList sessionIds(const QVariantList &items)
{
    QStringList ids;
    for (const QVariant &v : items)
        ids.append(v.toMap().value("sessionId").toString());
    ids.sort();
    return ids;
}

} // namespace

class TestRoomDetailE2e : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QNetworkAccessManager m_http;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    }

    void followsOneRoom()
    {
        ServerProcess server;
        // History written behind every second: the point-in-time roster reads it.
        QVERIFY2(server.start({"--flush-interval", "1"}), qPrintable(server.errorText()));
        const QByteArray admin = server.token("desk-admin", kTenant, {"spidi:admin"});
        const HttpReply created = httpRequest(
            m_http, "POST", server.httpUrl("/api/v1/rooms"), admin,
            {{"code", kRoom}, {"name", "Desk room"}, {"typeCode", "GENERIC"}, {"capacity", 10}});
        QCOMPARE(created.status, 201);
        const QDateTime beforeAnyone = QDateTime::currentDateTimeUtc().addSecs(-1);

        ConnectionService service;
        service.setBackoff({100ms, 400ms, 2.0, 0.2});
        QVERIFY(service.configure(QStringLiteral("http://127.0.0.1:%1").arg(server.port()),
                                  QString::fromUtf8(admin), false));
        QTRY_COMPARE(service.state(), ConnectionService::Connected);

        RoomDetailController page;
        QSignalSpy resets(page.roster(), &QAbstractItemModel::modelReset);
        QSignalSpy recent(&page, &RoomDetailController::recentHistoryLoaded);
        page.setConnection(&service);
        page.setRoomCode(kRoom);
        page.setActive(true);
        QCOMPARE(service.extraTopics().size(), 2);
        QTRY_VERIFY(page.rosterLoaded());
        QCOMPARE(page.roster()->count(), 0);
        // The live charts' first 15 minutes were asked for; a new room has no full minute yet.
        QTRY_COMPARE(recent.size(), 1);
        QCOMPARE(recent.first().at(0).toInt(), 200);
        QCOMPARE(recent.first().at(1).toInt(), 0);
        const int snapshotResets = int(resets.size());

        WsClient a, b;
        const QString sa = join(a, server, "alice", "Pixel 8", "Android 14", "2.4.1");
        const QString sb = join(b, server, "bob", "iPad", "iPadOS 17", "2.4.0");
        QVERIFY(!sa.isEmpty());
        QVERIFY(!sb.isEmpty());
        QTRY_COMPARE(page.roster()->count(), 2);
        const RosterModel &roster = *page.roster();
        QCOMPARE(roster.session(roster.rowOf(sa)).device, QString("Pixel 8"));
        QCOMPARE(roster.session(roster.rowOf(sa)).os, QString("Android 14"));
        QCOMPARE(roster.session(roster.rowOf(sa)).userId, QString("alice"));
        QCOMPARE(roster.session(roster.rowOf(sb)).device, QString("iPad"));
        QCOMPARE(roster.session(roster.rowOf(sb)).os, QString("iPadOS 17"));
        QCOMPARE(roster.session(roster.rowOf(sb)).appVersion, QString("2.4.0"));
        QCOMPARE(page.fleet()->total(), 2);
        QCOMPARE(page.fleet()->byOs().size(), 2);
        QTRY_COMPARE(page.live().value("online").toInt(), 2);
        QVERIFY(page.metrics()->count() >= 1);
        QCOMPARE(page.metrics()->online().constLast().y(), 2.0);

        // Both were there at this instant.
        QTest::qWait(5); // the instant must be strictly after both joins (ms resolution)
        const QDateTime bothThere = QDateTime::currentDateTimeUtc();
        QTest::qWait(5);

        QVERIFY(b.request({{"type", "LEAVE"}, {"sessionId", sb}}));
        QTRY_COMPARE(page.roster()->count(), 1);
        QCOMPARE(page.roster()->rowOf(sb), -1);
        QCOMPARE(page.roster()->rowOf(sa), 0);
        QCOMPARE(page.fleet()->total(), 1);
        QCOMPARE(resets.size(), snapshotResets); // diffs only: no reset

        page.loadHistory(RoomDetailController::LastHour);
        QVERIFY(page.historyLoading());
        QTRY_VERIFY(!page.historyLoading());
        QCOMPARE(page.historyStatus(), 200);
        QCOMPARE(page.historyBucket(), QString("MINUTE"));
        QVERIFY2(page.historyError().isEmpty(), qPrintable(page.historyError()));

        // Bob's session ended after `bothThere`: once history has it (flushed every second),
        // both are listed. Asked again until then.
        QStringList both{sa, sb};
        both.sort();
        const QString at = bothThere.toString(Qt::ISODateWithMs);
        QVERIFY(page.loadRosterAt(at));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                if (page.pointInTimeLoading())
                    return false;
                if (sessionIds(page.pointInTime()) == both)
                    return true;
                page.loadRosterAt(at);
                return false;
            }(),
            15000);
        QVERIFY2(page.pointInTimeError().isEmpty(), qPrintable(page.pointInTimeError()));
        const QVariantMap first = page.pointInTime().at(0).toMap();
        QVERIFY(first.contains("device"));

        QVERIFY(page.loadRosterAt(beforeAnyone.toString(Qt::ISODateWithMs)));
        QTRY_VERIFY(!page.pointInTimeLoading());
        QCOMPARE(page.pointInTime().size(), 0);

        QVERIFY(!page.loadRosterAt("yesterday-ish"));
        QVERIFY(!page.pointInTimeError().isEmpty());

        // Admin actions.
        QSignalSpy finished(&page, &RoomDetailController::actionFinished);
        page.kick(sa);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).toString(), QString("kick"));
        QVERIFY(finished.at(0).at(1).toBool());
        QTRY_COMPARE(page.roster()->count(), 0);

        page.kick(sa); // gone already: 404 in words
        QTRY_COMPARE(finished.size(), 2);
        QVERIFY(!finished.at(1).at(1).toBool());
        QVERIFY(!page.actionError().isEmpty());

        page.setMaintenance(true);
        QTRY_COMPARE(finished.size(), 3);
        QVERIFY2(finished.at(2).at(1).toBool(), qPrintable(page.actionError()));
        QTRY_COMPARE(page.live().value("status").toString(), QString("MAINTENANCE"));
        page.setMaintenance(false);
        QTRY_COMPARE(finished.size(), 4);
        QTRY_COMPARE(page.live().value("status").toString(), QString("ACTIVE"));

        // The server restarts on the same port: the service reconnects and subscribes the
        // room's topics again; the new snapshot and the diffs after it reach the page.
        const quint16 port = server.port();
        QCOMPARE(server.terminate(), 0);
        QTRY_VERIFY(service.stale());
        QVERIFY2(server.start({"--flush-interval", "1", "--port", QString::number(port)}),
                 qPrintable(server.errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionService::Connected, 15000);
        // The minutes missed while down are asked for again.
        QTRY_COMPARE(recent.size(), 2);
        QCOMPARE(recent.last().at(0).toInt(), 200);
        WsClient c;
        const QString sc = join(c, server, "carol", "Mac", "macOS 14", "3.0");
        QVERIFY(!sc.isEmpty());
        QTRY_VERIFY(page.roster()->rowOf(sc) >= 0);
        QCOMPARE(page.roster()->session(page.roster()->rowOf(sc)).os, QString("macOS 14"));
        QCOMPARE(page.roster()->count(), 1);

        // Another admin deletes the room while the page shows it: the page says so and keeps
        // the last state.
        QVERIFY(!page.removed());
        QCOMPARE(
            httpRequest(m_http, "DELETE", server.httpUrl("/api/v1/rooms/" + kRoom), admin).status,
            204);
        QTRY_VERIFY(page.removed());
        QVERIFY(!page.live().isEmpty());

        page.setActive(false);
        QVERIFY(!page.removed()); // not the room shown any more
        QVERIFY(service.extraTopics().isEmpty());
        QCOMPARE(page.roster()->count(), 0);
    }
};

QTEST_MAIN(TestRoomDetailE2e)
#include "tst_room_detail_e2e.moc"
