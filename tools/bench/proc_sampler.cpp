#include "proc_sampler.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <chrono>
#include <unistd.h>

namespace spidi {

namespace {

std::optional<QByteArray> readProcFile(const QString &path)
{
    QFile file(path);
    // /proc files report size 0, so read until EOF rather than by size.
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.readAll();
}

constexpr double MinCpuIntervalSec = 0.5;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::optional<qint64> cpuTicksFromStat(const QByteArray &statText)
{
    const qsizetype close = statText.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    // After "pid (comm)" come: state(3) ppid(4) ... utime(14) stime(15).
    const QList<QByteArray> fields = statText.mid(close + 2).split(' ');
    constexpr int utimeIndex = 14 - 3;
    if (fields.size() <= utimeIndex + 1)
        return std::nullopt;
    bool okU = false, okS = false;
    const qint64 utime = fields.at(utimeIndex).toLongLong(&okU);
    const qint64 stime = fields.at(utimeIndex + 1).toLongLong(&okS);
    if (!okU || !okS)
        return std::nullopt;
    return utime + stime;
}

std::optional<qint64> rssKiBFromStatus(const QByteArray &statusText)
{
    for (const QByteArray &line : statusText.split('\n')) {
        if (!line.startsWith("VmRSS:"))
            continue;
        const QByteArray value = line.mid(6).trimmed();
        const qsizetype space = value.indexOf(' ');
        bool ok = false;
        const qint64 kib = value.left(space < 0 ? value.size() : space).toLongLong(&ok);
        return ok ? std::optional<qint64>(kib) : std::nullopt;
    }
    return std::nullopt;
}

ProcSampler::ProcSampler(qint64 pid) : m_pid(pid) {}

QString ProcSampler::procDir() const
{
    return m_pid > 0 ? QStringLiteral("/proc/%1").arg(m_pid) : QStringLiteral("/proc/self");
}

bool ProcSampler::isAlive() const
{
    return QFile::exists(procDir() + QStringLiteral("/stat"));
}

std::optional<qint64> ProcSampler::rssKiB() const
{
    const auto status = readProcFile(procDir() + QStringLiteral("/status"));
    return status ? rssKiBFromStatus(*status) : std::nullopt;
}

std::optional<ProcSampler::Sample> ProcSampler::sample()
{
    const auto stat = readProcFile(procDir() + QStringLiteral("/stat"));
    if (!stat)
        return std::nullopt;
    const auto processTicks = cpuTicksFromStat(*stat);
    const auto rss = rssKiB();
    if (!processTicks || !rss)
        return std::nullopt;
    // Plain values from here: GCC's -Wmaybe-uninitialized misreads optionals across the lambda.
    const qint64 ticks = *processTicks;

    const qint64 wallNs = nowNs();
    const double ticksPerSec = double(sysconf(_SC_CLK_TCK));
    const double elapsedSec = m_lastWallNs > 0 ? double(wallNs - m_lastWallNs) / 1e9 : 0.0;
    Sample s;
    s.rssKiB = *rss;
    if (m_lastWallNs > 0 && elapsedSec < MinCpuIntervalSec)
        return s; // keep the previous baseline for the next full interval
    auto percent = [&](qint64 deltaTicks) {
        return elapsedSec > 0 ? 100.0 * double(deltaTicks) / ticksPerSec / elapsedSec : 0.0;
    };

    s.cpuValid = m_lastProcessTicks >= 0;
    if (m_lastProcessTicks >= 0)
        s.cpuPercent = percent(ticks - m_lastProcessTicks);
    m_lastProcessTicks = ticks;

    QHash<qint64, qint64> threadTicks;
    const QString taskDir = procDir() + QStringLiteral("/task");
    for (const QString &tid : QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto threadStat =
            readProcFile(taskDir + QLatin1Char('/') + tid + QStringLiteral("/stat"));
        const auto t = threadStat ? cpuTicksFromStat(*threadStat) : std::nullopt;
        if (!t)
            continue; // the thread ended between the listing and the read
        const qint64 id = tid.toLongLong();
        const qint64 threadTicksNow = *t;
        threadTicks.insert(id, threadTicksNow);
        const auto previous = m_lastThreadTicks.constFind(id);
        if (previous != m_lastThreadTicks.cend())
            s.busiestThreadCpuPercent =
                std::max(s.busiestThreadCpuPercent, percent(threadTicksNow - previous.value()));
    }
    s.threads = int(threadTicks.size());
    m_lastThreadTicks = threadTicks;
    m_lastWallNs = wallNs;
    return s;
}

std::optional<double> MachineSampler::sample()
{
    const qint64 wallNs = nowNs();
    if (m_lastWallNs > 0 && double(wallNs - m_lastWallNs) / 1e9 < MinCpuIntervalSec)
        return std::nullopt;
    const auto stat = readProcFile(QStringLiteral("/proc/stat"));
    if (!stat)
        return std::nullopt;
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
    const QList<QByteArray> fields = stat->left(stat->indexOf('\n')).simplified().split(' ');
    if (fields.size() < 9 || fields.constFirst() != "cpu")
        return std::nullopt;
    qint64 total = 0;
    for (int i = 1; i <= 8; ++i) // guest time is already counted in user
        total += fields.at(i).toLongLong();
    const qint64 idle = fields.at(4).toLongLong() + fields.at(5).toLongLong();
    const qint64 busy = total - idle;
    std::optional<double> percent;
    if (m_lastTotal >= 0 && total > m_lastTotal)
        percent = 100.0 * double(busy - m_lastBusy) / double(total - m_lastTotal);
    m_lastBusy = busy;
    m_lastTotal = total;
    m_lastWallNs = wallNs;
    return percent;
}

double MachineSampler::loadAverage1()
{
    const auto text = readProcFile(QStringLiteral("/proc/loadavg"));
    return text ? text->split(' ').value(0).toDouble() : 0.0;
}

} // namespace spidi
