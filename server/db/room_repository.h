#pragma once

#include "auth/principal.h"
#include "core/result.h"
#include "db/database.h"
#include "model/room.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <functional>
#include <optional>

namespace spidi {

// Who performs a write; every write is audited under this user and confined to this tenant.
struct Actor
{
    QString userId;
    QString tenantId;

    static Actor fromPrincipal(const Principal &principal)
    {
        return Actor{principal.userId, principal.tenantId};
    }
};

// The editable fields of a room as a client sent them; a missing field is std::nullopt.
// create() needs code, name and typeCode, and takes capacity and ttlSec from the room type
// when absent. update() replaces only the fields present; code cannot change.
struct RoomDraft
{
    std::optional<QString> code;
    std::optional<QString> name;
    std::optional<QString> typeCode;
    std::optional<RoomStatus> status;
    std::optional<int> capacity;
    std::optional<int> ttlSec;
    std::optional<QStringList> tags;
    std::optional<QVariantMap> attributes; // string values only
    std::optional<qint64> version;         // the version the client last saw (update only)
};

struct RoomFilter
{
    std::optional<RoomStatus> status;
    QString typeCode; // exact, empty = any
    QString tag;      // rooms carrying this tag, empty = any
    QString q;        // case-insensitive substring of code or name, empty = any
    int offset = 0;
    int limit = 50;
};

struct RoomPage
{
    QList<Room> items;
    qint64 total = 0; // rooms matching the filter, ignoring offset/limit
};

// Rooms, their attributes and the room-type catalogue (tba_spd_room_type, dat_spd_room,
// dat_spd_room_attr). Synchronous, on the connection of the thread that uses it (the main
// thread for REST). Every query is confined to one tenant: another tenant's room is NotFound;
// on PostgreSQL each operation is also a transaction scoped to the tenant for row-level security.
// Every write runs in one transaction together with its dat_spd_audit row.
//
// idOrCode: a UUID is looked up as an id first, then as a code; anything else is a code.
// Errors: Invalid with field (422) for bad input, NotFound, Conflict (field "code" for a
// duplicate code, field "version" for a stale version), Unavailable/Internal for SQL failures.
class RoomRepository
{
public:
    explicit RoomRepository(const Database &database);

    Result<QList<RoomType>> roomTypes() const;
    Result<RoomType> roomType(const QString &code) const;

    Result<Room> create(const Actor &actor, const RoomDraft &draft);
    Result<Room> find(const QString &tenantId, const QString &idOrCode) const;
    Result<RoomPage> list(const QString &tenantId, const RoomFilter &filter) const;

    // A version is required: expectedVersion (If-Match) or draft.version; when both are given
    // they must agree. A stale version is a Conflict whose message names the current version.
    Result<Room> update(const Actor &actor, const QString &idOrCode, const RoomDraft &draft,
                        std::optional<qint64> expectedVersion);
    // MAINTENANCE when enabled, else ACTIVE. Setting the status the room already has changes
    // nothing (no version bump, no audit row).
    Result<Room> setMaintenance(const Actor &actor, const QString &idOrCode, bool enabled,
                                std::optional<qint64> expectedVersion = std::nullopt);
    Result<QVariantMap> attributes(const QString &tenantId, const QString &idOrCode) const;
    // Replaces all attributes; bumps the room's version.
    Result<Room> replaceAttributes(const Actor &actor, const QString &idOrCode,
                                   const QVariantMap &attributes,
                                   std::optional<qint64> expectedVersion = std::nullopt);
    // Sets deleted_at (the code becomes free again) and returns the room as it was deleted.
    Result<Room> softDelete(const Actor &actor, const QString &idOrCode,
                            std::optional<qint64> expectedVersion = std::nullopt);

    // Every live (not deleted) room of every tenant, with attributes; the presence engine's
    // room directory at start-up. The one cross-tenant read: on PostgreSQL it runs with the
    // row-level-security bypass (docs/schema.md, "Row-level security"); never call it for a
    // request.
    Result<QList<Room>> allLiveRooms() const;

private:
    // Computes the new state from the current one, or refuses with an Error.
    using Change = std::function<Result<Room>(const Room &current)>;
    Result<Room> mutate(const Actor &actor, const QString &idOrCode,
                        std::optional<qint64> expectedVersion, const QString &action,
                        const Change &change);
    Result<Room> findLive(const QString &tenantId, const QString &idOrCode) const;
    Result<std::optional<Room>> findBy(const QString &tenantId, const QString &column,
                                       const QString &value) const;
    Status loadAttributes(QList<Room> &rooms) const;
    Status writeAttributes(const Room &room, const QDateTime &now);

    Database m_db;
};

} // namespace spidi
