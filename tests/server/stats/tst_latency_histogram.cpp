// LatencyHistogram: fixed log-scale bins, merge, p95 within 5 % of the exact value, the sparse
// JSON form of the latency_hist columns.
#include "stats/latency_histogram.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace spidi;
using spidi::stats::LatencyHistogram;

namespace {

// Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
double exactPercentile(std::vector<double> values, double fraction)
{
    std::sort(values.begin(), values.end());
    const auto rank = size_t(std::ceil(fraction * double(values.size())));
    return values.at(std::max<size_t>(rank, 1) - 1);
}

} // namespace

class TestLatencyHistogram : public QObject
{
    Q_OBJECT

private slots:
    void binsAreContiguousAndNarrow();
    void binOfEdges();
    void emptyHasNoPercentile();
    void mergeAddsCounts();
    void p95WithinFivePercent_data();
    void p95WithinFivePercent();
    void p95OfMergedEqualsP95OfAll();
    void overflowReadsAsMaximum();
    void jsonRoundTrip();
    void garbageJsonRefused_data();
    void garbageJsonRefused();
};

void TestLatencyHistogram::binsAreContiguousAndNarrow()
{
    QCOMPARE(LatencyHistogram::lowerEdge(0), 0.0);
    QCOMPARE(LatencyHistogram::upperEdge(0), 1.0);
    for (int bin = 1; bin < LatencyHistogram::overflowBin(); ++bin) {
        QCOMPARE(LatencyHistogram::lowerEdge(bin), LatencyHistogram::upperEdge(bin - 1));
        const double lo = LatencyHistogram::lowerEdge(bin);
        const double hi = LatencyHistogram::upperEdge(bin);
        QVERIFY2(hi > lo && hi <= lo * 1.05 + 1e-9, qPrintable(QString::number(bin)));
    }
    QCOMPARE(LatencyHistogram::lowerEdge(LatencyHistogram::overflowBin()), 60000.0);
    // 1.05^k reaches 60,000 after 226 steps: bin 0, 226 log bins, the overflow bin.
    QCOMPARE(LatencyHistogram::binCount(), 228);
}

void TestLatencyHistogram::binOfEdges()
{
    QCOMPARE(LatencyHistogram::binOf(0), 0);
    QCOMPARE(LatencyHistogram::binOf(-5), 0);
    QCOMPARE(LatencyHistogram::binOf(0.99), 0);
    QCOMPARE(LatencyHistogram::binOf(1.0), 1);
    QCOMPARE(LatencyHistogram::binOf(1.04), 1);
    QCOMPARE(LatencyHistogram::binOf(1.06), 2);
    QCOMPARE(LatencyHistogram::binOf(59999.0), LatencyHistogram::overflowBin() - 1);
    QCOMPARE(LatencyHistogram::binOf(60000.0), LatencyHistogram::overflowBin());
    QCOMPARE(LatencyHistogram::binOf(1e9), LatencyHistogram::overflowBin());
    for (double v : {2.0, 17.0, 123.4, 999.0, 4321.0}) {
        const int bin = LatencyHistogram::binOf(v);
        QVERIFY(LatencyHistogram::lowerEdge(bin) <= v);
        QVERIFY(v < LatencyHistogram::upperEdge(bin));
    }
}

void TestLatencyHistogram::emptyHasNoPercentile()
{
    const LatencyHistogram empty;
    QVERIFY(empty.isEmpty());
    QVERIFY(!empty.percentile(0.95).has_value());
    QCOMPARE(empty.toJson(), QStringLiteral("{}"));
}

void TestLatencyHistogram::mergeAddsCounts()
{
    LatencyHistogram a;
    a.add(10);
    a.add(10);
    a.add(200);
    LatencyHistogram b;
    b.add(10);
    b.add(5000, 4);
    a.merge(b);
    QCOMPARE(a.count(), qint64(8)); // 3 + 5
    QCOMPARE(a.bins().at(LatencyHistogram::binOf(10)), qint64(3));
    QCOMPARE(a.bins().at(LatencyHistogram::binOf(200)), qint64(1));
    QCOMPARE(a.bins().at(LatencyHistogram::binOf(5000)), qint64(4));
    QCOMPARE(a.bins().size(), size_t(3));
}

