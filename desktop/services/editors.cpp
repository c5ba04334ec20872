#include "editors.h"

namespace spidi::desktop {

Editors::Editors(RestClient *rest, RoomListModel *rooms, QObject *parent)
    : QObject(parent), m_roomList(rooms), m_room(new RoomEditor(this)), m_rule(new RuleForm(this)),
      m_rules(new AlertRulesModel(this)), m_events(new AlertEventsModel(this))
{
    m_room->setRest(rest);
    m_rule->setRest(rest);
    m_rules->setRest(rest);
    m_events->setRest(rest);
    // What the rule form saves or deletes shows in the list at once (incrementally).
    connect(m_rule, &RuleForm::saved, m_rules, &AlertRulesModel::upsert);
    connect(m_rule, &RuleForm::removed, m_rules, &AlertRulesModel::removeRule);
    if (rooms) {
        connect(m_room, &RoomEditor::saved, rooms, [rooms](const QVariantMap &room) {
            rooms->applyRoom(QJsonObject::fromVariantMap(room));
        });
        connect(m_room, &RoomEditor::removed, rooms,
                [this, rooms] { rooms->removeRoom(m_room->roomId()); });
    }
}

QString Editors::scopeText(const QVariantMap &rule) const
{
    const QString roomId =
        rule.value(QStringLiteral("scope")).toMap().value(QStringLiteral("roomId")).toString();
    if (!roomId.isEmpty() && m_roomList) {
        const int row = m_roomList->rowOf(roomId);
        if (row >= 0)
            return QStringLiteral("room %1").arg(m_roomList->room(row).code);
    }
    return AlertRulesModel::describeScope(QJsonObject::fromVariantMap(rule));
}

void Editors::show(const QString &page, const QString &roomCode, bool confirmDelete)
{
    if (m_page == page && m_roomCode == roomCode && m_confirmDelete == confirmDelete)
        return;
    m_page = page;
    m_roomCode = roomCode;
    m_confirmDelete = confirmDelete;
    Q_EMIT pageChanged();
}

} // namespace spidi::desktop
