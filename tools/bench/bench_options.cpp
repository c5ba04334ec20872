#include "bench_options.h"

#include <QCommandLineParser>
#include <QFile>
#include <QThread>

#include <cmath>
#include <limits>

namespace spidi {

QStringList BenchOptions::roomCodes() const
{
    QStringList codes;
    const int width = std::max(3, int(QString::number(rooms).size()));
    for (int i = 1; i <= rooms; ++i)
        codes.append(QStringLiteral("%1-%2").arg(roomPrefix).arg(i, width, 10, QLatin1Char('0')));
    return codes;
}

namespace {

struct Reader
{
    QCommandLineParser &parser;
    QString error;

    bool number(const QString &name, double &out, double min, double max)
    {
        if (!parser.isSet(name))
            return true;
        bool ok = false;
        const double value = parser.value(name).toDouble(&ok);
        if (!ok || !std::isfinite(value) || value < min || value > max) {
            error = QStringLiteral("invalid --%1 value '%2': expected a number from %3 to %4")
                        .arg(name, parser.value(name))
                        .arg(min)
                        .arg(max);
            return false;
        }
        out = value;
        return true;
    }

    template <typename Int>
    bool integer(const QString &name, Int &out, qint64 min, qint64 max)
    {
        if (!parser.isSet(name))
            return true;
        bool ok = false;
        const qint64 value = parser.value(name).toLongLong(&ok);
        if (!ok || value < min || value > max) {
            error = QStringLiteral("invalid --%1 value '%2': expected an integer from %3 to %4")
                        .arg(name, parser.value(name))
                        .arg(min)
                        .arg(max);
            return false;
        }
        out = Int(value);
        return true;
    }

