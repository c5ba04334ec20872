#include "models/alert_event_list_model.h"

#include <QDateTime>

namespace spidi::desktop {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QVariant time(const QJsonObject &o, const char *key)
{
    const QString s = str(o, key);
    if (s.isEmpty())
        return {};
    return QDateTime::fromString(s, Qt::ISODateWithMs);
}

QVariant number(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? QVariant(v.toDouble()) : QVariant();
}

} // namespace

int AlertEventListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QVariant AlertEventListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case MessageRole:
        return str(e, "message");
    case EventIdRole:
        return str(e, "id");
    case RuleIdRole:
        return str(e, "ruleId");
    case RuleNameRole:
        return str(e, "ruleName");
    case RuleTypeRole:
        return str(e, "ruleType");
    case RoomIdRole:
        return str(e, "roomId");
    case RoomCodeRole:
        return str(e, "roomCode");
    case SeverityRole:
        return str(e, "severity");
    case StateRole:
        return str(e, "state");
    case ValueRole:
        return number(e, "value");
    case ThresholdRole:
        return number(e, "threshold");
    case FiredAtRole:
        return time(e, "firedAt");
    case AcknowledgedAtRole:
        return time(e, "acknowledgedAt");
    case AcknowledgedByRole:
        return str(e, "acknowledgedBy");
    case CommentRole:
        return str(e, "comment");
    case ResolvedAtRole:
        return time(e, "resolvedAt");
    case ResolvedByRole:
        return str(e, "resolvedBy");
    case CriticalRole:
        return str(e, "severity") == QLatin1String("CRITICAL");
    default:
        return {};
    }
}

QHash<int, QByteArray> AlertEventListModel::roleNames() const
{
    return {{EventIdRole, "eventId"},
            {RuleIdRole, "ruleId"},
            {RuleNameRole, "ruleName"},
            {RuleTypeRole, "ruleType"},
            {RoomIdRole, "roomId"},
            {RoomCodeRole, "roomCode"},
            {SeverityRole, "severity"},
            {StateRole, "state"},
            {ValueRole, "value"},
            {ThresholdRole, "threshold"},
            {MessageRole, "message"},
            {FiredAtRole, "firedAt"},
            {AcknowledgedAtRole, "acknowledgedAt"},
            {AcknowledgedByRole, "acknowledgedBy"},
            {CommentRole, "comment"},
            {ResolvedAtRole, "resolvedAt"},
            {ResolvedByRole, "resolvedBy"},
            {CriticalRole, "critical"}};
}

} // namespace spidi::desktop
