// spidi-bench end to end: short runs of the real binary (SPIDI_BENCH_BIN) against a real
// spidi-server and against its own echo mode, checked through the --json results. Also the
// bench's hand-encoded frames against the server's own decoder.
#include "bench_frames.h"
#include "proc_sampler.h"
#include "protocol/json_codec.h"
#include "server_process.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <unistd.h>

using namespace spidi;
using namespace spidi::test;

namespace {

const QString kTenant = QStringLiteral("bench");

QString benchBinary()
{
    return QStringLiteral(SPIDI_BENCH_BIN);
}

// ServerProcess does not expose its pid: find our child running spidi-server in /proc.
qint64 childPid(const QString &commandName)
{
    const QString self = QString::number(getpid());
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const qsizetype open = text.indexOf('('), close = text.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        const QString comm = QString::fromUtf8(text.mid(open + 1, close - open - 1));
        const QList<QByteArray> rest = text.mid(close + 2).split(' ');
        if (rest.size() > 1 && QString::fromLatin1(rest.at(1)) == self &&
            commandName.startsWith(comm))
            return pid;
    }
    return 0;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content + '\n');
    return path;
}

// Runs spidi-bench to completion; returns its JSON results (empty on failure, with the output
// printed).
QJsonObject runBench(const QStringList &arguments, const QString &jsonPath, int timeoutMs = 90000)
{
    QProcess bench;
    bench.setProcessChannelMode(QProcess::MergedChannels);
    bench.start(benchBinary(), arguments + QStringList{QStringLiteral("--json"), jsonPath});
    // Wait in an event loop, not in waitForFinished(): ServerProcess drains the server's log
    // pipe from the event loop, and a server blocked on a full pipe stops answering.
    QEventLoop loop;
    QObject::connect(&bench, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (bench.state() != QProcess::NotRunning)
        loop.exec();
    const bool finished = bench.state() == QProcess::NotRunning;
    const QByteArray output = bench.readAll();
    if (!finished || bench.exitStatus() != QProcess::NormalExit || bench.exitCode() != 0) {
        qWarning("spidi-bench failed (finished %d, exit %d):\n%s", finished, bench.exitCode(),
                 output.constData());
        bench.kill();
        bench.waitForFinished();
        return {};
    }
    qInfo("%s", output.constData());
    QFile file(jsonPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QJsonObject section(const QJsonObject &json, const char *name)
{
    return json.value(QLatin1String(name)).toObject();
}

double number(const QJsonObject &object, const char *name)
{
    return object.value(QLatin1String(name)).toDouble(-1);
}

void verifyOrderedPercentiles(const QJsonObject &latency)
{
    QVERIFY2(number(latency, "count") > 0, "no latency samples");
    const double p50 = number(latency, "p50"), p95 = number(latency, "p95"),
                 p99 = number(latency, "p99"), max = number(latency, "max");
    QVERIFY(p50 >= 0);
    QVERIFY2(p50 <= p95 && p95 <= p99 && p99 <= max,
             qPrintable(QStringLiteral("%1 %2 %3 %4").arg(p50).arg(p95).arg(p99).arg(max)));
}

} // namespace

class TestBench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(benchBinary()), qPrintable(benchBinary())); }

    void heartbeatFrameIsWhatTheServerDecodes()
    {
        const QString sessionId = QStringLiteral("4b0c2f8e-7d65-4a5e-8a47-4f0a4b1d2c33");
        const QString frame = bench::encodeHeartbeat(42, sessionId, 38);
        const auto decoded = protocol::decodeClientMessage(frame.toUtf8());
        const auto *message = std::get_if<protocol::ClientMessage>(&decoded);
        QVERIFY(message);
        QCOMPARE(message->seq, std::optional<qint64>(42));
        const auto *heartbeat = std::get_if<protocol::Heartbeat>(&message->request);
        QVERIFY(heartbeat);
        QCOMPARE(heartbeat->sessionId, sessionId);
        QCOMPARE(heartbeat->latencyMs, std::optional<int>(38));

        // No latency yet: the field is left out, not sent as -1.
        const auto first =
            protocol::decodeClientMessage(bench::encodeHeartbeat(2, sessionId, -1).toUtf8());
        QVERIFY(std::get_if<protocol::ClientMessage>(&first));
        QVERIFY(!std::get<protocol::Heartbeat>(std::get<protocol::ClientMessage>(first).request)
                     .latencyMs);

        const auto hello = protocol::decodeClientMessage(
            bench::encodeHello(1, QStringLiteral("BENCH-001"), QStringLiteral("bench-7")).toUtf8());
        QVERIFY(std::get_if<protocol::ClientMessage>(&hello));
    }

    void ackRefIsReadWithoutParsing()
    {
        const QString ack = QString::fromUtf8(protocol::encodeHeartbeatAck(
            std::optional<qint64>(123456), QStringLiteral("s-1"), 1795000000000));
        QCOMPARE(bench::integerField(ack, u"ref"), std::optional<qint64>(123456));
        QCOMPARE(bench::integerField(ack, u"serverTime"), std::optional<qint64>(1795000000000));
        QCOMPARE(bench::integerField(QStringLiteral(R"({"xref":1,"ref" : 7})"), u"ref"),
                 std::optional<qint64>(7));
        QVERIFY(!bench::integerField(QStringLiteral(R"({"ref":"7"})"), u"ref"));
        QVERIFY(!bench::integerField(QStringLiteral(R"({"type":"ACK"})"), u"ref"));
    }

    void procFilesAreParsed()
    {
        const QByteArray stat = "1234 (spidi (x) srv) S 1 1234 1234 0 -1 4194560 100 0 0 0 "
                                "250 75 0 0 20 0 3 0 500 100000 300 18446744073709551615";
        QCOMPARE(cpuTicksFromStat(stat), std::optional<qint64>(325));
        QCOMPARE(rssKiBFromStatus("Name:\tx\nVmPeak:\t  9 kB\nVmRSS:\t   51234 kB\nThreads: 3\n"),
                 std::optional<qint64>(51234));
        ProcSampler self(0);
        const auto first = self.sample();
        QVERIFY(first);
        QVERIFY(first->rssKiB > 0);
        // Too soon for /proc's 10 ms clock ticks to say anything: no CPU figure at all.
        const auto tooSoon = self.sample();
        QVERIFY(tooSoon);
        QVERIFY(!tooSoon->cpuValid);
        QTest::qSleep(600); // the sampler's minimum interval is half a second
        const auto later = self.sample();
        QVERIFY(later);
        QVERIFY(later->cpuValid);
        QVERIFY(later->cpuPercent >= 0 && later->cpuPercent <= 100.0 * 64);
        QVERIFY(later->threads >= 1);
    }

    void presenceRunHoldsEveryConnectionAtTheAskedRate()
    {
        ServerProcess server;
        QVERIFY2(server.start(), qPrintable(server.errorText()));
        const qint64 serverPid = childPid(QStringLiteral("spidi-server"));
        QVERIFY(serverPid > 0);

        QTemporaryDir dir;
        const QString deviceToken = writeFile(
            dir, QStringLiteral("device.jwt"),
            server.token(QStringLiteral("bench-devices"), kTenant, {QStringLiteral("spidi:user")}));
        const QString monitorToken =
            writeFile(dir, QStringLiteral("monitor.jwt"),
                      server.token(QStringLiteral("bench-monitor"), kTenant,
                                   {QStringLiteral("spidi:monitor")}));
        const QString adminToken = writeFile(
            dir, QStringLiteral("admin.jwt"),
            server.token(QStringLiteral("bench-admin"), kTenant, {QStringLiteral("spidi:admin")}));

        const QJsonObject json = runBench({QStringLiteral("--url"),
                                           server.wsUrl().toString(),
                                           QStringLiteral("--token-file"),
                                           deviceToken,
                                           QStringLiteral("--monitor-token-file"),
                                           monitorToken,
                                           QStringLiteral("--admin-token-file"),
                                           adminToken,
                                           QStringLiteral("--create-rooms"),
                                           QStringLiteral("--rooms"),
                                           QStringLiteral("2"),
                                           QStringLiteral("--connections"),
                                           QStringLiteral("200"),
                                           QStringLiteral("--rate"),
                                           QStringLiteral("400"),
                                           QStringLiteral("--duration"),
                                           QStringLiteral("4"),
                                           QStringLiteral("--ramp"),
                                           QStringLiteral("1000"),
                                           QStringLiteral("--settle"),
                                           QStringLiteral("1"),
                                           QStringLiteral("--threads"),
                                           QStringLiteral("2"),
                                           QStringLiteral("--probe-interval"),
                                           QStringLiteral("0.5"),
                                           QStringLiteral("--rest-rate"),
                                           QStringLiteral("4"),
                                           QStringLiteral("--server-pid"),
                                           QString::number(serverPid),
                                           QStringLiteral("--label"),
                                           QStringLiteral("tst_bench")},
                                          dir.filePath(QStringLiteral("presence.json")));
        QVERIFY(!json.isEmpty());
        QCOMPARE(json.value(QLatin1String("mode")).toString(), QStringLiteral("presence"));
        QCOMPARE(json.value(QLatin1String("label")).toString(), QStringLiteral("tst_bench"));

        const QJsonObject connections = section(json, "connections");
        QCOMPARE(number(connections, "opened"), 200.0);
        QCOMPARE(number(connections, "held"), 200.0);
        QCOMPARE(number(connections, "failed"), 0.0);
        QCOMPARE(number(connections, "dropped"), 0.0);
        QVERIFY(number(connections, "connectRatePerSec") > 0);

        const QJsonObject heartbeats = section(json, "heartbeats");
        QCOMPARE(number(heartbeats, "askedPerSec"), 400.0);
        const double achieved = number(heartbeats, "achievedPerSec");
        QVERIFY2(achieved >= 360 && achieved <= 440, qPrintable(QString::number(achieved)));
        QVERIFY(section(heartbeats, "errors").isEmpty());

        verifyOrderedPercentiles(section(json, "ackLatencyMs"));

        const QJsonObject join = section(json, "joinToDashboardMs");
        QVERIFY(join.value(QLatin1String("measured")).toBool());
        verifyOrderedPercentiles(join);

        const QJsonObject rest = section(json, "restMs");
        QVERIFY(rest.value(QLatin1String("measured")).toBool());
        verifyOrderedPercentiles(section(rest, "rooms"));
        verifyOrderedPercentiles(section(rest, "roomSessions"));
        QCOMPARE(number(section(rest, "rooms"), "errors"), 0.0);

        const QJsonObject serverFigures = section(json, "server");
        QVERIFY(serverFigures.value(QLatin1String("sampled")).toBool());
        QCOMPARE(number(serverFigures, "pid"), double(serverPid));
        QVERIFY(number(serverFigures, "rssEndKiB") > 0);
        QVERIFY(number(serverFigures, "cpuPercentAvg") >= 0);
        QVERIFY(serverFigures.contains(QLatin1String("rssPerConnectionKiB")));
        QVERIFY(number(section(json, "generator"), "cpuPercentAvg") >= 0);
        QVERIFY(!json.value(QLatin1String("saturation")).toString().isEmpty());
        QCOMPARE(server.terminate(), 0);
    }

    void echoRunMeasuresTheTransport()
    {
        QProcess echoServer;
        echoServer.start(benchBinary(), {QStringLiteral("--echo-server"), QStringLiteral("0"),
                                         QStringLiteral("--threads"), QStringLiteral("2")});
        QVERIFY(echoServer.waitForStarted());
        quint16 port = 0;
        const QRegularExpression listening(QStringLiteral("listening on port (\\d+)"));
        QByteArray seen;
        for (int i = 0; i < 100 && port == 0; ++i) {
            echoServer.waitForReadyRead(100);
            seen += echoServer.readAllStandardOutput();
            const auto match = listening.match(QString::fromUtf8(seen));
            if (match.hasMatch())
                port = quint16(match.captured(1).toUInt());
        }
        QVERIFY2(port != 0, seen.constData());

        QTemporaryDir dir;
        const QJsonObject json = runBench(
            {QStringLiteral("--echo"), QStringLiteral("--url"),
             QStringLiteral("ws://127.0.0.1:%1/").arg(port), QStringLiteral("--connections"),
             QStringLiteral("50"), QStringLiteral("--rate"), QStringLiteral("200"),
             QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--settle"),
             QStringLiteral("0.5"), QStringLiteral("--threads"), QStringLiteral("2"),
             QStringLiteral("--server-pid"), QString::number(echoServer.processId())},
            dir.filePath(QStringLiteral("echo.json")));
        echoServer.kill();
        echoServer.waitForFinished();
        QVERIFY(!json.isEmpty());
        QCOMPARE(json.value(QLatin1String("mode")).toString(), QStringLiteral("echo"));
        QCOMPARE(number(section(json, "connections"), "held"), 50.0);
        const double achieved = number(section(json, "heartbeats"), "achievedPerSec");
        QVERIFY2(achieved >= 180 && achieved <= 220, qPrintable(QString::number(achieved)));
        verifyOrderedPercentiles(section(json, "ackLatencyMs"));
        QVERIFY(number(section(json, "server"), "rssEndKiB") > 0);
        QVERIFY(!json.contains(QLatin1String("joinToDashboardMs")));
    }
};

QTEST_MAIN(TestBench)
#include "tst_bench.moc"
