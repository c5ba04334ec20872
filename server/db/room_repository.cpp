#include "db/room_repository.h"

#include "db/audit_log.h"
#include "db/sql_dialect.h"
#include "db/sql_support.h"
#include "logging/log_categories.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

namespace spidi {

namespace {

const QString kRoomColumns =
    QStringLiteral("id, tenant_id, code, name, type_code, status, capacity, ttl_sec, tags, "
                   "version, created_at, updated_at");

constexpr int kMaxNameLength = 200;
constexpr int kMaxTags = 32;
constexpr int kMaxTagLength = 64;
constexpr int kMaxAttributes = 100;
constexpr int kMaxAttributeKeyLength = 128;
constexpr int kMaxAttributeValueLength = 4096;
constexpr int kMaxPageSize = 500;
// Stay far below SQLite's bound-variable limit when loading attributes for a page.
constexpr qsizetype kAttributeChunk = 400;

Error invalid(const QString &field, const QString &message)
{
    return makeError(ErrorKind::Invalid, message, field);
}

Error notFound(const QString &idOrCode)
{
    return makeError(ErrorKind::NotFound, QStringLiteral("room '%1' not found").arg(idOrCode));
}

const QRegularExpression &codePattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Z0-9][A-Z0-9_-]{1,63}$"));
    return pattern;
}

std::optional<QString> normalizedUuid(const QString &text)
{
    const QUuid uuid = QUuid::fromString(text);
    if (uuid.isNull())
        return std::nullopt;
    return uuid.toString(QUuid::WithoutBraces);
}

QString tagsToJson(const QStringList &tags)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(tags)).toJson(QJsonDocument::Compact));
}

QStringList tagsFromJson(const QString &text, const QString &roomId)
{
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8());
    if (!document.isArray()) {
        qCWarning(lcDb).noquote() << "room.tags_unreadable: room_id=" << roomId << "tags=" << text;
        return {};
    }
    QStringList tags;
    for (const QJsonValue &value : document.array())
        tags.append(value.toString());
    return tags;
}

Room roomFromRow(const QSqlQuery &query)
{
    Room room;
    room.id = sql::fromDbId(query.value(0));
    room.tenantId = query.value(1).toString();
    room.code = query.value(2).toString();
    room.name = query.value(3).toString();
    room.typeCode = query.value(4).toString();
    const QString status = query.value(5).toString();
    if (auto parsed = roomStatusFromString(status))
        room.status = *parsed;
    else
        qCWarning(lcDb).noquote() << "room.status_unknown: room_id=" << room.id
                                  << "status=" << status;
    room.capacity = query.value(6).toInt();
    room.ttlSec = query.value(7).toInt();
    room.tags = tagsFromJson(query.value(8).toString(), room.id);
    room.version = query.value(9).toLongLong();
    room.createdAt = sql::fromDbTime(query.value(10));
    room.updatedAt = sql::fromDbTime(query.value(11));
    return room;
}

QJsonObject snapshot(const Room &room)
{
    QJsonObject state = roomStateToJson(room);
    state.insert(QStringLiteral("tenantId"), room.tenantId);
    return state;
}

bool sameState(const Room &a, const Room &b)
{
    return a.name == b.name && a.typeCode == b.typeCode && a.status == b.status &&
           a.capacity == b.capacity && a.ttlSec == b.ttlSec && a.tags == b.tags &&
           a.attributes == b.attributes;
}

Result<QString> normalizedName(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > kMaxNameLength)
        return invalid(QStringLiteral("name"),
                       QStringLiteral("name must be 1 to %1 characters").arg(kMaxNameLength));
    return trimmed;
}

Result<QStringList> normalizedTags(const QStringList &tags)
{
    QStringList result;
    QSet<QString> seen;
    for (const QString &tag : tags) {
        const QString trimmed = tag.trimmed();
        if (trimmed.isEmpty() || trimmed.size() > kMaxTagLength)
            return invalid(
                QStringLiteral("tags"),
                QStringLiteral("each tag must be 1 to %1 characters").arg(kMaxTagLength));
        if (!seen.contains(trimmed)) {
            seen.insert(trimmed);
            result.append(trimmed);
        }
    }
    if (result.size() > kMaxTags)
        return invalid(QStringLiteral("tags"),
                       QStringLiteral("a room has at most %1 tags").arg(kMaxTags));
    return result;
}

