#include "store/redis_hot_store.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QHostInfo>
#include <QVarLengthArray>

#include <hiredis/adapters/qt.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <poll.h>

namespace spidi {

namespace {

// Atomicity: a session's hash and its member in the room's sorted set change together through
// Lua scripts (EVALSHA, falling back to EVAL on NOSCRIPT) rather than MULTI/EXEC, because
//  - a script is one command and one reply per write where MULTI/HSET/PEXPIRE/ZADD/EXEC would be
//    five: heartbeats stay cheap to pipeline;
//  - a heartbeat must not resurrect a session removed (or expired) meanwhile, which needs a
//    condition (EXISTS) that MULTI cannot express without WATCH, and WATCH does not mix with a
//    pipelined connection shared by every session;
//  - both keys carry the same {roomId} hash tag, so the script is valid on Redis Cluster.
// rooms:{index} lives in another slot and is updated outside the script (SADD before the put,
// so the index is always a superset of the rooms that have sessions).
//
// KEYS: session hash, room online set. ARGV: ttl ms, score, session id, mode, field/value pairs.
// mode "put" creates or replaces; "touch" updates an existing hash only and returns 0 otherwise.
const QByteArray kWriteScript = QByteArrayLiteral(
    "if ARGV[4] == 'touch' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
    "redis.call('HSET', KEYS[1], unpack(ARGV, 5))\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
    "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])\n"
    "redis.call('PEXPIRE', KEYS[2], ARGV[1])\n"
    "return 1\n");
// KEYS: session hash, room online set. ARGV: session id, mode. "remove" drops both; "prune"
// drops the set member only when the hash has expired.
const QByteArray kDropScript = QByteArrayLiteral(
    "if ARGV[2] == 'prune' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "return redis.call('ZREM', KEYS[2], ARGV[1])\n");
constexpr int kWriteScriptId = 0;
constexpr int kDropScriptId = 1;
const QByteArray kRoomsIndex = QByteArrayLiteral("rooms:{index}");

const QByteArray &scriptText(int which)
{
    return which == kWriteScriptId ? kWriteScript : kDropScript;
}

QByteArray scriptSha(int which)
{
    static const QByteArray shas[2] = {
        QCryptographicHash::hash(kWriteScript, QCryptographicHash::Sha1).toHex(),
        QCryptographicHash::hash(kDropScript, QCryptographicHash::Sha1).toHex()};
    return shas[which];
}

QByteArray sessionKey(const QString &roomId, const QString &sessionId)
{
    return "session:{" + roomId.toUtf8() + "}:" + sessionId.toUtf8();
}

QByteArray onlineKey(const QString &roomId)
{
    return "room:{" + roomId.toUtf8() + "}:online";
}

QByteArray metricsKey(const QString &roomId)
{
    return "room:{" + roomId.toUtf8() + "}:metrics";
}

QByteArray number(qint64 value)
{
    return QByteArray::number(value);
}

QList<QByteArray> allFields(const SessionRecord &s)
{
    return {"id",
            s.id.toUtf8(),
            "tenantId",
            s.tenantId.toUtf8(),
            "roomId",
            s.roomId.toUtf8(),
            "roomCode",
            s.roomCode.toUtf8(),
            "userId",
            s.userId.toUtf8(),
            "clientId",
            s.clientId.toUtf8(),
            "device",
            s.device.toUtf8(),
            "os",
            s.os.toUtf8(),
            "appVersion",
            s.appVersion.toUtf8(),
            "ip",
            s.ip.toUtf8(),
            "connectedAtMs",
            number(s.connectedAtMs),
            "lastHeartbeatAtMs",
            number(s.lastHeartbeatAtMs),
            "latencyMs",
            number(s.latencyMs),
            "heartbeatCount",
            number(s.heartbeatCount),
            "latencySamples",
            number(s.latencySamples),
            "latencySumMs",
            QByteArray::number(s.latencySumMs, 'g', 17),
            "endedAtMs",
            number(s.endedAtMs),
            "endReason",
            s.endReason ? toString(*s.endReason).toUtf8() : QByteArray()};
}

QList<QByteArray> heartbeatFields(const SessionRecord &s)
{
    return {"lastHeartbeatAtMs", number(s.lastHeartbeatAtMs),
            "latencyMs",         number(s.latencyMs),
            "heartbeatCount",    number(s.heartbeatCount),
            "latencySamples",    number(s.latencySamples),
            "latencySumMs",      QByteArray::number(s.latencySumMs, 'g', 17)};
}

QByteArray replyString(const redisReply *reply)
{
    return QByteArray(reply->str, qsizetype(reply->len));
}

std::optional<SessionRecord> decodeSession(const redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0 || reply->elements % 2 != 0)
        return std::nullopt;
    QHash<QByteArray, QByteArray> fields;
    for (size_t i = 0; i + 1 < reply->elements; i += 2)
        fields.insert(replyString(reply->element[i]), replyString(reply->element[i + 1]));
    SessionRecord s;
    const auto text = [&](const char *name) { return QString::fromUtf8(fields.value(name)); };
    s.id = text("id");
    s.tenantId = text("tenantId");
    s.roomId = text("roomId");
    s.roomCode = text("roomCode");
    s.userId = text("userId");
    s.clientId = text("clientId");
    s.device = text("device");
    s.os = text("os");
    s.appVersion = text("appVersion");
    s.ip = text("ip");
    s.connectedAtMs = fields.value("connectedAtMs").toLongLong();
    s.lastHeartbeatAtMs = fields.value("lastHeartbeatAtMs").toLongLong();
    s.latencyMs = fields.value("latencyMs", "-1").toInt();
    s.heartbeatCount = fields.value("heartbeatCount").toLongLong();
    s.latencySamples = fields.value("latencySamples").toLongLong();
    s.latencySumMs = fields.value("latencySumMs").toDouble();
    s.endedAtMs = fields.value("endedAtMs").toLongLong();
    s.endReason = sessionEndReasonFromString(text("endReason"));
    if (s.id.isEmpty() || s.roomId.isEmpty() || s.tenantId.isEmpty())
        return std::nullopt;
    return s;
}

} // namespace

struct RedisHotStore::Pending
{
    RedisHotStore *store;
    ReplyHandler done;
};

struct RedisHotStore::LoadJob
{
    SessionsCallback done;
    QList<SessionRecord> sessions;
    int pending = 0;
    bool finished = false;
};

RedisHotStore::RedisHotStore(RedisHotStoreOptions options, QObject *parent)
    : HotStore(parent), m_options(std::move(options)), m_backoffMs(m_options.initialBackoffMs)
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
            // Connected, but AUTH/SELECT/SCRIPT LOAD got no answer (a paused Redis still
            // accepts connections): give up; onDisconnect schedules the next attempt.
            m_closeReason = QStringLiteral("no answer to the handshake after %1 ms")
                                .arg(m_options.connectTimeoutMs);
            redisAsyncFree(m_context);
        }
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisHotStore::connectNow);
    m_pingTimer.setInterval(qMax(100, m_options.pingTimeoutMs / 3));
    connect(&m_pingTimer, &QTimer::timeout, this, &RedisHotStore::ping);
    m_detail = QStringLiteral("not connected yet");
}

