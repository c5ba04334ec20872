#pragma once

#include <QObject>
#include <QString>

#include <optional>
#include <variant>

// Wire-level message types of the JSON framing (SPEC section 4.1, docs/protocol.md). The STOMP
// framing carries the same bodies, so everything here is framing-neutral.
namespace spidi::protocol {
Q_NAMESPACE

enum class ErrorCode {
    BadRequest,
    UnknownType,
    RoomNotFound,
    RoomInactive,
    RoomFull,
    SessionNotFound,
    Forbidden,
    RateLimited,
    Internal,
};
Q_ENUM_NS(ErrorCode)
QString errorCodeName(ErrorCode code);

// Field limits: longer values are a BAD_REQUEST, so nothing unbounded reaches the stores.
inline constexpr int MaxRoomCodeLength = 64;
inline constexpr int MaxIdentifierLength = 128; // clientId, device, os
inline constexpr int MaxAppVersionLength = 64;
inline constexpr int MaxLatencyMs = 600000;

struct Hello
{
    QString roomCode;
    QString clientId;
    QString appVersion;
    QString device;
    QString os;
    QString resumeSessionId;
};

struct Heartbeat
{
    QString sessionId;
    std::optional<int> latencyMs;
};

struct Leave
{
    QString sessionId;
};

struct Topic
{
    enum class Kind { Rooms, RoomMetrics, RoomRoster, Alerts };
    Kind kind = Kind::Rooms;
    QString roomCode; // for RoomMetrics and RoomRoster

    // "rooms", "room/CODE/metrics", "room/CODE/roster", "alerts"
    static std::optional<Topic> parse(const QString &text);
    QString toString() const;
    bool operator==(const Topic &o) const { return kind == o.kind && roomCode == o.roomCode; }
};

struct Subscribe
{
    Topic topic;
};

struct Unsubscribe
{
    Topic topic;
};

using Request = std::variant<Hello, Heartbeat, Leave, Subscribe, Unsubscribe>;

struct ClientMessage
{
    std::optional<qint64> seq; // echoed back as "ref"
    Request request;
};

struct DecodeError
{
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    std::optional<qint64> seq; // when the frame was readable enough to carry one
};

} // namespace spidi::protocol
