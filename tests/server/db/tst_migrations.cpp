// Migrations against real SQLite files (SPEC section 6, docs/schema.md), the statement splitter,
// database urls and Database::open.
#include "db/database.h"
#include "db/database_url.h"
#include "db/migration_runner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace spidi;

namespace {

QString message(const Error &error)
{
    return error.message;
}

template <typename T>
QByteArray describe(const Result<T> &result)
{
    return result.ok() ? QByteArray("ok") : result.error().message.toUtf8();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Copies the embedded migrations into a real directory that a test may edit.
bool copyEmbeddedMigrations(const QString &target)
{
    const QDir source(migrationResourceDir(SqlDialect::Sqlite));
    const QStringList files = source.entryList(QDir::Files, QDir::Name);
    if (files.isEmpty())
        return false;
    for (const QString &file : files) {
        if (!writeFile(QDir(target).filePath(file), readFile(source.filePath(file))))
            return false;
    }
    return true;
}

QStringList tableNames(const Database &db)
{
    QSqlQuery query(db.handle());
    QStringList names;
    if (!query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                   "NOT LIKE 'sqlite_%' ORDER BY name")))
        return names;
    while (query.next())
        names << query.value(0).toString();
    return names;
}

QVariant scalar(const Database &db, const QString &sql)
{
    QSqlQuery query(db.handle());
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

bool exec(const Database &db, const QString &sql)
{
    QSqlQuery query(db.handle());
    return query.exec(sql);
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void embeddedMigrationsAreCompiledIn();
    void freshFileIsMigratedAndIdempotent();
    void allSpecTablesExist();
    void seededRoomTypes_data();
    void seededRoomTypes();
    void schemaVersionRecorded();
    void inMemoryDatabase();
    void changedChecksumIsRefused();
    void changedEmbeddedChecksumIsRefused();
    void unknownNewerVersionIsRefused();
    void pendingMigrationAppliedInOrder();
    void failingMigrationRollsBack();
    void loadMigrationsErrors();
    void crlfDoesNotChangeChecksum();

    void splitStatements_data();
    void splitStatements();

    void parseUrls_data();
    void parseUrls();
    void badUrls_data();
    void badUrls();
    void defaultUrlIsDataDir();
    void redacted_data();
    void redacted();

    void openSetsPragmas();
    void openRefusesDuplicateConnectionName();
    void openRefusesPathUnderAFile();
    void openUnreachablePostgresqlIsUnavailable();

private:
    Database openFile(const QString &fileName = QStringLiteral("spidi.db"));

    std::unique_ptr<QTemporaryDir> m_dir;
    QList<Database> m_open;
    int m_connections = 0;
};

void TestMigrations::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestMigrations::cleanup()
{
    for (Database &db : m_open)
        db.close();
    m_open.clear();
    m_dir.reset();
}

Database TestMigrations::openFile(const QString &fileName)
{
    const DatabaseConfig config{QStringLiteral("sqlite://") + m_dir->filePath(fileName), {}};
    auto db = Database::open(config, QStringLiteral("tst-migrations-%1").arg(++m_connections));
    if (!db) {
        qWarning("open failed: %s", qPrintable(db.error().message));
        return Database();
    }
    m_open.append(db.value());
    return db.value();
}

void TestMigrations::embeddedMigrationsAreCompiledIn()
{
    const QString dir = migrationResourceDir(SqlDialect::Sqlite);
    QCOMPARE(dir, QStringLiteral(":/spidi/sql/sqlite"));
    QVERIFY2(QDir(dir).exists(), "the spidi_sql_migrations resource is not linked in");
    const auto migrations = loadMigrations(dir);
    QVERIFY2(migrations.ok(), describe(migrations).constData());
    QVERIFY(!migrations->isEmpty());
    QCOMPARE(migrations->first().version, 1);
    QCOMPARE(migrations->first().name, QStringLiteral("initial"));
    QCOMPARE(migrations->first().fileName, QStringLiteral("0001_initial.sql"));
    QCOMPARE(migrations->first().checksum.size(), 64); // SHA-256 hex
    // Sorted by version, versions unique.
    for (qsizetype i = 1; i < migrations->size(); ++i)
        QVERIFY(migrations->at(i - 1).version < migrations->at(i).version);
    // The resource is the file in sql/sqlite, byte for byte (line endings aside).
    const QByteArray source = readFile(qEnvironmentVariable("SPIDI_SOURCE_DIR") +
                                       QStringLiteral("/sql/sqlite/0001_initial.sql"));
    if (!source.isEmpty())
        QCOMPARE(migrations->first().sql, QByteArray(source).replace("\r\n", "\n"));
}

void TestMigrations::freshFileIsMigratedAndIdempotent()
{
    const auto migrations = loadMigrations(migrationResourceDir(SqlDialect::Sqlite));
    QVERIFY(migrations.ok());

    Database db = openFile();
    QVERIFY(db.handle().isOpen());
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("spidi.db"))));
    const auto first = applyMigrations(db);
    QVERIFY2(first.ok(), describe(first).constData());
    QCOMPARE(*first, int(migrations->size()));

    const auto second = applyMigrations(db);
    QVERIFY2(second.ok(), describe(second).constData());
    QCOMPARE(*second, 0);

    // A new connection to the same file (a restarted server) also finds nothing to do.
    db.close();
    Database reopened = openFile();
    const auto third = applyMigrations(reopened);
    QVERIFY2(third.ok(), describe(third).constData());
    QCOMPARE(*third, 0);
    QCOMPARE(scalar(reopened, QStringLiteral("SELECT COUNT(*) FROM tba_spd_room_type")).toInt(),
             10);
}

