#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace spidi::test {

// A real `redis-server` on 127.0.0.1 and a free port, working in its own temporary directory
// (--save '' --appendonly no). stop()/kill() and start() again reuse the same port, so clients
// configured with url() reconnect to the new process.
class RedisProcess
{
public:
    RedisProcess();
    ~RedisProcess();

    // Starts and waits until it accepts connections (up to 10 s). The password is remembered
    // for restarts.
    bool start(const QString &password = {});
    // SHUTDOWN (with `save`, into the temporary directory, so start() loads the data again).
    void stop(bool save = false);
    // SIGKILL: the process vanishes mid-run.
    void kill();
    bool isRunning() const;
    // SIGSTOP / SIGCONT: a Redis that keeps its sockets open but stops answering.
    void pause();
    void resume();

    quint16 port() const { return m_port; }
    // redis://[:password@]127.0.0.1:<port>[/db]
    QString url(int db = 0) const;
    QString errorText() const { return m_log; }
    // Runs redis-cli against this server (auth included) and returns its trimmed output.
    QByteArray cli(const QStringList &args, int db = 0) const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_password;
    QString m_log;
    quint16 m_port = 0;
};

} // namespace spidi::test
