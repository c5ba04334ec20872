#pragma once

#include "auth/jwt_keys.h"
#include "core/result.h"

#include <QString>
#include <QStringList>

namespace spidi {

// Signs a Spidi access token with claims sub, tenant, perms, iat and exp = nowSec + ttlSec:
// HS256 with the secret, RS256 with the private key (an error when only the public key is
// loaded). perms must each be one of spidi:admin, spidi:monitor, spidi:user, spidi:execute.
Result<QString> mintToken(const JwtKeys &keys, const QString &sub, const QString &tenant,
                          const QStringList &perms, qint64 ttlSec, qint64 nowSec);

} // namespace spidi
