#pragma once

#include "device_profiles.h"
#include "latency_model.h"
#include "presence_client.h"
#include "random_source.h"

#include <QObject>
#include <QTimer>

namespace spidi::sim {

// How a device misbehaves, if at all.
enum class Fault {
    None,
    Silent,      // now and then stops heartbeating without leaving, until the server expires it
    Reconnecting // now and then loses its connection and resumes its session
};

struct DeviceSpec
{
    int user = 0; // index into the user tokens
    QString clientId;
    QString roomCode;
    DeviceProfile profile;
    double latencyMedianMs = 40;
    Fault fault = Fault::None;
};

// Timings shared by the whole fleet.
struct DeviceTimings
{
    std::chrono::milliseconds heartbeatInterval{0}; // 0: the server's
    double faultIntervalSec = 30;
};

// One simulated device: a PresenceClient plus the behaviour the simulation gives it (churn,
// silences, connection drops) and the modelled latency it reports.
class SimulatedDevice : public QObject
{
    Q_OBJECT
public:
    SimulatedDevice(const DeviceSpec &spec, const QUrl &url, const QByteArray &token,
                    const DeviceTimings &timings, RandomSource &random, const LatencyModel &latency,
                    QObject *parent = nullptr);

    // Joins after `delayMs` (the fleet ramps up instead of connecting everyone at once).
    void start(int delayMs);
    // Leaves, stays away for `offlineMs`, then joins `roomCode` as a new session.
    void churn(const QString &roomCode, int offlineMs);
    // Leaves for good; finished() follows once the client is closed.
    void stop();

    bool isJoined() const { return m_client.state() == PresenceClient::State::Joined; }
    bool isStopping() const { return m_stopping; }
    const DeviceSpec &spec() const { return m_spec; }
    PresenceClient &client() { return m_client; }

Q_SIGNALS:
    void finished();
    void faultInjected(spidi::sim::Fault fault);
    void churned();
    // Errors the simulation did not cause itself (its own drops are not errors).
    void unexpectedError(const QString &code, const QString &message);

private:
    void onStateChanged(PresenceClient::State state);
    void scheduleFault();
    void injectFault();

    DeviceSpec m_spec;
    DeviceTimings m_timings;
    RandomSource &m_random;
    PresenceClient m_client;
    QTimer m_lifecycleTimer; // start and return from churn
    QTimer m_faultTimer;     // next fault, and the end of a silence
    bool m_stopping = false;
    bool m_churning = false;
    bool m_silent = false;
    bool m_droppedByUs = false;
    bool m_leaveWhenJoined = false; // stop() came between a drop and its resume
};

} // namespace spidi::sim
