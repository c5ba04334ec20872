#pragma once

#include "alerts/alert_evaluator.h"
#include "alerts/alert_event.h"
#include "alerts/alert_repository.h"
#include "notify/delivery.h"
#include "notify/smtp_mailer.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

namespace spidi {

class Clock;
class Database;
class PresenceEngine;
class ServerMetrics;
class WebhookSender;

struct AlertServiceOptions
{
    int intervalSec = 5;     // periodic evaluation (SPEC: at least every 10 s)
    int changeDelayMs = 250; // evaluation after a metric change, coalesced
    SmtpSettings smtp;       // e-mail channel
    RetryPolicy retry;       // webhook and e-mail deliveries
};

// Alerts of SPEC section 7 on one instance: evaluates the rules (only where `isLeader` says
// so: once per cluster), writes FIRING/RESOLVED events, notifies the rule's channels (ALERT to
// `alerts` subscribers, webhook, e-mail) within the cooldown, and applies acknowledgements and
// manual resolutions from the REST API. `publishLocal` hands an ALERT message to this
// instance's subscribers; `forward` tells the other instances (cluster bus), whose
// `onClusterMessage` publishes it to theirs.
class AlertService : public QObject
{
    Q_OBJECT
public:
    AlertService(const Clock &clock, PresenceEngine &engine, const Database &database,
                 ServerMetrics &metrics, AlertServiceOptions options, QObject *parent = nullptr);
    ~AlertService() override;

    void setLeaderCheck(std::function<bool()> isLeader) { m_isLeader = std::move(isLeader); }
    void setPublisher(
        std::function<void(const QString &tenantId, const QJsonObject &message)> publishLocal)
    {
        m_publishLocal = std::move(publishLocal);
    }
    void setForwarder(std::function<void(const QJsonObject &payload)> forward)
    {
        m_forward = std::move(forward);
    }

    void start();
    void stop();

    // Evaluates now (tests and the timer).
    void evaluateAll();

    // From the REST API of this instance.
    void rulesChanged();
    void eventAcknowledged(const AlertEvent &event);
    void eventResolvedByHand(const AlertEvent &event);
    // From another instance (see `setForwarder`).
    void onClusterMessage(const QJsonObject &payload);

    // The `alerts` topic snapshot: the tenant's open events as ALERT messages.
    QList<QJsonObject> snapshot(const QString &tenantId) const;

    // ALERT {event, transition, notify}.
    static QJsonObject alertMessage(const AlertEvent &event, const QString &transition,
                                    bool notify);

    int deliveriesInFlight() const;
    bool isEvaluating() const { return m_isLeader ? m_isLeader() : true; }
    qint64 lastEvaluationMs() const { return m_lastEvaluationMs; }
    QString lastError() const { return m_lastError; }

private:
    void loadRules();
    void loadOpenEvents();
    void scheduleChange(const QString &roomId);
    void evaluateChanged();
    void evaluate(const QList<RoomSnapshot> &rooms, bool complete);
    RoomSnapshot snapshotOf(const QString &roomId, bool withSilence) const;
    bool needsSilence() const;
    void apply(const AlertDecision &decision);
    void fire(const AlertDecision &decision);
    void resolve(const AlertDecision &decision);
    void publish(const AlertEvent &event, const QString &transition, bool notify);
    // Sends the rule's webhook and e-mail notifications for `event` and records every
    // delivery in the event's notifications.
    void notifyChannels(const AlertRule &rule, const AlertEvent &event, const QString &transition);
    void recordDelivery(const QString &eventId, int index, const DeliveryOutcome &outcome,
                        bool final);
    void rescheduleDeadline();

    const Clock &m_clock;
    PresenceEngine &m_engine;
    AlertRepository m_repository;
    ServerMetrics &m_metrics;
    AlertServiceOptions m_options;
    AlertEvaluator m_evaluator;
    std::unique_ptr<WebhookSender> m_webhooks;
    std::unique_ptr<SmtpMailer> m_mailer;
    std::function<bool()> m_isLeader;
    std::function<void(const QString &, const QJsonObject &)> m_publishLocal;
    std::function<void(const QJsonObject &)> m_forward;
    QTimer m_timer;
    QTimer m_changeTimer;
    QTimer m_deadlineTimer;
    QSet<QString> m_changedRooms;
    QHash<QString, QJsonArray> m_deliveries; // event id → delivery records being updated
    bool m_wasLeader = false;
    bool m_rulesLoaded = false;
    bool m_hasEnabledRules = false;
    qint64 m_lastEvaluationMs = 0;
    QString m_lastError;
};

} // namespace spidi
