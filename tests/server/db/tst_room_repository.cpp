// RoomRepository against both SQL dialects: the same cases on a SQLite file and on a real
// PostgreSQL server (tests/support/postgres_process.h), plus the PostgreSQL-only proofs that
// row-level security confines the application role to one tenant (docs/schema.md).
#include "db/database.h"
#include "db/migration_runner.h"
#include "db/room_repository.h"
#include "db/session_history_repository.h"
#include "dialect_databases.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>
#include <numeric>
#include <thread>

using namespace spidi;
using spidi::test::DialectDatabases;
using spidi::test::PostgresProcess;

namespace {

template <typename T>
QByteArray describe(const Result<T> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

RoomDraft draft(const QString &code, const QString &name,
                const QString &type = QStringLiteral("CHAT"))
{
    RoomDraft d;
    d.code = code;
    d.name = name;
    d.typeCode = type;
    return d;
}

const Actor kAlice{QStringLiteral("alice"), QStringLiteral("acme")};
const Actor kBob{QStringLiteral("bob"), QStringLiteral("globex")};

} // namespace

class TestRoomRepository : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void migrationsFreshAndIdempotent_data() { dialects(); }
    void migrationsFreshAndIdempotent();
    void createAndFind_data() { dialects(); }
    void createAndFind();
    void duplicateCodeIsConflict_data() { dialects(); }
    void duplicateCodeIsConflict();
    void listFilters_data() { dialects(); }
    void listFilters();
    void updateWithVersionConflict_data() { dialects(); }
    void updateWithVersionConflict();
    void softDeleteFreesCode_data() { dialects(); }
    void softDeleteFreesCode();
    void attributesReplaced_data() { dialects(); }
    void attributesReplaced();
    void auditRowsWritten_data() { dialects(); }
    void auditRowsWritten();
    void tenantsAreIsolated_data() { dialects(); }
    void tenantsAreIsolated();
    void allLiveRoomsSpansTenants_data() { dialects(); }
    void allLiveRoomsSpansTenants();
    void sessionHistoryCrossTenant_data() { dialects(); }
    void pastRosterAndUserSessions_data() { dialects(); }
    void pastRosterAndUserSessions();
    void sessionHistoryCrossTenant();

    void postgresRowLevelSecurity();
    void postgresUniqueViolationCode();
    void postgresInstancesStartingTogetherMigrateOnce();

private:
    void dialects();
    // A migrated, empty database of the current data row's dialect.
    Database freshDatabase();
    Database freshDatabase(SqlDialect dialect);

    DialectDatabases m_databases;
};

void TestRoomRepository::initTestCase()
{
    QVERIFY2(m_databases.start(), qPrintable(m_databases.errorText()));
}

void TestRoomRepository::cleanupTestCase() {}

void TestRoomRepository::cleanup()
{
    m_databases.closeAll();
}

void TestRoomRepository::dialects()
{
    DialectDatabases::addDialectRows();
}

Database TestRoomRepository::freshDatabase()
{
    QFETCH(SqlDialect, dialect);
    return freshDatabase(dialect);
}

Database TestRoomRepository::freshDatabase(SqlDialect dialect)
{
    return m_databases.open(dialect, QStringLiteral("rooms"));
}

