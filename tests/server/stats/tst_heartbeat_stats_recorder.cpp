// HeartbeatStatsRecorder driven by a real PresenceEngine on a virtual clock, writing its parts
// to SQLite and to a throw-away PostgreSQL server; the database going away keeps the counts
// in memory and the next flush writes them once.
#include "db/database.h"
#include "db/migration_runner.h"
#include "postgres_process.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "stats/heartbeat_stats_recorder.h"
#include "stats/room_stats_repository.h"
#include "store/memory_hot_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace spidi;
using spidi::stats::LatencyHistogram;
using spidi::test::PostgresProcess;

Q_DECLARE_METATYPE(spidi::SqlDialect)

namespace {

constexpr qint64 kMin = 60'000;
constexpr qint64 T = 1'795'435'200'000; // 2026-11-23T12:00:00Z
const QString kTenant = QStringLiteral("acme");
const QString R1 = QStringLiteral("11111111-1111-4111-8111-111111111111");
const QString R2 = QStringLiteral("22222222-2222-4222-8222-222222222222");

template <typename T_>
QByteArray describe(const Result<T_> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

Room room(const QString &id, const QString &code)
{
    Room r;
    r.id = id;
    r.tenantId = kTenant;
    r.code = code;
    r.name = code;
    r.typeCode = QStringLiteral("GENERIC");
    r.capacity = 100;
    r.ttlSec = 86400;
    return r;
}

Principal user(const QString &id)
{
    return Principal{id, kTenant, {perm::User}, 0};
}

} // namespace

class TestHeartbeatStatsRecorder : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void countsPerRoomAndMinute_data() { dialects(); }
    void countsPerRoomAndMinute();
    void remoteHeartbeatsAreNotCounted_data() { dialects(); }
    void remoteHeartbeatsAreNotCounted();
    void databaseDownKeepsCounts_data() { dialects(); }
    void databaseDownKeepsCounts();

private:
    void dialects();
    void openDatabase();
    void reopenDatabase();
    QString join(const QString &userId, const QString &roomCode, ConnectionId connection);
    void beat(const QString &userId, const QString &sessionId, std::optional<int> latencyMs);
    QList<StatsPart> parts();
    const StatsPart *find(const QList<StatsPart> &all, const QString &room, qint64 minute);

    std::unique_ptr<PostgresProcess> m_pg;
    QTemporaryDir m_sqliteDir;
    QString m_url;
    QString m_connection;
    QString m_pgName;
    std::optional<Database> m_db;
    int m_serial = 0;
    ManualClock m_clock;
    std::unique_ptr<MemoryHotStore> m_store;
    std::unique_ptr<PresenceEngine> m_engine;
    std::unique_ptr<HeartbeatStatsRecorder> m_recorder;
};

void TestHeartbeatStatsRecorder::initTestCase()
{
    QVERIFY(m_sqliteDir.isValid());
    m_pg = std::make_unique<PostgresProcess>();
    QVERIFY2(m_pg->start(), qPrintable(m_pg->errorText()));
}

void TestHeartbeatStatsRecorder::cleanupTestCase()
{
    m_pg.reset();
}

void TestHeartbeatStatsRecorder::dialects()
{
    QTest::addColumn<SqlDialect>("dialect");
    QTest::newRow("sqlite") << SqlDialect::Sqlite;
    QTest::newRow("postgresql") << SqlDialect::Postgresql;
}

