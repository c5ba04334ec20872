#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace spidi {

enum class RoomStatus { Active, Maintenance, Closed };

QString toString(RoomStatus status);
std::optional<RoomStatus> roomStatusFromString(const QString &text);

// One row of tba_spd_room_type: defaults applied when a room is created without them.
struct RoomType
{
    QString code;
    QString name;
    QString description;
    int defaultCapacity = 0;
    int defaultTtlSec = 0;
};

struct Room
{
    QString id; // UUID, no braces
    QString tenantId;
    QString code;
    QString name;
    QString typeCode;
    RoomStatus status = RoomStatus::Active;
    int capacity = 0;
    int ttlSec = 0;
    QStringList tags;
    QVariantMap attributes; // string keys, string values (dat_spd_room_attr)
    qint64 version = 1;
    QDateTime createdAt;
    QDateTime updatedAt;
};

// The room's state as JSON: id, code, name, typeCode, status, capacity, ttlSec, tags,
// attributes (string values) and version. The REST representation adds its timestamps, the
// audit trail its tenant; both start from this so they can never disagree.
QJsonObject roomStateToJson(const Room &room);

} // namespace spidi
