#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QJsonObject>
#include <QString>

namespace spidi {

// One row of dat_spd_audit: who did what to which entity, with the state before and after.
struct AuditEntry
{
    QString tenantId;
    QString actor; // user id from the token
    QString action; // e.g. "room.create"
    QString entity; // e.g. "room"
    QString entityId;
    QJsonObject before; // empty for a create
    QJsonObject after;  // empty for a hard delete
};

// Writes the entry on the database's connection; call it inside the write's own transaction
// so an admin change and its audit row commit or fail together.
Status writeAudit(const Database &database, const AuditEntry &entry);

} // namespace spidi
