// `spidi-server` settings (SPEC section 5a, docs/configuration.md): defaults, every option from
// each source, precedence flag > SPIDI_* > config file > default, validation and the actions.
#include "config/config_options.h"
#include "config/duration.h"
#include "config/server_config.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <unistd.h>

using namespace spidi;

namespace {

using Action = ParsedCommandLine::Action;

QString logFormatName(LogFormat format)
{
    return format == LogFormat::Json ? QStringLiteral("json") : QStringLiteral("text");
}

// The resolved value of one option as text, so one table can check every option.
QString valueOf(const ServerConfig &c, const QString &option)
{
    if (option == u"config")
        return c.configFile;
    if (option == u"port")
        return QString::number(c.port);
    if (option == u"bind")
        return c.bind.toString();
    if (option == u"data-dir")
        return c.dataDir;
    if (option == u"database")
        return c.databaseUrl;
    if (option == u"redis")
        return c.redisUrl;
    if (option == u"heartbeat-interval")
        return QString::number(c.heartbeatIntervalSec);
    if (option == u"session-timeout")
        return QString::number(c.sessionTimeoutSec);
    if (option == u"flush-interval")
        return QString::number(c.flushIntervalSec);
    if (option == u"jwt-secret-file")
        return c.jwtSecretFile;
    if (option == u"jwt-public-key")
        return c.jwtPublicKeyFile;
    if (option == u"jwt-private-key")
        return c.jwtPrivateKeyFile;
    if (option == u"log-format")
        return logFormatName(c.logFormat);
    if (option == u"max-frame-bytes")
        return QString::number(c.maxFrameBytes);
    if (option == u"rate-limit")
        return QString::number(c.rateLimitPerSec);
    if (option == u"rate-limit-burst")
        return QString::number(c.rateLimitBurst);
    if (option == u"max-connections")
        return QString::number(c.maxConnections);
    if (option == u"stomp-heartbeat")
        return QString::number(c.stompHeartBeatMs);
    if (option == u"alert-interval")
        return QString::number(c.alertIntervalSec);
    if (option == u"smtp-host")
        return c.smtpHost;
    if (option == u"smtp-port")
        return QString::number(c.smtpPort);
    if (option == u"smtp-tls")
        return c.smtpTls == SmtpTls::None       ? QStringLiteral("none")
               : c.smtpTls == SmtpTls::StartTls ? QStringLiteral("starttls")
                                                : QStringLiteral("tls");
    if (option == u"smtp-user")
        return c.smtpUser;
    if (option == u"smtp-password-file")
        return c.smtpPasswordFile;
    if (option == u"smtp-from")
        return c.smtpFrom;
    if (option == u"stats-interval")
        return QString::number(c.statsIntervalSec);
    if (option == u"retention-minute")
        return QString::number(c.retentionMinuteSec);
    if (option == u"retention-hour")
        return QString::number(c.retentionHourSec);
    if (option == u"retention-day")
        return QString::number(c.retentionDaySec);
    return QStringLiteral("<no such option %1>").arg(option);
}

template <typename T>
QByteArray describe(const Result<T> &result)
{
    return result.ok() ? QByteArray("ok")
                       : (result.error().message + QStringLiteral(" [field ") +
                          result.error().field + QLatin1Char(']'))
                             .toUtf8();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(content) == content.size();
}

} // namespace

class TestServerConfig : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void defaults();
    void defaultDataDir_data();
    void defaultDataDir();
    void everyOptionFromEverySource_data();
    void everyOptionFromEverySource();
    void precedence();
    void configFromEnvironment();
    void configFileRelativePathsAndHome();
    void configFileSyntax();
    void configFileValueWithComma();
    void emptyValueMeansDefault();
    void bindForms_data();
    void bindForms();
    void durations_data();
    void durations();
    void invalidDurations_data();
    void invalidDurations();
    void validationErrors_data();
    void validationErrors();
    void urlErrorsDoNotEchoCredentials();
    void helpMentionsEveryOption();
    void helpAndVersionActions_data();
    void helpAndVersionActions();
    void migrateAndTokenActions();
    void commandErrors_data();
    void commandErrors();
    void parseServerConfigRefusesActions();
    void resolveServerConfigLayers();
    void envVarNames();

private:
    QProcessEnvironment cleanEnv() const;
    QString configFile(const QByteArray &content);
    Result<ParsedCommandLine> parse(const QStringList &args, const QProcessEnvironment &env) const
    {
        return parseCommandLine(QStringList{QStringLiteral("spidi-server")} + args, env);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    int m_files = 0;
};

void TestServerConfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QProcessEnvironment TestServerConfig::cleanEnv() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_dir->filePath(QStringLiteral("home")));
    return env;
}