void TestMigrations::allSpecTablesExist()
{
    Database db = openFile();
    QVERIFY(applyMigrations(db).ok());
    const QStringList tables = tableNames(db);
    for (const char *name : {"tba_spd_room_type", "dat_spd_room", "dat_spd_room_attr",
                             "dat_spd_session", "dat_spd_room_stats", "dat_spd_alert_rule",
                             "dat_spd_alert_event", "dat_spd_audit", "spidi_schema_version"}) {
        QVERIFY2(tables.contains(QLatin1String(name)), name);
    }

    // Tenant-owned tables carry tenant_id; the ones with soft delete carry deleted_at.
    for (const char *name :
         {"dat_spd_room", "dat_spd_room_attr", "dat_spd_session", "dat_spd_room_stats",
          "dat_spd_alert_rule", "dat_spd_alert_event", "dat_spd_audit"}) {
        const QSqlRecord record = db.handle().record(QLatin1String(name));
        QVERIFY2(record.contains(QStringLiteral("tenant_id")), name);
    }
    for (const char *name : {"dat_spd_room", "dat_spd_alert_rule"}) {
        const QSqlRecord record = db.handle().record(QLatin1String(name));
        QVERIFY2(record.contains(QStringLiteral("deleted_at")), name);
        QVERIFY2(record.contains(QStringLiteral("created_at")), name);
        QVERIFY2(record.contains(QStringLiteral("updated_at")), name);
        QVERIFY2(record.contains(QStringLiteral("version")), name);
    }
}

void TestMigrations::seededRoomTypes_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("ttlSec");
    // SPEC section 6.
    QTest::newRow("WEBRTC") << "WEBRTC" << 50 << 2 * 3600;
    QTest::newRow("CHAT") << "CHAT" << 500 << 3600;
    QTest::newRow("NOTIFICATION") << "NOTIFICATION" << 10000 << 30 * 60;
    QTest::newRow("BROADCAST") << "BROADCAST" << 1000 << 4 * 3600;
    QTest::newRow("COLLABORATION") << "COLLABORATION" << 25 << 3600;
    QTest::newRow("SUPPORT") << "SUPPORT" << 100 << 30 * 60;
    QTest::newRow("GAMING") << "GAMING" << 16 << 2 * 3600;
    QTest::newRow("MONITORING") << "MONITORING" << 10 << 24 * 3600;
    QTest::newRow("EVENT") << "EVENT" << 200 << 3 * 3600;
    QTest::newRow("GENERIC") << "GENERIC" << 100 << 3600;
}

