#include "rest/query_params.h"

#include <QDateTime>
#include <QUrlQuery>

namespace spidi::rest {

Result<std::optional<qint64>> isoInstantParam(const QHttpServerRequest &request,
                                              const QString &name)
{
    const QUrlQuery query(request.url());
    if (!query.hasQueryItem(name))
        return std::optional<qint64>{};
    const QString text = query.queryItemValue(name, QUrl::FullyDecoded);
    const QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1 '%2' is not an ISO 8601 date and time such as "
                                        "2026-11-23T10:15:00Z")
                             .arg(name, text),
                         name);
    if (at.timeSpec() == Qt::LocalTime)
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1 '%2' needs a time zone (Z or ±hh:mm)").arg(name, text),
                         name);
    return std::optional<qint64>(at.toMSecsSinceEpoch());
}

} // namespace spidi::rest
