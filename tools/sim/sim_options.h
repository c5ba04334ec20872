#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <variant>

class QCoreApplication;

namespace spidi::sim {

// Everything `spidi-sim --help` lists, validated.
struct SimOptions
{
    QUrl url;
    QList<QByteArray> userTokens; // one simulated user per token
    QByteArray adminToken;
    QStringList roomCodes;
    bool createRooms = false;
    QString roomType;
    int roomCapacity = 1000;
    int devices = 20;
    double durationSec = 60;      // 0: until SIGINT/SIGTERM
    double churnPerMinute = 0.1;  // share of the fleet that leaves and re-joins per minute
    double silentShare = 0.05;    // devices that go silent now and then (expiry)
    double reconnectShare = 0.05; // devices that drop their socket now and then (resume)
    double faultIntervalSec = 30; // mean time between a faulty device's silences or drops
    double latencyMedianMs = 40;
    double latencySigma = 0.5;
    double heartbeatIntervalSec = 0; // 0: the server's
    double rampUpSec = 2;
    double statusIntervalSec = 2;
    quint64 seed = 0;
    bool verbose = false; // the client library's per-device log lines
};

struct OptionsError
{
    QString message;
};

// Parses the command line (exits itself for --help and --version).
std::variant<SimOptions, OptionsError> parseOptions(const QCoreApplication &app);

} // namespace spidi::sim
