#pragma once

// The WebSocket path of the server without its process: FrontDoor -> QWebSocketServer ->
// WebSocketGateway -> ClientConnection -> PresenceEngine/SubscriptionHub on an in-memory store,
// listening on a free loopback port, with one room (LOBBY, capacity 100, tenant t1). Tokens
// are "<user>@<tenant>" and carry spidi:user and spidi:monitor.
#include "gateway/client_connection.h"
#include "gateway/front_door.h"
#include "gateway/subscription_hub.h"
#include "gateway/websocket_gateway.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "store/memory_hot_store.h"

#include <QUrl>

namespace spidi::test {

inline Result<Principal> inProcessAuthenticate(const QByteArray &authorization, const QByteArray &)
{
    if (!authorization.startsWith("Bearer "))
        return makeError(ErrorKind::Invalid, QStringLiteral("missing bearer token"));
    const QString token = QString::fromUtf8(authorization.mid(7));
    const qsizetype at = token.indexOf(QLatin1Char('@'));
    if (at <= 0)
        return makeError(ErrorKind::Invalid, QStringLiteral("malformed test token"));
    return Principal{token.left(at), token.mid(at + 1), {perm::User, perm::Monitor}, 0};
}

struct InProcessGateway
{
    explicit InProcessGateway(const GatewayLimits &limits, int hubIntervalMs = 500)
        : engine(clock, store, PresenceSettings{15, 45}), hub(engine, clock, hubIntervalMs),
          gateway(engine, hub, inProcessAuthenticate, limits, nullptr),
          door(inProcessAuthenticate, gateway.server())
    {
        Room lobby;
        lobby.id = QStringLiteral("room-lobby");
        lobby.tenantId = QStringLiteral("t1");
        lobby.code = QStringLiteral("LOBBY");
        lobby.name = QStringLiteral("Lobby");
        lobby.typeCode = QStringLiteral("GENERIC");
        lobby.capacity = 100;
        engine.loadRooms({lobby});
        if (!door.listen(QHostAddress::LocalHost, 0))
            qFatal("in-process gateway cannot listen: %s", qPrintable(door.errorString()));
    }

    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/presence").arg(door.port()));
    }

    SystemClock clock;
    MemoryHotStore store;
    PresenceEngine engine;
    SubscriptionHub hub;
    WebSocketGateway gateway;
    FrontDoor door; // last: stops accepting first
};

} // namespace spidi::test
