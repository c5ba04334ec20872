#pragma once

#include "db/database.h"
#include "db/migration_runner.h"
#include "postgres_process.h"

#include <QList>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace spidi::test {

// Migrated, empty databases of either SQL dialect for the suites that run the same cases on
// SQLite and PostgreSQL: SQLite files in a temporary directory, and databases on one throw-away
// PostgreSQL server started by start(). Header-only, so that the support library does not need
// the server library (the suites link both).
class DialectDatabases
{
public:
    // A data column "dialect" with rows "sqlite" and "postgresql".
    static void addDialectRows()
    {
        QTest::addColumn<SqlDialect>("dialect");
        QTest::newRow("sqlite") << SqlDialect::Sqlite;
        QTest::newRow("postgresql") << SqlDialect::Postgresql;
    }

    // Starts PostgreSQL; false with errorText() when it does not come up.
    bool start()
    {
        m_pg = std::make_unique<PostgresProcess>();
        return m_dir.isValid() && m_pg->start();
    }
    QString errorText() const { return m_pg ? m_pg->errorText() : QString(); }
    PostgresProcess &postgres() { return *m_pg; }
    // The PostgreSQL database open() made last (for superuser checks behind the policies).
    QString lastPostgresDatabase() const { return m_lastPgDatabase; }

    // A new database of `dialect` with the migrations of `migrationsDir` applied (default: the
    // ones compiled into the server). Fails the whole run if it cannot be made.
    Database open(SqlDialect dialect, const QString &prefix, const QString &migrationsDir = {})
    {
        const int serial = ++m_serial;
        QString url;
        if (dialect == SqlDialect::Postgresql) {
            m_lastPgDatabase = QStringLiteral("spidi_%1_%2").arg(prefix).arg(serial);
            if (!m_pg->createDatabase(m_lastPgDatabase))
                qFatal("%s", qPrintable(m_pg->errorText()));
            url = m_pg->appUrl(m_lastPgDatabase);
        } else {
            url = QStringLiteral("sqlite://") +
                  m_dir.filePath(QStringLiteral("%1-%2.db").arg(prefix).arg(serial));
        }
        auto db = Database::open(DatabaseConfig{url, {}},
                                 QStringLiteral("tst-%1-%2").arg(prefix).arg(serial));
        if (!db)
            qFatal("open %s: %s", qPrintable(url), qPrintable(db.error().message));
        auto applied = migrationsDir.isEmpty() ? applyMigrations(db.value())
                                               : applyMigrations(db.value(), migrationsDir);
        if (!applied)
            qFatal("migrate %s: %s", qPrintable(url), qPrintable(applied.error().message));
        m_open.append(db.value());
        return db.value();
    }

    // Closes what open() made (call from cleanup()).
    void closeAll()
    {
        for (Database &db : m_open)
            db.close();
        m_open.clear();
    }

private:
    std::unique_ptr<PostgresProcess> m_pg;
    QTemporaryDir m_dir;
    QList<Database> m_open;
    int m_serial = 0;
    QString m_lastPgDatabase;
};

} // namespace spidi::test

Q_DECLARE_METATYPE(spidi::SqlDialect)