void TestHeartbeatStatsRecorder::init()
{
    m_clock.set(T + 50'000); // 12:00:50
    m_store = std::make_unique<MemoryHotStore>();
    m_engine = std::make_unique<PresenceEngine>(m_clock, *m_store, PresenceSettings{15, 45});
    m_engine->setInstanceId(QStringLiteral("instance-a"));
    m_engine->loadRooms({room(R1, QStringLiteral("ONE")), room(R2, QStringLiteral("TWO"))});
    openDatabase();
    m_recorder = std::make_unique<HeartbeatStatsRecorder>(*m_engine, *m_db, m_clock,
                                                          QStringLiteral("instance-a"));
}

void TestHeartbeatStatsRecorder::cleanup()
{
    m_recorder.reset();
    m_engine.reset();
    m_store.reset();
    if (m_db)
        m_db->close();
    m_db.reset();
}

void TestHeartbeatStatsRecorder::openDatabase()
{
    QFETCH(SqlDialect, dialect);
    const int serial = ++m_serial;
    if (dialect == SqlDialect::Postgresql) {
        m_pgName = QStringLiteral("spidi_r%1").arg(serial);
        QVERIFY2(m_pg->createDatabase(m_pgName), qPrintable(m_pg->errorText()));
        m_url = m_pg->appUrl(m_pgName);
    } else {
        m_url = QStringLiteral("sqlite://") +
                m_sqliteDir.filePath(QStringLiteral("r%1.db").arg(serial));
    }
    m_connection = QStringLiteral("tst-recorder-%1").arg(serial);
    auto db = Database::open(DatabaseConfig{m_url, {}}, m_connection);
    QVERIFY2(db.ok(), describe(db).constData());
    m_db = db.value();
    auto applied = applyMigrations(*m_db);
    QVERIFY2(applied.ok(), describe(applied).constData());
}

void TestHeartbeatStatsRecorder::reopenDatabase()
{
    auto db = Database::open(DatabaseConfig{m_url, {}}, m_connection);
    QVERIFY2(db.ok(), describe(db).constData());
    m_db = db.value();
}

QString TestHeartbeatStatsRecorder::join(const QString &userId, const QString &roomCode,
                                         ConnectionId connection)
{
    protocol::Hello hello;
    hello.roomCode = roomCode;
    hello.clientId = userId + QStringLiteral("-phone");
    const auto ack = m_engine->hello(user(userId), hello, QStringLiteral("10.0.0.1"), connection);
    if (!std::holds_alternative<protocol::HelloAck>(ack))
        qFatal("hello refused: %s", qPrintable(std::get<PresenceFailure>(ack).message));
    return std::get<protocol::HelloAck>(ack).sessionId;
}

void TestHeartbeatStatsRecorder::beat(const QString &userId, const QString &sessionId,
                                      std::optional<int> latencyMs)
{
    const auto done =
        m_engine->heartbeat(user(userId), protocol::Heartbeat{sessionId, latencyMs}, 1);
    QVERIFY(std::holds_alternative<qint64>(done));
}

QList<StatsPart> TestHeartbeatStatsRecorder::parts()
{
    auto all = RoomStatsRepository(*m_db).partsBetween(T - 10 * kMin, T + 10 * kMin);
    if (!all)
        qWarning("partsBetween: %s", describe(all).constData());
    return all ? all.value() : QList<StatsPart>{};
}

const StatsPart *TestHeartbeatStatsRecorder::find(const QList<StatsPart> &all, const QString &r,
                                                  qint64 minute)
{
    for (const StatsPart &p : all)
        if (p.roomId == r && p.minuteMs == minute)
            return &p;
    return nullptr;
}

void TestHeartbeatStatsRecorder::countsPerRoomAndMinute()
{
    const QString a = join(QStringLiteral("u1"), QStringLiteral("ONE"), 1);
    const QString b = join(QStringLiteral("u2"), QStringLiteral("TWO"), 1);
    // 12:00:50: a beats with 40 ms, then without a latency report; b with 200 ms.
    beat(QStringLiteral("u1"), a, 40);
    beat(QStringLiteral("u1"), a, std::nullopt);
    beat(QStringLiteral("u2"), b, 200);
    // 12:01:05: a with 60 ms, a without; b without.
    m_clock.set(T + kMin + 5'000);
    beat(QStringLiteral("u1"), a, 60);
    beat(QStringLiteral("u1"), a, std::nullopt);
    beat(QStringLiteral("u2"), b, std::nullopt);
    QVERIFY(m_recorder->flush());

    const QList<StatsPart> all = parts();
    QCOMPARE(all.size(), 4);
    // R1 12:00: 2 heartbeats, 1 sample (40). R1 12:01: 2 heartbeats, 1 sample (60).
    // R2 12:00: 1 heartbeat, 1 sample (200). R2 12:01: 1 heartbeat, no sample.
    const struct
    {
        QString room;
        qint64 minute;
        qint64 heartbeats;
        qint64 samples;
        double sum;
    } expected[] = {
        {R1, T, 2, 1, 40}, {R1, T + kMin, 2, 1, 60}, {R2, T, 1, 1, 200}, {R2, T + kMin, 1, 0, 0}};
    for (const auto &e : expected) {
        const StatsPart *p = find(all, e.room, e.minute);
        QVERIFY2(p, qPrintable(e.room + QString::number(e.minute)));
        QCOMPARE(p->tenantId, kTenant);
        QCOMPARE(p->instanceId, QStringLiteral("instance-a"));
        QCOMPARE(p->heartbeats, e.heartbeats);
        QCOMPARE(p->latencySamples, e.samples);
        QCOMPARE(p->latencySumMs, e.sum);
        QCOMPARE(p->latencyHist.count(), e.samples);
        if (e.samples > 0)
            QCOMPARE(p->latencyHist.bins().count(LatencyHistogram::binOf(e.sum)), size_t(1));
    }

    // A second flush with nothing new rewrites nothing; more beats rewrite absolute totals.
    QVERIFY(m_recorder->flush());
    QCOMPARE(m_recorder->dirtyMinutes(), 0);
    beat(QStringLiteral("u1"), a, 80);
    QVERIFY(m_recorder->flush());
    const QList<StatsPart> after = parts(); // find() points into it
    const StatsPart *r1 = find(after, R1, T + kMin);
    QVERIFY(r1);
    QCOMPARE(r1->heartbeats, qint64(3));
    QCOMPARE(r1->latencySamples, qint64(2));
    QCOMPARE(r1->latencySumMs, 140.0);

    // Two minutes after 12:00 closed, its written cells are dropped from memory.
    QCOMPARE(m_recorder->heldMinutes(), 4);
    m_clock.set(T + 2 * kMin + 1);
    QVERIFY(m_recorder->flush());
    QCOMPARE(m_recorder->heldMinutes(), 2);
}

void TestHeartbeatStatsRecorder::remoteHeartbeatsAreNotCounted()
{
    // Another instance's session, beating over there: the owner counts it, not us.
    SessionRecord remote;
    remote.id = QStringLiteral("0f0f0f0f-0000-4000-8000-000000000001");
    remote.tenantId = kTenant;
    remote.roomId = R1;
    remote.roomCode = QStringLiteral("ONE");
    remote.userId = QStringLiteral("u7");
    remote.instanceId = QStringLiteral("instance-b");
    remote.connectedAtMs = m_clock.nowMs();
    m_engine->applyRemoteSession(remote, false);
    m_engine->applyRemoteHeartbeat(remote.id, m_clock.nowMs(), 30, 1, 1, 30.0);
    m_engine->applyRemoteHeartbeat(remote.id, m_clock.nowMs(), 30, 2, 2, 60.0);
    QVERIFY(m_recorder->flush());
    QCOMPARE(m_recorder->heldMinutes(), 0);
    QVERIFY(parts().isEmpty());
}

void TestHeartbeatStatsRecorder::databaseDownKeepsCounts()
{
    QFETCH(SqlDialect, dialect);
    const QString a = join(QStringLiteral("u1"), QStringLiteral("ONE"), 1);
    beat(QStringLiteral("u1"), a, 10);
    QVERIFY(m_recorder->flush());

    // The database goes away: PostgreSQL stopped, the SQLite connection closed and removed.
    if (dialect == SqlDialect::Postgresql)
        m_pg->stopKeepingData();
    else
        m_db->close();
    beat(QStringLiteral("u1"), a, 20);
    beat(QStringLiteral("u1"), a, std::nullopt);
    QVERIFY(!m_recorder->flush());
    QVERIFY(!m_recorder->flush()); // still down: still queued
    QCOMPARE(m_recorder->dirtyMinutes(), 1);

    if (dialect == SqlDialect::Postgresql)
        QVERIFY2(m_pg->restart(), qPrintable(m_pg->errorText()));
    else
        reopenDatabase();
    QVERIFY(m_recorder->flush());
    QCOMPARE(m_recorder->dirtyMinutes(), 0);
    // 3 heartbeats, 2 samples (10 + 20): the first write is rewritten, not added to.
    const QList<StatsPart> all = parts();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.at(0).heartbeats, qint64(3));
    QCOMPARE(all.at(0).latencySamples, qint64(2));
    QCOMPARE(all.at(0).latencySumMs, 30.0);
    // A retry of the same totals changes nothing.
    QVERIFY(m_recorder->flush());
    QCOMPARE(parts().at(0).heartbeats, qint64(3));
}

QTEST_GUILESS_MAIN(TestHeartbeatStatsRecorder)
#include "tst_heartbeat_stats_recorder.moc"
