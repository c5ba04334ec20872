#include "fleet.h"

#include "simulated_device.h"

#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spidi::sim {

namespace {

// A latency list per status interval is enough for a median; the cap bounds huge fleets.
constexpr qsizetype MaxLatencySamples = 100000;
// How long stop() waits for every LEAVE to be acknowledged and every socket closed.
constexpr int StopGraceMs = 10000;

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

} // namespace

Fleet::Fleet(const SimOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_random(options.seed),
      m_latency(options.latencyMedianMs, options.latencySigma)
{
    connect(&m_statusTimer, &QTimer::timeout, this, &Fleet::printStatus);
    m_churnTimer.setSingleShot(true);
    connect(&m_churnTimer, &QTimer::timeout, this, &Fleet::churnOne);
    m_graceTimer.setSingleShot(true);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        err() << "spidi-sim: " << (deviceCount() - m_finished)
              << " devices did not finish leaving in time" << Qt::endl;
        Q_EMIT stopped(false);
    });
}

Fleet::~Fleet() = default;

void Fleet::buildDevices()
{
    const int users = int(m_options.userTokens.size());
    const int devices = m_options.devices;

    // Every user gets a device first; the rest go to users with a long-tailed skew, so that
    // some users carry many devices and others one or two.
    QList<double> cumulative;
    double total = 0;
    for (int u = 0; u < users; ++u) {
        total += 1.0 / std::sqrt(double(u + 1));
        cumulative.append(total);
    }
    // Exactly the requested shares are faulty, on randomly chosen devices.
    QList<Fault> faults(devices, Fault::None);
    const int silent = int(std::lround(devices * m_options.silentShare));
    const int reconnecting =
        std::min(devices - silent, int(std::lround(devices * m_options.reconnectShare)));
    for (int i = 0; i < silent + reconnecting; ++i)
        faults[i] = i < silent ? Fault::Silent : Fault::Reconnecting;
    for (int i = devices - 1; i > 0; --i)
        std::swap(faults[i], faults[m_random.uniformInt(0, i)]);

    DeviceTimings timings;
    timings.heartbeatInterval =
        std::chrono::milliseconds(qint64(std::lround(m_options.heartbeatIntervalSec * 1000.0)));
    timings.faultIntervalSec = m_options.faultIntervalSec;

    QList<int> devicesOfUser(users, 0);
    const int rooms = int(m_options.roomCodes.size());
    for (int i = 0; i < devices; ++i) {
        int user = i;
        if (i >= users) {
            const double x = m_random.uniform(0.0, total);
            user =
                int(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
            user = std::min(user, users - 1);
        }
        DeviceSpec spec;
        spec.user = user;
        spec.clientId = QStringLiteral("sim-u%1-d%2").arg(user + 1).arg(++devicesOfUser[user]);
        spec.roomCode = m_options.roomCodes.at(m_random.uniformInt(0, rooms - 1));
        spec.profile = randomProfile(m_random);
        spec.latencyMedianMs = m_latency.deviceMedian(m_random, spec.profile.latencyFactor);
        spec.fault = faults[i];

        auto *device = new SimulatedDevice(spec, m_options.url, m_options.userTokens.at(user),
                                           timings, m_random, m_latency, this);
        PresenceClient &client = device->client();
        connect(&client, &PresenceClient::joined, this, [this](const QString &, bool resumed) {
            ++(resumed ? m_stats.resumes : m_stats.joins);
        });
        connect(&client, &PresenceClient::latencyMeasured, this, [this](int ms) {
            ++m_stats.heartbeats;
            if (m_stats.recentLatencies.size() < MaxLatencySamples)
                m_stats.recentLatencies.append(ms);
        });
        connect(&client, &PresenceClient::sessionEnded, this,
                [this](const QString &, const QString &) { ++m_stats.sessionsEnded; });
        connect(device, &SimulatedDevice::unexpectedError, this,
                [this](const QString &code, const QString &) {
                    ++m_stats.errors;
                    ++m_stats.errorsByCode[code];
                });
        connect(device, &SimulatedDevice::faultInjected, this, [this](Fault fault) {
            ++(fault == Fault::Silent ? m_stats.silences : m_stats.drops);
        });
        connect(device, &SimulatedDevice::churned, this, [this] { ++m_stats.churned; });
        connect(device, &SimulatedDevice::finished, this, &Fleet::onDeviceFinished);
        m_devices.append(device);
    }
}

void Fleet::start()
{
    m_clock.start();
    buildDevices();
    const double rampMs = m_options.rampUpSec * 1000.0;
    for (qsizetype i = 0; i < m_devices.size(); ++i)
        m_devices[i]->start(int(rampMs * double(i) / double(m_devices.size())));
    m_statusTimer.start(int(m_options.statusIntervalSec * 1000.0));
    scheduleChurn();
}

void Fleet::scheduleChurn()
{
    const double perSecond = m_options.churnPerMinute * double(m_devices.size()) / 60.0;
    if (perSecond <= 0.0 || m_stopping)
        return;
    const double seconds = std::min(m_random.exponential(1.0 / perSecond), 3600.0);
    m_churnTimer.start(int(seconds * 1000.0));
}

void Fleet::churnOne()
{
    SimulatedDevice *device = m_devices.at(m_random.uniformInt(0, int(m_devices.size()) - 1));
    const QString room =
        m_options.roomCodes.at(m_random.uniformInt(0, int(m_options.roomCodes.size()) - 1));
    // Off for a short while, as a user closing the app and opening it again.
    device->churn(room, m_random.uniformInt(1000, 5000));
    scheduleChurn();
}

int Fleet::joinedNow() const
{
    return int(std::count_if(m_devices.cbegin(), m_devices.cend(),
                             [](const SimulatedDevice *d) { return d->isJoined(); }));
}

QString Fleet::statusLine() const
{
    const qint64 now = m_clock.elapsed();
    const double intervalSec = double(now - m_stats.lastStatusMs) / 1000.0;
    const double rate =
        intervalSec > 0 ? double(m_stats.heartbeats - m_stats.heartbeatsAtLastStatus) / intervalSec
                        : 0.0;
    const int median = m_stats.latencyMedian();
    QString line = QStringLiteral("spidi-sim %1s: joined %2/%3, heartbeats/s %4, latency p50 %5, "
                                  "joins %6, resumed %7, ended by server %8, churn %9")
                       .arg(double(now) / 1000.0, 0, 'f', 1)
                       .arg(joinedNow())
                       .arg(deviceCount())
                       .arg(rate, 0, 'f', 1)
                       .arg(median < 0 ? QStringLiteral("-") : QStringLiteral("%1 ms").arg(median))
                       .arg(m_stats.joins)
                       .arg(m_stats.resumes)
                       .arg(m_stats.sessionsEnded)
                       .arg(m_stats.churned);
    line += QStringLiteral(", silences %1, drops %2, errors %3")
                .arg(m_stats.silences)
                .arg(m_stats.drops)
                .arg(m_stats.errors);
    if (!m_stats.errorsByCode.isEmpty()) {
        QStringList parts;
        for (auto it = m_stats.errorsByCode.cbegin(); it != m_stats.errorsByCode.cend(); ++it)
            parts.append(QStringLiteral("%1 %2").arg(it.key()).arg(it.value()));
        line += QStringLiteral(" (") + parts.join(QStringLiteral(", ")) + QLatin1Char(')');
    }
    return line;
}

void Fleet::printStatus()
{
    err() << statusLine() << Qt::endl;
    m_stats.heartbeatsAtLastStatus = m_stats.heartbeats;
    m_stats.lastStatusMs = m_clock.elapsed();
    m_stats.recentLatencies.clear();
}

void Fleet::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_churnTimer.stop();
    m_graceTimer.start(StopGraceMs);
    if (m_devices.isEmpty()) {
        m_graceTimer.stop();
        Q_EMIT stopped(true);
        return;
    }
    // stop() may finish a device synchronously, so iterate over a copy.
    const QList<SimulatedDevice *> devices = m_devices;
    for (SimulatedDevice *device : devices)
        device->stop();
}

void Fleet::onDeviceFinished()
{
    if (!m_stopping)
        return;
    if (++m_finished == deviceCount() && m_graceTimer.isActive()) {
        m_graceTimer.stop();
        m_statusTimer.stop();
        Q_EMIT stopped(true);
    }
}

} // namespace spidi::sim
