#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QMap>
#include <QString>

namespace spidi {

// A DatabaseConfig resolved into what a driver needs. Kept apart from Database::open so the
// PostgreSQL work (issue 3) only has to consume the already parsed fields.
struct DatabaseUrl
{
    SqlDialect dialect = SqlDialect::Sqlite;
    // SQLite: an absolute file path, or ":memory:".
    QString sqlitePath;
    bool inMemory = false;
    // PostgreSQL.
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;
    // Query parameters, e.g. sqlite:///x.db?busy_timeout_ms=200 or postgresql://…?sslmode=require
    QMap<QString, QString> options;

    // The url with the password masked, for logs and error messages.
    QString redacted() const;
};

Result<DatabaseUrl> parseDatabaseUrl(const DatabaseConfig &config);

} // namespace spidi
