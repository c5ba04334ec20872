// dat_spd_session: the repository's upsert rules and the write-behind writer (SPEC section 6),
// against real SQLite files. Nothing here sleeps: the writer is observed through its signal and
// counters with QTRY_*.
#include "db/database.h"
#include "db/migration_runner.h"
#include "db/session_history_repository.h"
#include "db/session_history_writer.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace spidi;

namespace {

constexpr qint64 T0 = 1'714'567'890'000; // 2024-05-01T12:51:30Z

template <typename T>
QByteArray describe(const Result<T> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

SessionRecord record(const QString &id, const QString &roomId = QStringLiteral("room-1"),
                     const QString &tenant = QStringLiteral("t1"))
{
    SessionRecord r;
    r.id = id;
    r.tenantId = tenant;
    r.roomId = roomId;
    r.roomCode = QStringLiteral("LOBBY");
    r.userId = QStringLiteral("user-") + id;
    r.clientId = QStringLiteral("client-") + id;
    r.device = QStringLiteral("phone");
    r.os = QStringLiteral("Android 14");
    r.appVersion = QStringLiteral("1.0.0");
    r.ip = QStringLiteral("192.0.2.1");
    r.connectedAtMs = T0;
    r.lastHeartbeatAtMs = T0;
    return r;
}

SessionRecord beaten(SessionRecord r, qint64 count, int latencyMs)
{
    r.heartbeatCount = count;
    r.lastHeartbeatAtMs = T0 + count * 15000;
    r.latencyMs = latencyMs;
    r.latencySamples = count;
    r.latencySumMs = double(latencyMs) * double(count);
    return r;
}

SessionRecord ended(SessionRecord r, qint64 atMs, SessionEndReason reason)
{
    r.endedAtMs = atMs;
    r.endReason = reason;
    return r;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestSessionHistory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void insertAndFind();
    void findIsTenantScoped();
    void nullStringsBecomeEmpty();
    void missingStartTimeDoesNotJamTheQueue();
    void endIsNeverCleared();
    void heartbeatCountNeverGoesBackwards();
    void averageLatencyStored();
    void upsertIsAllOrNothing();
    void listForRoom();

    void writerFlushesOnItsInterval();
    void writerCoalescesOneSession();
    void flushNowWritesEverything();
    void flushNowWithoutStart();
    void failingDatabaseKeepsRowsQueued();
    void destructorFlushes();
    void destructorOfUnstartedWriterFlushes();

private:
    Database open(const QString &connection);
    Database migratedDb();
    DatabaseConfig config() const;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("history.db")); }
    int rowCount();

    std::unique_ptr<QTemporaryDir> m_dir;
    QList<Database> m_open;
    int m_connections = 0;
};

void TestSessionHistory::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSessionHistory::cleanup()
{
    for (Database &db : m_open)
        db.close();
    m_open.clear();
    m_dir.reset();
}

DatabaseConfig TestSessionHistory::config() const
{
    return DatabaseConfig{QStringLiteral("sqlite://") + dbPath(), {}};
}

Database TestSessionHistory::open(const QString &connection)
{
    auto db = Database::open(config(), connection);
    if (!db) {
        qWarning("open failed: %s", qPrintable(db.error().message));
        return Database();
    }
    m_open.append(db.value());
    return db.value();
}

Database TestSessionHistory::migratedDb()
{
    Database db = open(QStringLiteral("tst-history-%1").arg(++m_connections));
    const auto applied = applyMigrations(db);
    if (!applied)
        qWarning("migrations failed: %s", qPrintable(applied.error().message));
    return db;
}

