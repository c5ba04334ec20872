#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>

namespace spidi::desktop {

// A list of alert events as the server sends them (docs/alerts.md#events), one role per field:
// the base of the live inbox (AlertInboxModel) and of the history (AlertEventsModel), which
// differ only in where their rows come from and how they change.
class AlertEventListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        EventIdRole = Qt::UserRole + 1,
        RuleIdRole,
        RuleNameRole,
        RuleTypeRole,
        RoomIdRole,
        RoomCodeRole,
        SeverityRole,
        StateRole,
        ValueRole,
        ThresholdRole,
        MessageRole,
        FiredAtRole,
        AcknowledgedAtRole,
        AcknowledgedByRole,
        CommentRole,
        ResolvedAtRole,
        ResolvedByRole,
        CriticalRole,
    };
    Q_ENUM(Role)

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

protected:
    QList<QJsonObject> m_events; // the event JSON objects, in display order
};

} // namespace spidi::desktop