    // --NAME TOKEN or --NAME-file FILE (a file keeps the token out of `ps`).
    bool token(const QString &name, QByteArray &out)
    {
        const QString fileOption = name + QStringLiteral("-file");
        if (parser.isSet(name) && parser.isSet(fileOption)) {
            error = QStringLiteral("--%1 and --%2 exclude each other").arg(name, fileOption);
            return false;
        }
        if (parser.isSet(name)) {
            out = parser.value(name).toUtf8().trimmed();
        } else if (parser.isSet(fileOption)) {
            QFile file(parser.value(fileOption));
            if (!file.open(QIODevice::ReadOnly)) {
                error = QStringLiteral("cannot read --%1 %2: %3")
                            .arg(fileOption, file.fileName(), file.errorString());
                return false;
            }
            out = file.readAll().trimmed();
        }
        return true;
    }
};

} // namespace

std::variant<BenchOptions, ParseExit> parseBenchOptions(const QStringList &arguments)
{
    BenchOptions o;
    o.threads = std::max(1, QThread::idealThreadCount());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Load generator and measurement tool for spidi-server (see docs/performance.md)."));
    const auto helpOption = parser.addHelpOption();
    const auto versionOption = parser.addVersionOption();
    auto add = [&parser](const QString &name, const QString &description,
                         const QString &valueName = {}) {
        parser.addOption(QCommandLineOption(name, description, valueName));
    };
    add(QStringLiteral("url"), QStringLiteral("WebSocket URL (default %1).").arg(o.url.toString()),
        QStringLiteral("URL"));
    add(QStringLiteral("token"), QStringLiteral("Device token (spidi:user)."),
        QStringLiteral("JWT"));
    add(QStringLiteral("token-file"), QStringLiteral("File holding the device token."),
        QStringLiteral("FILE"));
    add(QStringLiteral("monitor-token"),
        QStringLiteral("Token with spidi:monitor or spidi:admin: roster subscription "
                       "(join-to-dashboard) and REST reads. Without it neither is measured."),
        QStringLiteral("JWT"));
    add(QStringLiteral("monitor-token-file"), QStringLiteral("File holding the monitor token."),
        QStringLiteral("FILE"));
    add(QStringLiteral("admin-token"), QStringLiteral("Admin token for --create-rooms."),
        QStringLiteral("JWT"));
    add(QStringLiteral("admin-token-file"), QStringLiteral("File holding the admin token."),
        QStringLiteral("FILE"));
    add(QStringLiteral("connections"),
        QStringLiteral("Device connections to open and hold (default %1).").arg(o.connections),
        QStringLiteral("N"));
    add(QStringLiteral("rooms"),
        QStringLiteral("Rooms the connections are spread over (default %1).").arg(o.rooms),
        QStringLiteral("N"));
    add(QStringLiteral("room-prefix"),
        QStringLiteral("Room codes are PREFIX-001 … (default %1).").arg(o.roomPrefix),
        QStringLiteral("PREFIX"));
    add(QStringLiteral("create-rooms"),
        QStringLiteral("Create the rooms first (POST /api/v1/rooms, needs --admin-token), with a "
                       "capacity that fits the connections."));
    add(QStringLiteral("room-type"),
        QStringLiteral("Room type for --create-rooms (default %1).").arg(o.roomType),
        QStringLiteral("CODE"));
    add(QStringLiteral("rate"),
        QStringLiteral("Heartbeats per second asked for, spread evenly over all connections "
                       "(default %1).")
            .arg(o.rate),
        QStringLiteral("N"));
    add(QStringLiteral("duration"),
        QStringLiteral("Seconds measured once every connection is open (default %1).")
            .arg(o.durationSec),
        QStringLiteral("SEC"));
    add(QStringLiteral("ramp"),
        QStringLiteral("Connections opened per second (default %1).").arg(o.rampPerSec),
        QStringLiteral("N"));
    add(QStringLiteral("threads"),
        QStringLiteral("Worker threads, each with its own event loop and share of the "
                       "connections (default: cores, %1).")
            .arg(o.threads),
        QStringLiteral("N"));
    add(QStringLiteral("server-pid"),
        QStringLiteral("Sample this process's CPU and RSS from /proc."), QStringLiteral("PID"));
    add(QStringLiteral("json"), QStringLiteral("Also write the results as JSON to FILE."),
        QStringLiteral("FILE"));
    add(QStringLiteral("label"), QStringLiteral("Name of the run, copied into the results."),
        QStringLiteral("TEXT"));
    add(QStringLiteral("target-addresses"),
        QStringLiteral("Spread connections to a loopback server over 127.0.0.1 … 127.0.0.N "
                       "(default: one per 25000 connections)."),
        QStringLiteral("N"));
    add(QStringLiteral("rest-rate"),
        QStringLiteral("REST reads per second during the run (default %1; 0 disables).")
            .arg(o.restRate),
        QStringLiteral("N"));
    add(QStringLiteral("probe-interval"),
        QStringLiteral("Seconds between join-to-dashboard probes (default %1).")
            .arg(o.probeIntervalSec),
        QStringLiteral("SEC"));
    add(QStringLiteral("max-pending-handshakes"),
        QStringLiteral("Handshakes in flight at once, over all threads (default %1; keep it "
                       "below the server's listen backlog).")
            .arg(o.maxPendingHandshakes),
        QStringLiteral("N"));
    add(QStringLiteral("settle"),
        QStringLiteral("Seconds between the end of the ramp and the measurement (default %1).")
            .arg(o.settleSec),
        QStringLiteral("SEC"));
    add(QStringLiteral("echo"),
        QStringLiteral("Echo client: same connections, rate and frame size against an "
                       "--echo-server at --url, no HELLO."));
    add(QStringLiteral("echo-server"),
        QStringLiteral("Run a WebSocket echo server on PORT (0: any; the port is printed) "
                       "with --threads threads, until SIGINT/SIGTERM."),
        QStringLiteral("PORT"));

    if (!parser.parse(arguments))
        return ParseExit{parser.errorText() + QStringLiteral("\n"), 2};
    if (parser.isSet(helpOption))
        return ParseExit{parser.helpText(), 0};
    if (parser.isSet(versionOption))
        return ParseExit{QStringLiteral("spidi-bench %1\n").arg(QStringLiteral(SPIDI_VERSION)), 0};
    if (!parser.positionalArguments().isEmpty())
        return ParseExit{QStringLiteral("unexpected argument '%1'\n")
                             .arg(parser.positionalArguments().constFirst()),
                         2};

    Reader r{parser, {}};
    if (parser.isSet(QStringLiteral("url"))) {
        o.url = QUrl(parser.value(QStringLiteral("url")), QUrl::StrictMode);
        const QString scheme = o.url.scheme();
        if (!o.url.isValid() || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss")))
            return ParseExit{QStringLiteral("invalid --url: expected ws://HOST:PORT/PATH\n"), 2};
    }
    const bool ok =
        r.token(QStringLiteral("token"), o.deviceToken) &&
        r.token(QStringLiteral("monitor-token"), o.monitorToken) &&
        r.token(QStringLiteral("admin-token"), o.adminToken) &&
        r.integer(QStringLiteral("connections"), o.connections, 1, 10000000) &&
        r.integer(QStringLiteral("rooms"), o.rooms, 1, 100000) &&
        r.number(QStringLiteral("rate"), o.rate, 0, 1e8) &&
        r.number(QStringLiteral("duration"), o.durationSec, 0.1, 7 * 86400) &&
        r.number(QStringLiteral("ramp"), o.rampPerSec, 1, 1e7) &&
        r.integer(QStringLiteral("threads"), o.threads, 1, 256) &&
        r.integer(QStringLiteral("server-pid"), o.serverPid, 1, std::numeric_limits<int>::max()) &&
        r.integer(QStringLiteral("target-addresses"), o.targetAddresses, 0, 254) &&
        r.number(QStringLiteral("rest-rate"), o.restRate, 0, 1000) &&
        r.number(QStringLiteral("probe-interval"), o.probeIntervalSec, 0.1, 3600) &&
        r.integer(QStringLiteral("max-pending-handshakes"), o.maxPendingHandshakes, 1, 100000) &&
        r.number(QStringLiteral("settle"), o.settleSec, 0, 3600) &&
        r.integer(QStringLiteral("echo-server"), o.echoServerPort, 0, 65535);
    if (!ok)
        return ParseExit{r.error + QStringLiteral("\n"), 2};

    if (parser.isSet(QStringLiteral("room-prefix")))
        o.roomPrefix = parser.value(QStringLiteral("room-prefix"));
    if (parser.isSet(QStringLiteral("room-type")))
        o.roomType = parser.value(QStringLiteral("room-type"));
    o.createRooms = parser.isSet(QStringLiteral("create-rooms"));
    o.jsonFile = parser.value(QStringLiteral("json"));
    o.label = parser.value(QStringLiteral("label"));

    const bool echo = parser.isSet(QStringLiteral("echo"));
    const bool echoServer = parser.isSet(QStringLiteral("echo-server"));
    if (echo && echoServer)
        return ParseExit{QStringLiteral("--echo and --echo-server exclude each other\n"), 2};
    o.mode = echoServer ? BenchOptions::Mode::EchoServer
             : echo     ? BenchOptions::Mode::Echo
                        : BenchOptions::Mode::Presence;
    if (o.mode == BenchOptions::Mode::Presence) {
        if (o.deviceToken.isEmpty())
            return ParseExit{QStringLiteral("--token or --token-file is required\n"), 2};
        if (o.createRooms && o.adminToken.isEmpty())
            return ParseExit{QStringLiteral("--create-rooms needs --admin-token\n"), 2};
    }
    return o;
}

} // namespace spidi
