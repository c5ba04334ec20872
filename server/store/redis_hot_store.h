#pragma once

#include "store/hot_store.h"
#include "store/redis_connection.h"
#include "store/redis_url.h"

#include <QHash>
#include <QList>

#include <functional>
#include <memory>

struct redisReply;

namespace spidi {

struct RedisHotStoreOptions
{
    RedisUrl url;
    // TTL of session:{room}:id and room:{room}:online, refreshed by every write: the session
    // timeout plus a margin, so a session whose instance died disappears on its own.
    int sessionTtlSec = 75;
    int connectTimeoutMs = 2000;
    int initialBackoffMs = 100;
    int maxBackoffMs = 5000;
    // A connection whose PING has had no reply for this long is treated as lost.
    int pingTimeoutMs = 3000;
};

// The hot store in Redis (SPEC sections 6 and 9), on hiredis's asynchronous API driven by the Qt
// event loop (hiredis/adapters/qt.h): no call here blocks the loop, except drain() at shutdown.
//
// Keys, all hash-tagged by room so a room's keys share one Redis Cluster slot:
//   session:{<roomId>}:<sessionId>  hash, every SessionRecord field, PEXPIRE sessionTtl
//   room:{<roomId>}:online          sorted set: member session id, score last heartbeat (ms)
//   room:{<roomId>}:metrics         hash: peak, peakUpdatedAtMs
//   rooms:{index}                   set of room ids that ever had a session (for loadSessions)
//
// Writes are fire-and-forget and pipelined on one connection. The store keeps the latest state
// of every session it was told about, so a Redis outage loses nothing: after a reconnect every
// live session is written again and every removal made meanwhile is replayed.
class RedisHotStore final : public HotStore
{
    Q_OBJECT
public:
    explicit RedisHotStore(RedisHotStoreOptions options, QObject *parent = nullptr);
    ~RedisHotStore() override;

    // Starts connecting (asynchronously); reconnects with exponential backoff from then on.
    void start();

    void putSession(const SessionRecord &session) override;
    void touchSession(const SessionRecord &session) override;
    void removeSession(const SessionRecord &session) override;
    void forgetSession(const QString &sessionId) override;
    void setRoomPeak(const QString &roomId, int peak) override;
    // Waits for the first connection attempt when it is still in progress; fails with
    // ErrorKind::Unavailable when Redis cannot be reached.
    void loadSessions(SessionsCallback done) override;
    Health health() const override;
    bool survivesRestart() const override { return true; }
    void drain(int timeoutMs) override;

    bool isReady() const;
    // Commands sent whose replies have not arrived yet.
    qint64 commandsInFlight() const;
    qint64 commandsSent() const;
    int connectionsMade() const;
    const RedisHotStoreOptions &options() const { return m_options; }

Q_SIGNALS:
    // Connected, authenticated, database selected, scripts loaded, state resynchronised.
    void ready();
    void connectionLost(const QString &reason);

private:
    struct LoadJob;
    using ReplyHandler = std::function<void(redisReply *)>;

    bool command(const QList<QByteArray> &args, ReplyHandler done = {});
    void script(int which, const QList<QByteArray> &keys, const QList<QByteArray> &args,
                ReplyHandler done);
    void checked(redisReply *reply, const char *what);
    void resynchronise();
    void failPendingLoads(const QString &reason);
    void sendPut(const SessionRecord &session);
    void sendTouch(const SessionRecord &session);
    void sendRemove(const SessionRecord &session);
    void sendPeak(const QString &roomId, int peak);
    void startLoad(SessionsCallback done);

    RedisHotStoreOptions m_options;
    RedisConnection *m_redis = nullptr;

    // What Redis must contain: the latest state of every session this instance owns, removals
    // not yet acknowledged, and room peaks; replayed after every (re)connect.
    QHash<QString, SessionRecord> m_sessions;
    QHash<QString, SessionRecord> m_removed;
    QHash<QString, int> m_peaks;
    // Loaded from Redis at start and not heard of since (see startLoad()).
    QHash<QString, SessionRecord> m_restored;
    QList<SessionsCallback> m_pendingLoads;
};

} // namespace spidi
