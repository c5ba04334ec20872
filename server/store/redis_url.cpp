#include "store/redis_url.h"

#include <QUrl>

namespace spidi {

namespace {
Error invalid(const QString &why)
{
    return makeError(ErrorKind::Invalid, QStringLiteral("invalid Redis URL: %1").arg(why),
                     QStringLiteral("redis"));
}
} // namespace

Result<RedisUrl> RedisUrl::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return invalid(QStringLiteral("it is empty"));
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid())
        return invalid(QStringLiteral("expected redis://[:password@]host:port[/db]"));
    if (url.scheme() != QLatin1String("redis"))
        return invalid(QStringLiteral("the scheme must be redis:// (TLS is not supported)"));
    RedisUrl result;
    result.host = url.host();
    if (result.host.isEmpty())
        return invalid(QStringLiteral("the host is missing"));
    const int port = url.port(6379);
    if (port < 1 || port > 65535)
        return invalid(QStringLiteral("the port must be 1..65535"));
    result.port = quint16(port);
    result.username = url.userName(QUrl::FullyDecoded);
    result.password = url.password(QUrl::FullyDecoded);
    if (!result.username.isEmpty() && result.password.isEmpty())
        return invalid(QStringLiteral("a user needs a password (redis://user:password@host)"));
    if (url.hasQuery() || url.hasFragment())
        return invalid(QStringLiteral("query parameters and fragments are not supported"));
    QString path = url.path();
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (!path.isEmpty()) {
        bool ok = false;
        const int db = path.toInt(&ok);
        if (!ok || db < 0 || path.contains(QLatin1Char('+')))
            return invalid(QStringLiteral("the database must be a number (redis://host:port/0)"));
        result.db = db;
    }
    return result;
}

QString RedisUrl::redacted() const
{
    QString credentials;
    if (!password.isEmpty())
        credentials = username.isEmpty() ? QStringLiteral(":***@") : QStringLiteral("***:***@");
    const QString hostPart =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("redis://%1%2:%3/%4").arg(credentials, hostPart).arg(port).arg(db);
}

} // namespace spidi
