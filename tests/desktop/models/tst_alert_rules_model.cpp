// AlertRulesModel: rules kept in name order, created/updated/renamed/deleted as row inserts,
// dataChanged, moves and removals (never a reset), a reload merged the same way; the
// condition and scope in words. AlertEventsModel: the query of its filters and page
// replacement without a reset. Editors: the rule form's saves and deletes reach the list.
#include "models/alert_events_model.h"
#include "models/alert_rules_model.h"
#include "models/room_list_model.h"
#include "services/editors.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QJsonObject rule(const QString &id, const QString &name, int version = 1)
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("type"), QStringLiteral("CAPACITY")},
            {QStringLiteral("threshold"), 0.8},
            {QStringLiteral("severity"), QStringLiteral("WARNING")},
            {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all"), true}}},
            {QStringLiteral("enabled"), true},
            {QStringLiteral("channels"),
             QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("inapp")}}}},
            {QStringLiteral("version"), version}};
}

QStringList names(const AlertRulesModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row).data(AlertRulesModel::NameRole).toString());
    return result;
}

} // namespace

class TestAlertRulesModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void incrementalUpdates()
    {
        AlertRulesModel model;
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy moves(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

        model.upsertJson(rule(QStringLiteral("b"), QStringLiteral("Bravo")));
        model.upsertJson(rule(QStringLiteral("d"), QStringLiteral("Delta")));
        model.upsertJson(rule(QStringLiteral("a"), QStringLiteral("Alpha")));
        QCOMPARE(names(model), (QStringList{QStringLiteral("Alpha"), QStringLiteral("Bravo"),
                                            QStringLiteral("Delta")}));
        QCOMPARE(inserts.count(), 3);
        QCOMPARE(inserts.at(2).at(1).toInt(), 0); // Alpha went to the top
        QCOMPARE(model.count(), 3);

        // Updated in place: one dataChanged on its row.
        QJsonObject bravo = rule(QStringLiteral("b"), QStringLiteral("Bravo"), 2);
        bravo.insert(QStringLiteral("severity"), QStringLiteral("CRITICAL"));
        model.upsertJson(bravo);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(changes.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(model.index(1).data(AlertRulesModel::SeverityRole).toString(),
                 QStringLiteral("CRITICAL"));
        QCOMPARE(model.index(1).data(AlertRulesModel::VersionRole).toInt(), 2);
        // The same rule again: nothing.
        model.upsertJson(bravo);
        QCOMPARE(changes.count(), 1);

        // Renamed: moved to its place by name.
        model.upsertJson(rule(QStringLiteral("a"), QStringLiteral("Echo"), 2));
        QCOMPARE(names(model), (QStringList{QStringLiteral("Bravo"), QStringLiteral("Delta"),
                                            QStringLiteral("Echo")}));
        QCOMPARE(moves.count(), 1);
        QCOMPARE(model.index(2).data(AlertRulesModel::RuleIdRole).toString(), QStringLiteral("a"));

        model.removeRule(QStringLiteral("d"));
        QCOMPARE(names(model), (QStringList{QStringLiteral("Bravo"), QStringLiteral("Echo")}));
        QCOMPARE(removals.count(), 1);
        model.removeRule(QStringLiteral("unknown"));
        QCOMPARE(removals.count(), 1);

        // A reload: the rule gone is removed, a new one inserted, the rest untouched.
        model.sync({bravo, rule(QStringLiteral("c"), QStringLiteral("Charlie"))});
        QCOMPARE(names(model), (QStringList{QStringLiteral("Bravo"), QStringLiteral("Charlie")}));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.ruleAt(1).value(QStringLiteral("id")).toString(), QStringLiteral("c"));
    }

    void inWords()
    {
        QJsonObject r = rule(QStringLiteral("x"), QStringLiteral("X"));
        QCOMPARE(AlertRulesModel::describeCondition(r), QStringLiteral("above 80 % of capacity"));
        QCOMPARE(AlertRulesModel::describeScope(r), QStringLiteral("all rooms"));
        r.insert(QStringLiteral("type"), QStringLiteral("LATENCY"));
        r.insert(QStringLiteral("threshold"), 300);
        r.insert(QStringLiteral("latencyStat"), QStringLiteral("AVG"));
        QCOMPARE(AlertRulesModel::describeCondition(r),
                 QStringLiteral("average latency above 300 ms"));
        r.insert(QStringLiteral("type"), QStringLiteral("MASS_DISCONNECT"));
        r.insert(QStringLiteral("threshold"), 10);
        r.insert(QStringLiteral("windowSec"), 30);
        QCOMPARE(AlertRulesModel::describeCondition(r),
                 QStringLiteral("more than 10 sessions lost within 30 s"));
        r.insert(QStringLiteral("type"), QStringLiteral("CUSTOM"));
        r.insert(QStringLiteral("expression"), QStringLiteral("online > 3"));
        QCOMPARE(AlertRulesModel::describeCondition(r), QStringLiteral("online > 3"));
        r.insert(QStringLiteral("scope"),
                 QJsonObject{{QStringLiteral("roomType"), QStringLiteral("CHAT")}});
        QCOMPARE(AlertRulesModel::describeScope(r), QStringLiteral("rooms of type CHAT"));
    }

    void editorsKeepTheListCurrent()
    {
        RoomListModel rooms;
        Editors editors(nullptr, &rooms);
        QSignalSpy pages(&editors, &Editors::pageChanged);
        QSignalSpy resets(editors.rules(), &QAbstractItemModel::modelReset);
        Q_EMIT editors.rule()->saved(
            rule(QStringLiteral("r1"), QStringLiteral("One")).toVariantMap(), true);
        QCOMPARE(editors.rules()->count(), 1);
        QCOMPARE(editors.rules()->index(0).data(AlertRulesModel::NameRole).toString(),
                 QStringLiteral("One"));
        Q_EMIT editors.rule()->removed(QStringLiteral("r1"));
        QCOMPARE(editors.rules()->count(), 0);
        QCOMPARE(resets.count(), 0);

        // A room saved in the editor reaches the dashboard's list; deleted, it leaves it.
        editors.room()->loadJson({{QStringLiteral("id"), QStringLiteral("room-1")},
                                  {QStringLiteral("code"), QStringLiteral("LOBBY")},
                                  {QStringLiteral("name"), QStringLiteral("Lobby")}});
        Q_EMIT editors.room()->saved(
            QJsonObject{{QStringLiteral("id"), QStringLiteral("room-1")},
                        {QStringLiteral("code"), QStringLiteral("LOBBY")},
                        {QStringLiteral("name"), QStringLiteral("Lobby renamed")}}
                .toVariantMap(),
            false);
        QCOMPARE(rooms.rowOfCode(QStringLiteral("LOBBY")), 0);
        QJsonObject scoped = rule(QStringLiteral("r2"), QStringLiteral("Two"));
        scoped.insert(QStringLiteral("scope"),
                      QJsonObject{{QStringLiteral("roomId"), QStringLiteral("room-1")}});
        QCOMPARE(editors.scopeText(scoped.toVariantMap()), QStringLiteral("room LOBBY"));
        scoped.insert(QStringLiteral("scope"),
                      QJsonObject{{QStringLiteral("roomId"), QStringLiteral("room-9")}});
        QCOMPARE(editors.scopeText(scoped.toVariantMap()), QStringLiteral("room room-9"));
        QCOMPARE(rooms.index(0).data(RoomListModel::NameRole).toString(),
                 QStringLiteral("Lobby renamed"));
        Q_EMIT editors.room()->removed(QStringLiteral("LOBBY"));
        QCOMPARE(rooms.count(), 0);

        editors.deleteRoom(QStringLiteral("LOBBY"));
        QCOMPARE(editors.page(), QStringLiteral("roomEditor"));
        QCOMPARE(editors.roomCode(), QStringLiteral("LOBBY"));
        QVERIFY(editors.confirmDelete());
        editors.close();
        QCOMPARE(editors.page(), QString());
        QCOMPARE(pages.count(), 2);
    }

    void eventsQueryAndPages()
    {
        AlertEventsModel model;
        QUrlQuery q = model.query(0);
        QVERIFY(!q.hasQueryItem(QStringLiteral("state")));
        QCOMPARE(q.queryItemValue(QStringLiteral("limit")), QStringLiteral("50"));
        model.setProperty("stateFilter", QStringLiteral("RESOLVED"));
        model.setProperty("severityFilter", QStringLiteral("CRITICAL"));
        model.setProperty("roomId", QStringLiteral("r-1"));
        model.setProperty("from", QDateTime(QDate(2026, 11, 23), QTime(10, 0), Qt::UTC));
        model.setProperty("to", QDateTime(QDate(2026, 11, 23), QTime(12, 30), Qt::UTC));
        model.setProperty("pageSize", 20);
        q = model.query(40);
        QCOMPARE(q.queryItemValue(QStringLiteral("state")), QStringLiteral("RESOLVED"));
        QCOMPARE(q.queryItemValue(QStringLiteral("severity")), QStringLiteral("CRITICAL"));
        QCOMPARE(q.queryItemValue(QStringLiteral("roomId")), QStringLiteral("r-1"));
        QCOMPARE(q.queryItemValue(QStringLiteral("from")),
                 QStringLiteral("2026-11-23T10:00:00.000Z"));
        QCOMPARE(q.queryItemValue(QStringLiteral("to")),
                 QStringLiteral("2026-11-23T12:30:00.000Z"));
        QCOMPARE(q.queryItemValue(QStringLiteral("offset")), QStringLiteral("40"));
        QCOMPARE(q.queryItemValue(QStringLiteral("limit")), QStringLiteral("20"));

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        const QJsonObject e1{
            {QStringLiteral("id"), QStringLiteral("e1")},
            {QStringLiteral("state"), QStringLiteral("RESOLVED")},
            {QStringLiteral("firedAt"), QStringLiteral("2026-11-23T10:05:00.000Z")}};
        const QJsonObject e2{{QStringLiteral("id"), QStringLiteral("e2")},
                             {QStringLiteral("state"), QStringLiteral("FIRING")}};
        model.setPage({e1, e2}, 0, 45);
        QCOMPARE(model.count(), 2);
        QVERIFY(model.hasNext());
        QVERIFY(!model.hasPrevious());
        QCOMPARE(model.index(0).data(AlertEventsModel::FiredAtRole).toDateTime(),
                 QDateTime(QDate(2026, 11, 23), QTime(10, 5), Qt::UTC));
        model.setPage({e2}, 40, 41);
        QCOMPARE(model.count(), 1);
        QVERIFY(!model.hasNext());
        QVERIFY(model.hasPrevious());
        QCOMPARE(model.index(0).data(AlertEventsModel::EventIdRole).toString(),
                 QStringLiteral("e2"));
        QCOMPARE(resets.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertRulesModel)
#include "tst_alert_rules_model.moc"
