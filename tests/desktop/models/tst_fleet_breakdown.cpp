// FleetBreakdown: sessions by OS and by app version, following the roster's snapshot, joins,
// resumes with another version, and leaves.
#include "models/fleet_breakdown.h"
#include "models/roster_model.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QJsonObject session(const QString &id, const QString &os, const QString &app)
{
    return {{"sessionId", id}, {"userId", QString("u-" + id)}, {"os", os}, {"appVersion", app}};
}

QJsonObject roster(const QList<QJsonObject> &sessions)
{
    QJsonArray users;
    for (const QJsonObject &s : sessions)
        users.append(QJsonObject{{"userId", s.value("userId")}, {"sessions", QJsonArray{s}}});
    return {{"type", "ROOM_ROSTER"}, {"roomCode", "R"}, {"users", users}};
}

QString describe(const QVariantList &list)
{
    QStringList parts;
    for (const QVariant &v : list) {
        const QVariantMap m = v.toMap();
        parts.append(m.value("label").toString() + "=" + m.value("count").toString());
    }
    return parts.join(", ");
}

} // namespace

class TestFleetBreakdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void followsTheRoster()
    {
        RosterModel model;
        FleetBreakdown fleet(&model);
        QCOMPARE(fleet.total(), 0);
        QVERIFY(fleet.byOs().isEmpty());
        QSignalSpy changed(&fleet, &FleetBreakdown::changed);

        model.applySnapshot(roster({session("a", "Android", "2.4"), session("b", "iOS", "2.4"),
                                    session("c", "Android", "2.5"), session("d", "", "2.5"),
                                    session("e", "Android", "2.4")}));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(fleet.total(), 5);
        QCOMPARE(describe(fleet.byOs()), QString("Android=3, (unknown)=1, iOS=1"));
        QCOMPARE(describe(fleet.byAppVersion()), QString("2.4=3, 2.5=2"));
        QCOMPARE(fleet.byOs().at(0).toMap().value("fraction").toDouble(), 0.6);

        // A join, a leave and a resume with a new version, in one diff.
        model.applyDiff(
            {{"type", "ROOM_ROSTER_DIFF"},
             {"joins", QJsonArray{session("f", "iOS", "2.6"), session("b", "iOS", "2.6")}},
             {"leaves", QJsonArray{"a", "c"}}});
        QCOMPARE(changed.size(), 2);
        QCOMPARE(fleet.total(), 4);
        QCOMPARE(describe(fleet.byOs()), QString("iOS=2, (unknown)=1, Android=1"));
        QCOMPARE(describe(fleet.byAppVersion()), QString("2.6=2, 2.4=1, 2.5=1"));

        // A latency update changes nothing here.
        model.applyDiff(
            {{"type", "ROOM_ROSTER_DIFF"},
             {"updates", QJsonArray{QJsonObject{{"sessionId", "f"}, {"latencyMs", 3}}}}});
        QCOMPARE(changed.size(), 2);

        model.clear();
        QCOMPARE(fleet.total(), 0);
        QVERIFY(fleet.byAppVersion().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFleetBreakdown)
#include "tst_fleet_breakdown.moc"
