#include "server_config.h"

#include "config/config_options.h"
#include "config/duration.h"
#include "db/database_url.h"
#include "store/redis_url.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <unistd.h>

namespace spidi {

namespace {

// A raw setting and where it came from, so errors can point at the flag, variable or file.
struct Setting
{
    QString value;
    QString origin;
};

using Settings = QHash<QString, Setting>;

constexpr qint64 kMaxConfigFileBytes = 1024 * 1024;

bool isPathOption(QStringView name)
{
    return name == u"config" || name == u"data-dir" || name == u"jwt-secret-file" ||
           name == u"jwt-public-key" || name == u"jwt-private-key";
}

// Shells expand '~' on the command line but not in env files or the config file.
QString expandHome(const QString &path, const QProcessEnvironment &env)
{
    if (path != u"~" && !path.startsWith(u"~/"))
        return path;
    const QString home = env.value(QStringLiteral("HOME"), QDir::homePath());
    return home + path.mid(1);
}

Error invalidSetting(const QString &name, const Setting &setting, const QString &expected,
                     bool showValue = true)
{
    const QString shown = showValue ? QStringLiteral(" '%1'").arg(setting.value) : QString();
    return makeError(ErrorKind::Invalid,
                     QStringLiteral("invalid %1 value%2 (from %3): %4")
                         .arg(name, shown, setting.origin, expected),
                     name);
}

Result<Settings> readConfigFile(const QString &path, const QProcessEnvironment &env)
{
    const QFileInfo info(path);
    if (!info.exists() || !info.isFile()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("config file '%1' does not exist").arg(path),
                         QStringLiteral("config"));
    }
    if (!info.isReadable()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("config file '%1' is not readable").arg(path),
                         QStringLiteral("config"));
    }

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(
            ErrorKind::Invalid,
            QStringLiteral("config file '%1' cannot be read: %2").arg(path, file.errorString()),
            QStringLiteral("config"));
    }
    if (file.size() > kMaxConfigFileBytes) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("config file '%1' is larger than %2 bytes")
                             .arg(path)
                             .arg(kMaxConfigFileBytes),
                         QStringLiteral("config"));
    }
    QString text = QString::fromUtf8(file.readAll());
    if (text.startsWith(QChar(0xfeff)))
        text.remove(0, 1); // UTF-8 byte order mark

    // "key = value" lines, read literally: no escapes, no list splitting and no comment inside a
    // value, so a ';' or '#' in a password or URL stays part of it. Whole-line comments start
    // with '#' or ';'. A "[General]" header is tolerated (what QSettings writes); other sections
    // are refused rather than silently ignored.
    Settings settings;
    const QDir baseDir = info.absoluteDir();
    const QString origin = QStringLiteral("config file '%1'").arg(path);
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        const auto lineError = [&](const QString &what, const QString &field) {
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("config file '%1' line %2: %3")
                                 .arg(path, QString::number(i + 1), what),
                             field);
        };
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (line.startsWith(u'[')) {
            if (line.compare(u"[General]", Qt::CaseInsensitive) == 0)
                continue;
            return lineError(QStringLiteral("sections like '%1' are not supported; write the keys "
                                            "at the top level")
                                 .arg(line),
                             QStringLiteral("config"));
        }
        const qsizetype equals = line.indexOf(u'=');
        if (equals <= 0)
            return lineError(QStringLiteral("expected 'key = value'"), QStringLiteral("config"));
        const QString key = line.left(equals).trimmed();
        if (key == u"config" || !findConfigOption(key)) {
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("unknown key '%1' in config file '%2' line %3")
                                 .arg(key, path, QString::number(i + 1)),
                             key);
        }
        QString value = line.mid(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.mid(1, value.size() - 2);
        if (isPathOption(key) && !value.isEmpty()) {
            // A relative path in the file means relative to the file, not to the working
            // directory of whoever started the server (systemd starts in /).
            value = QDir::cleanPath(baseDir.absoluteFilePath(expandHome(value, env)));
        }
        settings.insert(key, Setting{value, origin});
    }
    return settings;
}

