#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QStringList>

namespace spidi::desktop {

// The tenant's rooms as dashboard tiles: metadata from REST (GET /api/v1/rooms) merged with the
// live figures of the `rooms` topic (ROOM_METRICS). Updated incrementally: a new room is a row
// insert, a change a dataChanged naming only the roles that changed, a room gone a row
// removal; the model is never reset after construction.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    // Distinct type codes and tags of the rooms, sorted (the dashboard's filter choices).
    Q_PROPERTY(QStringList typeCodes READ typeCodes NOTIFY typeCodesChanged)
    Q_PROPERTY(QStringList tagList READ tagList NOTIFY tagListChanged)

public:
    enum Role {
        RoomIdRole = Qt::UserRole + 1,
        CodeRole,
        NameRole,
        TypeCodeRole,
        StatusRole,
        TagsRole,
        OnlineRole,
        UsersRole,
        PeakRole,
        CapacityRole,
        CapacityPctRole,
        AvgLatencyMsRole,
        P95LatencyMsRole,
        HistoryRole, // list of QPointF(x = ms since epoch, y = online), oldest first
        FiringAlertsRole,
        HasMetricsRole, // a ROOM_METRICS has been seen for the room
    };
    Q_ENUM(Role)

    // The sparkline keeps this much history, one point per this interval at most.
    static constexpr qint64 HistoryWindowMs = 15 * 60 * 1000;
    static constexpr qint64 HistoryStepMs = 10 * 1000;

    struct Room
    {
        QString roomId;
        QString code;
        QString name;
        QString typeCode;
        QString status;
        QStringList tags;
        int online = 0;
        int users = 0;
        int peak = 0;
        int capacity = 0;
        double capacityPct = 0;
        double avgLatencyMs = 0;
        double p95LatencyMs = 0;
        QList<QPointF> history;
        int firingAlerts = 0;
        bool hasMetrics = false;
        quint64 touched = 0; // serial of the last metadata or metrics update
    };

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_rooms.size()); }
    QStringList typeCodes() const { return m_typeCodes; }
    QStringList tagList() const { return m_tagList; }
    const Room &room(int row) const { return m_rooms.at(row); }
    int rowOf(const QString &roomId) const { return m_rowById.value(roomId, -1); }
    Q_INVOKABLE int rowOfCode(const QString &code) const;

    // A ROOM_METRICS message (docs/protocol.md): inserts the room if unknown, else updates it.
    void applyMetrics(const QJsonObject &message);
    // One room of the REST representation: inserts or updates code, name, type, status, tags,
    // capacity.
    void applyRoom(const QJsonObject &room);
    // The full REST list: every room in it applied; a room missing from it is removed unless it
    // was updated after `sinceSerial` (a room created while the list was on its way).
    void syncRooms(const QList<QJsonObject> &rooms, quint64 sinceSerial);
    // Firing alert events per room id (rooms not named have none).
    void setFiringAlerts(const QHash<QString, int> &firingByRoom);
    void removeRoom(const QString &roomId);

    // The current update serial: pass it to syncRooms for a list requested now.
    quint64 serial() const { return m_serial; }

    // Sums over the rooms (DashboardTotals).
    int totalOnline() const { return m_totalOnline; }
    int totalUsers() const { return m_totalUsers; }

Q_SIGNALS:
    void countChanged();
    void typeCodesChanged();
    void tagListChanged();
    // Any figure that DashboardTotals sums changed.
    void totalsChanged();

private:
    int insertRoom(Room room);
    void updateFromMetrics(Room &r, const QJsonObject &m, QList<int> &roles);
    void updateFromRoom(Room &r, const QJsonObject &o, QList<int> &roles);
    void changed(int row, const QList<int> &roles);
    void refreshChoices();
    void addTotals(const Room &room, int sign);

    QList<Room> m_rooms;
    QHash<QString, int> m_rowById;
    QStringList m_typeCodes;
    QStringList m_tagList;
    quint64 m_serial = 0;
    int m_totalOnline = 0;
    int m_totalUsers = 0;
};

} // namespace spidi::desktop
