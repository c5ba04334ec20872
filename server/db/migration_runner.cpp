#include "db/migration_runner.h"

#include "db/sql_dialect.h"
#include "db/sql_support.h"
#include "logging/log_categories.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

#include <optional>

namespace spidi {

namespace {

// Plain SQL both dialects accept; created by the runner because it must exist before 0001.
const QString kCreateVersionTable =
    QStringLiteral("CREATE TABLE IF NOT EXISTS spidi_schema_version ("
                   " version INTEGER NOT NULL PRIMARY KEY,"
                   " name TEXT NOT NULL,"
                   " checksum TEXT NOT NULL,"
                   " applied_at TEXT NOT NULL)");

struct AppliedMigration
{
    QString name;
    QString checksum;
};

Result<QHash<int, AppliedMigration>> appliedMigrations(const Database &database)
{
    QSqlQuery query(database.handle());
    if (!query.exec(kCreateVersionTable))
        return sql::queryError(query, database.dialect(),
                               QStringLiteral("creating spidi_schema_version"));
    if (!query.exec(QStringLiteral("SELECT version, name, checksum FROM spidi_schema_version")))
        return sql::queryError(query, database.dialect(),
                               QStringLiteral("reading spidi_schema_version"));
    QHash<int, AppliedMigration> applied;
    while (query.next())
        applied.insert(query.value(0).toInt(),
                       AppliedMigration{query.value(1).toString(), query.value(2).toString()});
    return applied;
}

// pg_advisory_lock/unlock around the whole run; released by the destructor on every path.
class MigrationLock
{
public:
    explicit MigrationLock(const Database &database) : m_database(database) {}
    MigrationLock(const MigrationLock &) = delete;
    MigrationLock &operator=(const MigrationLock &) = delete;
    ~MigrationLock()
    {
        if (!m_held)
            return;
        QSqlQuery query(m_database.handle());
        if (!query.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kLockKey)))
            qCWarning(lcDb).noquote()
                << "migration.unlock_failed: error=" << query.lastError().text();
    }

    Status acquire()
    {
        QSqlQuery query(m_database.handle());
        if (!query.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kLockKey)))
            return sql::queryError(query, m_database.dialect(),
                                   QStringLiteral("waiting for the migration lock"));
        m_held = true;
        return Ok{};
    }

private:
    // Any constant shared by every Spidi binary: "SPIDIMIG" as eight bytes.
    static constexpr qint64 kLockKey = 0x535049444d4947;
    const Database &m_database;
    bool m_held = false;
};

Status applyOne(const Database &database, const Migration &migration)
{
    sql::Transaction transaction(database);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    const QStringList statements = splitSqlStatements(QString::fromUtf8(migration.sql));
    for (qsizetype i = 0; i < statements.size(); ++i) {
        QSqlQuery query(database.handle());
        if (!query.exec(statements.at(i))) {
            const Error error = sql::queryError(
                query, database.dialect(),
                QStringLiteral("migration %1 statement %2").arg(migration.fileName).arg(i + 1));
            return makeError(ErrorKind::Internal, error.message);
        }
    }
    QSqlQuery record(database.handle());
    record.prepare(QStringLiteral("INSERT INTO spidi_schema_version (version, name, checksum, "
                                  "applied_at) VALUES (?, ?, ?, ?)"));
    record.addBindValue(migration.version);
    record.addBindValue(migration.name);
    record.addBindValue(migration.checksum);
    // applied_at is TEXT in every dialect (the runner creates the table), hence the text form.
    record.addBindValue(sql::toDbTime(QDateTime::currentDateTimeUtc(), SqlDialect::Sqlite));
    if (auto recorded = sql::exec(record, database.dialect(),
                                  QStringLiteral("recording migration %1").arg(migration.fileName));
        !recorded)
        return recorded;
    return transaction.commit();
}

} // namespace

QString migrationResourceDir(SqlDialect dialect)
{
    return dialect == SqlDialect::Postgresql ? QStringLiteral(":/spidi/sql/postgresql")
                                             : QStringLiteral(":/spidi/sql/sqlite");
}

QStringList splitSqlStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    enum class State { Code, SingleQuote, DoubleQuote, LineComment, BlockComment };
    State state = State::Code;
    for (qsizetype i = 0; i < sql.size(); ++i) {
        const QChar c = sql.at(i);
        const QChar next = i + 1 < sql.size() ? sql.at(i + 1) : QChar();
        switch (state) {
        case State::Code:
            if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
                state = State::LineComment;
                ++i;
                continue;
            }
            if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
                state = State::BlockComment;
                ++i;
                continue;
            }
            if (c == QLatin1Char(';')) {
                if (!current.trimmed().isEmpty())
                    statements.append(current.trimmed());
                current.clear();
                continue;
            }
            if (c == QLatin1Char('\''))
                state = State::SingleQuote;
            else if (c == QLatin1Char('"'))
                state = State::DoubleQuote;
            current.append(c);
            break;
        case State::SingleQuote:
            // A doubled quote inside a literal toggles out and straight back in.
            current.append(c);
            if (c == QLatin1Char('\''))
                state = State::Code;
            break;
        case State::DoubleQuote:
            current.append(c);
            if (c == QLatin1Char('"'))
                state = State::Code;
            break;
        case State::LineComment:
            if (c == QLatin1Char('\n')) {
                state = State::Code;
                current.append(c);
            }
            break;
        case State::BlockComment:
            if (c == QLatin1Char('*') && next == QLatin1Char('/')) {
                state = State::Code;
                ++i;
                current.append(QLatin1Char(' '));
            }
            break;
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