QString TestServerConfig::configFile(const QByteArray &content)
{
    // A new name every time: QSettings caches files by name.
    const QString path = m_dir->filePath(QStringLiteral("spidi-%1.conf").arg(++m_files));
    if (!writeFile(path, content))
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

void TestServerConfig::defaults()
{
    const auto parsed = parse({}, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->action, Action::Run);
    const ServerConfig &c = parsed->config;
    QCOMPARE(c.port, quint16(8080));
    QCOMPARE(c.bind, QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(c.configFile, QString());
    QCOMPARE(c.dataDir, spidi::defaultDataDir(cleanEnv(), ::geteuid() == 0));
    QCOMPARE(c.databaseUrl, QString());
    QCOMPARE(c.redisUrl, QString());
    QCOMPARE(c.heartbeatIntervalSec, 15);
    QCOMPARE(c.sessionTimeoutSec, 45);
    QCOMPARE(c.flushIntervalSec, 30);
    QCOMPARE(c.jwtSecretFile, QString());
    QCOMPARE(c.jwtPublicKeyFile, QString());
    QCOMPARE(c.jwtPrivateKeyFile, QString());
    QCOMPARE(c.logFormat, defaultLogFormat());
    QCOMPARE(c.maxFrameBytes, qint64(65536));
    QCOMPARE(c.rateLimitPerSec, 50);
    QCOMPARE(c.rateLimitBurst, 100);
    QCOMPARE(c.maxConnections, 0);

    const AuthConfig auth = c.authConfig();
    QCOMPARE(auth.dataDir, c.dataDir);
    QVERIFY(auth.secretFile.isEmpty());
    QVERIFY(auth.publicKeyFile.isEmpty());

    // The struct's own defaults are the documented ones too.
    const ServerConfig plain;
    QCOMPARE(plain.port, quint16(8080));
    QCOMPARE(plain.heartbeatIntervalSec, 15);
    QCOMPARE(plain.sessionTimeoutSec, 45);
    QCOMPARE(plain.flushIntervalSec, 30);
}

void TestServerConfig::defaultDataDir_data()
{
    QTest::addColumn<QString>("home");
    QTest::addColumn<QString>("xdg");
    QTest::addColumn<bool>("root");
    QTest::addColumn<QString>("expected");
    QTest::newRow("root") << "/root"
                          << "/x" << true << "/var/lib/spidi";
    QTest::newRow("user with XDG") << "/home/u"
                                   << "/data/u" << false << "/data/u/spidi";
    QTest::newRow("user without XDG") << "/home/u"
                                      << "" << false << "/home/u/.local/share/spidi";
    QTest::newRow("relative XDG ignored") << "/home/u"
                                          << "rel/dir" << false << "/home/u/.local/share/spidi";
}

void TestServerConfig::defaultDataDir()
{
    QFETCH(QString, home);
    QFETCH(QString, xdg);
    QFETCH(bool, root);
    QFETCH(QString, expected);
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), home);
    if (!xdg.isEmpty())
        env.insert(QStringLiteral("XDG_DATA_HOME"), xdg);
    QCOMPARE(spidi::defaultDataDir(env, root), expected);
}