void TestMigrations::seededRoomTypes()
{
    QFETCH(QString, code);
    QFETCH(int, capacity);
    QFETCH(int, ttlSec);
    Database db = openFile();
    QVERIFY(applyMigrations(db).ok());
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM tba_spd_room_type")).toInt(), 10);
    QSqlQuery query(db.handle());
    query.prepare(QStringLiteral("SELECT default_capacity, default_ttl_sec, name, created_at "
                                 "FROM tba_spd_room_type WHERE code = ?"));
    query.addBindValue(code);
    QVERIFY(query.exec());
    QVERIFY2(query.next(), qPrintable(code));
    QCOMPARE(query.value(0).toInt(), capacity);
    QCOMPARE(query.value(1).toInt(), ttlSec);
    QVERIFY(!query.value(2).toString().isEmpty());
    // The default timestamp is the documented fixed-width ISO-8601 UTC text.
    QVERIFY2(
        QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"))
            .match(query.value(3).toString())
            .hasMatch(),
        qPrintable(query.value(3).toString()));
}

void TestMigrations::schemaVersionRecorded()
{
    const auto migrations = loadMigrations(migrationResourceDir(SqlDialect::Sqlite));
    QVERIFY(migrations.ok());
    Database db = openFile();
    QVERIFY(applyMigrations(db).ok());
    QSqlQuery query(db.handle());
    QVERIFY(query.exec(QStringLiteral(
        "SELECT version, name, checksum, applied_at FROM spidi_schema_version ORDER BY version")));
    for (const Migration &migration : *migrations) {
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), migration.version);
        QCOMPARE(query.value(1).toString(), migration.name);
        QCOMPARE(query.value(2).toString(), migration.checksum);
        QVERIFY(QDateTime::fromString(query.value(3).toString(), Qt::ISODateWithMs).isValid());
    }
    QVERIFY(!query.next());
}

void TestMigrations::inMemoryDatabase()
{
    auto db = Database::open(DatabaseConfig{QStringLiteral("sqlite::memory:"), {}},
                             QStringLiteral("tst-migrations-memory"));
    QVERIFY2(db.ok(), describe(db).constData());
    m_open.append(db.value());
    const auto applied = applyMigrations(*db);
    QVERIFY2(applied.ok(), describe(applied).constData());
    QVERIFY(*applied >= 1);
    QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM tba_spd_room_type")).toInt(), 10);
    QCOMPARE(*applyMigrations(*db), 0);
}

void TestMigrations::changedChecksumIsRefused()
{
    const QString sqlDir = m_dir->filePath(QStringLiteral("sql"));
    QVERIFY(QDir().mkpath(sqlDir));
    QVERIFY(copyEmbeddedMigrations(sqlDir));
    Database db = openFile();
    const auto applied = applyMigrations(db, sqlDir);
    QVERIFY2(applied.ok(), describe(applied).constData());
    QVERIFY(*applied >= 1);

    // Someone edits the applied migration and adds a new one: nothing may be applied.
    const QString initial = QDir(sqlDir).filePath(QStringLiteral("0001_initial.sql"));
    QVERIFY(writeFile(initial, readFile(initial) + "\n-- an innocent-looking edit\n"));
    QVERIFY(writeFile(QDir(sqlDir).filePath(QStringLiteral("9000_later.sql")),
                      "CREATE TABLE later_table (id INTEGER);"));
    const auto refused = applyMigrations(db, sqlDir);
    QVERIFY(!refused.ok());
    QVERIFY2(message(refused.error()).contains(QLatin1String("0001_initial.sql")),
             describe(refused).constData());
    QVERIFY2(message(refused.error()).contains(QLatin1String("changed")),
             describe(refused).constData());
    QVERIFY(!tableNames(db).contains(QStringLiteral("later_table")));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM spidi_schema_version WHERE version = "
                                       "9000"))
                 .toInt(),
             0);
}

