#pragma once

#include <QSet>
#include <QString>

namespace spidi {

namespace perm {
inline const QString Admin = QStringLiteral("spidi:admin");
inline const QString Monitor = QStringLiteral("spidi:monitor");
inline const QString User = QStringLiteral("spidi:user");
inline const QString Execute = QStringLiteral("spidi:execute");
} // namespace perm

// Who is calling, from a verified JWT (SPEC section 11).
struct Principal
{
    QString userId;   // claim "sub"
    QString tenantId; // claim "tenant"
    QSet<QString> permissions;
    qint64 expiresAtSec = 0; // claim "exp"

    bool isAdmin() const { return permissions.contains(perm::Admin); }
    // spidi:user may join, heartbeat and leave.
    bool canJoin() const { return isAdmin() || permissions.contains(perm::User); }
    // spidi:monitor may read and subscribe.
    bool canRead() const { return isAdmin() || permissions.contains(perm::Monitor); }
};

} // namespace spidi
