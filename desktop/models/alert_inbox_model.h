#pragma once

#include "models/alert_event_list_model.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>

namespace spidi::desktop {

// The open alert events of the tenant (FIRING or ACKNOWLEDGED), ordered by severity (CRITICAL,
// WARNING, INFO) then by firedAt, newest first. Filled from GET /api/v1/alerts/events and kept
// current by the `alerts` topic: FIRED inserts, ACKNOWLEDGED updates, RESOLVED removes,
// SNAPSHOT upserts. Incremental: row inserts, removals, moves and dataChanged; never a reset.
class AlertInboxModel : public spidi::desktop::AlertEventListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countsChanged)
    Q_PROPERTY(int firingCount READ firingCount NOTIFY countsChanged)
    Q_PROPERTY(int criticalCount READ criticalCount NOTIFY countsChanged)

public:
    explicit AlertInboxModel(QObject *parent = nullptr);

    int count() const { return int(m_events.size()); }
    int firingCount() const;
    int criticalCount() const;
    // FIRING events per room id.
    QHash<QString, int> firingByRoom() const;
    QJsonObject eventAt(int row) const { return m_events.at(row); }
    int rowOf(const QString &eventId) const;

    // An ALERT message's transition, event and notify flag (docs/protocol.md,
    // docs/alerts.md#events).
    void applyAlert(const QString &transition, const QJsonObject &event, bool notify = false);
    // An event in its current state (REST): upserted while open, removed once RESOLVED.
    void upsert(const QJsonObject &event);
    // The open events as listed by REST: every one upserted; an event not listed is removed
    // unless an ALERT touched it after `sinceSerial` (it fired while the list was on its way).
    // Events resolved by an ALERT after `sinceSerial` are not brought back by the list.
    void sync(const QList<QJsonObject> &events, quint64 sinceSerial);
    quint64 serial() const { return m_serial; }

    // Lower sorts first: CRITICAL 0, WARNING 1, INFO 2, anything else 3.
    static int severityRank(const QString &severity);

Q_SIGNALS:
    void countsChanged();
    // A FIRED transition of a CRITICAL event (for the window badge and, later, the tray).
    void criticalFired(const QJsonObject &event, bool notify);

private:
    bool before(const QJsonObject &a, const QJsonObject &b) const;
    int insertPosition(const QJsonObject &event) const;
    void remove(const QString &eventId);

    QHash<QString, quint64> m_touched;        // event id -> serial of the last ALERT
    QHash<QString, quint64> m_resolvedSerial; // event id -> serial of its RESOLVED
    quint64 m_serial = 0;
};

} // namespace spidi::desktop