void TestServerConfig::everyOptionFromEverySource_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QStringList>("otherFlags");

    QTest::newRow("port") << "port"
                          << "9090"
                          << "9090" << QStringList{};
    QTest::newRow("port 0") << "port"
                            << "0"
                            << "0" << QStringList{};
    QTest::newRow("bind") << "bind"
                          << "127.0.0.1"
                          << "127.0.0.1" << QStringList{};
    QTest::newRow("bind ipv6") << "bind"
                               << "::1"
                               << "::1" << QStringList{};
    QTest::newRow("data-dir") << "data-dir"
                              << "/srv/spidi/data"
                              << "/srv/spidi/data" << QStringList{};
    QTest::newRow("data-dir cleaned") << "data-dir"
                                      << "/srv/spidi/../other/"
                                      << "/srv/other" << QStringList{};
    QTest::newRow("database sqlite") << "database"
                                     << "sqlite:///srv/spidi.db"
                                     << "sqlite:///srv/spidi.db" << QStringList{};
    QTest::newRow("database in memory") << "database"
                                        << "sqlite::memory:"
                                        << "sqlite::memory:" << QStringList{};
    QTest::newRow("database postgresql") << "database"
                                         << "postgresql://spidi:pw@db:5432/spidi"
                                         << "postgresql://spidi:pw@db:5432/spidi" << QStringList{};
    QTest::newRow("redis") << "redis"
                           << "redis://cache:6379"
                           << "redis://cache:6379" << QStringList{};
    QTest::newRow("heartbeat-interval") << "heartbeat-interval"
                                        << "20"
                                        << "20" << QStringList{};
    QTest::newRow("heartbeat-interval minutes")
        << "heartbeat-interval"
        << "2m"
        << "120" << QStringList{QStringLiteral("--session-timeout"), QStringLiteral("300")};
    QTest::newRow("session-timeout") << "session-timeout"
                                     << "60s"
                                     << "60" << QStringList{};
    QTest::newRow("flush-interval") << "flush-interval"
                                    << "5"
                                    << "5" << QStringList{};
    QTest::newRow("flush-interval minutes") << "flush-interval"
                                            << "2m"
                                            << "120" << QStringList{};
    QTest::newRow("jwt-secret-file") << "jwt-secret-file"
                                     << "/etc/spidi/jwt.secret"
                                     << "/etc/spidi/jwt.secret" << QStringList{};
    QTest::newRow("jwt-public-key") << "jwt-public-key"
                                    << "/etc/spidi/public.pem"
                                    << "/etc/spidi/public.pem" << QStringList{};
    QTest::newRow("jwt-private-key")
        << "jwt-private-key"
        << "/etc/spidi/private.pem"
        << "/etc/spidi/private.pem"
        << QStringList{QStringLiteral("--jwt-public-key"), QStringLiteral("/etc/spidi/public.pem")};
    QTest::newRow("log-format json") << "log-format"
                                     << "json"
                                     << "json" << QStringList{};
    QTest::newRow("log-format text") << "log-format"
                                     << "text"
                                     << "text" << QStringList{};
    QTest::newRow("log-format upper case") << "log-format"
                                           << "TEXT"
                                           << "text" << QStringList{};
    QTest::newRow("max-frame-bytes") << "max-frame-bytes"
                                     << "131072"
                                     << "131072" << QStringList{};
    QTest::newRow("rate-limit") << "rate-limit"
                                << "0"
                                << "0" << QStringList{};
    QTest::newRow("rate-limit-burst") << "rate-limit-burst"
                                      << "7"
                                      << "7" << QStringList{};
    QTest::newRow("max-connections") << "max-connections"
                                     << "20000"
                                     << "20000" << QStringList{};
    QTest::newRow("stomp-heartbeat") << "stomp-heartbeat"
                                     << "500"
                                     << "500" << QStringList{};
    QTest::newRow("alert-interval") << "alert-interval"
                                    << "2s"
                                    << "2" << QStringList{};
    QTest::newRow("smtp-host") << "smtp-host"
                               << "mail.example.org"
                               << "mail.example.org" << QStringList{};
    QTest::newRow("smtp-port") << "smtp-port"
                               << "2525"
                               << "2525" << QStringList{};
    QTest::newRow("smtp-tls starttls") << "smtp-tls"
                                       << "STARTTLS"
                                       << "starttls" << QStringList{};
    QTest::newRow("smtp-tls tls") << "smtp-tls"
                                  << "tls"
                                  << "tls" << QStringList{};
    QTest::newRow("smtp-user") << "smtp-user"
                               << "alerts"
                               << "alerts" << QStringList{};
    QTest::newRow("smtp-password-file") << "smtp-password-file"
                                        << "/etc/spidi/smtp.password"
                                        << "/etc/spidi/smtp.password" << QStringList{};
    QTest::newRow("smtp-from") << "smtp-from"
                               << "noc@example.org"
                               << "noc@example.org" << QStringList{};
    QTest::newRow("stats-interval") << "stats-interval"
                                    << "1m"
                                    << "60" << QStringList{};
    QTest::newRow("retention-minute") << "retention-minute"
                                      << "3d"
                                      << "259200" << QStringList{};
    QTest::newRow("retention-hour") << "retention-hour"
                                    << "30d"
                                    << "2592000" << QStringList{};
    QTest::newRow("retention-day") << "retention-day"
                                   << "365d"
                                   << "31536000" << QStringList{};
}

void TestServerConfig::everyOptionFromEverySource()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    QFETCH(QStringList, otherFlags);
    QVERIFY(findConfigOption(option));

    // Command-line flag, both "--name value" and "--name=value".
    auto fromFlag =
        parse(QStringList{QStringLiteral("--") + option, value} + otherFlags, cleanEnv());
    QVERIFY2(fromFlag.ok(), describe(fromFlag).constData());
    QCOMPARE(valueOf(fromFlag->config, option), expected);
    fromFlag =
        parse(QStringList{QStringLiteral("--%1=%2").arg(option, value)} + otherFlags, cleanEnv());
    QVERIFY2(fromFlag.ok(), describe(fromFlag).constData());
    QCOMPARE(valueOf(fromFlag->config, option), expected);

    // SPIDI_* environment variable.
    QProcessEnvironment env = cleanEnv();
    env.insert(envVarName(option), value);
    const auto fromEnv = parse(otherFlags, env);
    QVERIFY2(fromEnv.ok(), describe(fromEnv).constData());
    QCOMPARE(valueOf(fromEnv->config, option), expected);

    // Config file key.
    const QString file = configFile(option.toUtf8() + " = " + value.toUtf8() + "\n");
    const auto fromFile =
        parse(QStringList{QStringLiteral("--config"), file} + otherFlags, cleanEnv());
    QVERIFY2(fromFile.ok(), describe(fromFile).constData());
    QCOMPARE(valueOf(fromFile->config, option), expected);
    QCOMPARE(fromFile->config.configFile, file);
}

