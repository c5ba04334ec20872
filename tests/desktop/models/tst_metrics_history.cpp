// MetricsHistory: one point per second at most (a later message in the same second replaces
// it), 15 minutes kept, null latencies leave no latency point, the minutes before the first live
// point filled from the stats API's minute buckets, and the Qt Charts series filled with
// replace().
#include "models/metrics_history.h"

#include <QApplication>
#include <QDateTime>
#include <QJsonArray>
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

QString toIso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject bucket(qint64 start, double onlineAvg, QJsonValue avg, QJsonValue p95)
{
    return {{"ts", toIso(start)},
            {"onlineAvg", onlineAvg},
            {"latencyAvgMs", avg},
            {"latencyP95Ms", p95}};
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

    void backfillPutsFullMinutesBeforeTheLivePoints()
    {
        MetricsHistory h;
        // kT0 is 40 s into a minute; the live points start 5 s later.
        const qint64 minute = kT0 - kT0 % MetricsHistory::MinuteMs;
        h.apply(metrics(kT0 + 5000, 7, 30.0, 60.0));
        h.apply(metrics(kT0 + 6000, 8, 31.0, 61.0));
        QSignalSpy changed(&h, &MetricsHistory::changed);
        const QJsonArray buckets = {
            // Out of order on purpose; the minute in progress (ends after the first live
            // point) is left to the live points; a bucket without a reading is skipped.
            bucket(minute - 2 * MetricsHistory::MinuteMs, 4.5, 20.0, 40.0),
            bucket(minute - 3 * MetricsHistory::MinuteMs, 3.0, QJsonValue::Null, QJsonValue::Null),
            bucket(minute - MetricsHistory::MinuteMs, 5.25, 25.0, 50.0),
            bucket(minute, 6.0, 26.0, 52.0),
            QJsonObject{{"ts", toIso(minute - 4 * MetricsHistory::MinuteMs)}},
            QJsonObject{{"ts", "not a time"}, {"onlineAvg", 1.0}},
        };
        QCOMPARE(h.backfill(buckets, kT0 + 7000), 3);
        QCOMPARE(changed.size(), 1);
        const double half = double(MetricsHistory::MinuteMs / 2);
        QCOMPARE(h.online(), (QList<QPointF>{
                                 {double(minute - 3 * MetricsHistory::MinuteMs) + half, 3.0},
                                 {double(minute - 2 * MetricsHistory::MinuteMs) + half, 4.5},
                                 {double(minute - MetricsHistory::MinuteMs) + half, 5.25},
                                 {double(kT0 + 5000), 7},
                                 {double(kT0 + 6000), 8},
                             }));
        // The minute without a latency reading has no latency point.
        QCOMPARE(h.avgLatency().size(), 4);
        QCOMPARE(h.avgLatency().constFirst(),
                 QPointF(double(minute - 2 * MetricsHistory::MinuteMs) + half, 20.0));
        QCOMPARE(h.p95Latency().at(1),
                 QPointF(double(minute - MetricsHistory::MinuteMs) + half, 50.0));
        QCOMPARE(h.windowEnd(), double(kT0 + 7000)); // the backfill's `now`
        QCOMPARE(h.maxOnline(), 8.0);

        // Asked again (a reconnect): nothing is older than what is there, nothing doubles.
        QCOMPARE(h.backfill(buckets, kT0 + 8000), 0);
        QCOMPARE(h.count(), 5);
        QCOMPARE(changed.size(), 1);

        // Live points go on as before and push the backfilled minutes out of the window.
        h.apply(metrics(kT0 + 6000 + MetricsHistory::WindowMs - 90000, 9));
        QCOMPARE(h.online().constFirst().x(), double(minute - MetricsHistory::MinuteMs) + half);
    }

    void backfillFillsAGapBetweenLivePoints()
    {
        MetricsHistory h;
        const qint64 minute = kT0 - kT0 % MetricsHistory::MinuteMs;
        const qint64 m = MetricsHistory::MinuteMs;
        // Live until 10 s into `minute`, then the connection was down for five minutes.
        h.apply(metrics(minute + 10000, 3, 20.0, 40.0));
        h.apply(metrics(minute + 5 * m + 10000, 9, 30.0, 60.0));
        QJsonArray buckets;
        for (int i = 0; i <= 5; ++i)
            buckets.append(bucket(minute + i * m, 3 + i, 20.0 + i, QJsonValue::Null));
        // Minutes 1 to 4 had no point; minute 0 and minute 5 have live ones.
        QCOMPARE(h.backfill(buckets, minute + 5 * m + 11000), 4);
        QList<double> xs;
        for (const QPointF &p : h.online())
            xs.append(p.x());
        const double half = double(m / 2);
        QCOMPARE(xs,
                 (QList<double>{double(minute + 10000), double(minute + m) + half,
                                double(minute + 2 * m) + half, double(minute + 3 * m) + half,
                                double(minute + 4 * m) + half, double(minute + 5 * m + 10000)}));
        QCOMPARE(h.online().at(2).y(), 5.0);
        QCOMPARE(h.avgLatency().size(), 6);
        QCOMPARE(h.p95Latency().size(), 2); // the buckets had no p95: only the live points
        // Live points keep coming after it, in order.
        h.apply(metrics(minute + 5 * m + 12000, 10));
        QCOMPARE(h.online().constLast(), QPointF(double(minute + 5 * m + 12000), 10));
        QCOMPARE(h.count(), 7);
    }

    void liveWinsOverABackfilledMinute()
    {
        MetricsHistory h;
        const qint64 minute = kT0 - kT0 % MetricsHistory::MinuteMs;
        h.apply(metrics(minute - 90000, 1));
        // The console's clock is ahead: it takes `minute` as over while the server is in it.
        QCOMPARE(h.backfill({bucket(minute, 4.0, 10.0, 20.0)}, minute + 61000), 1);
        QCOMPARE(h.online().constLast().x(), double(minute + 30000));
        // A live point inside that minute, before the estimate's middle: kept, estimate gone.
        h.apply(metrics(minute + 20000, 5));
        QCOMPARE(h.online(),
                 (QList<QPointF>{{double(minute - 90000), 1}, {double(minute + 20000), 5}}));
        QCOMPARE(h.avgLatency().constLast().x(), double(minute + 20000));
        // Older than that live point: still dropped.
        h.apply(metrics(minute + 10000, 9));
        QCOMPARE(h.count(), 2);
    }

    void backfillBeforeAnyLivePoint()
    {
        MetricsHistory h;
        const qint64 now = kT0 + 20 * MetricsHistory::MinuteMs;
        const qint64 minute = now - now % MetricsHistory::MinuteMs;
        QJsonArray buckets;
        // 20 minutes of buckets: only the full minutes of the last 15 are kept.
        for (int i = 20; i >= 0; --i)
            buckets.append(bucket(minute - i * MetricsHistory::MinuteMs, i, 10.0 + i, 20.0 + i));
        const int added = h.backfill(buckets, now);
        // Full minutes end at `minute`; the window starts 15 minutes before `now`, so bucket
        // starts minute - 14 min .. minute - 1 min have their middles inside it (plus the one
        // at minute - 15 min when `now` is less than 30 s past the minute).
        const double oldest = double(now - MetricsHistory::WindowMs);
        int expected = 0;
        for (int i = 20; i >= 1; --i)
            if (double(minute - i * MetricsHistory::MinuteMs + MetricsHistory::MinuteMs / 2) >=
                oldest)
                ++expected;
        QVERIFY(expected >= 14);
        QCOMPARE(added, 20); // added, then trimmed to the window
        QCOMPARE(h.count(), expected);
        QCOMPARE(h.windowEnd(), double(now)); // now, not the last full minute
        QCOMPARE(
            h.online().constLast(),
            QPointF(double(minute - MetricsHistory::MinuteMs + MetricsHistory::MinuteMs / 2), 1.0));
        // The first live point comes after them.
        h.apply(metrics(now + 500, 2));
        QCOMPARE(h.count(), expected + 1);
        QCOMPARE(h.windowEnd(), double(now));

        // Another room: clear() forgets the backfill's end too.
        h.clear();
        QCOMPARE(h.count(), 0);
        QCOMPARE(h.backfill({}, now), 0);
    }
};

QTEST_MAIN(TestMetricsHistory)
#include "tst_metrics_history.moc"
