// AlertRepository on both SQL dialects (a SQLite file and a real throw-away PostgreSQL):
// rules round trip with versions and audit, one open event per rule and room enforced by the
// database, acknowledge/resolve transitions, tenant isolation, cooldown bookkeeping, and the
// schema 2 upgrade keeping the rules and events of schema 1.
#include "alerts/alert_json.h"
#include "alerts/alert_repository.h"
#include "db/database.h"
#include "db/migration_runner.h"
#include "dialect_databases.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace spidi;
using spidi::test::DialectDatabases;

namespace {

template <typename T>
QByteArray describe(const Result<T> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

const Actor kAlice{QStringLiteral("alice"), QStringLiteral("acme")};
const Actor kBob{QStringLiteral("bob"), QStringLiteral("globex")};
constexpr qint64 kT0 = 1'790'000'000'000;

QString uuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

AlertRule customRule()
{
    AlertRule rule;
    rule.name = QStringLiteral("Busy and slow");
    rule.type = AlertRuleType::Custom;
    rule.expression = QStringLiteral("online > 100 && p95LatencyMs > 300");
    rule.forSec = 30;
    rule.severity = AlertSeverity::Critical;
    rule.scope.roomType = QStringLiteral("CHAT");
    rule.cooldownSec = 600;
    rule.channels = {
        AlertChannel{},
        AlertChannel{
            AlertChannel::Kind::Webhook, QStringLiteral("https://hooks.example.org/x"), {}},
        AlertChannel{AlertChannel::Kind::Email,
                     {},
                     {QStringLiteral("a@example.org"), QStringLiteral("b@example.org")}}};
    return rule;
}

AlertEvent makeEvent(const AlertRule &rule, const QString &roomId, qint64 firedAtMs,
                     const QString &tenant = QStringLiteral("acme"))
{
    AlertEvent e;
    e.id = uuid();
    e.tenantId = tenant;
    e.ruleId = rule.id;
    e.ruleName = rule.name;
    e.ruleType = rule.type;
    e.roomId = roomId;
    e.roomCode = QStringLiteral("LOBBY");
    e.severity = rule.severity;
    e.value = 0.9;
    e.threshold = 0.8;
    e.message = QStringLiteral("LOBBY is at 90 %");
    e.firedAtMs = firedAtMs;
    e.notifications =
        QJsonArray{QJsonObject{{QStringLiteral("channel"), QStringLiteral("inapp")},
                               {QStringLiteral("status"), QStringLiteral("DELIVERED")}}};
    return e;
}

} // namespace

class TestAlertRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void rulesRoundTrip_data() { dialects(); }
    void rulesRoundTrip();
    void oneOpenEventPerRuleAndRoom_data() { dialects(); }
    void oneOpenEventPerRuleAndRoom();
    void acknowledgeAndResolve_data() { dialects(); }
    void acknowledgeAndResolve();
    void listFiltersAndCooldowns_data() { dialects(); }
    void listFiltersAndCooldowns();
    void upgradeFromSchema1KeepsRulesAndEvents_data() { dialects(); }
    void upgradeFromSchema1KeepsRulesAndEvents();

private:
    static void dialects() { DialectDatabases::addDialectRows(); }
    Database open(SqlDialect dialect, const QString &migrations = {})
    {
        return m_databases.open(dialect, QStringLiteral("alerts"), migrations);
    }

    DialectDatabases m_databases;
};

void TestAlertRepository::initTestCase()
{
    QVERIFY2(m_databases.start(), qPrintable(m_databases.errorText()));
}

void TestAlertRepository::cleanup()
{
    m_databases.closeAll();
}

