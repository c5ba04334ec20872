#pragma once

#include "alerts/alert_event.h"
#include "alerts/alert_rule.h"
#include "core/result.h"
#include "db/database.h"
#include "db/room_repository.h"

#include <QList>
#include <QString>

#include <optional>

namespace spidi {

struct AlertRulePage
{
    QList<AlertRule> items;
    qint64 total = 0;
};

struct AlertEventFilter
{
    QList<AlertState> states; // empty: any
    QString roomId;
    QString ruleId;
    std::optional<AlertSeverity> severity;
    qint64 fromMs = 0; // fired at or after; 0: no bound
    qint64 toMs = 0;   // fired before; 0: no bound
    int offset = 0;
    int limit = 50;
};

struct AlertEventPage
{
    QList<AlertEvent> items;
    qint64 total = 0;
};

// dat_spd_alert_rule and dat_spd_alert_event. REST calls are confined to the caller's tenant
// (another tenant's rule or event is NotFound; row-level security on PostgreSQL as well) and
// audited in the same transaction. The alert engine's calls (allRules, openEvents, fire,
// autoResolve, setNotifications) are system work across tenants (docs/schema.md, "Bypass").
class AlertRepository
{
public:
    explicit AlertRepository(const Database &database);

    // Rules. `rule` is already validated (rest/alert_json.cpp); create assigns id, version and
    // times. update() checks `expectedVersion` (Conflict, field "version", when stale).
    Result<AlertRule> createRule(const Actor &actor, AlertRule rule);
    Result<AlertRule> findRule(const QString &tenantId, const QString &id) const;
    Result<AlertRulePage> listRules(const QString &tenantId, int offset, int limit) const;
    Result<AlertRule> updateRule(const Actor &actor, AlertRule rule,
                                 std::optional<qint64> expectedVersion);
    Result<AlertRule> deleteRule(const Actor &actor, const QString &id,
                                 std::optional<qint64> expectedVersion);
    Result<QList<AlertRule>> allRules() const; // every tenant, not deleted

    // Events.
    // Conflict when an open event of the same rule and room exists (the unique index).
    Status fire(const AlertEvent &event);
    // Closes an open event because its condition cleared (or its rule/room went away); returns
    // the event as stored, or NotFound when it was not open any more (resolved by hand).
    Result<AlertEvent> autoResolve(const QString &eventId, qint64 atMs);
    Result<AlertEvent> acknowledge(const Actor &actor, const QString &eventId,
                                   const QString &comment);
    Result<AlertEvent> resolveByHand(const Actor &actor, const QString &eventId,
                                     const QString &comment);
    Status setNotifications(const QString &eventId, const QJsonArray &notifications);
    Result<AlertEvent> findEvent(const QString &tenantId, const QString &id) const;
    // Open first? No: newest first (fired_at), as the history view wants; the inbox sorts.
    Result<AlertEventPage> listEvents(const QString &tenantId,
                                      const AlertEventFilter &filter) const;
    Result<QList<AlertEvent>> openEvents(const QString &tenantId) const; // FIRING, ACKNOWLEDGED
    Result<QList<AlertEvent>> allOpenEvents() const;                     // every tenant

    struct LastNotified
    {
        QString ruleId;
        QString roomId;
        qint64 atMs = 0;
    };
    // Per rule and room, when the channels were last told of a firing (within `sinceMs`).
    Result<QList<LastNotified>> lastNotified(qint64 sinceMs) const;

private:
    Result<AlertEvent> transition(const Actor &actor, const QString &eventId, AlertState to,
                                  const QString &comment);
    Result<QList<AlertEvent>> selectEvents(const QString &tenantId, const QString &condition,
                                           const QVariantList &binds, const QString &tail,
                                           const QString &what) const;

    Database m_db;
};

} // namespace spidi
