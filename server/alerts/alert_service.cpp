#include "alerts/alert_service.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "metrics/server_metrics.h"
#include "notify/webhook_sender.h"
#include "presence/clock.h"
#include "presence/presence_engine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace spidi {

namespace {

// Cooldowns are at most 7 days (validation), so older firings cannot hold one back.
constexpr qint64 kMaxCooldownMs = 7LL * 86400 * 1000;

QString transitionText(const QString &transition)
{
    return transition == u"FIRED" ? QStringLiteral("FIRING") : transition;
}

// Slack-compatible one-liner: "[CRITICAL] FIRING Room full in LOBBY: LOBBY is at 95 % …".
QString summaryLine(const AlertEvent &event, const QString &transition)
{
    return QStringLiteral("[%1] %2 %3%4: %5")
        .arg(alertSeverityName(event.severity), transitionText(transition), event.ruleName,
             event.roomCode.isEmpty() ? QString() : QStringLiteral(" in ") + event.roomCode,
             event.message);
}

QString mailBody(const AlertEvent &event, const QString &transition)
{
    QStringList lines;
    lines << summaryLine(event, transition) << QString();
    lines << QStringLiteral("Rule:      %1 (%2)")
                 .arg(event.ruleName, alertRuleTypeName(event.ruleType));
    lines << QStringLiteral("Room:      %1")
                 .arg(event.roomCode.isEmpty() ? QStringLiteral("-") : event.roomCode);
    lines << QStringLiteral("Severity:  %1").arg(alertSeverityName(event.severity));
    lines << QStringLiteral("State:     %1").arg(alertStateName(event.state));
    if (event.value)
        lines << QStringLiteral("Value:     %1").arg(*event.value);
    if (event.threshold)
        lines << QStringLiteral("Threshold: %1").arg(*event.threshold);
    lines << QStringLiteral("Fired at:  %1").arg(isoUtc(event.firedAtMs));
    if (event.resolvedAtMs > 0)
        lines << QStringLiteral("Resolved:  %1").arg(isoUtc(event.resolvedAtMs));
    lines << QStringLiteral("Event id:  %1").arg(event.id);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QJsonObject deliveryRecord(const QString &channel, const QString &target, const QString &kind,
                           const QString &status)
{
    return QJsonObject{{QStringLiteral("channel"), channel},
                       {QStringLiteral("target"), target},
                       {QStringLiteral("kind"), kind},
                       {QStringLiteral("status"), status},
                       {QStringLiteral("attempts"), 0},
                       {QStringLiteral("lastError"), QJsonValue()},
                       {QStringLiteral("lastAttemptAt"), QJsonValue()},
                       {QStringLiteral("deliveredAt"), QJsonValue()}};
}

} // namespace

AlertService::AlertService(const Clock &clock, PresenceEngine &engine, const Database &database,
                           ServerMetrics &metrics, AlertServiceOptions options, QObject *parent)
    : QObject(parent), m_clock(clock), m_engine(engine), m_repository(database), m_metrics(metrics),
      m_options(std::move(options)), m_evaluator(clock),
      m_webhooks(std::make_unique<WebhookSender>(m_options.retry)),
      m_mailer(std::make_unique<SmtpMailer>(m_options.smtp, m_options.retry))
{
    m_timer.setInterval(m_options.intervalSec * 1000);
    connect(&m_timer, &QTimer::timeout, this, &AlertService::evaluateAll);
    m_changeTimer.setSingleShot(true);
    m_changeTimer.setInterval(m_options.changeDelayMs);
    connect(&m_changeTimer, &QTimer::timeout, this, &AlertService::evaluateChanged);
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &AlertService::evaluateAll);

