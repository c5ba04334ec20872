#pragma once

#include "auth/jwt_verifier.h"
#include "config/server_config.h"
#include "core/result.h"
#include "db/database.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class QHttpServer;

namespace spidi {

class AlertService;
class ClusterLink;
class FrontDoor;
class HotStore;
class LeaderLease;
class RedisClusterBus;
class PresenceEngine;
class ServerMetrics;
class SessionHistoryWriter;
class HeartbeatStatsRecorder;
class StatsConsolidator;
class SubscriptionHub;
class SystemClock;
class WebSocketGateway;
namespace rest {
struct RestContext;
}

// Wires the server together (config → database and migrations → room directory → hot store →
// presence engine → gateway and REST on one port → periodic jobs) and takes it apart in the
// order that loses nothing: stop accepting, close sockets, end or hand over sessions, flush
// history.
class ServerApplication : public QObject
{
    Q_OBJECT
public:
    explicit ServerApplication(ServerConfig config, QObject *parent = nullptr);
    ~ServerApplication() override;

    // Everything up to listening; an Error says which step failed.
    Status start();
    // Idempotent; returns false when history could not be flushed (database down).
    bool stop();

    quint16 port() const;
    QJsonObject health() const;

Q_SIGNALS:
    void stopped();

private:
    Result<Principal> authenticate(const QByteArray &authorization, const QByteArray &query) const;
    void sweep();
    void refreshGauges();
    Status startCluster();
    Status startAlerts();
    // Brings the engine's room directory in line with SQL (another instance changed it).
    void reloadRooms();
    QJsonObject clusterHealth() const;
    // Statistics consolidation, on the cluster leader only (docs/schema.md, "Statistics").
    void consolidateStats();

    ServerConfig m_config;
    QElapsedTimer m_uptime;
    std::optional<JwtVerifier> m_verifier;
    std::optional<Database> m_database;
    std::unique_ptr<SystemClock> m_clock;
    std::unique_ptr<ServerMetrics> m_metrics;
    std::unique_ptr<HotStore> m_store;
    std::unique_ptr<PresenceEngine> m_engine;
    QString m_instanceId;
    std::unique_ptr<RedisClusterBus> m_bus;
    std::unique_ptr<LeaderLease> m_lease;
    std::unique_ptr<ClusterLink> m_cluster;
    std::unique_ptr<SessionHistoryWriter> m_history;
    std::unique_ptr<HeartbeatStatsRecorder> m_statsRecorder;
    std::unique_ptr<StatsConsolidator> m_statsConsolidator;
    std::unique_ptr<SubscriptionHub> m_hub;
    std::unique_ptr<AlertService> m_alerts;
    std::unique_ptr<WebSocketGateway> m_gateway;
    std::unique_ptr<QHttpServer> m_http;
    std::unique_ptr<rest::RestContext> m_restContext;
    std::unique_ptr<FrontDoor> m_frontDoor;
    QTimer m_sweepTimer;
    QTimer m_gaugeTimer;
    QTimer m_statsTimer;
    qint64 m_rowsReported = 0;
    qint64 m_skippedReported = 0;
    bool m_running = false;
};

} // namespace spidi