Status validateAttributes(const QVariantMap &attributes)
{
    const QString field = QStringLiteral("attributes");
    if (attributes.size() > kMaxAttributes)
        return invalid(field,
                       QStringLiteral("a room has at most %1 attributes").arg(kMaxAttributes));
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it) {
        if (it.key().trimmed().isEmpty() || it.key().size() > kMaxAttributeKeyLength)
            return invalid(field, QStringLiteral("attribute keys must be 1 to %1 characters")
                                      .arg(kMaxAttributeKeyLength));
        if (it.value().typeId() != QMetaType::QString)
            return invalid(field,
                           QStringLiteral("attribute '%1' must have a string value").arg(it.key()));
        if (it.value().toString().size() > kMaxAttributeValueLength)
            return invalid(field, QStringLiteral("attribute '%1' is longer than %2 characters")
                                      .arg(it.key())
                                      .arg(kMaxAttributeValueLength));
    }
    return Ok{};
}

Status validateLimits(std::optional<int> capacity, std::optional<int> ttlSec)
{
    if (capacity && *capacity <= 0)
        return invalid(QStringLiteral("capacity"),
                       QStringLiteral("capacity must be greater than 0"));
    if (ttlSec && *ttlSec <= 0)
        return invalid(QStringLiteral("ttlSec"), QStringLiteral("ttlSec must be greater than 0"));
    return Ok{};
}

// Applies the fields present in the draft to room, validating each.
Status applyDraft(Room &room, const RoomDraft &draft)
{
    if (draft.name) {
        auto name = normalizedName(*draft.name);
        if (!name)
            return name.error();
        room.name = name.value();
    }
    if (draft.typeCode)
        room.typeCode = *draft.typeCode;
    if (draft.status)
        room.status = *draft.status;
    if (auto limits = validateLimits(draft.capacity, draft.ttlSec); !limits)
        return limits;
    if (draft.capacity)
        room.capacity = *draft.capacity;
    if (draft.ttlSec)
        room.ttlSec = *draft.ttlSec;
    if (draft.tags) {
        auto tags = normalizedTags(*draft.tags);
        if (!tags)
            return tags.error();
        room.tags = tags.value();
    }
    if (draft.attributes) {
        if (auto valid = validateAttributes(*draft.attributes); !valid)
            return valid;
        room.attributes = *draft.attributes;
    }
    return Ok{};
}

// The pattern must be lowered exactly like the column: SQLite's built-in lower() folds only
// ASCII letters (a full Unicode toLower() here made "Ökonomie" miss a room named "Ökonomie"),
// PostgreSQL's lower() folds every letter.
QString lowerLikeDatabase(const QString &text, SqlDialect dialect)
{
    if (dialect == SqlDialect::Postgresql)
        return text.toLower();
    QString lowered = text;
    for (QChar &c : lowered) {
        if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            c = QChar(c.unicode() + ('a' - 'A'));
    }
    return lowered;
}

QString likePattern(const QString &text, SqlDialect dialect)
{
    QString escaped = lowerLikeDatabase(text, dialect);
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

Error staleVersion(const Room &current, qint64 expected)
{
    return makeError(ErrorKind::Conflict,
                     QStringLiteral("room %1 is at version %2; the request was based on version %3")
                         .arg(current.code)
                         .arg(current.version)
                         .arg(expected),
                     QStringLiteral("version"));
}

} // namespace

RoomRepository::RoomRepository(const Database &database) : m_db(database) {}

Result<QList<RoomType>> RoomRepository::roomTypes() const
{
    QSqlQuery query(m_db.handle());
    if (!query.exec(QStringLiteral("SELECT code, name, description, default_capacity, "
                                   "default_ttl_sec FROM tba_spd_room_type ORDER BY code")))
        return sql::queryError(query, m_db.dialect(), QStringLiteral("listing room types"));
    QList<RoomType> types;
    while (query.next())
        types.append(RoomType{query.value(0).toString(), query.value(1).toString(),
                              query.value(2).toString(), query.value(3).toInt(),
                              query.value(4).toInt()});
    return types;
}