void TestMigrations::changedEmbeddedChecksumIsRefused()
{
    Database db = openFile();
    QVERIFY(applyMigrations(db).ok());
    QVERIFY(exec(
        db,
        QStringLiteral("UPDATE spidi_schema_version SET checksum = 'deadbeef' WHERE version = 1")));
    const auto refused = applyMigrations(db);
    QVERIFY(!refused.ok());
    QVERIFY2(message(refused.error()).contains(QLatin1String("deadbeef")),
             describe(refused).constData());
}

void TestMigrations::unknownNewerVersionIsRefused()
{
    Database db = openFile();
    QVERIFY(applyMigrations(db).ok());
    QVERIFY(exec(db, QStringLiteral("INSERT INTO spidi_schema_version (version, name, checksum, "
                                    "applied_at) VALUES (4242, 'from_the_future', 'abc', "
                                    "'2030-01-01T00:00:00.000Z')")));
    const auto refused = applyMigrations(db);
    QVERIFY(!refused.ok());
    QVERIFY2(message(refused.error()).contains(QLatin1String("4242")),
             describe(refused).constData());
    QVERIFY2(message(refused.error()).contains(QLatin1String("from_the_future")),
             describe(refused).constData());
}

void TestMigrations::pendingMigrationAppliedInOrder()
{
    const QString sqlDir = m_dir->filePath(QStringLiteral("sql"));
    QVERIFY(QDir().mkpath(sqlDir));
    QVERIFY(copyEmbeddedMigrations(sqlDir));
    Database db = openFile();
    const auto first = applyMigrations(db, sqlDir);
    QVERIFY2(first.ok(), describe(first).constData());

    // 9002 depends on 9001; written in reverse name order of creation to prove sorting.
    QVERIFY(writeFile(QDir(sqlDir).filePath(QStringLiteral("9002_fill.sql")),
                      "INSERT INTO extra_table (id, note) VALUES (1, 'semi;colon');\n"
                      "INSERT INTO extra_table (id, note) VALUES (2, 'it''s');"));
    QVERIFY(writeFile(QDir(sqlDir).filePath(QStringLiteral("9001_extra.sql")),
                      "-- a comment; with a semicolon\n"
                      "CREATE TABLE extra_table (id INTEGER PRIMARY KEY, note TEXT);"));
    const auto second = applyMigrations(db, sqlDir);
    QVERIFY2(second.ok(), describe(second).constData());
    QCOMPARE(*second, 2);
    QCOMPARE(scalar(db, QStringLiteral("SELECT note FROM extra_table WHERE id = 1")).toString(),
             QStringLiteral("semi;colon"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT note FROM extra_table WHERE id = 2")).toString(),
             QStringLiteral("it's"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT MAX(version) FROM spidi_schema_version")).toInt(),
             9002);
    QCOMPARE(*applyMigrations(db, sqlDir), 0);
}

void TestMigrations::failingMigrationRollsBack()
{
    const QString sqlDir = m_dir->filePath(QStringLiteral("sql"));
    QVERIFY(QDir().mkpath(sqlDir));
    QVERIFY(copyEmbeddedMigrations(sqlDir));
    QVERIFY(writeFile(QDir(sqlDir).filePath(QStringLiteral("9001_broken.sql")),
                      "CREATE TABLE half_done (id INTEGER);\n"
                      "INSERT INTO no_such_table VALUES (1);"));
    Database db = openFile();
    const auto result = applyMigrations(db, sqlDir);
    QVERIFY(!result.ok());
    QVERIFY2(message(result.error()).contains(QLatin1String("9001_broken.sql")),
             describe(result).constData());
    QVERIFY2(message(result.error()).contains(QLatin1String("statement 2")),
             describe(result).constData());
    // Migrations before the broken one stay applied; the broken one left nothing behind.
    QVERIFY(tableNames(db).contains(QStringLiteral("dat_spd_room")));
    QVERIFY(!tableNames(db).contains(QStringLiteral("half_done")));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM spidi_schema_version WHERE version = "
                                       "9001"))
                 .toInt(),
             0);

    // Fixed file: it applies now.
    QVERIFY(writeFile(QDir(sqlDir).filePath(QStringLiteral("9001_broken.sql")),
                      "CREATE TABLE half_done (id INTEGER);"));
    const auto fixed = applyMigrations(db, sqlDir);
    QVERIFY2(fixed.ok(), describe(fixed).constData());
    QCOMPARE(*fixed, 1);
    QVERIFY(tableNames(db).contains(QStringLiteral("half_done")));
}

