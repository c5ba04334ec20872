#pragma once

class QHttpServer;

namespace spidi {
class PresenceEngine;
}

namespace spidi::rest {

struct RestContext;

// Room statistics over REST (docs/rest-api.md, "Statistics"), spidi:monitor or spidi:admin:
//   GET /api/v1/rooms/<id|code>/stats?from&to&bucket   MINUTE/HOUR/DAY buckets of one room
//   GET /api/v1/stats/summary?from&to                   tenant-wide live and period figures
// The engine supplies the clock ("now") and the live figures.
void registerStatsRoutes(QHttpServer &server, RestContext &context, PresenceEngine &engine);

} // namespace spidi::rest
