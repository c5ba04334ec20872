#pragma once

#include "fleet_stats.h"
#include "latency_model.h"
#include "random_source.h"
#include "sim_options.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

namespace spidi::sim {

class SimulatedDevice;

// The simulated fleet: users (one per token) with several devices each, spread over the rooms,
// a share of them faulty; drives churn and prints the periodic status line.
class Fleet : public QObject
{
    Q_OBJECT
public:
    explicit Fleet(const SimOptions &options, QObject *parent = nullptr);
    ~Fleet() override;

    void start();
    // Every device leaves; stopped() follows when all are closed (or after a grace period).
    void stop();

    const FleetStats &stats() const { return m_stats; }
    int joinedNow() const;
    int deviceCount() const { return int(m_devices.size()); }
    QString statusLine() const;

Q_SIGNALS:
    void stopped(bool allLeft);

private:
    void buildDevices();
    void scheduleChurn();
    void churnOne();
    void printStatus();
    void onDeviceFinished();

    SimOptions m_options;
    RandomSource m_random;
    LatencyModel m_latency;
    QList<SimulatedDevice *> m_devices; // children of this
    FleetStats m_stats;
    QElapsedTimer m_clock;
    QTimer m_statusTimer;
    QTimer m_churnTimer;
    QTimer m_graceTimer;
    int m_finished = 0;
    bool m_stopping = false;
};

} // namespace spidi::sim
