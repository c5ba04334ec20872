#include "app/server_application.h"

#include "alerts/alert_service.h"
#include "auth/jwt_keys.h"
#include "auth/token_extractor.h"
#include "cluster/cluster_link.h"
#include "cluster/leader_lease.h"
#include "cluster/redis_cluster_bus.h"
#include "db/migration_runner.h"
#include "db/room_repository.h"
#include "db/session_history_repository.h"
#include "db/session_history_writer.h"
#include "gateway/front_door.h"
#include "gateway/subscription_hub.h"
#include "gateway/websocket_gateway.h"
#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "metrics/server_metrics.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"
#include "rest/alerts_api.h"
#include "rest/ops_api.h"
#include "rest/presence_api.h"
#include "rest/rest_context.h"
#include "rest/rooms_api.h"
#include "rest/stats_api.h"
#include "stats/heartbeat_stats_recorder.h"
#include "stats/stats_consolidator.h"
#include "store/memory_hot_store.h"
#include "store/redis_hot_store.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QHttpServer>
#include <QJsonArray>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QUuid>

namespace spidi {

namespace {
constexpr int kSweepIntervalMs = 1000;
constexpr int kGaugeIntervalMs = 1000;
constexpr int kStoreLoadWaitMs = 5000;
constexpr int kStoreDrainMs = 3000;
const QString kMainConnection = QStringLiteral("spidi-main");
} // namespace

ServerApplication::ServerApplication(ServerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config))
{
    m_sweepTimer.setInterval(kSweepIntervalMs);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ServerApplication::sweep);
    m_gaugeTimer.setInterval(kGaugeIntervalMs);
    connect(&m_gaugeTimer, &QTimer::timeout, this, &ServerApplication::refreshGauges);
    connect(&m_statsTimer, &QTimer::timeout, this, &ServerApplication::consolidateStats);
}

ServerApplication::~ServerApplication()
{
    stop();
    // Sockets and routes refer to the engine: take them down first.
    m_frontDoor.reset();
    m_http.reset();
    m_gateway.reset();
    // Before the database closes: pending deliveries record that they were cut short.
    m_alerts.reset();
    m_hub.reset();
    m_cluster.reset();
    m_lease.reset();
    m_bus.reset();
    m_statsRecorder.reset();
    m_statsConsolidator.reset();
    m_history.reset();
    m_engine.reset();
    m_store.reset();
    if (m_database)
        m_database->close();
}

