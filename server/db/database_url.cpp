#include "db/database_url.h"

#include <QDir>
#include <QUrl>
#include <QUrlQuery>

namespace spidi {

namespace {

const QString kMemoryUrl = QStringLiteral("sqlite::memory:");

QMap<QString, QString> queryOptions(const QUrl &url)
{
    QMap<QString, QString> options;
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
        options.insert(key, value);
    return options;
}

Result<DatabaseUrl> parseSqlite(const QString &text)
{
    DatabaseUrl parsed;
    parsed.dialect = SqlDialect::Sqlite;
    if (text == kMemoryUrl || text.startsWith(kMemoryUrl + QLatin1Char('?'))) {
        parsed.inMemory = true;
        parsed.sqlitePath = QStringLiteral(":memory:");
        parsed.options = queryOptions(QUrl(text.mid(kMemoryUrl.size()).prepend(QLatin1String("x:"))));
        return parsed;
    }
    const QUrl url(text, QUrl::StrictMode);
    // sqlite:///abs/path has an empty authority; sqlite://host/path would silently drop "host".
    if (!url.isValid() || !url.host().isEmpty() || url.path().isEmpty())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("invalid SQLite url '%1': expected sqlite:///absolute/path.db "
                                        "or sqlite::memory:")
                             .arg(text),
                         QStringLiteral("database"));
    const QString path = url.path(QUrl::FullyDecoded);
    if (!QDir::isAbsolutePath(path))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("SQLite path in '%1' must be absolute").arg(text),
                         QStringLiteral("database"));
    parsed.sqlitePath = QDir::cleanPath(path);
    parsed.options = queryOptions(url);
    return parsed;
}

Result<DatabaseUrl> parsePostgresql(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("invalid PostgreSQL url: expected "
                                        "postgresql://user:password@host:port/database"),
                         QStringLiteral("database"));
    DatabaseUrl parsed;
    parsed.dialect = SqlDialect::Postgresql;
    parsed.host = url.host();
    parsed.port = url.port(5432);
    parsed.user = url.userName(QUrl::FullyDecoded);
    parsed.password = url.password(QUrl::FullyDecoded);
    parsed.databaseName = url.path(QUrl::FullyDecoded).mid(1); // drop the leading '/'
    parsed.options = queryOptions(url);
    if (parsed.databaseName.isEmpty() || parsed.databaseName.contains(QLatin1Char('/')))
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("PostgreSQL url for host %1 names no database").arg(parsed.host),
                         QStringLiteral("database"));
    return parsed;
}

} // namespace

QString DatabaseUrl::redacted() const
{
    if (dialect == SqlDialect::Sqlite)
        return inMemory ? kMemoryUrl : QStringLiteral("sqlite://") + sqlitePath;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(host);
    url.setPort(port);
    url.setUserName(user);
    if (!password.isEmpty())
        url.setPassword(QStringLiteral("***"));
    url.setPath(QLatin1Char('/') + databaseName);
    return url.toString();
}

Result<DatabaseUrl> parseDatabaseUrl(const DatabaseConfig &config)
{
    const QString text = config.url.trimmed();
    if (text.isEmpty()) {
        if (config.dataDir.isEmpty())
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("no database url and no data directory configured"),
                             QStringLiteral("dataDir"));
        DatabaseUrl parsed;
        parsed.sqlitePath =
            QDir::cleanPath(QDir(config.dataDir).absoluteFilePath(QStringLiteral("spidi.db")));
        return parsed;
    }
    if (text.startsWith(QLatin1String("sqlite:")))
        return parseSqlite(text);
    if (text.startsWith(QLatin1String("postgresql://")) ||
        text.startsWith(QLatin1String("postgres://")))
        return parsePostgresql(text);
    return makeError(ErrorKind::Invalid,
                     QStringLiteral("unsupported database url scheme in '%1' (use sqlite:///path, "
                                    "sqlite::memory: or postgresql://…)")
                         .arg(text.section(QLatin1Char(':'), 0, 0)),
                     QStringLiteral("database"));
}

} // namespace spidi
