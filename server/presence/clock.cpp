#include "clock.h"

#include <QDateTime>

namespace spidi {

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace spidi
