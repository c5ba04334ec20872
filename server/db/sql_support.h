#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QSqlDatabase>
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

    Status begin();
    Status commit();

private:
    QSqlDatabase m_db;
    SqlDialect m_dialect;
    bool m_open = false;
};

} // namespace spidi::sql