void TestLatencyHistogram::p95WithinFivePercent_data()
{
    QTest::addColumn<int>("shape");
    QTest::newRow("uniform 1..2000 ms") << 0;
    QTest::newRow("log-normal around 80 ms") << 1;
    QTest::newRow("bimodal 20 ms / 900 ms") << 2;
}

void TestLatencyHistogram::p95WithinFivePercent()
{
    QFETCH(int, shape);
    QRandomGenerator random(42 + quint32(shape));
    std::vector<double> samples;
    LatencyHistogram histogram;
    for (int i = 0; i < 10000; ++i) {
        double v = 0;
        switch (shape) {
        case 0:
            v = 1.0 + random.bounded(1999.0);
            break;
        case 1: {
            // Box-Muller normal, exponentiated.
            const double u1 = 1.0 - random.generateDouble();
            const double u2 = random.generateDouble();
            const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
            v = std::exp(std::log(80.0) + 0.6 * z);
            break;
        }
        default:
            v = random.bounded(10) < 8 ? 15.0 + random.bounded(10.0)
                                       : 800.0 + random.bounded(200.0);
        }
        samples.push_back(v);
        histogram.add(v);
    }
    const double exact = exactPercentile(samples, 0.95);
    const std::optional<double> estimated = histogram.percentile(0.95);
    QVERIFY(estimated.has_value());
    const double error = std::abs(*estimated - exact) / exact;
    QVERIFY2(error <= 0.05, qPrintable(QStringLiteral("exact %1, estimated %2, error %3")
                                           .arg(exact)
                                           .arg(*estimated)
                                           .arg(error)));
}

void TestLatencyHistogram::p95OfMergedEqualsP95OfAll()
{
    LatencyHistogram all;
    LatencyHistogram parts[3];
    for (int i = 0; i < 3000; ++i) {
        const double v = 5.0 + (i * 37 % 1000);
        all.add(v);
        parts[i % 3].add(v);
    }
    LatencyHistogram merged;
    for (const LatencyHistogram &part : parts)
        merged.merge(part);
    QVERIFY(merged == all);
    QCOMPARE(*merged.percentile(0.95), *all.percentile(0.95));
}

void TestLatencyHistogram::overflowReadsAsMaximum()
{
    LatencyHistogram histogram;
    histogram.add(10);
    histogram.add(120000, 99);
    QCOMPARE(*histogram.percentile(0.95), 60000.0);
}

void TestLatencyHistogram::jsonRoundTrip()
{
    LatencyHistogram histogram;
    histogram.add(0.5);
    histogram.add(42, 3);
    histogram.add(70000);
    const QString json = histogram.toJson();
    // Sparse: only the three bins used (JSON object keys, in whatever order).
    const QJsonObject expected{{QStringLiteral("0"), 1},
                               {QString::number(LatencyHistogram::binOf(42)), 3},
                               {QString::number(LatencyHistogram::overflowBin()), 1}};
    QCOMPARE(QJsonDocument::fromJson(json.toUtf8()).object(), expected);
    QVERIFY(!json.contains(QLatin1Char(' ')));
    const auto parsed = LatencyHistogram::fromJson(json);
    QVERIFY(parsed.ok());
    QVERIFY(parsed.value() == histogram);
    QCOMPARE(parsed->count(), qint64(5));
}

void TestLatencyHistogram::garbageJsonRefused_data()
{
    QTest::addColumn<QString>("json");
    QTest::newRow("not json") << QStringLiteral("hello");
    QTest::newRow("array") << QStringLiteral("[1,2]");
    QTest::newRow("key not a number") << QStringLiteral("{\"x\":1}");
    QTest::newRow("bin out of range") << QStringLiteral("{\"9999\":1}");
    QTest::newRow("negative bin") << QStringLiteral("{\"-1\":1}");
    QTest::newRow("negative count") << QStringLiteral("{\"3\":-2}");
    QTest::newRow("fractional count") << QStringLiteral("{\"3\":1.5}");
    QTest::newRow("string count") << QStringLiteral("{\"3\":\"4\"}");
}

void TestLatencyHistogram::garbageJsonRefused()
{
    QFETCH(QString, json);
    const auto parsed = LatencyHistogram::fromJson(json);
    QVERIFY(!parsed.ok());
    QVERIFY(parsed.error().kind == ErrorKind::Invalid);
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latency_histogram.moc"
