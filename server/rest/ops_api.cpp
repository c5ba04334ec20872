#include "rest/ops_api.h"

#include "rest/problem.h"

#include <QHttpServer>

namespace spidi::rest {

void registerOpsRoutes(QHttpServer &server, OpsEndpoints endpoints)
{
    auto health = [health = endpoints.health] {
        const QJsonObject report = health();
        const bool down = report.value(QLatin1String("status")).toString() == QLatin1String("down");
        return json(report, down ? QHttpServerResponse::StatusCode::ServiceUnavailable
                                 : QHttpServerResponse::StatusCode::Ok);
    };
    server.route(QStringLiteral("/health"), QHttpServerRequest::Method::Get, health);
    server.route(QStringLiteral("/api/v1/health"), QHttpServerRequest::Method::Get, health);
    server.route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get,
                 [metrics = endpoints.metrics] {
                     return QHttpServerResponse(
                         QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"), metrics());
                 });
}

} // namespace spidi::rest
