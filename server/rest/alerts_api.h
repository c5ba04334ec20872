#pragma once

#include "rest/rest_context.h"

#include <QtGlobal>

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace spidi {
class AlertService;
}

namespace spidi::rest {

// Alert rules and events (docs/rest-api.md, "Alerts"), under /api/v1/alerts:
//   GET  /rules            POST /rules           POST /rules/validate
//   GET  /rules/<id>       PUT  /rules/<id>      DELETE /rules/<id>
//   GET  /events?state&severity&roomId&ruleId&from&to&offset&limit
//   GET  /events/<id>      POST /events/<id>/ack POST /events/<id>/resolve
// Rule writes need spidi:admin; reads, acknowledging and resolving need spidi:monitor (or
// admin). `service` (may be null in tests) hears of rule changes and of acknowledgements and
// manual resolutions, so evaluation and the `alerts` topic follow at once.
void registerAlertRoutes(QHttpServer &server, RestContext &context, AlertService *service);

} // namespace spidi::rest
