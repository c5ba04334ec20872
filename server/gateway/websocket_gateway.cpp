#include "websocket_gateway.h"

#include "gateway/stomp_framing.h"
#include "gateway/subscription_hub.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "metrics/server_metrics.h"
#include "presence/presence_engine.h"
#include "rest/problem.h"

#include <QHttpServer>
#include <QUrlQuery>

namespace spidi {

using protocol::ClientMessage;

namespace {
template <class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
} // namespace

WebSocketGateway::WebSocketGateway(PresenceEngine &engine, SubscriptionHub &hub,
                                   FrontDoor::Authenticator authenticate, GatewayLimits limits,
                                   ServerMetrics *metrics, QObject *parent)
    : QObject(parent), m_engine(engine), m_hub(hub), m_authenticate(std::move(authenticate)),
      m_limits(limits), m_metrics(metrics),
      m_server(QStringLiteral("spidi-server"), QWebSocketServer::NonSecureMode)
{
    m_server.setSupportedSubprotocols(QStringList{JsonFraming::name()} +
                                      StompFraming::subprotocols());
    connect(&m_server, &QWebSocketServer::newConnection, this, &WebSocketGateway::onNewConnection);
    connect(&m_engine, &PresenceEngine::sessionEnded, this, &WebSocketGateway::onSessionEnded);
}

WebSocketGateway::~WebSocketGateway()
{
    closeAll();
}

void WebSocketGateway::closeAll()
{
    const auto connections = m_connections.values();
    for (ClientConnection *c : connections) {
        c->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        onClosed(c);
    }
}

void WebSocketGateway::onNewConnection()
{
    while (m_server.hasPendingConnections())
        accept(std::unique_ptr<QWebSocket>(m_server.nextPendingConnection()));
}

void WebSocketGateway::acceptUpgradesFrom(QHttpServer &http)
{
    // A proxy that keeps upstream connections alive (nginx keepalive, HAProxy http-reuse) may
    // send an upgrade on a connection whose first request was REST: the front door has handed
    // that connection to QHttpServer by then, which performs the handshake itself. Qt 6.4
    // upgrades only requests that a route handles, so the route exists and answers nothing:
    // the socket then belongs to the WebSocket server.
    http.route(QStringLiteral("/ws/presence"),
               [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                   if (request.value("Upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
                       return;
                   rest::problem(QHttpServerResponse::StatusCode::UpgradeRequired,
                                 QStringLiteral("Upgrade required"),
                                 QStringLiteral("/ws/presence is a WebSocket endpoint"))
                       .write(std::move(responder));
               });
    connect(&http, &QAbstractHttpServer::newWebSocketConnection, this, [this, &http] {
        while (http.hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> socket = http.nextPendingWebSocketConnection();
            if (socket->requestUrl().path() != QLatin1String("/ws/presence")) {
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                              QStringLiteral("no WebSocket endpoint at this path"));
                continue;
            }
            accept(std::move(socket));
        }
    });
}

void WebSocketGateway::accept(std::unique_ptr<QWebSocket> socket)
{
    // The front door verified the token before the upgrade; verifying again here keeps this
    // class correct on its own (and covers upgrades that reached QHttpServer) for microseconds.
    // A STOMP socket may come without a token: its CONNECT frame must then bring one.
    const QString subprotocol = socket->subprotocol();
    const bool stomp = StompFraming::isStomp(subprotocol);
    const QNetworkRequest request = socket->request();
    const QByteArray authorization = request.rawHeader("Authorization");
    const QByteArray query = request.url().query(QUrl::FullyEncoded).toUtf8();
    const Result<Principal> principal = m_authenticate(authorization, query);
    const bool offeredToken = !authorization.isEmpty() || query.contains("access_token=");
    if (!principal && (!stomp || offeredToken)) {
        socket->close(QWebSocketProtocol::CloseCode(4401), principal.error().message);
        return;
    }
    ClientConnection::FramingFactory makeFraming;
    if (stomp) {
        StompOptions options;
        options.heartBeatMs = m_limits.stompHeartBeatMs;
        options.connectTimeoutMs = m_limits.stompConnectTimeoutMs;
        options.maxFrameBytes = m_limits.maxFrameBytes;
        makeFraming = [subprotocol, options](FramingHost &host) {
            return std::make_unique<StompFraming>(host, subprotocol, options);
        };
    } else {
        makeFraming = [](FramingHost &) { return std::make_unique<JsonFraming>(); };
    }
    const ConnectionId id = m_nextId++;
    auto login = [this](const QByteArray &authorizationHeader) {
        return m_authenticate(authorizationHeader, {});
    };
    auto *connection = new ClientConnection(
        id, std::move(socket), principal ? std::optional<Principal>(*principal) : std::nullopt,
        makeFraming, login, m_limits, this);
    m_connections.insert(id, connection);
    connect(connection, &ClientConnection::requestReceived, this, &WebSocketGateway::onRequest);
    connect(connection, &ClientConnection::closed, this, &WebSocketGateway::onClosed);
    connect(connection, &ClientConnection::drained, &m_hub, &SubscriptionHub::resync);
    if (m_metrics)
        m_metrics->websocketConnections.Set(double(m_connections.size()));
    logEvent(lcGateway(), QtInfoMsg, "websocket.opened",
             {{"user_id", connection->principal().userId},
              {"tenant_id", connection->principal().tenantId},
              {"subprotocol", connection->framing().subprotocol()},
              {"authenticated", connection->hasPrincipal()},
              {"ip", connection->peerIp()}});
}

void WebSocketGateway::replyFailure(ClientConnection *connection, const std::optional<qint64> &ref,
                                    const PresenceFailure &failure)
{
    if (m_metrics)
        m_metrics->errorSent(protocol::errorCodeName(failure.code));
    connection->sendError(ref, failure.code, failure.message);
}

void WebSocketGateway::onRequest(ClientConnection *c, const ClientMessage &message)
{
    const auto &ref = message.seq;
    std::visit(
        Overloaded{
            [&](const protocol::Hello &hello) {
                if (m_metrics)
                    m_metrics->messageReceived(QStringLiteral("HELLO"));
                auto outcome = m_engine.hello(c->principal(), hello, c->peerIp(), c->id());
                if (auto *ack = std::get_if<protocol::HelloAck>(&outcome))
                    c->send(Framing::Outbound::Reply, protocol::encodeHelloAck(ref, *ack));
                else
                    replyFailure(c, ref, std::get<PresenceFailure>(outcome));
            },
            [&](const protocol::Heartbeat &heartbeat) {
                if (m_metrics) {
                    m_metrics->messageReceived(QStringLiteral("HEARTBEAT"));
                    if (heartbeat.latencyMs)
                        m_metrics->heartbeatLatencyMs.Observe(*heartbeat.latencyMs);
                }
                auto outcome = m_engine.heartbeat(c->principal(), heartbeat, c->id());
                if (auto *serverTime = std::get_if<qint64>(&outcome))
                    c->send(Framing::Outbound::Reply,
                            protocol::encodeHeartbeatAck(ref, heartbeat.sessionId, *serverTime));
                else
                    replyFailure(c, ref, std::get<PresenceFailure>(outcome));
            },
            [&](const protocol::Leave &leave) {
                if (m_metrics)
                    m_metrics->messageReceived(QStringLiteral("LEAVE"));
                auto outcome = m_engine.leave(c->principal(), leave);
                if (auto *sessionId = std::get_if<QString>(&outcome))
                    c->send(Framing::Outbound::Reply, protocol::encodeLeaveAck(ref, *sessionId));
                else
                    replyFailure(c, ref, std::get<PresenceFailure>(outcome));
            },
            [&](const protocol::Subscribe &subscribe) {
                if (m_metrics)
                    m_metrics->messageReceived(QStringLiteral("SUBSCRIBE"));
                m_hub.subscribe(c, ref, subscribe.topic);
            },
            [&](const protocol::Unsubscribe &unsubscribe) {
                if (m_metrics)
                    m_metrics->messageReceived(QStringLiteral("UNSUBSCRIBE"));
                m_hub.unsubscribe(c, ref, unsubscribe.topic);
            },
        },
        message.request);
}

void WebSocketGateway::onClosed(ClientConnection *connection)
{
    if (!m_connections.remove(connection->id()))
        return;
    m_hub.removeConnection(connection);
    m_engine.connectionClosed(connection->id());
    if (m_metrics)
        m_metrics->websocketConnections.Set(double(m_connections.size()));
    connection->deleteLater();
}

void WebSocketGateway::onSessionEnded(const SessionRecord &session, ConnectionId connection)
{
    if (connection == 0 || !session.endReason || *session.endReason == SessionEndReason::Left)
        return;
    if (ClientConnection *c = m_connections.value(connection))
        c->send(Framing::Outbound::Notice,
                protocol::encodeSessionEnded(session.id, session.roomCode, *session.endReason));
}

} // namespace spidi
