#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace spidi {

int LatencyHistogram::bucketIndex(qint64 micros)
{
    const quint64 v = micros < 0 ? 0 : quint64(micros);
    if (v < 2 * SubBuckets)
        return int(v);
    // msb >= 7 here; keep the top 7 bits: (v >> shift) is in [64, 127].
    const int msb = 63 - std::countl_zero(v);
    const int shift = msb - 6;
    const int index = shift * SubBuckets + int(v >> shift);
    return std::min(index, BucketCount - 1);
}

qint64 LatencyHistogram::bucketLow(int index)
{
    if (index < 2 * SubBuckets)
        return index;
    const int shift = index / SubBuckets - 1;
    const qint64 top = index - shift * SubBuckets;
    return top << shift;
}

qint64 LatencyHistogram::bucketHigh(int index)
{
    if (index < 2 * SubBuckets)
        return index;
    const int shift = index / SubBuckets - 1;
    const qint64 top = index - shift * SubBuckets;
    return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(qint64 micros)
{
    micros = std::max<qint64>(micros, 0);
    ++m_buckets[size_t(bucketIndex(micros))];
    if (m_count == 0 || micros < m_min)
        m_min = micros;
    m_max = std::max(m_max, micros);
    ++m_count;
    m_sum += micros;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::reset()
{
    *this = LatencyHistogram();
}

qint64 LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return 0;
    p = std::clamp(p, 0.0, 100.0);
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(p / 100.0 * double(m_count))));
    qint64 seen = 0;
    for (int i = 0; i < BucketCount; ++i) {
        seen += m_buckets[size_t(i)];
        if (seen >= rank) {
            if (i == BucketCount - 1)
                return m_max; // the overflow bucket has no meaningful midpoint
            // The midpoint halves the worst-case error of a bucket; the clamp makes a histogram
            // of one value report that value exactly.
            const qint64 mid = (bucketLow(i) + bucketHigh(i)) / 2;
            return std::clamp(mid, m_min, m_max);
        }
    }
    return m_max;
}

} // namespace spidi
