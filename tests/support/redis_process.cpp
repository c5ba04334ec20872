#include "redis_process.h"

#include <QDir>

#include <QDeadlineTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

namespace spidi::test {

namespace {
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

// A recognisable name: the backing_servers_cleaned_up fixture looks for leftovers by it.
RedisProcess::RedisProcess() : m_dir(QDir::tempPath() + QStringLiteral("/spidi-redis-XXXXXX")) {}

RedisProcess::~RedisProcess()
{
    if (isRunning())
        kill();
}

bool RedisProcess::start(const QString &password)
{
    if (!password.isEmpty())
        m_password = password;
    if (m_port == 0)
        m_port = freePort();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setWorkingDirectory(m_dir.path());
    QStringList arguments = {QStringLiteral("--port"),       QString::number(m_port),
                             QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                             QStringLiteral("--save"),       QString(),
                             QStringLiteral("--appendonly"), QStringLiteral("no"),
                             QStringLiteral("--dir"),        m_dir.path(),
                             QStringLiteral("--daemonize"),  QStringLiteral("no")};
    if (!m_password.isEmpty())
        arguments += {QStringLiteral("--requirepass"), m_password};
    // Dies with the test process (crash, CTest timeout) instead of running on.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(QStringLiteral("redis-server"), arguments);
    if (!m_process->waitForStarted(10000)) {
        m_log = QStringLiteral("cannot start redis-server: ") + m_process->errorString();
        return false;
    }
    // Ready when a PING gets any answer (+PONG, or -NOAUTH with a password).
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (socket.waitForConnected(500)) {
            socket.write("PING\r\n");
            if (socket.waitForReadyRead(1000) && !socket.readAll().isEmpty())
                return true;
        }
        QThread::msleep(20);
    }
    m_log += QString::fromUtf8(m_process->readAll());
    return false;
}

void RedisProcess::stop(bool save)
{
    if (!isRunning())
        return;
    cli({QStringLiteral("SHUTDOWN"), save ? QStringLiteral("SAVE") : QStringLiteral("NOSAVE")});
    if (!m_process->waitForFinished(10000))
        kill();
    m_log += QString::fromUtf8(m_process->readAll());
}

void RedisProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_log += QString::fromUtf8(m_process->readAll());
}

void RedisProcess::pause()
{
    if (isRunning())
        ::kill(pid_t(m_process->processId()), SIGSTOP);
}

void RedisProcess::resume()
{
    if (isRunning())
        ::kill(pid_t(m_process->processId()), SIGCONT);
}

bool RedisProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString RedisProcess::url(int db) const
{
    const QString credentials = m_password.isEmpty() ? QString() : u':' + m_password + u'@';
    return QStringLiteral("redis://") + credentials +
           QStringLiteral("127.0.0.1:%1/%2").arg(m_port).arg(db);
}

QByteArray RedisProcess::cli(const QStringList &args, int db) const
{
    QProcess process;
    QStringList arguments = {QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                             QStringLiteral("-p"), QString::number(m_port),
                             QStringLiteral("-n"), QString::number(db)};
    if (!m_password.isEmpty())
        arguments += {QStringLiteral("-a"), m_password, QStringLiteral("--no-auth-warning")};
    arguments += args;
    process.start(QStringLiteral("redis-cli"), arguments);
    process.waitForFinished(10000);
    return process.readAllStandardOutput().trimmed();
}

} // namespace spidi::test
