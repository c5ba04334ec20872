#include "fleet_stats.h"

#include <algorithm>

namespace spidi::sim {

int FleetStats::latencyMedian() const
{
    if (recentLatencies.isEmpty())
        return -1;
    QList<int> sorted = recentLatencies;
    const auto middle = sorted.begin() + sorted.size() / 2;
    std::nth_element(sorted.begin(), middle, sorted.end());
    return *middle;
}

} // namespace spidi::sim
