#include "bench_runner.h"

#include "bench_log.h"
#include "dashboard_probe.h"
#include "load_worker.h"
#include "rest_probe.h"
#include "room_setup.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QThread>

#include <cmath>
#include <cstdio>

namespace spidi {

namespace {
// Connections per loopback destination address: the ephemeral port range (32768-60999 by
// default) gives about 28,000 source ports per destination 4-tuple; stay below it.
constexpr int ConnectionsPerAddress = 25000;
// Heartbeats per connection per second during the ramp: one per 10 s keeps a session well
// inside the default 45 s timeout.
constexpr double RampHeartbeatsPerSec = 0.1;

bool isLoopbackHost(const QString &host)
{
    return host == QLatin1String("127.0.0.1") || host == QLatin1String("localhost");
}
} // namespace

void BenchRunner::CpuAccumulator::add(const ProcSampler::Sample &s)
{
    rssPeakKiB = std::max(rssPeakKiB, s.rssKiB);
    if (!s.cpuValid)
        return;
    sum += s.cpuPercent;
    busiestSum += s.busiestThreadCpuPercent;
    max = std::max(max, s.cpuPercent);
    busiestMax = std::max(busiestMax, s.busiestThreadCpuPercent);
    threads = s.threads;
    ++samples;
}

void BenchRunner::CpuAccumulator::fill(ProcessFigures &f) const
{
    f.cpuPercentAvg = samples ? sum / samples : 0;
    f.busiestThreadCpuPercentAvg = samples ? busiestSum / samples : 0;
    f.cpuPercentMax = max;
    f.busiestThreadCpuPercentMax = busiestMax;
    f.threads = threads;
    f.rssPeakKiB = std::max(f.rssPeakKiB, rssPeakKiB);
}

BenchRunner::BenchRunner(BenchOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_result.options = m_options;
    connect(&m_secondTimer, &QTimer::timeout, this, &BenchRunner::everySecond);
}

BenchRunner::~BenchRunner()
{
    stopWorkers();
}

int BenchRunner::targetAddresses() const
{
    if (!isLoopbackHost(m_options.url.host()))
        return 1;
    if (m_options.targetAddresses > 0)
        return m_options.targetAddresses;
    return (m_options.connections + ConnectionsPerAddress - 1) / ConnectionsPerAddress;
}

void BenchRunner::fail(const QString &message)
{
    qCCritical(lcBench).noquote() << message;
    m_phase = Phase::Done;
    stopWorkers();
    Q_EMIT finished(1);
}

void BenchRunner::start()
{
    m_result.startedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    m_result.targetAddresses = targetAddresses();
    if (m_options.targetAddresses > 1 && !isLoopbackHost(m_options.url.host()))
        qCWarning(lcBench) << "--target-addresses only applies to a server on 127.0.0.1";
    const bool presence = m_options.mode == BenchOptions::Mode::Presence;

    if (presence && m_options.createRooms) {
        const QString error = setUpRooms(m_options);
        if (!error.isEmpty())
            return fail(QStringLiteral("room set-up failed: ") + error);
    }
    if (m_options.serverPid > 0) {
        m_serverSampler = std::make_unique<ProcSampler>(m_options.serverPid);
        const auto first = m_serverSampler->sample();
        if (!first)
            return fail(
                QStringLiteral("--server-pid %1: no such process").arg(m_options.serverPid));
        m_result.server.sampled = true;
        m_result.server.pid = m_options.serverPid;
        m_result.server.rssBaselineKiB = first->rssKiB;
    }
    m_selfSampler.sample();
    m_result.generator.sampled = true;
    m_result.generator.pid = QCoreApplication::applicationPid();
    m_result.generator.rssBaselineKiB = m_selfSampler.rssKiB().value_or(0);

    const QString probeRoom = m_options.roomCodes().constFirst();
    if (presence && !m_options.monitorToken.isEmpty()) {
        m_dashboard =
            new DashboardProbe(m_options.url, m_options.monitorToken, m_options.deviceToken,
                               probeRoom, m_options.probeIntervalSec, this);
        m_dashboard->connectAndSubscribe();
        m_rest = new RestProbe(m_options.url, m_options.monitorToken, probeRoom, m_options.restRate,
                               this);
    }
    startWorkers();
    m_startNs = m_phaseStartNs = monotonicNs();
    m_phase = Phase::Ramp;
    m_secondTimer.start(1000);
}

void BenchRunner::startWorkers()
{
    const int threads = std::min(m_options.threads, m_options.connections);
    const bool echo = m_options.mode == BenchOptions::Mode::Echo;
    for (int w = 0; w < threads; ++w) {
        WorkerConfig config;
        config.index = w;
        config.first = w;
        config.stride = threads;
        config.count = m_options.connections / threads + (w < m_options.connections % threads);
        config.perConnectionRate = m_options.rate / double(m_options.connections);
        config.rampPerConnectionRate = RampHeartbeatsPerSec;
        config.connectRate = m_options.rampPerSec / threads;
        config.maxPendingHandshakes = std::max(1, m_options.maxPendingHandshakes / threads);
        config.url = m_options.url;
        config.targetAddresses = m_result.targetAddresses;
        config.token = echo ? QByteArray() : m_options.deviceToken;
        config.roomCodes = m_options.roomCodes();
        config.echo = echo;

        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("bench-%1").arg(w));
        auto *worker = new LoadWorker(config);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        QMetaObject::invokeMethod(worker, &LoadWorker::start, Qt::QueuedConnection);
        m_threads.append(thread);
        m_workers.append(worker);
    }
    if (m_options.rate > 0 && m_options.rate / m_options.connections < 1.0 / 15.0)
        qCWarning(lcBench,
                  "%.3f heartbeats/s per connection is below one per 15 s: sessions "
                  "may expire unless the server's --session-timeout is long enough",
                  m_options.rate / m_options.connections);
}