int TestSessionHistory::rowCount()
{
    if (m_open.isEmpty())
        migratedDb();
    QSqlQuery query(m_open.first().handle());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM dat_spd_session")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

void TestSessionHistory::insertAndFind()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    SessionRecord r = beaten(record(QStringLiteral("s1")), 3, 40);
    QVERIFY(repo.upsert({r}).ok());

    const auto found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY2(found.ok(), describe(found).constData());
    QCOMPARE(found->id, QStringLiteral("s1"));
    QCOMPARE(found->tenantId, QStringLiteral("t1"));
    QCOMPARE(found->roomId, QStringLiteral("room-1"));
    QCOMPARE(found->roomCode, QStringLiteral("LOBBY"));
    QCOMPARE(found->userId, QStringLiteral("user-s1"));
    QCOMPARE(found->clientId, QStringLiteral("client-s1"));
    QCOMPARE(found->device, QStringLiteral("phone"));
    QCOMPARE(found->os, QStringLiteral("Android 14"));
    QCOMPARE(found->appVersion, QStringLiteral("1.0.0"));
    QCOMPARE(found->ip, QStringLiteral("192.0.2.1"));
    QCOMPARE(found->connectedAtMs, T0);
    QCOMPARE(found->lastHeartbeatAtMs, T0 + 45000);
    QCOMPARE(found->heartbeatCount, qint64(3));
    QCOMPARE(found->latencyMs, 40);
    QCOMPARE(found->latencySamples, qint64(3));
    QCOMPARE(found->averageLatencyMs(), 40.0);
    QCOMPARE(found->endedAtMs, qint64(0));
    QVERIFY(!found->endReason.has_value());

    // Stored as fixed-width ISO-8601 UTC text (docs/schema.md).
    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral("SELECT started_at, ended_at FROM dat_spd_session")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("2024-05-01T12:51:30.000Z"));
    QVERIFY(query.value(1).isNull());

    const auto missing = repo.find(QStringLiteral("t1"), QStringLiteral("nope"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);
}

void TestSessionHistory::findIsTenantScoped()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    QVERIFY(repo.upsert({record(QStringLiteral("s1"), QStringLiteral("room-1"),
                                QStringLiteral("tenant-a"))})
                .ok());
    QVERIFY(repo.find(QStringLiteral("tenant-a"), QStringLiteral("s1")).ok());
    const auto other = repo.find(QStringLiteral("tenant-b"), QStringLiteral("s1"));
    QVERIFY(!other.ok());
    QCOMPARE(other.error().kind, ErrorKind::NotFound);
    const auto list = repo.listForRoom(QStringLiteral("tenant-b"), QStringLiteral("room-1"));
    QVERIFY(list.ok());
    QVERIFY(list->isEmpty());
}

void TestSessionHistory::nullStringsBecomeEmpty()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    SessionRecord r;
    r.id = QStringLiteral("bare");
    r.tenantId = QStringLiteral("t1");
    r.roomId = QStringLiteral("room-1");
    r.userId = QStringLiteral("u");
    r.connectedAtMs = T0;
    const Status status = repo.upsert({r});
    QVERIFY2(status.ok(), describe(status).constData());
    const auto found = repo.find(QStringLiteral("t1"), QStringLiteral("bare"));
    QVERIFY(found.ok());
    QCOMPARE(found->device, QString());
    QCOMPARE(found->lastHeartbeatAtMs, qint64(0));
    QCOMPARE(found->latencyMs, -1);
    QCOMPARE(found->averageLatencyMs(), -1.0);
}

void TestSessionHistory::missingStartTimeDoesNotJamTheQueue()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    SessionRecord r = record(QStringLiteral("s1"));
    r.connectedAtMs = 0;
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(repo.upsert({r}).ok());
    const auto found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QVERIFY(found->connectedAtMs >= before - 1000);
}

void TestSessionHistory::endIsNeverCleared()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    const SessionRecord live = beaten(record(QStringLiteral("s1")), 2, 30);
    const SessionRecord left = ended(live, T0 + 40000, SessionEndReason::Left);
    QVERIFY(repo.upsert({left}).ok());

    // A late "still live" record (written behind out of order) must not resurrect the session.
    QVERIFY(repo.upsert({live}).ok());
    auto found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QCOMPARE(found->endedAtMs, T0 + 40000);
    QCOMPARE(found->endReason, std::optional<SessionEndReason>(SessionEndReason::Left));

    // Nor may a second, different end replace the first one.
    QVERIFY(repo.upsert({ended(live, T0 + 90000, SessionEndReason::Expired)}).ok());
    found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QCOMPARE(found->endedAtMs, T0 + 40000);
    QCOMPARE(found->endReason, std::optional<SessionEndReason>(SessionEndReason::Left));

    // Ending an open session works.
    QVERIFY(repo.upsert({record(QStringLiteral("s2"))}).ok());
    QVERIFY(repo.upsert({ended(record(QStringLiteral("s2")), T0 + 5000, SessionEndReason::Kicked)})
                .ok());
    found = repo.find(QStringLiteral("t1"), QStringLiteral("s2"));
    QVERIFY(found.ok());
    QCOMPARE(found->endedAtMs, T0 + 5000);
    QCOMPARE(found->endReason, std::optional<SessionEndReason>(SessionEndReason::Kicked));
}

