#include "alerts/alert_event.h"

#include <QDateTime>

namespace spidi {

QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject AlertEvent::toJson() const
{
    const auto optionalNumber = [](const std::optional<double> &v) {
        return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
    };
    const auto optionalTime = [](qint64 ms) {
        return ms > 0 ? QJsonValue(isoUtc(ms)) : QJsonValue(QJsonValue::Null);
    };
    const auto optionalText = [](const QString &text) {
        return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
    };
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("ruleId"), ruleId},
        {QStringLiteral("ruleName"), ruleName},
        {QStringLiteral("ruleType"), alertRuleTypeName(ruleType)},
        {QStringLiteral("roomId"), optionalText(roomId)},
        {QStringLiteral("roomCode"), optionalText(roomCode)},
        {QStringLiteral("severity"), alertSeverityName(severity)},
        {QStringLiteral("state"), alertStateName(state)},
        {QStringLiteral("value"), optionalNumber(value)},
        {QStringLiteral("threshold"), optionalNumber(threshold)},
        {QStringLiteral("message"), message},
        {QStringLiteral("firedAt"), optionalTime(firedAtMs)},
        {QStringLiteral("acknowledgedAt"), optionalTime(acknowledgedAtMs)},
        {QStringLiteral("acknowledgedBy"), optionalText(acknowledgedBy)},
        {QStringLiteral("comment"), optionalText(comment)},
        {QStringLiteral("resolvedAt"), optionalTime(resolvedAtMs)},
        {QStringLiteral("resolvedBy"), optionalText(resolvedBy)},
        {QStringLiteral("notifications"), notifications},
    };
}

} // namespace spidi
