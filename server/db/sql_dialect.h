#pragma once

#include "db/database.h"

#include <QDateTime>
#include <QSqlError>
#include <QString>
#include <QVariant>

// The few places where SQLite and PostgreSQL need different SQL or values. Everything else in
// the repositories is plain SQL both accept; schema differences live in sql/<dialect>/.
namespace spidi::sql {

// Timestamps: SQLite stores ISO-8601 UTC text with milliseconds, PostgreSQL timestamptz.
QVariant toDbTime(const QDateTime &time, SqlDialect dialect);
QVariant toDbTimeMs(qint64 msSinceEpoch, SqlDialect dialect); // 0 → NULL
QDateTime fromDbTime(const QVariant &value);                  // NULL → invalid QDateTime
qint64 fromDbTimeMs(const QVariant &value);                   // NULL → 0

// Ids: uuid in PostgreSQL (which may hand them back as QUuid), text in SQLite. Always the
// braceless lower-case text form in the C++ code.
QString fromDbId(const QVariant &value);
// Whether text can be compared with a uuid column (PostgreSQL refuses a malformed uuid with an
// error instead of matching nothing); always true in SQLite.
bool isDbId(const QString &text, SqlDialect dialect);

// "Does the JSON array text in <column> contain the string bound to <placeholder>".
QString jsonArrayContains(SqlDialect dialect, const QString &column, const QString &placeholder);

// A unique index refused the row (racing duplicate code).
bool isUniqueViolation(const QSqlError &error, SqlDialect dialect);
// Busy/locked/connection/disk errors that a retry may cure, as opposed to a wrong statement.
bool isTransient(const QSqlError &error, SqlDialect dialect);

} // namespace spidi::sql
