#include "postgres_process.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace spidi::test {

namespace {

const QString kAdminUser = QStringLiteral("spidi_admin");

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString findBinDir()
{
    const QString fromEnv = qEnvironmentVariable("SPIDI_PG_BINDIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QDir versions(QStringLiteral("/usr/lib/postgresql"));
    QStringList entries = versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(entries.begin(), entries.end(),
              [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &entry : entries) {
        const QString bin = versions.filePath(entry + QStringLiteral("/bin"));
        if (QFile::exists(bin + QStringLiteral("/postgres")))
            return bin;
    }
    return {}; // the PATH
}

} // namespace

PostgresProcess::PostgresProcess()
{
    m_server.setProcessChannelMode(QProcess::MergedChannels);
}

PostgresProcess::~PostgresProcess()
{
    stop();
}

QString PostgresProcess::binary(const QString &name) const
{
    return m_binDir.isEmpty() ? name : m_binDir + QLatin1Char('/') + name;
}

QStringList PostgresProcess::command(const QString &program, const QStringList &arguments) const
{
    if (!m_asPostgresUser)
        return QStringList{program} + arguments;
    // setpriv execs in place (unlike runuser, which forks), so signals reach postgres itself.
    // --pdeathsig: if the test process dies (crash, CTest timeout), PostgreSQL goes with it
    // instead of running on; set by setpriv because changing the uid clears the setting.
    return QStringList{QStringLiteral("setpriv"),
                       QStringLiteral("--pdeathsig=KILL"),
                       QStringLiteral("--reuid=postgres"),
                       QStringLiteral("--regid=postgres"),
                       QStringLiteral("--init-groups"),
                       QStringLiteral("--"),
                       program} +
           arguments;
}

bool PostgresProcess::runToCompletion(const QString &program, const QStringList &arguments,
                                      int timeoutMs)
{
    const QStringList full = command(program, arguments);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir->path());
    process.start(full.first(), full.mid(1));
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        m_error = QStringLiteral("'%1' failed (%2): %3")
                      .arg(full.join(QLatin1Char(' ')), process.errorString(),
                           QString::fromLocal8Bit(process.readAll()));
        process.kill();
        process.waitForFinished(2000);
        return false;
    }
    return true;
}

bool PostgresProcess::start()
{
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/spidi-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        m_error =
            QStringLiteral("cannot create a temporary directory: %1").arg(m_dir->errorString());
        return false;
    }
    m_binDir = findBinDir();
    m_asPostgresUser = ::geteuid() == 0;
    if (m_asPostgresUser) {
        // initdb/postgres refuse root: hand the directory to the postgres system user.
        QProcess chown;
        chown.start(QStringLiteral("chown"), {QStringLiteral("postgres:postgres"), m_dir->path()});
        if (!chown.waitForFinished(10000) || chown.exitCode() != 0) {
            m_error = QStringLiteral("chown postgres %1 failed: %2")
                          .arg(m_dir->path(), QString::fromLocal8Bit(chown.readAllStandardError()));
            return false;
        }
    }
    const QString dataDir = m_dir->filePath(QStringLiteral("data"));
    // C.UTF-8 so that lower() folds every letter, as in production databases.
    if (!runToCompletion(binary(QStringLiteral("initdb")),
                         {QStringLiteral("-D"), dataDir, QStringLiteral("-U"), kAdminUser,
                          QStringLiteral("--auth=trust"), QStringLiteral("-E"),
                          QStringLiteral("UTF8"), QStringLiteral("--locale=C.UTF-8"),
                          QStringLiteral("--no-sync")},
                         60000))
        return false;

    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (m_port == 0) {
            m_error = QStringLiteral("no free port on 127.0.0.1");
            return false;
        }
        const QStringList full = serverCommand();
        m_server.setWorkingDirectory(m_dir->path());
        m_server.start(full.first(), full.mid(1));
        if (!m_server.waitForStarted(10000)) {
            m_error = QStringLiteral("cannot start postgres: %1").arg(m_server.errorString());
            return false;
        }
        if (waitUntilReady(30000))
            break;
        if (m_server.state() == QProcess::Running) {
            stop();
            return false;
        }
        m_server.waitForFinished(1000); // lost the port race: try another one
        if (attempt == 4)
            return false;
    }

    return adminExec(QStringLiteral("postgres"),
                     QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2' NOSUPERUSER NOBYPASSRLS "
                                    "NOCREATEDB NOCREATEROLE")
                         .arg(appUser(), appPassword()));
}

