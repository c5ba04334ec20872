#include "room_list_model.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>

namespace spidi::desktop {

namespace {

// Assigns and records the role when the value changes.
template <typename T>
void assign(T &field, const T &value, int role, QList<int> &roles)
{
    if (field == value)
        return;
    field = value;
    roles.append(role);
}

QVariantList historyToVariant(const QList<QPointF> &history)
{
    QVariantList list;
    list.reserve(history.size());
    for (const QPointF &p : history)
        list.append(QVariant::fromValue(p));
    return list;
}

} // namespace

RoomListModel::RoomListModel(QObject *parent) : QAbstractListModel(parent) {}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Room &r = m_rooms.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return r.name.isEmpty() ? r.code : r.name;
    case RoomIdRole:
        return r.roomId;
    case CodeRole:
        return r.code;
    case TypeCodeRole:
        return r.typeCode;
    case StatusRole:
        return r.status;
    case TagsRole:
        return r.tags;
    case OnlineRole:
        return r.online;
    case UsersRole:
        return r.users;
    case PeakRole:
        return r.peak;
    case CapacityRole:
        return r.capacity;
    case CapacityPctRole:
        return r.capacityPct;
    case AvgLatencyMsRole:
        return r.avgLatencyMs;
    case P95LatencyMsRole:
        return r.p95LatencyMs;
    case HistoryRole:
        return historyToVariant(r.history);
    case FiringAlertsRole:
        return r.firingAlerts;
    case HasMetricsRole:
        return r.hasMetrics;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    return {{RoomIdRole, "roomId"},
            {CodeRole, "code"},
            {NameRole, "name"},
            {TypeCodeRole, "typeCode"},
            {StatusRole, "status"},
            {TagsRole, "tags"},
            {OnlineRole, "online"},
            {UsersRole, "users"},
            {PeakRole, "peak"},
            {CapacityRole, "capacity"},
            {CapacityPctRole, "capacityPct"},
            {AvgLatencyMsRole, "avgLatencyMs"},
            {P95LatencyMsRole, "p95LatencyMs"},
            {HistoryRole, "history"},
            {FiringAlertsRole, "firingAlerts"},
            {HasMetricsRole, "hasMetrics"}};
}

int RoomListModel::rowOfCode(const QString &code) const
{
    for (int i = 0; i < m_rooms.size(); ++i) {
        if (m_rooms.at(i).code == code)
            return i;
    }
    return -1;
}

