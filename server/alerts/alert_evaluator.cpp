#include "alerts/alert_evaluator.h"

#include "logging/log_categories.h"
#include "presence/clock.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace spidi {

namespace {

// MASS_DISCONNECT windows longer than this are refused by validation; ends older than it are
// forgotten.
constexpr qint64 kMaxWindowMs = 3600 * 1000;

QString percent(double share)
{
    return QString::number(share * 100.0, 'f', share * 100.0 < 10.0 ? 1 : 0) + QStringLiteral(" %");
}

QString number(double value)
{
    if (std::isfinite(value) && value == std::floor(value) && std::abs(value) < 1e15)
        return QString::number(qint64(value));
    return QString::number(value, 'g', 6);
}

RoomMetricValues valuesOf(const RoomMetrics &m)
{
    RoomMetricValues v;
    v.online = m.online;
    v.users = m.users;
    v.peak = m.peak;
    v.capacity = m.capacity;
    v.capacityPct = m.capacityPct;
    v.avgLatencyMs = m.avgLatencyMs;
    v.p95LatencyMs = m.p95LatencyMs;
    return v;
}

double valueNamed(const RoomMetrics &m, const QString &name)
{
    if (name == u"online")
        return m.online;
    if (name == u"users")
        return m.users;
    if (name == u"peak")
        return m.peak;
    if (name == u"capacity")
        return m.capacity;
    if (name == u"capacityPct")
        return m.capacityPct;
    if (name == u"avgLatencyMs")
        return m.avgLatencyMs;
    if (name == u"p95LatencyMs")
        return m.p95LatencyMs;
    return std::nan("");
}

} // namespace

AlertEvaluator::AlertEvaluator(const Clock &clock) : m_clock(clock) {}

QString AlertEvaluator::key(const QString &ruleId, const QString &roomId)
{
    return ruleId + QLatin1Char('\n') + roomId;
}

AlertEvaluator::State &AlertEvaluator::state(const QString &ruleId, const QString &roomId)
{
    State &s = m_states[key(ruleId, roomId)];
    s.ruleId = ruleId;
    s.roomId = roomId;
    return s;
}

void AlertEvaluator::setRules(const QList<AlertRule> &rules)
{
    m_rules = rules;
    QHash<QString, AlertExpression> expressions;
    for (const AlertRule &rule : std::as_const(m_rules)) {
        if (rule.type != AlertRuleType::Custom)
            continue;
        if (const auto known = m_expressions.constFind(rule.id);
            known != m_expressions.cend() && known->text() == rule.expression) {
            expressions.insert(rule.id, *known);
            continue;
        }
        auto parsed = AlertExpression::parse(rule.expression);
        if (!parsed.ok()) {
            qCWarning(lcAlerts).noquote() << "alerts.rule_skipped: rule_id=" << rule.id
                                          << "reason=" << parsed.error().message;
            continue;
        }
        expressions.insert(rule.id, parsed.value());
    }
    m_expressions = std::move(expressions);
}

void AlertEvaluator::setOpenEvents(const QList<OpenEvent> &events)
{
    for (State &s : m_states) {
        s.openEventId.clear();
        s.openNotified = false;
        s.fireInFlight = false;
    }
    for (const OpenEvent &event : events) {
        State &s = state(event.ruleId, event.roomId);
        s.openEventId = event.eventId;
        s.openNotified = event.notified;
        if (event.notified)
            s.lastNotifiedAtMs = std::max(s.lastNotifiedAtMs, event.firedAtMs);
    }
}

void AlertEvaluator::setLastNotified(const QString &ruleId, const QString &roomId, qint64 atMs)
{
    State &s = state(ruleId, roomId);
    s.lastNotifiedAtMs = std::max(s.lastNotifiedAtMs, atMs);
}

void AlertEvaluator::recordSessionEnd(const QString &roomId, SessionEndReason reason, qint64 atMs)
{
    if (reason != SessionEndReason::Expired && reason != SessionEndReason::Disconnected)
        return;
    std::deque<qint64> &ends = m_ends[roomId];
    // Remote ends can arrive slightly out of order; keep the deque sorted.
    ends.insert(std::upper_bound(ends.begin(), ends.end(), atMs), atMs);
}

void AlertEvaluator::pruneEnds(qint64 now)
{
    for (auto it = m_ends.begin(); it != m_ends.end();) {
        while (!it->empty() && it->front() <= now - kMaxWindowMs)
            it->pop_front();
        it = it->empty() ? m_ends.erase(it) : std::next(it);
    }
}

