#include "store/redis_connection.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QHostInfo>
#include <QVarLengthArray>

#include <hiredis/adapters/qt.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <poll.h>

namespace spidi {

struct RedisConnection::Pending
{
    RedisConnection *connection;
    ReplyHandler done;
};

// Lives as long as the connection: hiredis keeps the SUBSCRIBE callback's privdata for every
// message of the channel, across nothing else (a new context subscribes again).
struct RedisConnection::Subscription
{
    RedisConnection *connection;
    QByteArray channel;
    MessageHandler onMessage;
};

RedisConnection::RedisConnection(RedisConnectionOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_backoffMs(m_options.initialBackoffMs)
{
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Connecting && m_context) {
            redisAsyncContext *context = m_context;
            detach(context);
            m_context = nullptr;
            redisAsyncFree(context);
            connectionFailed(
                QStringLiteral("connect timed out after %1 ms").arg(m_options.connectTimeoutMs));
        } else if (m_state == State::Handshaking && m_context) {
            // Connected, but the handshake got no answer (a paused Redis still accepts
            // connections): give up; onDisconnect schedules the next attempt.
            m_closeReason = QStringLiteral("no answer to the handshake after %1 ms")
                                .arg(m_options.connectTimeoutMs);
            redisAsyncFree(m_context);
        }
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisConnection::connectNow);
    if (m_options.pingTimeoutMs > 0) {
        m_pingTimer.setInterval(qMax(100, m_options.pingTimeoutMs / 3));
        connect(&m_pingTimer, &QTimer::timeout, this, &RedisConnection::ping);
    }
    m_detail = QStringLiteral("not connected yet");
}

RedisConnection::~RedisConnection()
{
    m_destroying = true;
    if (m_context) {
        redisAsyncContext *context = m_context;
        detach(context);
        m_context = nullptr;
        // Runs the pending reply callbacks with no reply; they see m_destroying and only free.
        redisAsyncFree(context);
    }
}

void RedisConnection::setHandshakeCommands(QList<QList<QByteArray>> commands)
{
    m_handshakeCommands = std::move(commands);
}

void RedisConnection::setSubscription(const QByteArray &channel, MessageHandler onMessage)
{
    m_subscription.reset(new Subscription{this, channel, std::move(onMessage)});
}

QByteArray RedisConnection::replyText(const redisReply *reply)
{
    if (!reply)
        return QByteArrayLiteral("connection lost");
    return QByteArray(reply->str, qsizetype(reply->len));
}

bool RedisConnection::isError(const redisReply *reply)
{
    return !reply || reply->type == REDIS_REPLY_ERROR;
}

void RedisConnection::start()
{
    if (m_state == State::Idle)
        connectNow();
}

void RedisConnection::connectNow()
{
    if (m_context || m_destroying)
        return;
    m_state = State::Connecting;
    QHostAddress address;
    if (address.setAddress(m_options.url.host)) {
        openContext(address.toString());
        return;
    }
    // getaddrinfo inside redisAsyncConnect would block the loop: resolve with Qt first.
    QHostInfo::lookupHost(m_options.url.host, this, [this](const QHostInfo &info) {
        if (m_state != State::Connecting || m_context)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            connectionFailed(QStringLiteral("cannot resolve %1: %2")
                                 .arg(m_options.url.host, info.errorString()));
            return;
        }
        openContext(info.addresses().constFirst().toString());
    });
}

void RedisConnection::openContext(const QString &address)
{
    redisAsyncContext *context =
        redisAsyncConnect(address.toLatin1().constData(), int(m_options.url.port));
    if (!context) {
        connectionFailed(QStringLiteral("cannot allocate a Redis context"));
        return;
    }
    if (context->err) {
        const QString why = QString::fromLocal8Bit(context->errstr);
        redisAsyncFree(context);
        connectionFailed(why);
        return;
    }
    context->data = this;
    m_adapter = new RedisQtAdapter();
    m_adapter->setContext(context);
    m_context = context;
    // The connect callback arms the write notifier: the adapter must be attached first.
    redisAsyncSetConnectCallback(context, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisConnection::onDisconnect);
    m_connectTimer.start(m_options.connectTimeoutMs);
}

// RedisQtAdapter's destructor writes into its context, so it must go while the context still
// exists; hiredis frees the context right after the connect/disconnect callbacks. The event
// hooks are cleared so hiredis never calls into the deleted adapter.
void RedisConnection::detach(redisAsyncContext *context)
{
    if (!m_adapter)
        return;
    if (context->ev.cleanup)
        context->ev.cleanup(context->ev.data);
    context->ev.addRead = nullptr;
    context->ev.delRead = nullptr;
    context->ev.addWrite = nullptr;
    context->ev.delWrite = nullptr;
    context->ev.cleanup = nullptr;
    delete m_adapter;
    m_adapter = nullptr;
    context->ev.data = nullptr;
}

