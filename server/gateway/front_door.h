#pragma once

#include "auth/principal.h"
#include "core/result.h"

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

#include <functional>

class QAbstractHttpServer;
class QTcpSocket;
class QWebSocketServer;

namespace spidi {

// Hands a socket whose request the front door already inspected to QAbstractHttpServer, which
// in Qt 6.4 only takes connections from a QTcpServer.
class HttpHandoffServer final : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;
    void handOver(QTcpSocket *socket);
};

// The one listening port (SPEC 4, 5): reads each connection's first request head and routes
// it. A WebSocket upgrade on /ws/presence is authenticated before the handshake (401 with a
// problem+json body when the token is missing or invalid; the one exception is a STOMP upgrade
// without any token, which authenticates with its CONNECT frame under a deadline) and handed to
// the QWebSocketServer, which negotiates the subprotocol; any
// other request goes to the REST server. Qt 6.4's QHttpServer upgrades sockets itself without
// an authentication or subprotocol hook, hence this small dispatcher in front of it.
class FrontDoor : public QObject
{
    Q_OBJECT
public:
    using Authenticator =
        std::function<Result<Principal>(const QByteArray &authorization, const QByteArray &query)>;
    static constexpr qint64 MaxRequestHeadBytes = 16 * 1024;
    static inline const QByteArray WebSocketPath = QByteArrayLiteral("/ws/presence");

    FrontDoor(Authenticator authenticate, QWebSocketServer &webSockets, QObject *parent = nullptr);

    void setHttpServer(QAbstractHttpServer &http);
    // Admission control: returns false when no further WebSocket may be opened.
    void setWebSocketAdmission(std::function<bool()> admit) { m_admit = std::move(admit); }
    // A client that has not finished its request head by then is dropped (default 10 s).
    void setRequestHeadTimeoutMs(int timeoutMs) { m_headTimeoutMs = timeoutMs; }
    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_listener.serverPort(); }
    QString errorString() const { return m_listener.errorString(); }
    void close() { m_listener.close(); }

private:
    void onNewConnection();
    void inspect(QTcpSocket *socket);
    void reject(QTcpSocket *socket, int status, const QByteArray &reason, const QString &detail,
                const QByteArray &extraHeaders = {});

    Authenticator m_authenticate;
    QWebSocketServer &m_webSockets;
    QTcpServer m_listener;
    HttpHandoffServer *m_http = nullptr; // owned by the QAbstractHttpServer it is bound to
    std::function<bool()> m_admit;
    int m_headTimeoutMs = 10000;
};

} // namespace spidi