void TestAlertRepository::rulesRoundTrip()
{
    QFETCH(SqlDialect, dialect);
    const Database db = open(dialect);
    AlertRepository repo(db);
    auto created = repo.createRule(kAlice, customRule());
    QVERIFY2(created.ok(), describe(created).constData());
    QCOMPARE(created->version, 1);
    QCOMPARE(created->tenantId, QStringLiteral("acme"));

    auto found = repo.findRule(kAlice.tenantId, created->id);
    QVERIFY2(found.ok(), describe(found).constData());
    QCOMPARE(ruleToJson(found.value()), ruleToJson(created.value()));
    QCOMPARE(found->channels, customRule().channels);
    QCOMPARE(found->expression, customRule().expression);
    QVERIFY(found->scope == customRule().scope);

    // Another tenant: not found, not listed, not writable.
    QCOMPARE(repo.findRule(kBob.tenantId, created->id).error().kind, ErrorKind::NotFound);
    auto bobs = repo.listRules(kBob.tenantId, 0, 50);
    QVERIFY(bobs.ok());
    QCOMPARE(bobs->total, 0);
    AlertRule hijack = found.value();
    QCOMPARE(repo.updateRule(kBob, hijack, 1).error().kind, ErrorKind::NotFound);

    AlertRule edited = found.value();
    edited.name = QStringLiteral("Renamed");
    edited.enabled = false;
    auto updated = repo.updateRule(kAlice, edited, 1);
    QVERIFY2(updated.ok(), describe(updated).constData());
    QCOMPARE(updated->version, 2);
    QCOMPARE(repo.updateRule(kAlice, edited, 1).error().kind, ErrorKind::Conflict);
    QCOMPARE(repo.updateRule(kAlice, edited, std::nullopt).error().kind, ErrorKind::Invalid);

    auto all = repo.allRules();
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 1);
    QCOMPARE(all->constFirst().name, QStringLiteral("Renamed"));
    QCOMPARE(all->constFirst().enabled, false);

    QVERIFY(repo.deleteRule(kAlice, created->id, 2).ok());
    QCOMPARE(repo.findRule(kAlice.tenantId, created->id).error().kind, ErrorKind::NotFound);
    QVERIFY(repo.allRules()->isEmpty());

    // create, update, delete: three audit rows with before/after.
    QSqlQuery audit(db.handle());
    if (dialect == SqlDialect::Postgresql)
        QVERIFY(audit.exec(QStringLiteral("SELECT set_config('app.bypass_rls', 'on', false)")));
    QVERIFY(audit.exec(QStringLiteral("SELECT action FROM dat_spd_audit WHERE entity = "
                                      "'alert_rule'")));
    QStringList actions;
    while (audit.next())
        actions.append(audit.value(0).toString());
    actions.sort(); // the three can share a millisecond
    QCOMPARE(actions,
             (QStringList{QStringLiteral("alert_rule.create"), QStringLiteral("alert_rule.delete"),
                          QStringLiteral("alert_rule.update")}));
}

