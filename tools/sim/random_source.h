#pragma once

#include <QtGlobal>

#include <random>

namespace spidi::sim {

// The simulation's one random stream: with --seed, the fleet (users, devices, rooms, latencies,
// who goes silent) is the same on every run. Timing on the network still varies.
class RandomSource
{
public:
    explicit RandomSource(quint64 seed) : m_engine(seed) {}

    double uniform(double from = 0.0, double to = 1.0)
    {
        return std::uniform_real_distribution<double>(from, to)(m_engine);
    }
    int uniformInt(int from, int to) // inclusive
    {
        return std::uniform_int_distribution<int>(from, to)(m_engine);
    }
    double normal() { return std::normal_distribution<double>(0.0, 1.0)(m_engine); }
    // Waiting time of a Poisson process with the given mean.
    double exponential(double mean)
    {
        return std::exponential_distribution<double>(1.0 / mean)(m_engine);
    }
    bool chance(double probability) { return uniform() < probability; }
    quint64 next64() { return m_engine(); }

private:
    std::mt19937_64 m_engine;
};

} // namespace spidi::sim
