#pragma once

#include "reconnect_backoff.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <optional>

class QWebSocket;

namespace spidi {

namespace client {
struct HelloAckMessage;
struct HeartbeatAckMessage;
struct LeaveAckMessage;
struct ErrorMessage;
struct SessionEndedMessage;
} // namespace client

// One device's presence in one room (docs/client.md): connects to ws://HOST:PORT/ws/presence
// with a bearer token, joins with HELLO, heartbeats at the server's interval while reporting
// the measured round trip, reconnects with backoff and resumes its session after a transport
// drop, joins again when the server says the session is gone, and LEAVEs on close().
//
// Everything is asynchronous: no call blocks, progress is reported through signals.
class PresenceClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString sessionId READ sessionId NOTIFY sessionIdChanged)
    Q_PROPERTY(int latencyMs READ latencyMs NOTIFY latencyMeasured)
    Q_PROPERTY(QString lastErrorCode READ lastErrorCode NOTIFY errorOccurred)
    Q_PROPERTY(QString lastErrorMessage READ lastErrorMessage NOTIFY errorOccurred)

public:
    enum class State {
        Disconnected, // not opened yet
        Connecting,   // first WebSocket handshake
        Joining,      // socket open, HELLO sent (also: joining again after the session ended)
        Joined,       // session live, heartbeating
        Reconnecting, // transport lost: waiting for the backoff or handshaking again
        Leaving,      // close(): LEAVE sent, waiting for its ACK
        Closed,       // close() finished, or a join failed for good (see lastErrorCode)
    };
    Q_ENUM(State)

    // Who the device is; sent in every HELLO.
    struct Identity
    {
        QString roomCode;
        QString clientId;
        QString appVersion;
        QString device;
        QString os;
    };

    explicit PresenceClient(QObject *parent = nullptr);
    ~PresenceClient() override;

    // Settings take effect at the next open() (the identity and url) or at once (timings).
    void setUrl(const QUrl &url) { m_url = url; }
    QUrl url() const { return m_url; }
    void setToken(const QByteArray &token) { m_token = token; }
    void setIdentity(const Identity &identity) { m_identity = identity; }
    const Identity &identity() const { return m_identity; }
    // 0 (the default) uses the server's heartbeatIntervalSec; tests and simulators go faster.
    void setHeartbeatInterval(std::chrono::milliseconds interval);
    // A heartbeat not acknowledged within this time means the transport is dead (a silent
    // network partition sends no FIN); the client drops it and reconnects. 0: twice the
    // heartbeat interval, at least 2 s.
    void setHeartbeatAckTimeout(std::chrono::milliseconds timeout)
    {
        m_ackTimeoutOverride = timeout;
    }
    // How long close() waits for the LEAVE's ACK, and then for the socket's close handshake.
    void setLeaveTimeout(std::chrono::milliseconds timeout) { m_leaveTimeout = timeout; }
    void setReconnectBackoff(const ReconnectBackoff::Config &config)
    {
        m_backoff.setConfig(config);
    }
    void setReconnectSeed(quint64 seed) { m_backoff.seed(seed); }
    // Maps a measured round trip to the reported one. Simulators use it to report a modelled
    // network latency, since loopback round trips are all close to 0 ms.
    void setLatencyAdjuster(std::function<int(int measuredMs)> adjuster)
    {
        m_latencyAdjuster = std::move(adjuster);
    }

    State state() const { return m_state; }
    QString sessionId() const { return m_sessionId; }
    QString roomId() const { return m_roomId; }
    // Last reported round trip in ms, -1 before the first HEARTBEAT_ACK.
    int latencyMs() const { return m_latencyMs ? *m_latencyMs : -1; }
    // The heartbeat interval in use (the override, else the server's).
    std::chrono::milliseconds heartbeatInterval() const;
    int sessionTimeoutSec() const { return m_timeoutSec; }
    QString lastErrorCode() const { return m_lastErrorCode; }
    QString lastErrorMessage() const { return m_lastErrorMessage; }
    int reconnectAttempts() const { return m_backoff.attempts(); }

