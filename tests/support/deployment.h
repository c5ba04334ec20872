#pragma once

#include "postgres_process.h"
#include "redis_process.h"
#include "server_process.h"

#include <QHash>
#include <QStringList>

#include <memory>
#include <vector>

namespace spidi::test {

// The set-ups the end-to-end presence suite runs against (SPIDI_E2E_SETUP):
//  - embedded: one instance on SQLite and the in-process store;
//  - redis-pg: one instance on a real Redis and a real PostgreSQL;
//  - cluster:  two instances sharing them; devices talk to the first, dashboards and REST to
//              the second, so every check also proves the fan-out between instances.
enum class Setup { Embedded, RedisPostgres, Cluster };

struct HistoryRow
{
    QString endReason;
    qint64 heartbeatCount = 0;
    bool ended = false;
};

class Deployment
{
public:
    Deployment();
    ~Deployment();

    static Setup setupFromEnvironment();
    static QString name(Setup setup);

    // Starts the backing servers and one instance (two for Cluster), each with `extra`.
    bool start(Setup setup, const QStringList &extra = {});
    // One more instance sharing the same Redis, PostgreSQL and JWT secret.
    ServerProcess *addInstance(const QStringList &extra = {});
    Setup setup() const { return m_setup; }

    ServerProcess &device() { return *m_instances.front(); }
    ServerProcess &dashboard() { return *m_instances.back(); }
    ServerProcess &instance(int index) { return *m_instances.at(size_t(index)); }
    RedisProcess *redis() { return m_redis.get(); }
    PostgresProcess *postgres() { return m_postgres.get(); }
    QString errorText() const { return m_error; }

    // Session history by session id, from SQLite or PostgreSQL.
    QHash<QString, HistoryRow> historyRows();
    // SIGTERM every instance; true when all exited with 0.
    bool terminateAll();

private:
    QStringList serverArguments(const QStringList &extra) const;

    Setup m_setup = Setup::Embedded;
    std::unique_ptr<RedisProcess> m_redis;
    std::unique_ptr<PostgresProcess> m_postgres;
    std::vector<std::unique_ptr<ServerProcess>> m_instances;
    QStringList m_extra;
    QString m_error;
};

} // namespace spidi::test