Result<RoomType> RoomRepository::roomType(const QString &code) const
{
    QSqlQuery query(m_db.handle());
    query.prepare(QStringLiteral("SELECT code, name, description, default_capacity, "
                                 "default_ttl_sec FROM tba_spd_room_type WHERE code = ?"));
    query.addBindValue(code);
    if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("reading room type")); !done)
        return done.error();
    if (!query.next())
        return makeError(ErrorKind::NotFound, QStringLiteral("unknown room type '%1'").arg(code),
                         QStringLiteral("typeCode"));
    return RoomType{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                    query.value(3).toInt(), query.value(4).toInt()};
}

Result<Room> RoomRepository::create(const Actor &actor, const RoomDraft &draft)
{
    if (actor.tenantId.isEmpty())
        return invalid(QStringLiteral("tenant"), QStringLiteral("the caller has no tenant"));
    if (!draft.code || draft.code->isEmpty())
        return invalid(QStringLiteral("code"), QStringLiteral("code is required"));
    if (!codePattern().match(*draft.code).hasMatch())
        return invalid(QStringLiteral("code"),
                       QStringLiteral("code must be 2 to 64 characters of A-Z, 0-9, '_' and '-', "
                                      "starting with a letter or digit"));
    if (!draft.name)
        return invalid(QStringLiteral("name"), QStringLiteral("name is required"));
    if (!draft.typeCode || draft.typeCode->isEmpty())
        return invalid(QStringLiteral("typeCode"), QStringLiteral("typeCode is required"));

    Room room;
    room.tenantId = actor.tenantId;
    room.code = *draft.code;
    if (auto applied = applyDraft(room, draft); !applied)
        return applied.error();

    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();

    auto type = roomType(room.typeCode);
    if (!type) {
        if (type.error().kind == ErrorKind::NotFound)
            return invalid(QStringLiteral("typeCode"),
                           QStringLiteral("unknown room type '%1'").arg(room.typeCode));
        return type.error();
    }
    auto existing = findBy(actor.tenantId, QStringLiteral("code"), room.code);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return makeError(ErrorKind::Conflict,
                         QStringLiteral("a room with code %1 already exists").arg(room.code),
                         QStringLiteral("code"));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    room.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    room.capacity = draft.capacity.value_or(type->defaultCapacity);
    room.ttlSec = draft.ttlSec.value_or(type->defaultTtlSec);
    room.version = 1;
    room.createdAt = now;
    room.updatedAt = now;

    QSqlQuery insert(m_db.handle());
    insert.prepare(QStringLiteral(
        "INSERT INTO dat_spd_room (id, tenant_id, code, name, type_code, status, capacity, "
        "ttl_sec, tags, version, created_at, updated_at, created_by, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &value :
         {QVariant(room.id), QVariant(room.tenantId), QVariant(room.code), QVariant(room.name),
          QVariant(room.typeCode), QVariant(toString(room.status)), QVariant(room.capacity),
          QVariant(room.ttlSec), QVariant(tagsToJson(room.tags)), QVariant(room.version),
          sql::toDbTime(now, m_db.dialect()), sql::toDbTime(now, m_db.dialect()),
          QVariant(actor.userId), QVariant(actor.userId)})
        insert.addBindValue(value);
    if (!insert.exec()) {
        if (sql::isUniqueViolation(insert.lastError(), m_db.dialect()))
            return makeError(ErrorKind::Conflict,
                             QStringLiteral("a room with code %1 already exists").arg(room.code),
                             QStringLiteral("code"));
        return sql::queryError(insert, m_db.dialect(), QStringLiteral("inserting room"));
    }
    if (auto written = writeAttributes(room, now); !written)
        return written.error();
    if (auto audited = writeAudit(m_db, AuditEntry{room.tenantId,
                                                   actor.userId,
                                                   QStringLiteral("room.create"),
                                                   QStringLiteral("room"),
                                                   room.id,
                                                   {},
                                                   snapshot(room)});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();

    qCInfo(lcDb).noquote() << "room.created: room_id=" << room.id << "code=" << room.code
                           << "tenant_id=" << room.tenantId << "user_id=" << actor.userId;
    return room;
}

Result<Room> RoomRepository::find(const QString &tenantId, const QString &idOrCode) const
{
    if (tenantId.isEmpty() || idOrCode.isEmpty())
        return notFound(idOrCode);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();
    auto room = findLive(tenantId, idOrCode);
    if (!room)
        return room.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return room;
}

Result<RoomPage> RoomRepository::list(const QString &tenantId, const RoomFilter &filter) const
{
    if (filter.offset < 0)
        return invalid(QStringLiteral("offset"), QStringLiteral("offset must not be negative"));
    if (filter.limit < 1 || filter.limit > kMaxPageSize)
        return invalid(QStringLiteral("limit"),
                       QStringLiteral("limit must be between 1 and %1").arg(kMaxPageSize));

    QString where = QStringLiteral("tenant_id = :tenant AND deleted_at IS NULL");
    QList<QPair<QString, QVariant>> binds = {{QStringLiteral(":tenant"), tenantId}};
    if (filter.status) {
        where += QStringLiteral(" AND status = :status");
        binds.append({QStringLiteral(":status"), toString(*filter.status)});
    }
    if (!filter.typeCode.isEmpty()) {
        where += QStringLiteral(" AND type_code = :type");
        binds.append({QStringLiteral(":type"), filter.typeCode});
    }
    if (!filter.tag.isEmpty()) {
        where +=
            QStringLiteral(" AND ") +
            sql::jsonArrayContains(m_db.dialect(), QStringLiteral("tags"), QStringLiteral(":tag"));
        binds.append({QStringLiteral(":tag"), filter.tag});
    }
    if (!filter.q.isEmpty()) {
        // lower() on both sides instead of ILIKE/COLLATE NOCASE: the same SQL in both dialects.
        where += QStringLiteral(" AND (lower(code) LIKE :q1 ESCAPE '\\' OR lower(name) LIKE :q2 "
                                "ESCAPE '\\')");
        binds.append({QStringLiteral(":q1"), likePattern(filter.q, m_db.dialect())});
        binds.append({QStringLiteral(":q2"), likePattern(filter.q, m_db.dialect())});
    }

    if (tenantId.isEmpty())
        return RoomPage{};
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(tenantId); !begun)
        return begun.error();

    RoomPage page;
    QSqlQuery count(m_db.handle());
    count.prepare(QStringLiteral("SELECT COUNT(*) FROM dat_spd_room WHERE ") + where);
    for (const auto &[name, value] : binds)
        count.bindValue(name, value);
    if (auto done = sql::exec(count, m_db.dialect(), QStringLiteral("counting rooms")); !done)
        return done.error();
    page.total = count.next() ? count.value(0).toLongLong() : 0;

    QSqlQuery select(m_db.handle());
    select.prepare(QStringLiteral("SELECT ") + kRoomColumns +
                   QStringLiteral(" FROM dat_spd_room WHERE ") + where +
                   QStringLiteral(" ORDER BY code, id LIMIT :limit OFFSET :offset"));
    for (const auto &[name, value] : binds)
        select.bindValue(name, value);
    select.bindValue(QStringLiteral(":limit"), filter.limit);
    select.bindValue(QStringLiteral(":offset"), filter.offset);
    if (auto done = sql::exec(select, m_db.dialect(), QStringLiteral("listing rooms")); !done)
        return done.error();
    while (select.next())
        page.items.append(roomFromRow(select));
    if (auto loaded = loadAttributes(page.items); !loaded)
        return loaded.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return page;
}

Result<Room> RoomRepository::update(const Actor &actor, const QString &idOrCode,
                                    const RoomDraft &draft, std::optional<qint64> expectedVersion)
{
    if (expectedVersion && draft.version && *expectedVersion != *draft.version)
        return invalid(QStringLiteral("version"),
                       QStringLiteral("If-Match version %1 and body version %2 disagree")
                           .arg(*expectedVersion)
                           .arg(*draft.version));
    const std::optional<qint64> version = expectedVersion ? expectedVersion : draft.version;
    if (!version)
        return invalid(QStringLiteral("version"),
                       QStringLiteral("a version is required (body field \"version\" or an "
                                      "If-Match header) so that concurrent edits are detected"));
    if (draft.code && !draft.code->isEmpty() && !codePattern().match(*draft.code).hasMatch())
        return invalid(QStringLiteral("code"), QStringLiteral("code is not a valid room code"));

    return mutate(
        actor, idOrCode, version, QStringLiteral("room.update"),
        [this, &draft](const Room &current) -> Result<Room> {
            if (draft.code && *draft.code != current.code)
                return invalid(QStringLiteral("code"),
                               QStringLiteral("code cannot be changed (room %1); create "
                                              "a new room instead")
                                   .arg(current.code));
            Room next = current;
            if (auto applied = applyDraft(next, draft); !applied)
                return applied.error();
            if (next.typeCode != current.typeCode) {
                auto type = roomType(next.typeCode);
                if (!type)
                    return type.error().kind == ErrorKind::NotFound
                               ? invalid(
                                     QStringLiteral("typeCode"),
                                     QStringLiteral("unknown room type '%1'").arg(next.typeCode))
                               : type.error();
            }
            return next;
        });
}

Result<Room> RoomRepository::setMaintenance(const Actor &actor, const QString &idOrCode,
                                            bool enabled, std::optional<qint64> expectedVersion)
{
    return mutate(actor, idOrCode, expectedVersion,
                  enabled ? QStringLiteral("room.maintenance.on")
                          : QStringLiteral("room.maintenance.off"),
                  [enabled](const Room &current) -> Result<Room> {
                      Room next = current;
                      next.status = enabled ? RoomStatus::Maintenance : RoomStatus::Active;
                      return next;
                  });
}

Result<QVariantMap> RoomRepository::attributes(const QString &tenantId,
                                               const QString &idOrCode) const
{
    auto room = find(tenantId, idOrCode);
    if (!room)
        return room.error();
    return room->attributes;
}

Result<Room> RoomRepository::replaceAttributes(const Actor &actor, const QString &idOrCode,
                                               const QVariantMap &attributes,
                                               std::optional<qint64> expectedVersion)
{
    if (auto valid = validateAttributes(attributes); !valid)
        return valid.error();
    return mutate(actor, idOrCode, expectedVersion, QStringLiteral("room.attributes"),
                  [&attributes](const Room &current) -> Result<Room> {
                      Room next = current;
                      next.attributes = attributes;
                      return next;
                  });
}

Result<Room> RoomRepository::softDelete(const Actor &actor, const QString &idOrCode,
                                        std::optional<qint64> expectedVersion)
{
    if (actor.tenantId.isEmpty() || idOrCode.isEmpty())
        return notFound(idOrCode);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    auto current = findLive(actor.tenantId, idOrCode);
    if (!current)
        return current.error();
    if (expectedVersion && *expectedVersion != current->version)
        return staleVersion(current.value(), *expectedVersion);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSqlQuery query(m_db.handle());
    query.prepare(
        QStringLiteral("UPDATE dat_spd_room SET deleted_at = ?, updated_at = ?, updated_by = ?, "
                       "version = version + 1 WHERE id = ? AND tenant_id = ? AND version = ? AND "
                       "deleted_at IS NULL"));
    query.addBindValue(sql::toDbTime(now, m_db.dialect()));
    query.addBindValue(sql::toDbTime(now, m_db.dialect()));
    query.addBindValue(actor.userId);
    query.addBindValue(current->id);
    query.addBindValue(actor.tenantId);
    query.addBindValue(current->version);
    if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("deleting room")); !done)
        return done.error();
    if (query.numRowsAffected() != 1)
        return makeError(
            ErrorKind::Conflict,
            QStringLiteral("room %1 changed while it was being deleted").arg(current->code),
            QStringLiteral("version"));

    Room deleted = current.value();
    deleted.version += 1;
    deleted.updatedAt = now;
    QJsonObject after = snapshot(deleted);
    after.insert(QStringLiteral("deletedAt"), now.toString(Qt::ISODateWithMs));
    if (auto audited = writeAudit(
            m_db, AuditEntry{deleted.tenantId, actor.userId, QStringLiteral("room.delete"),
                             QStringLiteral("room"), deleted.id, snapshot(current.value()), after});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    qCInfo(lcDb).noquote() << "room.deleted: room_id=" << deleted.id << "code=" << deleted.code
                           << "tenant_id=" << deleted.tenantId << "user_id=" << actor.userId;
    return deleted;
}

