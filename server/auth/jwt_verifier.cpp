#include "jwt_verifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <jwt.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

namespace spidi {

namespace {

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// libjwt 1.10 returns malloc'ed strings and has no jwt_free_str().
struct CStringDeleter
{
    void operator()(char *text) const { std::free(text); }
};
using CStringPtr = std::unique_ptr<char, CStringDeleter>;

Error rejected(const QString &reason, QString field = {})
{
    return makeError(ErrorKind::Forbidden, QStringLiteral("invalid token: ") + reason,
                     std::move(field));
}

bool isBase64UrlChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

// The header is read here, before libjwt sees the token, because libjwt 1.10 trusts the
// token's "alg": it accepts "none" without any signature, and with an RS256 public key as the
// "secret" it would verify an attacker's HS256 MAC over it.
Result<QJsonObject> decodeSegment(QByteArrayView segment, const char *what)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        segment.toByteArray(), QByteArray::Base64UrlEncoding |
                                   QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return rejected(QStringLiteral("%1 is not base64url").arg(QLatin1String(what)));
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(decoded.decoded, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return rejected(QStringLiteral("%1 is not a JSON object").arg(QLatin1String(what)));
    return document.object();
}

Result<QString> requireString(const QJsonObject &claims, const QString &name)
{
    const QJsonValue value = claims.value(name);
    if (value.isUndefined())
        return rejected(QStringLiteral("missing claim '%1'").arg(name), name);
    if (!value.isString() || value.toString().isEmpty())
        return rejected(QStringLiteral("claim '%1' must be a non-empty string").arg(name), name);
    return value.toString();
}

} // namespace

JwtVerifier::JwtVerifier(JwtKeys keys) : m_keys(std::move(keys)) {}

Result<Principal> JwtVerifier::verify(QByteArrayView token, qint64 nowSec) const
{
    if (token.isEmpty())
        return rejected(QStringLiteral("no token"));
    if (token.size() > MaxTokenBytes) {
        return rejected(QStringLiteral("token is longer than %1 bytes").arg(MaxTokenBytes));
    }

    // Shape: three base64url segments. Checking the alphabet also keeps NUL bytes away from the
    // C library, which would otherwise see a shorter token than the one checked here.
    int dots = 0;
    for (const char c : token) {
        if (c == '.')
            ++dots;
        else if (!isBase64UrlChar(c))
            return rejected(QStringLiteral("token contains characters outside base64url"));
    }
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype lastDot = token.lastIndexOf('.');
    if (dots != 2 || firstDot == 0 || lastDot == firstDot + 1)
        return rejected(QStringLiteral("token is not three dot-separated segments"));

    const auto header = decodeSegment(token.first(firstDot), "header");
    if (!header)
        return header.error();
    const QString expected = QLatin1String(jwtAlgorithmName(m_keys.algorithm));
    const QJsonValue alg = header->value(QLatin1String("alg"));
    if (!alg.isString())
        return rejected(QStringLiteral("header has no 'alg'"));
    if (alg.toString().compare(u"none", Qt::CaseInsensitive) == 0)
        return rejected(QStringLiteral("unsigned tokens (alg 'none') are not accepted"));
    if (alg.toString() != expected) {
        return rejected(QStringLiteral("algorithm '%1' is not accepted (server uses %2)")
                            .arg(alg.toString().left(16), expected));
    }
    if (lastDot == token.size() - 1)
        return rejected(QStringLiteral("token has no signature"));

    const QByteArray tokenText = token.toByteArray(); // NUL-terminated for the C API
    jwt_t *raw = nullptr;
    const int rc =
        jwt_decode(&raw, tokenText.constData(),
                   reinterpret_cast<const unsigned char *>(m_keys.verificationKey.constData()),
                   int(m_keys.verificationKey.size()));
    const JwtPtr jwt(raw);
    if (rc != 0 || !jwt)
        return rejected(QStringLiteral("bad signature or malformed token"));
    // Belt and braces: the algorithm libjwt verified with must be the one checked above.
    const jwt_alg_t expectedAlg =
        m_keys.algorithm == JwtAlgorithm::RS256 ? JWT_ALG_RS256 : JWT_ALG_HS256;
    if (jwt_get_alg(jwt.get()) != expectedAlg)
        return rejected(QStringLiteral("algorithm mismatch"));

    // The claims are read with Qt's parser so their JSON types can be checked exactly
    // (libjwt's getters turn a string "exp" into 0 and cannot tell missing from wrong).
    const CStringPtr grants(jwt_get_grants_json(jwt.get(), nullptr));
    if (!grants)
        return rejected(QStringLiteral("payload is not a JSON object"));
    QJsonParseError parseError{};
    const QJsonDocument payload = QJsonDocument::fromJson(QByteArray(grants.get()), &parseError);
    if (parseError.error != QJsonParseError::NoError || !payload.isObject())
        return rejected(QStringLiteral("payload is not a JSON object"));
    const QJsonObject claims = payload.object();

    Principal principal;
    const auto sub = requireString(claims, QStringLiteral("sub"));
    if (!sub)
        return sub.error();
    principal.userId = *sub;
    const auto tenant = requireString(claims, QStringLiteral("tenant"));
    if (!tenant)
        return tenant.error();
    principal.tenantId = *tenant;

    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (exp.isUndefined())
        return rejected(QStringLiteral("missing claim 'exp'"), QStringLiteral("exp"));
    if (!exp.isDouble() || !std::isfinite(exp.toDouble()))
        return rejected(QStringLiteral("claim 'exp' must be a number"), QStringLiteral("exp"));
    const double expSec = std::floor(exp.toDouble());
    if (expSec + double(ClockSkewSec) <= double(nowSec))
        return rejected(QStringLiteral("token expired"), QStringLiteral("exp"));
    // Clamped so an absurd exp (1e300) cannot overflow the conversion.
    principal.expiresAtSec = qint64(std::min(expSec, 1e15));

    // nbf is optional, but an issuer that sets it means it.
    const QJsonValue nbf = claims.value(QLatin1String("nbf"));
    if (!nbf.isUndefined()) {
        if (!nbf.isDouble() || !std::isfinite(nbf.toDouble()))
            return rejected(QStringLiteral("claim 'nbf' must be a number"), QStringLiteral("nbf"));
        if (nbf.toDouble() > double(nowSec + ClockSkewSec))
            return rejected(QStringLiteral("token not valid yet (nbf)"), QStringLiteral("nbf"));
    }

    const QJsonValue perms = claims.value(QLatin1String("perms"));
    if (perms.isUndefined())
        return rejected(QStringLiteral("missing claim 'perms'"), QStringLiteral("perms"));
    if (!perms.isArray())
        return rejected(QStringLiteral("claim 'perms' must be an array"), QStringLiteral("perms"));
    static const QSet<QString> known = {perm::Admin, perm::Monitor, perm::User, perm::Execute};
    for (const QJsonValue &permission : perms.toArray()) {
        if (!permission.isString()) {
            return rejected(QStringLiteral("claim 'perms' must contain only strings"),
                            QStringLiteral("perms"));
        }
        // Unknown permissions are ignored so an issuer can add its own without locking
        // users out of Spidi.
        if (known.contains(permission.toString()))
            principal.permissions.insert(permission.toString());
    }
    return principal;
}

} // namespace spidi