RedisHotStore::~RedisHotStore()
{
    m_destroying = true;
    if (m_context) {
        redisAsyncContext *context = m_context;
        detach(context);
        m_context = nullptr;
        // Runs the pending reply callbacks with no reply; they see m_destroying and only free.
        redisAsyncFree(context);
    }
    // Loads still waiting are dropped, not answered: their callers are being torn down too.
}

void RedisHotStore::start()
{
    if (m_state == State::Idle)
        connectNow();
}

void RedisHotStore::connectNow()
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

void RedisHotStore::openContext(const QString &address)
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
    redisAsyncSetConnectCallback(context, &RedisHotStore::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisHotStore::onDisconnect);
    m_connectTimer.start(m_options.connectTimeoutMs);
}

// RedisQtAdapter's destructor writes into its context, so it must go while the context still
// exists; hiredis frees the context right after the connect/disconnect callbacks. The event
// hooks are cleared so hiredis never calls into the deleted adapter.
void RedisHotStore::detach(redisAsyncContext *context)
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

void RedisHotStore::onConnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisHotStore *>(context->data);
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

void RedisHotStore::onDisconnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisHotStore *>(context->data);
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

void RedisHotStore::onReply(redisAsyncContext *context, void *reply, void *privdata)
{
    Q_UNUSED(context)
    std::unique_ptr<Pending> pending(static_cast<Pending *>(privdata));
    RedisHotStore *self = pending->store;
    --self->m_inFlight;
    if (self->m_destroying)
        return;
    if (pending->done)
        pending->done(static_cast<redisReply *>(reply));
}