Result<QList<Room>> RoomRepository::allLiveRooms() const
{
    // Cross-tenant by design (the room directory of every tenant), hence the deliberate bypass.
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginCrossTenant(QStringLiteral("presence start-up room load"));
        !begun)
        return begun.error();
    QSqlQuery query(m_db.handle());
    if (!query.exec(QStringLiteral("SELECT ") + kRoomColumns +
                    QStringLiteral(" FROM dat_spd_room WHERE deleted_at IS NULL "
                                   "ORDER BY tenant_id, code")))
        return sql::queryError(query, m_db.dialect(), QStringLiteral("loading all live rooms"));
    QList<Room> rooms;
    while (query.next())
        rooms.append(roomFromRow(query));
    if (auto loaded = loadAttributes(rooms); !loaded)
        return loaded.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return rooms;
}

Result<Room> RoomRepository::mutate(const Actor &actor, const QString &idOrCode,
                                    std::optional<qint64> expectedVersion, const QString &action,
                                    const Change &change)
{
    if (actor.tenantId.isEmpty() || idOrCode.isEmpty())
        return notFound(idOrCode);
    sql::Transaction transaction(m_db);
    if (auto begun = transaction.beginForTenant(actor.tenantId); !begun)
        return begun.error();
    auto current = findLive(actor.tenantId, idOrCode);
    if (!current)
        return current.error();
    if (expectedVersion && *expectedVersion != current->version)
        return staleVersion(current.value(), *expectedVersion);
    auto changed = change(current.value());
    if (!changed)
        return changed.error();
    Room next = changed.value();
    if (sameState(current.value(), next))
        return current; // nothing to write: no version bump, nothing to audit

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSqlQuery query(m_db.handle());
    // The version in WHERE makes the check-then-write atomic even across server instances.
    query.prepare(QStringLiteral(
        "UPDATE dat_spd_room SET name = ?, type_code = ?, status = ?, capacity = ?, ttl_sec = ?, "
        "tags = ?, version = version + 1, updated_at = ?, updated_by = ? "
        "WHERE id = ? AND tenant_id = ? AND version = ? AND deleted_at IS NULL"));
    for (const QVariant &value :
         {QVariant(next.name), QVariant(next.typeCode), QVariant(toString(next.status)),
          QVariant(next.capacity), QVariant(next.ttlSec), QVariant(tagsToJson(next.tags)),
          sql::toDbTime(now, m_db.dialect()), QVariant(actor.userId), QVariant(current->id),
          QVariant(actor.tenantId), QVariant(current->version)})
        query.addBindValue(value);
    if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("updating room")); !done)
        return done.error();
    if (query.numRowsAffected() != 1)
        return makeError(
            ErrorKind::Conflict,
            QStringLiteral("room %1 was changed concurrently; reload it").arg(current->code),
            QStringLiteral("version"));
    if (next.attributes != current->attributes) {
        if (auto written = writeAttributes(next, now); !written)
            return written.error();
    }
    next.version = current->version + 1;
    next.updatedAt = now;
    if (auto audited =
            writeAudit(m_db, AuditEntry{next.tenantId, actor.userId, action, QStringLiteral("room"),
                                        next.id, snapshot(current.value()), snapshot(next)});
        !audited)
        return audited.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    qCInfo(lcDb).noquote() << "room.updated: action=" << action << "room_id=" << next.id
                           << "code=" << next.code << "version=" << next.version
                           << "tenant_id=" << next.tenantId << "user_id=" << actor.userId;
    return next;
}

