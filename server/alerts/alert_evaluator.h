#pragma once

#include "alerts/alert_expression.h"
#include "alerts/alert_rule.h"
#include "model/room_metrics.h"
#include "model/session.h"

#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <optional>

namespace spidi {

class Clock;

// What the evaluator needs to know about one room.
struct RoomSnapshot
{
    QString tenantId;
    QString roomId;
    QString roomCode;
    QString roomType;
    RoomMetrics metrics;
    double longestSilenceSec = 0.0; // the most silent live session (HEARTBEAT rules)
};

// What the evaluator asks the alert service to do.
struct AlertDecision
{
    enum class Kind { Fire, Resolve };
    Kind kind = Kind::Fire;
    AlertRule rule;
    QString tenantId;
    QString roomId;
    QString roomCode;
    std::optional<double> value; // the measured figure (none for CUSTOM)
    QString message;
    bool notify = false; // Fire: outside the cooldown, so the channels are told
    QString eventId;     // Resolve: the open event
    QString reason;      // Resolve: why ("condition cleared", "rule disabled", "room removed")
};

// The alert state machine of SPEC section 7, free of I/O so that tests drive it on a virtual
// clock. For every enabled rule and every room in its scope it tracks: since when the
// condition holds (FIRING once it has held for forSec), the open event, when the channels were
// last notified (cooldown), and whether an admin resolved the event by hand (then it stays
// quiet until the condition clears once, instead of firing again at the next evaluation).
//
// The database is the arbiter (one open event per rule and room, by a unique index): the
// service reports back what it managed to write, and a failed write is simply retried by the
// next evaluation.
class AlertEvaluator
{
public:
    explicit AlertEvaluator(const Clock &clock);

    // Rules of every tenant; disabled ones are kept so their open events get resolved.
    // A CUSTOM rule whose expression no longer parses is skipped (logged once).
    void setRules(const QList<AlertRule> &rules);
    const QList<AlertRule> &rules() const { return m_rules; }

    struct OpenEvent
    {
        QString eventId;
        QString ruleId;
        QString roomId;
        qint64 firedAtMs = 0;
        bool notified = false;
    };
    // What the database says is open (at start, after taking the lease over, after a write
    // conflict). Replaces the in-memory view of open events.
    void setOpenEvents(const QList<OpenEvent> &events);
    // When each rule and room last notified its channels (at start: from the newest events),
    // so a restart does not reset the cooldown.
    void setLastNotified(const QString &ruleId, const QString &roomId, qint64 atMs);

    // A session of `roomId` ended; EXPIRED and DISCONNECTED ends count for MASS_DISCONNECT.
    void recordSessionEnd(const QString &roomId, SessionEndReason reason, qint64 atMs);

    // Evaluates the rules against `rooms`. `complete`: `rooms` is every room there is, so open
    // events of rooms that are gone, of rules that are gone, disabled or no longer in scope,
    // are resolved too; otherwise (an evaluation on a metric change) only these rooms count.
    QList<AlertDecision> evaluate(const QList<RoomSnapshot> &rooms, bool complete);

    // The service's answers.
    void fired(const AlertDecision &decision, const QString &eventId, qint64 firedAtMs);
    void fireFailed(const AlertDecision &decision);
    void resolved(const QString &ruleId, const QString &roomId);
    // Someone resolved the event by hand: no new event until the condition has cleared.
    void resolvedByHand(const QString &ruleId, const QString &roomId);

    // When the next pending condition reaches its forSec (so the service evaluates on time
    // rather than at the next tick); -1 when nothing is pending.
    qint64 nextDeadlineMs() const;

    int openCount() const;

private:
    struct State
    {
        QString ruleId;
        QString roomId;
        QString roomCode;
        QString tenantId;
        qint64 pendingSinceMs = -1;
        QString openEventId;
        bool openNotified = false;
        bool fireInFlight = false;
        qint64 lastNotifiedAtMs = -1;
        bool quietUntilClear = false;
    };
    struct Condition
    {
        bool holds = false;
        std::optional<double> value;
        QString message;
    };

    static QString key(const QString &ruleId, const QString &roomId);
    State &state(const QString &ruleId, const QString &roomId);
    static bool inScope(const AlertRule &rule, const RoomSnapshot &room);
    Condition condition(const AlertRule &rule, const RoomSnapshot &room) const;
    int recentEnds(const QString &roomId, int windowSec) const;
    void pruneEnds(qint64 now);

    const Clock &m_clock;
    QList<AlertRule> m_rules;
    QHash<QString, AlertExpression> m_expressions; // by rule id (CUSTOM)
    QHash<QString, State> m_states;                // by rule id + room id
    QHash<QString, std::deque<qint64>> m_ends;     // by room id, oldest first
};

} // namespace spidi