void TestSessionHistory::heartbeatCountNeverGoesBackwards()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    const SessionRecord newer = beaten(record(QStringLiteral("s1")), 10, 80);
    QVERIFY(repo.upsert({newer}).ok());

    SessionRecord older = beaten(record(QStringLiteral("s1")), 4, 20);
    older.device = QStringLiteral("tablet"); // descriptive fields follow the latest record
    QVERIFY(repo.upsert({older}).ok());
    auto found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QCOMPARE(found->heartbeatCount, qint64(10));
    QCOMPARE(found->lastHeartbeatAtMs, T0 + 150000);
    QCOMPARE(found->latencyMs, 80);
    QCOMPARE(found->latencySamples, qint64(10));
    QCOMPARE(found->averageLatencyMs(), 80.0);
    QCOMPARE(found->device, QStringLiteral("tablet"));

    // Moving forward is accepted.
    QVERIFY(repo.upsert({beaten(record(QStringLiteral("s1")), 11, 90)}).ok());
    found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QCOMPARE(found->heartbeatCount, qint64(11));
    QCOMPARE(found->latencyMs, 90);
    QCOMPARE(found->lastHeartbeatAtMs, T0 + 165000);
}

void TestSessionHistory::averageLatencyStored()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    SessionRecord r = record(QStringLiteral("s1"));
    r.heartbeatCount = 4;
    r.latencyMs = 70;
    r.latencySamples = 4;
    r.latencySumMs = 10.0 + 20.0 + 40.0 + 70.0;
    QVERIFY(repo.upsert({r}).ok());

    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral(
        "SELECT avg_latency_ms, latency_samples, last_latency_ms FROM dat_spd_session")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toDouble(), 35.0);
    QCOMPARE(query.value(1).toInt(), 4);
    QCOMPARE(query.value(2).toInt(), 70);

    const auto found = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(found.ok());
    QCOMPARE(found->averageLatencyMs(), 35.0);
    QCOMPARE(found->latencySumMs, 140.0);

    // No samples: NULL, not 0.
    QVERIFY(repo.upsert({record(QStringLiteral("s2"))}).ok());
    QVERIFY(query.exec(QStringLiteral(
        "SELECT avg_latency_ms, last_latency_ms FROM dat_spd_session WHERE id = 's2'")));
    QVERIFY(query.next());
    QVERIFY(query.value(0).isNull());
    QVERIFY(query.value(1).isNull());
}

void TestSessionHistory::upsertIsAllOrNothing()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    // A trigger refuses one row of the batch; the other must not be written either.
    QSqlQuery sabotage(db.handle());
    QVERIFY(sabotage.exec(QStringLiteral(
        "CREATE TRIGGER refuse_bad BEFORE INSERT ON dat_spd_session WHEN NEW.id = 'bad' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END")));

    const Status status =
        repo.upsert({record(QStringLiteral("good")), record(QStringLiteral("bad"))});
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QLatin1String("refused")),
             qPrintable(status.error().message));
    QCOMPARE(rowCount(), 0);
    QVERIFY(repo.upsert({}).ok());
}

void TestSessionHistory::listForRoom()
{
    Database db = migratedDb();
    SessionHistoryRepository repo(db);
    QList<SessionRecord> records;
    for (int i = 0; i < 5; ++i) {
        SessionRecord r = record(QStringLiteral("s%1").arg(i));
        r.connectedAtMs = T0 + i * 1000;
        records.append(r);
    }
    records.append(record(QStringLiteral("elsewhere"), QStringLiteral("room-2")));
    records.append(
        record(QStringLiteral("other-tenant"), QStringLiteral("room-1"), QStringLiteral("t2")));
    QVERIFY(repo.upsert(records).ok());

    const auto all = repo.listForRoom(QStringLiteral("t1"), QStringLiteral("room-1"));
    QVERIFY2(all.ok(), describe(all).constData());
    QStringList ids;
    for (const SessionRecord &r : *all)
        ids << r.id;
    // Most recent first.
    QCOMPARE(ids, (QStringList{"s4", "s3", "s2", "s1", "s0"}));

    const auto limited = repo.listForRoom(QStringLiteral("t1"), QStringLiteral("room-1"), 2);
    QVERIFY(limited.ok());
    QCOMPARE(limited->size(), 2);
    QCOMPARE(limited->at(0).id, QStringLiteral("s4"));
    QCOMPARE(limited->at(1).id, QStringLiteral("s3"));

    const auto none = repo.listForRoom(QStringLiteral("t1"), QStringLiteral("room-9"));
    QVERIFY(none.ok());
    QVERIFY(none->isEmpty());
}

