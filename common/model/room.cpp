#include "room.h"

#include <QJsonArray>

namespace spidi {

QString toString(RoomStatus status)
{
    switch (status) {
    case RoomStatus::Active:
        return QStringLiteral("ACTIVE");
    case RoomStatus::Maintenance:
        return QStringLiteral("MAINTENANCE");
    case RoomStatus::Closed:
        return QStringLiteral("CLOSED");
    }
    return QStringLiteral("ACTIVE");
}

std::optional<RoomStatus> roomStatusFromString(const QString &text)
{
    if (text == QLatin1String("ACTIVE"))
        return RoomStatus::Active;
    if (text == QLatin1String("MAINTENANCE"))
        return RoomStatus::Maintenance;
    if (text == QLatin1String("CLOSED"))
        return RoomStatus::Closed;
    return std::nullopt;
}

QJsonObject roomStateToJson(const Room &room)
{
    QJsonObject attributes;
    for (auto it = room.attributes.constBegin(); it != room.attributes.constEnd(); ++it)
        attributes.insert(it.key(), it.value().toString());
    return QJsonObject{
        {QStringLiteral("id"), room.id},
        {QStringLiteral("code"), room.code},
        {QStringLiteral("name"), room.name},
        {QStringLiteral("typeCode"), room.typeCode},
        {QStringLiteral("status"), toString(room.status)},
        {QStringLiteral("capacity"), room.capacity},
        {QStringLiteral("ttlSec"), room.ttlSec},
        {QStringLiteral("tags"), QJsonArray::fromStringList(room.tags)},
        {QStringLiteral("attributes"), attributes},
        {QStringLiteral("version"), room.version},
    };
}

} // namespace spidi