void TestMigrations::loadMigrationsErrors()
{
    const auto missing = loadMigrations(m_dir->filePath(QStringLiteral("nope")));
    QVERIFY(!missing.ok());
    QVERIFY(message(missing.error()).contains(QLatin1String("does not exist")));

    const QString badName = m_dir->filePath(QStringLiteral("bad-name"));
    QVERIFY(QDir().mkpath(badName));
    QVERIFY(writeFile(QDir(badName).filePath(QStringLiteral("1_short.sql")), "SELECT 1;"));
    const auto malformed = loadMigrations(badName);
    QVERIFY(!malformed.ok());
    QVERIFY(message(malformed.error()).contains(QLatin1String("1_short.sql")));

    const QString dupes = m_dir->filePath(QStringLiteral("dupes"));
    QVERIFY(QDir().mkpath(dupes));
    QVERIFY(writeFile(QDir(dupes).filePath(QStringLiteral("0003_a.sql")), "SELECT 1;"));
    QVERIFY(writeFile(QDir(dupes).filePath(QStringLiteral("0003_b.sql")), "SELECT 2;"));
    const auto duplicate = loadMigrations(dupes);
    QVERIFY(!duplicate.ok());
    QVERIFY(message(duplicate.error()).contains(QLatin1String("0003_a.sql")));
    QVERIFY(message(duplicate.error()).contains(QLatin1String("0003_b.sql")));

    // Other files are ignored; an empty set is not an error for loading, but is for applying.
    const QString empty = m_dir->filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(empty));
    QVERIFY(writeFile(QDir(empty).filePath(QStringLiteral("README.md")), "notes"));
    const auto none = loadMigrations(empty);
    QVERIFY2(none.ok(), describe(none).constData());
    QVERIFY(none->isEmpty());
    Database db = openFile();
    const auto nothing = applyMigrations(db, empty);
    QVERIFY(!nothing.ok());
    QVERIFY(message(nothing.error()).contains(QLatin1String("no migrations")));
}

void TestMigrations::crlfDoesNotChangeChecksum()
{
    const QString lf = m_dir->filePath(QStringLiteral("lf"));
    const QString crlf = m_dir->filePath(QStringLiteral("crlf"));
    QVERIFY(QDir().mkpath(lf));
    QVERIFY(QDir().mkpath(crlf));
    QVERIFY(writeFile(QDir(lf).filePath(QStringLiteral("0001_x.sql")), "SELECT 1;\nSELECT 2;\n"));
    QVERIFY(
        writeFile(QDir(crlf).filePath(QStringLiteral("0001_x.sql")), "SELECT 1;\r\nSELECT 2;\r\n"));
    const auto a = loadMigrations(lf);
    const auto b = loadMigrations(crlf);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->first().checksum, b->first().checksum);
    QCOMPARE(a->first().checksum,
             QString::fromLatin1(
                 QCryptographicHash::hash("SELECT 1;\nSELECT 2;\n", QCryptographicHash::Sha256)
                     .toHex()));
}

