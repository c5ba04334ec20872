#pragma once

#include "auth/jwt_keys.h"
#include "auth/principal.h"
#include "core/result.h"

#include <QByteArrayView>

namespace spidi {

// Verifies Spidi access tokens (SPEC section 11, docs/security.md). Immutable after
// construction, so one instance can be shared by every thread.
class JwtVerifier
{
public:
    static constexpr qsizetype MaxTokenBytes = 8 * 1024;
    static constexpr qint64 ClockSkewSec = 30;

    explicit JwtVerifier(JwtKeys keys);

    // Checks, in order: size, shape, that the header's "alg" is exactly the configured
    // algorithm (no "none", no HS256/RS256 confusion), the signature, then the claims: sub and
    // tenant non-empty strings, exp a number not more than ClockSkewSec in the past, perms an
    // array of strings (unknown permissions are dropped). Errors are ErrorKind::Forbidden with a
    // reason that never contains the token.
    Result<Principal> verify(QByteArrayView token, qint64 nowSec) const;

    JwtAlgorithm algorithm() const { return m_keys.algorithm; }

private:
    JwtKeys m_keys;
};

} // namespace spidi