int AlertEvaluator::recentEnds(const QString &roomId, int windowSec) const
{
    const auto it = m_ends.constFind(roomId);
    if (it == m_ends.cend())
        return 0;
    const qint64 since = m_clock.nowMs() - qint64(windowSec) * 1000;
    return int(it->end() - std::upper_bound(it->begin(), it->end(), since));
}

bool AlertEvaluator::inScope(const AlertRule &rule, const RoomSnapshot &room)
{
    if (rule.tenantId != room.tenantId)
        return false;
    if (rule.scope.all)
        return true;
    if (!rule.scope.roomId.isEmpty())
        return rule.scope.roomId == room.roomId;
    return !rule.scope.roomType.isEmpty() && rule.scope.roomType == room.roomType;
}

AlertEvaluator::Condition AlertEvaluator::condition(const AlertRule &rule,
                                                    const RoomSnapshot &room) const
{
    const RoomMetrics &m = room.metrics;
    Condition c;
    switch (rule.type) {
    case AlertRuleType::Capacity: {
        if (m.capacity <= 0)
            return c;
        const double share = double(m.online) / double(m.capacity);
        c.value = share;
        c.holds = share > rule.threshold;
        c.message = QStringLiteral("%1 is at %2 of its capacity (%3 of %4 online), above %5")
                        .arg(room.roomCode, percent(share))
                        .arg(m.online)
                        .arg(m.capacity)
                        .arg(percent(rule.threshold));
        return c;
    }
    case AlertRuleType::Latency: {
        const bool p95 = rule.latencyStat == LatencyStat::P95;
        const double latency = p95 ? m.p95LatencyMs : m.avgLatencyMs;
        c.value = latency;
        c.holds = m.online > 0 && latency > rule.threshold;
        c.message = QStringLiteral("%1 latency in %2 is %3 ms, above %4 ms")
                        .arg(p95 ? QStringLiteral("p95") : QStringLiteral("Average"), room.roomCode,
                             number(latency), number(rule.threshold));
        return c;
    }
    case AlertRuleType::Heartbeat:
        c.value = std::floor(room.longestSilenceSec);
        c.holds = room.longestSilenceSec > rule.threshold;
        c.message = QStringLiteral("A session in %1 has been silent for %2 s, longer than %3 s")
                        .arg(room.roomCode, number(std::floor(room.longestSilenceSec)),
                             number(rule.threshold));
        return c;
    case AlertRuleType::MassDisconnect: {
        const int ended = recentEnds(room.roomId, rule.windowSec);
        c.value = ended;
        c.holds = ended > rule.threshold;
        c.message = QStringLiteral("%1 sessions of %2 ended by expiry or disconnect within %3 s "
                                   "(more than %4)")
                        .arg(ended)
                        .arg(room.roomCode)
                        .arg(rule.windowSec)
                        .arg(number(rule.threshold));
        return c;
    }
    case AlertRuleType::Custom: {
        const auto expression = m_expressions.constFind(rule.id);
        if (expression == m_expressions.cend())
            return c;
        c.holds = expression->evaluate(valuesOf(m));
        QStringList figures;
        for (const QString &name : expression->identifiers())
            figures.append(name + QLatin1Char('=') + number(valueNamed(m, name)));
        c.message = QStringLiteral("%1 holds in %2 (%3)")
                        .arg(rule.expression, room.roomCode, figures.join(QStringLiteral(", ")));
        return c;
    }
    }
    return c;
}

