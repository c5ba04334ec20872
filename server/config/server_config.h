#pragma once

#include "auth/jwt_keys.h"
#include "core/result.h"
#include "logging/log_format.h"

#include <QHash>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace spidi {

// Every setting of `spidi-server` (SPEC section 5a, docs/configuration.md). The defaults here are
// the documented defaults; parseCommandLine() layers config file, SPIDI_* environment and
// command-line flags over them.
enum class SmtpTls { None, StartTls, Tls };

struct ServerConfig
{
    quint16 port = 8080; // 0: the OS picks a free port (tests)
    QHostAddress bind = QHostAddress(QHostAddress::AnyIPv4);
    QString configFile;  // the config file that was read, empty if none
    QString dataDir;     // absolute; see defaultDataDir()
    QString databaseUrl; // empty: embedded SQLite file in dataDir
    QString redisUrl;    // empty: in-process hot store
    int heartbeatIntervalSec = 15;
    int sessionTimeoutSec = 45;
    int flushIntervalSec = 30;
    QString jwtSecretFile;     // empty (and no public key): <dataDir>/jwt.secret
    QString jwtPublicKeyFile;  // RS256 verification
    QString jwtPrivateKeyFile; // RS256 minting (token command)
    LogFormat logFormat = LogFormat::Json;
    qint64 maxFrameBytes = 65536;
    int rateLimitPerSec = 50; // per WebSocket connection; 0: unlimited
    int rateLimitBurst = 100;
    int maxConnections = 0; // 0: unlimited
    int stompHeartBeatMs = 10000;
    int alertIntervalSec = 5;
    QString smtpHost; // empty: e-mail channels are recorded as failed ("no SMTP relay")
    int smtpPort = 0; // 0: 25, or 465 with SmtpTls::Tls
    SmtpTls smtpTls = SmtpTls::None;
    QString smtpUser;
    QString smtpPasswordFile;
    QString smtpFrom; // empty: spidi@<host name>
    int statsIntervalSec = 30;
    qint64 retentionMinuteSec = 7 * 86400;
    qint64 retentionHourSec = 90 * 86400;
    qint64 retentionDaySec = 730 * 86400;

    AuthConfig authConfig() const
    {
        return AuthConfig{jwtSecretFile, jwtPublicKeyFile, jwtPrivateKeyFile, dataDir};
    }
};

struct ParsedCommandLine
{
    enum class Action {
        Run,     // spidi-server [options]
        Migrate, // spidi-server migrate [options]: apply migrations and exit
        Token,   // spidi-server token ...: hand the arguments to runTokenCommand()
        Help,    // print `text` to stdout, exit 0
        Version, // print `text` to stdout, exit 0
    };
    Action action = Action::Run;
    ServerConfig config; // filled for Run and Migrate
    QString text;        // help or version text (newline-terminated) for Help and Version
};

// Parses `spidi-server [migrate|token] [options]`. args is the whole command line, program name
// first (QCoreApplication::arguments()). Precedence: flag > SPIDI_* variable > config file
// (--config or SPIDI_CONFIG) > default. Errors are ErrorKind::Invalid with the option in `field`;
// main prints the message and exits with code 2.
Result<ParsedCommandLine> parseCommandLine(const QStringList &args, const QProcessEnvironment &env);

// The options-only part of parseCommandLine: `spidi-server [options]` to a config. A subcommand,
// --help or --version is an error here.
Result<ServerConfig> parseServerConfig(const QStringList &args, const QProcessEnvironment &env);

// Layers config file, environment and already-parsed flag values (long option name without
// dashes → value, e.g. {"data-dir", "/srv/spidi"}) over the defaults and validates the result.
// Used by the token command, which parses its own command line.
Result<ServerConfig> resolveServerConfig(const QHash<QString, QString> &flagValues,
                                         const QProcessEnvironment &env);

QString serverHelpText();
QString versionText(); // "spidi-server <SPIDI_VERSION>\n"

// Root: /var/lib/spidi. Others: $XDG_DATA_HOME/spidi, else $HOME/.local/share/spidi.
QString defaultDataDir(const QProcessEnvironment &env, bool runningAsRoot);
// Text when stderr (where logs go) is a terminal, JSON otherwise (systemd, containers).
LogFormat defaultLogFormat();

} // namespace spidi
