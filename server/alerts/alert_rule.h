#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace spidi {

// SPEC section 7 plus MASS_DISCONNECT (issue 5): what a rule watches.
enum class AlertRuleType { Capacity, Latency, Heartbeat, Custom, MassDisconnect };
enum class AlertSeverity { Info, Warning, Critical };
enum class LatencyStat { Avg, P95 };
enum class AlertState { Firing, Acknowledged, Resolved };

QString alertRuleTypeName(AlertRuleType type); // "CAPACITY"
std::optional<AlertRuleType> alertRuleTypeFromName(const QString &name);
QString alertSeverityName(AlertSeverity severity);
std::optional<AlertSeverity> alertSeverityFromName(const QString &name);
QString latencyStatName(LatencyStat stat);
std::optional<LatencyStat> latencyStatFromName(const QString &name);
QString alertStateName(AlertState state);
std::optional<AlertState> alertStateFromName(const QString &name);
// Higher is more urgent (inbox order).
int severityRank(AlertSeverity severity);

// Which rooms a rule applies to: exactly one of the three.
struct AlertScope
{
    QString roomId;   // one room
    QString roomType; // every room of this type
    bool all = false; // every room of the tenant

    bool operator==(const AlertScope &) const = default;
};

struct AlertChannel
{
    enum class Kind { InApp, Webhook, Email };
    Kind kind = Kind::InApp;
    QString url;    // webhook
    QStringList to; // email recipients

    bool operator==(const AlertChannel &) const = default;
    QJsonObject toJson() const;
};

struct AlertRule
{
    QString id;
    QString tenantId;
    QString name;
    AlertRuleType type = AlertRuleType::Capacity;
    // CAPACITY: share of capacity (0.8 = 80 %); LATENCY: ms; HEARTBEAT: seconds of silence;
    // MASS_DISCONNECT: sessions ended within windowSec; CUSTOM: unused.
    double threshold = 0.0;
    QString expression;                         // CUSTOM only
    LatencyStat latencyStat = LatencyStat::P95; // LATENCY only
    int windowSec = 60;                         // MASS_DISCONNECT only
    int forSec = 0;
    AlertSeverity severity = AlertSeverity::Warning;
    AlertScope scope;
    int cooldownSec = 300;
    bool enabled = true;
    QList<AlertChannel> channels;
    qint64 version = 1;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;

    bool hasChannel(AlertChannel::Kind kind) const;
};

// The default threshold of each type (SPEC section 7): CAPACITY 0.8, LATENCY 500 ms,
// HEARTBEAT 60 s, MASS_DISCONNECT 10 sessions; CUSTOM has none.
double defaultThreshold(AlertRuleType type);

} // namespace spidi