Status ServerApplication::start()
{
    m_uptime.start();
    m_instanceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const DatabaseConfig databaseConfig{m_config.databaseUrl, m_config.dataDir};

    auto keys = loadJwtKeys(m_config.authConfig(), /*createSecretIfMissing=*/true);
    if (!keys)
        return keys.error();
    logEvent(lcAuth(), QtInfoMsg, "auth.keys_loaded",
             {{"algorithm", QString::fromLatin1(jwtAlgorithmName(keys->algorithm))},
              {"source", keys->source}});
    m_verifier.emplace(std::move(*keys));

    auto database = Database::open(databaseConfig, kMainConnection);
    if (!database)
        return database.error();
    m_database = *database;
    auto applied = applyMigrations(*m_database);
    if (!applied)
        return applied.error();
    logEvent(lcDb(), QtInfoMsg, "db.migrated", {{"applied", applied.value()}});

    m_clock = std::make_unique<SystemClock>();
    m_metrics = std::make_unique<ServerMetrics>();
    if (m_config.redisUrl.isEmpty()) {
        m_store = std::make_unique<MemoryHotStore>();
    } else {
        auto url = RedisUrl::parse(m_config.redisUrl);
        if (!url)
            return url.error();
        RedisHotStoreOptions options;
        options.url = *url;
        // Long enough that a restarted server finds its sessions; the engine's sweep, not
        // the TTL, decides when a session expires.
        options.sessionTtlSec = m_config.sessionTimeoutSec + 30;
        auto redis = std::make_unique<RedisHotStore>(options);
        redis->start();
        m_store = std::move(redis);
        logEvent(lcStore(), QtInfoMsg, "store.redis", {{"url", url->redacted()}});
    }

    if (!m_store->survivesRestart()) {
        // With an in-process store, sessions still open in history belong to a process that
        // died without flushing; nothing can resume them, so they ended when it died.
        auto closed =
            SessionHistoryRepository(*m_database).closeOpenSessions(SessionEndReason::Disconnected);
        if (!closed)
            return closed.error();
        if (closed.value() > 0)
            logEvent(lcDb(), QtWarningMsg, "history.orphans_closed",
                     {{"sessions", closed.value()}, {"reason", QStringLiteral("DISCONNECTED")}});
    }

    auto rooms = RoomRepository(*m_database).allLiveRooms();
    if (!rooms)
        return rooms.error();

    m_engine = std::make_unique<PresenceEngine>(
        *m_clock, *m_store,
        PresenceSettings{m_config.heartbeatIntervalSec, m_config.sessionTimeoutSec});
    m_engine->setInstanceId(m_instanceId);
    m_engine->loadRooms(*rooms);
    {
        // Sessions kept by a durable store outlive the previous process: restore them before
        // listening so their devices can carry on. Redis answers asynchronously; wait for it
        // here (start-up only, bounded). Unreachable Redis fails fast and the server starts
        // degraded with whatever it learns from now on; a late answer is still applied.
        auto loaded = std::make_shared<bool>(false);
        QEventLoop wait;
        QPointer<QEventLoop> waiting(&wait);
        m_store->loadSessions([this, loaded, waiting](Result<QList<SessionRecord>> sessions) {
            *loaded = true;
            if (sessions) {
                m_engine->restoreSessions(*sessions);
                if (!sessions->isEmpty())
                    logEvent(lcStore(), QtInfoMsg, "store.sessions_restored",
                             {{"sessions", int(sessions->size())}});
            } else {
                logEvent(lcStore(), QtWarningMsg, "store.load_failed", sessions.error().message,
                         {{"reason", sessions.error().message}});
            }
            if (waiting)
                waiting->quit();
        });
        if (!*loaded) {
            QTimer::singleShot(kStoreLoadWaitMs, &wait, &QEventLoop::quit);
            wait.exec(QEventLoop::ExcludeUserInputEvents);
        }
    }

    m_history =
        std::make_unique<SessionHistoryWriter>(databaseConfig, m_config.flushIntervalSec * 1000);
    // Each session's history is written by the instance that started or ended it; what other
    // instances report is theirs to write.
    connect(m_engine.get(), &PresenceEngine::sessionStarted, this,
            [this](const SessionRecord &session, EventOrigin origin) {
                if (origin != EventOrigin::Local)
                    return;
                m_history->enqueue(session);
                m_metrics->sessionStarted();
            });
    connect(m_engine.get(), &PresenceEngine::sessionEnded, this,
            [this](const SessionRecord &session, ConnectionId, EventOrigin origin) {
                if (origin != EventOrigin::Local)
                    return;
                m_history->enqueue(session);
                if (session.endReason)
                    m_metrics->sessionEnded(toString(*session.endReason));
            });
    m_history->start();
    // Statistics: every instance counts the heartbeats it receives; the leader consolidates.
    m_statsRecorder =
        std::make_unique<HeartbeatStatsRecorder>(*m_engine, *m_database, *m_clock, m_instanceId);
    StatsSettings statsSettings;
    statsSettings.historyFlushIntervalSec = m_config.flushIntervalSec;
    statsSettings.retentionMinuteSec = m_config.retentionMinuteSec;
    statsSettings.retentionHourSec = m_config.retentionHourSec;
    statsSettings.retentionDaySec = m_config.retentionDaySec;
    m_statsConsolidator = std::make_unique<StatsConsolidator>(*m_database, *m_clock, statsSettings);
    if (auto clustered = startCluster(); !clustered)
        return clustered;

    m_hub = std::make_unique<SubscriptionHub>(*m_engine, *m_clock);
    const FrontDoor::Authenticator authenticator = [this](const QByteArray &authorization,
                                                          const QByteArray &query) {
        return authenticate(authorization, query);
    };
    GatewayLimits limits;
    limits.maxFrameBytes = m_config.maxFrameBytes;
    limits.rateLimitPerSec = m_config.rateLimitPerSec;
    limits.rateLimitBurst = m_config.rateLimitBurst;
    limits.stompHeartBeatMs = m_config.stompHeartBeatMs;
    m_gateway = std::make_unique<WebSocketGateway>(*m_engine, *m_hub, authenticator, limits,
                                                   m_metrics.get());
    if (auto alerts = startAlerts(); !alerts)
        return alerts;

    m_http = std::make_unique<QHttpServer>();
    m_restContext = std::make_unique<rest::RestContext>();
    m_restContext->authenticate = [this](const QHttpServerRequest &request) {
        return authenticate(request.value("Authorization"),
                            request.url().query(QUrl::FullyEncoded).toUtf8());
    };
    m_restContext->database = &*m_database;
    m_restContext->roomChanged = [this](const Room &room) {
        m_engine->upsertRoom(room);
        if (m_cluster)
            m_cluster->roomChanged(room.id, false);
    };
    m_restContext->roomDeleted = [this](const Room &room) {
        m_engine->removeRoom(room.id);
        if (m_cluster)
            m_cluster->roomChanged(room.id, true);
    };
    m_restContext->unwrittenSession =
        [this](const QString &sessionId) -> std::optional<SessionRecord> {
        return m_history ? m_history->unwritten(sessionId) : std::nullopt;
    };
    rest::registerRoomRoutes(*m_http, *m_restContext);
    rest::registerPresenceRoutes(*m_http, *m_restContext, *m_engine);
    rest::registerStatsRoutes(*m_http, *m_restContext, *m_engine);
    rest::registerAlertRoutes(*m_http, *m_restContext, m_alerts.get());
    rest::registerOpsRoutes(*m_http, rest::OpsEndpoints{[this] { return health(); },
                                                        [this] {
                                                            refreshGauges();
                                                            return m_metrics->serialize();
                                                        }});

    m_frontDoor = std::make_unique<FrontDoor>(authenticator, m_gateway->server());
    m_frontDoor->setHttpServer(*m_http);
    m_gateway->acceptUpgradesFrom(*m_http);
    if (m_config.maxConnections > 0) {
        const int maximum = m_config.maxConnections;
        m_frontDoor->setWebSocketAdmission(
            [this, maximum] { return m_gateway->connectionCount() < maximum; });
    }
    if (!m_frontDoor->listen(m_config.bind, m_config.port))
        return makeError(ErrorKind::Unavailable,
                         QStringLiteral("cannot listen on %1:%2: %3")
                             .arg(m_config.bind.toString())
                             .arg(m_config.port)
                             .arg(m_frontDoor->errorString()),
                         QStringLiteral("port"));

    m_sweepTimer.start();
    m_gaugeTimer.start();
    m_statsRecorder->start();
    m_statsTimer.start(qMax(1, m_config.statsIntervalSec) * 1000);
    m_alerts->start();
    m_running = true;
    refreshGauges();
    logEvent(lcServer(), QtInfoMsg, "server.listening",
             {{"bind", m_config.bind.toString()},
              {"port", int(port())},
              {"rooms", m_engine->roomCount()},
              {"data_dir", m_config.dataDir},
              {"instance_id", m_instanceId},
              {"version", QStringLiteral(SPIDI_VERSION)}});
    return Ok{};
}

