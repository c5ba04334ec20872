#include "presence_client.h"

#include "client_codec.h"
#include "client_errors.h"
#include "client_logging.h"

#include <QNetworkRequest>
#include <QWebSocket>

#include <algorithm>
#include <cmath>

namespace spidi {

// Debug (every state change) is off unless enabled with QT_LOGGING_RULES="spidi.client.debug=true".
Q_LOGGING_CATEGORY(lcClient, "spidi.client", QtInfoMsg)

namespace {

// Join errors that no retry can fix: the caller has to change the room, token or identity.
bool isFatalJoinError(const QString &code)
{
    return code == QLatin1String("ROOM_NOT_FOUND") || code == QLatin1String("FORBIDDEN") ||
           code == QLatin1String("BAD_REQUEST") || code == QLatin1String("UNKNOWN_TYPE");
}

// Only a handful of heartbeats can be in flight before the ack timeout drops the transport;
// the bound keeps a stalled connection from growing the list.
constexpr qsizetype MaxPendingHeartbeats = 16;

} // namespace

PresenceClient::PresenceClient(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<spidi::PresenceClient::State>();
    m_clock.start();
    m_heartbeatTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &PresenceClient::sendHeartbeat);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer); // backoff delays are a contract (tests, docs)
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            sendHello();
        else
            connectSocket();
    });
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Leaving && !m_closing) {
            reportError(
                client_error::LeaveTimeout,
                QStringLiteral("no ACK for LEAVE within %1 ms").arg(m_leaveTimeout.count()));
            closeSocket();
            return;
        }
        // The peer did not answer the close handshake: give up on it.
        finishClose();
    });
}

PresenceClient::~PresenceClient()
{
    // No LEAVE from a destructor (it cannot wait for the ACK): the session ends at the server's
    // timeout, like a device that vanished. Callers that care call close() first.
    if (QWebSocket *socket = detachSocket())
        delete socket;
}

void PresenceClient::setHeartbeatInterval(std::chrono::milliseconds interval)
{
    m_heartbeatOverride = std::max(interval, std::chrono::milliseconds(0));
    if (m_heartbeatTimer.isActive())
        m_heartbeatTimer.start(int(heartbeatInterval().count()));
}

std::chrono::milliseconds PresenceClient::heartbeatInterval() const
{
    if (m_heartbeatOverride.count() > 0)
        return m_heartbeatOverride;
    return std::chrono::seconds(m_serverIntervalSec);
}

std::chrono::milliseconds PresenceClient::ackTimeout() const
{
    if (m_ackTimeoutOverride.count() > 0)
        return m_ackTimeoutOverride;
    return std::max(2 * heartbeatInterval(), std::chrono::milliseconds(2000));
}

