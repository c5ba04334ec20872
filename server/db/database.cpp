#include "db/database.h"

#include "db/database_url.h"
#include "logging/log_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace spidi {

namespace {

constexpr int kDefaultBusyTimeoutMs = 5000;

// Per-connection settings; SQLite forgets them when the connection closes.
Status configureSqlite(QSqlDatabase &db, const DatabaseUrl &url)
{
    bool okTimeout = false;
    int busyTimeoutMs = url.options.value(QStringLiteral("busy_timeout_ms")).toInt(&okTimeout);
    if (!okTimeout || busyTimeoutMs < 0)
        busyTimeoutMs = kDefaultBusyTimeoutMs;

    const QStringList pragmas = {
        // Off by default in SQLite; the schema relies on them (room attributes, alert events).
        QStringLiteral("PRAGMA foreign_keys = ON"),
        // Another connection (the history writer) must not block REST reads, nor be blocked.
        QStringLiteral("PRAGMA busy_timeout = %1").arg(busyTimeoutMs),
        // WAL lets the writer thread and the main thread work at once; NORMAL is durable in WAL.
        QStringLiteral("PRAGMA journal_mode = WAL"),
        QStringLiteral("PRAGMA synchronous = NORMAL"),
    };
    for (const QString &pragma : pragmas) {
        if (url.inMemory && pragma.contains(QLatin1String("journal_mode")))
            continue; // an in-memory database has no journal file
        QSqlQuery query(db);
        if (!query.exec(pragma))
            return makeError(ErrorKind::Unavailable,
                             QStringLiteral("SQLite database %1: '%2' failed: %3")
                                 .arg(url.sqlitePath, pragma, query.lastError().text()));
    }
    return Ok{};
}

} // namespace

Result<Database> Database::open(const DatabaseConfig &config, const QString &connectionName)
{
    auto parsed = parseDatabaseUrl(config);
    if (!parsed)
        return parsed.error();
    const DatabaseUrl &url = parsed.value();

    if (url.dialect == SqlDialect::Postgresql) {
        // The url is already parsed (host, port, user, database, options) for that work.
        qCWarning(lcDb).noquote() << "database.open refused: url=" << url.redacted()
                                  << "reason=postgresql-not-implemented";
        return makeError(ErrorKind::Unavailable,
                         QStringLiteral("PostgreSQL support arrives with issue 3 (url %1)")
                             .arg(url.redacted()));
    }

    if (connectionName.isEmpty())
        return makeError(ErrorKind::Invalid, QStringLiteral("database connection name is empty"));
    if (QSqlDatabase::contains(connectionName))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("database connection '%1' is already open").arg(connectionName));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return makeError(ErrorKind::Unavailable,
                         QStringLiteral("Qt SQL driver QSQLITE is not installed (available: %1)")
                             .arg(QSqlDatabase::drivers().join(QLatin1String(", "))));

    if (!url.inMemory) {
        const QString dir = QFileInfo(url.sqlitePath).absolutePath();
        if (!QDir().mkpath(dir))
            return makeError(ErrorKind::Unavailable,
                             QStringLiteral("cannot create the directory %1 for SQLite database %2")
                                 .arg(dir, url.sqlitePath));
    }

    Status configured = Ok{};
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(url.sqlitePath);
        if (!db.open()) {
            configured = makeError(ErrorKind::Unavailable,
                                   QStringLiteral("cannot open SQLite database %1 (driver QSQLITE): %2")
                                       .arg(url.sqlitePath, db.lastError().text()));
        } else {
            configured = configureSqlite(db, url);
        }
        if (!configured)
            db.close();
    }
    if (!configured) {
        QSqlDatabase::removeDatabase(connectionName);
        qCWarning(lcDb).noquote() << "database.open failed: connection=" << connectionName
                                  << "error=" << configured.error().message;
        return configured.error();
    }

    qCDebug(lcDb).noquote() << "database.open: connection=" << connectionName
                            << "url=" << url.redacted();
    Database database;
    database.m_connectionName = connectionName;
    database.m_dialect = SqlDialect::Sqlite;
    return database;
}

void Database::close()
{
    if (m_connectionName.isEmpty() || !QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

} // namespace spidi