Result<Room> RoomRepository::findLive(const QString &tenantId, const QString &idOrCode) const
{
    if (tenantId.isEmpty() || idOrCode.isEmpty())
        return notFound(idOrCode);
    if (const auto id = normalizedUuid(idOrCode)) {
        auto byId = findBy(tenantId, QStringLiteral("id"), *id);
        if (!byId)
            return byId.error();
        if (byId->has_value())
            return byId->value();
    }
    auto byCode = findBy(tenantId, QStringLiteral("code"), idOrCode);
    if (!byCode)
        return byCode.error();
    if (!byCode->has_value())
        return notFound(idOrCode);
    return byCode->value();
}

Result<std::optional<Room>> RoomRepository::findBy(const QString &tenantId, const QString &column,
                                                   const QString &value) const
{
    QSqlQuery query(m_db.handle());
    // column is one of two constants of this file, never client input.
    query.prepare(QStringLiteral("SELECT ") + kRoomColumns +
                  QStringLiteral(" FROM dat_spd_room WHERE tenant_id = ? AND deleted_at IS NULL "
                                 "AND ") +
                  column + QStringLiteral(" = ?"));
    query.addBindValue(tenantId);
    query.addBindValue(value);
    if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("finding room")); !done)
        return done.error();
    if (!query.next())
        return std::optional<Room>{};
    QList<Room> rooms{roomFromRow(query)};
    if (auto loaded = loadAttributes(rooms); !loaded)
        return loaded.error();
    return std::optional<Room>{rooms.first()};
}

