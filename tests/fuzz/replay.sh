#!/bin/sh
# Runs every file under the given directories once through a libFuzzer target (no fuzzing):
# the seed corpus and the kept regression inputs of tests/fuzz. Used by the <target>_replay
# CTest entries. Usage: replay.sh <fuzzer> <dir>...
set -eu
fuzzer=$1
shift
files=$(find "$@" -type f ! -name '.*' 2>/dev/null | sort || true) # a directory may not exist yet
if [ -z "$files" ]; then
    echo "replay: no inputs under $*" >&2
    exit 1
fi
count=$(printf '%s\n' "$files" | wc -l)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# File arguments (not directories) make libFuzzer execute each input once and exit.
if ! printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 "$fuzzer" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
echo "replay: $count inputs ran clean through $(basename "$fuzzer")"
