#pragma once

#include "core/result.h"
#include "db/room_repository.h"
#include "model/room.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVariantMap>

#include <optional>

// Rooms and room types to and from the JSON of the REST API (SPEC section 5, docs/rest-api.md).
namespace spidi::rest {

// ISO-8601 UTC with milliseconds ("2024-05-01T12:34:56.789Z"); null for an invalid time.
QJsonValue toJsonTime(const QDateTime &time);

// {id, code, name, typeCode, status, capacity, ttlSec, tags, attributes, version, createdAt,
// updatedAt}. The tenant is not part of the representation: it is implied by the token.
QJsonObject roomToJson(const Room &room);
// {code, name, description, defaultCapacity, defaultTtlSec}
QJsonObject roomTypeToJson(const RoomType &type);
// Attribute map (string → string) as a JSON object.
QJsonObject attributesToJson(const QVariantMap &attributes);

// A request body that must be exactly one JSON object. Empty, malformed or non-object bodies
// are an Invalid error without a field (→ 400).
Result<QJsonObject> parseJsonObject(const QByteArray &body);

// "a string", "null", "an array" … for messages about a field of the wrong JSON type.
QString jsonTypeName(const QJsonValue &value);
// Invalid naming `field`: "<field> must be <expected>, not <the JSON type of value>".
Error wrongType(const QString &field, const QString &expected, const QJsonValue &value);

enum class DraftKind {
    Create, // POST /rooms: code, name, typeCode, status, capacity, ttlSec, tags, attributes
    Update, // PUT /rooms/{id}: the same plus version; read-only id/createdAt/updatedAt are ignored
};

// Strict parsing of a room body: a field the kind does not know is Invalid naming that field
// (→ 422), a field of the wrong JSON type (null included) is Invalid naming the field. Value
// rules (code pattern, capacity > 0, known type, …) are checked by the RoomRepository.
Result<RoomDraft> roomDraftFromJson(const QJsonObject &object, DraftKind kind);

// An object of string → string. fieldPrefix is prepended to the key in the error's field
// (e.g. "attributes." for the attributes member of a room body, "" for a bare attribute body).
Result<QVariantMap> attributesFromJson(const QJsonObject &object, const QString &fieldPrefix);

// Body of POST /rooms/{id}/maintenance: {"enabled": bool, "version"?: int}.
struct MaintenanceRequest
{
    bool enabled = false;
    std::optional<qint64> version;
};
Result<MaintenanceRequest> maintenanceFromJson(const QJsonObject &object);

} // namespace spidi::rest