void TestServerConfig::precedence()
{
    const QString file = configFile("port = 1111\nredis = redis://file:6379\nflush-interval = 11\n"
                                    "rate-limit = 11\n");
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_PORT"), QStringLiteral("2222"));
    env.insert(QStringLiteral("SPIDI_REDIS"), QStringLiteral("redis://env:6379"));
    env.insert(QStringLiteral("SPIDI_FLUSH_INTERVAL"), QStringLiteral("22"));

    const auto all = parse(
        {QStringLiteral("--config"), file, QStringLiteral("--port"), QStringLiteral("3333")}, env);
    QVERIFY2(all.ok(), describe(all).constData());
    QCOMPARE(all->config.port, quint16(3333));                          // flag > env > file
    QCOMPARE(all->config.redisUrl, QStringLiteral("redis://env:6379")); // env > file
    QCOMPARE(all->config.flushIntervalSec, 22);                         // env > file
    QCOMPARE(all->config.rateLimitPerSec, 11);                          // file > default
    QCOMPARE(all->config.rateLimitBurst, 100);                          // default

    const auto noFlag = parse({QStringLiteral("--config"), file}, env);
    QVERIFY(noFlag.ok());
    QCOMPARE(noFlag->config.port, quint16(2222));

    const auto fileOnly = parse({QStringLiteral("--config"), file}, cleanEnv());
    QVERIFY(fileOnly.ok());
    QCOMPARE(fileOnly->config.port, quint16(1111));
    QCOMPARE(fileOnly->config.redisUrl, QStringLiteral("redis://file:6379"));
    QCOMPARE(fileOnly->config.flushIntervalSec, 11);

    // A bad value in a lower layer is an error, unless a higher layer replaces it.
    QProcessEnvironment badEnv = cleanEnv();
    badEnv.insert(QStringLiteral("SPIDI_PORT"), QStringLiteral("not-a-port"));
    const auto badFromEnv = parse({}, badEnv);
    QVERIFY(!badFromEnv.ok());
    QVERIFY2(badFromEnv.error().message.contains(QLatin1String("SPIDI_PORT")),
             describe(badFromEnv).constData());
    QVERIFY(parse({QStringLiteral("--port"), QStringLiteral("80")}, badEnv).ok());
}

void TestServerConfig::configFromEnvironment()
{
    const QString fromEnv = configFile("port = 4001\n");
    const QString fromFlag = configFile("port = 4002\n");
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_CONFIG"), fromEnv);
    const auto viaEnv = parse({}, env);
    QVERIFY2(viaEnv.ok(), describe(viaEnv).constData());
    QCOMPARE(viaEnv->config.port, quint16(4001));
    QCOMPARE(viaEnv->config.configFile, fromEnv);

    const auto viaFlag = parse({QStringLiteral("--config"), fromFlag}, env);
    QVERIFY(viaFlag.ok());
    QCOMPARE(viaFlag->config.port, quint16(4002));
    QCOMPARE(viaFlag->config.configFile, fromFlag);
}

void TestServerConfig::configFileRelativePathsAndHome()
{
    const QString sub = m_dir->filePath(QStringLiteral("etc"));
    QVERIFY(QDir().mkpath(sub));
    const QString file = sub + QStringLiteral("/spidi.ini");
    QVERIFY(writeFile(file, "# comment line\n"
                            "data-dir = data\n"
                            "jwt-secret-file = ../secrets/jwt.secret\n"
                            "jwt-public-key = ~/keys/pub.pem\n"));
    // A public key and a secret exclude each other, so check them in two parses.
    auto parsed = parse({QStringLiteral("--config"), file, QStringLiteral("--jwt-public-key="),
                         QStringLiteral("--log-format"), QStringLiteral("json")},
                        cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.dataDir, sub + QStringLiteral("/data"));
    QCOMPARE(parsed->config.jwtSecretFile, m_dir->filePath(QStringLiteral("secrets/jwt.secret")));

    parsed =
        parse({QStringLiteral("--config"), file, QStringLiteral("--jwt-secret-file=")}, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.jwtPublicKeyFile,
             m_dir->filePath(QStringLiteral("home")) + QStringLiteral("/keys/pub.pem"));

    // '~' in an environment variable means $HOME as well.
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_DATA_DIR"), QStringLiteral("~/spidi-data"));
    const auto home = parse({}, env);
    QVERIFY(home.ok());
    QCOMPARE(home->config.dataDir,
             m_dir->filePath(QStringLiteral("home")) + QStringLiteral("/spidi-data"));
}

