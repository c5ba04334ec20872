#pragma once

#include <QtGlobal>

namespace spidi {

// Token bucket per connection: `ratePerSec` sustained, `burst` at once. rate 0 = unlimited.
class RateLimiter
{
public:
    RateLimiter(int ratePerSec, int burst)
        : m_rate(ratePerSec), m_burst(qMax(burst, 1)), m_tokens(qMax(burst, 1))
    {}

    bool tryAcquire(qint64 nowMs)
    {
        if (m_rate <= 0)
            return true;
        // The first call only starts the clock: the bucket starts full. (Any timestamp may be the
        // first, 0 included, so "started" is its own flag rather than a sentinel time.)
        if (m_started && nowMs > m_lastMs)
            m_tokens = qMin(double(m_burst), m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
        m_lastMs = nowMs;
        m_started = true;
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    int m_rate;
    int m_burst;
    double m_tokens;
    qint64 m_lastMs = 0;
    bool m_started = false;
};

} // namespace spidi
