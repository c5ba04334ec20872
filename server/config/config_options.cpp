#include "config_options.h"

namespace spidi {

const QList<ConfigOption> &configOptions()
{
    static const QList<ConfigOption> options = {
        {QStringLiteral("config"), QStringLiteral("FILE"),
         QStringLiteral("Settings file of 'key = value' lines; keys are the option names "
                        "without the leading dashes; '#' starts a comment line."),
         QStringLiteral("none")},
        {QStringLiteral("port"), QStringLiteral("PORT"),
         QStringLiteral("TCP port for WebSocket, REST, health and metrics (0: any free port)."),
         QStringLiteral("8080")},
        {QStringLiteral("bind"), QStringLiteral("ADDR"),
         QStringLiteral("Address to listen on: an IPv4/IPv6 literal, 'localhost' or 'any'."),
         QStringLiteral("0.0.0.0")},
        {QStringLiteral("data-dir"), QStringLiteral("DIR"),
         QStringLiteral("Directory for the SQLite database and the generated JWT secret."),
         QStringLiteral("/var/lib/spidi as root, else $XDG_DATA_HOME/spidi or "
                        "~/.local/share/spidi")},
        {QStringLiteral("database"), QStringLiteral("URL"),
         QStringLiteral("SQL database, e.g. postgresql://user:pass@host:5432/spidi."),
         QStringLiteral("SQLite file spidi.db in the data directory")},
        {QStringLiteral("redis"), QStringLiteral("URL"),
         QStringLiteral("Redis for the shared hot store, e.g. redis://host:6379."),
         QStringLiteral("in-process hot store (single instance)")},
        {QStringLiteral("heartbeat-interval"), QStringLiteral("SEC"),
         QStringLiteral("Heartbeat interval announced to devices (90, 90s, 2m)."),
         QStringLiteral("15")},
        {QStringLiteral("session-timeout"), QStringLiteral("SEC"),
         QStringLiteral("A session silent this long expires; must exceed the heartbeat interval."),
         QStringLiteral("45")},
        {QStringLiteral("flush-interval"), QStringLiteral("SEC"),
         QStringLiteral("How often session history is written behind to the database."),
         QStringLiteral("30")},
        {QStringLiteral("jwt-secret-file"), QStringLiteral("FILE"),
         QStringLiteral("HS256 secret (at least 32 bytes). Excludes --jwt-public-key."),
         QStringLiteral("<data-dir>/jwt.secret, created with mode 0600 on first use")},
        {QStringLiteral("jwt-public-key"), QStringLiteral("FILE"),
         QStringLiteral("RS256 public key (PEM) to verify tokens with."), QStringLiteral("none")},
        {QStringLiteral("jwt-private-key"), QStringLiteral("FILE"),
         QStringLiteral("RS256 private key (PEM), used only by 'token' to sign."),
         QStringLiteral("none")},
        {QStringLiteral("log-format"), QStringLiteral("FORMAT"),
         QStringLiteral("Log line format on stderr: json or text."),
         QStringLiteral("text when stderr is a terminal, else json")},
        {QStringLiteral("max-frame-bytes"), QStringLiteral("BYTES"),
         QStringLiteral("Largest WebSocket message accepted (1024 to 16777216)."),
         QStringLiteral("65536")},
        {QStringLiteral("rate-limit"), QStringLiteral("N"),
         QStringLiteral("Messages per second allowed per WebSocket connection (0: unlimited)."),
         QStringLiteral("50")},
        {QStringLiteral("rate-limit-burst"), QStringLiteral("N"),
         QStringLiteral("Messages a connection may send at once above the rate limit."),
         QStringLiteral("100")},
        {QStringLiteral("max-connections"), QStringLiteral("N"),
         QStringLiteral("Most concurrent WebSocket connections per instance (0: unlimited)."),
         QStringLiteral("0")},
        {QStringLiteral("stomp-heartbeat"), QStringLiteral("MS"),
         QStringLiteral("STOMP heart-beat the server offers in CONNECTED, in ms (100 to 3600000)."),
         QStringLiteral("10000")},
        {QStringLiteral("alert-interval"), QStringLiteral("SEC"),
         QStringLiteral("How often alert rules are evaluated (also on every metric change)."),
         QStringLiteral("5")},
        {QStringLiteral("smtp-host"), QStringLiteral("HOST"),
         QStringLiteral("SMTP relay for e-mail alert channels; empty disables e-mail."),
         QStringLiteral("none")},
        {QStringLiteral("smtp-port"), QStringLiteral("PORT"), QStringLiteral("SMTP relay port."),
         QStringLiteral("25 (465 with smtp-tls=tls)")},
        {QStringLiteral("smtp-tls"), QStringLiteral("MODE"),
         QStringLiteral("SMTP transport security: none, starttls or tls."), QStringLiteral("none")},
        {QStringLiteral("smtp-user"), QStringLiteral("USER"),
         QStringLiteral("SMTP user name; empty: no authentication."), QStringLiteral("none")},
        {QStringLiteral("smtp-password-file"), QStringLiteral("FILE"),
         QStringLiteral("File holding the SMTP password (first line)."), QStringLiteral("none")},
        {QStringLiteral("smtp-from"), QStringLiteral("ADDR"),
         QStringLiteral("Sender address of alert e-mails."), QStringLiteral("spidi@<host name>")},
        {QStringLiteral("stats-interval"), QStringLiteral("SEC"),
         QStringLiteral("How often room statistics are consolidated, rolled up and purged."),
         QStringLiteral("30")},
        {QStringLiteral("retention-minute"), QStringLiteral("DURATION"),
         QStringLiteral("How long MINUTE statistics buckets are kept (7d, 168h)."),
         QStringLiteral("7d")},
        {QStringLiteral("retention-hour"), QStringLiteral("DURATION"),
         QStringLiteral("How long HOUR statistics buckets are kept."), QStringLiteral("90d")},
        {QStringLiteral("retention-day"), QStringLiteral("DURATION"),
         QStringLiteral("How long DAY statistics buckets are kept."), QStringLiteral("730d")},
    };
    return options;
}

const ConfigOption *findConfigOption(QStringView name)
{
    for (const ConfigOption &option : configOptions()) {
        if (option.name == name)
            return &option;
    }
    return nullptr;
}

QString envVarName(QStringView optionName)
{
    QString name = QStringLiteral("SPIDI_") + optionName.toString().toUpper();
    name.replace(u'-', u'_');
    return name;
}

QString formatOptionHelp(const ConfigOption &option)
{
    return QStringLiteral("  --%1 %2\n      %3\n      env %4, default: %5\n")
        .arg(option.name, option.valueName, option.description, envVarName(option.name),
             option.defaultText);
}

} // namespace spidi
