#include "desktop_logging.h"

namespace spidi::desktop {
Q_LOGGING_CATEGORY(lcDesktop, "spidi.desktop")
} // namespace spidi::desktop