QList<AlertDecision> AlertEvaluator::evaluate(const QList<RoomSnapshot> &rooms, bool complete)
{
    const qint64 now = m_clock.nowMs();
    pruneEnds(now);
    QList<AlertDecision> decisions;
    QSet<QString> seen; // state keys evaluated in this round

    for (const AlertRule &rule : std::as_const(m_rules)) {
        if (!rule.enabled)
            continue;
        for (const RoomSnapshot &room : rooms) {
            if (!inScope(rule, room))
                continue;
            const QString k = key(rule.id, room.roomId);
            seen.insert(k);
            State &s = state(rule.id, room.roomId);
            s.tenantId = room.tenantId;
            s.roomCode = room.roomCode;
            const Condition c = condition(rule, room);
            if (!c.holds) {
                s.pendingSinceMs = -1;
                s.quietUntilClear = false;
                if (!s.openEventId.isEmpty()) {
                    AlertDecision d;
                    d.kind = AlertDecision::Kind::Resolve;
                    d.rule = rule;
                    d.tenantId = room.tenantId;
                    d.roomId = room.roomId;
                    d.roomCode = room.roomCode;
                    d.value = c.value;
                    d.eventId = s.openEventId;
                    d.notify = s.openNotified;
                    d.reason = QStringLiteral("condition cleared");
                    d.message = c.message;
                    decisions.append(d);
                }
                continue;
            }
            if (!s.openEventId.isEmpty() || s.fireInFlight || s.quietUntilClear)
                continue;
            if (s.pendingSinceMs < 0)
                s.pendingSinceMs = now;
            if (now - s.pendingSinceMs < qint64(rule.forSec) * 1000)
                continue;
            AlertDecision d;
            d.kind = AlertDecision::Kind::Fire;
            d.rule = rule;
            d.tenantId = room.tenantId;
            d.roomId = room.roomId;
            d.roomCode = room.roomCode;
            d.value = c.value;
            d.message = c.message;
            d.notify = s.lastNotifiedAtMs < 0 ||
                       now - s.lastNotifiedAtMs >= qint64(rule.cooldownSec) * 1000;
            s.fireInFlight = true;
            decisions.append(d);
        }
    }

    if (complete) {
        // Open events nobody evaluated: the rule is gone or disabled, or the room left the
        // rule's scope or the directory.
        QHash<QString, const AlertRule *> rulesById;
        for (const AlertRule &rule : std::as_const(m_rules))
            rulesById.insert(rule.id, &rule);
        for (auto it = m_states.begin(); it != m_states.end(); ++it) {
            if (seen.contains(it.key()))
                continue;
            State &s = it.value();
            s.pendingSinceMs = -1;
            s.quietUntilClear = false;
            if (s.openEventId.isEmpty())
                continue;
            const AlertRule *rule = rulesById.value(s.ruleId);
            AlertDecision d;
            d.kind = AlertDecision::Kind::Resolve;
            if (rule)
                d.rule = *rule;
            else
                d.rule.id = s.ruleId;
            d.tenantId = s.tenantId;
            d.roomId = s.roomId;
            d.roomCode = s.roomCode;
            d.eventId = s.openEventId;
            d.notify = s.openNotified;
            d.reason = !rule            ? QStringLiteral("rule deleted")
                       : !rule->enabled ? QStringLiteral("rule disabled")
                                        : QStringLiteral("room no longer in the rule's scope");
            decisions.append(d);
        }
    }
    return decisions;
}

void AlertEvaluator::fired(const AlertDecision &decision, const QString &eventId, qint64 firedAtMs)
{
    State &s = state(decision.rule.id, decision.roomId);
    s.fireInFlight = false;
    s.openEventId = eventId;
    s.openNotified = decision.notify;
    if (decision.notify)
        s.lastNotifiedAtMs = firedAtMs;
}

void AlertEvaluator::fireFailed(const AlertDecision &decision)
{
    state(decision.rule.id, decision.roomId).fireInFlight = false;
}

void AlertEvaluator::resolved(const QString &ruleId, const QString &roomId)
{
    State &s = state(ruleId, roomId);
    s.openEventId.clear();
    s.openNotified = false;
}

void AlertEvaluator::resolvedByHand(const QString &ruleId, const QString &roomId)
{
    State &s = state(ruleId, roomId);
    s.openEventId.clear();
    s.openNotified = false;
    s.quietUntilClear = true;
    s.pendingSinceMs = -1;
}

qint64 AlertEvaluator::nextDeadlineMs() const
{
    QHash<QString, int> forSecById;
    for (const AlertRule &rule : m_rules) {
        if (rule.enabled)
            forSecById.insert(rule.id, rule.forSec);
    }
    qint64 next = -1;
    for (const State &s : m_states) {
        if (s.pendingSinceMs < 0 || !s.openEventId.isEmpty() || s.fireInFlight)
            continue;
        const auto forSec = forSecById.constFind(s.ruleId);
        if (forSec == forSecById.cend())
            continue;
        const qint64 due = s.pendingSinceMs + qint64(*forSec) * 1000;
        if (next < 0 || due < next)
            next = due;
    }
    return next;
}

int AlertEvaluator::openCount() const
{
    int open = 0;
    for (const State &s : m_states)
        open += s.openEventId.isEmpty() ? 0 : 1;
    return open;
}

} // namespace spidi
