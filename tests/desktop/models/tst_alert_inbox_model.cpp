// AlertInboxModel: ALERT transitions applied incrementally (FIRED inserts in severity/time
// order, ACKNOWLEDGED updates the changed roles, RESOLVED removes, SNAPSHOT upserts), and the
// REST list merged without losing what the topic said meanwhile. Never a model reset.
#include "models/alert_inbox_model.h"

#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

QJsonObject makeEvent(const QString &id, const QString &severity, const QString &firedAt,
                      const QString &state = QStringLiteral("FIRING"),
                      const QString &room = QStringLiteral("r1"))
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("ruleId"), QString(QStringLiteral("rule-") + id)},
            {QStringLiteral("ruleName"), QString(QStringLiteral("Rule ") + id)},
            {QStringLiteral("ruleType"), QStringLiteral("CAPACITY")},
            {QStringLiteral("roomId"), room},
            {QStringLiteral("roomCode"), QStringLiteral("LOBBY")},
            {QStringLiteral("severity"), severity},
            {QStringLiteral("state"), state},
            {QStringLiteral("value"), 0.9},
            {QStringLiteral("threshold"), 0.8},
            {QStringLiteral("message"), QStringLiteral("LOBBY is at 90 %")},
            {QStringLiteral("firedAt"), firedAt},
            {QStringLiteral("acknowledgedAt"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("acknowledgedBy"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("comment"), QJsonValue(QJsonValue::Null)}};
}

QStringList ids(const AlertInboxModel &model)
{
    QStringList list;
    for (int i = 0; i < model.rowCount(); ++i)
        list.append(model.index(i).data(AlertInboxModel::EventIdRole).toString());
    return list;
}

const QString kT1 = QStringLiteral("2026-11-23T10:00:00.000Z");
const QString kT2 = QStringLiteral("2026-11-23T10:05:00.000Z");
const QString kT3 = QStringLiteral("2026-11-23T10:09:00.000Z");

} // namespace

class TestAlertInboxModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firedInsertsBySeverityThenNewestFirst()
    {
        AlertInboxModel model;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy critical(&model, &AlertInboxModel::criticalFired);

        model.applyAlert(QStringLiteral("FIRED"), makeEvent("w-old", "WARNING", kT1));
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("info", "INFO", kT3));
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("w-new", "WARNING", kT2));
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("crit", "CRITICAL", kT1), true);

        QCOMPARE(ids(model), (QStringList{"crit", "w-new", "w-old", "info"}));
        QCOMPARE(inserted.count(), 4);
        // Row positions of the inserts: w-old 0, info 1, w-new 0, crit 0.
        QCOMPARE(inserted.at(1).at(1).toInt(), 1);
        QCOMPARE(inserted.at(2).at(1).toInt(), 0);
        QCOMPARE(inserted.at(3).at(1).toInt(), 0);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.count(), 4);
        QCOMPARE(model.firingCount(), 4);
        QCOMPARE(model.criticalCount(), 1);
        QCOMPARE(critical.count(), 1);
        QCOMPARE(critical.at(0).at(1).toBool(), true);

        const QModelIndex top = model.index(0);
        QCOMPARE(top.data(AlertInboxModel::SeverityRole).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(top.data(AlertInboxModel::CriticalRole).toBool(), true);
        QCOMPARE(top.data(AlertInboxModel::RuleNameRole).toString(), QStringLiteral("Rule crit"));
        QCOMPARE(top.data(AlertInboxModel::ValueRole).toDouble(), 0.9);
        QCOMPARE(top.data(AlertInboxModel::FiredAtRole).toDateTime(),
                 QDateTime(QDate(2026, 11, 23), QTime(10, 0), Qt::UTC));
        QVERIFY(!top.data(AlertInboxModel::AcknowledgedAtRole).isValid());
    }

    void acknowledgedUpdatesOnlyWhatChanged()
    {
        AlertInboxModel model;
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("a", "WARNING", kT1));
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("b", "WARNING", kT2));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        QJsonObject acked = makeEvent("a", "WARNING", kT1, QStringLiteral("ACKNOWLEDGED"));
        acked.insert(QStringLiteral("acknowledgedBy"), QStringLiteral("alice"));
        acked.insert(QStringLiteral("acknowledgedAt"), kT3);
        acked.insert(QStringLiteral("comment"), QStringLiteral("on it"));
        model.applyAlert(QStringLiteral("ACKNOWLEDGED"), acked);

        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QList<int> roles = changed.at(0).at(2).value<QList<int>>();
        std::sort(roles.begin(), roles.end());
        QList<int> expected{AlertInboxModel::StateRole, AlertInboxModel::AcknowledgedAtRole,
                            AlertInboxModel::AcknowledgedByRole, AlertInboxModel::CommentRole};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(roles, expected);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(model.index(1).data(AlertInboxModel::AcknowledgedByRole).toString(),
                 QStringLiteral("alice"));
        QCOMPARE(model.firingCount(), 1);
        QCOMPARE(model.firingByRoom().value(QStringLiteral("r1")), 1);
    }

    void resolvedRemovesAndSnapshotUpserts()
    {
        AlertInboxModel model;
        model.applyAlert(QStringLiteral("SNAPSHOT"), makeEvent("a", "WARNING", kT1));
        model.applyAlert(QStringLiteral("SNAPSHOT"),
                         makeEvent("a", "WARNING", kT1)); // again: no-op
        QCOMPARE(model.count(), 1);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.applyAlert(QStringLiteral("RESOLVED"),
                         makeEvent("a", "WARNING", kT1, QStringLiteral("RESOLVED")));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.count(), 0);
        model.applyAlert(QStringLiteral("RESOLVED"), makeEvent("zzz", "WARNING", kT1)); // unknown
        QCOMPARE(removed.count(), 1);
        QCOMPARE(reset.count(), 0);
    }

    void restListMergesWithNewerAlerts()
    {
        AlertInboxModel model;
        model.applyAlert(QStringLiteral("SNAPSHOT"), makeEvent("stale", "WARNING", kT1));
        model.applyAlert(QStringLiteral("SNAPSHOT"), makeEvent("kept", "WARNING", kT1));
        const quint64 requested = model.serial();
        // While the list is on its way: "late" fires, "kept" is resolved.
        model.applyAlert(QStringLiteral("FIRED"), makeEvent("late", "CRITICAL", kT3));
        model.applyAlert(QStringLiteral("RESOLVED"),
                         makeEvent("kept", "WARNING", kT1, QStringLiteral("RESOLVED")));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        // The list was made before both: it has "kept" (still open then) and "listed", not "late";
        // "stale" was resolved while the console was away.
        model.sync({makeEvent("kept", "WARNING", kT1), makeEvent("listed", "INFO", kT2)},
                   requested);
        QCOMPARE(ids(model), (QStringList{"late", "listed"}));
        QCOMPARE(reset.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertInboxModel)
#include "tst_alert_inbox_model.moc"