QStringList PostgresProcess::serverCommand() const
{
    return command(
        binary(QStringLiteral("postgres")),
        {QStringLiteral("-D"), m_dir->filePath(QStringLiteral("data")), QStringLiteral("-k"),
         m_dir->path(), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-c"),
         QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-c"),
         QStringLiteral("fsync=off"), QStringLiteral("-c"), QStringLiteral("full_page_writes=off"),
         QStringLiteral("-c"), QStringLiteral("synchronous_commit=off")});
}

bool PostgresProcess::restart()
{
    if (!m_dir || m_port == 0) {
        m_error = QStringLiteral("restart() without a previous start()");
        return false;
    }
    if (m_server.state() != QProcess::NotRunning)
        return true;
    const QStringList full = serverCommand();
    m_server.setWorkingDirectory(m_dir->path());
    m_server.start(full.first(), full.mid(1));
    if (!m_server.waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start postgres: %1").arg(m_server.errorString());
        return false;
    }
    return waitUntilReady(30000);
}

bool PostgresProcess::waitUntilReady(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QString lastError;
    while (!deadline.hasExpired()) {
        if (m_server.state() != QProcess::Running) {
            m_error = QStringLiteral("postgres exited: %1")
                          .arg(QString::fromLocal8Bit(m_server.readAll()));
            return false;
        }
        const QString name = openAdmin(QStringLiteral("postgres"));
        if (!name.isEmpty()) {
            QSqlDatabase::removeDatabase(name);
            return true;
        }
        lastError = m_error;
        m_server.waitForReadyRead(100);
        QThread::msleep(100);
    }
    m_error = QStringLiteral("postgres did not accept connections within %1 ms: %2\n%3")
                  .arg(timeoutMs)
                  .arg(lastError, QString::fromLocal8Bit(m_server.readAll()));
    return false;
}

QString PostgresProcess::openAdmin(const QString &database)
{
    const QString name = QStringLiteral("spidi-test-pg-admin-%1").arg(++m_connectionSerial);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(m_port);
        db.setUserName(kAdminUser);
        db.setDatabaseName(database);
        db.setConnectOptions(QStringLiteral("connect_timeout=5"));
        ok = db.open();
        if (!ok)
            m_error = QStringLiteral("cannot connect as %1 to %2: %3")
                          .arg(kAdminUser, database, db.lastError().text());
    }
    if (!ok) {
        QSqlDatabase::removeDatabase(name);
        return {};
    }
    return name;
}

QVariant PostgresProcess::adminScalar(const QString &database, const QString &sql)
{
    const QString name = openAdmin(database);
    if (name.isEmpty())
        return {};
    QVariant result;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        QSqlQuery query(db);
        if (!query.exec(sql))
            m_error = QStringLiteral("'%1' failed: %2").arg(sql, query.lastError().text());
        else if (query.next())
            result = query.value(0);
        else
            result = QVariant(QString());
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

bool PostgresProcess::adminExec(const QString &database, const QString &sql)
{
    return adminScalar(database, sql).isValid();
}

bool PostgresProcess::createDatabase(const QString &name)
{
    // PostgreSQL 15: only the owner may create in schema public, so grant it to spidi_app.
    return adminExec(QStringLiteral("postgres"),
                     QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(name, kAdminUser)) &&
           adminExec(name,
                     QStringLiteral("GRANT USAGE, CREATE ON SCHEMA public TO %1").arg(appUser()));
}

QString PostgresProcess::appUrl(const QString &database) const
{
    return QStringLiteral("postgresql://%1:%2@127.0.0.1:%3/%4")
        .arg(appUser(), appPassword())
        .arg(m_port)
        .arg(database);
}

bool PostgresProcess::isRunning() const
{
    return m_server.state() == QProcess::Running;
}

void PostgresProcess::stop()
{
    stopKeepingData();
    m_dir.reset(); // removes the data directory
}

void PostgresProcess::stopKeepingData()
{
    if (m_server.state() != QProcess::NotRunning) {
        // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
        ::kill(pid_t(m_server.processId()), SIGINT);
        if (!m_server.waitForFinished(20000)) {
            m_server.kill();
            m_server.waitForFinished(5000);
        }
    }
}

} // namespace spidi::test