void TestRoomRepository::migrationsFreshAndIdempotent()
{
    QFETCH(SqlDialect, dialect);
    const Database db = freshDatabase(dialect); // applies 0001
    auto again = applyMigrations(db);
    QVERIFY2(again.ok(), describe(again).constData());
    QCOMPARE(again.value(), 0);

    RoomRepository repo(db);
    auto types = repo.roomTypes();
    QVERIFY2(types.ok(), describe(types).constData());
    QCOMPARE(types->size(), 10);
    const QHash<QString, QPair<int, int>> expected = {
        {QStringLiteral("WEBRTC"), {50, 7200}},
        {QStringLiteral("CHAT"), {500, 3600}},
        {QStringLiteral("NOTIFICATION"), {10000, 1800}},
        {QStringLiteral("BROADCAST"), {1000, 14400}},
        {QStringLiteral("COLLABORATION"), {25, 3600}},
        {QStringLiteral("SUPPORT"), {100, 1800}},
        {QStringLiteral("GAMING"), {16, 7200}},
        {QStringLiteral("MONITORING"), {10, 86400}},
        {QStringLiteral("EVENT"), {200, 10800}},
        {QStringLiteral("GENERIC"), {100, 3600}},
    };
    for (const RoomType &type : types.value()) {
        QVERIFY2(expected.contains(type.code), qPrintable(type.code));
        QCOMPARE(type.defaultCapacity, expected.value(type.code).first);
        QCOMPARE(type.defaultTtlSec, expected.value(type.code).second);
    }
    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral("SELECT version, name FROM spidi_schema_version")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 1);
    QCOMPARE(query.value(1).toString(), QStringLiteral("initial"));
}