qint64 BenchRunner::openedSoFar() const
{
    qint64 n = 0;
    for (const LoadWorker *w : m_workers)
        n += w->openedCount();
    return n;
}

qint64 BenchRunner::failedSoFar() const
{
    qint64 n = 0;
    for (const LoadWorker *w : m_workers)
        n += w->failedCount();
    return n;
}

bool BenchRunner::rampFinished() const
{
    return std::all_of(m_workers.cbegin(), m_workers.cend(),
                       [](const LoadWorker *w) { return w->rampFinished(); });
}

void BenchRunner::sample(bool accumulate)
{
    if (m_serverSampler) {
        if (const auto s = m_serverSampler->sample()) {
            if (accumulate)
                m_serverCpu.add(*s);
            m_result.server.rssPeakKiB = std::max(m_result.server.rssPeakKiB, s->rssKiB);
        } else {
            qCWarning(lcBench) << "server process" << m_options.serverPid << "is gone";
        }
    }
    const auto machine = m_machineSampler.sample();
    if (accumulate && machine) {
        m_machineSum += *machine;
        ++m_machineSamples;
        m_result.machineCpuPercentMax = std::max(m_result.machineCpuPercentMax, *machine);
    }
    if (const auto s = m_selfSampler.sample()) {
        if (accumulate)
            m_selfCpu.add(*s);
        m_result.generator.rssPeakKiB = std::max(m_result.generator.rssPeakKiB, s->rssKiB);
    }
}

void BenchRunner::everySecond()
{
    const qint64 now = monotonicNs();
    const double phaseSec = double(now - m_phaseStartNs) / 1e9;
    switch (m_phase) {
    case Phase::Ramp: {
        sample(false);
        qint64 ready = 0;
        for (const LoadWorker *w : std::as_const(m_workers))
            ready += w->readyCount();
        qCInfo(lcBench, "ramp %.0f s: %lld opened, %lld holding a session, %lld failed of %d",
               phaseSec, openedSoFar(), ready, failedSoFar(), m_options.connections);
        // Generous: a ramp slower than asked is itself a result, but a stuck one must end.
        const double limitSec = 1.5 * m_options.connections / m_options.rampPerSec + 60;
        const bool timedOut = phaseSec > limitSec;
        if (rampFinished() || timedOut) {
            if (timedOut)
                qCWarning(lcBench, "ramp not finished after %.0f s; measuring what is open",
                          phaseSec);
            m_result.rampSec = double(now - m_startNs) / 1e9;
            // The settle phase lets the server reach its steady state at the full rate before
            // anything is measured.
            for (LoadWorker *w : std::as_const(m_workers))
                QMetaObject::invokeMethod(w, &LoadWorker::fullRate, Qt::QueuedConnection);
            m_phase = Phase::Settle;
            m_phaseStartNs = now;
        }
        break;
    }
    case Phase::Settle:
        sample(false);
        if (phaseSec + 0.5 >= m_options.settleSec)
            beginMeasurement();
        break;
    case Phase::Measure: {
        sample(true);
        qint64 ready = 0;
        for (const LoadWorker *w : std::as_const(m_workers))
            ready += w->readyCount();
        qCInfo(lcBench, "measuring %.0f/%.0f s: %lld connections holding a session", phaseSec,
               m_options.durationSec, ready);
        if (phaseSec + 0.5 >= m_options.durationSec)
            finish();
        break;
    }
    case Phase::Done:
        break;
    }
}

