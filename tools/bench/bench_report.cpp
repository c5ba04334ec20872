#include "bench_report.h"

#include <QFile>
#include <QJsonArray>
#include <QSysInfo>
#include <QThread>

#include <cmath>

namespace spidi {

namespace {

// At or above this share of a core, a thread is taken as saturated: sampling over one-second
// intervals never quite reads 100 % even for a thread that never sleeps.
constexpr double SaturatedThreadPercent = 90;

double ms(qint64 micros)
{
    return std::round(double(micros) / 10.0) / 100.0; // 0.01 ms resolution
}

double round1(double v)
{
    return std::round(v * 10.0) / 10.0;
}

QString modeName(BenchOptions::Mode mode)
{
    switch (mode) {
    case BenchOptions::Mode::Presence:
        return QStringLiteral("presence");
    case BenchOptions::Mode::Echo:
        return QStringLiteral("echo");
    case BenchOptions::Mode::EchoServer:
        return QStringLiteral("echo-server");
    }
    return {};
}

QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    return {};
}

qint64 memTotalKiB()
{
    QFile file(QStringLiteral("/proc/meminfo"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray first = file.readLine();
    return first.mid(first.indexOf(':') + 1).trimmed().split(' ').value(0).toLongLong();
}

QJsonObject processJson(const ProcessFigures &p, qint64 held)
{
    if (!p.sampled)
        return {{QStringLiteral("sampled"), false}};
    QJsonObject o{
        {QStringLiteral("sampled"), true},
        {QStringLiteral("pid"), p.pid},
        {QStringLiteral("cpuPercentAvg"), round1(p.cpuPercentAvg)},
        {QStringLiteral("cpuPercentMax"), round1(p.cpuPercentMax)},
        {QStringLiteral("busiestThreadCpuPercentAvg"), round1(p.busiestThreadCpuPercentAvg)},
        {QStringLiteral("busiestThreadCpuPercentMax"), round1(p.busiestThreadCpuPercentMax)},
        {QStringLiteral("threads"), p.threads},
        {QStringLiteral("rssBaselineKiB"), p.rssBaselineKiB},
        {QStringLiteral("rssEndKiB"), p.rssEndKiB},
        {QStringLiteral("rssPeakKiB"), p.rssPeakKiB}};
    if (held > 0)
        o.insert(QStringLiteral("rssPerConnectionKiB"),
                 round1(double(p.rssEndKiB - p.rssBaselineKiB) / double(held)));
    return o;
}

QJsonObject restJson(const RestFigures &r)
{
    QJsonObject o = histogramJson(r.latency);
    o.insert(QStringLiteral("errors"), r.errors);
    if (!r.lastError.isEmpty())
        o.insert(QStringLiteral("lastError"), r.lastError);
    return o;
}

QString latencyRow(const LatencyHistogram &h)
{
    if (h.count() == 0)
        return QStringLiteral("-");
    return QStringLiteral("%1 / %2 / %3 / %4  (n=%5)")
        .arg(ms(h.percentile(50)), 0, 'f', 2)
        .arg(ms(h.percentile(95)), 0, 'f', 2)
        .arg(ms(h.percentile(99)), 0, 'f', 2)
        .arg(ms(h.max()), 0, 'f', 2)
        .arg(h.count());
}

QString processRow(const ProcessFigures &p)
{
    if (!p.sampled)
        return QStringLiteral("not sampled (no --server-pid)");
    return QStringLiteral("%1 avg / %2 max; busiest thread %3 avg / %4 max")
        .arg(p.cpuPercentAvg, 0, 'f', 1)
        .arg(p.cpuPercentMax, 0, 'f', 1)
        .arg(p.busiestThreadCpuPercentAvg, 0, 'f', 1)
        .arg(p.busiestThreadCpuPercentMax, 0, 'f', 1);
}

} // namespace

double BenchResult::connectRate() const
{
    const double sec = double(load.lastOpenedNs - load.firstAttemptNs) / 1e9;
    return sec > 0 ? double(load.opened) / sec : 0.0;
}

double BenchResult::achievedRate() const
{
    return windowSec > 0 ? double(load.acked) / windowSec : 0.0;
}

double BenchResult::sentRate() const
{
    return windowSec > 0 ? double(load.sent) / windowSec : 0.0;
}

QJsonObject histogramJson(const LatencyHistogram &h)
{
    return {{QStringLiteral("count"), h.count()},
            {QStringLiteral("p50"), ms(h.percentile(50))},
            {QStringLiteral("p95"), ms(h.percentile(95))},
            {QStringLiteral("p99"), ms(h.percentile(99))},
            {QStringLiteral("max"), ms(h.max())},
            {QStringLiteral("mean"), ms(qint64(h.mean()))},
            {QStringLiteral("min"), ms(h.min())}};
}

void judgeSaturation(BenchResult &r, int cores)
{
    auto side = [](const ProcessFigures &p) {
        return p.sampled && p.busiestThreadCpuPercentAvg >= SaturatedThreadPercent;
    };
    const bool serverBusy = side(r.server);
    const bool generatorBusy = side(r.generator);
    const double together = r.server.cpuPercentAvg + r.generator.cpuPercentAvg;
    const double machineBusy = r.machineCpuPercentAvg * cores; // in percent of one core
    r.saturationDetail =
        QStringLiteral("server %1% (busiest thread %2%), generator %3% (busiest thread %4%), "
                       "of %5% on %6 cores; whole machine %7% busy, load average %8")
            .arg(r.server.cpuPercentAvg, 0, 'f', 0)
            .arg(r.server.busiestThreadCpuPercentAvg, 0, 'f', 0)
            .arg(r.generator.cpuPercentAvg, 0, 'f', 0)
            .arg(r.generator.busiestThreadCpuPercentAvg, 0, 'f', 0)
            .arg(cores * 100)
            .arg(cores)
            .arg(machineBusy, 0, 'f', 0)
            .arg(r.loadAverage1, 0, 'f', 2);
    if (serverBusy && generatorBusy)
        r.saturation = r.server.busiestThreadCpuPercentAvg >= r.generator.busiestThreadCpuPercentAvg
                           ? QStringLiteral("server")
                           : QStringLiteral("generator");
    else if (serverBusy)
        r.saturation = QStringLiteral("server");
    else if (generatorBusy)
        r.saturation = QStringLiteral("generator");
    else if (r.server.sampled && together >= 0.9 * 100.0 * cores)
        r.saturation = QStringLiteral("machine");
    else if (r.machineCpuPercentAvg >= 90 && together < 0.75 * machineBusy)
        r.saturation = QStringLiteral("other-processes");
    else
        r.saturation = QStringLiteral("none");
}

QJsonObject toJson(const BenchResult &r)
{
    const BenchOptions &o = r.options;
    QJsonObject errors;
    for (auto it = r.load.errors.cbegin(); it != r.load.errors.cend(); ++it)
        errors.insert(it.key(), it.value());
    const double asked = o.rate;
    QJsonObject json{
        {QStringLiteral("tool"), QStringLiteral("spidi-bench")},
        {QStringLiteral("version"), QStringLiteral(SPIDI_VERSION)},
        {QStringLiteral("label"), o.label},
        {QStringLiteral("mode"), modeName(o.mode)},
        {QStringLiteral("startedAt"), r.startedAt},
        {QStringLiteral("options"),
         QJsonObject{{QStringLiteral("url"), o.url.toString()},
                     {QStringLiteral("connections"), o.connections},
                     {QStringLiteral("rooms"), o.rooms},
                     {QStringLiteral("roomPrefix"), o.roomPrefix},
                     {QStringLiteral("rate"), o.rate},
                     {QStringLiteral("durationSec"), o.durationSec},
                     {QStringLiteral("rampPerSec"), o.rampPerSec},
                     {QStringLiteral("threads"), o.threads},
                     {QStringLiteral("targetAddresses"), r.targetAddresses},
                     {QStringLiteral("restRate"), o.restRate},
                     {QStringLiteral("probeIntervalSec"), o.probeIntervalSec}}},
        {QStringLiteral("machine"),
         QJsonObject{{QStringLiteral("cores"), QThread::idealThreadCount()},
                     {QStringLiteral("cpuModel"), cpuModel()},
                     {QStringLiteral("memTotalKiB"), memTotalKiB()},
                     {QStringLiteral("kernel"), QSysInfo::kernelVersion()}}},
        {QStringLiteral("connections"),
         QJsonObject{{QStringLiteral("asked"), o.connections},
                     {QStringLiteral("opened"), r.load.opened},
                     {QStringLiteral("held"), r.load.held},
                     {QStringLiteral("failed"), r.load.failed},
                     {QStringLiteral("dropped"), r.load.dropped},
                     {QStringLiteral("connectRatePerSec"), round1(r.connectRate())},
                     {QStringLiteral("rampSec"), round1(r.rampSec)},
                     {QStringLiteral("failureSamples"),
                      QJsonArray::fromStringList(r.load.failureSamples)}}},
        {QStringLiteral("heartbeats"),
         QJsonObject{{QStringLiteral("askedPerSec"), asked},
                     {QStringLiteral("sentPerSec"), round1(r.sentRate())},
                     {QStringLiteral("achievedPerSec"), round1(r.achievedRate())},
                     {QStringLiteral("achievedRatio"),
                      asked > 0 ? std::round(r.achievedRate() / asked * 1000) / 1000 : 0.0},
                     {QStringLiteral("windowSec"), round1(r.windowSec)},
                     {QStringLiteral("sent"), r.load.sent},
                     {QStringLiteral("acked"), r.load.acked},
                     {QStringLiteral("behind"), r.load.behind},
                     {QStringLiteral("backpressured"), r.load.backpressured},
                     {QStringLiteral("errors"), errors}}},
        {QStringLiteral("ackLatencyMs"), histogramJson(r.load.ackLatency)},
        {QStringLiteral("server"), processJson(r.server, r.load.held)},
        {QStringLiteral("generator"), processJson(r.generator, 0)},
        {QStringLiteral("machineCpu"),
         QJsonObject{{QStringLiteral("busyPercentAvg"), round1(r.machineCpuPercentAvg)},
                     {QStringLiteral("busyPercentMax"), round1(r.machineCpuPercentMax)},
                     {QStringLiteral("loadAverage1"), r.loadAverage1}}},
        {QStringLiteral("saturation"), r.saturation},
        {QStringLiteral("saturationDetail"), r.saturationDetail},
    };
    if (o.mode == BenchOptions::Mode::Presence) {
        QJsonObject join = histogramJson(r.joinToDashboard);
        join.insert(QStringLiteral("measured"), r.joinToDashboardMeasured);
        join.insert(QStringLiteral("missed"), r.joinToDashboardMissed);
        if (!r.joinToDashboardError.isEmpty())
            join.insert(QStringLiteral("lastError"), r.joinToDashboardError);
        json.insert(QStringLiteral("joinToDashboardMs"), join);
        json.insert(QStringLiteral("restMs"),
                    QJsonObject{{QStringLiteral("measured"), r.restMeasured},
                                {QStringLiteral("rooms"), restJson(r.restRooms)},
                                {QStringLiteral("roomSessions"), restJson(r.restSessions)}});
    }
    return json;
}

QString toTable(const BenchResult &r)
{
    const BenchOptions &o = r.options;
    QList<QPair<QString, QString>> rows;
    rows.append({QStringLiteral("connections asked / opened / held"),
                 QStringLiteral("%1 / %2 / %3  (failed %4, dropped %5)")
                     .arg(o.connections)
                     .arg(r.load.opened)
                     .arg(r.load.held)
                     .arg(r.load.failed)
                     .arg(r.load.dropped)});
    rows.append({QStringLiteral("connect rate /s"),
                 QStringLiteral("%1 (asked %2, ramp %3 s, %4 address(es))")
                     .arg(r.connectRate(), 0, 'f', 0)
                     .arg(o.rampPerSec)
                     .arg(r.rampSec, 0, 'f', 1)
                     .arg(r.targetAddresses)});
    rows.append({QStringLiteral("heartbeats/s asked / sent / acked"),
                 QStringLiteral("%1 / %2 / %3  (%4 % of asked, %5 s window)")
                     .arg(o.rate)
                     .arg(r.sentRate(), 0, 'f', 0)
                     .arg(r.achievedRate(), 0, 'f', 0)
                     .arg(o.rate > 0 ? 100.0 * r.achievedRate() / o.rate : 0.0, 0, 'f', 1)
                     .arg(r.windowSec, 0, 'f', 1)});
    rows.append({QStringLiteral("ack latency ms p50/p95/p99/max"), latencyRow(r.load.ackLatency)});
    if (o.mode == BenchOptions::Mode::Presence) {
        rows.append({QStringLiteral("join-to-dashboard ms p50/p95/p99/max"),
                     r.joinToDashboardMeasured
                         ? latencyRow(r.joinToDashboard)
                         : QStringLiteral("not measured (no monitor token)")});
        rows.append({QStringLiteral("GET /rooms ms p50/p95/p99/max"),
                     r.restMeasured ? latencyRow(r.restRooms.latency) +
                                          QStringLiteral(" errors %1").arg(r.restRooms.errors)
                                    : QStringLiteral("not measured")});
        rows.append({QStringLiteral("GET /rooms/CODE/sessions ms"),
                     r.restMeasured ? latencyRow(r.restSessions.latency) +
                                          QStringLiteral(" errors %1").arg(r.restSessions.errors)
                                    : QStringLiteral("not measured")});
    }
    rows.append({QStringLiteral("server CPU %"), processRow(r.server)});
    if (r.server.sampled) {
        const double perConnection =
            r.load.held > 0
                ? double(r.server.rssEndKiB - r.server.rssBaselineKiB) / double(r.load.held)
                : 0.0;
        rows.append({QStringLiteral("server RSS MiB baseline / end"),
                     QStringLiteral("%1 / %2  (%3 KiB per connection)")
                         .arg(double(r.server.rssBaselineKiB) / 1024, 0, 'f', 1)
                         .arg(double(r.server.rssEndKiB) / 1024, 0, 'f', 1)
                         .arg(perConnection, 0, 'f', 1)});
    }
    rows.append({QStringLiteral("generator CPU %"), processRow(r.generator)});
    rows.append({QStringLiteral("machine CPU % (all processes)"),
                 QStringLiteral("%1 avg / %2 max of all cores; load average %3")
                     .arg(r.machineCpuPercentAvg, 0, 'f', 1)
                     .arg(r.machineCpuPercentMax, 0, 'f', 1)
                     .arg(r.loadAverage1, 0, 'f', 2)});
    rows.append({QStringLiteral("generator RSS MiB"),
                 QStringLiteral("%1").arg(double(r.generator.rssEndKiB) / 1024, 0, 'f', 1)});
    rows.append(
        {QStringLiteral("saturated"), r.saturation + QStringLiteral(": ") + r.saturationDetail});
    if (!r.load.errors.isEmpty()) {
        QStringList errors;
        for (auto it = r.load.errors.cbegin(); it != r.load.errors.cend(); ++it)
            errors.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
        rows.append({QStringLiteral("errors received"), errors.join(QStringLiteral(", "))});
    }

    qsizetype width = 0;
    for (const auto &row : rows)
        width = std::max(width, row.first.size());
    QString table = QStringLiteral("spidi-bench %1  mode=%2  label=%3  %4\n")
                        .arg(QStringLiteral(SPIDI_VERSION), modeName(o.mode),
                             o.label.isEmpty() ? QStringLiteral("-") : o.label, o.url.toString());
    for (const auto &row : rows)
        table += QStringLiteral("  %1  %2\n").arg(row.first, -int(width)).arg(row.second);
    return table;
}

} // namespace spidi