void TestServerConfig::configFileSyntax()
{
    // Comments, a [General] header, quotes, CRLF line endings, a byte order mark, and values
    // taken literally (';', '#' and ',' are part of the value).
    const QString file = configFile("\xef\xbb\xbf# Spidi settings\r\n"
                                    "; another comment\r\n"
                                    "[General]\r\n"
                                    "\r\n"
                                    "   port=7001   \r\n"
                                    "port = 7002\r\n"
                                    "database = postgresql://u:p;w,x@h/d\r\n"
                                    "data-dir = /srv/a#b;c\r\n"
                                    "redis = \"redis://cache:6379\"\r\n"
                                    "log-format = text\r\n");
    const auto parsed = parse({QStringLiteral("--config"), file}, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.port, quint16(7002)); // the last line of a key wins
    QCOMPARE(parsed->config.databaseUrl, QStringLiteral("postgresql://u:p;w,x@h/d"));
    QCOMPARE(parsed->config.dataDir, QStringLiteral("/srv/a#b;c"));
    QCOMPARE(parsed->config.redisUrl, QStringLiteral("redis://cache:6379"));
    QCOMPARE(parsed->config.logFormat, LogFormat::Text);
}

void TestServerConfig::configFileValueWithComma()
{
    // QSettings splits unquoted values at commas; a value is one string.
    const QString file = configFile("database = postgresql://u:p@h/d?options=a,b\n");
    const auto parsed = parse({QStringLiteral("--config"), file}, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.databaseUrl, QStringLiteral("postgresql://u:p@h/d?options=a,b"));
}

void TestServerConfig::emptyValueMeansDefault()
{
    const QString file = configFile("redis = redis://file:6379\nport = 1234\n");
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_PORT"), QString()); // EnvironmentFile "SPIDI_PORT="
    const auto parsed = parse({QStringLiteral("--config"), file, QStringLiteral("--redis=")}, env);
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.redisUrl, QString()); // --redis= forces the in-process store
    QCOMPARE(parsed->config.port, quint16(1234)); // an empty variable does not hide the file
}

void TestServerConfig::bindForms_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QHostAddress>("expected");
    QTest::newRow("localhost") << "localhost" << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("LOCALHOST") << "LOCALHOST" << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("any") << "any" << QHostAddress(QHostAddress::Any);
    QTest::newRow("star") << "*" << QHostAddress(QHostAddress::Any);
    QTest::newRow("ipv4") << "10.1.2.3" << QHostAddress(QStringLiteral("10.1.2.3"));
    QTest::newRow("ipv4 any") << "0.0.0.0" << QHostAddress(QHostAddress::AnyIPv4);
    QTest::newRow("ipv6 any") << "::" << QHostAddress(QHostAddress::AnyIPv6);
}

void TestServerConfig::bindForms()
{
    QFETCH(QString, value);
    QFETCH(QHostAddress, expected);
    const auto parsed = parse({QStringLiteral("--bind"), value}, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(parsed->config.bind, expected);
}

void TestServerConfig::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("plain") << "15" << qint64(15);
    QTest::newRow("seconds") << "15s" << qint64(15);
    QTest::newRow("minutes") << "2m" << qint64(120);
    QTest::newRow("hours") << "24h" << qint64(86400);
    QTest::newRow("days") << "7d" << qint64(604800);
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("surrounding spaces") << " 90s " << qint64(90);
    QTest::newRow("leading zeros") << "007" << qint64(7);
}

void TestServerConfig::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    const auto parsed = parseDurationSeconds(text);
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(*parsed, seconds);
}

void TestServerConfig::invalidDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("blank") << "  ";
    QTest::newRow("unit only") << "s";
    QTest::newRow("negative") << "-5";
    QTest::newRow("plus sign") << "+5";
    QTest::newRow("fraction") << "1.5m";
    QTest::newRow("unknown unit") << "5w";
    QTest::newRow("upper-case unit") << "5M";
    QTest::newRow("two units") << "1h30m";
    QTest::newRow("space before unit") << "5 m";
    QTest::newRow("words") << "soon";
    QTest::newRow("overflow") << "9223372036854775807d";
    QTest::newRow("too many digits") << "99999999999999999999";
}

void TestServerConfig::invalidDurations()
{
    QFETCH(QString, text);
    const auto parsed = parseDurationSeconds(text);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QVERIFY2(parsed.error().message.contains(QLatin1String("duration")),
             describe(parsed).constData());
}