bool ServerApplication::stop()
{
    if (!m_running)
        return true;
    m_running = false;
    m_sweepTimer.stop();
    m_gaugeTimer.stop();
    m_statsTimer.stop();
    m_alerts->stop();
    m_frontDoor->close();
    m_gateway->closeAll();
    int ended = 0;
    if (!m_store->survivesRestart())
        ended = m_engine->endAll(SessionEndReason::Disconnected);
    else
        m_store->drain(kStoreDrainMs); // the last heartbeats reach Redis before we exit
    if (m_lease) {
        // Another instance takes the cluster-once work over now, not when the lease expires.
        m_lease->release();
        m_bus->commands().drain(kStoreDrainMs);
    }
    // This instance's heartbeat counts, before the database closes (logged if it fails).
    m_statsRecorder->stop();
    m_statsRecorder->flush();
    const int queued = m_history->queueDepth();
    const bool flushed = m_history->flushNow();
    logEvent(lcServer(), flushed ? QtInfoMsg : QtCriticalMsg, "server.stopped",
             {{"sessions_ended", ended},
              {"history_rows_flushed", queued},
              {"history_flushed", flushed},
              {"history_still_queued", m_history->queueDepth()}});
    Q_EMIT stopped();
    return flushed;
}

quint16 ServerApplication::port() const
{
    return m_frontDoor ? m_frontDoor->port() : 0;
}

