#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QJsonObject>
#include <QList>

namespace spidi::desktop {

// The live roster of one room (topic room/CODE/roster, docs/protocol.md): one row per session.
// A list model with one role per column (not a QAbstractTableModel): the page shows it in a
// ListView with a header row, each delegate reading its roles by name, and RosterFilterModel
// sorts by whichever role the header picked. Filled by ROOM_ROSTER (the only reset), then
// updated incrementally by ROOM_ROSTER_DIFF: a join inserts or (same sessionId, a resumed
// session) replaces, a leave removes, an update is a dataChanged naming only the roles that
// changed. Rows are indexed by sessionId, so an update costs O(1) and a diff's leaves cost one
// pass over the rows after the first one removed.
class RosterModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role {
        SessionIdRole = Qt::UserRole + 1,
        UserIdRole,
        ClientIdRole,
        DeviceRole,
        OsRole,
        AppVersionRole,
        IpRole,
        LatencyMsRole,       // -1 until the session reported one
        ConnectedAtRole,     // ms since epoch
        LastHeartbeatAtRole, // ms since epoch
    };
    Q_ENUM(Role)

    struct Session
    {
        QString sessionId;
        QString userId;
        QString clientId;
        QString device;
        QString os;
        QString appVersion;
        QString ip;
        double latencyMs = -1;
        double connectedAt = 0;
        double lastHeartbeatAt = 0;
    };

    explicit RosterModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_sessions.size()); }
    const Session &session(int row) const { return m_sessions.at(row); }
    int rowOf(const QString &sessionId) const { return m_rowById.value(sessionId, -1); }

    // A ROOM_ROSTER message: replaces everything (one model reset).
    Q_INVOKABLE void applySnapshot(const QJsonObject &message);
    // A ROOM_ROSTER_DIFF message: joins, then leaves, then updates, incrementally.
    Q_INVOKABLE void applyDiff(const QJsonObject &message);
    // Empties the model (the page closed or the room changed).
    void clear();

    // Sessions per OS and per app version (FleetBreakdown); empty values count as "".
    const QHash<QString, int> &osCounts() const { return m_osCounts; }
    const QHash<QString, int> &appCounts() const { return m_appCounts; }

    static Session sessionFrom(const QJsonObject &o, const QString &userId);

Q_SIGNALS:
    void countChanged();
    // osCounts or appCounts changed.
    void breakdownChanged();

private:
    void upsert(const Session &s, bool &breakdown);
    void tally(const Session &s, int sign);
    void reindexFrom(int row);

    QList<Session> m_sessions;
    QHash<QString, int> m_rowById;
    QHash<QString, int> m_osCounts;
    QHash<QString, int> m_appCounts;
};

} // namespace spidi::desktop