void RedisConnection::onConnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisConnection *>(context->data);
    if (!self || self->m_destroying)
        return;
    if (status != REDIS_OK) {
        self->m_connectTimer.stop();
        const QString why = QString::fromLocal8Bit(context->errstr);
        self->detach(const_cast<redisAsyncContext *>(context));
        self->m_context = nullptr; // hiredis frees it when we return
        self->connectionFailed(why);
        return;
    }
    self->handshake();
}

void RedisConnection::onDisconnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisConnection *>(context->data);
    if (!self)
        return;
    self->detach(const_cast<redisAsyncContext *>(context));
    self->m_context = nullptr; // hiredis frees it when we return
    if (self->m_destroying)
        return;
    QString why = self->m_closeReason;
    self->m_closeReason.clear();
    if (why.isEmpty())
        why = status == REDIS_OK ? QStringLiteral("connection closed")
                                 : QString::fromLocal8Bit(context->errstr);
    self->connectionFailed(why);
}

void RedisConnection::onReply(redisAsyncContext *context, void *reply, void *privdata)
{
    Q_UNUSED(context)
    std::unique_ptr<Pending> pending(static_cast<Pending *>(privdata));
    RedisConnection *self = pending->connection;
    --self->m_inFlight;
    if (self->m_destroying)
        return;
    if (pending->done)
        pending->done(static_cast<redisReply *>(reply));
}

void RedisConnection::onMessage(redisAsyncContext *context, void *reply, void *privdata)
{
    Q_UNUSED(context)
    auto *subscription = static_cast<Subscription *>(privdata);
    RedisConnection *self = subscription->connection;
    const auto *r = static_cast<const redisReply *>(reply);
    if (self->m_destroying || !r)
        return;
    // ["subscribe", channel, count] confirms; ["message", channel, payload] delivers.
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
        ++self->m_errors;
        qCWarning(lcStore).noquote() << "redis: unexpected reply on subscriber connection"
                                     << self->m_options.name << replyText(r);
        return;
    }
    const QByteArray kind = replyText(r->element[0]);
    if (kind == "message") {
        subscription->onMessage(replyText(r->element[2]));
    } else if (kind == "subscribe") {
        if (self->m_state == State::Handshaking)
            self->handshakeStepDone();
    }
}

bool RedisConnection::command(const QList<QByteArray> &args, ReplyHandler done)
{
    if (!m_context || (m_state != State::Ready && m_state != State::Handshaking))
        return false;
    QVarLengthArray<const char *, 48> argv;
    QVarLengthArray<size_t, 48> lengths;
    for (const QByteArray &arg : args) {
        argv.append(arg.constData());
        lengths.append(size_t(arg.size()));
    }
    auto *pending = new Pending{this, std::move(done)};
    // Formats the command into hiredis's output buffer; the Qt adapter writes it when the
    // socket is writable. Nothing waits for the reply: consecutive commands are pipelined.
    if (redisAsyncCommandArgv(m_context, &RedisConnection::onReply, pending, int(argv.size()),
                              argv.data(), lengths.data()) != REDIS_OK) {
        delete pending;
        ++m_errors;
        return false;
    }
    ++m_inFlight;
    ++m_sent;
    return true;
}

void RedisConnection::handshake()
{
    m_state = State::Handshaking;
    m_handshakePending = 1;                           // released below, once every step is queued
    m_connectTimer.start(m_options.connectTimeoutMs); // the handshake gets as long as connect
    const auto step = [this](const QByteArray &what) {
        ++m_handshakePending;
        return [this, what](redisReply *reply) {
            if (!reply || m_state != State::Handshaking)
                return;
            if (reply->type == REDIS_REPLY_ERROR) {
                ++m_errors;
                m_state = State::Waiting;
                reset(QStringLiteral("%1 failed: %2")
                          .arg(QString::fromUtf8(what), QString::fromUtf8(replyText(reply))));
                return;
            }
            handshakeStepDone();
        };
    };
    const RedisUrl &url = m_options.url;
    if (!url.password.isEmpty()) {
        QList<QByteArray> auth = {QByteArrayLiteral("AUTH")};
        if (!url.username.isEmpty())
            auth.append(url.username.toUtf8());
        auth.append(url.password.toUtf8());
        command(auth, step("AUTH"));
    }
    if (url.db != 0)
        command({QByteArrayLiteral("SELECT"), QByteArray::number(url.db)}, step("SELECT"));
    for (const QList<QByteArray> &extra : std::as_const(m_handshakeCommands))
        command(extra, step(extra.value(0) + ' ' + extra.value(1)));
    if (m_subscription) {
        ++m_handshakePending; // the "subscribe" confirmation, in onMessage()
        const QByteArray &channel = m_subscription->channel;
        const char *argv[] = {"SUBSCRIBE", channel.constData()};
        const size_t lengths[] = {9, size_t(channel.size())};
        if (redisAsyncCommandArgv(m_context, &RedisConnection::onMessage, m_subscription.get(), 2,
                                  argv, lengths) != REDIS_OK) {
            ++m_errors;
            reset(QStringLiteral("cannot send SUBSCRIBE"));
            return;
        }
    }
    handshakeStepDone();
}

