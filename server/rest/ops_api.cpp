#include "rest/ops_api.h"

#include "logging/log_categories.h"
#include "rest/problem.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>

namespace spidi::rest {

namespace {

// The document as shipped in the binary, with this build's version: read once.
QByteArray openApiDocument()
{
    static const QByteArray document = [] {
        QFile file(QStringLiteral(":/spidi/openapi.json"));
        if (!file.open(QIODevice::ReadOnly))
            return QByteArray(); // a broken build: answered as a 500 below
        QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        QJsonObject info = root.value(QLatin1String("info")).toObject();
        info.insert(QLatin1String("version"), QStringLiteral(SPIDI_VERSION));
        root.insert(QLatin1String("info"), info);
        return QJsonDocument(root).toJson(QJsonDocument::Compact);
    }();
    return document;
}

} // namespace

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
    server.route(QStringLiteral("/api/v1/openapi.json"), QHttpServerRequest::Method::Get, [] {
        const QByteArray document = openApiDocument();
        if (document.isEmpty()) {
            qCCritical(lcRest).noquote() << "rest.openapi_missing"
                                         << "resource=:/spidi/openapi.json";
            return problem(QHttpServerResponse::StatusCode::InternalServerError,
                           QStringLiteral("Internal Server Error"),
                           QStringLiteral("the OpenAPI document is missing from this build"));
        }
        return QHttpServerResponse(QByteArrayLiteral("application/json"), document);
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