void PresenceClient::setState(State state)
{
    if (m_state == state)
        return;
    qCDebug(lcClient) << m_identity.clientId << "state" << m_state << "->" << state;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void PresenceClient::setSessionId(const QString &sessionId)
{
    if (m_sessionId == sessionId)
        return;
    m_sessionId = sessionId;
    Q_EMIT sessionIdChanged(sessionId);
}

void PresenceClient::reportError(const QString &code, const QString &message)
{
    qCInfo(lcClient).noquote() << m_identity.clientId << "error" << code << message;
    m_lastErrorCode = code;
    m_lastErrorMessage = message;
    Q_EMIT errorOccurred(code, message);
}

void PresenceClient::open()
{
    if (m_state != State::Disconnected && m_state != State::Closed) {
        qCWarning(lcClient) << "open() ignored in state" << m_state;
        return;
    }
    m_backoff.reset();
    m_sessionGone = true;
    m_joinPending = false;
    m_latencyMs.reset();
    m_lastErrorCode.clear();
    m_lastErrorMessage.clear();
    setSessionId({});
    setState(State::Connecting);
    connectSocket();
}

void PresenceClient::connectSocket()
{
    if (QWebSocket *old = detachSocket())
        old->deleteLater();
    // A fresh socket per attempt: a QWebSocket that failed a handshake keeps stale state.
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    connect(socket, &QWebSocket::connected, this, &PresenceClient::onConnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &PresenceClient::onTextMessage);
    connect(socket, &QWebSocket::disconnected, this,
            [this, socket] { onSocketGone(socket, socket->closeReason()); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                onSocketGone(socket, socket->errorString());
            });
    QNetworkRequest request(m_url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    qCDebug(lcClient) << m_identity.clientId << "connecting to" << m_url.toDisplayString();
    socket->open(request);
}

QWebSocket *PresenceClient::detachSocket()
{
    QWebSocket *socket = m_socket.data();
    m_socket.clear();
    if (socket) {
        socket->disconnect(this);
        socket->abort();
    }
    return socket;
}

void PresenceClient::onConnected()
{
    if (m_state == State::Leaving || m_state == State::Closed)
        return;
    // HELLO goes out before Joining is announced: Joining means a HELLO may be in flight, which
    // close() has to see through (see there).
    if (m_suspended)
        m_joinPending = true;
    else
        sendHello();
    setState(State::Joining);
}

void PresenceClient::onSocketGone(QWebSocket *socket, const QString &reason)
{
    if (socket != m_socket)
        return; // a socket already replaced or detached
    const bool wasOpen = m_state == State::Joining || m_state == State::Joined;
    const int closeCode = int(socket->closeCode());
    detachSocket()->deleteLater();
    stopHeartbeats();
    m_closeTimer.stop();

    if (m_state == State::Leaving || m_state == State::Closed) {
        finishClose();
        return;
    }
    if (wasOpen) {
        // 1000 is also what an aborted socket reports, so only other codes say something.
        QString message = QStringLiteral("connection lost");
        if (closeCode != int(QWebSocketProtocol::CloseCodeNormal))
            message += QStringLiteral(" (close code %1)").arg(closeCode);
        if (!reason.isEmpty())
            message += QStringLiteral(": ") + reason;
        reportError(client_error::ConnectionLost, message);
    } else if (reason.contains(QLatin1String("401"))) {
        // Qt 6.4 reports a refused upgrade's HTTP status only inside the error string.
        reportError(client_error::Unauthorized, reason);
    } else {
        reportError(client_error::ConnectFailed,
                    reason.isEmpty() ? QStringLiteral("cannot connect") : reason);
    }
    // A session that was live stays on the server until its timeout: try to resume it.
    scheduleReconnect();
}

void PresenceClient::scheduleReconnect()
{
    setState(State::Reconnecting);
    const auto delay = m_backoff.nextDelay();
    qCDebug(lcClient) << m_identity.clientId << "reconnecting in" << delay.count() << "ms";
    m_retryTimer.start(int(delay.count()));
}

void PresenceClient::send(const QByteArray &frame)
{
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(frame));
}

void PresenceClient::sendHello()
{
    protocol::Hello hello;
    hello.roomCode = m_identity.roomCode;
    hello.clientId = m_identity.clientId;
    hello.appVersion = m_identity.appVersion;
    hello.device = m_identity.device;
    hello.os = m_identity.os;
    if (!m_sessionGone)
        hello.resumeSessionId = m_sessionId;
    m_joinPending = false;
    m_helloSeq = m_nextSeq++;
    send(client::encodeHello(m_helloSeq, hello));
}

void PresenceClient::startHeartbeats()
{
    m_pendingHeartbeats.clear();
    if (!m_suspended)
        m_heartbeatTimer.start(int(heartbeatInterval().count()));
}

void PresenceClient::stopHeartbeats()
{
    m_heartbeatTimer.stop();
    m_pendingHeartbeats.clear();
}

void PresenceClient::sendHeartbeat()
{
    if (m_state != State::Joined || m_suspended)
        return;
    const qint64 now = m_clock.nsecsElapsed();
    if (!m_pendingHeartbeats.isEmpty() && now - m_pendingHeartbeats.first().sentAtNs >
                                              std::chrono::nanoseconds(ackTimeout()).count()) {
        reportError(client_error::HeartbeatTimeout,
                    QStringLiteral("no HEARTBEAT_ACK within %1 ms").arg(ackTimeout().count()));
        dropConnection();
        return;
    }
    protocol::Heartbeat heartbeat{m_sessionId, m_latencyMs};
    const qint64 seq = m_nextSeq++;
    if (m_pendingHeartbeats.size() >= MaxPendingHeartbeats)
        m_pendingHeartbeats.removeFirst();
    m_pendingHeartbeats.append({seq, now});
    send(client::encodeHeartbeat(seq, heartbeat));
    Q_EMIT heartbeatSent();
}

void PresenceClient::onTextMessage(const QString &text)
{
    const auto decoded = client::decodeServerMessage(text.toUtf8());
    if (const auto *malformed = std::get_if<client::MalformedMessage>(&decoded)) {
        reportError(client_error::ProtocolError, malformed->reason);
        return;
    }
    std::visit(
        [this](const auto &message) {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, client::HelloAckMessage>)
                handleHelloAck(message);
            else if constexpr (std::is_same_v<T, client::HeartbeatAckMessage>)
                handleHeartbeatAck(message);
            else if constexpr (std::is_same_v<T, client::LeaveAckMessage>)
                handleLeaveAck(message);
            else if constexpr (std::is_same_v<T, client::ErrorMessage>)
                handleError(message);
            else if constexpr (std::is_same_v<T, client::SessionEndedMessage>)
                handleSessionEnded(message);
            // Anything else (metrics, rosters) is not for a device.
        },
        std::get<client::ServerMessage>(decoded));
}

