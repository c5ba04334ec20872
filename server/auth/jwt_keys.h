#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace spidi {

// Where the JWT keys come from (the --jwt-* options and --data-dir).
struct AuthConfig
{
    QString secretFile;     // HS256 shared secret
    QString publicKeyFile;  // RS256 public key (PEM); excludes secretFile
    QString privateKeyFile; // RS256 private key (PEM); optional, only for minting
    QString dataDir;        // holds jwt.secret when neither file is given
};

enum class JwtAlgorithm {
    HS256,
    RS256,
};

const char *jwtAlgorithmName(JwtAlgorithm algorithm); // "HS256", "RS256"

struct JwtKeys
{
    JwtAlgorithm algorithm = JwtAlgorithm::HS256;
    QByteArray verificationKey; // HS256: the secret; RS256: the public key PEM
    QByteArray signingKey;      // HS256: the secret; RS256: the private key PEM, may be empty
    QString source;             // the file the verification key came from, for logs

    bool canSign() const { return !signingKey.isEmpty(); }
};

// HS256 secrets shorter than this are refused: RFC 7518 asks for a key at least as long as the
// hash output.
inline constexpr qsizetype MinSecretBytes = 32;

// Loads the keys: a public key file means RS256 (private key optional); a secret file means
// HS256; neither means HS256 with <dataDir>/jwt.secret, created on first use (48 random bytes,
// base64url text, mode 0600) when createSecretIfMissing is true and reused afterwards.
// A secret file's content is used with surrounding whitespace removed. Errors name the file.
Result<JwtKeys> loadJwtKeys(const AuthConfig &config, bool createSecretIfMissing);

} // namespace spidi