void RedisConnection::handshakeStepDone()
{
    if (--m_handshakePending == 0)
        becomeReady();
}

void RedisConnection::becomeReady()
{
    m_state = State::Ready;
    m_connectTimer.stop();
    ++m_connections;
    m_backoffMs = m_options.initialBackoffMs;
    m_failedAttempts = 0;
    m_detail.clear();
    m_pingOutstanding = false;
    if (m_options.pingTimeoutMs > 0)
        m_pingTimer.start();
    logEvent(lcStore(), QtInfoMsg, "redis.connected",
             {{"url", m_options.url.redacted()},
              {"connection", m_options.name},
              {"connects", m_connections}});
    Q_EMIT ready();
}

void RedisConnection::reset(const QString &reason)
{
    if (!m_context)
        return;
    m_closeReason = reason;
    // Disconnects once the replies already on their way have arrived; onDisconnect follows.
    redisAsyncDisconnect(m_context);
}

void RedisConnection::connectionFailed(const QString &reason)
{
    const bool wasReady = m_state == State::Ready;
    m_state = State::Waiting;
    m_pingTimer.stop();
    m_pingOutstanding = false;
    ++m_errors;
    ++m_failedAttempts;
    const int delay = m_backoffMs;
    m_backoffMs = qMin(m_options.maxBackoffMs, m_backoffMs * 2);
    m_detail = QStringLiteral("%1: %2 (retrying in %3 ms)")
                   .arg(m_options.url.redacted(), reason)
                   .arg(delay);
    if (wasReady || m_failedAttempts == 1)
        logEvent(lcStore(), QtWarningMsg, "redis.disconnected", m_detail,
                 {{"url", m_options.url.redacted()},
                  {"connection", m_options.name},
                  {"reason", reason},
                  {"retry_ms", delay}});
    else
        qCDebug(lcStore).noquote() << "redis: still unreachable:" << m_options.name << m_detail;
    Q_EMIT attemptFailed(reason);
    if (wasReady)
        Q_EMIT connectionLost(reason);
    if (!m_destroying)
        m_reconnectTimer.start(delay);
}

void RedisConnection::ping()
{
    if (m_state != State::Ready)
        return;
    if (m_pingOutstanding) {
        if (m_pingSent.elapsed() > m_options.pingTimeoutMs) {
            // A Redis that stopped answering (paused, network black hole) never closes the
            // socket: give up on the connection so health says so and writes are replayed.
            redisAsyncContext *context = m_context;
            m_closeReason = QStringLiteral("no reply for %1 ms").arg(m_options.pingTimeoutMs);
            redisAsyncFree(context); // runs onDisconnect, which schedules the reconnect
        }
        return;
    }
    m_pingOutstanding = true;
    m_pingSent.start();
    command({QByteArrayLiteral("PING")}, [this](redisReply *reply) {
        if (reply)
            m_pingOutstanding = false;
    });
}

void RedisConnection::drain(int timeoutMs)
{
    // Shutdown only: the event loop is no longer running, so drive the socket directly until
    // every reply is in (which means every write reached Redis) or the deadline passes.
    const QDeadlineTimer deadline(timeoutMs);
    while (m_context && m_state == State::Ready && m_inFlight > 0 && !deadline.hasExpired()) {
        redisAsyncContext *context = m_context;
        const bool output = sdslen(context->c.obuf) > 0;
        pollfd fd{context->c.fd, short(POLLIN | (output ? POLLOUT : 0)), 0};
        if (::poll(&fd, 1, int(qBound(qint64(1), deadline.remainingTime(), qint64(100)))) < 0)
            break;
        if (fd.revents & POLLOUT)
            redisAsyncHandleWrite(context);
        if (m_context && (fd.revents & (POLLIN | POLLHUP | POLLERR)))
            redisAsyncHandleRead(m_context);
    }
}

} // namespace spidi
