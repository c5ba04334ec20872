// spidi-sim: a fleet of simulated devices for demos, soak tests and load (docs/client.md).
#include "core/event_dispatcher.h"
#include "core/signal_watcher.h"
#include "fleet.h"
#include "room_provisioner.h"
#include "sim_options.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>
#include <QTimer>

#include <sys/resource.h>

namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

// One socket per device: a large fleet needs more descriptors than the usual soft limit.
void raiseFileLimit(int devices)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = rlim_t(devices) + 64;
    if (limit.rlim_cur >= wanted)
        return;
    limit.rlim_cur = std::min(limit.rlim_max, wanted);
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < wanted)
        err() << "spidi-sim: only " << limit.rlim_cur << " file descriptors for " << devices
              << " devices; raise the hard limit (ulimit -Hn)" << Qt::endl;
}

} // namespace

int main(int argc, char *argv[])
{
    spidi::preferUnixEventDispatcher(); // thousands of sockets: see the header
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spidi-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));

    const auto parsed = spidi::sim::parseOptions(app);
    if (const auto *error = std::get_if<spidi::sim::OptionsError>(&parsed)) {
        err() << "spidi-sim: " << error->message << " (see --help)" << Qt::endl;
        return 2;
    }
    const auto &options = std::get<spidi::sim::SimOptions>(parsed);
    // Thousands of devices each logging their joins would drown the status line; QT_LOGGING_RULES
    // still wins over this for debugging.
    if (!options.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("spidi.client.info=false"));
    raiseFileLimit(options.devices);

    err() << "spidi-sim: " << options.devices << " devices of " << options.userTokens.size()
          << " users in " << options.roomCodes.size() << " rooms ("
          << options.roomCodes.join(QLatin1Char(',')) << ") on " << options.url.toDisplayString()
          << ", seed " << options.seed << Qt::endl;

    spidi::SignalWatcher signalWatcher;
    spidi::sim::Fleet fleet(options);
    bool fleetStarted = false;

    QObject::connect(&fleet, &spidi::sim::Fleet::stopped, &app, [&fleet](bool allLeft) {
        err() << fleet.statusLine() << Qt::endl;
        const auto &stats = fleet.stats();
        if (stats.joins + stats.resumes == 0) {
            err() << "spidi-sim: no device ever joined (check --url, the tokens and the rooms)"
                  << Qt::endl;
            QCoreApplication::exit(1);
            return;
        }
        err() << "spidi-sim: "
              << (allLeft ? "every device left"
                          : "stopped; some devices did "
                            "not confirm their leave")
              << Qt::endl;
        QCoreApplication::exit(0);
    });
    QObject::connect(&signalWatcher, &spidi::SignalWatcher::terminationRequested, &app,
                     [&fleet, &fleetStarted] {
                         if (fleetStarted)
                             fleet.stop();
                         else
                             QCoreApplication::exit(0);
                     });

    const auto startFleet = [&] {
        fleetStarted = true;
        fleet.start();
        if (options.durationSec > 0)
            QTimer::singleShot(qint64(options.durationSec * 1000.0), Qt::PreciseTimer, &fleet,
                               &spidi::sim::Fleet::stop);
    };

    spidi::sim::RoomProvisioner provisioner;
    if (options.createRooms) {
        QObject::connect(&provisioner, &spidi::sim::RoomProvisioner::finished, &app,
                         [&](int created, int existing) {
                             err() << "spidi-sim: rooms ready (" << created << " created, "
                                   << existing << " existed)" << Qt::endl;
                             startFleet();
                         });
        QObject::connect(&provisioner, &spidi::sim::RoomProvisioner::failed, &app,
                         [](const QString &message) {
                             err() << "spidi-sim: " << message << Qt::endl;
                             QCoreApplication::exit(1);
                         });
        provisioner.start({spidi::sim::RoomProvisioner::roomsUrlFor(options.url),
                           options.adminToken, options.roomCodes, options.roomType,
                           options.roomCapacity});
    } else {
        QTimer::singleShot(0, &app, startFleet);
    }
    return app.exec();
}