void TestServerConfig::validationErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("port too large") << QStringList{"--port", "70000"} << ""
                                    << ""
                                    << "port"
                                    << "70000";
    QTest::newRow("port negative") << QStringList{"--port=-1"} << ""
                                   << ""
                                   << "port"
                                   << "port";
    QTest::newRow("port not a number") << QStringList{"--port", "http"} << ""
                                       << ""
                                       << "port"
                                       << "--port";
    QTest::newRow("port from env") << QStringList{} << "SPIDI_PORT"
                                   << "80x"
                                   << "port"
                                   << "SPIDI_PORT";
    QTest::newRow("bind") << QStringList{"--bind", "not-an-address"} << ""
                          << ""
                          << "bind"
                          << "not-an-address";
    QTest::newRow("timeout equal to heartbeat")
        << QStringList{"--heartbeat-interval", "30", "--session-timeout", "30"} << ""
        << ""
        << "session-timeout"
        << "heartbeat-interval";
    QTest::newRow("timeout below default heartbeat") << QStringList{"--session-timeout", "10"} << ""
                                                     << ""
                                                     << "session-timeout"
                                                     << "session-timeout";
    QTest::newRow("heartbeat above default timeout")
        << QStringList{"--heartbeat-interval", "1m"} << ""
        << ""
        << "session-timeout"
        << "heartbeat-interval";
    QTest::newRow("alert-interval above 10 s") << QStringList{"--alert-interval", "11"} << ""
                                               << ""
                                               << "alert-interval"
                                               << "alert-interval";
    QTest::newRow("smtp-tls unknown") << QStringList{"--smtp-tls", "ssl3"} << ""
                                      << ""
                                      << "smtp-tls"
                                      << "ssl3";
    QTest::newRow("smtp-port zero") << QStringList{} << "SPIDI_SMTP_PORT"
                                    << "0"
                                    << "smtp-port"
                                    << "SPIDI_SMTP_PORT";
    QTest::newRow("retention-minute below 2 h") << QStringList{"--retention-minute", "1h"} << ""
                                                << ""
                                                << "retention-minute"
                                                << "retention-minute";
    QTest::newRow("heartbeat zero") << QStringList{"--heartbeat-interval", "0"} << ""
                                    << ""
                                    << "heartbeat-interval"
                                    << "heartbeat-interval";
    QTest::newRow("heartbeat garbage") << QStringList{"--heartbeat-interval", "fast"} << ""
                                       << ""
                                       << "heartbeat-interval"
                                       << "fast";
    QTest::newRow("session-timeout too long") << QStringList{"--session-timeout", "2d"} << ""
                                              << ""
                                              << "session-timeout"
                                              << "86400";
    QTest::newRow("flush-interval zero") << QStringList{} << "SPIDI_FLUSH_INTERVAL"
                                         << "0"
                                         << "flush-interval"
                                         << "SPIDI_FLUSH_INTERVAL";
    QTest::newRow("unknown option") << QStringList{"--frobnicate", "1"} << ""
                                    << ""
                                    << "frobnicate"
                                    << "frobnicate";
    QTest::newRow("missing value") << QStringList{"--port"} << ""
                                   << ""
                                   << "port"
                                   << "port";
    QTest::newRow("unknown log format") << QStringList{"--log-format", "xml"} << ""
                                        << ""
                                        << "log-format"
                                        << "xml";
    QTest::newRow("database scheme") << QStringList{"--database", "mysql://h/db"} << ""
                                     << ""
                                     << "database"
                                     << "postgresql";
    QTest::newRow("database without host") << QStringList{"--database", "postgresql:///db"} << ""
                                           << ""
                                           << "database"
                                           << "database";
    QTest::newRow("database relative sqlite path")
        << QStringList{"--database", "sqlite:relative.db"} << ""
        << ""
        << "database"
        << "absolute";
    QTest::newRow("postgresql without database")
        << QStringList{"--database", "postgresql://u:secret@db:5432"} << ""
        << ""
        << "database"
        << "names no database";
    QTest::newRow("redis scheme") << QStringList{"--redis", "http://cache:6379"} << ""
                                  << ""
                                  << "redis"
                                  << "redis://";
    QTest::newRow("secret and public key")
        << QStringList{"--jwt-secret-file", "/a", "--jwt-public-key", "/b"} << ""
        << ""
        << "jwt-public-key"
        << "jwt-secret-file";
    QTest::newRow("private key alone") << QStringList{"--jwt-private-key", "/p"} << ""
                                       << ""
                                       << "jwt-private-key"
                                       << "jwt-public-key";
    QTest::newRow("max-frame-bytes too small") << QStringList{"--max-frame-bytes", "100"} << ""
                                               << ""
                                               << "max-frame-bytes"
                                               << "1024";
    QTest::newRow("max-frame-bytes too large") << QStringList{"--max-frame-bytes", "16777217"} << ""
                                               << ""
                                               << "max-frame-bytes"
                                               << "16777216";
    QTest::newRow("rate-limit negative") << QStringList{"--rate-limit=-1"} << ""
                                         << ""
                                         << "rate-limit"
                                         << "rate-limit";
    QTest::newRow("rate-limit-burst zero") << QStringList{"--rate-limit-burst", "0"} << ""
                                           << ""
                                           << "rate-limit-burst"
                                           << "rate-limit-burst";
    QTest::newRow("max-connections negative") << QStringList{"--max-connections", "-3"} << ""
                                              << ""
                                              << "max-connections"
                                              << "max-connections";
    QTest::newRow("stomp-heartbeat too short") << QStringList{"--stomp-heartbeat", "99"} << ""
                                               << ""
                                               << "stomp-heartbeat"
                                               << "stomp-heartbeat";
    QTest::newRow("missing config file") << QStringList{"--config", "/nonexistent/spidi.conf"} << ""
                                         << ""
                                         << "config"
                                         << "/nonexistent/spidi.conf";
    QTest::newRow("missing config file from env") << QStringList{} << "SPIDI_CONFIG"
                                                  << "/nonexistent/other.conf"
                                                  << "config"
                                                  << "/nonexistent/other.conf";
}

