#pragma once

#include "random_source.h"

namespace spidi::sim {

// Reported latencies are log-normal: most round trips near the median, a long tail of slow
// ones. Each device has its own typical latency (network, distance), and each heartbeat varies
// around it.
class LatencyModel
{
public:
    LatencyModel(double medianMs, double sigma) : m_medianMs(medianMs), m_sigma(sigma) {}

    // A device's typical latency; `factor` shifts it for the device class (mobile vs wired).
    double deviceMedian(RandomSource &random, double factor) const;
    // One heartbeat's latency for a device with the given typical latency.
    int sample(RandomSource &random, double deviceMedianMs) const;

private:
    double m_medianMs;
    double m_sigma;
};

} // namespace spidi::sim
