#include "rest/problem.h"

#include "logging/log_categories.h"

#include <QJsonDocument>

namespace spidi::rest {

namespace {

using StatusCode = QHttpServerResponse::StatusCode;

// A stable, machine-readable problem type per status; clients switch on it, not on the title.
QString problemType(StatusCode status)
{
    switch (status) {
    case StatusCode::BadRequest:
        return QStringLiteral("urn:spidi:problem:bad-request");
    case StatusCode::Unauthorized:
        return QStringLiteral("urn:spidi:problem:unauthorized");
    case StatusCode::Forbidden:
        return QStringLiteral("urn:spidi:problem:forbidden");
    case StatusCode::NotFound:
        return QStringLiteral("urn:spidi:problem:not-found");
    case StatusCode::MethodNotAllowed:
        return QStringLiteral("urn:spidi:problem:method-not-allowed");
    case StatusCode::Conflict:
        return QStringLiteral("urn:spidi:problem:conflict");
    case StatusCode::PayloadTooLarge:
        return QStringLiteral("urn:spidi:problem:payload-too-large");
    case StatusCode::UnsupportedMediaType:
        return QStringLiteral("urn:spidi:problem:unsupported-media-type");
    case StatusCode::UnprocessableEntity:
        return QStringLiteral("urn:spidi:problem:validation");
    case StatusCode::TooManyRequests:
        return QStringLiteral("urn:spidi:problem:too-many-requests");
    case StatusCode::ServiceUnavailable:
        return QStringLiteral("urn:spidi:problem:unavailable");
    case StatusCode::InternalServerError:
        return QStringLiteral("urn:spidi:problem:internal");
    default:
        return QStringLiteral("about:blank");
    }
}

QString titleFor(ErrorKind kind, bool hasField)
{
    switch (kind) {
    case ErrorKind::Invalid:
        return hasField ? QStringLiteral("Validation failed") : QStringLiteral("Bad request");
    case ErrorKind::NotFound:
        return QStringLiteral("Not found");
    case ErrorKind::Conflict:
        return QStringLiteral("Conflict");
    case ErrorKind::Forbidden:
        return QStringLiteral("Forbidden");
    case ErrorKind::Unavailable:
        return QStringLiteral("Service unavailable");
    case ErrorKind::Internal:
        return QStringLiteral("Internal server error");
    }
    return QStringLiteral("Internal server error");
}

StatusCode statusFor(const Error &error)
{
    switch (error.kind) {
    case ErrorKind::Invalid:
        return error.field.isEmpty() ? StatusCode::BadRequest : StatusCode::UnprocessableEntity;
    case ErrorKind::NotFound:
        return StatusCode::NotFound;
    case ErrorKind::Conflict:
        return StatusCode::Conflict;
    case ErrorKind::Forbidden:
        return StatusCode::Forbidden;
    case ErrorKind::Unavailable:
        return StatusCode::ServiceUnavailable;
    case ErrorKind::Internal:
        return StatusCode::InternalServerError;
    }
    return StatusCode::InternalServerError;
}

} // namespace

QHttpServerResponse problem(QHttpServerResponse::StatusCode status, const QString &title,
                            const QString &detail, const QJsonObject &extra)
{
    QJsonObject body{
        {QStringLiteral("type"), problemType(status)},
        {QStringLiteral("title"), title},
        {QStringLiteral("status"), static_cast<int>(status)},
        {QStringLiteral("detail"), detail},
    };
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        body.insert(it.key(), it.value());
    QHttpServerResponse response(QByteArrayLiteral("application/problem+json"),
                                 QJsonDocument(body).toJson(QJsonDocument::Compact), status);
    if (status == StatusCode::ServiceUnavailable)
        response.setHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5"));
    return response;
}

QHttpServerResponse problem(const Error &error)
{
    const StatusCode status = statusFor(error);
    if (status == StatusCode::InternalServerError || status == StatusCode::ServiceUnavailable)
        qCWarning(lcRest).noquote()
            << "rest.problem: status=" << static_cast<int>(status) << "detail=" << error.message;
    QJsonObject extra;
    if (!error.field.isEmpty())
        extra.insert(QStringLiteral("field"), error.field);
    // An internal error's message may carry SQL; it is logged above, not shown to the client.
    const QString detail = status == StatusCode::InternalServerError
                               ? QStringLiteral("the server failed to process the request; the "
                                                "server log has the details")
                               : error.message;
    return problem(status, titleFor(error.kind, !error.field.isEmpty()), detail, extra);
}

QHttpServerResponse json(const QJsonObject &body, QHttpServerResponse::StatusCode status)
{
    return QHttpServerResponse(QByteArrayLiteral("application/json"),
                               QJsonDocument(body).toJson(QJsonDocument::Compact), status);
}

} // namespace spidi::rest
