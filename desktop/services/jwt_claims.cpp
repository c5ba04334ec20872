#include "jwt_claims.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace spidi::desktop {

namespace {

bool isBase64Url(const QByteArray &segment)
{
    for (char c : segment) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return !segment.isEmpty();
}

std::optional<JwtClaims> fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

} // namespace

std::optional<JwtClaims> JwtClaims::decode(const QByteArray &token, QString *error)
{
    const QList<QByteArray> parts = token.trimmed().split('.');
    if (parts.size() != 3 || !isBase64Url(parts[0]) || !isBase64Url(parts[1]))
        return fail(error, QStringLiteral("not a JWT (three base64url parts separated by dots)"));
    const auto payload = QByteArray::fromBase64Encoding(
        parts[1], QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                      QByteArray::AbortOnBase64DecodingErrors);
    if (!payload)
        return fail(error, QStringLiteral("the token's payload is not valid base64url"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*payload, &parseError);
    if (!doc.isObject())
        return fail(error, QStringLiteral("the token's payload is not a JSON object"));
    const QJsonObject o = doc.object();
    JwtClaims claims;
    claims.subject = o.value(QLatin1String("sub")).toString();
    claims.tenant = o.value(QLatin1String("tenant")).toString();
    const QJsonArray perms = o.value(QLatin1String("perms")).toArray();
    for (const QJsonValue &p : perms) {
        if (p.isString())
            claims.perms.append(p.toString());
    }
    const QJsonValue exp = o.value(QLatin1String("exp"));
    if (exp.isDouble())
        claims.expiresAt = QDateTime::fromSecsSinceEpoch(qint64(exp.toDouble()), Qt::UTC);
    return claims;
}

} // namespace spidi::desktop
