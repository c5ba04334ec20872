#pragma once

namespace spidi {

// How log lines are written to stderr: one JSON object per line (for journald, Loki, ...)
// or a human-readable line (for a terminal).
enum class LogFormat {
    Json,
    Text,
};

} // namespace spidi