Result<QList<Migration>> loadMigrations(const QString &directory)
{
    static const QRegularExpression fileNamePattern(
        QStringLiteral("^(\\d{4})_([A-Za-z0-9_]+)\\.sql$"));
    const QDir dir(directory);
    if (!dir.exists())
        return makeError(ErrorKind::Internal,
                         QStringLiteral("migration directory %1 does not exist").arg(directory));

    QList<Migration> migrations;
    QHash<int, QString> seen;
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &fileName : files) {
        if (!fileName.endsWith(QLatin1String(".sql")))
            continue;
        const auto match = fileNamePattern.match(fileName);
        if (!match.hasMatch())
            return makeError(ErrorKind::Internal,
                             QStringLiteral("migration file %1/%2 is not named NNNN_name.sql")
                                 .arg(directory, fileName));
        Migration migration;
        migration.version = match.captured(1).toInt();
        migration.name = match.captured(2);
        migration.fileName = fileName;
        if (seen.contains(migration.version))
            return makeError(ErrorKind::Internal,
                             QStringLiteral("migrations %1 and %2 share version %3")
                                 .arg(seen.value(migration.version), fileName)
                                 .arg(migration.version));
        seen.insert(migration.version, fileName);

        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Internal, QStringLiteral("cannot read migration %1: %2")
                                                      .arg(file.fileName(), file.errorString()));
        // A Windows checkout with CRLF must not look like an edited migration.
        migration.sql = file.readAll().replace("\r\n", "\n");
        migration.checksum = QString::fromLatin1(
            QCryptographicHash::hash(migration.sql, QCryptographicHash::Sha256).toHex());
        migrations.append(migration);
    }
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return migrations;
}

Result<int> applyMigrations(const Database &database)
{
    return applyMigrations(database, migrationResourceDir(database.dialect()));
}

Result<int> applyMigrations(const Database &database, const QString &directory)
{
    auto loaded = loadMigrations(directory);
    if (!loaded)
        return loaded.error();
    const QList<Migration> &migrations = loaded.value();
    if (migrations.isEmpty())
        return makeError(ErrorKind::Internal,
                         QStringLiteral("no migrations found in %1").arg(directory));

    // Instances started together must not migrate together: on PostgreSQL the first takes a
    // session-level advisory lock and the others wait for it, then find the work done. (SQLite
    // serialises writers by itself.)
    std::optional<MigrationLock> lock;
    if (database.dialect() == SqlDialect::Postgresql) {
        lock.emplace(database);
        if (auto locked = lock->acquire(); !locked)
            return locked.error();
    }

    auto applied = appliedMigrations(database);
    if (!applied)
        return applied.error();

    // Verify everything before changing anything: a half-migrated refusal helps nobody.
    QHash<int, const Migration *> known;
    for (const Migration &migration : migrations) {
        known.insert(migration.version, &migration);
        const auto it = applied->constFind(migration.version);
        if (it != applied->constEnd() && it->checksum != migration.checksum) {
            qCCritical(lcDb).noquote()
                << "migration.checksum_mismatch: version=" << migration.version
                << "file=" << migration.fileName << "applied_checksum=" << it->checksum
                << "file_checksum=" << migration.checksum;
            return makeError(ErrorKind::Internal,
                             QStringLiteral("migration %1 was changed after it was applied "
                                            "(checksum %2 in the database, %3 in the file); "
                                            "add a new migration instead of editing an applied one")
                                 .arg(migration.fileName, it->checksum, migration.checksum));
        }
    }
    for (auto it = applied->constBegin(); it != applied->constEnd(); ++it) {
        if (!known.contains(it.key()))
            return makeError(ErrorKind::Internal,
                             QStringLiteral("the database has schema version %1 (%2) that this "
                                            "binary does not know; is it older than the database?")
                                 .arg(it.key())
                                 .arg(it->name));
    }

    int count = 0;
    for (const Migration &migration : migrations) {
        if (applied->contains(migration.version))
            continue;
        if (auto done = applyOne(database, migration); !done) {
            qCCritical(lcDb).noquote()
                << "migration.failed: version=" << migration.version
                << "file=" << migration.fileName << "error=" << done.error().message;
            return done.error();
        }
        qCInfo(lcDb).noquote() << "migration.applied: version=" << migration.version
                               << "name=" << migration.name
                               << "connection=" << database.connectionName();
        ++count;
    }
    return count;
}

} // namespace spidi
