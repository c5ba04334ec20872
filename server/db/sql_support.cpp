#include "db/sql_support.h"

#include "db/sql_dialect.h"
#include "logging/log_categories.h"

#include <QSqlError>

namespace spidi::sql {

Error queryError(const QSqlQuery &query, SqlDialect dialect, const QString &what)
{
    const QSqlError error = query.lastError();
    const ErrorKind kind =
        isTransient(error, dialect) ? ErrorKind::Unavailable : ErrorKind::Internal;
    qCWarning(lcDb).noquote() << "sql.failed: what=" << what
                              << "native_code=" << error.nativeErrorCode()
                              << "error=" << error.text() << "sql=" << query.lastQuery();
    return makeError(kind, QStringLiteral("%1 failed: %2").arg(what, error.text()));
}

Status exec(QSqlQuery &query, SqlDialect dialect, const QString &what)
{
    if (!query.exec())
        return queryError(query, dialect, what);
    return Ok{};
}

Status prepare(QSqlQuery &query, const QString &sql, SqlDialect dialect, const QString &what)
{
    if (!query.prepare(sql))
        return queryError(query, dialect, what);
    return Ok{};
}

Transaction::Transaction(const Database &database)
    : m_database(database), m_db(database.handle()), m_dialect(database.dialect())
{}

Transaction::~Transaction()
{
    if (m_open && !m_db.rollback())
        qCWarning(lcDb).noquote() << "sql.rollback failed: connection=" << m_db.connectionName()
                                  << "error=" << m_db.lastError().text();
}

bool Transaction::startTransaction(QSqlError &error)
{
    if (m_dialect != SqlDialect::Sqlite) {
        const bool started = m_db.transaction();
        if (!started)
            error = m_db.lastError();
        return started;
    }
    // In WAL mode a deferred transaction that reads and then writes fails at once with
    // "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) when another connection (the
    // history writer thread) committed in between. BEGIN IMMEDIATE takes the write lock up
    // front, so it waits for the other writer (busy_timeout) instead. COMMIT and ROLLBACK stay
    // with the driver.
    QSqlQuery begin(m_db);
    const bool started = begin.exec(QStringLiteral("BEGIN IMMEDIATE"));
    if (!started)
        error = begin.lastError();
    return started;
}

Status Transaction::begin()
{
    QSqlError error;
    if (m_db.isOpen() && startTransaction(error)) {
        m_open = true;
        return Ok{};
    }
    if (!m_db.isOpen())
        error = m_db.lastError();
    // A PostgreSQL restart breaks the connection for good, and QPSQL reports it as a failed
    // BEGIN without a SQLSTATE, so it cannot be told apart from other BEGIN failures: reopen
    // and try once more. Nothing has run in this transaction yet, so the retry is safe; a
    // database that is really down fails fast (connection refused) and the caller gets 503.
    if (m_dialect == SqlDialect::Postgresql || !m_db.isOpen()) {
        const Status reopened = m_database.reconnect();
        if (reopened && startTransaction(error)) {
            qCInfo(lcDb).noquote() << "sql.reconnected: connection=" << m_db.connectionName()
                                   << "after=" << error.text();
            m_open = true;
            return Ok{};
        }
        if (!reopened) {
            qCWarning(lcDb).noquote() << "sql.begin failed: connection=" << m_db.connectionName()
                                      << "error=" << reopened.error().message;
            return makeError(
                ErrorKind::Unavailable,
                QStringLiteral("cannot begin a transaction: %1").arg(reopened.error().message));
        }
    }
    qCWarning(lcDb).noquote() << "sql.begin failed: connection=" << m_db.connectionName()
                              << "error=" << error.text();
    return makeError(isTransient(error, m_dialect) || error.type() == QSqlError::ConnectionError
                         ? ErrorKind::Unavailable
                         : ErrorKind::Internal,
                     QStringLiteral("cannot begin a transaction: %1").arg(error.text()));
}

Status Transaction::beginForTenant(const QString &tenantId)
{
    if (tenantId.isEmpty())
        return makeError(ErrorKind::Internal,
                         QStringLiteral("a tenant-scoped transaction needs a tenant"));
    if (auto begun = begin(); !begun)
        return begun;
    return setLocal(QStringLiteral("app.tenant_id"), tenantId);
}

Status Transaction::beginCrossTenant(const QString &why)
{
    if (auto begun = begin(); !begun)
        return begun;
    qCDebug(lcDb).noquote() << "sql.cross_tenant: connection=" << m_db.connectionName()
                            << "why=" << why;
    return setLocal(QStringLiteral("app.bypass_rls"), QStringLiteral("on"));
}

Status Transaction::setLocal(const QString &name, const QString &value)
{
    if (m_dialect != SqlDialect::Postgresql)
        return Ok{};
    QSqlQuery query(m_db);
    if (auto prepared = prepare(query, QStringLiteral("SELECT set_config(?, ?, true)"), m_dialect,
                                QStringLiteral("preparing set_config(%1)").arg(name));
        !prepared)
        return prepared;
    query.addBindValue(name);
    query.addBindValue(value);
    return exec(query, m_dialect, QStringLiteral("set_config(%1)").arg(name));
}

Status Transaction::commit()
{
    if (!m_open)
        return makeError(ErrorKind::Internal, QStringLiteral("commit without a transaction"));
    if (!m_db.commit()) {
        const QSqlError error = m_db.lastError();
        qCWarning(lcDb).noquote() << "sql.commit failed: connection=" << m_db.connectionName()
                                  << "error=" << error.text();
        return makeError(isTransient(error, m_dialect) ? ErrorKind::Unavailable
                                                       : ErrorKind::Internal,
                         QStringLiteral("cannot commit: %1").arg(error.text()));
    }
    m_open = false;
    return Ok{};
}

} // namespace spidi::sql