bool RedisHotStore::command(const QList<QByteArray> &args, ReplyHandler done)
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
    if (redisAsyncCommandArgv(m_context, &RedisHotStore::onReply, pending, int(argv.size()),
                              argv.data(), lengths.data()) != REDIS_OK) {
        delete pending;
        ++m_errors;
        return false;
    }
    ++m_inFlight;
    ++m_sent;
    return true;
}

void RedisHotStore::script(int which, const QList<QByteArray> &keys, const QList<QByteArray> &args,
                           ReplyHandler done)
{
    QList<QByteArray> tail = keys;
    tail += args;
    const QByteArray keyCount = QByteArray::number(keys.size());
    QList<QByteArray> call = {QByteArrayLiteral("EVALSHA"), scriptSha(which), keyCount};
    call += tail;
    command(call, [this, which, keyCount, tail, done](redisReply *reply) {
        if (reply && reply->type == REDIS_REPLY_ERROR &&
            replyString(reply).startsWith("NOSCRIPT")) {
            // The script cache was flushed (SCRIPT FLUSH, failover): send the source.
            QList<QByteArray> eval = {QByteArrayLiteral("EVAL"), scriptText(which), keyCount};
            eval += tail;
            command(eval, done);
            return;
        }
        if (done)
            done(reply);
    });
}

void RedisHotStore::checked(redisReply *reply, const char *what)
{
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        ++m_errors;
        qCWarning(lcStore).noquote() << "redis:" << what << "failed:" << replyString(reply);
    }
}

void RedisHotStore::handshake()
{
    m_state = State::Handshaking;
    m_handshakePending = 0;
    m_connectTimer.start(m_options.connectTimeoutMs); // the handshake gets as long as connect
    const auto step = [this](const char *what) {
        ++m_handshakePending;
        return [this, what](redisReply *reply) {
            if (!reply || m_state != State::Handshaking)
                return;
            if (reply->type == REDIS_REPLY_ERROR) {
                ++m_errors;
                m_state = State::Waiting;
                dropConnection(
                    QStringLiteral("%1 failed: %2")
                        .arg(QLatin1String(what), QString::fromUtf8(replyString(reply))));
                return;
            }
            if (--m_handshakePending == 0)
                becomeReady();
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
    command({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), kWriteScript},
            step("SCRIPT LOAD"));
    command({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), kDropScript},
            step("SCRIPT LOAD"));
}

void RedisHotStore::becomeReady()
{
    m_state = State::Ready;
    m_connectTimer.stop();
    ++m_connections;
    m_backoffMs = m_options.initialBackoffMs;
    m_failedAttempts = 0;
    m_detail.clear();
    m_pingOutstanding = false;
    m_pingTimer.start();

    // Resynchronise: whatever happened while disconnected (or before the first connection)
    // is written now, in order, on the fresh pipeline.
    const auto removed = m_removed;
    for (const SessionRecord &session : removed)
        sendRemove(session);
    for (const SessionRecord &session : std::as_const(m_sessions))
        sendPut(session);
    for (auto it = m_peaks.cbegin(); it != m_peaks.cend(); ++it)
        sendPeak(it.key(), it.value());
    logEvent(lcStore(), QtInfoMsg, "store.connected",
             {{"url", m_options.url.redacted()},
              {"connection", m_connections},
              {"sessions_written", int(m_sessions.size())},
              {"removals_replayed", int(removed.size())}});

    const QList<SessionsCallback> loads = std::exchange(m_pendingLoads, {});
    for (const SessionsCallback &done : loads)
        startLoad(done);
    Q_EMIT ready();
}

void RedisHotStore::dropConnection(const QString &reason)
{
    if (!m_context)
        return;
    m_closeReason = reason;
    // Disconnects once the replies already on their way have arrived; onDisconnect follows.
    redisAsyncDisconnect(m_context);
}