    // Metric changes: what a session start, end or heartbeat changes in its room.
    connect(&m_engine, &PresenceEngine::sessionStarted, this,
            [this](const SessionRecord &s, EventOrigin) { scheduleChange(s.roomId); });
    connect(&m_engine, &PresenceEngine::sessionHeartbeat, this,
            [this](const SessionRecord &s, EventOrigin) { scheduleChange(s.roomId); });
    connect(&m_engine, &PresenceEngine::sessionEnded, this,
            [this](const SessionRecord &s, ConnectionId, EventOrigin) {
                if (s.endReason)
                    m_evaluator.recordSessionEnd(s.roomId, *s.endReason,
                                                 s.endedAtMs > 0 ? s.endedAtMs : m_clock.nowMs());
                scheduleChange(s.roomId);
            });
    connect(&m_engine, &PresenceEngine::roomChanged, this,
            [this](const QString &roomId, bool) { scheduleChange(roomId); });
}

AlertService::~AlertService()
{
    // The senders call back with "server shutting down" for what is still in flight, and those
    // callbacks use the members below them: destroy the senders while everything still exists.
    m_mailer.reset();
    m_webhooks.reset();
}

void AlertService::start()
{
    loadRules();
    m_timer.start();
}

void AlertService::stop()
{
    m_timer.stop();
    m_changeTimer.stop();
    m_deadlineTimer.stop();
}

int AlertService::deliveriesInFlight() const
{
    return m_webhooks->inFlight() + m_mailer->inFlight();
}

void AlertService::loadRules()
{
    auto rules = m_repository.allRules();
    if (!rules.ok()) {
        m_lastError = rules.error().message;
        qCWarning(lcAlerts).noquote() << "alerts.rules_unavailable: reason=" << m_lastError;
        return;
    }
    m_evaluator.setRules(rules.value());
    m_rulesLoaded = true;
    m_hasEnabledRules = std::any_of(rules->cbegin(), rules->cend(),
                                    [](const AlertRule &rule) { return rule.enabled; });
    qCInfo(lcAlerts).noquote() << "alerts.rules_loaded: rules=" << rules->size();
}

void AlertService::loadOpenEvents()
{
    auto open = m_repository.allOpenEvents();
    auto cooldowns = m_repository.lastNotified(m_clock.nowMs() - kMaxCooldownMs);
    if (!open.ok() || !cooldowns.ok()) {
        m_lastError = !open.ok() ? open.error().message : cooldowns.error().message;
        qCWarning(lcAlerts).noquote() << "alerts.open_events_unavailable: reason=" << m_lastError;
        m_wasLeader = false; // try again at the next evaluation
        return;
    }
    QList<AlertEvaluator::OpenEvent> refs;
    for (const AlertEvent &event : open.value()) {
        bool suppressed = false;
        for (const QJsonValue &record : event.notifications)
            suppressed |=
                record.toObject().value(QStringLiteral("status")).toString() == u"SUPPRESSED";
        refs.append({event.id, event.ruleId, event.roomId, event.firedAtMs, !suppressed});
    }
    m_evaluator.setOpenEvents(refs);
    for (const auto &last : cooldowns.value())
        m_evaluator.setLastNotified(last.ruleId, last.roomId, last.atMs);
    logEvent(lcAlerts(), QtInfoMsg, "alerts.state_loaded",
             {{"open_events", qint64(refs.size())}, {"cooldowns", qint64(cooldowns->size())}});
}

bool AlertService::needsSilence() const
{
    for (const AlertRule &rule : m_evaluator.rules()) {
        if (rule.enabled && rule.type == AlertRuleType::Heartbeat)
            return true;
    }
    return false;
}

RoomSnapshot AlertService::snapshotOf(const QString &roomId, bool withSilence) const
{
    RoomSnapshot snapshot;
    const RoomPresence *presence = m_engine.roomById(roomId);
    if (!presence)
        return snapshot;
    const Room &room = presence->room();
    snapshot.tenantId = room.tenantId;
    snapshot.roomId = room.id;
    snapshot.roomCode = room.code;
    snapshot.roomType = room.typeCode;
    snapshot.metrics = m_engine.metrics(roomId);
    if (withSilence) {
        const qint64 now = m_clock.nowMs();
        for (const SessionRecord &s : m_engine.sessionsOfRoom(roomId)) {
            const qint64 last = s.lastHeartbeatAtMs > 0 ? s.lastHeartbeatAtMs : s.connectedAtMs;
            snapshot.longestSilenceSec =
                std::max(snapshot.longestSilenceSec, double(now - last) / 1000.0);
        }
    }
    return snapshot;
}