Result<qint64> integerSetting(const QString &name, const Setting &setting, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = setting.value.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        return invalidSetting(
            name, setting, QStringLiteral("expected an integer from %1 to %2").arg(min).arg(max));
    }
    return value;
}

Result<qint64> durationSetting(const QString &name, const Setting &setting, qint64 min, qint64 max)
{
    const Result<qint64> seconds = parseDurationSeconds(setting.value);
    if (!seconds || *seconds < min || *seconds > max) {
        return invalidSetting(
            name, setting,
            QStringLiteral("expected seconds from %1 to %2 (e.g. 15, 30s, 2m)").arg(min).arg(max));
    }
    return *seconds;
}

Result<QHostAddress> bindSetting(const Setting &setting)
{
    const QString value = setting.value.trimmed();
    if (value.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    if (value.compare(u"any", Qt::CaseInsensitive) == 0 || value == u"*")
        return QHostAddress(QHostAddress::Any);
    QHostAddress address;
    if (!address.setAddress(value)) {
        return invalidSetting(QStringLiteral("bind"), setting,
                              QStringLiteral("expected an IP address, 'localhost' or 'any'"));
    }
    return address;
}

// Credentials live in these URLs, so errors never echo the value.
Status urlSetting(const QString &name, const Setting &setting, const QStringList &schemes)
{
    const QUrl url(setting.value, QUrl::StrictMode);
    if (!url.isValid() || !schemes.contains(url.scheme()) ||
        (url.scheme() != u"sqlite" && url.host().isEmpty())) {
        return invalidSetting(
            name, setting,
            QStringLiteral("expected a URL starting with %1")
                .arg(schemes.join(QStringLiteral("://, ")) + QStringLiteral("://")),
            false);
    }
    return Ok{};
}

// Turns the layered raw settings into a validated ServerConfig.
Result<ServerConfig> buildConfig(const Settings &settings, const QProcessEnvironment &env)
{
    ServerConfig config;
    const auto has = [&](const char *name) { return settings.contains(QLatin1String(name)); };
    const auto get = [&](const char *name) { return settings.value(QLatin1String(name)); };

    if (has("config"))
        config.configFile = get("config").value;

    if (has("port")) {
        const auto port = integerSetting(QStringLiteral("port"), get("port"), 0, 65535);
        if (!port)
            return port.error();
        config.port = quint16(*port);
    }
    if (has("bind")) {
        const auto bind = bindSetting(get("bind"));
        if (!bind)
            return bind.error();
        config.bind = *bind;
    }

    config.dataDir =
        has("data-dir") ? get("data-dir").value : defaultDataDir(env, ::geteuid() == 0);
    config.dataDir = QDir::cleanPath(QFileInfo(config.dataDir).absoluteFilePath());

    if (has("database")) {
        const Status status = urlSetting(
            QStringLiteral("database"), get("database"),
            {QStringLiteral("postgresql"), QStringLiteral("postgres"), QStringLiteral("sqlite")});
        if (!status)
            return status.error();
        // The same parser Database::open uses, so "sqlite:relative.db" fails here, naming the
        // option, instead of at start-up. Its messages never contain a password.
        const Setting &database = get("database");
        if (const auto parsed = parseDatabaseUrl(DatabaseConfig{database.value, config.dataDir});
            !parsed) {
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("invalid database value (from %1): %2")
                                 .arg(database.origin, parsed.error().message),
                             QStringLiteral("database"));
        }
        config.databaseUrl = database.value;
    }
    if (has("redis")) {
        const Status status =
            urlSetting(QStringLiteral("redis"), get("redis"), {QStringLiteral("redis")});
        if (!status)
            return status.error();
        // The parser the Redis store uses, so a bad port or database fails here, naming the
        // option. Its messages never contain the password.
        const Setting &redis = get("redis");
        if (const auto parsed = RedisUrl::parse(redis.value); !parsed)
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("invalid redis value (from %1): %2")
                                 .arg(redis.origin, parsed.error().message),
                             QStringLiteral("redis"));
        config.redisUrl = redis.value;
    }

    struct DurationTarget
    {
        const char *name;
        int *target;
        qint64 max;
    };
    for (const DurationTarget &d :
         {DurationTarget{"heartbeat-interval", &config.heartbeatIntervalSec, 3600},
          DurationTarget{"session-timeout", &config.sessionTimeoutSec, 86400},
          DurationTarget{"flush-interval", &config.flushIntervalSec, 3600},
          DurationTarget{"alert-interval", &config.alertIntervalSec, 10},
          DurationTarget{"stats-interval", &config.statsIntervalSec, 3600}}) {
        if (!has(d.name))
            continue;
        const auto seconds = durationSetting(QLatin1String(d.name), get(d.name), 1, d.max);
        if (!seconds)
            return seconds.error();
        *d.target = int(*seconds);
    }
    if (config.sessionTimeoutSec <= config.heartbeatIntervalSec) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("session-timeout (%1 s) must be longer than "
                                        "heartbeat-interval (%2 s), or every session expires "
                                        "between two heartbeats")
                             .arg(config.sessionTimeoutSec)
                             .arg(config.heartbeatIntervalSec),
                         QStringLiteral("session-timeout"));
    }

    config.jwtSecretFile = get("jwt-secret-file").value;
    config.jwtPublicKeyFile = get("jwt-public-key").value;
    config.jwtPrivateKeyFile = get("jwt-private-key").value;
    if (!config.jwtSecretFile.isEmpty() && !config.jwtPublicKeyFile.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("jwt-secret-file (from %1) and jwt-public-key (from %2) "
                                        "exclude each other: choose HS256 or RS256")
                             .arg(get("jwt-secret-file").origin, get("jwt-public-key").origin),
                         QStringLiteral("jwt-public-key"));
    }
    if (!config.jwtPrivateKeyFile.isEmpty() && config.jwtPublicKeyFile.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("jwt-private-key (from %1) needs jwt-public-key as well")
                             .arg(get("jwt-private-key").origin),
                         QStringLiteral("jwt-private-key"));
    }

    config.logFormat = defaultLogFormat();
    if (has("log-format")) {
        const QString format = get("log-format").value.toLower();
        if (format == u"json")
            config.logFormat = LogFormat::Json;
        else if (format == u"text")
            config.logFormat = LogFormat::Text;
        else
            return invalidSetting(QStringLiteral("log-format"), get("log-format"),
                                  QStringLiteral("expected json or text"));
    }

    if (has("max-frame-bytes")) {
        const auto bytes = integerSetting(QStringLiteral("max-frame-bytes"), get("max-frame-bytes"),
                                          1024, 16 * 1024 * 1024);
        if (!bytes)
            return bytes.error();
        config.maxFrameBytes = *bytes;
    }
    struct IntTarget
    {
        const char *name;
        int *target;
        qint64 min;
        qint64 max;
    };
    for (const IntTarget &i : {IntTarget{"rate-limit", &config.rateLimitPerSec, 0, 1000000},
                               IntTarget{"rate-limit-burst", &config.rateLimitBurst, 1, 1000000},
                               IntTarget{"max-connections", &config.maxConnections, 0, 10000000},
                               IntTarget{"stomp-heartbeat", &config.stompHeartBeatMs, 100, 3600000}}) {
        if (!has(i.name))
            continue;
        const auto value = integerSetting(QLatin1String(i.name), get(i.name), i.min, i.max);
        if (!value)
            return value.error();
        *i.target = int(*value);
    }

    struct RetentionTarget
    {
        const char *name;
        qint64 *target;
        qint64 min;
    };
    // A bucket must outlive the roll-up that reads it: MINUTE rows feed HOUR rows, HOUR rows DAY
    // rows, so the minimums leave a day of margin.
    for (const RetentionTarget &r :
         {RetentionTarget{"retention-minute", &config.retentionMinuteSec, 2 * 3600},
          RetentionTarget{"retention-hour", &config.retentionHourSec, 2 * 86400},
          RetentionTarget{"retention-day", &config.retentionDaySec, 2 * 86400}}) {
        if (!has(r.name))
            continue;
        const auto seconds =
            durationSetting(QLatin1String(r.name), get(r.name), r.min, 100LL * 365 * 86400);
        if (!seconds)
            return seconds.error();
        *r.target = *seconds;
    }

    config.smtpHost = get("smtp-host").value;
    config.smtpUser = get("smtp-user").value;
    config.smtpPasswordFile = get("smtp-password-file").value;
    config.smtpFrom = get("smtp-from").value;
    if (has("smtp-tls")) {
        const QString mode = get("smtp-tls").value.toLower();
        if (mode == u"none")
            config.smtpTls = SmtpTls::None;
        else if (mode == u"starttls")
            config.smtpTls = SmtpTls::StartTls;
        else if (mode == u"tls")
            config.smtpTls = SmtpTls::Tls;
        else
            return invalidSetting(QStringLiteral("smtp-tls"), get("smtp-tls"),
                                  QStringLiteral("expected none, starttls or tls"));
    }
    if (has("smtp-port")) {
        const auto port = integerSetting(QStringLiteral("smtp-port"), get("smtp-port"), 1, 65535);
        if (!port)
            return port.error();
        config.smtpPort = int(*port);
    }
    return config;
}

