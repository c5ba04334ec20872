#pragma once

#include "core/result.h"

#include <QSqlDatabase>
#include <QString>

namespace spidi {

enum class SqlDialect { Sqlite, Postgresql };

// Where the SQL database is. An empty url means the embedded default: SQLite in
// <dataDir>/spidi.db. Accepted urls: sqlite:///abs/path.db, sqlite::memory:,
// postgresql://user:pass@host:port/db?sslmode=… (driver QPSQL; docs/configuration.md).
struct DatabaseConfig
{
    QString url;
    QString dataDir;
};

// A named QSqlDatabase connection, usable only in the thread that opened it (QtSql rule).
class Database
{
public:
    static Result<Database> open(const DatabaseConfig &config, const QString &connectionName);

    QSqlDatabase handle() const { return QSqlDatabase::database(m_connectionName, false); }
    SqlDialect dialect() const { return m_dialect; }
    QString connectionName() const { return m_connectionName; }
    // Closes and reopens the same connection (PostgreSQL: with the session settings again),
    // for a connection that a database restart has broken. Returns the reason on failure.
    Status reconnect() const;
    // Closes and removes the connection; the Database must not be used afterwards.
    void close();

private:
    QString m_connectionName;
    SqlDialect m_dialect = SqlDialect::Sqlite;
    DatabaseConfig m_config;
};

} // namespace spidi
