#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

class QQuickWindow;

namespace spidi::desktopbench {

// Percentiles of a list of samples (nearest rank), for the report.
struct Distribution
{
    int count = 0;
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double max = 0;
    double mean = 0;

    static Distribution of(QList<double> samples);
};

// What the GUI thread of the console does while a phase runs: when frames are swapped (their
// intervals), how long each frame took from beforeSynchronizing to frameSwapped (the software
// renderer does both on the GUI thread), how late a 20 ms timer fires (the event loop's
// responsiveness), and the GUI thread's CPU time (/proc/self/task/<tid>/stat) per second.
class UiProbe : public QObject
{
    Q_OBJECT

public:
    explicit UiProbe(QQuickWindow *window, QObject *parent = nullptr);

    void start();
    void stop();

    struct Result
    {
        double seconds = 0;
        int frames = 0;
        Distribution frameIntervalMs;
        Distribution frameCostMs;
        // GUI thread CPU time between two frames: the console's own work per frame, whatever
        // else the machine runs (wall-clock intervals include waiting for a core).
        Distribution frameCpuMs;
        Distribution timerLatenessMs;
        // GUI thread CPU in percent of one core, per one-second slice and over the phase.
        Distribution guiCpuPerSecond;
        double guiCpuPercent = 0;
        double processCpuPercent = 0;
    };
    Result result() const;

Q_SIGNALS:
    // After every swapped frame (the scroll phase steps on it).
    void frameDone();

private:
    void sampleCpu();

    QQuickWindow *m_window;
    QElapsedTimer m_clock;
    QTimer m_tick;
    QTimer m_cpuTimer;
    bool m_running = false;
    qint64 m_lastFrameNs = -1;
    qint64 m_lastFrameCpuNs = -1;
    qint64 m_syncStartNs = -1;
    qint64 m_lastTickNs = -1;
    QList<double> m_intervals;
    QList<double> m_costs;
    QList<double> m_frameCpu;
    QList<double> m_lateness;
    QList<double> m_cpuSlices;
    qint64 m_startGuiTicks = 0;
    qint64 m_startProcessTicks = 0;
    qint64 m_lastGuiTicks = 0;
    qint64 m_lastSliceNs = 0;
    qint64 m_elapsedNs = 0;
    qint64 m_guiTicks = 0;
    qint64 m_processTicks = 0;
};

// CPU ticks of this process's main (GUI) thread and of the whole process; RSS in KiB.
qint64 guiThreadTicks();
qint64 processTicks();
qint64 rssKiB();

} // namespace spidi::desktopbench