void TestMigrations::splitStatements_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("two statements") << "SELECT 1; SELECT 2;" << QStringList{"SELECT 1", "SELECT 2"};
    QTest::newRow("no trailing semicolon")
        << "SELECT 1;\nSELECT 2" << QStringList{"SELECT 1", "SELECT 2"};
    QTest::newRow("empty statements") << ";;  ;\n;SELECT 1;;" << QStringList{"SELECT 1"};
    QTest::newRow("only whitespace") << "  \n\t " << QStringList{};
    QTest::newRow("semicolon in single quotes")
        << "INSERT INTO t VALUES ('a;b'); SELECT 2"
        << QStringList{"INSERT INTO t VALUES ('a;b')", "SELECT 2"};
    QTest::newRow("doubled quote")
        << "INSERT INTO t VALUES ('it''s; fine');SELECT 3"
        << QStringList{"INSERT INTO t VALUES ('it''s; fine')", "SELECT 3"};
    QTest::newRow("semicolon in double quotes")
        << "CREATE TABLE \"odd;name\" (x INTEGER);"
        << QStringList{"CREATE TABLE \"odd;name\" (x INTEGER)"};
    QTest::newRow("line comment with semicolon and quote")
        << "-- don't split; here\nSELECT 1; -- trailing; comment\nSELECT 2;"
        << QStringList{"SELECT 1", "SELECT 2"};
    QTest::newRow("block comment with semicolon")
        << "SELECT /* a; 'b */ 1; /* lone; */ SELECT 2;" << QStringList{"SELECT   1", "SELECT 2"};
    QTest::newRow("comment markers inside quotes")
        << "INSERT INTO t VALUES ('-- not a comment', '/* nor; this */');"
        << QStringList{"INSERT INTO t VALUES ('-- not a comment', '/* nor; this */')"};
    QTest::newRow("multi-line statement")
        << "CREATE TABLE t (\n    a TEXT, -- first; column\n    b TEXT\n);"
        << QStringList{"CREATE TABLE t (\n    a TEXT, \n    b TEXT\n)"};
    QTest::newRow("percent and quotes in default")
        << "CREATE TABLE t (c TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
        << QStringList{"CREATE TABLE t (c TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"};
}

void TestMigrations::splitStatements()
{
    QFETCH(QString, sql);
    QFETCH(QStringList, expected);
    QCOMPARE(splitSqlStatements(sql), expected);
}

void TestMigrations::parseUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("dialect");
    QTest::addColumn<QString>("sqlitePath");
    QTest::addColumn<bool>("inMemory");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("databaseName");
    QTest::addColumn<QString>("options"); // k=v&k=v, sorted by key

    const int sqlite = int(SqlDialect::Sqlite);
    const int pg = int(SqlDialect::Postgresql);
    QTest::newRow("sqlite absolute") << "sqlite:///var/lib/spidi/spidi.db" << sqlite
                                     << "/var/lib/spidi/spidi.db" << false << "" << 5432 << ""
                                     << ""
                                     << ""
                                     << "";
    QTest::newRow("sqlite path cleaned")
        << "sqlite:///srv/./a/../spidi.db" << sqlite << "/srv/spidi.db" << false << "" << 5432 << ""
        << ""
        << ""
        << "";
    QTest::newRow("sqlite with option") << "sqlite:///tmp/x.db?busy_timeout_ms=200" << sqlite
                                        << "/tmp/x.db" << false << "" << 5432 << ""
                                        << ""
                                        << ""
                                        << "busy_timeout_ms=200";
    QTest::newRow("sqlite encoded space")
        << "sqlite:///tmp/my%20db.db" << sqlite << "/tmp/my db.db" << false << "" << 5432 << ""
        << ""
        << ""
        << "";
    QTest::newRow("sqlite memory")
        << "sqlite::memory:" << sqlite << ":memory:" << true << "" << 5432 << ""
        << ""
        << ""
        << "";
    QTest::newRow("sqlite memory with option")
        << "sqlite::memory:?busy_timeout_ms=5" << sqlite << ":memory:" << true << "" << 5432 << ""
        << ""
        << ""
        << "busy_timeout_ms=5";
    QTest::newRow("surrounding spaces")
        << "  sqlite::memory:  " << sqlite << ":memory:" << true << "" << 5432 << ""
        << ""
        << ""
        << "";
    QTest::newRow("postgresql full") << "postgresql://user:pass@host:5432/db?sslmode=require" << pg
                                     << "" << false << "host" << 5432 << "user"
                                     << "pass"
                                     << "db"
                                     << "sslmode=require";
    QTest::newRow("postgresql other port, encoded password")
        << "postgresql://spidi:p%40ss%2Fw@db.example.com:6543/spidi_prod" << pg << "" << false
        << "db.example.com" << 6543 << "spidi"
        << "p@ss/w"
        << "spidi_prod"
        << "";
    QTest::newRow("postgres scheme, default port")
        << "postgres://u@h/d" << pg << "" << false << "h" << 5432 << "u"
        << ""
        << "d"
        << "";
    QTest::newRow("postgresql two options")
        << "postgresql://u:p@h/d?sslmode=verify-full&connect_timeout=5" << pg << "" << false << "h"
        << 5432 << "u"
        << "p"
        << "d"
        << "connect_timeout=5&sslmode=verify-full";
}

