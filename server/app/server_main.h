#pragma once

namespace spidi {

// The whole of `spidi-server`: parses the command line and runs the chosen action. Kept out of
// main.cpp so the executable stays one line and this stays testable.
int serverMain(int argc, char *argv[]);

} // namespace spidi
