#pragma once

#include <QLatin1String>

// Codes of PresenceClient::errorOccurred that the client raises itself. Errors the server sends
// keep the server's code (ROOM_NOT_FOUND, ROOM_FULL, SESSION_NOT_FOUND, ... see
// docs/protocol.md), so a caller switches on one set of strings.
namespace spidi::client_error {

// The WebSocket could not be opened (refused, unreachable, handshake failed).
inline constexpr QLatin1String ConnectFailed("CONNECT_FAILED");
// The upgrade was answered with 401: the token is missing, invalid or expired.
inline constexpr QLatin1String Unauthorized("UNAUTHORIZED");
// An open connection dropped; the client reconnects.
inline constexpr QLatin1String ConnectionLost("CONNECTION_LOST");
// No HEARTBEAT_ACK within the acknowledgement timeout: the transport is presumed dead.
inline constexpr QLatin1String HeartbeatTimeout("HEARTBEAT_TIMEOUT");
// close(): the LEAVE was not acknowledged in time; the socket is closed anyway.
inline constexpr QLatin1String LeaveTimeout("LEAVE_TIMEOUT");
// The server ended the session with reason KICKED (an admin, or the room closed or deleted).
inline constexpr QLatin1String SessionKicked("SESSION_KICKED");
// A frame from the server that the client cannot read.
inline constexpr QLatin1String ProtocolError("PROTOCOL_ERROR");

} // namespace spidi::client_error
