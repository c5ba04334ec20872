// spidi-bench: load generator and measurement tool for spidi-server, and a WebSocket echo
// server to measure the transport's ceiling. See docs/performance.md.
#include "bench_log.h"
#include "bench_options.h"
#include "bench_runner.h"
#include "core/event_dispatcher.h"
#include "echo_server.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace spidi;

namespace {

// Every connection is a file descriptor; the soft limit (often 1024) would stop a run long
// before the machine does. The hard limit needs root (or limits.conf) to raise.
rlim_t raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            qCWarning(lcBench, "cannot raise the open-file limit to %llu",
                      static_cast<unsigned long long>(limit.rlim_max));
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

int runEchoServer(const BenchOptions &options)
{
    EchoServer server(options.threads);
    if (!server.listen(QHostAddress::Any, options.echoServerPort)) {
        qCCritical(lcBench).noquote() << "echo server cannot listen on port"
                                      << options.echoServerPort << server.errorString();
        return 1;
    }
    // The run-scenarios script and tst_bench read the port from this line.
    std::printf("spidi-bench echo server listening on port %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    qSetMessagePattern(QStringLiteral("%{time hh:mm:ss.zzz} %{category} %{type}: %{message}"));
    spidi::preferUnixEventDispatcher(); // thousands of sockets: see the header
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spidi-bench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPIDI_VERSION));

    const auto parsed = parseBenchOptions(QCoreApplication::arguments());
    if (const auto *exit = std::get_if<ParseExit>(&parsed)) {
        std::fputs(exit->text.toLocal8Bit().constData(), exit->exitCode == 0 ? stdout : stderr);
        return exit->exitCode;
    }
    const BenchOptions options = std::get<BenchOptions>(parsed);

    const rlim_t fileLimit = raiseFileLimit();
    // A few descriptors go to the event loop, the probes and /proc reads.
    constexpr rlim_t spare = 64;
    if (options.mode != BenchOptions::Mode::EchoServer &&
        rlim_t(options.connections) + spare > fileLimit)
        qCWarning(lcBench,
                  "open-file limit %llu is below %d connections: raise it (ulimit -Hn, "
                  "LimitNOFILE) or expect failed connections",
                  static_cast<unsigned long long>(fileLimit), options.connections);

    if (options.mode == BenchOptions::Mode::EchoServer)
        return runEchoServer(options);

    BenchRunner runner(options);
    QObject::connect(&runner, &BenchRunner::finished, &app, &QCoreApplication::exit,
                     Qt::QueuedConnection);
    QTimer::singleShot(0, &runner, &BenchRunner::start);
    return QCoreApplication::exec();
}
