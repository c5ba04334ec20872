#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace spidi {

class RedisConnection;

struct LeaderLeaseOptions
{
    QByteArray key = QByteArrayLiteral("spidi:cluster:leader");
    QString instanceId;
    // The lease expires in Redis this long after its last renewal: a dead leader is replaced
    // within it.
    int ttlMs = 5000;
    int renewIntervalMs = 1000;
};

// Cluster-once jobs (orphan expiry now; alert evaluation and stats later) run on the instance
// holding this lease: SET key <instance> NX PX ttl to take it, a compare-and-PEXPIRE script to
// renew it. The holder counts itself leader only until (time the renewal was sent + ttl −
// margin), measured on its own monotonic clock, so a stalled or partitioned leader stops
// before Redis lets another instance take over: at most one leader at a time, possibly none
// for up to one ttl after a failure. Without Redis nobody leads, since an instance cut off from
// Redis cannot hear its peers and would take their sessions for orphans.
class LeaderLease : public QObject
{
    Q_OBJECT
public:
    LeaderLease(RedisConnection &redis, LeaderLeaseOptions options, QObject *parent = nullptr);
    ~LeaderLease() override;

    void start();
    bool isLeader() const;
    // Gives the lease up (shutdown), so another instance need not wait for it to expire.
    void release();

Q_SIGNALS:
    void leadershipChanged(bool leader);

private:
    void tick();
    void setLeader(bool leader);

    RedisConnection &m_redis;
    LeaderLeaseOptions m_options;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_validUntil = -1; // m_clock time
    bool m_leader = false;
    bool m_requestOutstanding = false;
};

} // namespace spidi
