#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace spidi::test {

// A real `spidi-server` (SPIDI_SERVER_BIN) on 127.0.0.1 and a port the OS picked, with its own
// data directory; the port is read from its "server.listening" log line.
class ServerProcess
{
public:
    ServerProcess();
    ~ServerProcess();

    // Starts with --port 0 --bind 127.0.0.1 --data-dir <tmp> --log-format json plus `extra`.
    // Returns false (with the log in errorText()) when it did not come up in 20 s.
    bool start(const QStringList &extra = {});
    // SIGTERM and wait; returns the exit code (-1 if it had to be killed).
    int terminate();
    void kill();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir.path(); }
    QString databaseFile() const { return m_dataDir.filePath(QStringLiteral("spidi.db")); }
    QUrl httpUrl(const QString &path) const;
    QUrl wsUrl() const;
    QString errorText() const { return QString::fromUtf8(m_log); }
    // Log lines (parsed JSON) whose "event" equals `event`.
    QList<QJsonObject> logEvents(const QString &event) const;

    // Mints a token with the server's own secret (`spidi-server token`).
    QByteArray token(const QString &sub, const QString &tenant, const QStringList &perms,
                     const QString &ttl = QStringLiteral("1h")) const;

private:
    void readLog();

    QTemporaryDir m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    quint16 m_port = 0;
};

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const;
    QList<QPair<QByteArray, QByteArray>> headers;
};

// Synchronous-looking HTTP for tests: runs the event loop until the reply finishes (no sleeps).
HttpReply httpRequest(QNetworkAccessManager &manager, const QByteArray &verb, const QUrl &url,
                      const QByteArray &token = {}, const QJsonObject &body = {},
                      const QList<QPair<QByteArray, QByteArray>> &headers = {});

// Sends `request` verbatim over a plain TCP socket and parses the HTTP response (for requests
// QNetworkAccessManager rewrites, such as a WebSocket upgrade).
HttpReply rawHttpRequest(quint16 port, const QByteArray &request);

// A WebSocket upgrade request for `path` with an optional bearer token.
QByteArray upgradeRequest(const QByteArray &path, const QByteArray &token);

} // namespace spidi::test
