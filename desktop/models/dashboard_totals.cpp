#include "dashboard_totals.h"

#include "alert_inbox_model.h"
#include "room_list_model.h"

namespace spidi::desktop {

DashboardTotals::DashboardTotals(RoomListModel *rooms, AlertInboxModel *alerts, QObject *parent)
    : QObject(parent), m_roomModel(rooms), m_alertModel(alerts)
{
    connect(rooms, &RoomListModel::totalsChanged, this, &DashboardTotals::recompute);
    connect(rooms, &RoomListModel::countChanged, this, &DashboardTotals::recompute);
    connect(alerts, &AlertInboxModel::countsChanged, this, &DashboardTotals::recompute);
    recompute();
}

void DashboardTotals::recompute()
{
    const int rooms = m_roomModel ? m_roomModel->count() : 0;
    const int online = m_roomModel ? m_roomModel->totalOnline() : 0;
    const int users = m_roomModel ? m_roomModel->totalUsers() : 0;
    const int firing = m_alertModel ? m_alertModel->firingCount() : 0;
    if (rooms == m_rooms && online == m_online && users == m_users && firing == m_firingAlerts)
        return;
    m_rooms = rooms;
    m_online = online;
    m_users = users;
    m_firingAlerts = firing;
    Q_EMIT changed();
}

} // namespace spidi::desktop