void TestSessionHistory::writerFlushesOnItsInterval()
{
    migratedDb();
    SessionHistoryWriter writer(config(), 50);
    QSignalSpy flushed(&writer, &SessionHistoryWriter::flushed);
    writer.start();
    writer.enqueue(record(QStringLiteral("a")));
    writer.enqueue(record(QStringLiteral("b")));
    QCOMPARE(writer.queueDepth(), 2);

    // Both rows in one batch, on the timer, without anyone asking.
    QTRY_COMPARE_WITH_TIMEOUT(writer.rowsWritten(), qint64(2), 5000);
    QTRY_VERIFY(!flushed.isEmpty());
    QCOMPARE(flushed.first().at(0).toInt(), 2);
    QCOMPARE(flushed.first().at(1).toBool(), true);
    QCOMPARE(flushed.first().at(2).toString(), QString());
    QCOMPARE(writer.queueDepth(), 0);
    QCOMPARE(writer.failedFlushes(), qint64(0));
    QCOMPARE(rowCount(), 2);

    // The timer keeps running: a later record goes out in a later batch.
    writer.enqueue(ended(record(QStringLiteral("a")), T0 + 1000, SessionEndReason::Left));
    QTRY_COMPARE_WITH_TIMEOUT(writer.rowsWritten(), qint64(3), 5000);
    QTRY_COMPARE(flushed.size(), 2);
    QCOMPARE(rowCount(), 2);
    SessionHistoryRepository repo(m_open.first());
    const auto a = repo.find(QStringLiteral("t1"), QStringLiteral("a"));
    QVERIFY(a.ok());
    QCOMPARE(a->endReason, std::optional<SessionEndReason>(SessionEndReason::Left));
}

void TestSessionHistory::writerCoalescesOneSession()
{
    migratedDb();
    // An interval long enough that only flushNow() writes.
    SessionHistoryWriter writer(config(), 3600 * 1000);
    writer.start();
    SessionRecord r = record(QStringLiteral("s1"));
    writer.enqueue(r);
    writer.enqueue(beaten(r, 1, 10));
    writer.enqueue(beaten(r, 2, 20));
    writer.enqueue(ended(beaten(r, 2, 20), T0 + 31000, SessionEndReason::Expired));
    writer.enqueue(record(QStringLiteral("s2")));
    QCOMPARE(writer.queueDepth(), 2);

    QSignalSpy flushed(&writer, &SessionHistoryWriter::flushed);
    QVERIFY(writer.flushNow());
    QCOMPARE(writer.rowsWritten(), qint64(2));
    QCOMPARE(writer.queueDepth(), 0);
    QCOMPARE(rowCount(), 2);
    QTRY_COMPARE(flushed.size(), 1);
    QCOMPARE(flushed.first().at(0).toInt(), 2);

    SessionHistoryRepository repo(m_open.first());
    const auto s1 = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY(s1.ok());
    QCOMPARE(s1->heartbeatCount, qint64(2));
    QCOMPARE(s1->endedAtMs, T0 + 31000);
    QCOMPARE(s1->endReason, std::optional<SessionEndReason>(SessionEndReason::Expired));
}

void TestSessionHistory::flushNowWritesEverything()
{
    migratedDb();
    SessionHistoryWriter writer(config(), 3600 * 1000);
    writer.start();
    for (int i = 0; i < 250; ++i)
        writer.enqueue(record(QStringLiteral("s%1").arg(i)));
    QCOMPARE(writer.queueDepth(), 250);
    QVERIFY(writer.flushNow());
    QCOMPARE(writer.queueDepth(), 0);
    QCOMPARE(writer.rowsWritten(), qint64(250));
    QCOMPARE(rowCount(), 250);
    // Nothing queued: a flush is a successful no-op.
    QVERIFY(writer.flushNow());
    QCOMPARE(writer.rowsWritten(), qint64(250));
}

