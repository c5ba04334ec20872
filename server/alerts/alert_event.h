#pragma once

#include "alerts/alert_rule.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace spidi {

// One row of dat_spd_alert_event: a condition of one rule in one room, from FIRING through
// ACKNOWLEDGED to RESOLVED (SPEC sections 5 and 7).
struct AlertEvent
{
    QString id;
    QString tenantId;
    QString ruleId;
    QString ruleName;
    AlertRuleType ruleType = AlertRuleType::Capacity;
    QString roomId;
    QString roomCode;
    AlertSeverity severity = AlertSeverity::Warning;
    AlertState state = AlertState::Firing;
    std::optional<double> value;
    std::optional<double> threshold;
    QString message;
    qint64 firedAtMs = 0;
    qint64 acknowledgedAtMs = 0; // 0: not acknowledged
    QString acknowledgedBy;
    QString comment;
    qint64 resolvedAtMs = 0; // 0: open
    QString resolvedBy;      // empty: the condition cleared by itself
    // One delivery record per channel: {channel, target, kind, status, attempts, lastError,
    // lastAttemptAt, deliveredAt}; status PENDING, DELIVERED, FAILED or SUPPRESSED (cooldown).
    QJsonArray notifications;

    bool isOpen() const { return state != AlertState::Resolved; }
    // The REST/ALERT shape (camelCase, ISO-8601 UTC times, null for what has not happened).
    QJsonObject toJson() const;
};

// "2024-05-01T12:34:56.789Z"
QString isoUtc(qint64 ms);

} // namespace spidi