Result<Principal> ServerApplication::authenticate(const QByteArray &authorization,
                                                  const QByteArray &query) const
{
    const QByteArray token = extractBearerToken(authorization, QUrlQuery(QString::fromUtf8(query)));
    if (token.isEmpty())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("missing bearer token (Authorization header or "
                                        "access_token query parameter)"));
    auto principal = m_verifier->verify(token, QDateTime::currentSecsSinceEpoch());
    if (!principal)
        return makeError(ErrorKind::Invalid, principal.error().message);
    return principal;
}

void ServerApplication::sweep()
{
    const int ended = m_engine->sweep();
    if (ended > 0)
        qCDebug(lcPresence) << "sweep ended" << ended << "sessions";
}

Status ServerApplication::startAlerts()
{
    AlertServiceOptions options;
    options.intervalSec = m_config.alertIntervalSec;
    options.smtp.host = m_config.smtpHost;
    options.smtp.port = m_config.smtpPort;
    options.smtp.tls = m_config.smtpTls;
    options.smtp.user = m_config.smtpUser;
    options.smtp.from = m_config.smtpFrom;
    if (!m_config.smtpPasswordFile.isEmpty()) {
        QFile file(m_config.smtpPasswordFile);
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("cannot read smtp-password-file %1: %2")
                                 .arg(m_config.smtpPasswordFile, file.errorString()),
                             QStringLiteral("smtp-password-file"));
        options.smtp.password = QString::fromUtf8(file.readLine()).trimmed();
    }
    m_alerts =
        std::make_unique<AlertService>(*m_clock, *m_engine, *m_database, *m_metrics, options);
    // Once per cluster: the lease holder evaluates; a single instance always does.
    m_alerts->setLeaderCheck([this] { return !m_lease || m_lease->isLeader(); });
    m_alerts->setPublisher([this](const QString &tenantId, const QJsonObject &message) {
        m_hub->publishAlert(tenantId, message);
    });
    if (m_cluster) {
        m_alerts->setForwarder(
            [this](const QJsonObject &payload) { m_cluster->publishAlerts(payload); });
        m_cluster->setAlertsHandler(
            [this](const QJsonObject &payload) { m_alerts->onClusterMessage(payload); });
    }
    m_hub->setAlertSnapshot(
        [this](const QString &tenantId) { return m_alerts->snapshot(tenantId); });
    return Ok{};
}

Status ServerApplication::startCluster()
{
    if (m_config.redisUrl.isEmpty())
        return Ok{}; // one instance: nothing to share, it does all the work itself
    auto url = RedisUrl::parse(m_config.redisUrl);
    if (!url)
        return url.error();
    ClusterBusOptions busOptions;
    busOptions.url = *url;
    busOptions.instanceId = m_instanceId;
    m_bus = std::make_unique<RedisClusterBus>(busOptions);
    LeaderLeaseOptions leaseOptions;
    leaseOptions.instanceId = m_instanceId;
    m_lease = std::make_unique<LeaderLease>(m_bus->commands(), leaseOptions);
    m_cluster =
        std::make_unique<ClusterLink>(*m_engine, *m_bus, *m_lease, [this] { reloadRooms(); });
    m_bus->start();
    m_lease->start();
    m_cluster->start();
    logEvent(lcCluster(), QtInfoMsg, "cluster.joining",
             {{"instance_id", m_instanceId},
              {"channel", QString::fromUtf8(busOptions.channel)},
              {"url", url->redacted()}});
    return Ok{};
}

void ServerApplication::reloadRooms()
{
    auto rooms = RoomRepository(*m_database).allLiveRooms();
    if (!rooms) {
        logEvent(lcCluster(), QtWarningMsg, "cluster.room_reload_failed", rooms.error().message,
                 {{"reason", rooms.error().message}});
        return;
    }
    QSet<QString> live;
    for (const Room &room : std::as_const(*rooms)) {
        live.insert(room.id);
        const RoomPresence *known = m_engine->roomById(room.id);
        if (!known || known->room().version != room.version)
            m_engine->upsertRoom(room);
    }
    for (const QString &id : m_engine->roomIds())
        if (!live.contains(id))
            m_engine->removeRoom(id);
}

