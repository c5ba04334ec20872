#include "db/sql_dialect.h"

#include <QTimeZone>
#include <QUuid>

namespace spidi::sql {

namespace {

// Fixed width, so text order is time order in SQLite.
const QString kTimeFormat = QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ");

int sqlitePrimaryCode(const QSqlError &error)
{
    // QSQLITE reports the extended result code; the primary code is its low byte.
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : -1;
}

} // namespace

QVariant toDbTime(const QDateTime &time, SqlDialect dialect)
{
    if (!time.isValid())
        return QVariant(QMetaType(QMetaType::QString));
    if (dialect == SqlDialect::Postgresql)
        return time.toUTC();
    return time.toUTC().toString(kTimeFormat);
}

QVariant toDbTimeMs(qint64 msSinceEpoch, SqlDialect dialect)
{
    if (msSinceEpoch <= 0)
        return QVariant(QMetaType(QMetaType::QString));
    return toDbTime(QDateTime::fromMSecsSinceEpoch(msSinceEpoch, QTimeZone::utc()), dialect);
}

QDateTime fromDbTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.typeId() == QMetaType::QDateTime)
        return value.toDateTime().toUTC();
    QDateTime parsed = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return parsed.isValid() ? parsed.toUTC() : QDateTime();
}

qint64 fromDbTimeMs(const QVariant &value)
{
    const QDateTime time = fromDbTime(value);
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

QString fromDbId(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.typeId() == QMetaType::QUuid)
        return value.toUuid().toString(QUuid::WithoutBraces);
    return value.toString();
}

bool isDbId(const QString &text, SqlDialect dialect)
{
    return dialect != SqlDialect::Postgresql || !QUuid::fromString(text).isNull();
}

QString jsonArrayContains(SqlDialect dialect, const QString &column, const QString &placeholder)
{
    // Containment (@>) rather than the jsonb "?" operator: Qt would take the "?" for a
    // positional placeholder, and @> is what the GIN index (jsonb_path_ops) on tags serves.
    if (dialect == SqlDialect::Postgresql)
        return QStringLiteral("%1 @> jsonb_build_array(CAST(%2 AS text))").arg(column, placeholder);
    return QStringLiteral("EXISTS (SELECT 1 FROM json_each(%1) WHERE json_each.value = %2)")
        .arg(column, placeholder);
}

bool isUniqueViolation(const QSqlError &error, SqlDialect dialect)
{
    if (dialect == SqlDialect::Postgresql)
        return error.nativeErrorCode() == QLatin1String("23505");
    // SQLITE_CONSTRAINT (19), extended SQLITE_CONSTRAINT_UNIQUE (2067) / PRIMARYKEY (1555).
    const QString code = error.nativeErrorCode();
    return code == QLatin1String("2067") || code == QLatin1String("1555") ||
           (sqlitePrimaryCode(error) == 19 &&
            error.databaseText().contains(QLatin1String("UNIQUE"), Qt::CaseInsensitive));
}

bool isTransient(const QSqlError &error, SqlDialect dialect)
{
    if (error.type() == QSqlError::ConnectionError)
        return true;
    if (dialect == SqlDialect::Postgresql) {
        const QString code = error.nativeErrorCode();
        return code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("53")) ||
               code.startsWith(QLatin1String("57P")) || code == QLatin1String("40001") ||
               code == QLatin1String("40P01");
    }
    switch (sqlitePrimaryCode(error)) {
    case 5:  // SQLITE_BUSY
    case 6:  // SQLITE_LOCKED
    case 8:  // SQLITE_READONLY
    case 10: // SQLITE_IOERR
    case 13: // SQLITE_FULL
    case 14: // SQLITE_CANTOPEN
        return true;
    default:
        return false;
    }
}

} // namespace spidi::sql
