// End to end: the editors against a real spidi-server. A room created and edited through
// RoomEditor; a change made meanwhile over plain REST makes the next save a 409 whose
// difference names the changed fields, and overwrite resends with the current version. A
// CUSTOM rule's expression is validated by the server as typed (the column in the message),
// saved through RuleForm and listed by AlertRulesModel. The alert history lists a fired event
// with the state, severity and room filters and pages.
#include "models/alert_events_model.h"
#include "models/alert_rules_model.h"
#include "server_process.h"
#include "services/rest_client.h"
#include "services/room_editor.h"
#include "services/rule_form.h"
#include "ws_client.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;
using namespace spidi::test;

namespace {

const QString kTenant = QStringLiteral("acme");

QVariantMap diffEntry(const QVariantList &diff, const QString &field)
{
    for (const QVariant &v : diff) {
        if (v.toMap().value(QStringLiteral("field")).toString() == field)
            return v.toMap();
    }
    return {};
}

} // namespace

class TestEditorsE2e : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QByteArray m_admin;
    RestClient m_rest;
    QNetworkAccessManager m_http;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start(), qPrintable(m_server.errorText()));
        m_admin =
            m_server.token(QStringLiteral("desk-admin"), kTenant, {QStringLiteral("spidi:admin")});
        m_rest.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.port())));
        m_rest.setToken(m_admin);
    }

    void roomCreateEditConflictOverwrite()
    {
        RoomEditor editor;
        editor.setRest(&m_rest);
        editor.loadTypes();
        QTRY_COMPARE(editor.roomTypes().size(), 10);
        editor.newRoom();
        editor.setProperty("code", QStringLiteral("EDIT-1"));
        editor.setProperty("name", QStringLiteral("Edited room"));
        editor.setTypeCode(QStringLiteral("WEBRTC"));
        QCOMPARE(editor.property("capacity").toInt(), 50); // the type's defaults
        QCOMPARE(editor.property("ttlSec").toInt(), 7200);
        editor.addTag(QStringLiteral("e2e"));
        editor.addAttribute();
        editor.setAttribute(0, QStringLiteral("floor"), QStringLiteral("3"));

        QSignalSpy saved(&editor, &RoomEditor::saved);
        QVERIFY(editor.save());
        QVERIFY(saved.wait(10000));
        QVERIFY(saved.at(0).at(1).toBool()); // created
        QVERIFY(!editor.creating());
        QCOMPARE(editor.version(), qint64(1));
        HttpReply got = httpRequest(
            m_http, "GET", m_server.httpUrl(QStringLiteral("/api/v1/rooms/EDIT-1")), m_admin);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json().value(QStringLiteral("capacity")).toInt(), 50);
        QCOMPARE(got.json().value(QStringLiteral("tags")).toArray(),
                 QJsonArray{QStringLiteral("e2e")});
        QCOMPARE(got.json().value(QStringLiteral("attributes")).toObject(),
                 (QJsonObject{{QStringLiteral("floor"), QStringLiteral("3")}}));

        // A duplicate code: the server's 409 on `code`, next to the field.
        RoomEditor duplicate;
        duplicate.setRest(&m_rest);
        duplicate.setRoomTypes(editor.roomTypes());
        duplicate.newRoom();
        duplicate.setProperty("code", QStringLiteral("EDIT-1"));
        duplicate.setProperty("name", QStringLiteral("Again"));
        duplicate.setTypeCode(QStringLiteral("CHAT"));
        QSignalSpy duplicateErrors(&duplicate, &RoomEditor::errorsChanged);
        QVERIFY(duplicate.save());
        QTRY_VERIFY(!duplicate.busy());
        QCOMPARE(duplicate.errors().value(QStringLiteral("code")).toString(),
                 QStringLiteral("a room with code EDIT-1 already exists"));

        // Edit: version 2.
        editor.setProperty("name", QStringLiteral("Edited room 2"));
        editor.setProperty("capacity", 40);
        QVERIFY(editor.save());
        QVERIFY(saved.wait(10000));
        QVERIFY(!saved.at(1).at(1).toBool());
        QCOMPARE(editor.version(), qint64(2));

        // Someone else changes it meanwhile (version 3): name and tags.
        HttpReply other = httpRequest(
            m_http, "PUT", m_server.httpUrl(QStringLiteral("/api/v1/rooms/EDIT-1")), m_admin,
            {{QStringLiteral("name"), QStringLiteral("Renamed elsewhere")},
             {QStringLiteral("tags"), QJsonArray{QStringLiteral("e2e"), QStringLiteral("other")}},
             {QStringLiteral("version"), 2}});
        QCOMPARE(other.status, 200);

        // Our next save is a 409: the difference names exactly what differs.
        editor.setProperty("capacity", 30);
        QSignalSpy conflict(&editor, &RoomEditor::conflictChanged);
        QVERIFY(editor.save());
        QTRY_VERIFY(editor.conflict());
        QCOMPARE(editor.serverVersion(), qint64(3));
        const QVariantList diff = editor.conflictDiff();
        QCOMPARE(diff.size(), 3);
        QCOMPARE(diffEntry(diff, QStringLiteral("name")).value(QStringLiteral("mine")).toString(),
                 QStringLiteral("Edited room 2"));
        QCOMPARE(diffEntry(diff, QStringLiteral("name")).value(QStringLiteral("theirs")).toString(),
                 QStringLiteral("Renamed elsewhere"));
        QCOMPARE(
            diffEntry(diff, QStringLiteral("capacity")).value(QStringLiteral("mine")).toString(),
            QStringLiteral("30"));
        QCOMPARE(
            diffEntry(diff, QStringLiteral("capacity")).value(QStringLiteral("theirs")).toString(),
            QStringLiteral("40"));
        QCOMPARE(diffEntry(diff, QStringLiteral("tags")).value(QStringLiteral("theirs")).toString(),
                 QStringLiteral("e2e, other"));

        // Overwrite deliberately: resent on version 3, now 4 with our values.
        editor.overwrite();
        QVERIFY(saved.wait(10000));
        QVERIFY(!editor.conflict());
        QCOMPARE(editor.version(), qint64(4));
        got = httpRequest(m_http, "GET", m_server.httpUrl(QStringLiteral("/api/v1/rooms/EDIT-1")),
                          m_admin);
        QCOMPARE(got.json().value(QStringLiteral("name")).toString(),
                 QStringLiteral("Edited room 2"));
        QCOMPARE(got.json().value(QStringLiteral("capacity")).toInt(), 30);
        QCOMPARE(got.json().value(QStringLiteral("version")).toInt(), 4);

        // Another conflict, this time reloaded: the form takes the server's room.
        other = httpRequest(m_http, "PUT", m_server.httpUrl(QStringLiteral("/api/v1/rooms/EDIT-1")),
                            m_admin,
                            {{QStringLiteral("capacity"), 25}, {QStringLiteral("version"), 4}});
        QCOMPARE(other.status, 200);
        editor.setProperty("name", QStringLiteral("Mine again"));
        QVERIFY(editor.save());
        QTRY_VERIFY(editor.conflict());
        editor.reload();
        QVERIFY(!editor.conflict());
        QCOMPARE(editor.property("name").toString(), QStringLiteral("Edited room 2"));
        QCOMPARE(editor.property("capacity").toInt(), 25);
        QCOMPARE(editor.version(), qint64(5));

        // Delete.
        QSignalSpy removed(&editor, &RoomEditor::removed);
        editor.remove();
        QVERIFY(removed.wait(10000));
        QCOMPARE(removed.at(0).at(0).toString(), QStringLiteral("EDIT-1"));
        got = httpRequest(m_http, "GET", m_server.httpUrl(QStringLiteral("/api/v1/rooms/EDIT-1")),
                          m_admin);
        QCOMPARE(got.status, 404);
    }

    void customRuleValidatedAndSaved()
    {
        AlertRulesModel rules;
        rules.setRest(&m_rest);
        QSignalSpy resets(&rules, &QAbstractItemModel::modelReset);
        rules.reload();
        QTRY_VERIFY(!rules.loading());
        const int before = rules.count();

        RuleForm form;
        form.setRest(&m_rest);
        form.newRule();
        form.setProperty("name", QStringLiteral("Busy and slow"));
        form.setType(QStringLiteral("CUSTOM"));
        // A typo: the server's message names the column, under the field.
        form.setExpression(QStringLiteral("onlien > 100"));
        QTRY_COMPARE(form.expressionState(), QStringLiteral("invalid"));
        QVERIFY2(
            form.expressionMessage().startsWith(QStringLiteral("column 1: unknown name 'onlien'")),
            qPrintable(form.expressionMessage()));
        QVERIFY(!form.save()); // refused before sending
        QCOMPARE(form.errors().value(QStringLiteral("expression")).toString(),
                 form.expressionMessage());
        form.setExpression(QStringLiteral("online > 100 && p95LatencyMs >"));
        QTRY_COMPARE(form.expressionState(), QStringLiteral("invalid"));
        QVERIFY2(form.expressionMessage().startsWith(QStringLiteral("column 31:")),
                 qPrintable(form.expressionMessage()));

        form.setExpression(QStringLiteral("online > 100 && p95LatencyMs > 300"));
        QTRY_COMPARE(form.expressionState(), QStringLiteral("valid"));
        QCOMPARE(form.expressionIdentifiers(),
                 (QStringList{QStringLiteral("online"), QStringLiteral("p95LatencyMs")}));
        form.setProperty("severity", QStringLiteral("CRITICAL"));
        form.setProperty("emailTo", QStringLiteral("noc@example.org"));
        QSignalSpy saved(&form, &RuleForm::saved);
        connect(&form, &RuleForm::saved, &rules, &AlertRulesModel::upsert);
        QVERIFY(form.save());
        QVERIFY(saved.wait(10000));
        QVERIFY(saved.at(0).at(1).toBool());
        QCOMPARE(rules.count(), before + 1);
        const int row = rules.rowOf(form.ruleId());
        QVERIFY(row >= 0);
        QCOMPARE(rules.index(row).data(AlertRulesModel::ConditionRole).toString(),
                 QStringLiteral("online > 100 && p95LatencyMs > 300"));
        QCOMPARE(rules.index(row).data(AlertRulesModel::ChannelsRole).toString(),
                 QStringLiteral("inapp, email"));
        HttpReply got = httpRequest(
            m_http, "GET",
            m_server.httpUrl(QStringLiteral("/api/v1/alerts/rules/") + form.ruleId()), m_admin);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json().value(QStringLiteral("expression")).toString(),
                 QStringLiteral("online > 100 && p95LatencyMs > 300"));
        QCOMPARE(got.json().value(QStringLiteral("severity")).toString(),
                 QStringLiteral("CRITICAL"));

        // A 409 on the rule: changed over REST meanwhile; overwrite wins.
        HttpReply other = httpRequest(
            m_http, "PUT",
            m_server.httpUrl(QStringLiteral("/api/v1/alerts/rules/") + form.ruleId()), m_admin,
            {{QStringLiteral("cooldownSec"), 60}, {QStringLiteral("version"), 1}});
        QCOMPARE(other.status, 200);
        form.setProperty("forSec", 30);
        QVERIFY(form.save());
        QTRY_VERIFY(form.conflict());
        QCOMPARE(form.conflictDiff().size(), 2); // forSec (ours) and cooldownSec (theirs)
        QCOMPARE(diffEntry(form.conflictDiff(), QStringLiteral("cooldownSec"))
                     .value(QStringLiteral("theirs"))
                     .toString(),
                 QStringLiteral("60"));
        form.overwrite();
        QVERIFY(saved.wait(10000));
        QCOMPARE(form.version(), qint64(3));
        QCOMPARE(rules.index(rules.rowOf(form.ruleId())).data(AlertRulesModel::VersionRole).toInt(),
                 3);

        // A server refusal next to its field: an unknown room in the scope.
        form.setProperty("scopeKind", QStringLiteral("room"));
        form.setProperty("scopeRoom", QStringLiteral("NO-SUCH-ROOM"));
        QVERIFY(form.save());
        QTRY_VERIFY(!form.busy());
        QVERIFY2(!form.errors().value(QStringLiteral("scope")).toString().isEmpty(),
                 qPrintable(form.message()));

        // Deleted: removed from the list.
        connect(&form, &RuleForm::removed, &rules, &AlertRulesModel::removeRule);
        QSignalSpy removed(&form, &RuleForm::removed);
        form.remove();
        QVERIFY(removed.wait(10000));
        QCOMPARE(rules.count(), before);
        QCOMPARE(resets.count(), 0);
    }

    void historyWithFilters()
    {
        // A room of capacity 2 and a CAPACITY rule above 40 %: one device fires it.
        HttpReply room =
            httpRequest(m_http, "POST", m_server.httpUrl(QStringLiteral("/api/v1/rooms")), m_admin,
                        {{QStringLiteral("code"), QStringLiteral("HIST-1")},
                         {QStringLiteral("name"), QStringLiteral("History")},
                         {QStringLiteral("typeCode"), QStringLiteral("GENERIC")},
                         {QStringLiteral("capacity"), 2}});
        QCOMPARE(room.status, 201);
        const QString roomId = room.json().value(QStringLiteral("id")).toString();
        RuleForm form;
        form.setRest(&m_rest);
        form.newRule();
        form.setProperty("name", QStringLiteral("History busy"));
        form.setProperty("threshold", 40.0);
        form.setProperty("severity", QStringLiteral("CRITICAL"));
        form.setProperty("scopeKind", QStringLiteral("room"));
        form.setProperty("scopeRoom", roomId);
        QSignalSpy saved(&form, &RuleForm::saved);
        QVERIFY(form.save());
        QVERIFY(saved.wait(10000));
        QCOMPARE(saved.at(0).at(0).toMap().value(QStringLiteral("threshold")).toDouble(), 0.4);

        WsClient device;
        QVERIFY(device.open(m_server.wsUrl(), m_server.token(QStringLiteral("dev-1"), kTenant,
                                                             {QStringLiteral("spidi:user")})));
        const auto ack = device.request({{QStringLiteral("type"), QStringLiteral("HELLO")},
                                         {QStringLiteral("roomCode"), QStringLiteral("HIST-1")},
                                         {QStringLiteral("clientId"), QStringLiteral("phone-1")},
                                         {QStringLiteral("appVersion"), QStringLiteral("1.0")}});
        QVERIFY(ack);

        AlertEventsModel events;
        events.setRest(&m_rest);
        events.setProperty("stateFilter", QStringLiteral("FIRING"));
        events.setProperty("severityFilter", QStringLiteral("CRITICAL"));
        events.setProperty("roomId", roomId);
        // Wait for the event to fire (the evaluation runs within 250 ms of the join).
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                if (!events.loading())
                    events.refresh();
                return events.count() == 1;
            }(),
            15000);
        QCOMPARE(events.total(), 1);
        QCOMPARE(events.index(0).data(AlertEventsModel::RuleNameRole).toString(),
                 QStringLiteral("History busy"));
        QCOMPARE(events.index(0).data(AlertEventsModel::RoomCodeRole).toString(),
                 QStringLiteral("HIST-1"));
        QCOMPARE(events.index(0).data(AlertEventsModel::StateRole).toString(),
                 QStringLiteral("FIRING"));
        QVERIFY(events.index(0).data(AlertEventsModel::FiredAtRole).toDateTime().isValid());

        // Other filters exclude it.
        events.setProperty("severityFilter", QStringLiteral("INFO"));
        events.refresh();
        QTRY_COMPARE(events.total(), 0);
        QCOMPARE(events.count(), 0);
        events.setProperty("severityFilter", QString());
        events.setProperty("stateFilter", QStringLiteral("RESOLVED"));
        events.refresh();
        QTRY_VERIFY(!events.loading());
        QCOMPARE(events.count(), 0);
        // The history page's "Open" choice: a list of states, as the inbox asks.
        events.setProperty("stateFilter", QStringLiteral("FIRING,ACKNOWLEDGED"));
        events.refresh();
        QTRY_COMPARE(events.total(), 1);
        QCOMPARE(events.index(0).data(AlertEventsModel::RuleNameRole).toString(),
                 QStringLiteral("History busy"));
        QVERIFY(events.error().isEmpty());
        // A time range that ends before it fired.
        events.setProperty("stateFilter", QString());
        events.setProperty("from", QDateTime::currentDateTimeUtc().addDays(-2));
        events.setProperty("to", QDateTime::currentDateTimeUtc().addDays(-1));
        events.refresh();
        QTRY_VERIFY(!events.loading());
        QCOMPARE(events.count(), 0);
        QVERIFY(events.error().isEmpty());
        events.setProperty("to", QDateTime::currentDateTimeUtc().addSecs(60));
        events.refresh();
        QTRY_COMPARE(events.count(), 1);
        // The server's refusal in words: from after to.
        events.setProperty("from", QDateTime::currentDateTimeUtc().addDays(1));
        events.refresh();
        QTRY_COMPARE(events.error(), QStringLiteral("from must be before to"));
    }
};

QTEST_GUILESS_MAIN(TestEditorsE2e)
#include "tst_editors_e2e.moc"
