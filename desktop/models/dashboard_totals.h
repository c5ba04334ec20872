#pragma once

#include <QObject>
#include <QPointer>

namespace spidi::desktop {

class RoomListModel;
class AlertInboxModel;

// The dashboard's totals row, kept in step with the models it watches: rooms, live sessions
// (online), users (the sum of each room's distinct users: a user in two rooms counts twice),
// and firing alert events.
class DashboardTotals : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int rooms READ rooms NOTIFY changed)
    Q_PROPERTY(int online READ online NOTIFY changed)
    Q_PROPERTY(int users READ users NOTIFY changed)
    Q_PROPERTY(int firingAlerts READ firingAlerts NOTIFY changed)

public:
    explicit DashboardTotals(RoomListModel *rooms, AlertInboxModel *alerts,
                             QObject *parent = nullptr);

    int rooms() const { return m_rooms; }
    int online() const { return m_online; }
    int users() const { return m_users; }
    int firingAlerts() const { return m_firingAlerts; }

Q_SIGNALS:
    void changed();

private:
    void recompute();

    QPointer<RoomListModel> m_roomModel;
    QPointer<AlertInboxModel> m_alertModel;
    int m_rooms = 0;
    int m_online = 0;
    int m_users = 0;
    int m_firingAlerts = 0;
};

} // namespace spidi::desktop