void PresenceClient::handleHelloAck(const client::HelloAckMessage &message)
{
    if (message.ref != m_helloSeq)
        return;
    m_helloSeq = -1;
    const auto &ack = message.ack;
    if (m_state == State::Leaving && !m_closing) {
        // close() came while the HELLO was in flight: the server has opened a session by now,
        // and only a LEAVE ends it before its timeout.
        setSessionId(ack.sessionId);
        sendLeave();
        return;
    }
    if (m_state != State::Joining)
        return;
    m_roomId = ack.roomId;
    m_serverIntervalSec = ack.heartbeatIntervalSec;
    m_timeoutSec = ack.timeoutSec;
    m_sessionGone = false;
    m_backoff.reset();
    setSessionId(ack.sessionId);
    setState(State::Joined);
    qCInfo(lcClient) << m_identity.clientId << (ack.resumed ? "resumed" : "joined") << ack.sessionId
                     << "in" << ack.roomCode;
    startHeartbeats();
    Q_EMIT joined(ack.sessionId, ack.resumed);
}

void PresenceClient::handleHeartbeatAck(const client::HeartbeatAckMessage &message)
{
    if (!message.ref)
        return;
    const auto it = std::find_if(m_pendingHeartbeats.begin(), m_pendingHeartbeats.end(),
                                 [&](const PendingHeartbeat &p) { return p.seq == *message.ref; });
    if (it == m_pendingHeartbeats.end())
        return;
    const qint64 rttNs = m_clock.nsecsElapsed() - it->sentAtNs;
    // Earlier heartbeats still pending were answered out of order or lost; either way this
    // ACK proves the transport alive, so they no longer count towards the ack timeout.
    m_pendingHeartbeats.erase(m_pendingHeartbeats.begin(), it + 1);
    int latency = int(std::llround(double(rttNs) / 1e6));
    if (m_latencyAdjuster)
        latency = m_latencyAdjuster(latency);
    latency = std::clamp(latency, 0, protocol::MaxLatencyMs);
    m_latencyMs = latency;
    Q_EMIT latencyMeasured(latency);
}

void PresenceClient::handleLeaveAck(const client::LeaveAckMessage &message)
{
    if (m_state == State::Leaving && message.ref == m_leaveSeq)
        closeSocket();
}

