#include "rest/rest_context.h"

#include "rest/problem.h"

namespace spidi::rest {

QHttpServerResponse unauthorized(const Error &error)
{
    const QString detail = error.message.isEmpty()
                               ? QStringLiteral("a valid bearer token is required")
                               : error.message;
    QHttpServerResponse response = problem(QHttpServerResponse::StatusCode::Unauthorized,
                                           QStringLiteral("Unauthorized"), detail);
    // RFC 6750 section 3; the reason stays in the body so the header never echoes client input.
    response.setHeader(QByteArrayLiteral("WWW-Authenticate"),
                       QByteArrayLiteral("Bearer realm=\"spidi\""));
    return response;
}

QHttpServerResponse forbidden(const QString &needed)
{
    return problem(QHttpServerResponse::StatusCode::Forbidden, QStringLiteral("Forbidden"),
                   QStringLiteral("this operation needs the %1 permission").arg(needed),
                   QJsonObject{{QStringLiteral("requiredPermission"), needed}});
}

} // namespace spidi::rest
