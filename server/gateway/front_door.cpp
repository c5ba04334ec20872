#include "front_door.h"

#include "gateway/request_head.h"
#include "gateway/stomp_framing.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QAbstractHttpServer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocketServer>

#include <cstdio>

namespace spidi {

namespace {

// Qt 6.4's QAbstractHttpServer only accepts sockets from a QTcpServer, and QTcpServer warns on
// every hand-over that it is "not listening" (the front door listens, not the hand-off server).
// The sockets are delivered correctly; only these two exact messages are dropped.
QtMessageHandler g_previousHandler = nullptr;

void handoffWarningFilter(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg &&
        (message ==
             QLatin1String("QTcpServer::nextPendingConnection() called while not listening") ||
         (message.startsWith(QLatin1String("The TCP server spidi::HttpHandoffServer")) &&
          message.endsWith(QLatin1String("is not listening.")))))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
    else
        fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

void installHandoffWarningFilter()
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    g_previousHandler = qInstallMessageHandler(handoffWarningFilter);
}

} // namespace

void HttpHandoffServer::handOver(QTcpSocket *socket)
{
    addPendingConnection(socket); // emits pendingConnectionAvailable: the HTTP server takes it
}

FrontDoor::FrontDoor(Authenticator authenticate, QWebSocketServer &webSockets, QObject *parent)
    : QObject(parent), m_authenticate(std::move(authenticate)), m_webSockets(webSockets)
{
    connect(&m_listener, &QTcpServer::newConnection, this, &FrontDoor::onNewConnection);
}

void FrontDoor::setHttpServer(QAbstractHttpServer &http)
{
    installHandoffWarningFilter();
    m_http = new HttpHandoffServer;
    http.bind(m_http); // takes ownership
}

bool FrontDoor::listen(const QHostAddress &address, quint16 port)
{
    // Qt's default backlog (50) overflows when thousands of devices reconnect at once (after a
    // restart or a network blip): the kernel drops their SYNs and they retry seconds later.
    m_listener.setListenBacklogSize(4096);
    return m_listener.listen(address, port);
}

void FrontDoor::onNewConnection()
{
    while (QTcpSocket *socket = m_listener.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        // A client that never finishes its request head does not keep the socket forever.
        QTimer::singleShot(m_headTimeoutMs, socket, [socket] {
            if (socket->property("spidi_routed").toBool())
                return;
            socket->abort();
        });
        if (socket->bytesAvailable() > 0)
            inspect(socket);
    }
}

void FrontDoor::inspect(QTcpSocket *socket)
{
    const QByteArray peeked = socket->peek(MaxRequestHeadBytes + 4);
    const qsizetype end = peeked.indexOf("\r\n\r\n");
    if (end < 0) {
        if (peeked.size() > MaxRequestHeadBytes)
            reject(socket, 431, "Request Header Fields Too Large",
                   QStringLiteral("request head exceeds %1 bytes").arg(MaxRequestHeadBytes));
        return; // wait for the rest of the head
    }
    socket->disconnect(this);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->setProperty("spidi_routed", true);
    const RequestHead head = parseRequestHead(QByteArrayView(peeked).first(end));

    if (!head.upgrade.contains("websocket")) {
        if (!m_http) {
            reject(socket, 404, "Not Found", QStringLiteral("no HTTP service here"));
            return;
        }
        m_http->handOver(socket);
        // The HTTP server reads on readyRead; the head is already buffered.
        QMetaObject::invokeMethod(socket, &QTcpSocket::readyRead, Qt::QueuedConnection);
        return;
    }
    if (head.path != WebSocketPath) {
        reject(socket, 404, "Not Found",
               QStringLiteral("WebSocket endpoint is %1").arg(QLatin1String(WebSocketPath)));
        return;
    }
    // STOMP clients may authenticate in their CONNECT frame instead (SPEC 4.2): without any
    // token the upgrade goes ahead and the gateway holds the socket to a CONNECT deadline. A
    // token that is present but invalid is refused here for every framing.
    const bool offersStomp =
        std::any_of(head.subprotocols.cbegin(), head.subprotocols.cend(), [](const QByteArray &p) {
            return StompFraming::isStomp(QString::fromLatin1(p));
        });
    const bool hasToken = !head.authorization.isEmpty() || head.query.contains("access_token=");
    const Result<Principal> principal = m_authenticate(head.authorization, head.query);
    if (!principal && (hasToken || !offersStomp)) {
        logEvent(lcGateway(), QtInfoMsg, "websocket.refused",
                 {{"reason", principal.error().message}, {"ip", socket->peerAddress().toString()}});
        reject(socket, 401, "Unauthorized", principal.error().message,
               "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n");
        return;
    }
    if (m_admit && !m_admit()) {
        reject(socket, 503, "Service Unavailable",
               QStringLiteral("connection limit reached; retry later"), "Retry-After: 5\r\n");
        return;
    }
    m_webSockets.handleConnection(socket);
    QMetaObject::invokeMethod(socket, &QTcpSocket::readyRead, Qt::QueuedConnection);
}

void FrontDoor::reject(QTcpSocket *socket, int status, const QByteArray &reason,
                       const QString &detail, const QByteArray &extraHeaders)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QLatin1String("type"), QLatin1String("about:blank")},
                                  {QLatin1String("title"), QString::fromLatin1(reason)},
                                  {QLatin1String("status"), status},
                                  {QLatin1String("detail"), detail}})
            .toJson(QJsonDocument::Compact);
    socket->disconnect(this);
    socket->setProperty("spidi_routed", true);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                  "\r\nContent-Type: application/problem+json\r\nContent-Length: " +
                  QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extraHeaders +
                  "\r\n" + body);
    connect(socket, &QTcpSocket::bytesWritten, socket, [socket] {
        if (socket->bytesToWrite() == 0)
            socket->disconnectFromHost();
    });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

} // namespace spidi