void AlertService::scheduleChange(const QString &roomId)
{
    // Heartbeats arrive thousands of times a second: without a rule there is nothing to do.
    if (!m_rulesLoaded || !m_hasEnabledRules || !isEvaluating())
        return;
    m_changedRooms.insert(roomId);
    if (!m_changeTimer.isActive())
        m_changeTimer.start();
}

void AlertService::evaluateChanged()
{
    if (m_changedRooms.isEmpty())
        return;
    const bool silence = needsSilence();
    QList<RoomSnapshot> rooms;
    for (const QString &roomId : std::as_const(m_changedRooms)) {
        if (m_engine.roomById(roomId))
            rooms.append(snapshotOf(roomId, silence));
    }
    m_changedRooms.clear();
    evaluate(rooms, false);
}

void AlertService::evaluateAll()
{
    QList<RoomSnapshot> rooms;
    // No rule and nothing open: skip the room figures, but still follow leadership. (An empty
    // list must never reach a complete evaluation with open events: it would resolve them all.)
    if (m_hasEnabledRules || m_evaluator.openCount() > 0 || !m_wasLeader) {
        const bool silence = needsSilence();
        const QList<QString> ids = m_engine.roomIds();
        rooms.reserve(ids.size());
        for (const QString &roomId : ids)
            rooms.append(snapshotOf(roomId, silence));
    }
    m_changedRooms.clear();
    evaluate(rooms, true);
}

void AlertService::evaluate(const QList<RoomSnapshot> &rooms, bool complete)
{
    const bool leader = isEvaluating();
    if (!leader) {
        m_wasLeader = false;
        return;
    }
    if (!m_rulesLoaded)
        loadRules();
    if (!m_wasLeader) {
        // Just became the evaluator (start, or the lease moved here): the database knows
        // what the previous leader left open.
        m_wasLeader = true;
        loadOpenEvents();
        if (!m_wasLeader)
            return;
    }
    m_lastEvaluationMs = m_clock.nowMs();
    if (complete)
        m_lastError.clear(); // what fails in this round sets it again
    const QList<AlertDecision> decisions = m_evaluator.evaluate(rooms, complete);
    for (const AlertDecision &decision : decisions)
        apply(decision);
    m_metrics.alertsOpen.Set(m_evaluator.openCount());
    rescheduleDeadline();
}

void AlertService::rescheduleDeadline()
{
    const qint64 due = m_evaluator.nextDeadlineMs();
    if (due < 0) {
        m_deadlineTimer.stop();
        return;
    }
    const qint64 in = std::max<qint64>(0, due - m_clock.nowMs());
    if (in >= qint64(m_options.intervalSec) * 1000)
        return; // the periodic evaluation comes first
    m_deadlineTimer.start(int(in) + 1);
}

void AlertService::apply(const AlertDecision &decision)
{
    if (decision.kind == AlertDecision::Kind::Fire)
        fire(decision);
    else
        resolve(decision);
}

