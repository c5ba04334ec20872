#pragma once

#include <QLoggingCategory>

namespace spidi::desktop {
// Category of every log line of spidi-desktop: "spidi.desktop". Messages start with an event
// name ("ws.connected", "rest.failed", ...) followed by key=value pairs.
Q_DECLARE_LOGGING_CATEGORY(lcDesktop)
} // namespace spidi::desktop
