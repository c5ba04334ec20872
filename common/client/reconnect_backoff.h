#pragma once

#include <QtGlobal>

#include <chrono>

namespace spidi {

// Delays between reconnect attempts: exponential growth from `initial`, capped at `max`, with
// jitter so that a fleet dropped at once by a server restart does not come back in lock step.
//
// Attempt n (0-based) waits a delay in (base·(1 − jitter), base], base = min(max, initial·2ⁿ).
// The jitter only ever shortens a delay, so `max` is a hard upper bound.
//
// The generator is a 64-bit SplitMix state rather than QRandomGenerator: a simulator holds one
// backoff per device, and thousands of Mersenne Twister states (5 KB each) would dominate its
// memory. With a seed the sequence of delays is reproducible (tests, simulations).
class ReconnectBackoff
{
public:
    struct Config
    {
        std::chrono::milliseconds initial{500};
        std::chrono::milliseconds max{30000};
        double multiplier = 2.0;
        double jitter = 0.2; // fraction of the base delay, 0 – 1
    };

    ReconnectBackoff();
    explicit ReconnectBackoff(const Config &config, quint64 seed);

    // The delay before the next attempt; each call counts one attempt.
    std::chrono::milliseconds nextDelay();
    // After a successful connection the next failure starts again from `initial`.
    void reset() { m_attempt = 0; }

    int attempts() const { return m_attempt; }
    const Config &config() const { return m_config; }
    void setConfig(const Config &config);
    void seed(quint64 seed) { m_state = seed; }

    // Upper bound of attempt n's delay, before jitter (exposed for tests and documentation).
    std::chrono::milliseconds baseDelay(int attempt) const;

private:
    double nextUnit(); // uniform in [0, 1)

    Config m_config;
    quint64 m_state = 0;
    int m_attempt = 0;
};

} // namespace spidi
