#pragma once

class QHttpServer;

namespace spidi {
class PresenceEngine;
}

namespace spidi::rest {

struct RestContext;

// Live presence over REST (SPEC section 5, "Presence"):
//   GET    /api/v1/rooms/<id|code>/sessions   live sessions of a room (spidi:monitor)
//   GET    /api/v1/users/<userId>/sessions    live sessions of a user across rooms (spidi:monitor)
//   DELETE /api/v1/sessions/<id>              kick a session, reason KICKED (spidi:admin)
void registerPresenceRoutes(QHttpServer &server, RestContext &context, PresenceEngine &engine);

} // namespace spidi::rest