QJsonObject ServerApplication::clusterHealth() const
{
    if (!m_bus)
        return QJsonObject{{QLatin1String("status"), QLatin1String("ok")},
                           {QLatin1String("mode"), QLatin1String("single")},
                           {QLatin1String("instanceId"), m_instanceId},
                           {QLatin1String("leader"), true}};
    return QJsonObject{{QLatin1String("status"),
                        m_bus->isConnected() ? QLatin1String("ok") : QLatin1String("down")},
                       {QLatin1String("mode"), QLatin1String("redis")},
                       {QLatin1String("instanceId"), m_instanceId},
                       {QLatin1String("leader"), m_lease->isLeader()},
                       {QLatin1String("peers"), QJsonArray::fromStringList(m_bus->alivePeers())},
                       {QLatin1String("detail"), m_bus->detail()}};
}

void ServerApplication::refreshGauges()
{
    if (!m_engine)
        return;
    m_metrics->roomsTotal.Set(m_engine->roomCount());
    // Per instance, so that summing over the instances gives the cluster's total.
    m_metrics->sessionsActive.Set(m_engine->localSessionCount());
    m_metrics->websocketConnections.Set(m_gateway->connectionCount());
    m_metrics->subscriptions.Set(m_hub->subscriberCount());
    m_metrics->historyQueueDepth.Set(m_history->queueDepth());
    const qint64 written = m_history->rowsWritten();
    if (written > m_rowsReported) {
        m_metrics->historyRowsWritten.Increment(double(written - m_rowsReported));
        m_rowsReported = written;
    }
    const qint64 skipped = m_hub->broadcastsSkipped();
    if (skipped > m_skippedReported) {
        m_metrics->broadcastsSkipped.Increment(double(skipped - m_skippedReported));
        m_skippedReported = skipped;
    }
    const HotStore::Health store = m_store->health();
    m_metrics->hotStoreErrors.Set(double(store.errors));
    m_metrics->hotStoreReconnects.Set(double(store.reconnects));
    m_metrics->clusterLeader.Set(!m_lease || m_lease->isLeader() ? 1.0 : 0.0);
    if (m_bus) {
        m_metrics->clusterPeers.Set(double(m_bus->alivePeers().size()));
        m_metrics->clusterMessagesPublished.Set(double(m_bus->messagesPublished()));
        m_metrics->clusterMessagesReceived.Set(double(m_bus->messagesReceived()));
        m_metrics->clusterMessagesDropped.Set(double(m_bus->messagesDropped()));
    }
}

void ServerApplication::consolidateStats()
{
    // Cluster-once work: with several instances only the leader consolidates.
    if (m_lease && !m_lease->isLeader()) {
        m_statsConsolidator->resetCursor();
        return;
    }
    // runOnce() logs its outcome and keeps the last error for health().
    (void)m_statsConsolidator->runOnce();
}

