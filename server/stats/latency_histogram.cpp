#include "stats/latency_histogram.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <vector>

namespace spidi::stats {

namespace {

constexpr double kGrowth = 1.05;

// edges[k] is the lower edge of bin k; edges.back() is kMaxMs, the lower edge of the overflow
// bin. Computed once by repeated multiplication so every caller sees the same doubles.
const std::vector<double> &edges()
{
    static const std::vector<double> table = [] {
        std::vector<double> e{0.0, 1.0};
        while (e.back() * kGrowth < LatencyHistogram::kMaxMs)
            e.push_back(e.back() * kGrowth);
        e.push_back(LatencyHistogram::kMaxMs);
        return e;
    }();
    return table;
}

} // namespace

int LatencyHistogram::binCount()
{
    return int(edges().size());
}

int LatencyHistogram::overflowBin()
{
    return binCount() - 1;
}

int LatencyHistogram::binOf(double ms)
{
    if (!(ms > 0.0)) // negative or NaN too
        return 0;
    const std::vector<double> &e = edges();
    // The last edge not above ms.
    const auto it = std::upper_bound(e.begin(), e.end(), ms);
    return int(it - e.begin()) - 1;
}

double LatencyHistogram::lowerEdge(int bin)
{
    return edges().at(size_t(std::clamp(bin, 0, overflowBin())));
}

double LatencyHistogram::upperEdge(int bin)
{
    if (bin >= overflowBin())
        return kMaxMs;
    return edges().at(size_t(std::max(bin, 0) + 1));
}

void LatencyHistogram::add(double ms, qint64 count)
{
    addToBin(binOf(ms), count);
}

void LatencyHistogram::addToBin(int bin, qint64 count)
{
    if (count <= 0 || bin < 0 || bin >= binCount())
        return;
    m_bins[bin] += count;
    m_count += count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (const auto &[bin, count] : other.m_bins)
        addToBin(bin, count);
}

std::optional<double> LatencyHistogram::percentile(double fraction) const
{
    if (m_count == 0)
        return std::nullopt;
    const double rank = std::clamp(fraction, 0.0, 1.0) * double(m_count);
    qint64 below = 0;
    for (const auto &[bin, count] : m_bins) {
        if (double(below + count) >= rank) {
            if (bin == overflowBin())
                return kMaxMs;
            const double position = std::clamp((rank - double(below)) / double(count), 0.0, 1.0);
            const double lo = lowerEdge(bin);
            return lo + (upperEdge(bin) - lo) * position;
        }
        below += count;
    }
    return m_bins.rbegin()->first == overflowBin() ? kMaxMs : upperEdge(m_bins.rbegin()->first);
}

QString LatencyHistogram::toJson() const
{
    QJsonObject object;
    for (const auto &[bin, count] : m_bins)
        object.insert(QString::number(bin), count);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

Result<LatencyHistogram> LatencyHistogram::fromJson(const QString &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return makeError(
            ErrorKind::Invalid,
            QStringLiteral("latency histogram is not a JSON object: %1").arg(json.left(80)));
    LatencyHistogram histogram;
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool ok = false;
        const int bin = it.key().toInt(&ok);
        const double count = it.value().toDouble(-1.0);
        if (!ok || bin < 0 || bin >= binCount() || !it.value().isDouble() || count < 0 ||
            count != std::floor(count) || count > 9.0e15)
            return makeError(ErrorKind::Invalid,
                             QStringLiteral("latency histogram entry '%1' is not a bin index with "
                                            "a non-negative integer count")
                                 .arg(it.key()));
        histogram.addToBin(bin, qint64(count));
    }
    return histogram;
}

} // namespace spidi::stats
