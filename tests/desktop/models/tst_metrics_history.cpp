// MetricsHistory: one point per second at most (a later message in the same second replaces
// it), 15 minutes kept, null latencies leave no latency point, and the Qt Charts series filled
// with replace().
#include "models/metrics_history.h"

#include <QApplication>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;

namespace {

constexpr qint64 kT0 = 1795000000000; // a whole second

QJsonObject metrics(qint64 ts, int online, QJsonValue avg = 40.0, QJsonValue p95 = 80.0)
{
    return {{"type", "ROOM_METRICS"}, {"roomCode", "R"},     {"online", online},
            {"avgLatencyMs", avg},    {"p95LatencyMs", p95}, {"ts", double(ts)}};
}

} // namespace

class TestMetricsHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onePointPerSecond()
    {
        MetricsHistory h;
        QSignalSpy changed(&h, &MetricsHistory::changed);
        h.apply(metrics(kT0 + 100, 1));
        h.apply(metrics(kT0 + 600, 2)); // same second: replaces
        QCOMPARE(h.count(), 1);
        QCOMPARE(h.online().at(0), QPointF(double(kT0), 2));
        h.apply(metrics(kT0 + 1000, 3));
        h.apply(metrics(kT0 + 3500, 4));
        QCOMPARE(h.count(), 3);
        QCOMPARE(h.online().at(1), QPointF(double(kT0 + 1000), 3));
        QCOMPARE(h.online().at(2), QPointF(double(kT0 + 3000), 4));
        // Older than the newest point: dropped.
        h.apply(metrics(kT0 + 1500, 99));
        QCOMPARE(h.count(), 3);
        QCOMPARE(h.maxOnline(), 4.0);
        QCOMPARE(h.windowEnd(), double(kT0 + 3000));
        QCOMPARE(h.windowStart(), double(kT0 + 3000 - MetricsHistory::WindowMs));
        QCOMPARE(changed.size(), 4);
    }

    void keepsFifteenMinutes()
    {
        MetricsHistory h;
        // One message every 10 s for 20 minutes: 121 messages.
        for (int i = 0; i <= 120; ++i)
            h.apply(metrics(kT0 + i * 10000, i));
        const double end = double(kT0 + 1200000);
        QCOMPARE(h.online().constLast().x(), end);
        // Points at or after end - 15 min: 91 (one per 10 s, both ends included).
        QCOMPARE(h.count(), 91);
        QCOMPARE(h.online().constFirst().x(), end - double(MetricsHistory::WindowMs));
        QCOMPARE(h.avgLatency().size(), 91);
        QCOMPARE(h.p95Latency().constFirst().x(), end - double(MetricsHistory::WindowMs));
    }

    void nullLatencyAddsNoLatencyPoint()
    {
        MetricsHistory h;
        h.apply(metrics(kT0, 0, QJsonValue::Null, QJsonValue::Null));
        h.apply(metrics(kT0 + 1000, 1, 30.0, 70.0));
        QCOMPARE(h.count(), 2);
        QCOMPARE(h.avgLatency().size(), 1);
        QCOMPARE(h.p95Latency().at(0), QPointF(double(kT0 + 1000), 70));
        QCOMPARE(h.maxLatency(), 70.0);
        // Latency points age out even when newer messages carry none.
        h.apply(metrics(kT0 + 1000 + MetricsHistory::WindowMs + 1000, 0, QJsonValue::Null,
                        QJsonValue::Null));
        QCOMPARE(h.avgLatency().size(), 0);
        QCOMPARE(h.count(), 1);
    }

    void updateSeriesReplacesThePoints()
    {
        MetricsHistory h;
        h.apply(metrics(kT0, 1, 10.0, 20.0));
        h.apply(metrics(kT0 + 1000, 2, 11.0, 21.0));
        QLineSeries online, avg, p95;
        online.append(0, 0); // what was there before goes
        QSignalSpy replaced(&online, &QXYSeries::pointsReplaced);
        h.updateSeries(&online, &avg, &p95);
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(online.points(), h.online());
        QCOMPARE(avg.points(), (QList<QPointF>{{double(kT0), 10}, {double(kT0 + 1000), 11}}));
        QCOMPARE(p95.count(), 2);
        h.updateSeries(nullptr, nullptr, nullptr); // tolerated
    }
};

QTEST_MAIN(TestMetricsHistory)
#include "tst_metrics_history.moc"
