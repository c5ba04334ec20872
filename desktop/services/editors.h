#pragma once

#include "models/alert_events_model.h"
#include "models/alert_rules_model.h"
#include "models/room_list_model.h"
#include "services/rest_client.h"
#include "services/room_editor.h"
#include "services/rule_form.h"

#include <QObject>
#include <QPointer>

namespace spidi::desktop {

// The editors and alert pages' shared state (docs/desktop.md#editors), one per engine (the
// QML singleton `Editors`): which full-window tool page is open over the dashboard, and the
// forms and models those pages use, all on the connection's RestClient. A singleton, so that
// list delegates reach them (Qt 6.4 has no `pragma ComponentBehavior: Bound`).
class Editors : public QObject
{
    Q_OBJECT
    // "" (none), "roomEditor" (roomCode: the room, "" for a new one; confirmDelete: ask to delete
    // it straight away), "rules" or "history".
    Q_PROPERTY(QString page READ page NOTIFY pageChanged)
    Q_PROPERTY(QString roomCode READ roomCode NOTIFY pageChanged)
    Q_PROPERTY(bool confirmDelete READ confirmDelete NOTIFY pageChanged)
    Q_PROPERTY(spidi::desktop::RoomEditor *room READ room CONSTANT)
    Q_PROPERTY(spidi::desktop::RuleForm *rule READ rule CONSTANT)
    Q_PROPERTY(spidi::desktop::AlertRulesModel *rules READ rules CONSTANT)
    Q_PROPERTY(spidi::desktop::AlertEventsModel *events READ events CONSTANT)

public:
    // `rooms` (may be null): the dashboard's rooms, told at once about a room the editor saved or
    // deleted (the `rooms` topic says nothing about a deletion).
    explicit Editors(RestClient *rest, RoomListModel *rooms = nullptr, QObject *parent = nullptr);

    QString page() const { return m_page; }
    QString roomCode() const { return m_roomCode; }
    bool confirmDelete() const { return m_confirmDelete; }
    RoomEditor *room() const { return m_room; }
    RuleForm *rule() const { return m_rule; }
    AlertRulesModel *rules() const { return m_rules; }
    AlertEventsModel *events() const { return m_events; }

    Q_INVOKABLE void newRoom() { show(QStringLiteral("roomEditor"), {}, false); }
    Q_INVOKABLE void editRoom(const QString &code)
    {
        show(QStringLiteral("roomEditor"), code, false);
    }
    Q_INVOKABLE void deleteRoom(const QString &code)
    {
        show(QStringLiteral("roomEditor"), code, true);
    }
    Q_INVOKABLE void openRules() { show(QStringLiteral("rules"), {}, false); }
    Q_INVOKABLE void openHistory() { show(QStringLiteral("history"), {}, false); }
    Q_INVOKABLE void close() { show({}, {}, false); }
    // A rule's scope in words, a room named by its code when the dashboard knows it.
    Q_INVOKABLE QString scopeText(const QVariantMap &rule) const;

Q_SIGNALS:
    void pageChanged();

private:
    void show(const QString &page, const QString &roomCode, bool confirmDelete);

    QPointer<RoomListModel> m_roomList;
    RoomEditor *m_room;
    RuleForm *m_rule;
    AlertRulesModel *m_rules;
    AlertEventsModel *m_events;
    QString m_page;
    QString m_roomCode;
    bool m_confirmDelete = false;
};

} // namespace spidi::desktop
