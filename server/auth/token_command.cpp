#include "token_command.h"

#include "auth/jwt_keys.h"
#include "auth/principal.h"
#include "auth/token_minter.h"
#include "config/config_options.h"
#include "config/duration.h"
#include "config/server_config.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>

#include <cstdio>

namespace spidi {

namespace {

constexpr int ExitFailure = 1;
constexpr int ExitUsage = 2;

// The server options that decide which key signs; the rest of the server's settings may still
// come from the config file or environment but do not matter here.
const QStringList &sharedOptionNames()
{
    static const QStringList names = {
        QStringLiteral("config"),          QStringLiteral("data-dir"),
        QStringLiteral("jwt-secret-file"), QStringLiteral("jwt-public-key"),
        QStringLiteral("jwt-private-key"),
    };
    return names;
}

QString helpText()
{
    QString text = QStringLiteral(
        "Usage: spidi-server token --sub ID --tenant T --perms LIST [--ttl 24h] [options]\n"
        "\n"
        "Prints a signed JWT for local use, followed by a newline. It verifies against a\n"
        "server started with the same key options.\n"
        "\n"
        "Options:\n"
        "  --sub ID\n      User id (claim sub). Required.\n"
        "  --tenant T\n      Tenant id (claim tenant). Required.\n"
        "  --perms LIST\n      Comma-separated permissions (claim perms), from spidi:admin,\n"
        "      spidi:monitor, spidi:user, spidi:execute. Required.\n"
        "  --ttl DURATION\n      Lifetime: seconds, or 90s, 15m, 24h, 7d. Default: 24h.\n");
    for (const QString &name : sharedOptionNames())
        text += formatOptionHelp(*findConfigOption(name));
    text += QStringLiteral("  -h, --help\n      Show this help.\n");
    return text;
}

void print(QIODevice &device, const QString &text)
{
    device.write(text.toUtf8());
}

int usageError(QIODevice &err, const QString &message)
{
    print(err, QStringLiteral("spidi-server token: %1\n"
                              "Try 'spidi-server token --help'.\n")
                   .arg(message));
    return ExitUsage;
}

} // namespace

int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &env, QIODevice &out,
                    QIODevice &err)
{
    QCommandLineParser parser;
    const QCommandLineOption sub(QStringLiteral("sub"), QString(), QStringLiteral("ID"));
    const QCommandLineOption tenant(QStringLiteral("tenant"), QString(), QStringLiteral("T"));
    const QCommandLineOption perms(QStringLiteral("perms"), QString(), QStringLiteral("LIST"));
    const QCommandLineOption ttl(QStringLiteral("ttl"), QString(), QStringLiteral("DURATION"),
                                 QStringLiteral("24h"));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    parser.addOptions({sub, tenant, perms, ttl, help});
    for (const QString &name : sharedOptionNames())
        parser.addOption(QCommandLineOption(name, QString(), QStringLiteral("VALUE")));

    QStringList args = arguments;
    if (args.isEmpty())
        args << QStringLiteral("spidi-server");
    if (!parser.parse(args))
        return usageError(err, parser.errorText());
    if (parser.isSet(help)) {
        print(out, helpText());
        return 0;
    }

    QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && positional.constFirst() == u"token")
        positional.removeFirst();
    if (!positional.isEmpty()) {
        return usageError(
            err, QStringLiteral("unexpected argument '%1'").arg(positional.join(QLatin1Char(' '))));
    }

    for (const QCommandLineOption *required : {&sub, &tenant, &perms}) {
        if (parser.value(*required).trimmed().isEmpty()) {
            return usageError(
                err, QStringLiteral("--%1 is required").arg(required->names().constFirst()));
        }
    }
    QStringList permissions;
    for (const QString &permission : parser.value(perms).split(QLatin1Char(','))) {
        if (!permission.trimmed().isEmpty())
            permissions << permission.trimmed();
    }
    // "--perms ," would otherwise mint a token that can do nothing at all.
    if (permissions.isEmpty())
        return usageError(err, QStringLiteral("--perms lists no permission"));
    const QStringList known = {perm::Admin, perm::Monitor, perm::User, perm::Execute};
    for (const QString &permission : permissions) {
        if (!known.contains(permission)) {
            return usageError(err, QStringLiteral("unknown permission '%1' (known: %2)")
                                       .arg(permission, known.join(QStringLiteral(", "))));
        }
    }
    const Result<qint64> ttlSec = parseDurationSeconds(parser.value(ttl));
    if (!ttlSec)
        return usageError(err, QStringLiteral("--ttl: ") + ttlSec.error().message);
    if (*ttlSec <= 0)
        return usageError(err, QStringLiteral("--ttl must be positive"));

    QHash<QString, QString> flags;
    for (const QString &name : sharedOptionNames()) {
        if (parser.isSet(name))
            flags.insert(name, parser.value(name));
    }
    const Result<ServerConfig> config = resolveServerConfig(flags, env);
    if (!config)
        return usageError(err, config.error().message);

    const Result<JwtKeys> keys = loadJwtKeys(config->authConfig(), true);
    if (!keys) {
        print(err, QStringLiteral("spidi-server token: %1\n").arg(keys.error().message));
        return ExitFailure;
    }
    const Result<QString> token =
        mintToken(*keys, parser.value(sub).trimmed(), parser.value(tenant).trimmed(), permissions,
                  *ttlSec, QDateTime::currentSecsSinceEpoch());
    if (!token) {
        print(err, QStringLiteral("spidi-server token: %1\n").arg(token.error().message));
        return ExitFailure;
    }
    print(out, *token + QLatin1Char('\n'));
    return 0;
}

int runTokenCommand(const QStringList &arguments)
{
    QFile out;
    QFile err;
    if (!out.open(stdout, QIODevice::WriteOnly) || !err.open(stderr, QIODevice::WriteOnly))
        return ExitFailure;
    return runTokenCommand(arguments, QProcessEnvironment::systemEnvironment(), out, err);
}

} // namespace spidi
