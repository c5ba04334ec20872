// RoomListModel: rows from ROOM_METRICS and the REST room list, updated incrementally (inserts,
// removals, dataChanged naming only the changed roles; never a reset), and DashboardTotals.
#include "models/alert_inbox_model.h"
#include "models/dashboard_totals.h"
#include "models/room_list_model.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QJsonObject metrics(const QString &id, const QString &code, int online, qint64 ts, int users = -1)
{
    return {{QStringLiteral("type"), QStringLiteral("ROOM_METRICS")},
            {QStringLiteral("roomId"), id},
            {QStringLiteral("roomCode"), code},
            {QStringLiteral("status"), QStringLiteral("ACTIVE")},
            {QStringLiteral("online"), online},
            {QStringLiteral("users"), users < 0 ? online : users},
            {QStringLiteral("peak"), online},
            {QStringLiteral("capacity"), 10},
            {QStringLiteral("capacityPct"), online * 10.0},
            {QStringLiteral("avgLatencyMs"), 40.0},
            {QStringLiteral("p95LatencyMs"), 80.0},
            {QStringLiteral("ts"), double(ts)}};
}

QJsonObject restRoom(const QString &id, const QString &code, const QString &name,
                     const QString &type, const QStringList &tags = {})
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("code"), code},
            {QStringLiteral("name"), name},
            {QStringLiteral("typeCode"), type},
            {QStringLiteral("status"), QStringLiteral("ACTIVE")},
            {QStringLiteral("capacity"), 10},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)}};
}

QList<int> rolesOf(const QSignalSpy &spy, int call)
{
    return spy.at(call).at(2).value<QList<int>>();
}

constexpr qint64 kT0 = 1795000000000;

} // namespace

class TestRoomListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstMetricsInsertsARowWithItsFigures()
    {
        RoomListModel model;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 3, kT0));

        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(changed.count(), 0); // the row came in complete
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex idx = model.index(0);
        QCOMPARE(idx.data(RoomListModel::RoomIdRole).toString(), QStringLiteral("r1"));
        QCOMPARE(idx.data(RoomListModel::CodeRole).toString(), QStringLiteral("LOBBY"));
        QCOMPARE(idx.data(RoomListModel::NameRole).toString(),
                 QStringLiteral("LOBBY")); // no name yet
        QCOMPARE(idx.data(RoomListModel::OnlineRole).toInt(), 3);
        QCOMPARE(idx.data(RoomListModel::CapacityPctRole).toDouble(), 30.0);
        QCOMPARE(idx.data(RoomListModel::P95LatencyMsRole).toDouble(), 80.0);
        QCOMPARE(idx.data(RoomListModel::HistoryRole).toList().size(), 1);
        QCOMPARE(model.totalOnline(), 3);
    }

    void updateSignalsOnlyTheChangedRoles()
    {
        RoomListModel model;
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 3, kT0));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        // Same figures, 2 s later: nothing changed (no history point within 10 s either).
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 3, kT0 + 2000));
        QCOMPARE(changed.count(), 0);

        // One more session: online, users, peak, capacityPct; still no history point.
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 4, kT0 + 4000));
        QCOMPARE(changed.count(), 1);
        QList<int> roles = rolesOf(changed, 0);
        std::sort(roles.begin(), roles.end());
        QList<int> expected{RoomListModel::OnlineRole, RoomListModel::UsersRole,
                            RoomListModel::PeakRole, RoomListModel::CapacityPctRole};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(roles, expected);
        QCOMPARE(model.index(0).data(RoomListModel::OnlineRole).toInt(), 4);

        // 10 s after the first point: a second history point.
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 4, kT0 + 10000));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(rolesOf(changed, 1), QList<int>{RoomListModel::HistoryRole});
        const QVariantList history = model.index(0).data(RoomListModel::HistoryRole).toList();
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.last().toPointF(), QPointF(double(kT0 + 10000), 4.0));

        QCOMPARE(inserted.count(), 0);
        QCOMPARE(reset.count(), 0);
    }

    void historyKeepsFifteenMinutes()
    {
        RoomListModel model;
        for (int i = 0; i <= 200; ++i)
            model.applyMetrics(
                metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), i % 7, kT0 + i * 10000));
        const QVariantList history = model.index(0).data(RoomListModel::HistoryRole).toList();
        // 15 min at one point per 10 s: 90 intervals, 91 points, the oldest exactly 15 min old.
        QCOMPARE(history.size(), 91);
        QCOMPARE(qint64(history.last().toPointF().x()) - qint64(history.first().toPointF().x()),
                 RoomListModel::HistoryWindowMs);
    }

    void restMetadataMergesIntoTheMetricsRow()
    {
        RoomListModel model;
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("LOBBY"), 3, kT0));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy typesChanged(&model, &RoomListModel::typeCodesChanged);

        model.applyRoom(restRoom(QStringLiteral("r1"), QStringLiteral("LOBBY"),
                                 QStringLiteral("Main lobby"), QStringLiteral("CHAT"),
                                 {QStringLiteral("eu")}));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(changed.count(), 1);
        const QList<int> roles = rolesOf(changed, 0);
        QVERIFY(roles.contains(RoomListModel::NameRole));
        QVERIFY(roles.contains(RoomListModel::TypeCodeRole));
        QVERIFY(roles.contains(RoomListModel::TagsRole));
        QVERIFY(!roles.contains(RoomListModel::OnlineRole));
        QVERIFY(!roles.contains(RoomListModel::CapacityRole)); // metrics own it once seen
        QCOMPARE(model.index(0).data(RoomListModel::NameRole).toString(),
                 QStringLiteral("Main lobby"));
        QCOMPARE(model.index(0).data(RoomListModel::OnlineRole).toInt(), 3); // figures kept
        QCOMPARE(model.typeCodes(), QStringList{QStringLiteral("CHAT")});
        QCOMPARE(model.tagList(), QStringList{QStringLiteral("eu")});
        QCOMPARE(typesChanged.count(), 1);
    }

    void syncRemovesRoomsGoneFromTheList()
    {
        RoomListModel model;
        model.applyRoom(restRoom(QStringLiteral("r1"), QStringLiteral("A"), QStringLiteral("A"),
                                 QStringLiteral("CHAT")));
        model.applyRoom(restRoom(QStringLiteral("r2"), QStringLiteral("B"), QStringLiteral("B"),
                                 QStringLiteral("CHAT")));
        model.applyMetrics(metrics(QStringLiteral("r2"), QStringLiteral("B"), 2, kT0));
        const quint64 requested = model.serial();
        // A room created while the list was on its way: its metrics are newer than the request.
        model.applyMetrics(metrics(QStringLiteral("r3"), QStringLiteral("C"), 1, kT0));
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy totals(&model, &RoomListModel::totalsChanged);
        model.syncRooms({restRoom(QStringLiteral("r1"), QStringLiteral("A"), QStringLiteral("A"),
                                  QStringLiteral("CHAT"))},
                        requested);
        QCOMPARE(removed.count(), 1); // r2 went; r3 stays
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(QStringLiteral("r1")), 0);
        QCOMPARE(model.rowOf(QStringLiteral("r3")), 1);
        QCOMPARE(model.rowOf(QStringLiteral("r2")), -1);
        QCOMPARE(model.totalOnline(), 1);
        QVERIFY(totals.count() >= 1);
    }

    void firingAlertsPerRoom()
    {
        RoomListModel model;
        model.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("A"), 1, kT0));
        model.applyMetrics(metrics(QStringLiteral("r2"), QStringLiteral("B"), 1, kT0));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setFiringAlerts({{QStringLiteral("r2"), 2}});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(rolesOf(changed, 0), QList<int>{RoomListModel::FiringAlertsRole});
        QCOMPARE(model.index(1).data(RoomListModel::FiringAlertsRole).toInt(), 2);
        model.setFiringAlerts({{QStringLiteral("r2"), 2}});
        QCOMPARE(changed.count(), 1); // unchanged: no signal
    }

    void totalsFollowTheModels()
    {
        RoomListModel rooms;
        AlertInboxModel alerts;
        DashboardTotals totals(&rooms, &alerts);
        QSignalSpy changed(&totals, &DashboardTotals::changed);
        rooms.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("A"), 3, kT0, 2));
        rooms.applyMetrics(metrics(QStringLiteral("r2"), QStringLiteral("B"), 4, kT0, 1));
        QCOMPARE(totals.rooms(), 2);
        QCOMPARE(totals.online(), 7);
        QCOMPARE(totals.users(), 3);
        rooms.applyMetrics(metrics(QStringLiteral("r1"), QStringLiteral("A"), 1, kT0 + 500, 1));
        QCOMPARE(totals.online(), 5);
        QCOMPARE(totals.users(), 2);
        alerts.applyAlert(
            QStringLiteral("FIRED"),
            {{QStringLiteral("id"), QStringLiteral("e1")},
             {QStringLiteral("roomId"), QStringLiteral("r1")},
             {QStringLiteral("severity"), QStringLiteral("WARNING")},
             {QStringLiteral("state"), QStringLiteral("FIRING")},
             {QStringLiteral("firedAt"), QStringLiteral("2026-11-23T10:00:00.000Z")}});
        QCOMPARE(totals.firingAlerts(), 1);
        rooms.removeRoom(QStringLiteral("r2"));
        QCOMPARE(totals.rooms(), 1);
        QCOMPARE(totals.online(), 1);
        QCOMPARE(changed.count(), 5);
    }
};

QTEST_GUILESS_MAIN(TestRoomListModel)
#include "tst_room_list_model.moc"