void AlertService::fire(const AlertDecision &decision)
{
    const AlertRule &rule = decision.rule;
    AlertEvent event;
    event.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    event.tenantId = decision.tenantId;
    event.ruleId = rule.id;
    event.ruleName = rule.name;
    event.ruleType = rule.type;
    event.roomId = decision.roomId;
    event.roomCode = decision.roomCode;
    event.severity = rule.severity;
    event.state = AlertState::Firing;
    event.value = decision.value;
    if (rule.type != AlertRuleType::Custom)
        event.threshold = rule.threshold;
    event.message = decision.message;
    event.firedAtMs = m_clock.nowMs();
    // Delivery records first, so the row says from the start what will be attempted.
    const QString kind = QStringLiteral("FIRED");
    for (const AlertChannel &channel : rule.channels) {
        const QString status = decision.notify ? (channel.kind == AlertChannel::Kind::InApp
                                                      ? QStringLiteral("DELIVERED")
                                                      : QStringLiteral("PENDING"))
                                               : QStringLiteral("SUPPRESSED");
        switch (channel.kind) {
        case AlertChannel::Kind::InApp:
            event.notifications.append(
                deliveryRecord(QStringLiteral("inapp"), QStringLiteral("alerts"), kind, status));
            break;
        case AlertChannel::Kind::Webhook:
            event.notifications.append(deliveryRecord(QStringLiteral("webhook"),
                                                      redactUrl(QUrl(channel.url)), kind, status));
            break;
        case AlertChannel::Kind::Email:
            event.notifications.append(deliveryRecord(
                QStringLiteral("email"), channel.to.join(QStringLiteral(", ")), kind, status));
            break;
        }
    }

    const Status written = m_repository.fire(event);
    if (!written.ok()) {
        m_evaluator.fireFailed(decision);
        m_lastError = written.error().message;
        if (written.error().kind == ErrorKind::Conflict) {
            // Another evaluator (a leader before a lease handover) fired it: adopt its event.
            qCInfo(lcAlerts).noquote()
                << "alerts.fire_conflict: rule_id=" << rule.id << "room_id=" << decision.roomId;
            loadOpenEvents();
        } else {
            qCWarning(lcAlerts).noquote()
                << "alerts.fire_failed: rule_id=" << rule.id << "room_id=" << decision.roomId
                << "reason=" << written.error().message;
        }
        return;
    }
    m_evaluator.fired(decision, event.id, event.firedAtMs);
    m_metrics.alertTriggered(alertRuleTypeName(rule.type), alertSeverityName(rule.severity));
    logEvent(lcAlerts(), QtInfoMsg, "alerts.fired",
             {{"event_id", event.id},
              {"rule_id", rule.id},
              {"rule_type", alertRuleTypeName(rule.type)},
              {"severity", alertSeverityName(rule.severity)},
              {"room_code", event.roomCode},
              {"tenant_id", event.tenantId},
              {"notify", decision.notify},
              {"message", event.message}});
    publish(event, kind, decision.notify && rule.hasChannel(AlertChannel::Kind::InApp));
    if (decision.notify)
        notifyChannels(rule, event, kind);
    else
        for (int i = 0; i < event.notifications.size(); ++i)
            m_metrics.alertNotification(
                event.notifications.at(i).toObject().value(QStringLiteral("channel")).toString(),
                QStringLiteral("suppressed"));
}

void AlertService::resolve(const AlertDecision &decision)
{
    auto resolved = m_repository.autoResolve(decision.eventId, m_clock.nowMs());
    if (!resolved.ok()) {
        if (resolved.error().kind == ErrorKind::NotFound) {
            // Resolved by hand meanwhile (maybe on another instance): nothing left to do.
            m_evaluator.resolved(decision.rule.id, decision.roomId);
            return;
        }
        m_lastError = resolved.error().message;
        qCWarning(lcAlerts).noquote() << "alerts.resolve_failed: event_id=" << decision.eventId
                                      << "reason=" << resolved.error().message;
        return; // still open: the next evaluation tries again
    }
    m_evaluator.resolved(decision.rule.id, decision.roomId);
    const AlertEvent &event = resolved.value();
    logEvent(lcAlerts(), QtInfoMsg, "alerts.resolved",
             {{"event_id", event.id},
              {"rule_id", event.ruleId},
              {"room_code", event.roomCode},
              {"tenant_id", event.tenantId},
              {"reason", decision.reason}});
    const QString kind = QStringLiteral("RESOLVED");
    publish(event, kind, decision.notify && decision.rule.hasChannel(AlertChannel::Kind::InApp));
    // Whoever was told of the firing is told it is over; a suppressed firing stays quiet.
    if (decision.notify && !decision.rule.id.isEmpty())
        notifyChannels(decision.rule, event, kind);
}

void AlertService::publish(const AlertEvent &event, const QString &transition, bool notify)
{
    const QJsonObject message = alertMessage(event, transition, notify);
    if (m_publishLocal)
        m_publishLocal(event.tenantId, message);
    if (m_forward)
        m_forward(QJsonObject{{QStringLiteral("kind"), QStringLiteral("alert")},
                              {QStringLiteral("tenantId"), event.tenantId},
                              {QStringLiteral("message"), message}});
}