int RoomListModel::insertRoom(Room room)
{
    const int row = int(m_rooms.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rowById.insert(room.roomId, row);
    m_rooms.append(std::move(room));
    endInsertRows();
    Q_EMIT countChanged();
    return row;
}

void RoomListModel::changed(int row, const QList<int> &roles)
{
    if (roles.isEmpty())
        return;
    const QModelIndex idx = index(row);
    Q_EMIT dataChanged(idx, idx, roles);
}

void RoomListModel::addTotals(const Room &room, int sign)
{
    m_totalOnline += sign * room.online;
    m_totalUsers += sign * room.users;
}

void RoomListModel::updateFromMetrics(Room &r, const QJsonObject &m, QList<int> &roles)
{
    assign(r.code, m.value(QLatin1String("roomCode")).toString(), int(CodeRole), roles);
    const QString status = m.value(QLatin1String("status")).toString();
    if (!status.isEmpty())
        assign(r.status, status, int(StatusRole), roles);
    assign(r.online, m.value(QLatin1String("online")).toInt(), int(OnlineRole), roles);
    assign(r.users, m.value(QLatin1String("users")).toInt(), int(UsersRole), roles);
    assign(r.peak, m.value(QLatin1String("peak")).toInt(), int(PeakRole), roles);
    assign(r.capacity, m.value(QLatin1String("capacity")).toInt(), int(CapacityRole), roles);
    assign(r.capacityPct, m.value(QLatin1String("capacityPct")).toDouble(), int(CapacityPctRole),
           roles);
    // Latencies are null until a device reported one: 0 then.
    assign(r.avgLatencyMs, m.value(QLatin1String("avgLatencyMs")).toDouble(), int(AvgLatencyMsRole),
           roles);
    assign(r.p95LatencyMs, m.value(QLatin1String("p95LatencyMs")).toDouble(), int(P95LatencyMsRole),
           roles);
    assign(r.hasMetrics, true, int(HasMetricsRole), roles);

    // Sparkline: one point per HistoryStepMs at most, at the message's server time.
    const qint64 ts = qint64(m.value(QLatin1String("ts")).toDouble());
    if (ts > 0 && (r.history.isEmpty() || ts - qint64(r.history.last().x()) >= HistoryStepMs)) {
        r.history.append(QPointF(double(ts), double(r.online)));
        while (ts - qint64(r.history.first().x()) > HistoryWindowMs)
            r.history.removeFirst();
        roles.append(HistoryRole);
    }
    r.touched = ++m_serial;
}

void RoomListModel::updateFromRoom(Room &r, const QJsonObject &o, QList<int> &roles)
{
    assign(r.code, o.value(QLatin1String("code")).toString(), int(CodeRole), roles);
    const QString name = o.value(QLatin1String("name")).toString();
    if (r.name != name) {
        r.name = name;
        roles << NameRole << Qt::DisplayRole;
    }
    assign(r.typeCode, o.value(QLatin1String("typeCode")).toString(), int(TypeCodeRole), roles);
    assign(r.status, o.value(QLatin1String("status")).toString(), int(StatusRole), roles);
    QStringList tags;
    const QJsonArray tagArray = o.value(QLatin1String("tags")).toArray();
    for (const QJsonValue &t : tagArray)
        tags.append(t.toString());
    assign(r.tags, tags, int(TagsRole), roles);
    // Metrics carry the live capacity too; REST fills it in until the first metrics arrive.
    if (!r.hasMetrics)
        assign(r.capacity, o.value(QLatin1String("capacity")).toInt(), int(CapacityRole), roles);
    r.touched = ++m_serial;
}

void RoomListModel::applyMetrics(const QJsonObject &m)
{
    const QString roomId = m.value(QLatin1String("roomId")).toString();
    if (roomId.isEmpty())
        return;
    QList<int> roles;
    const int row = m_rowById.value(roomId, -1);
    if (row < 0) {
        Room room;
        room.roomId = roomId;
        updateFromMetrics(room, m, roles);
        addTotals(room, +1);
        insertRoom(std::move(room));
        Q_EMIT totalsChanged();
        return;
    }
    Room &r = m_rooms[row];
    addTotals(r, -1);
    updateFromMetrics(r, m, roles);
    addTotals(r, +1);
    changed(row, roles);
    if (roles.contains(OnlineRole) || roles.contains(UsersRole))
        Q_EMIT totalsChanged();
}

void RoomListModel::applyRoom(const QJsonObject &o)
{
    const QString roomId = o.value(QLatin1String("id")).toString();
    if (roomId.isEmpty())
        return;
    QList<int> roles;
    const int row = m_rowById.value(roomId, -1);
    if (row < 0) {
        Room room;
        room.roomId = roomId;
        updateFromRoom(room, o, roles);
        insertRoom(std::move(room));
        Q_EMIT totalsChanged();
        refreshChoices();
        return;
    }
    updateFromRoom(m_rooms[row], o, roles);
    changed(row, roles);
    if (roles.contains(TypeCodeRole) || roles.contains(TagsRole))
        refreshChoices();
}

void RoomListModel::syncRooms(const QList<QJsonObject> &rooms, quint64 sinceSerial)
{
    QSet<QString> listed;
    for (const QJsonObject &o : rooms) {
        listed.insert(o.value(QLatin1String("id")).toString());
        applyRoom(o);
    }
    QStringList gone;
    for (const Room &r : std::as_const(m_rooms)) {
        if (!listed.contains(r.roomId) && r.touched <= sinceSerial)
            gone.append(r.roomId);
    }
    for (const QString &id : std::as_const(gone))
        removeRoom(id);
}

void RoomListModel::removeRoom(const QString &roomId)
{
    const int row = m_rowById.value(roomId, -1);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    addTotals(m_rooms.at(row), -1);
    m_rooms.removeAt(row);
    m_rowById.remove(roomId);
    for (int i = row; i < m_rooms.size(); ++i)
        m_rowById[m_rooms.at(i).roomId] = i;
    endRemoveRows();
    Q_EMIT countChanged();
    Q_EMIT totalsChanged();
    refreshChoices();
}

void RoomListModel::setFiringAlerts(const QHash<QString, int> &firingByRoom)
{
    for (int row = 0; row < m_rooms.size(); ++row) {
        QList<int> roles;
        assign(m_rooms[row].firingAlerts, firingByRoom.value(m_rooms.at(row).roomId),
               int(FiringAlertsRole), roles);
        changed(row, roles);
    }
}

void RoomListModel::refreshChoices()
{
    QSet<QString> types;
    QSet<QString> tags;
    for (const Room &r : std::as_const(m_rooms)) {
        if (!r.typeCode.isEmpty())
            types.insert(r.typeCode);
        for (const QString &t : r.tags)
            tags.insert(t);
    }
    QStringList typeList(types.begin(), types.end());
    QStringList tagList(tags.begin(), tags.end());
    std::sort(typeList.begin(), typeList.end());
    std::sort(tagList.begin(), tagList.end());
    if (typeList != m_typeCodes) {
        m_typeCodes = typeList;
        Q_EMIT typeCodesChanged();
    }
    if (tagList != m_tagList) {
        m_tagList = tagList;
        Q_EMIT tagListChanged();
    }
}

} // namespace spidi::desktop
