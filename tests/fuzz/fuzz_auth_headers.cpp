// libFuzzer target: the path from an HTTP request head to a verified principal: the front
// door's request head parser (server/gateway/request_head.h), the bearer token extractor
// (server/auth/token_extractor.h) and the JWT verifier (server/auth/jwt_verifier.h, libjwt).
//
// Input: byte 0 picks what the rest is (value % 3):
//   0: a request head (up to the blank line), parsed, its token extracted and verified;
//   1: a token, verified as is;
//   2: edits to a valid token: triples (position high byte, position low byte, byte), the byte
//      replacing the token's character at that position, or deleting it when it is 0.
// The verifier uses a fixed HS256 secret; the valid token is minted with it at a fixed time,
// so the only token that may ever be accepted is one whose signed part is that token's.

#include "fuzz_check.h"

#include "auth/jwt_verifier.h"
#include "auth/token_extractor.h"
#include "auth/token_minter.h"
#include "request_head.h"

#include <QUrlQuery>

#include <cstddef>
#include <cstdint>

using namespace spidi;

namespace {

constexpr qint64 Now = 1800000000; // 2027-01-15
const QString User = QStringLiteral("fuzz-user");
const QString Tenant = QStringLiteral("fuzz-tenant");

JwtKeys keys()
{
    JwtKeys k;
    k.algorithm = JwtAlgorithm::HS256;
    k.verificationKey = QByteArrayLiteral("fuzzing-secret-0123456789abcdef-0123456789");
    k.signingKey = k.verificationKey;
    k.source = QStringLiteral("fuzz_auth_headers");
    return k;
}

const JwtVerifier &verifier()
{
    static const JwtVerifier instance(keys());
    return instance;
}

const QByteArray &validToken()
{
    static const QByteArray token = [] {
        const Result<QString> minted =
            mintToken(keys(), User, Tenant, {QStringLiteral("spidi:user")}, 3600, Now);
        FUZZ_CHECK(minted.ok());
        // The accepting path must be reachable, or the invariants below prove nothing.
        FUZZ_CHECK(verifier().verify(minted->toLatin1(), Now).ok());
        return minted->toLatin1();
    }();
    return token;
}

QByteArrayView signingInput(QByteArrayView token)
{
    const qsizetype lastDot = token.lastIndexOf('.');
    return lastDot < 0 ? QByteArrayView() : token.first(lastDot);
}

void verify(QByteArrayView token)
{
    const Result<Principal> principal = verifier().verify(token, Now);
    if (!principal) {
        FUZZ_CHECK(principal.error().kind == ErrorKind::Forbidden);
        FUZZ_CHECK(!principal.error().message.isEmpty());
        // The reason never echoes the token.
        if (token.size() >= 16)
            FUZZ_CHECK(!principal.error().message.toUtf8().contains(token));
        return;
    }
    // Only the minted token's signed part carries a valid signature (its signature's last
    // base64url character has unused bits, so the signature text itself may differ).
    FUZZ_CHECK(signingInput(token) == signingInput(validToken()));
    FUZZ_CHECK(!principal->userId.isEmpty() && !principal->tenantId.isEmpty());
    FUZZ_CHECK(principal->userId == User && principal->tenantId == Tenant);
    FUZZ_CHECK(principal->canJoin() && !principal->canRead() && !principal->isAdmin());
    FUZZ_CHECK(principal->expiresAtSec == Now + 3600);
}

void checkHead(const RequestHead &head)
{
    FUZZ_CHECK(!head.method.contains(' ') && !head.method.contains('\n'));
    FUZZ_CHECK(!head.path.contains(' ') && !head.path.contains('\n') && !head.path.contains('?'));
    FUZZ_CHECK(!head.query.contains(' ') && !head.query.contains('\n'));
    FUZZ_CHECK(head.path.isEmpty() || !head.method.isEmpty());
    FUZZ_CHECK(head.upgrade == head.upgrade.toLower());
    FUZZ_CHECK(head.upgrade == head.upgrade.trimmed() && !head.upgrade.contains('\n'));
    FUZZ_CHECK(head.authorization == head.authorization.trimmed());
    FUZZ_CHECK(!head.authorization.contains('\n'));
    for (const QByteArray &protocol : head.subprotocols) {
        FUZZ_CHECK(!protocol.isEmpty() && protocol == protocol.trimmed());
        FUZZ_CHECK(!protocol.contains(',') && !protocol.contains('\n'));
        FUZZ_CHECK(head.offersSubprotocol(protocol));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 3) {
    case 0: {
        const RequestHead head = parseRequestHead(rest);
        checkHead(head);
        const RequestHead again = parseRequestHead(rest);
        FUZZ_CHECK(again.method == head.method && again.path == head.path &&
                   again.query == head.query && again.authorization == head.authorization &&
                   again.subprotocols == head.subprotocols);
        const QUrlQuery query(QString::fromUtf8(head.query));
        const QByteArray token = extractBearerToken(head.authorization, query);
        FUZZ_CHECK(token == token.trimmed());
        // A bearer header with a token wins over the query.
        const QByteArray auth = head.authorization;
        if (auth.size() > 7 && auth.first(6).toLower() == "bearer" &&
            (auth[6] == ' ' || auth[6] == '\t'))
            FUZZ_CHECK(token == auth.mid(7).trimmed());
        verify(token);
        break;
    }
    case 1:
        verify(rest);
        break;
    default: {
        QByteArray token = validToken();
        for (qsizetype i = 0; i + 2 < rest.size() && !token.isEmpty(); i += 3) {
            const qsizetype position =
                ((uint8_t(rest[i]) << 8) | uint8_t(rest[i + 1])) % token.size();
            if (rest[i + 2] == 0)
                token.remove(position, 1);
            else
                token[position] = rest[i + 2];
        }
        verify(token);
        break;
    }
    }
    return 0;
}
