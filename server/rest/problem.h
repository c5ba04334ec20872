#pragma once

#include "core/result.h"

#include <QHttpServerResponse>
#include <QJsonObject>

namespace spidi::rest {

// RFC 7807 problem+json response.
QHttpServerResponse problem(QHttpServerResponse::StatusCode status, const QString &title,
                            const QString &detail, const QJsonObject &extra = {});
// Maps an Error to its status (Invalid→422 when a field is named, else 400; NotFound→404;
// Conflict→409; Forbidden→403; Unavailable→503; Internal→500). The field goes in "field".
QHttpServerResponse problem(const Error &error);
QHttpServerResponse json(const QJsonObject &body,
                         QHttpServerResponse::StatusCode status = QHttpServerResponse::StatusCode::Ok);

} // namespace spidi::rest
