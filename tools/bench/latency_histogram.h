#pragma once

#include <QtGlobal>

#include <array>

namespace spidi {

// Latency histogram in microseconds with log-linear buckets: exact below 128 µs, then 64
// buckets per power of two, so every reported percentile is within 1/64 (1.6 %) of the true
// value while recording stays one array increment (it runs once per heartbeat ack). Values up
// to 2^41 µs (25 days) are kept; larger ones land in the last bucket. Not thread-safe: each
// worker thread owns one and the results are merged.
class LatencyHistogram
{
public:
    void record(qint64 micros);
    void merge(const LatencyHistogram &other);
    void reset();

    qint64 count() const { return m_count; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_max; }
    double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
    // Nearest-rank percentile (0 < p <= 100) in µs, clamped to [min, max]; 0 when empty.
    qint64 percentile(double p) const;

    static constexpr int SubBuckets = 64;
    static constexpr int MaxExponent = 40;
    static constexpr int BucketCount = (MaxExponent - 4) * SubBuckets;
    static int bucketIndex(qint64 micros);
    // The range of values bucket `index` holds, inclusive.
    static qint64 bucketLow(int index);
    static qint64 bucketHigh(int index);

private:
    std::array<qint64, BucketCount> m_buckets{};
    qint64 m_count = 0;
    qint64 m_sum = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
};

} // namespace spidi
