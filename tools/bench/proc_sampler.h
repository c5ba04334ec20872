#pragma once

#include <QHash>
#include <QtGlobal>

#include <optional>

namespace spidi {

// CPU and memory of one process, read from /proc/<pid>/stat, /proc/<pid>/task/*/stat and
// /proc/<pid>/status. CPU is in percent of one core (200 % = two cores busy), the way top
// shows it. The busiest thread matters as much as the total: the Spidi server and the bench
// each run their network I/O on event-loop threads, and one of them at 100 % is a bottleneck
// even when the machine still has idle cores.
class ProcSampler
{
public:
    struct Sample
    {
        // False when the previous sample was too recent for the clock-tick resolution of /proc
        // (10 ms): the CPU figures are then left out, not rounded to 0 % or 200 %.
        bool cpuValid = false;
        double cpuPercent = 0;              // whole process since the previous sample
        double busiestThreadCpuPercent = 0; // the busiest thread since the previous sample
        qint64 rssKiB = 0;
        int threads = 0;
    };

    explicit ProcSampler(qint64 pid); // 0: this process
    qint64 pid() const { return m_pid; }
    bool isAlive() const;
    // First call primes the counters (cpu figures 0); std::nullopt when the process is gone.
    std::optional<Sample> sample();
    // Resident set size now, without touching the CPU counters.
    std::optional<qint64> rssKiB() const;

private:
    QString procDir() const;

    qint64 m_pid = 0;
    qint64 m_lastWallNs = 0;
    qint64 m_lastProcessTicks = -1;
    QHash<qint64, qint64> m_lastThreadTicks;
};

// The whole machine's CPU from /proc/stat, in percent of all cores (100 % = every core busy),
// and the load average. On a shared machine this tells whether other processes took the CPU
// that neither the server nor the generator got.
class MachineSampler
{
public:
    // Busy percent since the previous sample; std::nullopt on the first call (which primes the
    // counters) and when the previous sample is under half a second old.
    std::optional<double> sample();
    static double loadAverage1();

private:
    qint64 m_lastBusy = -1;
    qint64 m_lastTotal = -1;
    qint64 m_lastWallNs = 0;
};

// utime + stime in clock ticks from the text of a /proc stat file (the command name may hold
// spaces and parentheses, so fields are counted after the last ')').
std::optional<qint64> cpuTicksFromStat(const QByteArray &statText);
// VmRSS in KiB from the text of /proc/<pid>/status.
std::optional<qint64> rssKiBFromStatus(const QByteArray &statusText);

} // namespace spidi
