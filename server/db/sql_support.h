#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

namespace spidi::sql {

// An Error for a failed statement, logged once here with what was being done, so callers just
// propagate it. Busy/locked/IO errors are Unavailable (a retry may work), the rest Internal.
Error queryError(const QSqlQuery &query, SqlDialect dialect, const QString &what);

// Prepares and executes; the Error says what failed.
Status exec(QSqlQuery &query, SqlDialect dialect, const QString &what);
Status prepare(QSqlQuery &query, const QString &sql, SqlDialect dialect, const QString &what);

// Rolls back on scope exit unless commit() succeeded, so early error returns cannot leave a
// transaction open on the shared main-thread connection.
class Transaction
{
public:
    explicit Transaction(const Database &database);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    // A transaction for work that touches no tenant-owned table (migrations, room types).
    Status begin();
    // A transaction confined to one tenant. On PostgreSQL it first runs
    // set_config('app.tenant_id', tenantId, true): transaction-local, so row-level security
    // shows and accepts only that tenant's rows until commit or rollback. The repositories keep
    // their own WHERE tenant_id filters as well (SQLite has no row-level security).
    Status beginForTenant(const QString &tenantId);
    // The deliberate cross-tenant path (docs/schema.md, "Bypass"): on PostgreSQL it runs
    // set_config('app.bypass_rls', 'on', true), transaction-local. Only system work that is not
    // driven by a request may use it: the presence engine's start-up room load, the session
    // history write-behind and closing sessions left open by a crash. Never a REST path.
    Status beginCrossTenant(const QString &why);
    Status commit();

private:
    bool startTransaction(QSqlError &error);
    Status setLocal(const QString &name, const QString &value);

    const Database &m_database;
    QSqlDatabase m_db;
    SqlDialect m_dialect;
    bool m_open = false;
};

} // namespace spidi::sql
