#pragma once

#include <QByteArray>
#include <QJsonObject>

#include <functional>

class QHttpServer;

namespace spidi::rest {

// Operations endpoints, unauthenticated so load balancers and Prometheus can reach them; they
// expose counts only, never tenant data.
//   GET /health, /api/v1/health   {status: ok|degraded|down, components:{…}}; 503 when down
//   GET /metrics                   Prometheus text exposition format 0.0.4
//   GET /api/v1/openapi.json       the OpenAPI 3.0 description of the REST API (openapi.json)
// Also answers unknown paths with a problem+json 404.
struct OpsEndpoints
{
    std::function<QJsonObject()> health;
    std::function<QByteArray()> metrics;
};

void registerOpsRoutes(QHttpServer &server, OpsEndpoints endpoints);

} // namespace spidi::rest