void BenchRunner::beginMeasurement()
{
    if (m_dashboard && !m_dashboard->isSubscribed())
        qCWarning(lcBench).noquote() << "join-to-dashboard: the roster subscription is not up yet;"
                                     << m_dashboard->lastError();
    // Priming the samplers here makes the first accumulated sample cover exactly the window.
    m_serverCpu.clear();
    m_selfCpu.clear();
    m_machineSum = 0;
    m_machineSamples = 0;
    m_result.machineCpuPercentMax = 0;
    sample(false);
    for (LoadWorker *w : std::as_const(m_workers))
        QMetaObject::invokeMethod(w, &LoadWorker::beginMeasurement, Qt::QueuedConnection);
    if (m_dashboard)
        m_dashboard->start();
    if (m_rest)
        m_rest->start();
    m_measureStartNs = m_phaseStartNs = monotonicNs();
    m_phase = Phase::Measure;
    // The window ends on a timer of its own so that its length does not depend on the
    // one-second sampling tick.
    QTimer::singleShot(int(std::lround(m_options.durationSec * 1000)), Qt::PreciseTimer, this,
                       [this] {
                           if (m_phase == Phase::Measure)
                               finish();
                       });
}

void BenchRunner::finish()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_secondTimer.stop();
    for (LoadWorker *w : std::as_const(m_workers))
        QMetaObject::invokeMethod(w, &LoadWorker::endMeasurement, Qt::BlockingQueuedConnection);
    m_result.windowSec = double(monotonicNs() - m_measureStartNs) / 1e9;
    sample(true);
    if (m_serverSampler)
        m_result.server.rssEndKiB = m_serverSampler->rssKiB().value_or(0);
    m_result.generator.rssEndKiB = m_selfSampler.rssKiB().value_or(0);
    m_result.machineCpuPercentAvg = m_machineSamples ? m_machineSum / m_machineSamples : 0;
    m_result.loadAverage1 = MachineSampler::loadAverage1();
    m_serverCpu.fill(m_result.server);
    m_selfCpu.fill(m_result.generator);

    for (LoadWorker *w : std::as_const(m_workers)) {
        WorkerStats stats;
        QMetaObject::invokeMethod(
            w, [w, &stats] { stats = w->stats(); }, Qt::BlockingQueuedConnection);
        m_result.load.merge(stats);
    }
    if (m_dashboard) {
        m_dashboard->stop();
        m_result.joinToDashboardMeasured = true;
        m_result.joinToDashboard = m_dashboard->latency();
        m_result.joinToDashboardMissed = m_dashboard->missed();
        m_result.joinToDashboardError = m_dashboard->lastError();
    }
    if (m_rest) {
        m_rest->stop();
        m_result.restMeasured = m_options.restRate > 0;
        m_result.restRooms = {m_rest->rooms().latency, m_rest->rooms().errors,
                              m_rest->rooms().lastError};
        m_result.restSessions = {m_rest->sessions().latency, m_rest->sessions().errors,
                                 m_rest->sessions().lastError};
    }
    stopWorkers();
    judgeSaturation(m_result, QThread::idealThreadCount());

    const QString table = toTable(m_result);
    std::fputs(table.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
    int exitCode = m_result.load.held > 0 ? 0 : 1;
    if (!m_options.jsonFile.isEmpty()) {
        QFile file(m_options.jsonFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(QJsonDocument(toJson(m_result)).toJson(QJsonDocument::Indented)) < 0) {
            qCCritical(lcBench).noquote()
                << "cannot write" << m_options.jsonFile << file.errorString();
            exitCode = 1;
        }
    }
    Q_EMIT finished(exitCode);
}

void BenchRunner::stopWorkers()
{
    for (LoadWorker *w : std::as_const(m_workers))
        QMetaObject::invokeMethod(w, &LoadWorker::stop, Qt::BlockingQueuedConnection);
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    m_workers.clear();
    m_threads.clear();
}

} // namespace spidi
