#include "messages.h"

#include <QStringList>

namespace spidi::protocol {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest:
        return QStringLiteral("BAD_REQUEST");
    case ErrorCode::UnknownType:
        return QStringLiteral("UNKNOWN_TYPE");
    case ErrorCode::RoomNotFound:
        return QStringLiteral("ROOM_NOT_FOUND");
    case ErrorCode::RoomInactive:
        return QStringLiteral("ROOM_INACTIVE");
    case ErrorCode::RoomFull:
        return QStringLiteral("ROOM_FULL");
    case ErrorCode::SessionNotFound:
        return QStringLiteral("SESSION_NOT_FOUND");
    case ErrorCode::Forbidden:
        return QStringLiteral("FORBIDDEN");
    case ErrorCode::RateLimited:
        return QStringLiteral("RATE_LIMITED");
    case ErrorCode::Internal:
        return QStringLiteral("INTERNAL");
    }
    return QStringLiteral("INTERNAL");
}

std::optional<Topic> Topic::parse(const QString &text)
{
    if (text == QLatin1String("rooms"))
        return Topic{Kind::Rooms, {}};
    if (text == QLatin1String("alerts"))
        return Topic{Kind::Alerts, {}};
    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.size() != 3 || parts[0] != QLatin1String("room") || parts[1].isEmpty() ||
        parts[1].size() > MaxRoomCodeLength)
        return std::nullopt;
    if (parts[2] == QLatin1String("metrics"))
        return Topic{Kind::RoomMetrics, parts[1]};
    if (parts[2] == QLatin1String("roster"))
        return Topic{Kind::RoomRoster, parts[1]};
    return std::nullopt;
}

QString Topic::toString() const
{
    switch (kind) {
    case Kind::Rooms:
        return QStringLiteral("rooms");
    case Kind::Alerts:
        return QStringLiteral("alerts");
    case Kind::RoomMetrics:
        return QStringLiteral("room/") + roomCode + QStringLiteral("/metrics");
    case Kind::RoomRoster:
        return QStringLiteral("room/") + roomCode + QStringLiteral("/roster");
    }
    return {};
}

} // namespace spidi::protocol