void TestMigrations::parseUrls()
{
    QFETCH(QString, url);
    QFETCH(int, dialect);
    QFETCH(QString, sqlitePath);
    QFETCH(bool, inMemory);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, databaseName);
    QFETCH(QString, options);

    const auto parsed = parseDatabaseUrl(DatabaseConfig{url, QStringLiteral("/ignored")});
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(int(parsed->dialect), dialect);
    QCOMPARE(parsed->sqlitePath, sqlitePath);
    QCOMPARE(parsed->inMemory, inMemory);
    QCOMPARE(parsed->host, host);
    QCOMPARE(parsed->port, port);
    QCOMPARE(parsed->user, user);
    QCOMPARE(parsed->password, password);
    QCOMPARE(parsed->databaseName, databaseName);
    QStringList pairs;
    for (auto it = parsed->options.cbegin(); it != parsed->options.cend(); ++it)
        pairs << it.key() + QLatin1Char('=') + it.value();
    QCOMPARE(pairs.join(QLatin1Char('&')), options);
}

void TestMigrations::badUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("dataDir");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown scheme") << "mysql://u:p@h/d"
                                    << ""
                                    << "database";
    QTest::newRow("no scheme") << "/var/lib/spidi/spidi.db"
                               << ""
                               << "database";
    QTest::newRow("sqlite relative") << "sqlite:relative.db"
                                     << ""
                                     << "database";
    QTest::newRow("sqlite with host") << "sqlite://host/x.db"
                                      << ""
                                      << "database";
    QTest::newRow("sqlite no path") << "sqlite://"
                                    << ""
                                    << "database";
    QTest::newRow("postgresql no host") << "postgresql:///db"
                                        << ""
                                        << "database";
    QTest::newRow("postgresql no database") << "postgresql://u:p@h:5432"
                                            << ""
                                            << "database";
    QTest::newRow("postgresql slash database") << "postgresql://u:p@h/a/b"
                                               << ""
                                               << "database";
    QTest::newRow("nothing at all") << ""
                                    << ""
                                    << "dataDir";
    QTest::newRow("blank url, no data dir") << "   "
                                            << ""
                                            << "dataDir";
}

void TestMigrations::badUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, dataDir);
    QFETCH(QString, field);
    const auto parsed = parseDatabaseUrl(DatabaseConfig{url, dataDir});
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QCOMPARE(parsed.error().field, field);
    // A password never reaches an error message.
    QVERIFY(!parsed.error().message.contains(QLatin1String(":p@")));
}

void TestMigrations::defaultUrlIsDataDir()
{
    const auto parsed = parseDatabaseUrl(DatabaseConfig{QString(), QStringLiteral("/srv/spidi/")});
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->dialect, SqlDialect::Sqlite);
    QCOMPARE(parsed->sqlitePath, QStringLiteral("/srv/spidi/spidi.db"));
    QVERIFY(!parsed->inMemory);
}

void TestMigrations::redacted_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");
    QTest::newRow("sqlite file") << "sqlite:///var/lib/spidi/spidi.db"
                                 << "sqlite:///var/lib/spidi/spidi.db";
    QTest::newRow("sqlite memory") << "sqlite::memory:"
                                   << "sqlite::memory:";
    QTest::newRow("postgresql password masked")
        << "postgresql://user:s3cret@host:5432/db?sslmode=require"
        << "postgresql://user:***@host:5432/db";
    QTest::newRow("postgresql without password") << "postgresql://user@host/db"
                                                 << "postgresql://user@host:5432/db";
}

