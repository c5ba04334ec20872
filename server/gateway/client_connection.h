#pragma once

#include "auth/principal.h"
#include "gateway/framing.h"
#include "gateway/rate_limiter.h"
#include "presence/presence_engine.h"

#include <QObject>
#include <QWebSocket>

#include <memory>

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
};

// One authenticated WebSocket. Owns its socket; enforces frame size, frame type and rate
// limits; watches the bytes handed to the socket but not yet written, so that broadcasts can skip
// a slow reader instead of buffering without bound.
class ClientConnection : public QObject
{
    Q_OBJECT
public:
    ClientConnection(ConnectionId id, std::unique_ptr<QWebSocket> socket, Principal principal,
                     std::unique_ptr<Framing> framing, const GatewayLimits &limits,
                     QObject *parent = nullptr);
    ~ClientConnection() override;

    ConnectionId id() const { return m_id; }
    const Principal &principal() const { return m_principal; }
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

    QSet<QString> subscriptions; // topic keys, see SubscriptionHub

Q_SIGNALS:
    void requestReceived(spidi::ClientConnection *connection,
                         const spidi::protocol::ClientMessage &message);
    void drained(spidi::ClientConnection *connection); // no longer slow
    void closed(spidi::ClientConnection *connection);

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    bool admit(); // rate limit; false when the frame must be refused

    ConnectionId m_id;
    std::unique_ptr<QWebSocket> m_socket;
    Principal m_principal;
    std::unique_ptr<Framing> m_framing;
    GatewayLimits m_limits;
    RateLimiter m_rateLimiter;
    QString m_peerIp;
    bool m_slow = false;
    int m_refusedInARow = 0;
    bool m_closing = false;
};

} // namespace spidi
