#pragma once

#include "rest/rest_context.h"

#include <QtGlobal>

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace spidi::rest {

// Request bodies larger than this are refused with 413 before anything else is done.
inline constexpr qsizetype MaxRequestBodyBytes = 1024 * 1024;

// Registers the room and room-type routes of docs/rest-api.md under /api/v1:
//   GET  /room-types
//   GET  /rooms                         POST /rooms
//   GET  /rooms/<id|code>               PUT  /rooms/<id|code>     DELETE /rooms/<id|code>
//   POST /rooms/<id|code>/maintenance
//   GET  /rooms/<id|code>/attributes    PUT  /rooms/<id|code>/attributes
// plus, registered after them, a 405 (with Allow) for any other method on those paths.
// Reads need Principal::canRead(), writes Principal::isAdmin(). Handlers run on the thread of
// the server (the main thread) and use context.database there.
// context is captured by reference: it must outlive the server.
void registerRoomRoutes(QHttpServer &server, RestContext &context);

} // namespace spidi::rest