void TestSessionHistory::flushNowWithoutStart()
{
    migratedDb();
    SessionHistoryWriter writer(config(), 3600 * 1000);
    writer.enqueue(record(QStringLiteral("s1")));
    QVERIFY(writer.flushNow());
    QCOMPARE(writer.rowsWritten(), qint64(1));
    QCOMPARE(rowCount(), 1);
}

void TestSessionHistory::failingDatabaseKeepsRowsQueued()
{
    // The database lives under a path whose parent is a regular file: it cannot be opened
    // (and chmod would not stop root, who runs these tests in CI).
    const QString parent = m_dir->filePath(QStringLiteral("blocked"));
    QVERIFY(writeFile(parent, "not a directory"));
    const QString path = parent + QStringLiteral("/history.db");
    const DatabaseConfig blocked{QStringLiteral("sqlite://") + path, {}};

    SessionHistoryWriter writer(blocked, 20);
    QSignalSpy flushed(&writer, &SessionHistoryWriter::flushed);
    writer.start();
    writer.enqueue(record(QStringLiteral("s1")));
    writer.enqueue(ended(record(QStringLiteral("s2")), T0 + 1000, SessionEndReason::Left));

    // Retries on its own (with backoff), failing every time; nothing is dropped.
    QTRY_VERIFY_WITH_TIMEOUT(writer.failedFlushes() >= 2, 10000);
    QCOMPARE(writer.queueDepth(), 2);
    QCOMPARE(writer.rowsWritten(), qint64(0));
    QTRY_VERIFY(!flushed.isEmpty());
    QCOMPARE(flushed.first().at(0).toInt(), 2);
    QCOMPARE(flushed.first().at(1).toBool(), false);
    QVERIFY2(flushed.first().at(2).toString().contains(parent),
             qPrintable(flushed.first().at(2).toString()));

    // An explicit flush reports the failure too.
    const qint64 failedBefore = writer.failedFlushes();
    QVERIFY(!writer.flushNow());
    QVERIFY(writer.failedFlushes() > failedBefore);

    // A record arriving while the database is down replaces the queued state of its session.
    writer.enqueue(ended(record(QStringLiteral("s1")), T0 + 2000, SessionEndReason::Expired));
    QCOMPARE(writer.queueDepth(), 2);

    // The database comes back: the blocking file goes, a migrated database takes its place.
    QVERIFY(QFile::remove(parent));
    QVERIFY(QDir().mkpath(parent));
    {
        auto db = Database::open(blocked, QStringLiteral("tst-history-recovered"));
        QVERIFY2(db.ok(), describe(db).constData());
        m_open.append(db.value());
        QVERIFY(applyMigrations(*db).ok());
    }
    // The writer's own retry (not flushNow) must get the rows in.
    QTRY_COMPARE_WITH_TIMEOUT(writer.rowsWritten(), qint64(2), 15000);
    QCOMPARE(writer.queueDepth(), 0);
    QTRY_VERIFY(flushed.last().at(1).toBool());

    SessionHistoryRepository repo(m_open.last());
    const auto s1 = repo.find(QStringLiteral("t1"), QStringLiteral("s1"));
    QVERIFY2(s1.ok(), describe(s1).constData());
    QCOMPARE(s1->endReason, std::optional<SessionEndReason>(SessionEndReason::Expired));
    const auto s2 = repo.find(QStringLiteral("t1"), QStringLiteral("s2"));
    QVERIFY2(s2.ok(), describe(s2).constData());
    QCOMPARE(s2->endReason, std::optional<SessionEndReason>(SessionEndReason::Left));
}

void TestSessionHistory::destructorFlushes()
{
    migratedDb();
    {
        SessionHistoryWriter writer(config(), 3600 * 1000);
        writer.start();
        writer.enqueue(record(QStringLiteral("s1")));
        writer.enqueue(ended(record(QStringLiteral("s2")), T0 + 1000, SessionEndReason::Left));
        QCOMPARE(rowCount(), 0);
    }
    QCOMPARE(rowCount(), 2);
}

void TestSessionHistory::destructorOfUnstartedWriterFlushes()
{
    migratedDb();
    {
        SessionHistoryWriter writer(config(), 3600 * 1000);
        writer.enqueue(record(QStringLiteral("s1")));
    }
    QCOMPARE(rowCount(), 1);
}

QTEST_GUILESS_MAIN(TestSessionHistory)
#include "tst_session_history.moc"