void RedisHotStore::connectionFailed(const QString &reason)
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
        logEvent(lcStore(), QtWarningMsg, "store.disconnected", m_detail,
                 {{"url", m_options.url.redacted()}, {"reason", reason}, {"retry_ms", delay}});
    else
        qCDebug(lcStore).noquote() << "redis: still unreachable:" << m_detail;
    failPendingLoads(reason);
    if (wasReady)
        Q_EMIT connectionLost(reason);
    m_reconnectTimer.start(delay);
}

void RedisHotStore::failPendingLoads(const QString &reason)
{
    const QList<SessionsCallback> loads = std::exchange(m_pendingLoads, {});
    for (const SessionsCallback &done : loads)
        done(makeError(ErrorKind::Unavailable,
                       QStringLiteral("Redis is unreachable: %1").arg(reason),
                       QStringLiteral("redis")));
}

void RedisHotStore::ping()
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

void RedisHotStore::sendPut(const SessionRecord &s)
{
    command({QByteArrayLiteral("SADD"), kRoomsIndex, s.roomId.toUtf8()},
            [this](redisReply *reply) { checked(reply, "SADD rooms:{index}"); });
    QList<QByteArray> args = {number(qint64(m_options.sessionTtlSec) * 1000),
                              number(s.lastHeartbeatAtMs), s.id.toUtf8(), QByteArrayLiteral("put")};
    args += allFields(s);
    script(kWriteScriptId, {sessionKey(s.roomId, s.id), onlineKey(s.roomId)}, args,
           [this](redisReply *reply) { checked(reply, "put session"); });
}

void RedisHotStore::sendTouch(const SessionRecord &s)
{
    QList<QByteArray> args = {number(qint64(m_options.sessionTtlSec) * 1000),
                              number(s.lastHeartbeatAtMs), s.id.toUtf8(),
                              QByteArrayLiteral("touch")};
    args += heartbeatFields(s);
    const QString id = s.id;
    script(kWriteScriptId, {sessionKey(s.roomId, s.id), onlineKey(s.roomId)}, args,
           [this, id](redisReply *reply) {
               checked(reply, "touch session");
               // The hash was gone (expired during a long pause, or Redis lost its data): the
               // session is live here, so write all of it again.
               if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
                   const auto it = m_sessions.constFind(id);
                   if (it != m_sessions.cend())
                       sendPut(*it);
               }
           });
}

void RedisHotStore::sendRemove(const SessionRecord &s)
{
    const QString id = s.id;
    script(kDropScriptId, {sessionKey(s.roomId, s.id), onlineKey(s.roomId)},
           {s.id.toUtf8(), QByteArrayLiteral("remove")}, [this, id](redisReply *reply) {
               checked(reply, "remove session");
               if (reply && reply->type != REDIS_REPLY_ERROR)
                   m_removed.remove(id);
           });
}

void RedisHotStore::sendPeak(const QString &roomId, int peak)
{
    command({QByteArrayLiteral("HSET"), metricsKey(roomId), QByteArrayLiteral("peak"),
             QByteArray::number(peak), QByteArrayLiteral("peakUpdatedAtMs"),
             number(QDateTime::currentMSecsSinceEpoch())},
            [this](redisReply *reply) { checked(reply, "set room peak"); });
}

void RedisHotStore::putSession(const SessionRecord &session)
{
    m_removed.remove(session.id);
    m_restored.remove(session.id);
    m_sessions.insert(session.id, session);
    if (m_state == State::Ready)
        sendPut(session);
}

void RedisHotStore::touchSession(const SessionRecord &session)
{
    // Like the in-process store: a heartbeat for a session it does not hold (never put, or
    // removed already) changes nothing.
    auto it = m_sessions.find(session.id);
    if (it == m_sessions.end()) {
        if (!m_restored.remove(session.id))
            return;
        it = m_sessions.insert(session.id, session);
    }
    *it = session;
    if (m_state == State::Ready)
        sendTouch(session);
}

void RedisHotStore::removeSession(const SessionRecord &session)
{
    m_sessions.remove(session.id);
    m_restored.remove(session.id);
    m_removed.insert(session.id, session);
    if (m_state == State::Ready)
        sendRemove(session);
}