void TestServerConfig::validationErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, envName);
    QFETCH(QString, envValue);
    QFETCH(QString, field);
    QFETCH(QString, messagePart);
    QProcessEnvironment env = cleanEnv();
    if (!envName.isEmpty())
        env.insert(envName, envValue);
    const auto parsed = parse(args, env);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QCOMPARE(parsed.error().field, field);
    QVERIFY2(parsed.error().message.contains(messagePart), describe(parsed).constData());
}

void TestServerConfig::urlErrorsDoNotEchoCredentials()
{
    const auto parsed =
        parse({QStringLiteral("--database"), QStringLiteral("mysql://root:hunter2@db/spidi")},
              cleanEnv());
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().field, QStringLiteral("database"));
    QVERIFY(!parsed.error().message.contains(QLatin1String("hunter2")));
    const auto noDatabase =
        parse({QStringLiteral("--database"), QStringLiteral("postgresql://root:hunter2@db:5432")},
              cleanEnv());
    QVERIFY(!noDatabase.ok());
    QCOMPARE(noDatabase.error().field, QStringLiteral("database"));
    QVERIFY(!noDatabase.error().message.contains(QLatin1String("hunter2")));

    const QString file = configFile("unknown-key = 1\n");
    const auto badKey = parse({QStringLiteral("--config"), file}, cleanEnv());
    QVERIFY(!badKey.ok());
    QCOMPARE(badKey.error().field, QStringLiteral("unknown-key"));
    QVERIFY(badKey.error().message.contains(file));

    // "config" is not a key of the config file, and sections are not supported.
    const auto nested =
        parse({QStringLiteral("--config"), configFile("config = /etc/other.conf\n")}, cleanEnv());
    QVERIFY(!nested.ok());
    QCOMPARE(nested.error().field, QStringLiteral("config"));
    const auto section =
        parse({QStringLiteral("--config"), configFile("[server]\nport = 1\n")}, cleanEnv());
    QVERIFY(!section.ok());
    QCOMPARE(section.error().field, QStringLiteral("config"));
    QVERIFY2(section.error().message.contains(QLatin1String("line 1")),
             describe(section).constData());
    const auto noEquals =
        parse({QStringLiteral("--config"), configFile("port = 1\nport 2\n")}, cleanEnv());
    QVERIFY(!noEquals.ok());
    QCOMPARE(noEquals.error().field, QStringLiteral("config"));
    QVERIFY2(noEquals.error().message.contains(QLatin1String("line 2")),
             describe(noEquals).constData());
}

void TestServerConfig::helpMentionsEveryOption()
{
    const QString help = serverHelpText();
    QVERIFY(help.startsWith(QLatin1String("Usage: spidi-server")));
    QCOMPARE(configOptions().size(), 29);
    for (const ConfigOption &option : configOptions()) {
        QVERIFY2(help.contains(QStringLiteral("--") + option.name + QLatin1Char(' ')),
                 qPrintable(option.name));
        QVERIFY2(help.contains(envVarName(option.name)), qPrintable(option.name));
        QVERIFY2(help.contains(option.defaultText), qPrintable(option.name));
        QVERIFY(!option.description.isEmpty());
        QVERIFY(!option.valueName.isEmpty());
    }
    // Every option of SPEC section 5a is among them.
    for (const char *name :
         {"config", "port", "bind", "data-dir", "database", "redis", "heartbeat-interval",
          "session-timeout", "flush-interval", "jwt-secret-file", "jwt-public-key", "log-format"})
        QVERIFY2(findConfigOption(QString::fromLatin1(name)), name);
    QVERIFY(!findConfigOption(u"no-such-option"));
    for (const char *word : {"migrate", "token", "--help", "--version"})
        QVERIFY2(help.contains(QLatin1String(word)), word);
}

void TestServerConfig::helpAndVersionActions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("action");
    QTest::newRow("--help") << QStringList{"--help"} << int(Action::Help);
    QTest::newRow("-h") << QStringList{"-h"} << int(Action::Help);
    QTest::newRow("--help with a bad option value")
        << QStringList{"--port", "nope", "--help"} << int(Action::Help);
    QTest::newRow("--version") << QStringList{"--version"} << int(Action::Version);
    QTest::newRow("-v") << QStringList{"-v"} << int(Action::Version);
}

void TestServerConfig::helpAndVersionActions()
{
    QFETCH(QStringList, args);
    QFETCH(int, action);
    const auto parsed = parse(args, cleanEnv());
    QVERIFY2(parsed.ok(), describe(parsed).constData());
    QCOMPARE(int(parsed->action), action);
    if (action == int(Action::Help)) {
        QCOMPARE(parsed->text, serverHelpText());
    } else {
        QCOMPARE(parsed->text, QStringLiteral("spidi-server " SPIDI_VERSION "\n"));
        QCOMPARE(versionText(), parsed->text);
    }
    QVERIFY(parsed->text.endsWith(QLatin1Char('\n')));
}