void TestRoomRepository::createAndFind()
{
    RoomRepository repo(freshDatabase());
    RoomDraft d = draft(QStringLiteral("LOBBY-1"), QStringLiteral("  Lobby one "));
    d.tags = QStringList{QStringLiteral("vip"), QStringLiteral("eu"), QStringLiteral("vip")};
    d.attributes = QVariantMap{{QStringLiteral("floor"), QStringLiteral("3")}};
    auto created = repo.create(kAlice, d);
    QVERIFY2(created.ok(), describe(created).constData());
    QCOMPARE(created->name, QStringLiteral("Lobby one"));
    QCOMPARE(created->capacity, 500); // from CHAT
    QCOMPARE(created->ttlSec, 3600);
    QCOMPARE(created->version, 1);
    QCOMPARE(created->tags, (QStringList{QStringLiteral("vip"), QStringLiteral("eu")}));
    QVERIFY(!QUuid::fromString(created->id).isNull());
    QVERIFY(!created->id.startsWith(QLatin1Char('{')));

    for (const QString &key : {created->id, QStringLiteral("LOBBY-1")}) {
        auto found = repo.find(kAlice.tenantId, key);
        QVERIFY2(found.ok(), describe(found).constData());
        QCOMPARE(found->id, created->id);
        QCOMPARE(found->code, QStringLiteral("LOBBY-1"));
        QCOMPARE(found->tags, created->tags);
        QCOMPARE(found->attributes.value(QStringLiteral("floor")).toString(), QStringLiteral("3"));
        QVERIFY(found->status == RoomStatus::Active);
        // Millisecond precision survives the round trip in both dialects.
        QCOMPARE(found->createdAt, created->createdAt);
        QCOMPARE(found->createdAt.timeSpec(), Qt::UTC);
    }
    auto missing = repo.find(kAlice.tenantId, QStringLiteral("NOPE"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);
    // A uuid that is no room, and text that is no uuid, are both just NotFound.
    auto missingId = repo.find(kAlice.tenantId, QUuid::createUuid().toString(QUuid::WithoutBraces));
    QCOMPARE(missingId.error().kind, ErrorKind::NotFound);
    auto unknownType = repo.create(
        kAlice, draft(QStringLiteral("X-1"), QStringLiteral("x"), QStringLiteral("NOPE")));
    QVERIFY(!unknownType.ok());
    QCOMPARE(unknownType.error().kind, ErrorKind::Invalid);
    QCOMPARE(unknownType.error().field, QStringLiteral("typeCode"));
}

void TestRoomRepository::duplicateCodeIsConflict()
{
    RoomRepository repo(freshDatabase());
    QVERIFY(repo.create(kAlice, draft(QStringLiteral("DUP"), QStringLiteral("a"))).ok());
    auto again = repo.create(kAlice, draft(QStringLiteral("DUP"), QStringLiteral("b")));
    QVERIFY(!again.ok());
    QCOMPARE(again.error().kind, ErrorKind::Conflict);
    QCOMPARE(again.error().field, QStringLiteral("code"));
    // The same code in another tenant is fine.
    QVERIFY(repo.create(kBob, draft(QStringLiteral("DUP"), QStringLiteral("c"))).ok());
}

void TestRoomRepository::listFilters()
{
    RoomRepository repo(freshDatabase());
    for (int i = 0; i < 7; ++i) {
        RoomDraft d = draft(QStringLiteral("ROOM-%1").arg(i), QStringLiteral("Room %1").arg(i),
                            i % 2 ? QStringLiteral("GAMING") : QStringLiteral("CHAT"));
        d.tags = i < 3 ? QStringList{QStringLiteral("blue"), QStringLiteral("x%1").arg(i)}
                       : QStringList{QStringLiteral("red")};
        QVERIFY(repo.create(kAlice, d).ok());
    }
    QVERIFY(
        repo.create(kAlice, draft(QStringLiteral("OEK"), QStringLiteral("Ökonomie 100%_"))).ok());
    QVERIFY(
        repo.create(kBob, draft(QStringLiteral("ROOM-0"), QStringLiteral("other tenant"))).ok());
    QVERIFY(repo.setMaintenance(kAlice, QStringLiteral("ROOM-6"), true).ok());

    auto all = repo.list(kAlice.tenantId, RoomFilter{});
    QVERIFY2(all.ok(), describe(all).constData());
    QCOMPARE(all->total, 8);
    QCOMPARE(all->items.first().code, QStringLiteral("OEK")); // ordered by code

    RoomFilter byTag;
    byTag.tag = QStringLiteral("blue");
    auto blue = repo.list(kAlice.tenantId, byTag);
    QVERIFY2(blue.ok(), describe(blue).constData());
    QCOMPARE(blue->total, 3);
    byTag.tag = QStringLiteral("blu"); // whole tags only
    QCOMPARE(repo.list(kAlice.tenantId, byTag)->total, 0);

    RoomFilter byType;
    byType.typeCode = QStringLiteral("GAMING");
    QCOMPARE(repo.list(kAlice.tenantId, byType)->total, 3);

    RoomFilter byStatus;
    byStatus.status = RoomStatus::Maintenance;
    auto maintenance = repo.list(kAlice.tenantId, byStatus);
    QCOMPARE(maintenance->total, 1);
    QCOMPARE(maintenance->items.first().code, QStringLiteral("ROOM-6"));

    RoomFilter byQ;
    byQ.q = QStringLiteral("room 3");
    QCOMPARE(repo.list(kAlice.tenantId, byQ)->total, 1);
    byQ.q = QStringLiteral("Ökonomie");
    QCOMPARE(repo.list(kAlice.tenantId, byQ)->total, 1);
    byQ.q = QStringLiteral("%_"); // wildcards are literal
    QCOMPARE(repo.list(kAlice.tenantId, byQ)->total, 1);
    byQ.q = QStringLiteral("room-");
    QCOMPARE(repo.list(kAlice.tenantId, byQ)->total, 7);

    RoomFilter page;
    page.offset = 2;
    page.limit = 3;
    auto paged = repo.list(kAlice.tenantId, page);
    QVERIFY2(paged.ok(), describe(paged).constData());
    QCOMPARE(paged->total, 8);
    QCOMPARE(paged->items.size(), 3);
    QCOMPARE(paged->items.at(0).code, QStringLiteral("ROOM-1"));
    QCOMPARE(paged->items.at(2).code, QStringLiteral("ROOM-3"));

    RoomFilter bad;
    bad.limit = 0;
    QCOMPARE(repo.list(kAlice.tenantId, bad).error().kind, ErrorKind::Invalid);
}

void TestRoomRepository::updateWithVersionConflict()
{
    RoomRepository repo(freshDatabase());
    auto created = repo.create(kAlice, draft(QStringLiteral("UPD"), QStringLiteral("before")));
    QVERIFY(created.ok());
    RoomDraft change;
    change.name = QStringLiteral("after");
    change.capacity = 42;
    change.tags = QStringList{QStringLiteral("new")};
    auto updated = repo.update(kAlice, QStringLiteral("UPD"), change, 1);
    QVERIFY2(updated.ok(), describe(updated).constData());
    QCOMPARE(updated->version, 2);
    QCOMPARE(updated->name, QStringLiteral("after"));

    auto stale = repo.update(kAlice, QStringLiteral("UPD"), change, 1);
    QVERIFY(!stale.ok());
    QCOMPARE(stale.error().kind, ErrorKind::Conflict);
    QCOMPARE(stale.error().field, QStringLiteral("version"));

    auto noVersion = repo.update(kAlice, QStringLiteral("UPD"), change, std::nullopt);
    QCOMPARE(noVersion.error().kind, ErrorKind::Invalid);

    auto found = repo.find(kAlice.tenantId, created->id);
    QCOMPARE(found->version, 2);
    QCOMPARE(found->capacity, 42);
    QCOMPARE(found->tags, QStringList{QStringLiteral("new")});
    QVERIFY(found->updatedAt >= found->createdAt);

    // Another tenant cannot touch it.
    auto foreign = repo.update(kBob, created->id, change, 2);
    QCOMPARE(foreign.error().kind, ErrorKind::NotFound);
}

void TestRoomRepository::softDeleteFreesCode()
{
    RoomRepository repo(freshDatabase());
    auto first = repo.create(kAlice, draft(QStringLiteral("REUSE"), QStringLiteral("first")));
    QVERIFY(first.ok());
    auto stale = repo.softDelete(kAlice, QStringLiteral("REUSE"), 7);
    QCOMPARE(stale.error().kind, ErrorKind::Conflict);
    auto deleted = repo.softDelete(kAlice, QStringLiteral("REUSE"), 1);
    QVERIFY2(deleted.ok(), describe(deleted).constData());
    QCOMPARE(deleted->version, 2);
    QCOMPARE(repo.find(kAlice.tenantId, first->id).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.list(kAlice.tenantId, RoomFilter{})->total, 0);

    auto second = repo.create(kAlice, draft(QStringLiteral("REUSE"), QStringLiteral("second")));
    QVERIFY2(second.ok(), describe(second).constData());
    QVERIFY(second->id != first->id);
    QCOMPARE(repo.find(kAlice.tenantId, QStringLiteral("REUSE"))->name, QStringLiteral("second"));
}

void TestRoomRepository::attributesReplaced()
{
    RoomRepository repo(freshDatabase());
    RoomDraft d = draft(QStringLiteral("ATTR"), QStringLiteral("attrs"));
    d.attributes = QVariantMap{{QStringLiteral("a"), QStringLiteral("1")},
                               {QStringLiteral("b"), QStringLiteral("2")}};
    QVERIFY(repo.create(kAlice, d).ok());
    auto replaced = repo.replaceAttributes(
        kAlice, QStringLiteral("ATTR"), QVariantMap{{QStringLiteral("c"), QStringLiteral("ü")}}, 1);
    QVERIFY2(replaced.ok(), describe(replaced).constData());
    QCOMPARE(replaced->version, 2);
    auto attributes = repo.attributes(kAlice.tenantId, QStringLiteral("ATTR"));
    QVERIFY2(attributes.ok(), describe(attributes).constData());
    QCOMPARE(attributes.value(), (QVariantMap{{QStringLiteral("c"), QStringLiteral("ü")}}));
    auto invalid = repo.replaceAttributes(kAlice, QStringLiteral("ATTR"),
                                          QVariantMap{{QStringLiteral("n"), 5}});
    QCOMPARE(invalid.error().kind, ErrorKind::Invalid);
    QCOMPARE(repo.attributes(kBob.tenantId, QStringLiteral("ATTR")).error().kind,
             ErrorKind::NotFound);
}

void TestRoomRepository::auditRowsWritten()
{
    QFETCH(SqlDialect, dialect);
    const Database db = freshDatabase(dialect);
    RoomRepository repo(db);
    auto created = repo.create(kAlice, draft(QStringLiteral("AUD"), QStringLiteral("audited")));
    QVERIFY(created.ok());
    RoomDraft change;
    change.name = QStringLiteral("renamed");
    QVERIFY(repo.update(kAlice, QStringLiteral("AUD"), change, 1).ok());
    QVERIFY(repo.softDelete(kAlice, QStringLiteral("AUD")).ok());

    QSqlQuery query(db.handle());
    // On PostgreSQL the audit table is under row-level security too: read it as the tenant.
    QVERIFY(db.handle().transaction());
    if (dialect == SqlDialect::Postgresql)
        QVERIFY(query.exec(QStringLiteral("SELECT set_config('app.tenant_id', 'acme', true)")));
    QVERIFY2(query.exec(QStringLiteral("SELECT action, actor, tenant_id, entity_id, before_json, "
                                       "after_json FROM dat_spd_audit ORDER BY at, action")),
             qPrintable(query.lastError().text()));
    QStringList actions;
    while (query.next()) {
        actions << query.value(0).toString();
        QCOMPARE(query.value(1).toString(), QStringLiteral("alice"));
        QCOMPARE(query.value(2).toString(), QStringLiteral("acme"));
        QCOMPARE(query.value(3).toString(), created->id);
        const QJsonObject after =
            QJsonDocument::fromJson(query.value(5).toString().toUtf8()).object();
        QVERIFY(!after.isEmpty());
        if (query.value(0).toString() == QLatin1String("room.create"))
            QVERIFY(query.value(4).isNull());
        if (query.value(0).toString() == QLatin1String("room.update"))
            QCOMPARE(after.value(QStringLiteral("name")).toString(), QStringLiteral("renamed"));
    }
    QVERIFY(db.handle().rollback());
    QCOMPARE(actions.size(), 3);
    QVERIFY(actions.contains(QStringLiteral("room.create")));
    QVERIFY(actions.contains(QStringLiteral("room.update")));
    QVERIFY(actions.contains(QStringLiteral("room.delete")));
}

void TestRoomRepository::tenantsAreIsolated()
{
    RoomRepository repo(freshDatabase());
    auto mine = repo.create(kAlice, draft(QStringLiteral("MINE"), QStringLiteral("mine")));
    QVERIFY(mine.ok());
    QCOMPARE(repo.find(kBob.tenantId, mine->id).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.find(kBob.tenantId, QStringLiteral("MINE")).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.list(kBob.tenantId, RoomFilter{})->total, 0);
    QCOMPARE(repo.softDelete(kBob, mine->id).error().kind, ErrorKind::NotFound);
    QCOMPARE(repo.find(QString(), mine->id).error().kind, ErrorKind::NotFound);
    QVERIFY(repo.find(kAlice.tenantId, mine->id).ok());
}

void TestRoomRepository::allLiveRoomsSpansTenants()
{
    RoomRepository repo(freshDatabase());
    RoomDraft d = draft(QStringLiteral("A-1"), QStringLiteral("a"));
    d.attributes = QVariantMap{{QStringLiteral("k"), QStringLiteral("v")}};
    QVERIFY(repo.create(kAlice, d).ok());
    QVERIFY(repo.create(kBob, draft(QStringLiteral("B-1"), QStringLiteral("b"))).ok());
    QVERIFY(repo.create(kBob, draft(QStringLiteral("B-2"), QStringLiteral("gone"))).ok());
    QVERIFY(repo.softDelete(kBob, QStringLiteral("B-2")).ok());
    auto rooms = repo.allLiveRooms();
    QVERIFY2(rooms.ok(), describe(rooms).constData());
    QCOMPARE(rooms->size(), 2);
    QCOMPARE(rooms->at(0).tenantId, QStringLiteral("acme"));
    QCOMPARE(rooms->at(0).attributes.value(QStringLiteral("k")).toString(), QStringLiteral("v"));
    QCOMPARE(rooms->at(1).tenantId, QStringLiteral("globex"));
    // The bypass was transaction-local: a tenant read right after sees only its own rooms.
    QCOMPARE(repo.list(kBob.tenantId, RoomFilter{})->total, 1);
}

void TestRoomRepository::sessionHistoryCrossTenant()
{
    const Database db = freshDatabase();
    SessionHistoryRepository sessions(db);
    QList<SessionRecord> batch;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QString &tenant : {QStringLiteral("acme"), QStringLiteral("globex")}) {
        SessionRecord record;
        record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        record.tenantId = tenant;
        record.roomId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        record.roomCode = QStringLiteral("R");
        record.userId = QStringLiteral("u-") + tenant;
        record.connectedAtMs = now - 1000;
        record.lastHeartbeatAtMs = now;
        record.heartbeatCount = 3;
        record.latencyMs = 12;
        record.latencySamples = 2;
        record.latencySumMs = 30;
        batch.append(record);
    }
    auto written = sessions.upsert(batch);
    QVERIFY2(written.ok(), describe(written).constData());
    auto found = sessions.find(QStringLiteral("acme"), batch.at(0).id);
    QVERIFY2(found.ok(), describe(found).constData());
    QCOMPARE(found->id, batch.at(0).id);
    QCOMPARE(found->connectedAtMs, now - 1000);
    QCOMPARE(found->lastHeartbeatAtMs, now);
    QCOMPARE(found->averageLatencyMs(), 15.0);
    QCOMPARE(sessions.find(QStringLiteral("acme"), batch.at(1).id).error().kind,
             ErrorKind::NotFound);
    QCOMPARE(sessions.find(QStringLiteral("acme"), QStringLiteral("not-a-uuid")).error().kind,
             ErrorKind::NotFound);
    auto listed = sessions.listForRoom(QStringLiteral("globex"), batch.at(1).roomId, 10);
    QVERIFY2(listed.ok(), describe(listed).constData());
    QCOMPARE(listed->size(), 1);
    auto closed = sessions.closeOpenSessions(SessionEndReason::Disconnected);
    QVERIFY2(closed.ok(), describe(closed).constData());
    QCOMPARE(closed.value(), 2);
    QCOMPARE(sessions.find(QStringLiteral("globex"), batch.at(1).id)->endedAtMs, now);
}

