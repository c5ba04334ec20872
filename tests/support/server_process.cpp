#include "server_process.h"

#include <QDir>

#include <csignal>
#include <sys/prctl.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>
#include <QTcpSocket>
#include <QTimer>

#include <csignal>

namespace spidi::test {

namespace {
QString serverBinary()
{
    return qEnvironmentVariable("SPIDI_SERVER_BIN");
}
} // namespace

// A recognisable name: the backing_servers_cleaned_up fixture looks for leftovers by it.
ServerProcess::ServerProcess()
    : m_dataDir(QDir::tempPath() + QStringLiteral("/spidi-server-XXXXXX"))
{}

ServerProcess::~ServerProcess()
{
    if (isRunning())
        kill();
}

bool ServerProcess::start(const QStringList &extra)
{
    m_port = 0;
    m_log.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Only what the test passes counts, not the developer's shell.
    for (const QString &key : env.keys())
        if (key.startsWith(QLatin1String("SPIDI_")) && key != QLatin1String("SPIDI_SERVER_BIN") &&
            key != QLatin1String("SPIDI_SOURCE_DIR"))
            env.remove(key);
    m_process->setProcessEnvironment(env);
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(), [this] { readLog(); });
    QStringList arguments = {QStringLiteral("--port"),       QStringLiteral("0"),
                             QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                             QStringLiteral("--data-dir"),   m_dataDir.path(),
                             QStringLiteral("--log-format"), QStringLiteral("json")};
    arguments += extra;
    // Dies with the test process (crash, CTest timeout) instead of running on.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(serverBinary(), arguments);
    if (!m_process->waitForStarted(10000)) {
        m_log +=
            "cannot start " + serverBinary().toUtf8() + ": " + m_process->errorString().toUtf8();
        return false;
    }
    QDeadlineTimer deadline(20000);
    while (m_port == 0 && !deadline.hasExpired() && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        readLog();
    }
    return m_port != 0;
}

void ServerProcess::readLog()
{
    if (!m_process)
        return;
    const QByteArray chunk = m_process->readAll();
    const qsizetype previousEnd = m_log.size();
    m_log += chunk;
    if (m_port != 0)
        return;
    const QList<QByteArray> lines = m_log.mid(previousEnd > 0 ? 0 : 0).split('\n');
    for (const QByteArray &line : lines) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value(QLatin1String("event")).toString() == QLatin1String("server.listening"))
            m_port = quint16(object.value(QLatin1String("port")).toInt());
    }
}

QList<QJsonObject> ServerProcess::logEvents(const QString &event) const
{
    QList<QJsonObject> events;
    for (const QByteArray &line : m_log.split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value(QLatin1String("event")).toString() == event)
            events.append(object);
    }
    return events;
}

int ServerProcess::terminate()
{
    if (!isRunning())
        return m_process ? m_process->exitCode() : -1;
    ::kill(pid_t(m_process->processId()), SIGTERM);
    if (!m_process->waitForFinished(20000)) {
        kill();
        return -1;
    }
    readLog();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

void ServerProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    readLog();
}

bool ServerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QUrl ServerProcess::httpUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

QUrl ServerProcess::wsUrl() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/presence").arg(m_port));
}

QByteArray ServerProcess::token(const QString &sub, const QString &tenant, const QStringList &perms,
                                const QString &ttl) const
{
    QProcess minter;
    minter.start(serverBinary(), {QStringLiteral("token"), QStringLiteral("--data-dir"),
                                  m_dataDir.path(), QStringLiteral("--sub"), sub,
                                  QStringLiteral("--tenant"), tenant, QStringLiteral("--perms"),
                                  perms.join(QLatin1Char(',')), QStringLiteral("--ttl"), ttl});
    if (!minter.waitForFinished(10000) || minter.exitCode() != 0) {
        qWarning("token command failed: %s", minter.readAllStandardError().constData());
        return {};
    }
    return minter.readAllStandardOutput().trimmed();
}

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

HttpReply httpRequest(QNetworkAccessManager &manager, const QByteArray &verb, const QUrl &url,
                      const QByteArray &token, const QJsonObject &body,
                      const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QByteArray payload;
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = manager.sendCustomRequest(request, verb, payload);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return result;
}

HttpReply rawHttpRequest(quint16 port, const QByteArray &request)
{
    HttpReply result;
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(5000))
        return result;
    socket.write(request);
    QByteArray data;
    QDeadlineTimer deadline(10000);
    // The server closes after an error response; a 101 keeps the socket open, so stop at the
    // end of the head plus Content-Length.
    for (;;) {
        const qsizetype headEnd = data.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QList<QByteArray> lines = data.left(headEnd).split('\n');
            qsizetype length = 0;
            for (const QByteArray &line : lines) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 &&
                    line.left(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0)
                    length = line.mid(colon + 1).trimmed().toLongLong();
            }
            if (data.size() >= headEnd + 4 + length) {
                const QList<QByteArray> statusLine = lines.first().split(' ');
                result.status = statusLine.size() > 1 ? statusLine.at(1).toInt() : 0;
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines.at(i).indexOf(':');
                    if (colon > 0)
                        result.headers.append({lines.at(i).left(colon).trimmed(),
                                               lines.at(i).mid(colon + 1).trimmed()});
                }
                result.body = data.mid(headEnd + 4, length);
                return result;
            }
        }
        if (deadline.hasExpired() ||
            (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))) &&
             socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0))
            return result;
        data += socket.readAll();
    }
}

QByteArray upgradeRequest(const QByteArray &path, const QByteArray &token)
{
    QByteArray request = "GET " + path +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    if (!token.isEmpty())
        request += "Authorization: Bearer " + token + "\r\n";
    return request + "\r\n";
}

} // namespace spidi::test
