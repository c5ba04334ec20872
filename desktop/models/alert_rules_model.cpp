#include "alert_rules_model.h"

#include "services/editor_support.h"

#include <QJsonArray>
#include <QSet>

namespace spidi::desktop {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QString number(double value)
{
    return QLocale().toString(value, 'g', 12);
}

} // namespace

AlertRulesModel::AlertRulesModel(QObject *parent) : QAbstractListModel(parent) {}

void AlertRulesModel::setRest(RestClient *rest)
{
    if (m_rest == rest)
        return;
    m_rest = rest;
    Q_EMIT restChanged();
}

int AlertRulesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rules.size());
}

QString AlertRulesModel::describeCondition(const QJsonObject &rule)
{
    const QString type = str(rule, "type");
    const double threshold = rule.value(QLatin1String("threshold")).toDouble();
    if (type == u"CAPACITY")
        return QStringLiteral("above %1 % of capacity").arg(number(threshold * 100.0));
    if (type == u"LATENCY")
        return QStringLiteral("%1 latency above %2 ms")
            .arg(str(rule, "latencyStat") == u"AVG" ? QStringLiteral("average")
                                                    : QStringLiteral("p95"),
                 number(threshold));
    if (type == u"HEARTBEAT")
        return QStringLiteral("a session silent for more than %1 s").arg(number(threshold));
    if (type == u"MASS_DISCONNECT")
        return QStringLiteral("more than %1 sessions lost within %2 s")
            .arg(number(threshold))
            .arg(rule.value(QLatin1String("windowSec")).toInt());
    return str(rule, "expression");
}

QString AlertRulesModel::describeScope(const QJsonObject &rule)
{
    const QJsonObject scope = rule.value(QLatin1String("scope")).toObject();
    if (scope.value(QLatin1String("all")).toBool())
        return QStringLiteral("all rooms");
    if (scope.contains(QLatin1String("roomType")))
        return QStringLiteral("rooms of type %1").arg(str(scope, "roomType"));
    return QStringLiteral("room %1").arg(str(scope, "roomId"));
}

QVariant AlertRulesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &rule = m_rules.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return str(rule, "name");
    case RuleIdRole:
        return str(rule, "id");
    case TypeRole:
        return str(rule, "type");
    case SeverityRole:
        return str(rule, "severity");
    case EnabledRole:
        return rule.value(QLatin1String("enabled")).toBool();
    case ConditionRole:
        return describeCondition(rule);
    case ScopeRole:
        return describeScope(rule);
    case ChannelsRole: {
        QStringList kinds;
        for (const QJsonValue &v : rule.value(QLatin1String("channels")).toArray())
            kinds.append(v.toObject().value(QLatin1String("type")).toString());
        return kinds.join(QStringLiteral(", "));
    }
    case VersionRole:
        return rule.value(QLatin1String("version")).toDouble();
    case RuleRole:
        return rule.toVariantMap();
    default:
        return {};
    }
}

QHash<int, QByteArray> AlertRulesModel::roleNames() const
{
    return {{RuleIdRole, "ruleId"},     {NameRole, "name"},         {TypeRole, "type"},
            {SeverityRole, "severity"}, {EnabledRole, "enabled"},   {ConditionRole, "condition"},
            {ScopeRole, "scopeText"},   {ChannelsRole, "channels"}, {VersionRole, "version"},
            {RuleRole, "rule"}};
}

int AlertRulesModel::rowOf(const QString &ruleId) const
{
    for (int row = 0; row < m_rules.size(); ++row) {
        if (str(m_rules.at(row), "id") == ruleId)
            return row;
    }
    return -1;
}

int AlertRulesModel::insertPosition(const QJsonObject &rule) const
{
    const QString name = str(rule, "name");
    int row = 0;
    while (row < m_rules.size() && str(m_rules.at(row), "name") <= name)
        ++row;
    return row;
}

void AlertRulesModel::upsert(const QVariantMap &rule)
{
    upsertJson(QJsonObject::fromVariantMap(rule));
}

void AlertRulesModel::upsertJson(const QJsonObject &rule)
{
    const int row = rowOf(str(rule, "id"));
    if (row < 0) {
        const int at = insertPosition(rule);
        beginInsertRows({}, at, at);
        m_rules.insert(at, rule);
        endInsertRows();
        Q_EMIT countChanged();
        return;
    }
    if (m_rules.at(row) == rule)
        return;
    if (str(m_rules.at(row), "name") != str(rule, "name")) {
        // Renamed: move the row to its place by name, then update it.
        QList<QJsonObject> others = m_rules;
        others.removeAt(row);
        int target = 0;
        while (target < others.size() && str(others.at(target), "name") <= str(rule, "name"))
            ++target;
        if (target != row) {
            beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
            m_rules.move(row, target);
            endMoveRows();
        }
        m_rules[target] = rule;
        Q_EMIT dataChanged(index(target), index(target));
        return;
    }
    m_rules[row] = rule;
    Q_EMIT dataChanged(index(row), index(row));
}

void AlertRulesModel::removeRule(const QString &ruleId)
{
    const int row = rowOf(ruleId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rules.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
}

QVariantMap AlertRulesModel::ruleAt(int row) const
{
    if (row < 0 || row >= m_rules.size())
        return {};
    return m_rules.at(row).toVariantMap();
}

void AlertRulesModel::sync(const QList<QJsonObject> &rules)
{
    QSet<QString> listed;
    for (const QJsonObject &rule : rules)
        listed.insert(str(rule, "id"));
    for (int row = int(m_rules.size()) - 1; row >= 0; --row) {
        if (!listed.contains(str(m_rules.at(row), "id")))
            removeRule(str(m_rules.at(row), "id"));
    }
    for (const QJsonObject &rule : rules)
        upsertJson(rule);
}

void AlertRulesModel::reload()
{
    if (!m_rest)
        return;
    setLoading(true);
    m_rest->getAll(QStringLiteral("/api/v1/alerts/rules"), {}, 500,
                   [this, guard = QPointer<AlertRulesModel>(this)](const QList<QJsonObject> &items,
                                                                   const RestResult &result) {
                       if (!guard)
                           return;
                       setLoading(false);
                       if (!result.ok()) {
                           setError(problemText(result.problem));
                           return;
                       }
                       setError({});
                       sync(items);
                   });
}

void AlertRulesModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

void AlertRulesModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace spidi::desktop
