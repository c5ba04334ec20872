#include "deployment.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlQuery>

namespace spidi::test {

namespace {
const QString kDatabase = QStringLiteral("spidi_e2e");
} // namespace

Deployment::Deployment() = default;

Deployment::~Deployment()
{
    terminateAll();
}

Setup Deployment::setupFromEnvironment()
{
    const QString text = qEnvironmentVariable("SPIDI_E2E_SETUP", QStringLiteral("embedded"));
    if (text == QLatin1String("redis-pg"))
        return Setup::RedisPostgres;
    if (text == QLatin1String("cluster"))
        return Setup::Cluster;
    return Setup::Embedded;
}

QString Deployment::name(Setup setup)
{
    switch (setup) {
    case Setup::Embedded:
        return QStringLiteral("embedded");
    case Setup::RedisPostgres:
        return QStringLiteral("redis-pg");
    case Setup::Cluster:
        return QStringLiteral("cluster");
    }
    return {};
}

QStringList Deployment::serverArguments(const QStringList &extra) const
{
    QStringList arguments = extra;
    if (m_redis)
        arguments << QStringLiteral("--redis") << m_redis->url();
    if (m_postgres)
        arguments << QStringLiteral("--database") << m_postgres->appUrl(kDatabase);
    // Every instance verifies the tokens the first one mints.
    if (!m_instances.empty())
        arguments << QStringLiteral("--jwt-secret-file")
                  << QDir(m_instances.front()->dataDir()).filePath(QStringLiteral("jwt.secret"));
    return arguments;
}

bool Deployment::start(Setup setup, const QStringList &extra)
{
    m_setup = setup;
    m_extra = extra;
    if (setup != Setup::Embedded) {
        m_redis = std::make_unique<RedisProcess>();
        if (!m_redis->start()) {
            m_error = QStringLiteral("redis-server: ") + m_redis->errorText();
            return false;
        }
        m_postgres = std::make_unique<PostgresProcess>();
        if (!m_postgres->start() || !m_postgres->createDatabase(kDatabase)) {
            m_error = QStringLiteral("postgres: ") + m_postgres->errorText();
            return false;
        }
    }
    if (!addInstance(extra))
        return false;
    if (setup == Setup::Cluster && !addInstance(extra))
        return false;
    return true;
}

ServerProcess *Deployment::addInstance(const QStringList &extra)
{
    auto server = std::make_unique<ServerProcess>();
    if (!server->start(serverArguments(extra))) {
        m_error = QStringLiteral("spidi-server did not start:\n") + server->errorText();
        return nullptr;
    }
    m_instances.push_back(std::move(server));
    return m_instances.back().get();
}

QHash<QString, HistoryRow> Deployment::historyRows()
{
    QHash<QString, HistoryRow> rows;
    if (m_postgres) {
        const QString text =
            m_postgres
                ->adminScalar(kDatabase,
                              QStringLiteral("SELECT string_agg(id::text || '|' || "
                                             "coalesce(end_reason, '') || '|' || heartbeat_count "
                                             "|| '|' || (ended_at IS NOT NULL)::text, ';') "
                                             "FROM dat_spd_session"))
                .toString();
        for (const QString &line : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            const QStringList f = line.split(QLatin1Char('|'));
            if (f.size() == 4)
                rows.insert(f[0],
                            HistoryRow{f[1], f[2].toLongLong(), f[3] == QLatin1String("true")});
        }
        return rows;
    }
    const QString name = QStringLiteral("e2e-history-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(device().databaseFile());
        if (db.open()) {
            QSqlQuery query(db);
            query.exec(QStringLiteral(
                "SELECT id, end_reason, heartbeat_count, ended_at FROM dat_spd_session"));
            while (query.next())
                rows.insert(query.value(0).toString(),
                            HistoryRow{query.value(1).toString(), query.value(2).toLongLong(),
                                       !query.value(3).isNull()});
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

bool Deployment::terminateAll()
{
    bool clean = true;
    for (auto &instance : m_instances)
        if (instance->isRunning())
            clean = instance->terminate() == 0 && clean;
    return clean;
}

} // namespace spidi::test
