#pragma once

#include "core/result.h"
#include "db/database.h"
#include "model/session.h"

#include <QList>
#include <QString>
#include <QVariant>

namespace spidi {

// dat_spd_session: one row per session, upserted by id as the session starts, beats and ends.
// Used by the write-behind worker (on its own connection) and by history reads.
class SessionHistoryRepository
{
public:
    explicit SessionHistoryRepository(const Database &database);

    // Inserts or updates every record in one transaction; all or nothing. The latest state
    // wins, except that an end (ended_at, end_reason) once written is never cleared and
    // heartbeat counters never go backwards, so a late or replayed record cannot lose a leave.
    Status upsert(const QList<SessionRecord> &records);

    Result<SessionRecord> find(const QString &tenantId, const QString &sessionId) const;
    // Most recent first (by started_at).
    Result<QList<SessionRecord>> listForRoom(const QString &tenantId, const QString &roomId,
                                             int limit = 100) const;

    // Sessions of the room that were live at `atMs`: started at or before it and not ended
    // by then (open rows count as live). Oldest first.
    Result<QList<SessionRecord>> presentAt(const QString &tenantId, const QString &roomId,
                                           qint64 atMs) const;
    struct Page
    {
        QList<SessionRecord> records;
        qint64 total = 0;
    };
    // A user's sessions in every room of the tenant, newest first (by started_at).
    Result<Page> listForUser(const QString &tenantId, const QString &userId, int offset,
                             int limit) const;

    // Ends every session still open in history with `reason`, at its last sign of life
    // (last heartbeat, else start). For start-up with a store that does not survive restarts:
    // such rows belong to a process that died without flushing. Returns how many it closed.
    // upsert() and closeOpenSessions() span tenants: on PostgreSQL they run with the
    // row-level-security bypass (docs/schema.md); find() and listForRoom() are tenant-scoped.
    Result<int> closeOpenSessions(SessionEndReason reason);

private:
    // SELECT every column of the tenant's rows matching `condition` (with its ORDER/LIMIT).
    Result<QList<SessionRecord>> selectRecords(const QString &tenantId, const QString &condition,
                                               const QVariantList &binds,
                                               const QString &what) const;

    Database m_db;
};

} // namespace spidi
