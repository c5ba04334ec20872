#include "token_extractor.h"

namespace spidi {

QByteArray extractBearerToken(const QByteArray &authorizationHeader, const QUrlQuery &query)
{
    const QByteArray header = authorizationHeader.trimmed();
    constexpr QByteArrayView scheme = "bearer";
    if (header.size() > scheme.size() &&
        header.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) == 0 &&
        (header.at(scheme.size()) == ' ' || header.at(scheme.size()) == '\t')) {
        const QByteArray token = header.mid(scheme.size()).trimmed();
        if (!token.isEmpty())
            return token;
    }

    const QString fromQuery = query.queryItemValue(QStringLiteral("access_token"),
                                                   QUrl::FullyDecoded);
    return fromQuery.trimmed().toUtf8();
}

} // namespace spidi
