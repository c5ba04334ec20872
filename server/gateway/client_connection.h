#pragma once

#include "auth/principal.h"
#include "gateway/framing.h"
#include "gateway/rate_limiter.h"
#include "presence/presence_engine.h"

#include <QObject>
#include <QWebSocket>

#include <functional>
#include <memory>
#include <optional>

namespace spidi {

struct GatewayLimits
{
    qint64 maxFrameBytes = 65536;
    int rateLimitPerSec = 50;
    int rateLimitBurst = 100;
    // A subscriber with more than this many bytes not yet written to its socket gets no
    // superseded updates (nor subscription snapshots) until it drains to half of this; then it
    // gets a fresh snapshot of every topic it missed.
    qint64 maxPendingBytes = 4 * 1024 * 1024;
    // STOMP (SPEC 4.2): the heart-beat CONNECTED offers, and how long a socket upgraded without
    // a token may wait before its CONNECT frame.
    int stompHeartBeatMs = 10000;
    int stompConnectTimeoutMs = 10000;
};

// One WebSocket. Owns its socket and its framing; enforces frame size, frame type and rate
// limits; watches the bytes handed to the socket but not yet written, so that broadcasts can skip
// a slow reader instead of buffering without bound. A JSON connection is authenticated before
// the upgrade; a STOMP one may instead authenticate with its CONNECT frame (login()), and the
// framing lets no request through before that.
class ClientConnection : public QObject, public FramingHost
{
    Q_OBJECT
public:
    using FramingFactory = std::function<std::unique_ptr<Framing>(FramingHost &)>;
    using Login = std::function<Result<Principal>(const QByteArray &authorization)>;

    ClientConnection(ConnectionId id, std::unique_ptr<QWebSocket> socket,
                     std::optional<Principal> principal, const FramingFactory &makeFraming,
                     Login login, const GatewayLimits &limits, QObject *parent = nullptr);
    ~ClientConnection() override;

    ConnectionId id() const { return m_id; }
    const Principal &principal() const { return m_principal; }
    bool hasPrincipal() const override { return m_authenticated; }
    QString peerIp() const { return m_peerIp; }
    Framing &framing() { return *m_framing; }
    // Slow from the moment more than maxPendingBytes wait to be written until the backlog is
    // down to half of that (then drained() is emitted once).
    bool isSlow() const { return m_slow; }
    qint64 pendingBytes() const; // bytes handed to the socket, not yet written to the kernel

    void send(Framing::Outbound kind, const QByteArray &jsonBody,
              const protocol::Topic *topic = nullptr);
    void sendError(const std::optional<qint64> &ref, protocol::ErrorCode code,
                   const QString &message);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);

    // FramingHost
    void writeMessage(const QByteArray &message) override;
    void closeConnection(QWebSocketProtocol::CloseCode code, const QString &reason) override
    {
        close(code, reason);
    }
    Result<Principal> login(const QByteArray &authorization) override;
    QString connectionName() const override { return QString::number(m_id); }
    bool admit() override;

    QSet<QString> subscriptions; // topic keys, see SubscriptionHub

Q_SIGNALS:
    void requestReceived(spidi::ClientConnection *connection,
                         const spidi::protocol::ClientMessage &message);
    void drained(spidi::ClientConnection *connection); // no longer slow
    void closed(spidi::ClientConnection *connection);

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    void onMessage(const QByteArray &utf8);

    ConnectionId m_id;
    std::unique_ptr<QWebSocket> m_socket;
    Principal m_principal;
    bool m_authenticated = false;
    Login m_login;
    std::unique_ptr<Framing> m_framing;
    GatewayLimits m_limits;
    RateLimiter m_rateLimiter;
    QString m_peerIp;
    bool m_slow = false;
    int m_refusedInARow = 0;
    bool m_closing = false;
};

} // namespace spidi
