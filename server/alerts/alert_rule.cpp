#include "alerts/alert_rule.h"

#include <QJsonArray>

namespace spidi {

namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> fromName(const QString &name,
                             const std::array<std::pair<Enum, const char *>, N> &table)
{
    for (const auto &[value, text] : table) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
QString toName(Enum value, const std::array<std::pair<Enum, const char *>, N> &table)
{
    for (const auto &[candidate, text] : table) {
        if (candidate == value)
            return QString::fromLatin1(text);
    }
    return {};
}

constexpr std::array<std::pair<AlertRuleType, const char *>, 5> kTypes{{
    {AlertRuleType::Capacity, "CAPACITY"},
    {AlertRuleType::Latency, "LATENCY"},
    {AlertRuleType::Heartbeat, "HEARTBEAT"},
    {AlertRuleType::Custom, "CUSTOM"},
    {AlertRuleType::MassDisconnect, "MASS_DISCONNECT"},
}};
constexpr std::array<std::pair<AlertSeverity, const char *>, 3> kSeverities{{
    {AlertSeverity::Info, "INFO"},
    {AlertSeverity::Warning, "WARNING"},
    {AlertSeverity::Critical, "CRITICAL"},
}};
constexpr std::array<std::pair<LatencyStat, const char *>, 2> kLatencyStats{{
    {LatencyStat::Avg, "AVG"},
    {LatencyStat::P95, "P95"},
}};
constexpr std::array<std::pair<AlertState, const char *>, 3> kStates{{
    {AlertState::Firing, "FIRING"},
    {AlertState::Acknowledged, "ACKNOWLEDGED"},
    {AlertState::Resolved, "RESOLVED"},
}};

} // namespace

QString alertRuleTypeName(AlertRuleType type)
{
    return toName(type, kTypes);
}

std::optional<AlertRuleType> alertRuleTypeFromName(const QString &name)
{
    return fromName(name, kTypes);
}

QString alertSeverityName(AlertSeverity severity)
{
    return toName(severity, kSeverities);
}

std::optional<AlertSeverity> alertSeverityFromName(const QString &name)
{
    return fromName(name, kSeverities);
}

QString latencyStatName(LatencyStat stat)
{
    return toName(stat, kLatencyStats);
}

std::optional<LatencyStat> latencyStatFromName(const QString &name)
{
    return fromName(name, kLatencyStats);
}

QString alertStateName(AlertState state)
{
    return toName(state, kStates);
}

std::optional<AlertState> alertStateFromName(const QString &name)
{
    return fromName(name, kStates);
}

int severityRank(AlertSeverity severity)
{
    switch (severity) {
    case AlertSeverity::Info:
        return 0;
    case AlertSeverity::Warning:
        return 1;
    case AlertSeverity::Critical:
        return 2;
    }
    return 0;
}

QJsonObject AlertChannel::toJson() const
{
    switch (kind) {
    case Kind::InApp:
        return {{QStringLiteral("type"), QStringLiteral("inapp")}};
    case Kind::Webhook:
        return {{QStringLiteral("type"), QStringLiteral("webhook")}, {QStringLiteral("url"), url}};
    case Kind::Email:
        return {{QStringLiteral("type"), QStringLiteral("email")},
                {QStringLiteral("to"), QJsonArray::fromStringList(to)}};
    }
    return {};
}

bool AlertRule::hasChannel(AlertChannel::Kind kind) const
{
    for (const AlertChannel &channel : channels) {
        if (channel.kind == kind)
            return true;
    }
    return false;
}

double defaultThreshold(AlertRuleType type)
{
    switch (type) {
    case AlertRuleType::Capacity:
        return 0.8;
    case AlertRuleType::Latency:
        return 500.0;
    case AlertRuleType::Heartbeat:
        return 60.0;
    case AlertRuleType::MassDisconnect:
        return 10.0;
    case AlertRuleType::Custom:
        return 0.0;
    }
    return 0.0;
}

} // namespace spidi
