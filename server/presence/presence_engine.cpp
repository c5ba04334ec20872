#include "presence_engine.h"

#include "logging/json_log_handler.h"
#include "logging/log_categories.h"
#include "presence/clock.h"
#include "store/hot_store.h"

#include <QUuid>

namespace spidi {

using protocol::ErrorCode;

PresenceEngine::PresenceEngine(const Clock &clock, HotStore &store, PresenceSettings settings,
                               QObject *parent)
    : QObject(parent), m_clock(clock), m_store(store), m_settings(settings)
{}

qint64 PresenceEngine::nowMs() const
{
    return m_clock.nowMs();
}

void PresenceEngine::setOwnerAlive(std::function<bool(const QString &)> ownerAlive)
{
    m_ownerAlive = std::move(ownerAlive);
}

bool PresenceEngine::isResponsibleFor(const SessionRecord &session) const
{
    if (isLocal(session))
        return true;
    return !m_ownerAlive || !m_ownerAlive(session.instanceId);
}

void PresenceEngine::takeOver(LiveSession &live, ConnectionId connection)
{
    if (live.connection != connection) {
        if (auto previous = m_sessionsByConnection.find(live.connection);
            previous != m_sessionsByConnection.end()) {
            previous->remove(live.record.id);
            if (previous->isEmpty())
                m_sessionsByConnection.erase(previous);
        }
        live.connection = connection;
        m_sessionsByConnection[connection].insert(live.record.id);
    }
    if (!isLocal(live.record)) {
        logEvent(lcPresence(), QtInfoMsg, "session.taken_over",
                 {{"session_id", live.record.id},
                  {"room_id", live.record.roomId},
                  {"from_instance", live.record.instanceId}});
        live.record.instanceId = m_instanceId;
    }
}

QString PresenceEngine::roomKey(const QString &tenantId, const QString &code)
{
    return tenantId + QChar(u'\x1f') + code;
}

void PresenceEngine::loadRooms(const QList<Room> &rooms)
{
    for (const Room &room : rooms)
        upsertRoom(room);
}

void PresenceEngine::upsertRoom(const Room &room)
{
    auto it = m_rooms.find(room.id);
    if (it == m_rooms.end()) {
        m_rooms.insert(room.id, RoomPresence(room));
        m_roomIdByCode.insert(roomKey(room.tenantId, room.code), room.id);
        Q_EMIT roomChanged(room.id, false);
        return;
    }
    const Room previous = it->room();
    if (previous.code != room.code || previous.tenantId != room.tenantId) {
        m_roomIdByCode.remove(roomKey(previous.tenantId, previous.code));
        m_roomIdByCode.insert(roomKey(room.tenantId, room.code), room.id);
    }
    it->setRoom(room);
    // A closed room has nobody in it; maintenance only refuses new joins.
    if (room.status == RoomStatus::Closed && previous.status != RoomStatus::Closed) {
        const QSet<QString> ids = it->sessionIds();
        for (const QString &id : ids)
            if (isResponsibleFor(m_sessions.value(id).record))
                endSession(id, SessionEndReason::Kicked);
    }
    Q_EMIT roomChanged(room.id, false);
}

void PresenceEngine::removeRoom(const QString &roomId)
{
    auto it = m_rooms.find(roomId);
    if (it == m_rooms.end())
        return;
    // Sessions other live instances hold end there (they learn of the removal too); here they
    // leave the view with the room.
    const QSet<QString> ids = it->sessionIds();
    for (const QString &id : ids)
        endSession(id, SessionEndReason::Kicked,
                   isResponsibleFor(m_sessions.value(id).record) ? EventOrigin::Local
                                                                 : EventOrigin::Remote);
    it = m_rooms.find(roomId);
    const Room removed = it->room();
    m_roomIdByCode.remove(roomKey(removed.tenantId, removed.code));
    m_rooms.erase(it);
    Q_EMIT roomRemoved(removed);
    Q_EMIT roomChanged(roomId, true);
}

const RoomPresence *PresenceEngine::roomById(const QString &roomId) const
{
    auto it = m_rooms.constFind(roomId);
    return it == m_rooms.cend() ? nullptr : &it.value();
}

const RoomPresence *PresenceEngine::roomByCode(const QString &tenantId, const QString &code) const
{
    return roomById(m_roomIdByCode.value(roomKey(tenantId, code)));
}

QList<const RoomPresence *> PresenceEngine::roomsOfTenant(const QString &tenantId) const
{
    QList<const RoomPresence *> result;
    for (const RoomPresence &room : m_rooms) {
        if (room.room().tenantId == tenantId)
            result.append(&room);
    }
    std::sort(result.begin(), result.end(), [](const RoomPresence *a, const RoomPresence *b) {
        return a->room().code < b->room().code;
    });
    return result;
}

void PresenceEngine::restoreSessions(const QList<SessionRecord> &sessions)
{
    for (const SessionRecord &s : sessions) {
        auto room = m_rooms.find(s.roomId);
        if (room == m_rooms.end() || m_sessions.contains(s.id))
            continue;
        m_sessions.insert(s.id, LiveSession{s, 0});
        room->add(s);
    }
}

Outcome<protocol::HelloAck> PresenceEngine::hello(const Principal &who,
                                                  const protocol::Hello &hello, const QString &ip,
                                                  ConnectionId connection)
{
    if (!who.canJoin())
        return PresenceFailure{ErrorCode::Forbidden,
                               QStringLiteral("joining a room needs spidi:user")};
    auto roomIt = m_rooms.find(m_roomIdByCode.value(roomKey(who.tenantId, hello.roomCode)));
    if (roomIt == m_rooms.end())
        return PresenceFailure{ErrorCode::RoomNotFound,
                               QStringLiteral("room '%1' does not exist").arg(hello.roomCode)};
    RoomPresence &room = roomIt.value();
    if (room.room().status != RoomStatus::Active)
        return PresenceFailure{
            ErrorCode::RoomInactive,
            QStringLiteral("room '%1' is %2").arg(hello.roomCode, toString(room.room().status))};

    const qint64 now = nowMs();
    protocol::HelloAck ack;
    ack.roomId = room.room().id;
    ack.roomCode = room.room().code;
    ack.heartbeatIntervalSec = m_settings.heartbeatIntervalSec;
    ack.timeoutSec = m_settings.sessionTimeoutSec;
    ack.serverTimeMs = now;

    if (!hello.resumeSessionId.isEmpty()) {
        LiveSession *live = ownedSession(who, hello.resumeSessionId);
        if (live && live->record.roomId == room.room().id) {
            takeOver(*live, connection);
            live->record.lastHeartbeatAtMs = now;
            live->record.ip = ip;
            live->record.appVersion = hello.appVersion;
            m_store.putSession(live->record);
            ack.sessionId = live->record.id;
            ack.resumed = true;
            logEvent(lcPresence(), QtInfoMsg, "session.resumed",
                     {{"session_id", live->record.id},
                      {"room_id", ack.roomId},
                      {"user_id", who.userId},
                      {"tenant_id", who.tenantId}});
            Q_EMIT sessionResumed(live->record, EventOrigin::Local);
            return ack;
        }
        // Unknown, expired, or not this user's: a new session, as if no resume was asked.
    }

    if (room.isFull())
        return PresenceFailure{ErrorCode::RoomFull,
                               QStringLiteral("room '%1' is at its capacity of %2")
                                   .arg(hello.roomCode)
                                   .arg(room.room().capacity)};

    SessionRecord s;
    s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    s.tenantId = who.tenantId;
    s.roomId = room.room().id;
    s.roomCode = room.room().code;
    s.userId = who.userId;
    s.clientId = hello.clientId;
    s.device = hello.device;
    s.os = hello.os;
    s.appVersion = hello.appVersion;
    s.ip = ip;
    s.instanceId = m_instanceId;
    s.connectedAtMs = now;
    s.lastHeartbeatAtMs = now;

    const int peakBefore = room.peak();
    room.add(s);
    m_sessions.insert(s.id, LiveSession{s, connection});
    m_sessionsByConnection[connection].insert(s.id);
    m_store.putSession(s);
    if (room.peak() != peakBefore)
        m_store.setRoomPeak(s.roomId, room.peak());
    ack.sessionId = s.id;
    logEvent(lcPresence(), QtInfoMsg, "session.started",
             {{"session_id", s.id},
              {"room_id", s.roomId},
              {"user_id", s.userId},
              {"tenant_id", s.tenantId},
              {"client_id", s.clientId},
              {"ip", s.ip}});
    Q_EMIT sessionStarted(s, EventOrigin::Local);
    return ack;
}

PresenceEngine::LiveSession *PresenceEngine::ownedSession(const Principal &who,
                                                          const QString &sessionId)
{
    auto it = m_sessions.find(sessionId);
    // Another user's session is reported exactly like an unknown one: nothing leaks.
    if (it == m_sessions.end() || it->record.tenantId != who.tenantId ||
        it->record.userId != who.userId)
        return nullptr;
    return &it.value();
}

Outcome<qint64> PresenceEngine::heartbeat(const Principal &who,
                                          const protocol::Heartbeat &heartbeat,
                                          ConnectionId connection)
{
    if (!who.canJoin())
        return PresenceFailure{ErrorCode::Forbidden, QStringLiteral("heartbeats need spidi:user")};
    LiveSession *live = ownedSession(who, heartbeat.sessionId);
    if (!live)
        return PresenceFailure{ErrorCode::SessionNotFound,
                               QStringLiteral("no live session '%1'").arg(heartbeat.sessionId)};
    const qint64 now = nowMs();
    SessionRecord &r = live->record;
    r.lastHeartbeatAtMs = now;
    ++r.heartbeatCount;
    if (heartbeat.latencyMs) {
        r.latencyMs = *heartbeat.latencyMs;
        ++r.latencySamples;
        r.latencySumMs += *heartbeat.latencyMs;
    }
    // A heartbeat on a new socket (or on another instance) re-attaches the session to it.
    const bool wasLocal = isLocal(r);
    takeOver(*live, connection);
    if (wasLocal) {
        m_store.touchSession(r);
    } else {
        m_store.putSession(r);
        Q_EMIT sessionResumed(r, EventOrigin::Local);
    }
    Q_EMIT sessionHeartbeat(r, EventOrigin::Local);
    return now;
}

Outcome<QString> PresenceEngine::leave(const Principal &who, const protocol::Leave &leave)
{
    if (!who.canJoin())
        return PresenceFailure{ErrorCode::Forbidden, QStringLiteral("leaving needs spidi:user")};
    if (!ownedSession(who, leave.sessionId))
        return PresenceFailure{ErrorCode::SessionNotFound,
                               QStringLiteral("no live session '%1'").arg(leave.sessionId)};
    endSession(leave.sessionId, SessionEndReason::Left);
    return leave.sessionId;
}

void PresenceEngine::connectionClosed(ConnectionId connection)
{
    const QSet<QString> ids = m_sessionsByConnection.take(connection);
    for (const QString &id : ids) {
        auto it = m_sessions.find(id);
        if (it != m_sessions.end() && it->connection == connection)
            it->connection = 0;
    }
}

bool PresenceEngine::kick(const QString &tenantId, const QString &sessionId)
{
    auto it = m_sessions.constFind(sessionId);
    if (it == m_sessions.cend() || it->record.tenantId != tenantId)
        return false;
    if (!isResponsibleFor(it->record)) {
        Q_EMIT kickRequested(it->record);
        return true;
    }
    endSession(sessionId, SessionEndReason::Kicked);
    return true;
}

int PresenceEngine::sweep()
{
    const qint64 now = nowMs();
    const qint64 timeoutMs = qint64(m_settings.sessionTimeoutSec) * 1000;
    QList<QPair<QString, SessionEndReason>> ending;
    for (const LiveSession &live : std::as_const(m_sessions)) {
        const SessionRecord &r = live.record;
        if (!isLocal(r))
            continue;
        if (now - r.lastHeartbeatAtMs >= timeoutMs) {
            ending.append({r.id, live.connection == 0 ? SessionEndReason::Disconnected
                                                      : SessionEndReason::Expired});
            continue;
        }
        const RoomPresence *room = roomById(r.roomId);
        if (room && room->room().ttlSec > 0 &&
            now - r.connectedAtMs >= qint64(room->room().ttlSec) * 1000)
            ending.append({r.id, SessionEndReason::Ttl});
    }
    for (const auto &[id, reason] : ending)
        endSession(id, reason);
    return int(ending.size());
}

int PresenceEngine::endAll(SessionEndReason reason)
{
    const QList<SessionRecord> local = localSessions();
    for (const SessionRecord &s : local)
        endSession(s.id, reason);
    return int(local.size());
}

int PresenceEngine::sweepOrphans()
{
    const qint64 now = nowMs();
    const qint64 timeoutMs = qint64(m_settings.sessionTimeoutSec) * 1000;
    QList<QPair<QString, SessionEndReason>> ending;
    for (const LiveSession &live : std::as_const(m_sessions)) {
        const SessionRecord &r = live.record;
        if (isLocal(r) || !isResponsibleFor(r))
            continue;
        const RoomPresence *room = roomById(r.roomId);
        if (now - r.lastHeartbeatAtMs >= timeoutMs)
            ending.append({r.id, SessionEndReason::Disconnected});
        else if (room && room->room().ttlSec > 0 &&
                 now - r.connectedAtMs >= qint64(room->room().ttlSec) * 1000)
            ending.append({r.id, SessionEndReason::Ttl});
    }
    for (const auto &[id, reason] : ending) {
        logEvent(lcPresence(), QtInfoMsg, "session.orphan_ended",
                 {{"session_id", id},
                  {"owner", m_sessions.value(id).record.instanceId},
                  {"reason", toString(reason)}});
        endSession(id, reason);
    }
    return int(ending.size());
}

void PresenceEngine::applyRemoteSession(const SessionRecord &session, bool resumed)
{
    if (session.instanceId == m_instanceId)
        return; // our own event, echoed
    auto room = m_rooms.find(session.roomId);
    if (room == m_rooms.end())
        return; // a room this instance has not loaded yet: the room event brings it
    auto it = m_sessions.find(session.id);
    if (it == m_sessions.end()) {
        const int peakBefore = room->peak();
        room->add(session);
        m_sessions.insert(session.id, LiveSession{session, 0});
        if (room->peak() != peakBefore)
            m_store.setRoomPeak(session.roomId, room->peak());
        Q_EMIT sessionStarted(session, EventOrigin::Remote);
        return;
    }
    if (isLocal(it->record)) {
        // Only an explicit resume moves a session away: a snapshot may predate our takeover.
        if (!resumed)
            return;
        // The device moved to another instance: its socket here (if any) is stale.
        logEvent(lcPresence(), QtInfoMsg, "session.moved",
                 {{"session_id", session.id}, {"to_instance", session.instanceId}});
        if (auto conn = m_sessionsByConnection.find(it->connection);
            conn != m_sessionsByConnection.end()) {
            conn->remove(session.id);
            if (conn->isEmpty())
                m_sessionsByConnection.erase(conn);
        }
        it->connection = 0;
        m_store.forgetSession(session.id);
    }
    it->record = session;
    if (resumed)
        Q_EMIT sessionResumed(session, EventOrigin::Remote);
    else
        Q_EMIT sessionHeartbeat(session, EventOrigin::Remote);
}

void PresenceEngine::applyRemoteHeartbeat(const QString &sessionId, qint64 lastHeartbeatAtMs,
                                          int latencyMs, qint64 heartbeatCount,
                                          qint64 latencySamples, double latencySumMs)
{
    auto it = m_sessions.find(sessionId);
    // Unknown (ended, or started before we listened: the next snapshot brings it), ours, or
    // older than what we have: nothing to do.
    if (it == m_sessions.end() || isLocal(it->record) || heartbeatCount < it->record.heartbeatCount)
        return;
    SessionRecord &r = it->record;
    r.lastHeartbeatAtMs = qMax(r.lastHeartbeatAtMs, lastHeartbeatAtMs);
    r.latencyMs = latencyMs;
    r.heartbeatCount = heartbeatCount;
    r.latencySamples = latencySamples;
    r.latencySumMs = latencySumMs;
    Q_EMIT sessionHeartbeat(r, EventOrigin::Remote);
}

void PresenceEngine::applyRemoteEnd(const SessionRecord &session)
{
    auto it = m_sessions.find(session.id);
    if (it == m_sessions.end())
        return;
    // The instance that ended it wrote history and told everyone; here it only leaves the view
    // (also when it was ours: whoever ended it thought our instance was gone).
    const SessionEndReason reason = session.endReason.value_or(SessionEndReason::Disconnected);
    it->record.endedAtMs = session.endedAtMs;
    endSession(session.id, reason, EventOrigin::Remote);
}

void PresenceEngine::applyRemoteSnapshot(const QString &owner, const QList<SessionRecord> &sessions)
{
    if (owner == m_instanceId)
        return;
    QSet<QString> present;
    for (const SessionRecord &s : sessions) {
        if (s.instanceId != owner)
            continue;
        present.insert(s.id);
        applyRemoteSession(s, false);
    }
    QList<QString> gone;
    for (const LiveSession &live : std::as_const(m_sessions))
        if (live.record.instanceId == owner && !present.contains(live.record.id))
            gone.append(live.record.id);
    for (const QString &id : gone)
        endSession(id, SessionEndReason::Disconnected, EventOrigin::Remote);
}

int PresenceEngine::localSessionCount() const
{
    return int(std::count_if(m_sessions.cbegin(), m_sessions.cend(),
                             [this](const LiveSession &live) { return isLocal(live.record); }));
}

QList<SessionRecord> PresenceEngine::localSessions() const
{
    QList<SessionRecord> result;
    for (const LiveSession &live : m_sessions)
        if (isLocal(live.record))
            result.append(live.record);
    return result;
}

void PresenceEngine::endSession(const QString &sessionId, SessionEndReason reason,
                                EventOrigin origin)
{
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return;
    LiveSession live = std::move(it.value());
    m_sessions.erase(it);
    if (origin == EventOrigin::Local || live.record.endedAtMs == 0)
        live.record.endedAtMs = nowMs();
    live.record.endReason = reason;
    if (auto room = m_rooms.find(live.record.roomId); room != m_rooms.end())
        room->remove(live.record);
    if (auto conn = m_sessionsByConnection.find(live.connection);
        conn != m_sessionsByConnection.end()) {
        conn->remove(sessionId);
        if (conn->isEmpty())
            m_sessionsByConnection.erase(conn);
    }
    if (origin == EventOrigin::Local)
        m_store.removeSession(live.record);
    else
        m_store.forgetSession(sessionId);
    logEvent(lcPresence(), QtInfoMsg, "session.ended",
             {{"session_id", sessionId},
              {"room_id", live.record.roomId},
              {"user_id", live.record.userId},
              {"tenant_id", live.record.tenantId},
              {"reason", toString(reason)},
              {"heartbeats", live.record.heartbeatCount},
              {"origin",
               origin == EventOrigin::Local ? QStringLiteral("local") : QStringLiteral("remote")}});
    Q_EMIT sessionEnded(live.record, live.connection, origin);
}

const SessionRecord *PresenceEngine::session(const QString &sessionId) const
{
    auto it = m_sessions.constFind(sessionId);
    return it == m_sessions.cend() ? nullptr : &it->record;
}

QList<SessionRecord> PresenceEngine::sessionsOfRoom(const QString &roomId) const
{
    QList<SessionRecord> result;
    if (const RoomPresence *room = roomById(roomId)) {
        result.reserve(room->online());
        for (const QString &id : room->sessionIds())
            result.append(m_sessions.value(id).record);
    }
    return result;
}

QList<SessionRecord> PresenceEngine::sessionsOfUser(const QString &tenantId,
                                                    const QString &userId) const
{
    QList<SessionRecord> result;
    for (const LiveSession &live : m_sessions) {
        if (live.record.tenantId == tenantId && live.record.userId == userId)
            result.append(live.record);
    }
    return result;
}

RoomMetrics PresenceEngine::metrics(const QString &roomId) const
{
    const RoomPresence *room = roomById(roomId);
    if (!room)
        return {};
    return room->metrics(
        nowMs(), [this](const QString &id) -> const SessionRecord * { return session(id); });
}

} // namespace spidi
