#include "latency_model.h"

#include "protocol/messages.h"

#include <algorithm>
#include <cmath>

namespace spidi::sim {

namespace {
// Per heartbeat, the spread is smaller than across devices: a device's network is stable-ish.
constexpr double HeartbeatSigmaShare = 0.35;
} // namespace

double LatencyModel::deviceMedian(RandomSource &random, double factor) const
{
    return m_medianMs * factor * std::exp(m_sigma * random.normal());
}

int LatencyModel::sample(RandomSource &random, double deviceMedianMs) const
{
    const double v = deviceMedianMs * std::exp(m_sigma * HeartbeatSigmaShare * random.normal());
    return std::clamp(int(std::lround(v)), 0, protocol::MaxLatencyMs);
}

} // namespace spidi::sim
