#include "http_listener.h"

#include <QDateTime>
#include <QTcpSocket>

namespace spidi::test {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 410:
        return "Gone";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

} // namespace

QByteArray HttpRequestRecord::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpListener::HttpListener(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &HttpListener::onNewConnection);
    m_server.listen(QHostAddress::LocalHost, 0);
}

HttpListener::~HttpListener()
{
    close();
}

QUrl HttpListener::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void HttpListener::enqueue(int status, QByteArray body, HttpHeaders headers)
{
    m_script.append(Scripted{Scripted::Kind::Respond, status, std::move(body), std::move(headers)});
}

void HttpListener::enqueueHang()
{
    m_script.append(Scripted{Scripted::Kind::Hang, 0, {}, {}});
}

void HttpListener::enqueueClose()
{
    m_script.append(Scripted{Scripted::Kind::Close, 0, {}, {}});
}

void HttpListener::close()
{
    m_server.close();
    const auto sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

quint16 HttpListener::unusedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

void HttpListener::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        m_connections.insert(socket, Connection{});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_connections.remove(socket);
            socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void HttpListener::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection &connection = *it;
    connection.buffer += socket->readAll();
    if (connection.done)
        return; // one request per connection; anything after it is ignored

    const qsizetype headEnd = connection.buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    const QList<QByteArray> lines = connection.buffer.left(headEnd).split('\n');
    HttpRequestRecord request;
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    request.path = requestLine.value(1);
    qint64 contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        request.headers.append({name, value});
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            contentLength = value.toLongLong();
    }
    const qsizetype bodyStart = headEnd + 4;
    if (connection.buffer.size() - bodyStart < contentLength)
        return; // wait for the rest of the body
    request.body = connection.buffer.mid(bodyStart, contentLength);
    request.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    connection.done = true;
    m_requests.append(request);

    const Scripted scripted = m_script.isEmpty() ? Scripted{} : m_script.takeFirst();
    answer(socket, scripted);
    emit requestReceived();
}

void HttpListener::answer(QTcpSocket *socket, const Scripted &scripted)
{
    switch (scripted.kind) {
    case Scripted::Kind::Hang:
        return;
    case Scripted::Kind::Close:
        m_connections.remove(socket);
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        return;
    case Scripted::Kind::Respond:
        break;
    }
    QByteArray response = "HTTP/1.1 " + QByteArray::number(scripted.status) + ' ' +
                          reasonPhrase(scripted.status) + "\r\n";
    bool hasContentType = false;
    for (const auto &[name, value] : scripted.headers) {
        response += name + ": " + value + "\r\n";
        hasContentType |= name.compare("Content-Type", Qt::CaseInsensitive) == 0;
    }
    if (!hasContentType && !scripted.body.isEmpty())
        response += "Content-Type: text/plain\r\n";
    response += "Content-Length: " + QByteArray::number(scripted.body.size()) + "\r\n";
    response += "Connection: close\r\n\r\n";
    response += scripted.body;
    socket->write(response);
    socket->disconnectFromHost(); // after the bytes are written
}

} // namespace spidi::test
