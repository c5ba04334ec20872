#pragma once

#include "services/rest_client.h"

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QPointer>

namespace spidi::desktop {

// The tenant's alert rules (GET /api/v1/alerts/rules), ordered by name like the server lists
// them. Kept current incrementally: a reload and every create, update and delete of the editor
// become row inserts, dataChanged, moves and removals; never a reset.
class AlertRulesModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(spidi::desktop::RestClient *rest READ rest WRITE setRest NOTIFY restChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    enum Role {
        RuleIdRole = Qt::UserRole + 1,
        NameRole,
        TypeRole,
        SeverityRole,
        EnabledRole,
        ConditionRole, // the condition in words ("above 80 % of capacity")
        ScopeRole,     // the scope in words ("all rooms", "type CHAT", "room <id>")
        ChannelsRole,  // "inapp, webhook, email"
        VersionRole,
        RuleRole, // the whole rule as a map (for the editor)
    };
    Q_ENUM(Role)

    explicit AlertRulesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    RestClient *rest() const { return m_rest; }
    void setRest(RestClient *rest);
    int count() const { return int(m_rules.size()); }
    bool loading() const { return m_loading; }
    QString error() const { return m_error; }

    // Every rule from the server, merged into the rows (removing the ones gone).
    Q_INVOKABLE void reload();
    void sync(const QList<QJsonObject> &rules);
    // One rule as the server returned it: inserted, or updated in place (moved if renamed).
    Q_INVOKABLE void upsert(const QVariantMap &rule);
    void upsertJson(const QJsonObject &rule);
    Q_INVOKABLE void removeRule(const QString &ruleId);
    Q_INVOKABLE QVariantMap ruleAt(int row) const;
    int rowOf(const QString &ruleId) const;

    static QString describeCondition(const QJsonObject &rule);
    static QString describeScope(const QJsonObject &rule);

Q_SIGNALS:
    void restChanged();
    void countChanged();
    void loadingChanged();
    void errorChanged();

private:
    int insertPosition(const QJsonObject &rule) const;
    void setLoading(bool loading);
    void setError(const QString &error);

    QPointer<RestClient> m_rest;
    QList<QJsonObject> m_rules;
    bool m_loading = false;
    QString m_error;
};

} // namespace spidi::desktop