// Who was in a room at an instant, and a user's sessions newest first, from history alone.
void TestRoomRepository::pastRosterAndUserSessions()
{
    const Database db = freshDatabase();
    SessionHistoryRepository sessions(db);
    const QString room = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const qint64 t0 = 1'795'000'000'000; // whole seconds apart, exact in every dialect
    const auto session = [&](const QString &user, qint64 start, qint64 end) {
        SessionRecord r;
        r.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        r.tenantId = QStringLiteral("acme");
        r.roomId = room;
        r.roomCode = QStringLiteral("PAST");
        r.userId = user;
        r.connectedAtMs = start;
        r.lastHeartbeatAtMs = end > 0 ? end : start;
        if (end > 0) {
            r.endedAtMs = end;
            r.endReason = SessionEndReason::Left;
        }
        return r;
    };
    const SessionRecord early = session(QStringLiteral("dave"), t0, t0 + 60'000);
    const SessionRecord late = session(QStringLiteral("dave"), t0 + 30'000, t0 + 120'000);
    const SessionRecord open = session(QStringLiteral("erin"), t0 + 90'000, 0);
    SessionRecord other = session(QStringLiteral("dave"), t0, 0);
    other.tenantId = QStringLiteral("globex");
    QVERIFY(sessions.upsert({early, late, open, other}).ok());

    const auto idsAt = [&](qint64 at) {
        QStringList ids;
        const auto present = sessions.presentAt(QStringLiteral("acme"), room, at);
        for (const SessionRecord &r : present.value())
            ids.append(r.id);
        return ids;
    };
    QCOMPARE(idsAt(t0 - 1), QStringList{});
    QCOMPARE(idsAt(t0), QStringList{early.id}); // a start counts at its instant
    QCOMPARE(idsAt(t0 + 45'000), (QStringList{early.id, late.id}));
    QCOMPARE(idsAt(t0 + 60'000), QStringList{late.id}); // an end does not
    QCOMPARE(idsAt(t0 + 100'000), (QStringList{late.id, open.id}));
    QCOMPARE(idsAt(t0 + 999'000), QStringList{open.id}); // still open
    const auto past = sessions.presentAt(QStringLiteral("acme"), room, t0 + 45'000).value();
    QVERIFY(past.at(0).endReason == SessionEndReason::Left);
    QCOMPARE(past.at(0).endedAtMs, t0 + 60'000);
    QCOMPARE(sessions.presentAt(QStringLiteral("globex"), room, t0 + 45'000)->size(), 1);
    // Millisecond precision: a session of 5 ms is found in its middle and not after it.
    const SessionRecord brief = session(QStringLiteral("erin"), t0 + 200'001, t0 + 200'006);
    QVERIFY(sessions.upsert({brief}).ok());
    QCOMPARE(idsAt(t0 + 200'003), (QStringList{open.id, brief.id}));
    QCOMPARE(idsAt(t0 + 200'006), QStringList{open.id});

    auto first = sessions.listForUser(QStringLiteral("acme"), QStringLiteral("dave"), 0, 1);
    QVERIFY2(first.ok(), describe(first).constData());
    QCOMPARE(first->total, 2); // not globex's dave
    QCOMPARE(first->records.size(), 1);
    QCOMPARE(first->records.at(0).id, late.id); // newest first
    auto second = sessions.listForUser(QStringLiteral("acme"), QStringLiteral("dave"), 1, 10);
    QCOMPARE(second->records.size(), 1);
    QCOMPARE(second->records.at(0).id, early.id);
    QCOMPARE(sessions.listForUser(QStringLiteral("acme"), QStringLiteral("nobody"), 0, 10)->total,
             0);
}

// The proof that PostgreSQL itself, not only the repository WHERE clauses, confines the
// application role to one tenant.
void TestRoomRepository::postgresRowLevelSecurity()
{
    const Database db = freshDatabase(SqlDialect::Postgresql);
    RoomRepository repo(db);
    QVERIFY(repo.create(kAlice, draft(QStringLiteral("A-1"), QStringLiteral("a1"))).ok());
    QVERIFY(repo.create(kAlice, draft(QStringLiteral("A-2"), QStringLiteral("a2"))).ok());
    QVERIFY(repo.create(kBob, draft(QStringLiteral("B-1"), QStringLiteral("b1"))).ok());

    // The connection is spidi_app: neither superuser nor BYPASSRLS, and the table owner.
    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                                      "WHERE rolname = current_user")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), PostgresProcess::appUser());
    QCOMPARE(query.value(1).toBool(), false);
    QCOMPARE(query.value(2).toBool(), false);
    QVERIFY(query.exec(
        QStringLiteral("SELECT tableowner FROM pg_tables WHERE tablename = 'dat_spd_room'")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), PostgresProcess::appUser());

    // No tenant set: no tenant rows at all.
    QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM dat_spd_room")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), 0);

    // Tenant acme: a plain count without any WHERE sees acme's rooms only.
    QVERIFY(db.handle().transaction());
    QVERIFY(query.exec(QStringLiteral("SELECT set_config('app.tenant_id', 'acme', true)")));
    QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM dat_spd_room")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), 2);
    QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM dat_spd_audit")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), 2);
    // Updating another tenant's room silently touches nothing.
    QVERIFY(
        query.exec(QStringLiteral("UPDATE dat_spd_room SET name = 'hacked' WHERE code = 'B-1'")));
    QCOMPARE(query.numRowsAffected(), 0);
    // Inserting a row of another tenant is refused by WITH CHECK.
    const bool inserted = query.exec(
        QStringLiteral("INSERT INTO dat_spd_room (id, tenant_id, code, name, type_code, capacity, "
                       "ttl_sec, created_at, updated_at) VALUES (gen_random_uuid(), 'globex', "
                       "'EVIL', 'evil', 'CHAT', 1, 1, now(), now())"));
    QVERIFY(!inserted);
    QCOMPARE(query.lastError().nativeErrorCode(), QStringLiteral("42501"));
    QVERIFY2(query.lastError().databaseText().contains(QLatin1String("row-level security")),
             qPrintable(query.lastError().databaseText()));
    QVERIFY(db.handle().rollback());

    // set_config(..., true) was transaction-local: nothing leaks into the next transaction.
    QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM dat_spd_room")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), 0);

    // The superuser view confirms nothing was changed or added behind the policies.
    QCOMPARE(m_databases.postgres()
                 .adminScalar(m_databases.lastPostgresDatabase(),
                              QStringLiteral("SELECT count(*) FROM dat_spd_room WHERE name = "
                                             "'hacked' OR code = 'EVIL'"))
                 .toLongLong(),
             0);
    QCOMPARE(m_databases.postgres()
                 .adminScalar(m_databases.lastPostgresDatabase(),
                              QStringLiteral("SELECT count(*) FROM dat_spd_room"))
                 .toLongLong(),
             3);
    // Every tenant-owned table has RLS enabled and forced.
    QCOMPARE(m_databases.postgres()
                 .adminScalar(m_databases.lastPostgresDatabase(),
                              QStringLiteral("SELECT count(*) FROM pg_class WHERE relname LIKE "
                                             "'dat_spd_%' AND relkind = 'r' AND "
                                             "relrowsecurity AND relforcerowsecurity"))
                 .toLongLong(),
             8); // room, attr, session, stats, stats_part, alert rule, alert event, audit
}

void TestRoomRepository::postgresUniqueViolationCode()
{
    const Database db = freshDatabase(SqlDialect::Postgresql);
    RoomRepository repo(db);
    QVERIFY(repo.create(kAlice, draft(QStringLiteral("UQ"), QStringLiteral("u"))).ok());
    // Bypass the repository's pre-check: the partial unique index itself answers 23505.
    QVERIFY(db.handle().transaction());
    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral("SELECT set_config('app.tenant_id', 'acme', true)")));
    QVERIFY(!query.exec(
        QStringLiteral("INSERT INTO dat_spd_room (id, tenant_id, code, name, type_code, capacity, "
                       "ttl_sec, created_at, updated_at) VALUES (gen_random_uuid(), 'acme', 'UQ', "
                       "'dup', 'CHAT', 1, 1, now(), now())")));
    QCOMPARE(query.lastError().nativeErrorCode(), QStringLiteral("23505"));
    QVERIFY(db.handle().rollback());
}

void TestRoomRepository::postgresInstancesStartingTogetherMigrateOnce()
{
    const QString name = QStringLiteral("spidi_race");
    QVERIFY2(m_databases.postgres().createDatabase(name),
             qPrintable(m_databases.postgres().errorText()));
    const QString url = m_databases.postgres().appUrl(name);
    constexpr int kInstances = 4;
    std::array<QString, kInstances> failures;
    std::array<int, kInstances> applied{};
    std::vector<std::thread> starting;
    for (int i = 0; i < kInstances; ++i) {
        starting.emplace_back([&, i] {
            auto opened = Database::open(DatabaseConfig{url, {}}, QStringLiteral("race-%1").arg(i));
            if (!opened) {
                failures[size_t(i)] = opened.error().message;
                return;
            }
            Database db = opened.value();
            auto result = applyMigrations(db);
            if (result)
                applied[size_t(i)] = result.value();
            else
                failures[size_t(i)] = result.error().message;
            db.close();
        });
    }
    for (std::thread &t : starting)
        t.join();
    for (const QString &failure : failures)
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const int recorded =
        m_databases.postgres()
            .adminScalar(name, QStringLiteral("SELECT count(*) FROM spidi_schema_version"))
            .toInt();
    QVERIFY(recorded >= 1);
    // Exactly one instance did the work; the others waited and found it done.
    QCOMPARE(std::accumulate(applied.cbegin(), applied.cend(), 0), recorded);
    QCOMPARE(int(std::count(applied.cbegin(), applied.cend(), 0)), kInstances - 1);
}

QTEST_GUILESS_MAIN(TestRoomRepository)
#include "tst_room_repository.moc"
