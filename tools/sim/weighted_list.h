#pragma once

#include "random_source.h"

#include <QList>

#include <initializer_list>
#include <utility>

namespace spidi::sim {

// Items with relative weights; pick() draws one in proportion to its weight.
template <typename T>
class WeightedList
{
public:
    WeightedList(std::initializer_list<std::pair<T, double>> items)
    {
        for (const auto &[item, weight] : items) {
            m_total += weight;
            m_items.append({item, m_total});
        }
    }

    const T &pick(RandomSource &random) const
    {
        const double x = random.uniform(0.0, m_total);
        for (const auto &entry : m_items)
            if (x < entry.second)
                return entry.first;
        return m_items.last().first;
    }

private:
    QList<std::pair<T, double>> m_items; // item and cumulative weight
    double m_total = 0.0;
};

} // namespace spidi::sim
