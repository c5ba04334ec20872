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

// libpq connection options the url may carry (postgresql://…?sslmode=require&connect_timeout=5).
const QStringList kPostgresqlOptions = {
    QStringLiteral("sslmode"),
    QStringLiteral("sslrootcert"),
    QStringLiteral("sslcert"),
    QStringLiteral("sslkey"),
    QStringLiteral("connect_timeout"),
    QStringLiteral("application_name"),
    QStringLiteral("target_session_attrs"),
};
constexpr int kDefaultConnectTimeoutSec = 10;

QString postgresqlConnectOptions(const DatabaseUrl &url)
{
    QStringList options;
    for (auto it = url.options.constBegin(); it != url.options.constEnd(); ++it) {
        if (kPostgresqlOptions.contains(it.key()))
            options.append(it.key() + QLatin1Char('=') + it.value());
        else
            qCWarning(lcDb).noquote()
                << "database.option_ignored: option=" << it.key() << "url=" << url.redacted();
    }
    if (!url.options.contains(QStringLiteral("connect_timeout")))
        options.append(QStringLiteral("connect_timeout=%1").arg(kDefaultConnectTimeoutSec));
    if (!url.options.contains(QStringLiteral("application_name")))
        options.append(QStringLiteral("application_name=spidi"));
    return options.join(QLatin1Char(';'));
}

// Session settings, and a warning when row-level security cannot protect anything because the
// role bypasses it (a superuser or BYPASSRLS role; docs/schema.md, "Roles").
Status configurePostgresql(QSqlDatabase &db, const DatabaseUrl &url)
{
    QSqlQuery query(db);
    const QStringList settings = {
        // timestamptz values come back in UTC whatever the server's default time zone is.
        QStringLiteral("SET TIME ZONE 'UTC'"),
        // NOTICEs ("relation … already exists, skipping") would only be noise on stderr.
        QStringLiteral("SET client_min_messages = warning"),
    };
    for (const QString &setting : settings) {
        if (!query.exec(setting))
            return makeError(ErrorKind::Unavailable,
                             QStringLiteral("PostgreSQL database %1: '%2' failed: %3")
                                 .arg(url.redacted(), setting, query.lastError().text()));
    }
    if (query.exec(QStringLiteral("SELECT rolsuper OR rolbypassrls FROM pg_roles "
                                  "WHERE rolname = current_user")) &&
        query.next() && query.value(0).toBool())
        qCWarning(lcDb).noquote() << "database.rls_bypassed: url=" << url.redacted()
                                  << "reason=role-is-superuser-or-bypassrls"
                                  << "hint=connect as a NOSUPERUSER NOBYPASSRLS role";
    return Ok{};
}

} // namespace

Result<Database> Database::open(const DatabaseConfig &config, const QString &connectionName)
{
    auto parsed = parseDatabaseUrl(config);
    if (!parsed)
        return parsed.error();
    const DatabaseUrl &url = parsed.value();

    if (connectionName.isEmpty())
        return makeError(ErrorKind::Invalid, QStringLiteral("database connection name is empty"));
    if (QSqlDatabase::contains(connectionName))
        return makeError(
            ErrorKind::Invalid,
            QStringLiteral("database connection '%1' is already open").arg(connectionName));

    const bool postgresql = url.dialect == SqlDialect::Postgresql;
    const QString driver = postgresql ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
    if (!QSqlDatabase::isDriverAvailable(driver))
        return makeError(ErrorKind::Unavailable,
                         QStringLiteral("Qt SQL driver %1 is not installed (available: %2; on "
                                        "Debian: apt install %3)")
                             .arg(driver, QSqlDatabase::drivers().join(QLatin1String(", ")),
                                  postgresql ? QLatin1String("libqt6sql6-psql")
                                             : QLatin1String("libqt6sql6-sqlite")));

    if (!postgresql && !url.inMemory) {
        const QString dir = QFileInfo(url.sqlitePath).absolutePath();
        if (!QDir().mkpath(dir))
            return makeError(ErrorKind::Unavailable,
                             QStringLiteral("cannot create the directory %1 for SQLite database %2")
                                 .arg(dir, url.sqlitePath));
    }

    Status configured = Ok{};
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, connectionName);
        if (postgresql) {
            db.setHostName(url.host);
            db.setPort(url.port);
            db.setUserName(url.user);
            db.setPassword(url.password);
            db.setDatabaseName(url.databaseName);
            db.setConnectOptions(postgresqlConnectOptions(url));
        } else {
            db.setDatabaseName(url.sqlitePath);
        }
        if (!db.open()) {
            configured = makeError(
                ErrorKind::Unavailable,
                QStringLiteral("cannot open %1 database %2 (driver %3): %4")
                    .arg(postgresql ? QLatin1String("PostgreSQL") : QLatin1String("SQLite"),
                         url.redacted(), driver, db.lastError().text()));
        } else {
            configured = postgresql ? configurePostgresql(db, url) : configureSqlite(db, url);
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
    database.m_dialect = url.dialect;
    database.m_config = config;
    return database;
}

Status Database::reconnect() const
{
    auto parsed = parseDatabaseUrl(m_config);
    if (!parsed)
        return parsed.error();
    const DatabaseUrl &url = parsed.value();
    QSqlDatabase db = handle();
    db.close();
    if (!db.open())
        return makeError(ErrorKind::Unavailable, QStringLiteral("cannot reopen database %1: %2")
                                                     .arg(url.redacted(), db.lastError().text()));
    Status configured = url.dialect == SqlDialect::Postgresql ? configurePostgresql(db, url)
                                                              : configureSqlite(db, url);
    if (!configured)
        db.close();
    return configured;
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