void TestServerConfig::migrateAndTokenActions()
{
    const auto migrate = parse(
        {QStringLiteral("migrate"), QStringLiteral("--data-dir"), QStringLiteral("/srv/spidi")},
        cleanEnv());
    QVERIFY2(migrate.ok(), describe(migrate).constData());
    QCOMPARE(migrate->action, Action::Migrate);
    QCOMPARE(migrate->config.dataDir, QStringLiteral("/srv/spidi"));

    // Options before the command work too.
    const auto after = parse({QStringLiteral("--database"), QStringLiteral("sqlite:///tmp/m.db"),
                              QStringLiteral("migrate")},
                             cleanEnv());
    QVERIFY2(after.ok(), describe(after).constData());
    QCOMPARE(after->action, Action::Migrate);
    QCOMPARE(after->config.databaseUrl, QStringLiteral("sqlite:///tmp/m.db"));

    // Migrate validates the configuration like a run does.
    QVERIFY(!parse({QStringLiteral("migrate"), QStringLiteral("--port"), QStringLiteral("x")},
                   cleanEnv())
                 .ok());

    // token: the rest of the line belongs to the token command, unparsed here.
    const auto token = parse({QStringLiteral("token"), QStringLiteral("--sub"), QStringLiteral("u"),
                              QStringLiteral("--port"), QStringLiteral("not-validated-here")},
                             cleanEnv());
    QVERIFY2(token.ok(), describe(token).constData());
    QCOMPARE(token->action, Action::Token);
}

void TestServerConfig::commandErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("unknown command") << QStringList{"serve"} << "unknown command 'serve'";
    QTest::newRow("two commands") << QStringList{"migrate", "again"} << "unknown command";
    QTest::newRow("token not first")
        << QStringList{"--port", "1", "token"} << "'token' must come first";
}

void TestServerConfig::commandErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const auto parsed = parse(args, cleanEnv());
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::Invalid);
    QVERIFY2(parsed.error().message.contains(messagePart), describe(parsed).constData());
}

void TestServerConfig::parseServerConfigRefusesActions()
{
    const QStringList program = {QStringLiteral("spidi-server")};
    const auto run = parseServerConfig(
        program + QStringList{QStringLiteral("--port"), QStringLiteral("0")}, cleanEnv());
    QVERIFY2(run.ok(), describe(run).constData());
    QCOMPARE(run->port, quint16(0));
    QVERIFY(!parseServerConfig(program + QStringList{QStringLiteral("--help")}, cleanEnv()).ok());
    QVERIFY(!parseServerConfig(program + QStringList{QStringLiteral("migrate")}, cleanEnv()).ok());
    QVERIFY(!parseServerConfig(program + QStringList{QStringLiteral("token")}, cleanEnv()).ok());
    // An empty argument list is "spidi-server" with no options.
    QVERIFY(parseServerConfig({}, cleanEnv()).ok());
}

void TestServerConfig::resolveServerConfigLayers()
{
    QProcessEnvironment env = cleanEnv();
    env.insert(QStringLiteral("SPIDI_DATA_DIR"), QStringLiteral("/from/env"));
    auto resolved = resolveServerConfig({}, env);
    QVERIFY2(resolved.ok(), describe(resolved).constData());
    QCOMPARE(resolved->dataDir, QStringLiteral("/from/env"));

    resolved =
        resolveServerConfig({{QStringLiteral("data-dir"), QStringLiteral("/from/flag")}}, env);
    QVERIFY(resolved.ok());
    QCOMPARE(resolved->dataDir, QStringLiteral("/from/flag"));
    QCOMPARE(resolved->authConfig().dataDir, QStringLiteral("/from/flag"));

    const auto unknown = resolveServerConfig({{QStringLiteral("nope"), QStringLiteral("1")}}, env);
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().field, QStringLiteral("nope"));
}

void TestServerConfig::envVarNames()
{
    QCOMPARE(envVarName(u"data-dir"), QStringLiteral("SPIDI_DATA_DIR"));
    QCOMPARE(envVarName(u"port"), QStringLiteral("SPIDI_PORT"));
    QCOMPARE(envVarName(u"jwt-secret-file"), QStringLiteral("SPIDI_JWT_SECRET_FILE"));
    QCOMPARE(envVarName(u"rate-limit-burst"), QStringLiteral("SPIDI_RATE_LIMIT_BURST"));
    const QString help = formatOptionHelp(*findConfigOption(u"session-timeout"));
    QVERIFY(help.contains(QLatin1String("--session-timeout SEC")));
    QVERIFY(help.contains(QLatin1String("SPIDI_SESSION_TIMEOUT")));
    QVERIFY(help.contains(QLatin1String("default: 45")));
}

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_server_config.moc"
