#pragma once

#include "auth/principal.h"
#include "model/room.h"
#include "model/room_metrics.h"
#include "model/session.h"
#include "presence/room_presence.h"
#include "protocol/json_codec.h"
#include "protocol/messages.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <variant>

namespace spidi {

class Clock;
class HotStore;

struct PresenceSettings
{
    int heartbeatIntervalSec = 15;
    int sessionTimeoutSec = 45;
};

// Why a request was refused; maps 1:1 to an ERROR frame.
struct PresenceFailure
{
    protocol::ErrorCode code;
    QString message;
};

template <typename T>
using Outcome = std::variant<T, PresenceFailure>;

// Identifies the socket holding a session; 0 means none (closed, waiting to be resumed).
using ConnectionId = quint64;

// Whether this instance made a change (it writes history and tells the cluster) or learnt it
// from another instance (it only updates its view and its dashboards).
enum class EventOrigin { Local, Remote };

// The presence semantics (SPEC section 4.1 rules), independent of framing and transport: both
// the JSON and the STOMP framing call these methods. Single-threaded: call from the thread
// that owns the engine.
class PresenceEngine : public QObject
{
    Q_OBJECT
public:
    PresenceEngine(const Clock &clock, HotStore &store, PresenceSettings settings,
                   QObject *parent = nullptr);

    const PresenceSettings &settings() const { return m_settings; }
    qint64 nowMs() const;

    // Several instances, one service (SPEC 9): sessions this instance starts carry its id;
    // sessions of other instances are kept in the view too (so rosters and metrics cover the
    // whole cluster) but only their owner expires and writes them, unless `ownerAlive` says
    // the owner is gone (then they are orphans, see sweepOrphans()).
    void setInstanceId(const QString &instanceId) { m_instanceId = instanceId; }
    const QString &instanceId() const { return m_instanceId; }
    void setOwnerAlive(std::function<bool(const QString &instanceId)> ownerAlive);

    // Room directory (from SQL at start, then kept current by the REST layer).
    void loadRooms(const QList<Room> &rooms);
    void upsertRoom(const Room &room);
    // Deleted rooms end their sessions as KICKED.
    void removeRoom(const QString &roomId);
    const RoomPresence *roomById(const QString &roomId) const;
    const RoomPresence *roomByCode(const QString &tenantId, const QString &code) const;
    QList<const RoomPresence *> roomsOfTenant(const QString &tenantId) const;
    int roomCount() const { return int(m_rooms.size()); }
    QList<QString> roomIds() const { return m_rooms.keys(); }

    // Rebuilds the view from the hot store's sessions (after a restart with a durable store).
    void restoreSessions(const QList<SessionRecord> &sessions);

    Outcome<protocol::HelloAck> hello(const Principal &who, const protocol::Hello &hello,
                                      const QString &ip, ConnectionId connection);
    Outcome<qint64> heartbeat(const Principal &who, const protocol::Heartbeat &heartbeat,
                              ConnectionId connection); // -> server time
    Outcome<QString> leave(const Principal &who, const protocol::Leave &leave);
    // The socket closed: its sessions stay until the timeout (so they can be resumed), then end
    // as DISCONNECTED.
    void connectionClosed(ConnectionId connection);
    // Admin kick; false when the session is unknown in that tenant. A session held by another
    // live instance is handed to it (kickRequested) and ends when it reports the end.
    bool kick(const QString &tenantId, const QString &sessionId);
    // Ends expired (EXPIRED or DISCONNECTED) and over-TTL (TTL) sessions; returns how many.
    int sweep();
    // Ends every session this instance owns with `reason` (shutdown of a non-durable store).
    int endAll(SessionEndReason reason);
    // Ends the orphans (sessions whose owner is no longer alive) that are due: silent for the
    // session timeout (DISCONNECTED: their socket died with their instance) or over their
    // room's TTL. Cluster-wide work: only the leader calls it.
    int sweepOrphans();

    // What other instances report (see cluster/cluster_link.h). A session taken over by
    // another instance (its device resumed there) stops being this instance's.
    void applyRemoteSession(const SessionRecord &session, bool resumed);
    void applyRemoteHeartbeat(const QString &sessionId, qint64 lastHeartbeatAtMs, int latencyMs,
                              qint64 heartbeatCount, qint64 latencySamples, double latencySumMs);
    void applyRemoteEnd(const SessionRecord &session);
    // Everything `owner` holds: its sessions missing from `sessions` ended meanwhile.
    void applyRemoteSnapshot(const QString &owner, const QList<SessionRecord> &sessions);
    QList<SessionRecord> localSessions() const;
    // Sessions this instance holds (sessionCount() counts the whole cluster's).
    int localSessionCount() const;
    bool isLocal(const SessionRecord &session) const { return session.instanceId == m_instanceId; }

    const SessionRecord *session(const QString &sessionId) const;
    QList<SessionRecord> sessionsOfRoom(const QString &roomId) const;
    QList<SessionRecord> sessionsOfUser(const QString &tenantId, const QString &userId) const;
    RoomMetrics metrics(const QString &roomId) const;
    int sessionCount() const { return int(m_sessions.size()); }

Q_SIGNALS:
    void sessionStarted(const spidi::SessionRecord &session, spidi::EventOrigin origin);
    void sessionResumed(const spidi::SessionRecord &session, spidi::EventOrigin origin);
    void sessionHeartbeat(const spidi::SessionRecord &session, spidi::EventOrigin origin);
    // `session.endReason` says why; `connection` is the socket that held it (0 if none).
    void sessionEnded(const spidi::SessionRecord &session, spidi::ConnectionId connection,
                      spidi::EventOrigin origin);
    // An admin asked to kick a session that another instance holds.
    void kickRequested(const spidi::SessionRecord &session);
    // Room definition changed (status, capacity, name...) or room removed (`removed`).
    void roomChanged(const QString &roomId, bool removed);
    // A room left the directory (deleted here or on another instance); emitted before
    // roomChanged(id, true), with the room as it was.
    void roomRemoved(const spidi::Room &room);

private:
    struct LiveSession
    {
        SessionRecord record;
        ConnectionId connection = 0;
    };

    static QString roomKey(const QString &tenantId, const QString &code);
    LiveSession *ownedSession(const Principal &who, const QString &sessionId);
    // This instance decides for local sessions and for orphans.
    bool isResponsibleFor(const SessionRecord &session) const;
    void takeOver(LiveSession &live, ConnectionId connection);
    void endSession(const QString &sessionId, SessionEndReason reason,
                    EventOrigin origin = EventOrigin::Local);

    const Clock &m_clock;
    HotStore &m_store;
    PresenceSettings m_settings;
    QString m_instanceId;
    std::function<bool(const QString &)> m_ownerAlive;
    QHash<QString, RoomPresence> m_rooms;   // by room id
    QHash<QString, QString> m_roomIdByCode; // tenant + code -> room id
    QHash<QString, LiveSession> m_sessions; // by session id
    QHash<ConnectionId, QSet<QString>> m_sessionsByConnection;
};

} // namespace spidi