void PresenceClient::handleError(const client::ErrorMessage &message)
{
    reportError(message.code, message.message);
    if (m_state == State::Leaving) {
        // A LEAVE refused (typically SESSION_NOT_FOUND), or the HELLO that close() was waiting
        // for refused, means there is nothing left to leave.
        if (message.ref && (message.ref == m_leaveSeq || message.ref == m_helloSeq))
            closeSocket();
        return;
    }
    if (message.ref && message.ref == m_helloSeq) {
        m_helloSeq = -1;
        if (isFatalJoinError(message.code)) {
            closeSocket();
            return;
        }
        // ROOM_FULL, ROOM_INACTIVE, RATE_LIMITED, INTERNAL: may clear up; retry on this socket.
        const auto delay = m_backoff.nextDelay();
        m_retryTimer.start(int(delay.count()));
        return;
    }
    if (message.code == QLatin1String("SESSION_NOT_FOUND") && m_state == State::Joined) {
        const QString ended = m_sessionId;
        Q_EMIT sessionEnded(ended, message.code);
        rejoin();
    }
}

void PresenceClient::handleSessionEnded(const client::SessionEndedMessage &message)
{
    if (message.sessionId != m_sessionId)
        return;
    Q_EMIT sessionEnded(message.sessionId, message.reason);
    if (m_state == State::Leaving) {
        closeSocket();
        return;
    }
    if (message.reason == QLatin1String("KICKED")) {
        // Joining again would undo what an admin (or a room being closed) just did.
        reportError(client_error::SessionKicked,
                    QStringLiteral("session %1 was ended by the server").arg(message.sessionId));
        closeSocket();
        return;
    }
    // TTL and EXPIRED: the protocol lets the device join again, as a new session.
    rejoin();
}

void PresenceClient::rejoin()
{
    stopHeartbeats();
    m_sessionGone = true;
    if (m_suspended)
        m_joinPending = true;
    else
        sendHello();
    setState(State::Joining);
}

void PresenceClient::setHeartbeatsSuspended(bool suspended)
{
    if (m_suspended == suspended)
        return;
    m_suspended = suspended;
    if (suspended) {
        stopHeartbeats();
        return;
    }
    if (m_joinPending && m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        sendHello();
    } else if (m_state == State::Joined) {
        startHeartbeats();
        sendHeartbeat(); // a device waking up says so at once; the server may have expired it
    }
}

void PresenceClient::dropConnection()
{
    if (!m_socket)
        return;
    qCInfo(lcClient) << m_identity.clientId << "dropping the connection";
    onSocketGone(m_socket, QStringLiteral("dropped by the client"));
}

void PresenceClient::close()
{
    m_retryTimer.stop();
    stopHeartbeats();
    switch (m_state) {
    case State::Disconnected:
    case State::Reconnecting:
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
            finishClose();
            return;
        }
        closeSocket();
        return;
    case State::Closed:
    case State::Leaving:
        return;
    case State::Joined:
        sendLeave();
        return;
    case State::Joining:
        if (m_helloSeq != -1 && m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
            // Closing now would leave the session the HELLO opens to time out as DISCONNECTED:
            // wait for the ACK (bounded) and LEAVE it.
            setState(State::Leaving);
            m_closeTimer.start(int(m_leaveTimeout.count()));
            return;
        }
        closeSocket();
        return;
    case State::Connecting:
        closeSocket();
        return;
    }
}

void PresenceClient::sendLeave()
{
    setState(State::Leaving);
    m_leaveSeq = m_nextSeq++;
    send(client::encodeLeave(m_leaveSeq, protocol::Leave{m_sessionId}));
    m_closeTimer.start(int(m_leaveTimeout.count()));
}

void PresenceClient::closeSocket()
{
    m_retryTimer.stop();
    stopHeartbeats();
    m_closing = true;
    setState(State::Leaving);
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        finishClose();
        return;
    }
    // The socket's disconnected() finishes; the timer bounds a peer that never answers.
    m_closeTimer.start(int(m_leaveTimeout.count()));
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
}

void PresenceClient::finishClose()
{
    m_retryTimer.stop();
    m_closeTimer.stop();
    stopHeartbeats();
    if (QWebSocket *socket = detachSocket())
        socket->deleteLater();
    m_closing = false;
    m_helloSeq = -1;
    m_leaveSeq = -1;
    m_sessionGone = true;
    m_joinPending = false;
    setSessionId({});
    setState(State::Closed);
}

} // namespace spidi
