#include "cluster/leader_lease.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "store/redis_connection.h"

#include <hiredis/hiredis.h>

namespace spidi {

namespace {
// KEYS[1] lease key; ARGV[1] our instance id, ARGV[2] ttl ms. Renews only our own lease and
// takes a free one: 1 when we hold it afterwards, 0 otherwise.
const QByteArray kAcquireOrRenew = QByteArrayLiteral(
    "local holder = redis.call('GET', KEYS[1])\n"
    "if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end\n"
    "if holder then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return 1\n");
const QByteArray kRelease = QByteArrayLiteral(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
    "return 0\n");
} // namespace

LeaderLease::LeaderLease(RedisConnection &redis, LeaderLeaseOptions options, QObject *parent)
    : QObject(parent), m_redis(redis), m_options(std::move(options))
{
    m_clock.start();
    m_timer.setInterval(m_options.renewIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &LeaderLease::tick);
    connect(&m_redis, &RedisConnection::ready, this, &LeaderLease::tick);
    connect(&m_redis, &RedisConnection::connectionLost, this, [this] {
        m_requestOutstanding = false;
        setLeader(false);
    });
}

LeaderLease::~LeaderLease() = default;

void LeaderLease::start()
{
    m_timer.start();
    tick();
}

bool LeaderLease::isLeader() const
{
    return m_leader && m_clock.elapsed() < m_validUntil;
}

void LeaderLease::tick()
{
    if (m_leader && m_clock.elapsed() >= m_validUntil)
        setLeader(false); // renewals have not come back in time
    if (m_requestOutstanding || !m_redis.isReady())
        return;
    const qint64 sentAt = m_clock.elapsed();
    // Three renewals may fail before the lease runs out in Redis; stop a little earlier here.
    const qint64 margin = qMax<qint64>(m_options.renewIntervalMs / 2, 100);
    m_requestOutstanding = m_redis.command(
        {QByteArrayLiteral("EVAL"), kAcquireOrRenew, QByteArrayLiteral("1"), m_options.key,
         m_options.instanceId.toUtf8(), QByteArray::number(m_options.ttlMs)},
        [this, sentAt, margin](redisReply *reply) {
            m_requestOutstanding = false;
            if (!reply || reply->type != REDIS_REPLY_INTEGER) {
                if (reply)
                    qCWarning(lcCluster).noquote()
                        << "cluster.lease_failed: error=" << RedisConnection::replyText(reply);
                setLeader(false);
                return;
            }
            if (reply->integer == 1) {
                m_validUntil = sentAt + m_options.ttlMs - margin;
                setLeader(m_clock.elapsed() < m_validUntil);
            } else {
                setLeader(false);
            }
        });
}

void LeaderLease::release()
{
    m_timer.stop();
    if (m_leader && m_redis.isReady())
        m_redis.command({QByteArrayLiteral("EVAL"), kRelease, QByteArrayLiteral("1"), m_options.key,
                         m_options.instanceId.toUtf8()});
    setLeader(false);
}

void LeaderLease::setLeader(bool leader)
{
    if (leader == m_leader)
        return;
    m_leader = leader;
    if (!leader)
        m_validUntil = -1;
    logEvent(lcCluster(), leader ? QtInfoMsg : QtWarningMsg,
             leader ? "cluster.leader_elected" : "cluster.leader_lost",
             {{"instance_id", m_options.instanceId}});
    Q_EMIT leadershipChanged(leader);
}

} // namespace spidi
