#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <variant>

namespace spidi {

struct BenchOptions
{
    enum class Mode {
        Presence,   // devices HELLO and heartbeat against spidi-server
        Echo,       // the same connections and frames against --echo-server
        EchoServer, // serve as the echo server
    };
    Mode mode = Mode::Presence;

    QUrl url{QStringLiteral("ws://127.0.0.1:8080/ws/presence")};
    QByteArray deviceToken;  // spidi:user
    QByteArray monitorToken; // spidi:monitor or spidi:admin: roster subscription and REST reads
    QByteArray adminToken;   // spidi:admin: --create-rooms

    int connections = 1000;
    int rooms = 1;
    QString roomPrefix = QStringLiteral("BENCH");
    bool createRooms = false;
    QString roomType = QStringLiteral("BROADCAST");
    double rate = 1000;      // heartbeats per second asked for, over all connections
    double durationSec = 30; // measured steady phase, after the ramp
    double rampPerSec = 1000;
    int threads = 2;
    qint64 serverPid = 0;
    QString jsonFile;
    QString label;
    // Distinct loopback destination addresses (127.0.0.1 … 127.0.0.N) the connections are
    // spread over; 0 picks one per 25,000 connections. See docs/performance.md.
    int targetAddresses = 0;
    double restRate = 2;         // REST reads per second during the steady phase
    double probeIntervalSec = 1; // one join-to-dashboard probe per interval
    // Handshakes in flight over all threads. spidi-server listens with Qt's default backlog of
    // 50: more connection attempts at once than that overflow its accept queue while its event
    // loop is busy, and each dropped SYN costs the client a retransmit (1 s, then 3 s …).
    int maxPendingHandshakes = 32;
    double settleSec = 2; // pause between the end of the ramp and the measurement
    quint16 echoServerPort = 0;

    QStringList roomCodes() const;
};

// Parses the command line (argv as QStringList). std::variant: the options, or the text to
// print and the exit code (help, version and usage errors).
struct ParseExit
{
    QString text;
    int exitCode = 0;
};
std::variant<BenchOptions, ParseExit> parseBenchOptions(const QStringList &arguments);

} // namespace spidi
