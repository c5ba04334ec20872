#include "token_minter.h"

#include "auth/principal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <jwt.h>

#include <cstdlib>
#include <memory>

namespace spidi {

namespace {

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};

struct CStringDeleter
{
    void operator()(char *text) const { std::free(text); }
};

} // namespace

Result<QString> mintToken(const JwtKeys &keys, const QString &sub, const QString &tenant,
                          const QStringList &perms, qint64 ttlSec, qint64 nowSec)
{
    if (sub.isEmpty())
        return makeError(ErrorKind::Invalid, QStringLiteral("sub must not be empty"),
                         QStringLiteral("sub"));
    if (tenant.isEmpty())
        return makeError(ErrorKind::Invalid, QStringLiteral("tenant must not be empty"),
                         QStringLiteral("tenant"));
    if (ttlSec <= 0)
        return makeError(ErrorKind::Invalid, QStringLiteral("ttl must be positive"),
                         QStringLiteral("ttl"));
    const QStringList known = {perm::Admin, perm::Monitor, perm::User, perm::Execute};
    for (const QString &permission : perms) {
        if (!known.contains(permission)) {
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("unknown permission '%1' (known: %2)")
                                 .arg(permission, known.join(QStringLiteral(", "))),
                             QStringLiteral("perms"));
        }
    }
    if (!keys.canSign()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("cannot sign RS256 tokens with only a public key; "
                                        "configure the private key (--jwt-private-key)"),
                         QStringLiteral("jwt-private-key"));
    }

    QJsonObject claims;
    claims.insert(QStringLiteral("sub"), sub);
    claims.insert(QStringLiteral("tenant"), tenant);
    claims.insert(QStringLiteral("perms"), QJsonArray::fromStringList(perms));
    claims.insert(QStringLiteral("iat"), nowSec);
    claims.insert(QStringLiteral("exp"), nowSec + ttlSec);
    const QByteArray claimsJson = QJsonDocument(claims).toJson(QJsonDocument::Compact);

    jwt_t *raw = nullptr;
    if (jwt_new(&raw) != 0 || !raw)
        return makeError(ErrorKind::Internal, QStringLiteral("cannot allocate a JWT"));
    const std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
    if (jwt_add_grants_json(jwt.get(), claimsJson.constData()) != 0)
        return makeError(ErrorKind::Internal, QStringLiteral("cannot set the token claims"));
    const jwt_alg_t alg = keys.algorithm == JwtAlgorithm::RS256 ? JWT_ALG_RS256 : JWT_ALG_HS256;
    if (jwt_set_alg(jwt.get(), alg,
                    reinterpret_cast<const unsigned char *>(keys.signingKey.constData()),
                    int(keys.signingKey.size())) != 0) {
        return makeError(ErrorKind::Internal, QStringLiteral("cannot set the signing key"));
    }
    const std::unique_ptr<char, CStringDeleter> encoded(jwt_encode_str(jwt.get()));
    if (!encoded) {
        return makeError(ErrorKind::Internal,
                         QStringLiteral("signing the token failed (is the %1 key valid?)")
                             .arg(QLatin1String(jwtAlgorithmName(keys.algorithm))));
    }
    return QString::fromLatin1(encoded.get());
}

} // namespace spidi