QCommandLineOption makeOption(const ConfigOption &option)
{
    return QCommandLineOption(option.name, option.description, option.valueName);
}

// The option a failed QCommandLineParser::parse() is about, for Error::field: an unknown option,
// or a known one given last without its value ("spidi-server --port").
QString offendingOption(const QCommandLineParser &parser, const QStringList &arguments)
{
    if (const QStringList unknown = parser.unknownOptionNames(); !unknown.isEmpty())
        return unknown.constFirst();
    if (arguments.size() > 1) {
        const QString &last = arguments.constLast();
        if (last.startsWith(u"--") && findConfigOption(QStringView(last).mid(2)))
            return last.mid(2);
    }
    return {};
}

} // namespace

QString defaultDataDir(const QProcessEnvironment &env, bool runningAsRoot)
{
    if (runningAsRoot)
        return QStringLiteral("/var/lib/spidi");
    const QString xdg = env.value(QStringLiteral("XDG_DATA_HOME"));
    // The XDG spec says relative values are invalid and must be ignored.
    if (!xdg.isEmpty() && QDir::isAbsolutePath(xdg))
        return xdg + QStringLiteral("/spidi");
    QString home = env.value(QStringLiteral("HOME"));
    if (home.isEmpty())
        home = QDir::homePath();
    return home + QStringLiteral("/.local/share/spidi");
}

