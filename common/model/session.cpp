#include "session.h"

namespace spidi {

QString toString(SessionEndReason reason)
{
    switch (reason) {
    case SessionEndReason::Left:
        return QStringLiteral("LEFT");
    case SessionEndReason::Expired:
        return QStringLiteral("EXPIRED");
    case SessionEndReason::Disconnected:
        return QStringLiteral("DISCONNECTED");
    case SessionEndReason::Kicked:
        return QStringLiteral("KICKED");
    case SessionEndReason::Ttl:
        return QStringLiteral("TTL");
    }
    return QStringLiteral("LEFT");
}

std::optional<SessionEndReason> sessionEndReasonFromString(const QString &text)
{
    for (auto r :
         {SessionEndReason::Left, SessionEndReason::Expired, SessionEndReason::Disconnected,
          SessionEndReason::Kicked, SessionEndReason::Ttl}) {
        if (toString(r) == text)
            return r;
    }
    return std::nullopt;
}

} // namespace spidi
