#include "bench_log.h"

namespace spidi {
Q_LOGGING_CATEGORY(lcBench, "spidi.bench")
} // namespace spidi