void RedisHotStore::setRoomPeak(const QString &roomId, int peak)
{
    m_peaks.insert(roomId, peak);
    if (m_state == State::Ready)
        sendPeak(roomId, peak);
}

void RedisHotStore::loadSessions(SessionsCallback done)
{
    switch (m_state) {
    case State::Ready:
        startLoad(std::move(done));
        return;
    case State::Connecting:
    case State::Handshaking:
        m_pendingLoads.append(std::move(done));
        return;
    case State::Idle:
    case State::Waiting:
        done(makeError(ErrorKind::Unavailable,
                       QStringLiteral("Redis is unreachable: %1").arg(m_detail),
                       QStringLiteral("redis")));
        return;
    }
}

void RedisHotStore::startLoad(SessionsCallback done)
{
    // SMEMBERS rooms:{index} → ZRANGE per room → HGETALL per member, each stage pipelined.
    auto job = std::make_shared<LoadJob>();
    job->done = std::move(done);
    const auto fail = [this, job](const QString &why) {
        if (job->finished)
            return;
        job->finished = true;
        job->done(makeError(ErrorKind::Unavailable,
                            QStringLiteral("loading sessions from Redis failed: %1").arg(why),
                            QStringLiteral("redis")));
        ++m_errors;
    };
    const auto finishIfDone = [this, job] {
        if (job->finished || job->pending > 0)
            return;
        job->finished = true;
        // Loaded sessions are live only if the engine takes them (their room may be gone):
        // they join the resynchronised state at their first heartbeat, not before.
        for (const SessionRecord &s : std::as_const(job->sessions))
            if (!m_sessions.contains(s.id) && !m_removed.contains(s.id))
                m_restored.insert(s.id, s);
        job->done(job->sessions);
    };
    const auto replyError = [](redisReply *reply) {
        if (!reply)
            return QStringLiteral("connection lost");
        return QString::fromUtf8(replyString(reply));
    };
    ++job->pending;
    const bool sent =
        command({QByteArrayLiteral("SMEMBERS"), kRoomsIndex}, [this, job, fail, finishIfDone,
                                                               replyError](redisReply *rooms) {
            if (!rooms || rooms->type != REDIS_REPLY_ARRAY)
                return fail(replyError(rooms));
            for (size_t i = 0; i < rooms->elements; ++i) {
                const QString roomId = QString::fromUtf8(replyString(rooms->element[i]));
                ++job->pending;
                command(
                    {QByteArrayLiteral("ZRANGE"), onlineKey(roomId), "0", "-1"},
                    [this, job, roomId, fail, finishIfDone, replyError](redisReply *members) {
                        if (!members || members->type != REDIS_REPLY_ARRAY)
                            return fail(replyError(members));
                        for (size_t m = 0; m < members->elements; ++m) {
                            const QString id = QString::fromUtf8(replyString(members->element[m]));
                            ++job->pending;
                            command({QByteArrayLiteral("HGETALL"), sessionKey(roomId, id)},
                                    [this, job, roomId, id, fail, finishIfDone,
                                     replyError](redisReply *hash) {
                                        if (!hash || hash->type != REDIS_REPLY_ARRAY)
                                            return fail(replyError(hash));
                                        if (hash->elements == 0) {
                                            // Expired: its instance stopped writing.
                                            script(kDropScriptId,
                                                   {sessionKey(roomId, id), onlineKey(roomId)},
                                                   {id.toUtf8(), QByteArrayLiteral("prune")}, {});
                                        } else if (auto s = decodeSession(hash)) {
                                            job->sessions.append(*s);
                                        } else {
                                            ++m_errors;
                                        }
                                        --job->pending;
                                        finishIfDone();
                                    });
                        }
                        --job->pending;
                        finishIfDone();
                    });
            }
            --job->pending;
            finishIfDone();
        });
    if (!sent)
        fail(QStringLiteral("not connected"));
}

HotStore::Health RedisHotStore::health() const
{
    Health h;
    h.backend = QStringLiteral("redis");
    h.ok = m_state == State::Ready;
    h.detail = h.ok ? QString() : m_detail;
    h.errors = m_errors;
    return h;
}

void RedisHotStore::drain(int timeoutMs)
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
