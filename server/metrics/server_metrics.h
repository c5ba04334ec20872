#pragma once

#include <QByteArray>
#include <QString>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>

namespace spidi {

// The Prometheus metrics of SPEC section 12, served as text on GET /metrics.
class ServerMetrics
{
    // First member: the references below point into it, and members are built in this order.
    std::shared_ptr<prometheus::Registry> m_registry;

public:
    ServerMetrics();

    prometheus::Gauge &roomsTotal;
    prometheus::Gauge &sessionsActive;
    prometheus::Gauge &websocketConnections;
    prometheus::Gauge &subscriptions;
    prometheus::Histogram &heartbeatLatencyMs; // the latency clients report
    prometheus::Gauge &alertsOpen;             // FIRING or ACKNOWLEDGED, as the evaluator sees them
    prometheus::Gauge &historyQueueDepth;
    prometheus::Counter &historyRowsWritten;
    prometheus::Gauge &hotStoreErrors;
    prometheus::Gauge &hotStoreReconnects;
    prometheus::Gauge &clusterPeers;
    prometheus::Gauge &clusterLeader;
    prometheus::Gauge &clusterMessagesPublished;
    prometheus::Gauge &clusterMessagesReceived;
    prometheus::Gauge &clusterMessagesDropped;
    prometheus::Counter &broadcastsSkipped; // superseded updates not sent to slow subscribers

    void messageReceived(const QString &type);
    void errorSent(const QString &code);
    void sessionEnded(const QString &reason);
    void sessionStarted();
    // spidi_alerts_triggered_total{type,severity}
    void alertTriggered(const QString &type, const QString &severity);
    // spidi_alert_notifications_total{channel,outcome}: delivered, failed, retried, suppressed
    void alertNotification(const QString &channel, const QString &outcome);

    QByteArray serialize() const;

private:
    prometheus::Family<prometheus::Counter> &m_messages;
    prometheus::Family<prometheus::Counter> &m_errors;
    prometheus::Family<prometheus::Counter> &m_sessionsEnded;
    prometheus::Counter &m_sessionsStarted;
    prometheus::Family<prometheus::Counter> &m_alertsTriggered;
    prometheus::Family<prometheus::Counter> &m_alertNotifications;
};

} // namespace spidi
