#include "roster_model.h"

#include <QJsonArray>

#include <algorithm>

namespace spidi::desktop {

namespace {

double latencyOf(const QJsonValue &v)
{
    return v.isDouble() ? v.toDouble() : -1;
}

} // namespace

RosterModel::RosterModel(QObject *parent) : QAbstractListModel(parent) {}

int RosterModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sessions.size());
}

QVariant RosterModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= m_sessions.size())
        return {};
    const Session &s = m_sessions.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case SessionIdRole:
        return s.sessionId;
    case UserIdRole:
        return s.userId;
    case ClientIdRole:
        return s.clientId;
    case DeviceRole:
        return s.device;
    case OsRole:
        return s.os;
    case AppVersionRole:
        return s.appVersion;
    case IpRole:
        return s.ip;
    case LatencyMsRole:
        return s.latencyMs;
    case ConnectedAtRole:
        return s.connectedAt;
    case LastHeartbeatAtRole:
        return s.lastHeartbeatAt;
    default:
        return {};
    }
}

QHash<int, QByteArray> RosterModel::roleNames() const
{
    return {{SessionIdRole, "sessionId"},
            {UserIdRole, "userId"},
            {ClientIdRole, "clientId"},
            {DeviceRole, "device"},
            {OsRole, "os"},
            {AppVersionRole, "appVersion"},
            {IpRole, "ip"},
            {LatencyMsRole, "latencyMs"},
            {ConnectedAtRole, "connectedAt"},
            {LastHeartbeatAtRole, "lastHeartbeatAt"}};
}

RosterModel::Session RosterModel::sessionFrom(const QJsonObject &o, const QString &userId)
{
    Session s;
    s.sessionId = o.value(QLatin1String("sessionId")).toString();
    s.userId = userId.isEmpty() ? o.value(QLatin1String("userId")).toString() : userId;
    s.clientId = o.value(QLatin1String("clientId")).toString();
    s.device = o.value(QLatin1String("device")).toString();
    s.os = o.value(QLatin1String("os")).toString();
    s.appVersion = o.value(QLatin1String("appVersion")).toString();
    s.ip = o.value(QLatin1String("ip")).toString();
    s.latencyMs = latencyOf(o.value(QLatin1String("latencyMs")));
    s.connectedAt = o.value(QLatin1String("connectedAt")).toDouble();
    s.lastHeartbeatAt = o.value(QLatin1String("lastHeartbeatAt")).toDouble();
    return s;
}

void RosterModel::tally(const Session &s, int sign)
{
    for (auto [hash, key] :
         {std::pair{&m_osCounts, &s.os}, std::pair{&m_appCounts, &s.appVersion}}) {
        int &n = (*hash)[*key];
        n += sign;
        if (n <= 0)
            hash->remove(*key);
    }
}

void RosterModel::applySnapshot(const QJsonObject &message)
{
    QList<Session> sessions;
    const QJsonArray users = message.value(QLatin1String("users")).toArray();
    for (const QJsonValue &u : users) {
        const QJsonObject user = u.toObject();
        const QString userId = user.value(QLatin1String("userId")).toString();
        const QJsonArray list = user.value(QLatin1String("sessions")).toArray();
        for (const QJsonValue &v : list)
            sessions.append(sessionFrom(v.toObject(), userId));
    }
    const int before = count();
    beginResetModel();
    m_sessions.clear();
    m_rowById.clear();
    m_osCounts.clear();
    m_appCounts.clear();
    m_sessions.reserve(sessions.size());
    for (Session &s : sessions) {
        if (s.sessionId.isEmpty() || m_rowById.contains(s.sessionId))
            continue;
        m_rowById.insert(s.sessionId, int(m_sessions.size()));
        tally(s, +1);
        m_sessions.append(std::move(s));
    }
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
    Q_EMIT breakdownChanged();
}

void RosterModel::clear()
{
    if (m_sessions.isEmpty())
        return;
    beginResetModel();
    m_sessions.clear();
    m_rowById.clear();
    m_osCounts.clear();
    m_appCounts.clear();
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT breakdownChanged();
}

