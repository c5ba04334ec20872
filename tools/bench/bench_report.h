#pragma once

#include "bench_options.h"
#include "latency_histogram.h"
#include "load_worker.h"

#include <QJsonObject>
#include <QString>

namespace spidi {

// CPU and memory of one process over the measurement window.
struct ProcessFigures
{
    qint64 pid = 0;
    bool sampled = false;
    double cpuPercentAvg = 0;
    double cpuPercentMax = 0;
    double busiestThreadCpuPercentAvg = 0;
    double busiestThreadCpuPercentMax = 0;
    int threads = 0;
    qint64 rssBaselineKiB = 0; // before the first connection
    qint64 rssEndKiB = 0;      // at the end of the measurement, every connection still open
    qint64 rssPeakKiB = 0;
};

struct RestFigures
{
    LatencyHistogram latency;
    qint64 errors = 0;
    QString lastError;
};

// Everything one run measured; rendered as the stdout table and the --json document.
struct BenchResult
{
    BenchOptions options;
    QString startedAt; // ISO-8601 UTC
    int targetAddresses = 1;
    double rampSec = 0;
    double windowSec = 0; // measured steady phase
    WorkerStats load;     // merged over the workers
    LatencyHistogram joinToDashboard;
    qint64 joinToDashboardMissed = 0;
    QString joinToDashboardError;
    bool joinToDashboardMeasured = false;
    RestFigures restRooms;
    RestFigures restSessions;
    bool restMeasured = false;
    ProcessFigures server;
    ProcessFigures generator;
    double machineCpuPercentAvg = 0; // every process, percent of all cores
    double machineCpuPercentMax = 0;
    double loadAverage1 = 0;  // at the end of the window
    QString saturation;       // "server", "generator", "machine", "other-processes" or "none"
    QString saturationDetail; // the figures behind it

    double connectRate() const;
    double achievedRate() const;
    double sentRate() const;
};

// Decides which side ran out of CPU: a side whose busiest thread is at a core (both sides do
// their network I/O on event-loop threads); the machine when the two together use nearly every
// core; other processes when the machine is busy but mostly not with these two.
void judgeSaturation(BenchResult &result, int cores);

QJsonObject toJson(const BenchResult &result);
QString toTable(const BenchResult &result);
QJsonObject histogramJson(const LatencyHistogram &histogram); // milliseconds

} // namespace spidi
