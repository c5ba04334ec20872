#include "server_metrics.h"

#include <prometheus/text_serializer.h>

namespace spidi {

namespace {

prometheus::Gauge &gauge(prometheus::Registry &registry, const char *name, const char *help)
{
    return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter &counter(prometheus::Registry &registry, const char *name, const char *help)
{
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

} // namespace

ServerMetrics::ServerMetrics()
    : m_registry(std::make_shared<prometheus::Registry>()),
      roomsTotal(gauge(*m_registry, "spidi_rooms_total", "Rooms known to this instance")),
      sessionsActive(gauge(*m_registry, "spidi_sessions_active", "Live presence sessions")),
      websocketConnections(
          gauge(*m_registry, "spidi_websocket_connections", "Open WebSocket connections")),
      subscriptions(gauge(*m_registry, "spidi_subscriptions", "Active topic subscriptions")),
      heartbeatLatencyMs(
          prometheus::BuildHistogram()
              .Name("spidi_heartbeat_latency_ms")
              .Help("Round-trip latency reported by clients in heartbeats")
              .Register(*m_registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{5, 10, 25, 50, 100, 250, 500, 1000,
                                                               2500, 5000})),
      alertsOpen(gauge(*m_registry, "spidi_alerts_open",
                       "Alert events firing or acknowledged (on the evaluating instance)")),
      historyQueueDepth(gauge(*m_registry, "spidi_history_queue_depth",
                              "Session history rows waiting for the database")),
      historyRowsWritten(counter(*m_registry, "spidi_history_rows_written_total",
                                 "Session history rows written to the database")),
      hotStoreErrors(gauge(*m_registry, "spidi_hot_store_errors", "Hot store errors so far")),
      hotStoreReconnects(gauge(*m_registry, "spidi_hot_store_reconnects",
                               "Hot store connections re-established after a loss")),
      clusterPeers(gauge(*m_registry, "spidi_cluster_peers",
                         "Other instances heard from within the peer timeout")),
      clusterLeader(gauge(*m_registry, "spidi_cluster_leader",
                          "1 while this instance holds the cluster leader lease")),
      clusterMessagesPublished(gauge(*m_registry, "spidi_cluster_messages_published",
                                     "Messages this instance published to the cluster so far")),
      clusterMessagesReceived(gauge(*m_registry, "spidi_cluster_messages_received",
                                    "Messages received from other instances so far")),
      clusterMessagesDropped(gauge(*m_registry, "spidi_cluster_messages_dropped",
                                   "Messages not published because the bus was down")),
      broadcastsSkipped(counter(*m_registry, "spidi_broadcasts_skipped_total",
                                "Superseded updates not sent to slow subscribers")),
      m_messages(prometheus::BuildCounter()
                     .Name("spidi_messages_received_total")
                     .Help("Client messages received, by type")
                     .Register(*m_registry)),
      m_errors(prometheus::BuildCounter()
                   .Name("spidi_errors_sent_total")
                   .Help("ERROR messages sent, by code")
                   .Register(*m_registry)),
      m_sessionsEnded(prometheus::BuildCounter()
                          .Name("spidi_sessions_ended_total")
                          .Help("Sessions ended, by reason")
                          .Register(*m_registry)),
      m_sessionsStarted(counter(*m_registry, "spidi_sessions_started_total", "Sessions started")),
      m_alertsTriggered(prometheus::BuildCounter()
                            .Name("spidi_alerts_triggered_total")
                            .Help("Alert events that fired, by rule type and severity")
                            .Register(*m_registry)),
      m_alertNotifications(prometheus::BuildCounter()
                               .Name("spidi_alert_notifications_total")
                               .Help("Alert notifications by channel and outcome (delivered, "
                                     "failed, retried, suppressed by the cooldown)")
                               .Register(*m_registry))
{
    // Known label values start at 0, so the series exist (and rate() works) before the first
    // alert rather than appearing with it.
    for (const char *type : {"CAPACITY", "LATENCY", "HEARTBEAT", "CUSTOM", "MASS_DISCONNECT"}) {
        for (const char *severity : {"INFO", "WARNING", "CRITICAL"})
            m_alertsTriggered.Add({{"type", type}, {"severity", severity}});
    }
    for (const char *channel : {"inapp", "webhook", "email"}) {
        for (const char *outcome : {"delivered", "failed", "retried", "suppressed"})
            m_alertNotifications.Add({{"channel", channel}, {"outcome", outcome}});
    }
}

void ServerMetrics::alertTriggered(const QString &type, const QString &severity)
{
    m_alertsTriggered.Add({{"type", type.toStdString()}, {"severity", severity.toStdString()}})
        .Increment();
}

void ServerMetrics::alertNotification(const QString &channel, const QString &outcome)
{
    m_alertNotifications
        .Add({{"channel", channel.toStdString()}, {"outcome", outcome.toStdString()}})
        .Increment();
}

void ServerMetrics::messageReceived(const QString &type)
{
    m_messages.Add({{"type", type.toStdString()}}).Increment();
}

void ServerMetrics::errorSent(const QString &code)
{
    m_errors.Add({{"code", code.toStdString()}}).Increment();
}

void ServerMetrics::sessionEnded(const QString &reason)
{
    m_sessionsEnded.Add({{"reason", reason.toStdString()}}).Increment();
}

void ServerMetrics::sessionStarted()
{
    m_sessionsStarted.Increment();
}

QByteArray ServerMetrics::serialize() const
{
    const std::string text = prometheus::TextSerializer().Serialize(m_registry->Collect());
    return QByteArray(text.data(), qsizetype(text.size()));
}

} // namespace spidi