void RosterModel::upsert(const Session &s, bool &breakdown)
{
    const int row = rowOf(s.sessionId);
    if (row < 0) {
        const int at = int(m_sessions.size());
        beginInsertRows({}, at, at);
        m_sessions.append(s);
        m_rowById.insert(s.sessionId, at);
        tally(s, +1);
        endInsertRows();
        breakdown = true;
        return;
    }
    // A resumed session: replace the entry, naming only the roles that changed.
    Session &old = m_sessions[row];
    QList<int> roles;
    auto set = [&roles](auto &field, const auto &value, int role) {
        if (field != value) {
            field = value;
            roles.append(role);
        }
    };
    if (old.os != s.os || old.appVersion != s.appVersion) {
        tally(old, -1);
        tally(s, +1);
        breakdown = true;
    }
    set(old.userId, s.userId, UserIdRole);
    set(old.clientId, s.clientId, ClientIdRole);
    set(old.device, s.device, DeviceRole);
    set(old.os, s.os, OsRole);
    set(old.appVersion, s.appVersion, AppVersionRole);
    set(old.ip, s.ip, IpRole);
    set(old.latencyMs, s.latencyMs, LatencyMsRole);
    set(old.connectedAt, s.connectedAt, ConnectedAtRole);
    set(old.lastHeartbeatAt, s.lastHeartbeatAt, LastHeartbeatAtRole);
    if (!roles.isEmpty())
        Q_EMIT dataChanged(index(row), index(row), roles);
}

void RosterModel::reindexFrom(int row)
{
    for (int i = row; i < m_sessions.size(); ++i)
        m_rowById[m_sessions.at(i).sessionId] = i;
}

void RosterModel::applyDiff(const QJsonObject &message)
{
    const int before = count();
    bool breakdown = false;

    const QJsonArray joins = message.value(QLatin1String("joins")).toArray();
    for (const QJsonValue &v : joins) {
        const Session s = sessionFrom(v.toObject(), QString());
        if (!s.sessionId.isEmpty())
            upsert(s, breakdown);
    }

    // Leaves: rows removed from the bottom up, contiguous rows in one removal, and the index
    // rebuilt once from the first row removed.
    const QJsonArray leaves = message.value(QLatin1String("leaves")).toArray();
    QList<int> rows;
    rows.reserve(leaves.size());
    for (const QJsonValue &v : leaves) {
        const int row = rowOf(v.toString());
        if (row >= 0)
            rows.append(row);
    }
    if (!rows.isEmpty()) {
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        qsizetype i = 0;
        while (i < rows.size()) {
            const int last = rows.at(i);
            int first = last;
            while (i + 1 < rows.size() && rows.at(i + 1) == first - 1)
                first = rows.at(++i);
            ++i;
            beginRemoveRows({}, first, last);
            for (int r = first; r <= last; ++r) {
                tally(m_sessions.at(r), -1);
                m_rowById.remove(m_sessions.at(r).sessionId);
            }
            m_sessions.remove(first, last - first + 1);
            endRemoveRows();
        }
        reindexFrom(rows.constLast());
        breakdown = true;
    }

    const QJsonArray updates = message.value(QLatin1String("updates")).toArray();
    for (const QJsonValue &v : updates) {
        const QJsonObject u = v.toObject();
        const int row = rowOf(u.value(QLatin1String("sessionId")).toString());
        if (row < 0)
            continue;
        Session &s = m_sessions[row];
        QList<int> roles;
        if (u.contains(QLatin1String("latencyMs"))) {
            const double latency = latencyOf(u.value(QLatin1String("latencyMs")));
            if (latency != s.latencyMs) {
                s.latencyMs = latency;
                roles.append(LatencyMsRole);
            }
        }
        if (u.contains(QLatin1String("lastHeartbeatAt"))) {
            const double at = u.value(QLatin1String("lastHeartbeatAt")).toDouble();
            if (at != s.lastHeartbeatAt) {
                s.lastHeartbeatAt = at;
                roles.append(LastHeartbeatAtRole);
            }
        }
        if (!roles.isEmpty())
            Q_EMIT dataChanged(index(row), index(row), roles);
    }

    if (before != count())
        Q_EMIT countChanged();
    if (breakdown)
        Q_EMIT breakdownChanged();
}

} // namespace spidi::desktop