LogFormat defaultLogFormat()
{
    return ::isatty(STDERR_FILENO) ? LogFormat::Text : LogFormat::Json;
}

Result<ServerConfig> resolveServerConfig(const QHash<QString, QString> &flagValues,
                                         const QProcessEnvironment &env)
{
    for (auto it = flagValues.cbegin(); it != flagValues.cend(); ++it) {
        if (!findConfigOption(it.key())) {
            return makeError(ErrorKind::Internal,
                             QStringLiteral("unknown option '%1'").arg(it.key()), it.key());
        }
    }

    // Lowest layer first; each later layer overwrites: file < environment < flags.
    Settings settings;
    QString configPath;
    QString configOrigin;
    if (flagValues.contains(QStringLiteral("config"))) {
        configPath = flagValues.value(QStringLiteral("config"));
        configOrigin = QStringLiteral("--config");
    } else if (!env.value(QStringLiteral("SPIDI_CONFIG")).isEmpty()) {
        configPath = env.value(QStringLiteral("SPIDI_CONFIG"));
        configOrigin = QStringLiteral("SPIDI_CONFIG");
    }
    if (!configPath.isEmpty()) {
        configPath = QFileInfo(expandHome(configPath, env)).absoluteFilePath();
        auto fileSettings = readConfigFile(configPath, env);
        if (!fileSettings)
            return fileSettings.error();
        settings = std::move(fileSettings).value();
        settings.insert(QStringLiteral("config"), Setting{configPath, configOrigin});
    }

    for (const ConfigOption &option : configOptions()) {
        if (option.name == u"config")
            continue;
        const QString variable = envVarName(option.name);
        // An empty variable counts as unset (systemd EnvironmentFile lines like SPIDI_REDIS=).
        QString value = env.value(variable).trimmed();
        if (value.isEmpty())
            continue;
        if (isPathOption(option.name))
            value = expandHome(value, env);
        settings.insert(option.name, Setting{value, variable});
    }

    for (auto it = flagValues.cbegin(); it != flagValues.cend(); ++it) {
        if (it.key() == u"config")
            continue;
        settings.insert(it.key(), Setting{it.value().trimmed(), QStringLiteral("--") + it.key()});
    }

    // An empty value on any layer means "use the default" (e.g. --redis= to force in-process).
    for (auto it = settings.begin(); it != settings.end();) {
        if (it->value.isEmpty())
            it = settings.erase(it);
        else
            ++it;
    }
    return buildConfig(settings, env);
}

