#pragma once

#include <QLoggingCategory>

namespace spidi {
Q_DECLARE_LOGGING_CATEGORY(lcClient)
} // namespace spidi
