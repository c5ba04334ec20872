#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace spidi::desktop {

// The claims of a Spidi access token (docs/security.md), read from the JWT payload without
// verifying the signature: the console only uses them to decide what to offer; the server
// verifies every request.
struct JwtClaims
{
    QString subject;     // sub
    QString tenant;      // tenant
    QStringList perms;   // perms
    QDateTime expiresAt; // exp (UTC), invalid when absent

    bool canAdmin() const { return perms.contains(QLatin1String("spidi:admin")); }
    // Reading, subscribing and operating the alert inbox: spidi:monitor or spidi:admin.
    bool canRead() const { return canAdmin() || perms.contains(QLatin1String("spidi:monitor")); }
    bool isExpired(const QDateTime &now) const { return expiresAt.isValid() && expiresAt < now; }

    // Decodes "header.payload.signature"; std::nullopt with `error` set when the token is not
    // three base64url segments or its payload is not a JSON object.
    static std::optional<JwtClaims> decode(const QByteArray &token, QString *error = nullptr);
};

} // namespace spidi::desktop
