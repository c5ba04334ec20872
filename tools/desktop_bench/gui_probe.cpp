#include "gui_probe.h"

#include "proc_sampler.h"

#include <QFile>
#include <QQuickWindow>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace spidi::desktopbench {

namespace {

qint64 ticksOf(const QString &statFile)
{
    QFile file(statFile);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return spidi::cpuTicksFromStat(file.readAll()).value_or(0);
}

double ticksToPercent(qint64 ticks, qint64 ns)
{
    if (ns <= 0)
        return 0;
    const double seconds = double(ticks) / double(::sysconf(_SC_CLK_TCK));
    return 100.0 * seconds / (double(ns) / 1e9);
}

qint64 threadCpuNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

Distribution Distribution::of(QList<double> samples)
{
    Distribution d;
    d.count = int(samples.size());
    if (samples.isEmpty())
        return d;
    std::sort(samples.begin(), samples.end());
    const auto rank = [&samples](double q) {
        const auto i = qsizetype(std::ceil(q * double(samples.size()))) - 1;
        return samples.at(std::clamp<qsizetype>(i, 0, samples.size() - 1));
    };
    d.p50 = rank(0.50);
    d.p95 = rank(0.95);
    d.p99 = rank(0.99);
    d.max = samples.last();
    d.mean = std::accumulate(samples.cbegin(), samples.cend(), 0.0) / double(samples.size());
    return d;
}

qint64 guiThreadTicks()
{
    // The main thread's task id is the process id.
    return ticksOf(QStringLiteral("/proc/self/task/%1/stat").arg(::getpid()));
}

qint64 processTicks()
{
    return ticksOf(QStringLiteral("/proc/self/stat"));
}

qint64 rssKiB()
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return spidi::rssKiBFromStatus(file.readAll()).value_or(0);
}

UiProbe::UiProbe(QQuickWindow *window, QObject *parent) : QObject(parent), m_window(window)
{
    m_clock.start();
    // Direct: the software render loop runs on the GUI thread; these are its own timestamps.
    connect(
        window, &QQuickWindow::beforeSynchronizing, this,
        [this] { m_syncStartNs = m_clock.nsecsElapsed(); }, Qt::DirectConnection);
    connect(
        window, &QQuickWindow::frameSwapped, this,
        [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (m_running) {
                if (m_lastFrameNs >= 0)
                    m_intervals.append(double(now - m_lastFrameNs) / 1e6);
                if (m_lastFrameCpuNs >= 0)
                    m_frameCpu.append(double(cpu - m_lastFrameCpuNs) / 1e6);
                if (m_syncStartNs >= 0)
                    m_costs.append(double(now - m_syncStartNs) / 1e6);
            }
            m_lastFrameNs = now;
            m_lastFrameCpuNs = cpu;
            m_syncStartNs = -1;
            Q_EMIT frameDone();
        },
        Qt::DirectConnection);
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(20);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.nsecsElapsed();
        if (m_lastTickNs >= 0)
            m_lateness.append(std::max(0.0, double(now - m_lastTickNs) / 1e6 - 20.0));
        m_lastTickNs = now;
    });
    m_cpuTimer.setInterval(1000);
    connect(&m_cpuTimer, &QTimer::timeout, this, &UiProbe::sampleCpu);
}

void UiProbe::start()
{
    m_intervals.clear();
    m_costs.clear();
    m_frameCpu.clear();
    m_lateness.clear();
    m_cpuSlices.clear();
    m_lastFrameNs = -1;
    m_lastFrameCpuNs = -1;
    m_lastTickNs = -1;
    m_running = true;
    m_startGuiTicks = m_lastGuiTicks = guiThreadTicks();
    m_startProcessTicks = processTicks();
    m_lastSliceNs = m_clock.nsecsElapsed();
    m_elapsedNs = -m_lastSliceNs;
    m_tick.start();
    m_cpuTimer.start();
}

void UiProbe::sampleCpu()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 ticks = guiThreadTicks();
    m_cpuSlices.append(ticksToPercent(ticks - m_lastGuiTicks, now - m_lastSliceNs));
    m_lastGuiTicks = ticks;
    m_lastSliceNs = now;
}

void UiProbe::stop()
{
    m_running = false;
    m_tick.stop();
    m_cpuTimer.stop();
    m_elapsedNs += m_clock.nsecsElapsed();
    m_guiTicks = guiThreadTicks() - m_startGuiTicks;
    m_processTicks = processTicks() - m_startProcessTicks;
}

UiProbe::Result UiProbe::result() const
{
    Result r;
    r.seconds = double(m_elapsedNs) / 1e9;
    r.frames = int(m_costs.size());
    r.frameIntervalMs = Distribution::of(m_intervals);
    r.frameCostMs = Distribution::of(m_costs);
    r.frameCpuMs = Distribution::of(m_frameCpu);
    r.timerLatenessMs = Distribution::of(m_lateness);
    r.guiCpuPerSecond = Distribution::of(m_cpuSlices);
    r.guiCpuPercent = ticksToPercent(m_guiTicks, m_elapsedNs);
    r.processCpuPercent = ticksToPercent(m_processTicks, m_elapsedNs);
    return r;
}

} // namespace spidi::desktopbench
