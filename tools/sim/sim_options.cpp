#include "sim_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace spidi::sim {

namespace {

// Reads tokens, one per line; blank lines and '#' comments are skipped so that a token file
// can say whose tokens it holds.
std::variant<QList<QByteArray>, OptionsError> readTokenFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return OptionsError{
            QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString())};
    QList<QByteArray> tokens;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QByteArray token = line.trimmed();
        if (!token.isEmpty() && !token.startsWith('#'))
            tokens.append(token);
    }
    return tokens;
}

struct NumberOption
{
    QCommandLineOption option;
    double min;
    double max;
};

} // namespace

std::variant<SimOptions, OptionsError> parseOptions(const QCoreApplication &app)
{
    SimOptions o;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Simulates a fleet of devices joining Spidi rooms: several devices per user, a realistic "
        "mix of devices, OS and app versions, modelled latencies, join/leave churn, devices that "
        "go silent (expiry) and devices that lose their connection (resume)."));
    parser.addHelpOption();
    parser.addVersionOption();

    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("WebSocket endpoint."),
                                 QStringLiteral("URL"),
                                 QStringLiteral("ws://127.0.0.1:8080/ws/presence"));
    const QCommandLineOption token(
        QStringLiteral("token"),
        QStringLiteral("Device token (spidi:user); repeat for several users."),
        QStringLiteral("JWT"));
    const QCommandLineOption tokenFile(
        QStringLiteral("token-file"),
        QStringLiteral("File with device tokens, one per line; each token is one user."),
        QStringLiteral("FILE"));
    const QCommandLineOption adminToken(QStringLiteral("admin-token"),
                                        QStringLiteral("Admin token for --create-rooms."),
                                        QStringLiteral("JWT"));
    const QCommandLineOption adminTokenFile(QStringLiteral("admin-token-file"),
                                            QStringLiteral("File holding the admin token."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption roomPrefix(QStringLiteral("room-prefix"),
                                        QStringLiteral("Rooms are PREFIX-01, PREFIX-02, ..."),
                                        QStringLiteral("PREFIX"), QStringLiteral("SIM"));
    const QCommandLineOption roomCodes(
        QStringLiteral("room-codes"),
        QStringLiteral("Comma-separated room codes (instead of --rooms and --room-prefix)."),
        QStringLiteral("CODES"));
    const QCommandLineOption createRooms(
        QStringLiteral("create-rooms"),
        QStringLiteral("Create the rooms first (POST /api/v1/rooms; an existing room is fine)."));
    const QCommandLineOption roomType(QStringLiteral("room-type"),
                                      QStringLiteral("Type of created rooms."),
                                      QStringLiteral("TYPE"), QStringLiteral("GENERIC"));
    const QList<NumberOption> numbers = {
        {{QStringLiteral("devices"), QStringLiteral("Number of devices."), QStringLiteral("N"),
          QStringLiteral("20")},
         1,
         100000},
        {{QStringLiteral("rooms"), QStringLiteral("Number of rooms."), QStringLiteral("M"),
          QStringLiteral("3")},
         1,
         99},
        {{QStringLiteral("room-capacity"), QStringLiteral("Capacity of created rooms."),
          QStringLiteral("N"), QStringLiteral("1000")},
         1,
         10000000},
        {{QStringLiteral("duration"),
          QStringLiteral("Leave and exit after SECONDS (0: until SIGINT/SIGTERM)."),
          QStringLiteral("SECONDS"), QStringLiteral("60")},
         0,
         31536000},
        {{QStringLiteral("churn"),
          QStringLiteral("Share of the fleet that leaves and joins again per minute."),
          QStringLiteral("RATE"), QStringLiteral("0.1")},
         0,
         60},
        {{QStringLiteral("silent-share"),
          QStringLiteral("Share of devices that now and then stop heartbeating without "
                         "leaving, until the server expires them."),
          QStringLiteral("FRACTION"), QStringLiteral("0.05")},
         0,
         1},
        {{QStringLiteral("reconnect-share"),
          QStringLiteral("Share of devices that now and then lose their connection and "
                         "resume."),
          QStringLiteral("FRACTION"), QStringLiteral("0.05")},
         0,
         1},
        {{QStringLiteral("fault-interval"),
          QStringLiteral("Mean time between a silent or reconnecting device's faults."),
          QStringLiteral("SECONDS"), QStringLiteral("30")},
         0.1,
         86400},
        {{QStringLiteral("latency-median"),
          QStringLiteral("Median reported latency (log-normal distribution)."),
          QStringLiteral("MS"), QStringLiteral("40")},
         0,
         600000},
        {{QStringLiteral("latency-sigma"),
          QStringLiteral("Spread of the latency distribution (sigma of its logarithm)."),
          QStringLiteral("SIGMA"), QStringLiteral("0.5")},
         0,
         3},
        {{QStringLiteral("heartbeat-interval"),
          QStringLiteral("Heartbeat every SECONDS instead of the server's interval."),
          QStringLiteral("SECONDS"), QStringLiteral("0")},
         0,
         3600},
        {{QStringLiteral("ramp-up"), QStringLiteral("Spread the first joins over SECONDS."),
          QStringLiteral("SECONDS"), QStringLiteral("2")},
         0,
         3600},
        {{QStringLiteral("status-interval"),
          QStringLiteral("Print a status line on stderr every SECONDS."), QStringLiteral("SECONDS"),
          QStringLiteral("2")},
         0.1,
         3600},
    };
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seed of the random choices (default: random)."),
                                  QStringLiteral("N"));
    const QCommandLineOption verbose(
        QStringLiteral("verbose"),
        QStringLiteral("Log every device's joins, drops and errors (category spidi.client)."));
    parser.addOptions({url, token, tokenFile, adminToken, adminTokenFile, roomPrefix, roomCodes,
                       createRooms, roomType, seed, verbose});
    for (const NumberOption &n : numbers)
        parser.addOption(n.option);
    parser.process(app);

    if (!parser.positionalArguments().isEmpty())
        return OptionsError{
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first())};

    QList<double> values;
    for (const NumberOption &n : numbers) {
        bool ok = false;
        const QString name = n.option.names().first();
        const double v = parser.value(n.option).toDouble(&ok);
        if (!ok || v < n.min || v > n.max)
            return OptionsError{QStringLiteral("--%1 must be a number from %2 to %3")
                                    .arg(name)
                                    .arg(n.min)
                                    .arg(n.max)};
        values.append(v);
    }
    o.devices = int(values[0]);
    const int rooms = int(values[1]);
    o.roomCapacity = int(values[2]);
    o.durationSec = values[3];
    o.churnPerMinute = values[4];
    o.silentShare = values[5];
    o.reconnectShare = values[6];
    o.faultIntervalSec = values[7];
    o.latencyMedianMs = values[8];
    o.latencySigma = values[9];
    o.heartbeatIntervalSec = values[10];
    o.rampUpSec = values[11];
    o.statusIntervalSec = values[12];

    o.url = QUrl(parser.value(url));
    if (!o.url.isValid() ||
        (o.url.scheme() != QLatin1String("ws") && o.url.scheme() != QLatin1String("wss")))
        return OptionsError{QStringLiteral("--url must be a ws:// or wss:// URL")};

    for (const QString &t : parser.values(token))
        o.userTokens.append(t.toUtf8().trimmed());
    if (parser.isSet(tokenFile)) {
        auto read = readTokenFile(parser.value(tokenFile));
        if (auto *error = std::get_if<OptionsError>(&read))
            return *error;
        o.userTokens += std::get<QList<QByteArray>>(read);
    }
    o.userTokens.removeAll(QByteArray());
    if (o.userTokens.isEmpty())
        return OptionsError{QStringLiteral("no device token: --token or --token-file")};

    static const QRegularExpression codePattern(QStringLiteral("^[A-Z0-9][A-Z0-9_-]{1,63}$"));
    if (parser.isSet(roomCodes)) {
        for (const QString &code : parser.value(roomCodes).split(QLatin1Char(',')))
            if (!code.trimmed().isEmpty())
                o.roomCodes.append(code.trimmed());
    } else {
        for (int i = 1; i <= rooms; ++i)
            o.roomCodes.append(QStringLiteral("%1-%2")
                                   .arg(parser.value(roomPrefix))
                                   .arg(i, 2, 10, QLatin1Char('0')));
    }
    if (o.roomCodes.isEmpty())
        return OptionsError{QStringLiteral("no rooms")};
    for (const QString &code : std::as_const(o.roomCodes))
        if (!codePattern.match(code).hasMatch())
            return OptionsError{QStringLiteral("room code '%1' is not 2 to 64 characters of A-Z, "
                                               "0-9, '_' and '-'")
                                    .arg(code)};

    o.createRooms = parser.isSet(createRooms);
    o.verbose = parser.isSet(verbose);
    o.roomType = parser.value(roomType);
    o.adminToken = parser.value(adminToken).toUtf8().trimmed();
    if (parser.isSet(adminTokenFile)) {
        QFile file(parser.value(adminTokenFile));
        if (!file.open(QIODevice::ReadOnly))
            return OptionsError{QStringLiteral("cannot read admin token file %1: %2")
                                    .arg(file.fileName(), file.errorString())};
        o.adminToken = file.readAll().trimmed();
    }
    if (o.createRooms && o.adminToken.isEmpty())
        return OptionsError{QStringLiteral("--create-rooms needs --admin-token")};

    if (parser.isSet(seed)) {
        bool ok = false;
        o.seed = parser.value(seed).toULongLong(&ok);
        if (!ok)
            return OptionsError{QStringLiteral("--seed must be a non-negative integer")};
    } else {
        o.seed = QRandomGenerator::global()->generate64();
    }
    return o;
}

} // namespace spidi::sim