QJsonObject AlertService::alertMessage(const AlertEvent &event, const QString &transition,
                                       bool notify)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("ALERT")},
                       {QStringLiteral("event"), event.toJson()},
                       {QStringLiteral("transition"), transition},
                       {QStringLiteral("notify"), notify}};
}

void AlertService::notifyChannels(const AlertRule &rule, const AlertEvent &event,
                                  const QString &transition)
{
    QJsonArray records = event.notifications;
    const QJsonObject payload{{QStringLiteral("text"), summaryLine(event, transition)},
                              {QStringLiteral("transition"), transition},
                              {QStringLiteral("event"), event.toJson()}};
    const QByteArray body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    QList<std::pair<int, AlertChannel>> sends;
    for (const AlertChannel &channel : rule.channels) {
        if (channel.kind == AlertChannel::Kind::InApp) {
            if (transition != u"FIRED")
                records.append(deliveryRecord(QStringLiteral("inapp"), QStringLiteral("alerts"),
                                              transition, QStringLiteral("DELIVERED")));
            m_metrics.alertNotification(QStringLiteral("inapp"), QStringLiteral("delivered"));
            continue;
        }
        int index = -1;
        if (transition == u"FIRED") {
            // The record written with the event.
            for (int i = 0; i < records.size(); ++i) {
                const QJsonObject r = records.at(i).toObject();
                if (r.value(QStringLiteral("status")).toString() == u"PENDING" &&
                    r.value(QStringLiteral("kind")).toString() == transition) {
                    bool taken = false;
                    for (const auto &send : sends)
                        taken |= send.first == i;
                    if (!taken) {
                        index = i;
                        break;
                    }
                }
            }
        }
        if (index < 0) {
            index = int(records.size());
            records.append(deliveryRecord(
                channel.kind == AlertChannel::Kind::Webhook ? QStringLiteral("webhook")
                                                            : QStringLiteral("email"),
                channel.kind == AlertChannel::Kind::Webhook ? redactUrl(QUrl(channel.url))
                                                            : channel.to.join(QStringLiteral(", ")),
                transition, QStringLiteral("PENDING")));
        }
        sends.append({index, channel});
    }
    m_deliveries.insert(event.id, records);
    if (records != event.notifications) {
        if (auto saved = m_repository.setNotifications(event.id, records); !saved)
            qCWarning(lcAlerts).noquote() << "alerts.delivery_record_failed: event_id=" << event.id
                                          << "reason=" << saved.error().message;
    }
    const QString eventId = event.id;
    for (const auto &[channelIndex, channel] : sends) {
        // A copy: clang 14 (the sanitizer build) cannot capture a structured binding.
        const auto index = channelIndex;
        const auto progress = [this, eventId, index](const DeliveryOutcome &outcome) {
            recordDelivery(eventId, index, outcome, false);
        };
        const auto done = [this, eventId, index](const DeliveryOutcome &outcome) {
            recordDelivery(eventId, index, outcome, true);
        };
        if (channel.kind == AlertChannel::Kind::Webhook) {
            m_webhooks->post(QUrl(channel.url), body, done, progress);
        } else {
            const QString subject =
                QStringLiteral("[Spidi %1] %2: %3%4")
                    .arg(alertSeverityName(event.severity), transitionText(transition),
                         event.ruleName,
                         event.roomCode.isEmpty() ? QString()
                                                  : QStringLiteral(" in ") + event.roomCode);
            m_mailer->send(MailMessage{channel.to, subject, mailBody(event, transition)}, done,
                           progress);
        }
    }
}

