#pragma once

#include "bench_options.h"

#include <QString>

namespace spidi {

// Creates the bench's rooms (POST /api/v1/rooms) with a capacity that fits the connections
// meant for each plus the join-to-dashboard probe, and a TTL longer than any run. A room that
// already exists is raised to that capacity and TTL if it is smaller (PUT with its version).
// Returns an empty string on success, else what went wrong.
QString setUpRooms(const BenchOptions &options);

// Capacity each room needs for `options`.
int neededCapacity(const BenchOptions &options);

} // namespace spidi
