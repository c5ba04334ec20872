#include "reconnect_backoff.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace spidi {

ReconnectBackoff::ReconnectBackoff()
    : ReconnectBackoff(Config{}, QRandomGenerator::global()->generate64())
{}

ReconnectBackoff::ReconnectBackoff(const Config &config, quint64 seed) : m_state(seed)
{
    setConfig(config);
}

void ReconnectBackoff::setConfig(const Config &config)
{
    m_config = config;
    // Nonsense settings would otherwise turn into a reconnect storm (0 ms) or no reconnects.
    m_config.initial = std::max(m_config.initial, std::chrono::milliseconds(1));
    m_config.max = std::max(m_config.max, m_config.initial);
    m_config.multiplier = std::max(m_config.multiplier, 1.0);
    m_config.jitter = std::clamp(m_config.jitter, 0.0, 1.0);
}

std::chrono::milliseconds ReconnectBackoff::baseDelay(int attempt) const
{
    const double initial = double(m_config.initial.count());
    const double max = double(m_config.max.count());
    // Computed in floating point and capped before converting, so that large attempt counts
    // cannot overflow.
    const double base = std::min(max, initial * std::pow(m_config.multiplier, double(attempt)));
    return std::chrono::milliseconds(qint64(std::llround(base)));
}

std::chrono::milliseconds ReconnectBackoff::nextDelay()
{
    const double base = double(baseDelay(m_attempt).count());
    if (m_attempt < 1000) // keeps the counter bounded; the delay is at the cap long before
        ++m_attempt;
    const double delay = base * (1.0 - m_config.jitter * nextUnit());
    return std::chrono::milliseconds(std::max<qint64>(1, qint64(std::llround(delay))));
}

double ReconnectBackoff::nextUnit()
{
    // SplitMix64 (Steele, Lea, Flood 2014).
    quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-53;
}

} // namespace spidi