Status RoomRepository::loadAttributes(QList<Room> &rooms) const
{
    QHash<QString, qsizetype> indexById;
    for (qsizetype i = 0; i < rooms.size(); ++i)
        indexById.insert(rooms.at(i).id, i);
    for (qsizetype start = 0; start < rooms.size(); start += kAttributeChunk) {
        const qsizetype count = std::min(kAttributeChunk, rooms.size() - start);
        QStringList placeholders(count, QStringLiteral("?"));
        QSqlQuery query(m_db.handle());
        query.prepare(QStringLiteral("SELECT room_id, attr_key, attr_value FROM dat_spd_room_attr "
                                     "WHERE room_id IN (") +
                      placeholders.join(QLatin1Char(',')) + QStringLiteral(")"));
        for (qsizetype i = start; i < start + count; ++i)
            query.addBindValue(rooms.at(i).id);
        if (auto done = sql::exec(query, m_db.dialect(), QStringLiteral("loading room attributes"));
            !done)
            return done;
        while (query.next()) {
            const auto it = indexById.constFind(sql::fromDbId(query.value(0)));
            if (it != indexById.constEnd())
                rooms[*it].attributes.insert(query.value(1).toString(), query.value(2).toString());
        }
    }
    return Ok{};
}

Status RoomRepository::writeAttributes(const Room &room, const QDateTime &now)
{
    QSqlQuery remove(m_db.handle());
    remove.prepare(QStringLiteral("DELETE FROM dat_spd_room_attr WHERE room_id = ?"));
    remove.addBindValue(room.id);
    if (auto done = sql::exec(remove, m_db.dialect(), QStringLiteral("clearing room attributes"));
        !done)
        return done;
    if (room.attributes.isEmpty())
        return Ok{};
    QSqlQuery insert(m_db.handle());
    if (auto prepared = sql::prepare(
            insert,
            QStringLiteral(
                "INSERT INTO dat_spd_room_attr (room_id, attr_key, attr_value, tenant_id, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
            m_db.dialect(), QStringLiteral("preparing the attribute insert"));
        !prepared)
        return prepared;
    for (auto it = room.attributes.constBegin(); it != room.attributes.constEnd(); ++it) {
        insert.bindValue(0, room.id);
        insert.bindValue(1, it.key());
        insert.bindValue(2, it.value().toString());
        insert.bindValue(3, room.tenantId);
        insert.bindValue(4, sql::toDbTime(now, m_db.dialect()));
        insert.bindValue(5, sql::toDbTime(now, m_db.dialect()));
        if (auto done = sql::exec(insert, m_db.dialect(), QStringLiteral("writing room attribute"));
            !done)
            return done;
    }
    return Ok{};
}

} // namespace spidi
