#include "store/redis_hot_store.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <hiredis/hiredis.h>

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
            "instanceId",
            s.instanceId.toUtf8(),
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
    return RedisConnection::replyText(reply);
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
    s.instanceId = text("instanceId");
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

struct RedisHotStore::LoadJob
{
    SessionsCallback done;
    QList<SessionRecord> sessions;
    int pending = 0;
    bool finished = false;
};

RedisHotStore::RedisHotStore(RedisHotStoreOptions options, QObject *parent)
    : HotStore(parent), m_options(std::move(options))
{
    RedisConnectionOptions connection;
    connection.url = m_options.url;
    connection.name = QStringLiteral("hot-store");
    connection.connectTimeoutMs = m_options.connectTimeoutMs;
    connection.initialBackoffMs = m_options.initialBackoffMs;
    connection.maxBackoffMs = m_options.maxBackoffMs;
    connection.pingTimeoutMs = m_options.pingTimeoutMs;
    m_redis = new RedisConnection(connection, this);
    m_redis->setHandshakeCommands(
        {{QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), kWriteScript},
         {QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), kDropScript}});
    connect(m_redis, &RedisConnection::ready, this, &RedisHotStore::resynchronise);
    connect(m_redis, &RedisConnection::attemptFailed, this, &RedisHotStore::failPendingLoads);
    connect(m_redis, &RedisConnection::connectionLost, this, &RedisHotStore::connectionLost);
}

RedisHotStore::~RedisHotStore()
{
    // The connection goes first (it is a child): pending replies see it dying and only free.
    // Loads still waiting are dropped, not answered: their callers are being torn down too.
    delete m_redis;
    m_redis = nullptr;
}

void RedisHotStore::start()
{
    m_redis->start();
}

bool RedisHotStore::isReady() const
{
    return m_redis->isReady();
}

qint64 RedisHotStore::commandsInFlight() const
{
    return m_redis->commandsInFlight();
}

qint64 RedisHotStore::commandsSent() const
{
    return m_redis->commandsSent();
}

int RedisHotStore::connectionsMade() const
{
    return m_redis->connectionsMade();
}

bool RedisHotStore::command(const QList<QByteArray> &args, ReplyHandler done)
{
    return m_redis->command(args, std::move(done));
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
        m_redis->countError();
        qCWarning(lcStore).noquote() << "redis:" << what << "failed:" << replyString(reply);
    }
}

void RedisHotStore::resynchronise()
{
    // Whatever happened while disconnected (or before the first connection) is written now,
    // in order, on the fresh pipeline.
    const auto removed = m_removed;
    for (const SessionRecord &session : removed)
        sendRemove(session);
    for (const SessionRecord &session : std::as_const(m_sessions))
        sendPut(session);
    for (auto it = m_peaks.cbegin(); it != m_peaks.cend(); ++it)
        sendPeak(it.key(), it.value());
    logEvent(lcStore(), QtInfoMsg, "store.connected",
             {{"url", m_options.url.redacted()},
              {"connection", m_redis->connectionsMade()},
              {"sessions_written", int(m_sessions.size())},
              {"removals_replayed", int(removed.size())}});

    const QList<SessionsCallback> loads = std::exchange(m_pendingLoads, {});
    for (const SessionsCallback &done : loads)
        startLoad(done);
    Q_EMIT ready();
}

void RedisHotStore::failPendingLoads(const QString &reason)
{
    const QList<SessionsCallback> loads = std::exchange(m_pendingLoads, {});
    for (const SessionsCallback &done : loads)
        done(makeError(ErrorKind::Unavailable,
                       QStringLiteral("Redis is unreachable: %1").arg(reason),
                       QStringLiteral("redis")));
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
    if (m_redis->isReady())
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
    if (m_redis->isReady())
        sendTouch(session);
}

void RedisHotStore::removeSession(const SessionRecord &session)
{
    m_sessions.remove(session.id);
    m_restored.remove(session.id);
    m_removed.insert(session.id, session);
    if (m_redis->isReady())
        sendRemove(session);
}

void RedisHotStore::forgetSession(const QString &sessionId)
{
    m_sessions.remove(sessionId);
    m_restored.remove(sessionId);
}

void RedisHotStore::setRoomPeak(const QString &roomId, int peak)
{
    m_peaks.insert(roomId, peak);
    if (m_redis->isReady())
        sendPeak(roomId, peak);
}

void RedisHotStore::loadSessions(SessionsCallback done)
{
    if (m_redis->isReady())
        startLoad(std::move(done));
    else if (m_redis->isConnecting())
        m_pendingLoads.append(std::move(done));
    else
        done(makeError(ErrorKind::Unavailable,
                       QStringLiteral("Redis is unreachable: %1").arg(m_redis->detail()),
                       QStringLiteral("redis")));
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
        m_redis->countError();
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
                                            m_redis->countError();
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
    h.ok = m_redis->isReady();
    h.detail = h.ok ? QString() : m_redis->detail();
    h.errors = m_redis->errors();
    h.reconnects = qMax(0, m_redis->connectionsMade() - 1);
    return h;
}

void RedisHotStore::drain(int timeoutMs)
{
    m_redis->drain(timeoutMs);
}

} // namespace spidi
