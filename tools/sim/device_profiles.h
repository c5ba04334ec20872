#pragma once

#include "random_source.h"

#include <QString>

namespace spidi::sim {

// What a simulated device says about itself in HELLO.
struct DeviceProfile
{
    QString device;
    QString os;
    QString appVersion;
    // Phones on mobile networks see more latency than desktops on a wire.
    double latencyFactor = 1.0;
};

// Draws from a fleet mix close to a real one: Android 13/14, iOS 17/18, Windows 11, macOS 14
// and some Linux, each with typical models, and app versions skewed to the newest release.
DeviceProfile randomProfile(RandomSource &random);

} // namespace spidi::sim
