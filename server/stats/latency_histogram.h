#pragma once

#include "core/result.h"

#include <QString>

#include <map>
#include <optional>

namespace spidi::stats {

// (spidi::stats: tools/bench has its own spidi::LatencyHistogram of raw samples.)
// A latency distribution with fixed log-scale bins, so that distributions counted by different
// instances, minutes or hours can be merged and a percentile read from the merged one.
//
// Bin 0 is [0, 1) ms; bin k ≥ 1 is [1.05^(k-1), 1.05^k) ms up to 60,000 ms; the last bin
// (overflowBin()) holds everything from 60,000 ms up. Each bin spans 5 % of its lower edge,
// so a percentile interpolated inside its bin is within 5 % of the exact sample value.
// Serialised sparse, as the JSON object {"<bin>": count, ...} (the latency_hist columns).
class LatencyHistogram
{
public:
    static constexpr double kMaxMs = 60000.0;

    static int binCount();    // regular bins + the overflow bin
    static int overflowBin(); // binCount() - 1
    static int binOf(double ms);
    static double lowerEdge(int bin);
    static double upperEdge(int bin); // overflow: kMaxMs

    void add(double ms, qint64 count = 1);
    void addToBin(int bin, qint64 count);
    void merge(const LatencyHistogram &other);

    qint64 count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    const std::map<int, qint64> &bins() const { return m_bins; }

    // The value below which `fraction` (0..1) of the samples lie, interpolated linearly inside
    // the bin that holds that rank; nullopt when empty. The overflow bin reads as kMaxMs.
    std::optional<double> percentile(double fraction) const;

    QString toJson() const;
    // Refuses anything that is not an object of bin index → non-negative integer count.
    static Result<LatencyHistogram> fromJson(const QString &json);

    bool operator==(const LatencyHistogram &other) const { return m_bins == other.m_bins; }

private:
    std::map<int, qint64> m_bins;
    qint64 m_count = 0;
};

} // namespace spidi::stats
