#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace spidi {

// One versioned file "NNNN_name.sql" of sql/<dialect>/.
struct Migration
{
    int version = 0;
    QString name;     // file name without the version prefix and ".sql"
    QString fileName; // as found in the directory
    QByteArray sql;
    QString checksum; // SHA-256 hex of the text with line endings normalised to "\n"
};

// The embedded migrations for a dialect: the Qt resource directory :/spidi/sql/<dialect>.
QString migrationResourceDir(SqlDialect dialect);

// Reads and orders the migrations of a directory (a resource path or a real one, for tests).
// Two files with the same version or a malformed name are an Error, not silently skipped.
Result<QList<Migration>> loadMigrations(const QString &directory);

// Applies the pending embedded migrations of the database's dialect in version order, each in
// its own transaction together with its row in spidi_schema_version. Returns how many were
// applied (0 when up to date). Refuses, applying nothing, when an applied migration's file
// changed (checksum) or the database has a version this binary does not know.
Result<int> applyMigrations(const Database &database);
Result<int> applyMigrations(const Database &database, const QString &directory);

// Splits a migration into statements on ';' outside quotes and comments.
QStringList splitSqlStatements(const QString &sql);

} // namespace spidi
