#include "room.h"

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

} // namespace spidi
