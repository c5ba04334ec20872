#!/usr/bin/env bash
# Installs the Debian 12 packages Spidi needs to build, test and demo.
# Idempotent: only missing packages are installed. Needs root (or sudo).
set -euo pipefail

SPIDI_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git
  qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-httpserver-dev
  libqt6sql6-sqlite libqt6sql6-psql
  qt6-declarative-dev qt6-declarative-dev-tools qt6-charts-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtqml-workerscript
  qml6-module-qtqml qml6-module-qtqml-models
  qml6-module-qtcharts qml6-module-qttest qml6-module-qtquick-dialogs qml6-module-qt-labs-settings
  libjwt-dev libhiredis-dev prometheus-cpp-dev libssl-dev libcurl4-openssl-dev
  redis-server postgresql-15 postgresql-client-15 nginx-light
  python3 curl jq
  lintian debootstrap help2man desktop-file-utils appstream
  qml6-module-qt-labs-folderlistmodel
  # tst_alert_notifier: a private session bus with a notification service on it
  dbus-daemon
  # scripts/sanitize: clang, its sanitizer and libFuzzer runtimes, llvm-symbolizer for stacks
  clang libclang-rt-14-dev llvm
)

# tests/interop drives the server with stomp.js on Node.js: Debian's nodejs and npm, unless a
# Node.js with npm is already installed (NodeSource's nodejs bundles npm and conflicts with
# Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SPIDI_BUILD_PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${SPIDI_BUILD_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "spidi: installing ${#missing[@]} missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The postgresql, redis-server and nginx packages would start system services; the tests run
# their own servers on free ports, so keep the package scripts from starting anything.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