void AlertService::recordDelivery(const QString &eventId, int index, const DeliveryOutcome &outcome,
                                  bool final)
{
    auto it = m_deliveries.find(eventId);
    if (it == m_deliveries.end() || index >= it->size())
        return;
    QJsonObject record = it->at(index).toObject();
    const QString channel = record.value(QStringLiteral("channel")).toString();
    record.insert(QStringLiteral("attempts"), outcome.attempts);
    record.insert(QStringLiteral("lastAttemptAt"), isoUtc(outcome.finishedAtMs));
    record.insert(QStringLiteral("lastError"),
                  outcome.lastError.isEmpty() ? QJsonValue() : QJsonValue(outcome.lastError));
    if (outcome.delivered) {
        record.insert(QStringLiteral("status"), QStringLiteral("DELIVERED"));
        record.insert(QStringLiteral("deliveredAt"), isoUtc(outcome.finishedAtMs));
    } else if (final) {
        record.insert(QStringLiteral("status"), QStringLiteral("FAILED"));
    }
    it->replace(index, record);
    if (final)
        m_metrics.alertNotification(channel, outcome.delivered ? QStringLiteral("delivered")
                                                               : QStringLiteral("failed"));
    else
        m_metrics.alertNotification(channel, QStringLiteral("retried"));
    logEvent(lcAlerts(), outcome.delivered || !final ? QtInfoMsg : QtWarningMsg,
             outcome.delivered ? "alerts.delivered"
                               : (final ? "alerts.delivery_failed" : "alerts.delivery_retry"),
             {{"event_id", eventId},
              {"channel", channel},
              {"target", record.value(QStringLiteral("target")).toString()},
              {"attempts", outcome.attempts},
              {"error", outcome.lastError}});
    const QJsonArray records = *it;
    bool pending = false;
    for (const QJsonValue &r : records)
        pending |= r.toObject().value(QStringLiteral("status")).toString() == u"PENDING";
    if (!pending)
        m_deliveries.erase(it);
    if (auto saved = m_repository.setNotifications(eventId, records); !saved)
        qCWarning(lcAlerts).noquote() << "alerts.delivery_record_failed: event_id=" << eventId
                                      << "reason=" << saved.error().message;
}

void AlertService::rulesChanged()
{
    loadRules();
    if (m_forward)
        m_forward(QJsonObject{{QStringLiteral("kind"), QStringLiteral("rules")}});
    // Disabled or deleted rules resolve their open events at once, not at the next tick.
    if (isEvaluating())
        QTimer::singleShot(0, this, &AlertService::evaluateAll);
}

void AlertService::eventAcknowledged(const AlertEvent &event)
{
    publish(event, QStringLiteral("ACKNOWLEDGED"), false);
}

void AlertService::eventResolvedByHand(const AlertEvent &event)
{
    if (isEvaluating())
        m_evaluator.resolvedByHand(event.ruleId, event.roomId);
    const QJsonObject message = alertMessage(event, QStringLiteral("RESOLVED"), false);
    if (m_publishLocal)
        m_publishLocal(event.tenantId, message);
    if (m_forward)
        m_forward(QJsonObject{{QStringLiteral("kind"), QStringLiteral("alert")},
                              {QStringLiteral("tenantId"), event.tenantId},
                              {QStringLiteral("message"), message},
                              {QStringLiteral("resolvedByHand"), true}});
}

void AlertService::onClusterMessage(const QJsonObject &payload)
{
    const QString kind = payload.value(QStringLiteral("kind")).toString();
    if (kind == u"rules") {
        loadRules();
        return;
    }
    if (kind != u"alert")
        return;
    const QJsonObject message = payload.value(QStringLiteral("message")).toObject();
    if (m_publishLocal)
        m_publishLocal(payload.value(QStringLiteral("tenantId")).toString(), message);
    if (payload.value(QStringLiteral("resolvedByHand")).toBool() && isEvaluating()) {
        const QJsonObject event = message.value(QStringLiteral("event")).toObject();
        m_evaluator.resolvedByHand(event.value(QStringLiteral("ruleId")).toString(),
                                   event.value(QStringLiteral("roomId")).toString());
    }
}

QList<QJsonObject> AlertService::snapshot(const QString &tenantId) const
{
    QList<QJsonObject> messages;
    auto open = m_repository.openEvents(tenantId);
    if (!open.ok()) {
        qCWarning(lcAlerts).noquote() << "alerts.snapshot_failed: tenant_id=" << tenantId
                                      << "reason=" << open.error().message;
        return messages;
    }
    for (const AlertEvent &event : open.value())
        messages.append(alertMessage(event, QStringLiteral("SNAPSHOT"), false));
    return messages;
}

} // namespace spidi
