// The bench's latency histogram: exact below 128 µs, within 1/64 above, nearest-rank
// percentiles, merging.
#include "latency_histogram.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using spidi::LatencyHistogram;

namespace {
// The true nearest-rank percentile of a sorted sample.
qint64 nearestRank(const std::vector<qint64> &sorted, double p)
{
    const auto rank = std::max<qint64>(1, qint64(std::ceil(p / 100.0 * double(sorted.size()))));
    return sorted[size_t(rank - 1)];
}

bool within(qint64 actual, qint64 expected, double relative)
{
    return std::abs(double(actual - expected)) <= relative * double(expected) + 0.5;
}
} // namespace

class TestLatencyHistogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyReportsZero()
    {
        LatencyHistogram h;
        QCOMPARE(h.count(), 0);
        QCOMPARE(h.percentile(50), 0);
        QCOMPARE(h.percentile(99), 0);
        QCOMPARE(h.max(), 0);
        QCOMPARE(h.min(), 0);
        QCOMPARE(h.mean(), 0.0);
    }

    void smallValuesAreExact()
    {
        LatencyHistogram h;
        for (qint64 v = 1; v <= 100; ++v)
            h.record(v);
        QCOMPARE(h.count(), 100);
        QCOMPARE(h.min(), 1);
        QCOMPARE(h.max(), 100);
        QCOMPARE(h.mean(), 50.5);
        QCOMPARE(h.percentile(50), 50);
        QCOMPARE(h.percentile(95), 95);
        QCOMPARE(h.percentile(99), 99);
        QCOMPARE(h.percentile(100), 100);
        QCOMPARE(h.percentile(0.1), 1);
    }

    void oneValueIsReportedExactly()
    {
        LatencyHistogram h;
        h.record(12345);
        for (double p : {1.0, 50.0, 95.0, 99.0, 100.0})
            QCOMPARE(h.percentile(p), 12345);
        QCOMPARE(h.max(), 12345);
    }

    void largeValuesWithinOneSixtyFourth()
    {
        // 1 ms … 1000 ms in 1 ms steps: p50 is 500 ms, p95 950 ms, p99 990 ms.
        LatencyHistogram h;
        for (qint64 ms = 1; ms <= 1000; ++ms)
            h.record(ms * 1000);
        QVERIFY2(within(h.percentile(50), 500000, 1.0 / 64),
                 qPrintable(QString::number(h.percentile(50))));
        QVERIFY(within(h.percentile(95), 950000, 1.0 / 64));
        QVERIFY(within(h.percentile(99), 990000, 1.0 / 64));
        QCOMPARE(h.max(), 1000000);
        QCOMPARE(h.min(), 1000);
    }

    void bucketsCoverEveryValueOnce()
    {
        int previous = -1;
        for (qint64 v = 0; v < 200000; ++v) {
            const int index = LatencyHistogram::bucketIndex(v);
            QVERIFY(index == previous || index == previous + 1);
            QVERIFY(LatencyHistogram::bucketLow(index) <= v);
            QVERIFY(LatencyHistogram::bucketHigh(index) >= v);
            previous = index;
        }
        // Bucket width stays within 1/64 of its lower bound.
        for (int i = 128; i < LatencyHistogram::BucketCount; ++i) {
            const qint64 low = LatencyHistogram::bucketLow(i);
            const qint64 high = LatencyHistogram::bucketHigh(i);
            QVERIFY(double(high - low + 1) <= double(low) / 64.0 + 1);
            QCOMPARE(LatencyHistogram::bucketIndex(low), i);
            QCOMPARE(LatencyHistogram::bucketIndex(high), i);
        }
    }

    void hugeAndNegativeValuesAreClamped()
    {
        LatencyHistogram h;
        h.record(-5);
        h.record(std::numeric_limits<qint64>::max() / 2);
        QCOMPARE(h.count(), 2);
        QCOMPARE(h.min(), 0);
        QCOMPARE(h.percentile(100), h.max());
    }

    void randomSampleMatchesExactPercentilesAndIsOrdered()
    {
        QRandomGenerator random(42);
        std::vector<qint64> values;
        LatencyHistogram h;
        for (int i = 0; i < 100000; ++i) {
            // Log-normal-ish: mostly around a millisecond, a long tail to a second.
            const qint64 v = qint64(std::exp(random.generateDouble() * 14.0));
            values.push_back(v);
            h.record(v);
        }
        std::sort(values.begin(), values.end());
        for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
            const qint64 expected = nearestRank(values, p);
            QVERIFY2(
                within(h.percentile(p), expected, 1.0 / 64),
                qPrintable(
                    QStringLiteral("p%1: %2 vs %3").arg(p).arg(h.percentile(p)).arg(expected)));
        }
        QVERIFY(h.percentile(50) <= h.percentile(95));
        QVERIFY(h.percentile(95) <= h.percentile(99));
        QVERIFY(h.percentile(99) <= h.max());
        QCOMPARE(h.max(), values.back());
    }

    void mergeEqualsRecordingEverything()
    {
        LatencyHistogram all, a, b;
        for (qint64 v = 1; v <= 5000; v += 3) {
            all.record(v * 7);
            (v % 2 ? a : b).record(v * 7);
        }
        a.merge(b);
        QCOMPARE(a.count(), all.count());
        QCOMPARE(a.min(), all.min());
        QCOMPARE(a.max(), all.max());
        QCOMPARE(a.mean(), all.mean());
        for (double p : {50.0, 95.0, 99.0})
            QCOMPARE(a.percentile(p), all.percentile(p));

        LatencyHistogram empty;
        empty.merge(all);
        QCOMPARE(empty.min(), all.min());
        all.reset();
        QCOMPARE(all.count(), 0);
    }
};

QTEST_APPLESS_MAIN(TestLatencyHistogram)
#include "tst_latency_histogram.moc"