Result<ParsedCommandLine> parseCommandLine(const QStringList &args, const QProcessEnvironment &env)
{
    ParsedCommandLine parsed;
    // The token command has options of its own (--sub, --perms, ...) and parses them itself.
    if (args.size() > 1 && args.at(1) == u"token") {
        parsed.action = ParsedCommandLine::Action::Token;
        return parsed;
    }

    QCommandLineParser parser;
    for (const ConfigOption &option : configOptions())
        parser.addOption(makeOption(option));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version."));
    parser.addOption(help);
    parser.addOption(version);

    QStringList arguments = args;
    if (arguments.isEmpty())
        arguments << QStringLiteral("spidi-server");
    if (!parser.parse(arguments)) {
        return makeError(ErrorKind::Invalid,
                         parser.errorText() + QStringLiteral(" (see spidi-server --help)"),
                         offendingOption(parser, arguments));
    }
    if (parser.isSet(help)) {
        parsed.action = ParsedCommandLine::Action::Help;
        parsed.text = serverHelpText();
        return parsed;
    }
    if (parser.isSet(version)) {
        parsed.action = ParsedCommandLine::Action::Version;
        parsed.text = versionText();
        return parsed;
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.size() == 1 && positional.constFirst() == u"migrate") {
        parsed.action = ParsedCommandLine::Action::Migrate;
    } else if (positional.contains(QStringLiteral("token"))) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("'token' must come first: spidi-server token [options]"));
    } else if (!positional.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("unknown command '%1' (commands: migrate, token; see "
                                        "spidi-server --help)")
                             .arg(positional.join(QLatin1Char(' '))));
    }

    QHash<QString, QString> flags;
    for (const ConfigOption &option : configOptions()) {
        if (parser.isSet(option.name))
            flags.insert(option.name, parser.value(option.name));
    }
    auto config = resolveServerConfig(flags, env);
    if (!config)
        return config.error();
    parsed.config = std::move(config).value();
    return parsed;
}

Result<ServerConfig> parseServerConfig(const QStringList &args, const QProcessEnvironment &env)
{
    auto parsed = parseCommandLine(args, env);
    if (!parsed)
        return parsed.error();
    if (parsed->action != ParsedCommandLine::Action::Run) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("expected only options, not a command, --help or "
                                        "--version"));
    }
    return std::move(parsed).value().config;
}

QString serverHelpText()
{
    QString text = QStringLiteral(
        "Usage: spidi-server [migrate] [options]\n"
        "       spidi-server token --sub ID --tenant T --perms LIST [--ttl 24h] [options]\n"
        "\n"
        "Spidi real-time presence monitoring server.\n"
        "\n"
        "Commands:\n"
        "  (none)    Run the server.\n"
        "  migrate   Apply the database migrations and exit.\n"
        "  token     Print a signed JWT for local use (see spidi-server token --help).\n"
        "\n"
        "Options (command line > SPIDI_* environment > config file > default):\n");
    for (const ConfigOption &option : configOptions())
        text += formatOptionHelp(option);
    text += QStringLiteral("  -h, --help\n      Show this help.\n"
                           "  -v, --version\n      Show the version.\n");
    return text;
}

QString versionText()
{
    return QStringLiteral("spidi-server " SPIDI_VERSION "\n");
}

} // namespace spidi
