#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QVariant>

#include <memory>

namespace spidi::test {

// A throw-away PostgreSQL server for the integration suites: initdb into a temporary directory,
// `postgres` on 127.0.0.1 and a free port, a superuser `spidi_admin` (trust auth) and a plain
// login role `spidi_app` (NOSUPERUSER NOBYPASSRLS) that the server code connects as, so that
// row-level security applies to it exactly as in production.
//
// initdb and postgres refuse to run as root; when the tests run as root both are started as the
// `postgres` system user (setpriv) with the temporary directory handed over to that user.
// Binaries: $SPIDI_PG_BINDIR, else the newest /usr/lib/postgresql/<n>/bin, else the PATH.
class PostgresProcess
{
public:
    PostgresProcess();
    ~PostgresProcess();
    PostgresProcess(const PostgresProcess &) = delete;
    PostgresProcess &operator=(const PostgresProcess &) = delete;

    // initdb, start, wait until it accepts connections (30 s), create the role spidi_app.
    // Returns false with the reason in errorText().
    bool start();
    void stop();
    bool isRunning() const;
    // Fast shutdown of the postgres process only: the data directory and port are kept so that
    // restart() brings the same cluster back on the same port (outage tests).
    void stopKeepingData();
    // Starts postgres again on the same port and data directory; waits until it accepts
    // connections (30 s). Returns false with errorText() on failure.
    bool restart();

    // A new, empty database owned by spidi_admin in which spidi_app may create tables (the
    // server runs its migrations as spidi_app and so owns them; FORCE ROW LEVEL SECURITY keeps
    // the owner subject to the policies). Returns false with errorText() on failure.
    bool createDatabase(const QString &name);
    // postgresql://spidi_app:…@127.0.0.1:<port>/<database>
    QString appUrl(const QString &database) const;
    // Runs one statement as the superuser in `database`; the first column of the first row, or
    // an invalid QVariant (errorText() says why) on failure.
    QVariant adminScalar(const QString &database, const QString &sql);
    bool adminExec(const QString &database, const QString &sql);

    quint16 port() const { return m_port; }
    QString errorText() const { return m_error; }

    static QString appUser() { return QStringLiteral("spidi_app"); }
    static QString appPassword() { return QStringLiteral("spidi_app_pw"); }

private:
    QString binary(const QString &name) const;
    // The program and arguments, prefixed to drop root privileges when needed.
    QStringList command(const QString &program, const QStringList &arguments) const;
    bool runToCompletion(const QString &program, const QStringList &arguments, int timeoutMs);
    bool waitUntilReady(int timeoutMs);
    QStringList serverCommand() const;
    QString openAdmin(const QString &database);

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_server;
    QString m_binDir;
    quint16 m_port = 0;
    bool m_asPostgresUser = false;
    QString m_error;
    int m_connectionSerial = 0;
};

} // namespace spidi::test