QJsonObject ServerApplication::health() const
{
    QJsonObject components;

    QString databaseStatus = QStringLiteral("ok");
    QString databaseDetail;
    {
        QSqlQuery probe(m_database->handle());
        bool up = probe.exec(QStringLiteral("SELECT 1")) && probe.next();
        if (!up) {
            databaseDetail = probe.lastError().text();
            // A database restart breaks the connection for good: reopen it and probe again.
            probe.finish();
            const Status reopened = m_database->reconnect();
            if (reopened) {
                QSqlQuery again(m_database->handle());
                up = again.exec(QStringLiteral("SELECT 1")) && again.next();
                if (!up)
                    databaseDetail = again.lastError().text();
            } else {
                databaseDetail = reopened.error().message;
            }
        }
        if (up)
            databaseDetail.clear();
        else
            databaseStatus = QStringLiteral("down");
    }
    components.insert(
        QLatin1String("database"),
        QJsonObject{{QLatin1String("status"), databaseStatus},
                    {QLatin1String("dialect"), m_database->dialect() == SqlDialect::Sqlite
                                                   ? QLatin1String("sqlite")
                                                   : QLatin1String("postgresql")},
                    {QLatin1String("detail"), databaseDetail}});

    const HotStore::Health store = m_store->health();
    components.insert(QLatin1String("hotStore"),
                      QJsonObject{{QLatin1String("status"),
                                   store.ok ? QLatin1String("ok") : QLatin1String("down")},
                                  {QLatin1String("backend"), store.backend},
                                  {QLatin1String("detail"), store.detail},
                                  {QLatin1String("errors"), store.errors},
                                  {QLatin1String("reconnects"), store.reconnects}});

    const bool historyBacklog = m_history->failedFlushes() > 0 && m_history->queueDepth() > 0;
    components.insert(
        QLatin1String("history"),
        QJsonObject{{QLatin1String("status"),
                     historyBacklog ? QLatin1String("degraded") : QLatin1String("ok")},
                    {QLatin1String("queueDepth"), m_history->queueDepth()},
                    {QLatin1String("rowsWritten"), m_history->rowsWritten()},
                    {QLatin1String("failedFlushes"), m_history->failedFlushes()}});

    // Statistics never degrade the service: a failed run is redone by the next one.
    const qint64 statsRunMs = m_statsConsolidator->lastRunMs();
    components.insert(
        QLatin1String("stats"),
        QJsonObject{{QLatin1String("status"), m_statsConsolidator->lastError().isEmpty()
                                                  ? QLatin1String("ok")
                                                  : QLatin1String("failing")},
                    {QLatin1String("consolidates"), !m_lease || m_lease->isLeader()},
                    {QLatin1String("lastConsolidation"),
                     statsRunMs > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(statsRunMs, Qt::UTC)
                                                     .toString(Qt::ISODateWithMs))
                                    : QJsonValue(QJsonValue::Null)},
                    {QLatin1String("lastError"), m_statsConsolidator->lastError()},
                    {QLatin1String("unwrittenMinutes"), m_statsRecorder->dirtyMinutes()}});

    // Alerts degrade nothing either: a failed write is retried by the next evaluation.
    const qint64 alertsRunMs = m_alerts->lastEvaluationMs();
    components.insert(
        QLatin1String("alerts"),
        QJsonObject{
            {QLatin1String("status"),
             m_alerts->lastError().isEmpty() ? QLatin1String("ok") : QLatin1String("failing")},
            {QLatin1String("evaluates"), m_alerts->isEvaluating()},
            {QLatin1String("lastEvaluation"),
             alertsRunMs > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(alertsRunMs, Qt::UTC)
                                              .toString(Qt::ISODateWithMs))
                             : QJsonValue(QJsonValue::Null)},
            {QLatin1String("lastError"), m_alerts->lastError()},
            {QLatin1String("deliveriesInFlight"), m_alerts->deliveriesInFlight()}});

    const QJsonObject cluster = clusterHealth();
    components.insert(QLatin1String("cluster"), cluster);

    components.insert(QLatin1String("presence"),
                      QJsonObject{{QLatin1String("status"), QLatin1String("ok")},
                                  {QLatin1String("rooms"), m_engine->roomCount()},
                                  {QLatin1String("sessions"), m_engine->sessionCount()},
                                  {QLatin1String("localSessions"), m_engine->localSessionCount()},
                                  {QLatin1String("connections"), m_gateway->connectionCount()},
                                  {QLatin1String("subscriptions"), m_hub->subscriberCount()}});

    // Presence keeps working without SQL (history queues up), so a database outage degrades
    // the service; it is down only when it is not accepting connections.
    QString status = QStringLiteral("ok");
    if (databaseStatus != QLatin1String("ok") || !store.ok || historyBacklog ||
        cluster.value(QLatin1String("status")).toString() != QLatin1String("ok"))
        status = QStringLiteral("degraded");
    if (!m_running)
        status = QStringLiteral("down");
    return QJsonObject{{QLatin1String("status"), status},
                       {QLatin1String("version"), QStringLiteral(SPIDI_VERSION)},
                       {QLatin1String("uptimeSec"), m_uptime.elapsed() / 1000},
                       {QLatin1String("components"), components}};
}

} // namespace spidi