void TestAlertRepository::oneOpenEventPerRuleAndRoom()
{
    QFETCH(SqlDialect, dialect);
    AlertRepository repo(open(dialect));
    auto rule = repo.createRule(kAlice, customRule());
    QVERIFY(rule.ok());
    const QString lobby = uuid();
    const QString hall = uuid();

    const AlertEvent first = makeEvent(rule.value(), lobby, kT0);
    QVERIFY2(repo.fire(first).ok(), "first firing");
    // A second evaluator (two leaders for a moment) cannot fire the same condition again.
    const Status twice = repo.fire(makeEvent(rule.value(), lobby, kT0 + 1000));
    QVERIFY(!twice.ok());
    QCOMPARE(twice.error().kind, ErrorKind::Conflict);
    QVERIFY(repo.fire(makeEvent(rule.value(), hall, kT0)).ok());
    auto open = repo.allOpenEvents();
    QVERIFY(open.ok());
    QCOMPARE(open->size(), 2);

    auto resolved = repo.autoResolve(first.id, kT0 + 60'000);
    QVERIFY2(resolved.ok(), describe(resolved).constData());
    QVERIFY(resolved->state == AlertState::Resolved);
    QCOMPARE(resolved->resolvedAtMs, kT0 + 60'000);
    QVERIFY(resolved->resolvedBy.isEmpty());
    QCOMPARE(resolved->message, first.message);
    QCOMPARE(repo.autoResolve(first.id, kT0 + 70'000).error().kind, ErrorKind::NotFound);
    // Resolved: the condition may fire again as a new event.
    QVERIFY(repo.fire(makeEvent(rule.value(), lobby, kT0 + 120'000)).ok());
}

void TestAlertRepository::acknowledgeAndResolve()
{
    QFETCH(SqlDialect, dialect);
    AlertRepository repo(open(dialect));
    auto rule = repo.createRule(kAlice, customRule());
    QVERIFY(rule.ok());
    const AlertEvent fired = makeEvent(rule.value(), uuid(), kT0);
    QVERIFY(repo.fire(fired).ok());

    QCOMPARE(repo.acknowledge(kBob, fired.id, {}).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.findEvent(kBob.tenantId, fired.id).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.findEvent(kAlice.tenantId, QStringLiteral("not-a-uuid")).error().kind,
             ErrorKind::NotFound);

    auto acked = repo.acknowledge(kAlice, fired.id, QStringLiteral("looking"));
    QVERIFY2(acked.ok(), describe(acked).constData());
    QVERIFY(acked->state == AlertState::Acknowledged);
    QCOMPARE(acked->acknowledgedBy, QStringLiteral("alice"));
    QCOMPARE(acked->comment, QStringLiteral("looking"));
    auto again = repo.acknowledge(kAlice, fired.id, {});
    QCOMPARE(again.error().kind, ErrorKind::Conflict);
    QVERIFY(again.error().message.contains(QLatin1String("alice")));

    auto stored = repo.findEvent(kAlice.tenantId, fired.id);
    QVERIFY(stored.ok());
    QVERIFY(stored->state == AlertState::Acknowledged);
    QVERIFY(stored->acknowledgedAtMs > 0);
    QCOMPARE(stored->notifications, fired.notifications);
    QVERIFY(stored->value && *stored->value == 0.9);

    auto resolved = repo.resolveByHand(kAlice, fired.id, QStringLiteral("done"));
    QVERIFY2(resolved.ok(), describe(resolved).constData());
    QCOMPARE(resolved->resolvedBy, QStringLiteral("alice"));
    QCOMPARE(resolved->comment, QStringLiteral("looking\ndone"));
    QCOMPARE(repo.resolveByHand(kAlice, fired.id, {}).error().kind, ErrorKind::Conflict);
    QCOMPARE(repo.acknowledge(kAlice, fired.id, {}).error().kind, ErrorKind::Conflict);
    // An event resolved by hand is not open for the engine either.
    QCOMPARE(repo.autoResolve(fired.id, kT0 + 1).error().kind, ErrorKind::NotFound);

    QJsonArray records{QJsonObject{{QStringLiteral("channel"), QStringLiteral("webhook")},
                                   {QStringLiteral("status"), QStringLiteral("FAILED")},
                                   {QStringLiteral("attempts"), 5}}};
    QVERIFY(repo.setNotifications(fired.id, records).ok());
    QCOMPARE(repo.findEvent(kAlice.tenantId, fired.id)->notifications, records);
}

void TestAlertRepository::listFiltersAndCooldowns()
{
    QFETCH(SqlDialect, dialect);
    AlertRepository repo(open(dialect));
    auto rule = repo.createRule(kAlice, customRule());
    auto other = repo.createRule(kBob, customRule());
    QVERIFY(rule.ok() && other.ok());
    const QString lobby = uuid();
    const QString hall = uuid();
    AlertEvent notified = makeEvent(rule.value(), lobby, kT0);
    QVERIFY(repo.fire(notified).ok());
    QVERIFY(repo.autoResolve(notified.id, kT0 + 10'000).ok());
    AlertEvent suppressed = makeEvent(rule.value(), lobby, kT0 + 20'000);
    suppressed.notifications =
        QJsonArray{QJsonObject{{QStringLiteral("channel"), QStringLiteral("webhook")},
                               {QStringLiteral("status"), QStringLiteral("SUPPRESSED")}}};
    QVERIFY(repo.fire(suppressed).ok());
    AlertEvent critical = makeEvent(rule.value(), hall, kT0 + 30'000);
    QVERIFY(repo.fire(critical).ok());
    QVERIFY(
        repo.fire(makeEvent(other.value(), uuid(), kT0 + 40'000, QStringLiteral("globex"))).ok());

    AlertEventFilter filter;
    auto page = repo.listEvents(kAlice.tenantId, filter);
    QVERIFY2(page.ok(), describe(page).constData());
    QCOMPARE(page->total, 3);
    QCOMPARE(page->items.constFirst().id, critical.id); // newest first
    filter.states = {AlertState::Firing};
    QCOMPARE(repo.listEvents(kAlice.tenantId, filter)->total, 2);
    filter.roomId = lobby;
    QCOMPARE(repo.listEvents(kAlice.tenantId, filter)->items.constFirst().id, suppressed.id);
    filter = {};
    filter.fromMs = kT0 + 15'000;
    filter.toMs = kT0 + 25'000;
    QCOMPARE(repo.listEvents(kAlice.tenantId, filter)->total, 1);
    filter = {};
    filter.limit = 1;
    filter.offset = 2;
    auto last = repo.listEvents(kAlice.tenantId, filter);
    QCOMPARE(last->total, 3);
    QCOMPARE(last->items.size(), 1);
    QCOMPARE(last->items.constFirst().id, notified.id);
    QCOMPARE(repo.openEvents(kAlice.tenantId)->size(), 2);
    QCOMPARE(repo.openEvents(kBob.tenantId)->size(), 1);

    // Cooldowns survive a restart: the last notified firing per rule and room, not the
    // suppressed one after it.
    auto cooldowns = repo.lastNotified(kT0 - 1);
    QVERIFY2(cooldowns.ok(), describe(cooldowns).constData());
    QHash<QString, qint64> byRoom;
    for (const auto &c : cooldowns.value()) {
        if (c.ruleId == rule->id)
            byRoom.insert(c.roomId, c.atMs);
    }
    QCOMPARE(byRoom.value(lobby), kT0);
    QCOMPARE(byRoom.value(hall), kT0 + 30'000);
}

void TestAlertRepository::upgradeFromSchema1KeepsRulesAndEvents()
{
    QFETCH(SqlDialect, dialect);
    // Schema 1 only, from a copy of the first migration.
    QTemporaryDir v1;
    QVERIFY(v1.isValid());
    QVERIFY(QFile::copy(migrationResourceDir(dialect) + QStringLiteral("/0001_initial.sql"),
                        v1.filePath(QStringLiteral("0001_initial.sql"))));
    const Database db = open(dialect, v1.path());
    QSqlQuery q(db.handle());
    if (dialect == SqlDialect::Postgresql)
        QVERIFY(q.exec(QStringLiteral("SELECT set_config('app.bypass_rls', 'on', false)")));
    const QString ruleId = uuid();
    const QString eventId = uuid();
    const QString roomId = uuid();
    QVERIFY2(
        q.exec(
            QStringLiteral(
                "INSERT INTO dat_spd_alert_rule (id, tenant_id, name, type, threshold, severity, "
                "scope_all, channels, created_at, updated_at) VALUES ('%1', 'acme', 'Old rule', "
                "'CAPACITY', 0.75, 'CRITICAL', %2, '[{\"type\":\"inapp\"}]', "
                "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
                .arg(ruleId, dialect == SqlDialect::Postgresql ? QStringLiteral("true")
                                                               : QStringLiteral("1"))),
        qPrintable(q.lastError().text()));
    QVERIFY2(q.exec(QStringLiteral("INSERT INTO dat_spd_alert_event (id, tenant_id, rule_id, "
                                   "rule_name, room_id, room_code, severity, state, value, "
                                   "threshold, message, fired_at, created_at, updated_at) VALUES "
                                   "('%1', 'acme', '%2', 'Old rule', '%3', 'LOBBY', 'CRITICAL', "
                                   "'FIRING', 0.9, 0.75, 'full', '2026-01-01T00:01:00.000Z', "
                                   "'2026-01-01T00:01:00.000Z', '2026-01-01T00:01:00.000Z')")
                        .arg(eventId, ruleId, roomId)),
             qPrintable(q.lastError().text()));

    auto upgraded = applyMigrations(db);
    QVERIFY2(upgraded.ok(), describe(upgraded).constData());
    QCOMPARE(upgraded.value(), 1);

    AlertRepository repo(db);
    auto rule = repo.findRule(QStringLiteral("acme"), ruleId);
    QVERIFY2(rule.ok(), describe(rule).constData());
    QCOMPARE(rule->name, QStringLiteral("Old rule"));
    QCOMPARE(rule->threshold, 0.75);
    QVERIFY(rule->scope.all);
    auto stored = repo.findEvent(QStringLiteral("acme"), eventId);
    QVERIFY2(stored.ok(), describe(stored).constData());
    QVERIFY(stored->state == AlertState::Firing);
    QCOMPARE(stored->roomId, roomId);
    QCOMPARE(stored->firedAtMs,
             QDateTime(QDate(2026, 1, 1), QTime(0, 1), Qt::UTC).toMSecsSinceEpoch());
    // The rebuilt tables keep their constraints: the event still points at its rule, and the
    // new rule type and the one-open-event index are there.
    AlertRule mass;
    mass.name = QStringLiteral("Mass");
    mass.type = AlertRuleType::MassDisconnect;
    mass.threshold = 10;
    mass.scope.all = true;
    QVERIFY(repo.createRule(kAlice, mass).ok());
    AlertEvent duplicate = makeEvent(rule.value(), roomId, kT0);
    QCOMPARE(repo.fire(duplicate).error().kind, ErrorKind::Conflict);
    AlertEvent orphan = makeEvent(rule.value(), uuid(), kT0);
    orphan.ruleId = uuid(); // no such rule
    QVERIFY(!repo.fire(orphan).ok());
}

QTEST_GUILESS_MAIN(TestAlertRepository)
#include "tst_alert_repository.moc"
