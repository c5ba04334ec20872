#pragma once

#include "core/result.h"
#include "model/session.h"

#include <QObject>

#include <functional>

namespace spidi {

// Where live presence is kept so it outlives one process and is shared between instances
// (SPEC sections 6 and 9). The presence engine keeps its own in-memory view for decisions and
// writes through to the store; nothing here may block the event loop, so writes are
// fire-and-forget (failures are counted and reported through health()) and reads complete
// through a callback, possibly later.
class HotStore : public QObject
{
    Q_OBJECT
public:
    struct Health
    {
        bool ok = true;
        QString backend; // "memory", "redis"
        QString detail;  // why it is not ok
        qint64 errors = 0;
        qint64 reconnects = 0; // connections re-established after a loss
    };

    using SessionsCallback = std::function<void(Result<QList<SessionRecord>>)>;

    using QObject::QObject;
    ~HotStore() override = default;

    // Create or replace a live session (session:{id} and room:{roomId}:online).
    virtual void putSession(const SessionRecord &session) = 0;
    // A heartbeat: new last-heartbeat time and latency, TTL refreshed.
    virtual void touchSession(const SessionRecord &session) = 0;
    virtual void removeSession(const SessionRecord &session) = 0;
    // Another instance took the session over or ended it: stop writing it, delete nothing.
    virtual void forgetSession(const QString &sessionId) = 0;
    virtual void setRoomPeak(const QString &roomId, int peak) = 0;
    // Every live session, e.g. to rebuild the engine's view at start.
    virtual void loadSessions(SessionsCallback done) = 0;
    virtual Health health() const = 0;
    // Whether sessions survive this process (false for the in-process store: a shutdown must
    // then end them, or history would keep them open forever).
    virtual bool survivesRestart() const = 0;
    // Shutdown only (may block up to timeoutMs): push writes still buffered to the backend.
    virtual void drain(int timeoutMs) { Q_UNUSED(timeoutMs) }
};

} // namespace spidi