public Q_SLOTS:
    // Connects and joins. Allowed from Disconnected and Closed (a fresh session).
    void open();
    // LEAVE, wait (bounded) for its ACK, close the socket: ends in Closed.
    void close();
    // Drops the transport without a LEAVE, as a network loss would; the client reconnects and
    // resumes. For simulators and tests.
    void dropConnection();
    // A suspended client sends nothing (no heartbeats, no HELLO) but keeps its socket, as a
    // frozen device would: the server expires the session. Resuming joins again if it has.
    void setHeartbeatsSuspended(bool suspended);

Q_SIGNALS:
    void stateChanged(spidi::PresenceClient::State state);
    void sessionIdChanged(const QString &sessionId);
    // A HELLO was acknowledged; `resumed` when the server kept the previous session.
    void joined(const QString &sessionId, bool resumed);
    // The server ended the session (SESSION_ENDED, or SESSION_NOT_FOUND for a heartbeat).
    void sessionEnded(const QString &sessionId, const QString &reason);
    void latencyMeasured(int latencyMs);
    void heartbeatSent();
    void errorOccurred(const QString &code, const QString &message);

private:
    struct PendingHeartbeat
    {
        qint64 seq = 0;
        qint64 sentAtNs = 0;
    };

    void setState(State state);
    void setSessionId(const QString &sessionId);
    void reportError(const QString &code, const QString &message);
    void connectSocket();
    void onConnected();
    void onTextMessage(const QString &text);
    void onSocketGone(QWebSocket *socket, const QString &reason);
    void scheduleReconnect();
    void sendHello();
    void sendHeartbeat();
    void sendLeave();
    void send(const QByteArray &frame);
    void startHeartbeats();
    void stopHeartbeats();
    void rejoin();
    void closeSocket();
    void finishClose();
    QWebSocket *detachSocket();
    std::chrono::milliseconds ackTimeout() const;

    void handleHelloAck(const client::HelloAckMessage &message);
    void handleHeartbeatAck(const client::HeartbeatAckMessage &message);
    void handleLeaveAck(const client::LeaveAckMessage &message);
    void handleError(const client::ErrorMessage &message);
    void handleSessionEnded(const client::SessionEndedMessage &message);

    // Settings
    QUrl m_url;
    QByteArray m_token;
    Identity m_identity;
    std::chrono::milliseconds m_heartbeatOverride{0};
    std::chrono::milliseconds m_ackTimeoutOverride{0};
    std::chrono::milliseconds m_leaveTimeout{2000};
    std::function<int(int)> m_latencyAdjuster;

    // Connection and session
    State m_state = State::Disconnected;
    QPointer<QWebSocket> m_socket;
    ReconnectBackoff m_backoff;
    QString m_sessionId;
    QString m_roomId;
    bool m_sessionGone = true; // the next HELLO opens a new session instead of resuming
    bool m_suspended = false;
    bool m_joinPending = false; // a HELLO is due once the suspension ends
    bool m_closing = false;     // the socket's close handshake is under way
    int m_serverIntervalSec = 15;
    int m_timeoutSec = 45;
    qint64 m_nextSeq = 1;
    qint64 m_helloSeq = -1;
    qint64 m_leaveSeq = -1;
    QList<PendingHeartbeat> m_pendingHeartbeats;
    std::optional<int> m_latencyMs;
    QString m_lastErrorCode;
    QString m_lastErrorMessage;

    QElapsedTimer m_clock;
    QTimer m_heartbeatTimer;
    QTimer m_retryTimer; // reconnect or HELLO retry after the backoff
    QTimer m_closeTimer; // bounds close(): the LEAVE's ACK, then the close handshake
};

} // namespace spidi
