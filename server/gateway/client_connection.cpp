#include "client_connection.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QDateTime>

namespace spidi {

using protocol::ErrorCode;

namespace {
// Frames up to this size are read and refused with an ERROR before the close; above it Qt
// closes with 1009 on its own without buffering the rest.
constexpr qint64 HardFrameCeiling = 1024 * 1024;
} // namespace

ClientConnection::ClientConnection(ConnectionId id, std::unique_ptr<QWebSocket> socket,
                                   std::optional<Principal> principal,
                                   const FramingFactory &makeFraming, Login login,
                                   const GatewayLimits &limits, QObject *parent)
    : QObject(parent), m_id(id), m_socket(std::move(socket)),
      m_principal(principal.value_or(Principal{})), m_authenticated(principal.has_value()),
      m_login(std::move(login)), m_framing(makeFraming(*this)), m_limits(limits),
      m_rateLimiter(limits.rateLimitPerSec, limits.rateLimitBurst)
{
    const QHostAddress peer = m_socket->peerAddress();
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    m_peerIp = isV4 ? QHostAddress(v4).toString() : peer.toString();

    const qint64 ceiling = qMax(HardFrameCeiling, m_limits.maxFrameBytes + 1);
    m_socket->setMaxAllowedIncomingFrameSize(quint64(ceiling));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(ceiling));

    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &ClientConnection::onText);
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, &ClientConnection::onBinary);
    // Hysteresis: once slow, a connection stays slow until its backlog is down to half the
    // limit, however the writes are chunked. (Comparing "was over the limit before this write"
    // with "at most half after it" missed the drain whenever a write crossed the limit without
    // also crossing half of it, i.e. nearly always, and the connection never got its resync.)
    connect(m_socket.get(), &QWebSocket::bytesWritten, this, [this](qint64) {
        if (m_slow && pendingBytes() <= m_limits.maxPendingBytes / 2) {
            m_slow = false;
            Q_EMIT drained(this);
        }
    });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] { Q_EMIT closed(this); });
}

ClientConnection::~ClientConnection()
{
    m_socket->disconnect(this);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
}

void ClientConnection::send(Framing::Outbound kind, const QByteArray &jsonBody,
                            const protocol::Topic *topic)
{
    if (m_closing)
        return;
    const QByteArray message = m_framing->encode(kind, jsonBody, topic);
    if (!message.isEmpty())
        writeMessage(message);
}

void ClientConnection::writeMessage(const QByteArray &message)
{
    if (m_closing)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(message));
    if (!m_slow && pendingBytes() > m_limits.maxPendingBytes)
        m_slow = true;
}

Result<Principal> ClientConnection::login(const QByteArray &authorization)
{
    if (!m_login)
        return makeError(ErrorKind::Forbidden, QStringLiteral("no login on this connection"));
    Result<Principal> principal = m_login(authorization);
    if (principal) {
        m_principal = *principal;
        m_authenticated = true;
        logEvent(lcGateway(), QtInfoMsg, "websocket.login",
                 {{"user_id", m_principal.userId},
                  {"tenant_id", m_principal.tenantId},
                  {"connection", qint64(m_id)}});
    }
    return principal;
}

qint64 ClientConnection::pendingBytes() const
{
    // The socket's own count of buffered bytes (frame headers and control frames included), so
    // nothing drifts the way a separate tally of payload bytes against bytesWritten() did.
    return m_socket->bytesToWrite();
}

void ClientConnection::sendError(const std::optional<qint64> &ref, ErrorCode code,
                                 const QString &message)
{
    send(Framing::Outbound::Error, protocol::encodeError(ref, code, message));
}

void ClientConnection::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    logEvent(lcGateway(), QtInfoMsg, "websocket.closed_by_server",
             {{"user_id", m_principal.userId},
              {"tenant_id", m_principal.tenantId},
              {"code", int(code)},
              {"reason", reason}});
    m_socket->close(code, reason);
}

bool ClientConnection::admit()
{
    if (m_rateLimiter.tryAcquire(QDateTime::currentMSecsSinceEpoch())) {
        m_refusedInARow = 0;
        return true;
    }
    if (++m_refusedInARow > m_limits.rateLimitBurst) {
        close(QWebSocketProtocol::CloseCodePolicyViolated,
              QStringLiteral("message rate limit exceeded"));
        return false;
    }
    sendError(std::nullopt, ErrorCode::RateLimited,
              QStringLiteral("more than %1 messages per second; slow down")
                  .arg(m_limits.rateLimitPerSec));
    return false;
}

void ClientConnection::onText(const QString &text)
{
    if (m_closing)
        return;
    onMessage(text.toUtf8());
}

void ClientConnection::onBinary(const QByteArray &data)
{
    if (m_closing)
        return;
    if (m_framing->acceptsBinaryMessages()) {
        onMessage(data);
        return;
    }
    if (!admit())
        return;
    sendError(std::nullopt, ErrorCode::BadRequest,
              QStringLiteral("binary frames are not supported (got %1 bytes); send JSON as "
                             "text frames")
                  .arg(data.size()));
}

void ClientConnection::onMessage(const QByteArray &utf8)
{
    if (utf8.size() > m_limits.maxFrameBytes) {
        sendError(std::nullopt, ErrorCode::BadRequest,
                  QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                      .arg(utf8.size())
                      .arg(m_limits.maxFrameBytes));
        close(QWebSocketProtocol::CloseCodeTooMuchData, QStringLiteral("frame too large"));
        return;
    }
    if (!m_framing->admitsEachRequest() && !admit())
        return;
    m_framing->receive(utf8, [this](const protocol::DecodeResult &result) {
        if (m_closing)
            return;
        if (const auto *error = std::get_if<protocol::DecodeError>(&result)) {
            sendError(error->seq, error->code, error->message);
            return;
        }
        Q_EMIT requestReceived(this, std::get<protocol::ClientMessage>(result));
    });
}

} // namespace spidi
