#pragma once

#include "gateway/client_connection.h"
#include "gateway/front_door.h"

#include <QHash>
#include <QObject>
#include <QWebSocketServer>

class QHttpServer;

namespace spidi {

class PresenceEngine;
class ServerMetrics;
class SubscriptionHub;

// Accepts authenticated WebSockets, picks their framing, and turns their requests into calls
// on the presence engine and the subscription hub.
class WebSocketGateway : public QObject
{
    Q_OBJECT
public:
    WebSocketGateway(PresenceEngine &engine, SubscriptionHub &hub,
                     FrontDoor::Authenticator authenticate, GatewayLimits limits,
                     ServerMetrics *metrics, QObject *parent = nullptr);
    ~WebSocketGateway() override;

    QWebSocketServer &server() { return m_server; }
    int connectionCount() const { return int(m_connections.size()); }
    // Closes every socket (going away) without ending sessions: they can resume elsewhere.
    void closeAll();
    // Also serve WebSocket upgrades that reach the REST server (see the .cpp).
    void acceptUpgradesFrom(QHttpServer &http);

private:
    void onNewConnection();
    void accept(std::unique_ptr<QWebSocket> socket);
    void onRequest(ClientConnection *connection, const protocol::ClientMessage &message);
    void onClosed(ClientConnection *connection);
    void onSessionEnded(const SessionRecord &session, ConnectionId connection);
    void replyFailure(ClientConnection *connection, const std::optional<qint64> &ref,
                      const PresenceFailure &failure);

    PresenceEngine &m_engine;
    SubscriptionHub &m_hub;
    FrontDoor::Authenticator m_authenticate;
    GatewayLimits m_limits;
    ServerMetrics *m_metrics;
    QWebSocketServer m_server;
    QHash<ConnectionId, ClientConnection *> m_connections;
    ConnectionId m_nextId = 1;
};

} // namespace spidi
