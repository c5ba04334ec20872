#!/usr/bin/env bash
# Configures and builds Spidi into ${SPIDI_BUILD_DIR:-build} (shared by scripts/demo and
# scripts/test, so the tree is built once). Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SPIDI_BUILD_DIR:-build}
if command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
  # Paths relative to the checkout, so that another clone (CI's fresh one) hits the same cache.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${SPIDI_BUILD_TYPE:-RelWithDebInfo} "$@"
# SPIDI_TARGETS="a b" builds only those targets (the demo needs no test executables).
targets=()
for t in ${SPIDI_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" --parallel "$(nproc)" "${targets[@]}"
