#include "rest/ops_api.h"

#include "rest/problem.h"

#include <QHttpServer>
#include <QHttpServerResponder>

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
    // Unknown paths answer like every other error: problem+json, not Qt's empty 404.
    server.setMissingHandler(
        [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            problem(QHttpServerResponse::StatusCode::NotFound, QStringLiteral("Not Found"),
                    QStringLiteral("no resource at %1").arg(request.url().path()))
                .write(std::move(responder));
        });
}

} // namespace spidi::rest
