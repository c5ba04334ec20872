#include "device_profiles.h"

#include "weighted_list.h"

#include <QStringList>

namespace spidi::sim {

namespace {

struct OsFamily
{
    QString os;
    QStringList models;
    double latencyFactor;
};

// Latency factors average 1 over the mix, so the fleet's median stays near --latency-median.
const WeightedList<OsFamily> &osMix()
{
    static const WeightedList<OsFamily> mix{
        {{QStringLiteral("Android 14"),
          {QStringLiteral("Pixel 8"), QStringLiteral("Galaxy S24"), QStringLiteral("OnePlus 12")},
          1.2},
         22},
        {{QStringLiteral("Android 13"),
          {QStringLiteral("Galaxy A54"), QStringLiteral("Pixel 7"), QStringLiteral("Moto G84")},
          1.35},
         14},
        {{QStringLiteral("iOS 18"),
          {QStringLiteral("iPhone 16"), QStringLiteral("iPhone 15 Pro"),
           QStringLiteral("iPad Air")},
          1.1},
         20},
        {{QStringLiteral("iOS 17"),
          {QStringLiteral("iPhone 14"), QStringLiteral("iPhone SE"), QStringLiteral("iPad 10")},
          1.2},
         10},
        {{QStringLiteral("Windows 11"),
          {QStringLiteral("ThinkPad X1 Carbon"), QStringLiteral("Dell XPS 13"),
           QStringLiteral("Surface Laptop 6")},
          0.6},
         18},
        {{QStringLiteral("macOS 14"),
          {QStringLiteral("MacBook Air M2"), QStringLiteral("MacBook Pro M3"),
           QStringLiteral("iMac 24")},
          0.6},
         10},
        {{QStringLiteral("Linux"),
          {QStringLiteral("ThinkPad T14"), QStringLiteral("Framework 13")},
          0.55},
         6},
    };
    return mix;
}

const WeightedList<QString> &appVersionMix()
{
    // Most devices update within weeks; a tail never does.
    static const WeightedList<QString> mix{
        {QStringLiteral("3.2.0"), 45}, {QStringLiteral("3.1.4"), 25}, {QStringLiteral("3.1.2"), 12},
        {QStringLiteral("3.0.9"), 10}, {QStringLiteral("2.9.7"), 8},
    };
    return mix;
}

} // namespace

DeviceProfile randomProfile(RandomSource &random)
{
    const OsFamily &family = osMix().pick(random);
    const QString &model = family.models.at(random.uniformInt(0, int(family.models.size()) - 1));
    return DeviceProfile{model, family.os, appVersionMix().pick(random), family.latencyFactor};
}

} // namespace spidi::sim