void TestMigrations::redacted()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    const auto parsed = parseDatabaseUrl(DatabaseConfig{url, {}});
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->redacted(), expected);
    QVERIFY(!parsed->redacted().contains(QLatin1String("s3cret")));
}

void TestMigrations::openSetsPragmas()
{
    Database db = openFile(QStringLiteral("nested/dir/spidi.db"));
    QVERIFY(db.handle().isOpen());
    QCOMPARE(db.dialect(), SqlDialect::Sqlite);
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("nested/dir/spidi.db"))));
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA busy_timeout")).toInt(), 5000);

    auto tuned = Database::open(DatabaseConfig{QStringLiteral("sqlite://") +
                                                   m_dir->filePath(QStringLiteral("t.db")) +
                                                   QStringLiteral("?busy_timeout_ms=250"),
                                               {}},
                                QStringLiteral("tst-migrations-tuned"));
    QVERIFY2(tuned.ok(), describe(tuned).constData());
    m_open.append(tuned.value());
    QCOMPARE(scalar(*tuned, QStringLiteral("PRAGMA busy_timeout")).toInt(), 250);

    // Foreign keys are enforced: an attribute of a room that does not exist is refused.
    QVERIFY(applyMigrations(db).ok());
    QVERIFY(!exec(db, QStringLiteral("INSERT INTO dat_spd_room_attr (room_id, attr_key, "
                                     "attr_value, tenant_id, created_at, updated_at) VALUES "
                                     "('missing', 'k', 'v', 't', 'x', 'x')")));

    const QString name = db.connectionName();
    db.close();
    QVERIFY(!QSqlDatabase::contains(name));
}

void TestMigrations::openRefusesDuplicateConnectionName()
{
    Database db = openFile();
    auto again = Database::open(
        DatabaseConfig{QStringLiteral("sqlite://") + m_dir->filePath(QStringLiteral("other.db")),
                       {}},
        db.connectionName());
    QVERIFY(!again.ok());
    QVERIFY(again.error().message.contains(QLatin1String("already open")));
    // The first connection is untouched.
    QVERIFY(db.handle().isOpen());

    auto unnamed = Database::open(DatabaseConfig{QStringLiteral("sqlite::memory:"), {}}, QString());
    QVERIFY(!unnamed.ok());
}

void TestMigrations::openRefusesPathUnderAFile()
{
    const QString blocker = m_dir->filePath(QStringLiteral("blocker"));
    QVERIFY(writeFile(blocker, "a regular file"));
    const QString name = QStringLiteral("tst-migrations-blocked");
    auto db = Database::open(
        DatabaseConfig{QStringLiteral("sqlite://") + blocker + QStringLiteral("/spidi.db"), {}},
        name);
    QVERIFY(!db.ok());
    QCOMPARE(db.error().kind, ErrorKind::Unavailable);
    QVERIFY(db.error().message.contains(blocker));
    QVERIFY(!QSqlDatabase::contains(name));
}

// PostgreSQL itself is exercised by tst_room_repository; nothing listens on port 1.
void TestMigrations::openUnreachablePostgresqlIsUnavailable()
{
    auto db = Database::open(
        DatabaseConfig{QStringLiteral("postgresql://u:secret@127.0.0.1:1/spidi?connect_timeout=2"),
                       {}},
        QStringLiteral("tst-migrations-pg"));
    QVERIFY(!db.ok());
    QCOMPARE(db.error().kind, ErrorKind::Unavailable);
    QVERIFY2(db.error().message.contains(QLatin1String("PostgreSQL")),
             qPrintable(db.error().message));
    QVERIFY(!db.error().message.contains(QLatin1String("secret")));
    QVERIFY(!QSqlDatabase::contains(QStringLiteral("tst-migrations-pg")));
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
