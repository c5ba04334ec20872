// RosterModel and RosterFilterModel: the ROOM_ROSTER snapshot (the only reset), then
// ROOM_ROSTER_DIFF applied incrementally (rowsInserted for joins, replace by sessionId for a
// resumed session, rowsRemoved for leaves, dataChanged naming only the changed roles), and the
// search / sort proxy over it. Large rosters: 2,000 sessions then 500 diffs, checked by value.
#include "models/roster_filter_model.h"
#include "models/roster_model.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

constexpr qint64 kT0 = 1795000000000;

QJsonObject session(const QString &id, const QString &user, const QString &device,
                    const QString &os, const QString &app, const QString &ip = "10.0.0.1",
                    QJsonValue latency = QJsonValue::Null)
{
    return {{QStringLiteral("sessionId"), id},
            {QStringLiteral("userId"), user},
            {QStringLiteral("clientId"), QString(id + "-c")},
            {QStringLiteral("device"), device},
            {QStringLiteral("os"), os},
            {QStringLiteral("appVersion"), app},
            {QStringLiteral("ip"), ip},
            {QStringLiteral("latencyMs"), latency},
            {QStringLiteral("connectedAt"), double(kT0)},
            {QStringLiteral("lastHeartbeatAt"), double(kT0)}};
}

// A ROOM_ROSTER grouping the sessions by their userId.
QJsonObject snapshot(const QList<QJsonObject> &sessions)
{
    QMap<QString, QJsonArray> byUser;
    for (const QJsonObject &s : sessions)
        byUser[s.value("userId").toString()].append(s);
    QJsonArray users;
    for (auto it = byUser.cbegin(); it != byUser.cend(); ++it)
        users.append(QJsonObject{{"userId", it.key()}, {"sessions", it.value()}});
    return {{"type", "ROOM_ROSTER"}, {"roomCode", "LOBBY"}, {"users", users}, {"ts", double(kT0)}};
}

QJsonObject diff(const QList<QJsonObject> &joins, const QStringList &leaves,
                 const QList<QJsonObject> &updates = {})
{
    QJsonArray j, u;
    for (const auto &o : joins)
        j.append(o);
    for (const auto &o : updates)
        u.append(o);
    return {{"type", "ROOM_ROSTER_DIFF"},
            {"roomCode", "LOBBY"},
            {"joins", j},
            {"leaves", QJsonArray::fromStringList(leaves)},
            {"updates", u},
            {"ts", double(kT0 + 1000)}};
}

QString str(const RosterModel &m, int row, int role)
{
    return m.data(m.index(row), role).toString();
}

} // namespace

class TestRosterModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void snapshotFillsOneRowPerSession()
    {
        RosterModel model;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy count(&model, &RosterModel::countChanged);
        model.applySnapshot(
            snapshot({session("s1", "alice", "Pixel 8", "Android 14", "2.4.1"),
                      session("s2", "alice", "iPad", "iPadOS 17", "2.4.0"),
                      session("s3", "bob", "ThinkPad", "Linux", "2.4.1", "192.168.1.9", 38)}));
        QCOMPARE(reset.size(), 1);
        QCOMPARE(count.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        const int s3 = model.rowOf("s3");
        QVERIFY(s3 >= 0);
        QCOMPARE(str(model, s3, RosterModel::UserIdRole), QString("bob"));
        QCOMPARE(str(model, s3, RosterModel::DeviceRole), QString("ThinkPad"));
        QCOMPARE(str(model, s3, RosterModel::OsRole), QString("Linux"));
        QCOMPARE(str(model, s3, RosterModel::IpRole), QString("192.168.1.9"));
        QCOMPARE(model.data(model.index(s3), RosterModel::LatencyMsRole).toDouble(), 38.0);
        QCOMPARE(model.data(model.index(model.rowOf("s1")), RosterModel::LatencyMsRole).toDouble(),
                 -1.0);
        QCOMPARE(model.data(model.index(s3), RosterModel::ConnectedAtRole).toDouble(), double(kT0));
        QCOMPARE(model.roleNames().value(RosterModel::AppVersionRole), QByteArray("appVersion"));
    }

    void joinsInsertLeavesRemoveUpdatesNameTheirRoles()
    {
        RosterModel model;
        model.applySnapshot(snapshot({session("s1", "alice", "Pixel 8", "Android 14", "2.4.1"),
                                      session("s2", "bob", "iPad", "iPadOS 17", "2.4.0")}));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.applyDiff(diff({session("s3", "carol", "Mac", "macOS 14", "2.5.0")}, {}));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 2);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);
        QCOMPARE(str(model, 2, RosterModel::DeviceRole), QString("Mac"));

        model.applyDiff(diff({}, {"s1"}));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(removed.at(0).at(2).toInt(), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf("s1"), -1);
        // The index follows the rows that moved up.
        QCOMPARE(model.rowOf("s2"), 0);
        QCOMPARE(model.rowOf("s3"), 1);
        QCOMPARE(str(model, model.rowOf("s3"), RosterModel::UserIdRole), QString("carol"));

        model.applyDiff(diff({}, {}, {QJsonObject{{"sessionId", "s3"}, {"latencyMs", 55}}}));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>{RosterModel::LatencyMsRole});
        QCOMPARE(model.data(model.index(1), RosterModel::LatencyMsRole).toDouble(), 55.0);

        model.applyDiff(diff({}, {},
                             {QJsonObject{{"sessionId", "s3"},
                                          {"latencyMs", 55},
                                          {"lastHeartbeatAt", double(kT0 + 15000)}}}));
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(2).value<QList<int>>(),
                 QList<int>{RosterModel::LastHeartbeatAtRole});

        // Unknown sessions in leaves and updates change nothing.
        model.applyDiff(diff({}, {"nope"}, {QJsonObject{{"sessionId", "nope"}, {"latencyMs", 1}}}));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(reset.size(), 0);
    }

    void resumedSessionReplacesItsRowInPlace()
    {
        RosterModel model;
        model.applySnapshot(snapshot({session("s1", "alice", "Pixel 8", "Android 14", "2.4.1"),
                                      session("s2", "bob", "iPad", "iPadOS 17", "2.4.0")}));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const int row = model.rowOf("s1");
        model.applyDiff(
            diff({session("s1", "alice", "Pixel 8", "Android 14", "2.5.0", "10.9.9.9")}, {}));
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), row);
        QList<int> roles = changed.at(0).at(2).value<QList<int>>();
        std::sort(roles.begin(), roles.end());
        QCOMPARE(roles, (QList<int>{RosterModel::AppVersionRole, RosterModel::IpRole}));
        QCOMPARE(str(model, row, RosterModel::AppVersionRole), QString("2.5.0"));
        QCOMPARE(model.appCounts().value("2.5.0"), 1);
        QCOMPARE(model.appCounts().value("2.4.1"), 0);
    }

    void leavesOfManyRowsKeepTheIndexRight()
    {
        RosterModel model;
        QList<QJsonObject> sessions;
        for (int i = 0; i < 10; ++i)
            sessions.append(session(QString("s%1").arg(i), "u", "d", "os", "1"));
        model.applySnapshot(snapshot(sessions));
        QStringList order;
        for (int r = 0; r < model.rowCount(); ++r)
            order.append(str(model, r, RosterModel::SessionIdRole));
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        // Rows 1, 2, 3 (one range), 6 and 9.
        model.applyDiff(diff({}, {order[2], order[1], order[9], order[3], order[6]}));
        QCOMPARE(removed.size(), 3);
        QCOMPARE(model.rowCount(), 5);
        const QStringList left{order[0], order[4], order[5], order[7], order[8]};
        for (int r = 0; r < 5; ++r) {
            QCOMPARE(str(model, r, RosterModel::SessionIdRole), left[r]);
            QCOMPARE(model.rowOf(left[r]), r);
        }
    }

    void twoThousandSessionsThenFiveHundredDiffs()
    {
        RosterModel model;
        QList<QJsonObject> sessions;
        for (int i = 0; i < 2000; ++i)
            sessions.append(session(QString("s%1").arg(i), QString("u%1").arg(i % 700),
                                    QString("dev%1").arg(i), i % 2 ? "Android" : "iOS",
                                    QString("2.%1").arg(i % 3)));
        model.applySnapshot(snapshot(sessions));
        QCOMPARE(model.rowCount(), 2000);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        // Each diff: one join, one leave (s<i>), one latency update (s<1000+i>).
        for (int i = 0; i < 500; ++i) {
            model.applyDiff(
                diff({session(QString("n%1").arg(i), "new", "Mac", "macOS", "3.0")},
                     {QString("s%1").arg(i)},
                     {QJsonObject{{"sessionId", QString("s%1").arg(1000 + i)}, {"latencyMs", i}}}));
        }
        QCOMPARE(reset.size(), 0);
        QCOMPARE(inserted.size(), 500);
        QCOMPARE(removed.size(), 500);
        QCOMPARE(model.rowCount(), 2000);
        QCOMPARE(model.rowOf("s0"), -1);
        QCOMPARE(model.rowOf("s499"), -1);
        for (const QString id : {"s500", "n0", "n499", "s1999"}) {
            const int row = model.rowOf(id);
            QVERIFY2(row >= 0, qPrintable(id));
            QCOMPARE(str(model, row, RosterModel::SessionIdRole), id);
        }
        QCOMPARE(
            model.data(model.index(model.rowOf("s1499")), RosterModel::LatencyMsRole).toDouble(),
            499.0);
        QCOMPARE(model.osCounts().value("macOS"), 500);
        QCOMPARE(model.osCounts().value("Android") + model.osCounts().value("iOS"), 1500);
        // Every row is where the index says.
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.rowOf(model.session(r).sessionId), r);
    }

    void filterSearchesAndSortsByAnyColumn()
    {
        RosterModel model;
        model.applySnapshot(
            snapshot({session("s1", "alice", "Pixel 8", "Android 14", "2.4.1", "10.0.0.1", 80),
                      session("s2", "bob", "iPad", "iPadOS 17", "2.4.0", "10.0.0.2", 20),
                      session("s3", "carol", "ThinkPad", "Linux", "2.5.0", "192.168.1.9", 50)}));
        RosterFilterModel proxy;
        proxy.setSourceModel(&model);
        QCOMPARE(proxy.count(), 3);
        // Default: by user, ascending.
        QCOMPARE(proxy.sessionIdAt(0), QString("s1"));
        QCOMPARE(proxy.sessionIdAt(2), QString("s3"));

        proxy.setSortColumnRole(RosterModel::LatencyMsRole);
        QCOMPARE(proxy.sessionIdAt(0), QString("s2"));
        QCOMPARE(proxy.sessionIdAt(1), QString("s3"));
        proxy.setDescending(true);
        QCOMPARE(proxy.sessionIdAt(0), QString("s1"));

        proxy.setSearch("192.168");
        QCOMPARE(proxy.count(), 1);
        QCOMPARE(proxy.sessionIdAt(0), QString("s3"));
        proxy.setSearch("ipad");
        QCOMPARE(proxy.count(), 1);
        QCOMPARE(proxy.sessionIdAt(0), QString("s2"));
        proxy.setSearch("2.4");
        QCOMPARE(proxy.count(), 2);

        // Live updates re-sort without a reset.
        proxy.setSearch(QString());
        QSignalSpy reset(&proxy, &QAbstractItemModel::modelReset);
        model.applyDiff(diff({}, {}, {QJsonObject{{"sessionId", "s2"}, {"latencyMs", 500}}}));
        QCOMPARE(proxy.sessionIdAt(0), QString("s2"));
        model.applyDiff(diff({session("s4", "dave", "Phone", "Android 13", "1.0", "x", 900)}, {}));
        QCOMPARE(proxy.count(), 4);
        QCOMPARE(proxy.sessionIdAt(0), QString("s4"));
        QCOMPARE(reset.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRosterModel)
#include "tst_roster_model.moc"
