#pragma once

#include "bench_options.h"
#include "bench_report.h"
#include "proc_sampler.h"

#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

class QThread;

namespace spidi {

class DashboardProbe;
class LoadWorker;
class RestProbe;

// Runs one measurement: set-up (rooms), ramp (workers open their connections), a short settle,
// the measured window (heartbeats, probes, /proc samples every second), then the report.
// Lives in the main thread, which holds no device connections: it only samples, probes and
// coordinates, so its own latency never stretches the figures of the workers.
class BenchRunner : public QObject
{
    Q_OBJECT
public:
    explicit BenchRunner(BenchOptions options, QObject *parent = nullptr);
    ~BenchRunner() override;

    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    enum class Phase { Ramp, Settle, Measure, Done };

    struct CpuAccumulator
    {
        double sum = 0, busiestSum = 0, max = 0, busiestMax = 0;
        int samples = 0;
        int threads = 0;
        qint64 rssPeakKiB = 0;
        void add(const ProcSampler::Sample &s);
        void clear() { *this = CpuAccumulator{}; }
        void fill(ProcessFigures &figures) const;
    };

    void startWorkers();
    void everySecond();
    void sample(bool accumulate);
    void beginMeasurement();
    void finish();
    void stopWorkers();
    void fail(const QString &message);
    int targetAddresses() const;
    qint64 openedSoFar() const;
    qint64 failedSoFar() const;
    bool rampFinished() const;

    BenchOptions m_options;
    BenchResult m_result;
    Phase m_phase = Phase::Ramp;
    QList<QThread *> m_threads;
    QList<LoadWorker *> m_workers;
    std::unique_ptr<ProcSampler> m_serverSampler;
    ProcSampler m_selfSampler{0};
    MachineSampler m_machineSampler;
    double m_machineSum = 0;
    int m_machineSamples = 0;
    CpuAccumulator m_serverCpu;
    CpuAccumulator m_selfCpu;
    DashboardProbe *m_dashboard = nullptr;
    RestProbe *m_rest = nullptr;
    QTimer m_secondTimer;
    qint64 m_startNs = 0;
    qint64 m_phaseStartNs = 0;
    qint64 m_measureStartNs = 0;
};

} // namespace spidi
