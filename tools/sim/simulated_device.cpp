#include "simulated_device.h"

#include "client_errors.h"

#include <algorithm>

namespace spidi::sim {

namespace {
// How long stop() lets a dropped device resume so that it can leave; within the fleet's own
// stop grace period.
constexpr int ResumeBeforeLeaveMs = 3000;
} // namespace

SimulatedDevice::SimulatedDevice(const DeviceSpec &spec, const QUrl &url, const QByteArray &token,
                                 const DeviceTimings &timings, RandomSource &random,
                                 const LatencyModel &latency, QObject *parent)
    : QObject(parent), m_spec(spec), m_timings(timings), m_random(random)
{
    m_client.setUrl(url);
    m_client.setToken(token);
    m_client.setIdentity({spec.roomCode, spec.clientId, spec.profile.appVersion,
                          spec.profile.device, spec.profile.os});
    m_client.setHeartbeatInterval(timings.heartbeatInterval);
    m_client.setReconnectSeed(random.next64());
    // Loopback round trips are ~0 ms; report what this device's network would show.
    const double median = spec.latencyMedianMs;
    m_client.setLatencyAdjuster([this, &latency, median](int measuredMs) {
        return measuredMs + latency.sample(m_random, median);
    });

    m_lifecycleTimer.setSingleShot(true);
    connect(&m_lifecycleTimer, &QTimer::timeout, &m_client, &PresenceClient::open);
    m_faultTimer.setSingleShot(true);
    connect(&m_faultTimer, &QTimer::timeout, this, &SimulatedDevice::injectFault);
    connect(&m_client, &PresenceClient::stateChanged, this, &SimulatedDevice::onStateChanged);
    connect(&m_client, &PresenceClient::errorOccurred, this,
            [this](const QString &code, const QString &message) {
                if (m_droppedByUs && code == client_error::ConnectionLost) {
                    m_droppedByUs = false;
                    return;
                }
                Q_EMIT unexpectedError(code, message);
            });
}

void SimulatedDevice::start(int delayMs)
{
    m_lifecycleTimer.start(std::max(0, delayMs));
    scheduleFault();
}

void SimulatedDevice::churn(const QString &roomCode, int offlineMs)
{
    if (m_stopping || m_churning || m_silent || !isJoined())
        return;
    m_churning = true;
    auto identity = m_client.identity();
    identity.roomCode = roomCode;
    m_client.setIdentity(identity); // used by the next open()
    m_lifecycleTimer.setInterval(std::max(0, offlineMs));
    Q_EMIT churned();
    m_client.close();
}

void SimulatedDevice::stop()
{
    m_stopping = true;
    m_lifecycleTimer.stop();
    m_faultTimer.stop();
    const auto state = m_client.state();
    if (state == PresenceClient::State::Closed || state == PresenceClient::State::Disconnected) {
        Q_EMIT finished();
        return;
    }
    if (state == PresenceClient::State::Reconnecting && !m_client.sessionId().isEmpty() &&
        !m_silent) {
        // Between a drop and its resume the device still holds a session on the server: let it
        // resume and then leave, so that a run ends with every session LEFT, not DISCONNECTED.
        m_leaveWhenJoined = true;
        QTimer::singleShot(ResumeBeforeLeaveMs, this, [this] {
            if (m_leaveWhenJoined) {
                m_leaveWhenJoined = false;
                m_client.close();
            }
        });
        return;
    }
    m_client.close();
}

void SimulatedDevice::onStateChanged(PresenceClient::State state)
{
    if (state == PresenceClient::State::Joined && m_leaveWhenJoined) {
        m_leaveWhenJoined = false;
        m_client.close();
        return;
    }
    if (state != PresenceClient::State::Closed)
        return;
    if (m_stopping) {
        Q_EMIT finished();
        return;
    }
    if (m_churning) {
        m_churning = false;
        m_lifecycleTimer.start();
    }
    // Otherwise the join failed for good (unknown room, kicked): the device stays away.
}

void SimulatedDevice::scheduleFault()
{
    if (m_spec.fault == Fault::None || m_stopping)
        return;
    const double seconds = m_random.exponential(m_timings.faultIntervalSec);
    m_faultTimer.start(int(std::min(seconds, 86400.0) * 1000.0));
}

void SimulatedDevice::injectFault()
{
    if (m_stopping)
        return;
    if (m_silent) {
        // The silence is over: the device wakes up and finds its session expired.
        m_silent = false;
        m_client.setHeartbeatsSuspended(false);
        scheduleFault();
        return;
    }
    if (!isJoined()) {
        scheduleFault();
        return;
    }
    if (m_spec.fault == Fault::Silent) {
        m_silent = true;
        m_client.setHeartbeatsSuspended(true);
        // Long enough for the server to expire the session (its timeout, plus the sweep).
        const double seconds = m_client.sessionTimeoutSec() * m_random.uniform(1.2, 1.8) + 1.0;
        m_faultTimer.start(int(seconds * 1000.0));
    } else {
        m_droppedByUs = true;
        m_client.dropConnection();
        scheduleFault();
    }
    Q_EMIT faultInjected(m_spec.fault);
}

} // namespace spidi::sim
