#!/usr/bin/env bash
# The packages end to end (issue 7, docs/release.md): build them with CPack from this build
# tree, lint them, look inside, then install them with apt on a clean Debian 12 root made by
# debootstrap (so dependency resolution is real), run the installed server there and get 200
# from /health, start the installed desktop console offscreen (every QML import must resolve),
# keep a changed conffile across a reinstall, and purge.
#
#   tst_packages.sh BUILD_DIR SOURCE_DIR
#
# Needs root (debootstrap, chroot, mount) and Debian's archive. SPIDI_PACKAGE_CHROOT=0 skips the
# install part (offline machines). The debootstrap result is cached as a tarball in
# ${XDG_CACHE_HOME:-~/.cache}/spidi/, so only the first run on a machine downloads the base.
set -euo pipefail

BUILD_DIR=$(cd "${1:?build dir}" && pwd)
SOURCE_DIR=$(cd "${2:?source dir}" && pwd)
VERSION=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")
ARCH=$(dpkg --print-architecture)
MIRROR=${SPIDI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/spidi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spidi-package-XXXXXX")
ROOT="$WORK/root"
SERVER_PID=""
T0=$(date +%s)

step() { echo "== $(( $(date +%s) - T0 )) s: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  if mountpoint -q "$ROOT/proc" 2>/dev/null; then umount -l "$ROOT/proc" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -n "$VERSION" ] || fail "no CPACK_PACKAGE_VERSION in $BUILD_DIR/CPackConfig.cmake"

# --- build ------------------------------------------------------------------------------------
step "cpack (version $VERSION, $ARCH)"
cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$WORK/dist" -G "DEB;TGZ" > "$WORK/cpack.log" 2>&1 ||
  { cat "$WORK/cpack.log"; fail "cpack failed"; }
PACKAGES=(spidi-server spidi-tools)
if grep '^set(CPACK_COMPONENTS_ALL "' "$BUILD_DIR/CPackConfig.cmake" | grep -q desktop; then
  PACKAGES+=(spidi-desktop)
fi
for p in "${PACKAGES[@]}"; do
  [ -f "$WORK/dist/${p}_${VERSION}_${ARCH}.deb" ] || fail "missing ${p}_${VERSION}_${ARCH}.deb"
  ls "$WORK/dist/${p}_${VERSION}_"*.tar.gz > /dev/null 2>&1 || fail "missing the ${p} archive"
done
echo "packages: ${PACKAGES[*]}"

# --- lint -------------------------------------------------------------------------------------
step "lintian"
DEBS=()
for p in "${PACKAGES[@]}"; do DEBS+=("$WORK/dist/${p}_${VERSION}_${ARCH}.deb"); done
lintian --tag-display-limit 0 --fail-on error,warning "${DEBS[@]}" 2>&1 |
  grep -v 'running with root privileges' | tee "$WORK/lintian.log" || true
if grep -Eq '^[EW]: ' "$WORK/lintian.log"; then fail "lintian reported errors or warnings"; fi

# --- contents ---------------------------------------------------------------------------------
step "contents"
SERVER_DEB="$WORK/dist/spidi-server_${VERSION}_${ARCH}.deb"
dpkg-deb -c "$SERVER_DEB" | awk '{print $6}' > "$WORK/server.files"
for f in ./usr/bin/spidi-server ./lib/systemd/system/spidi-server.service ./etc/spidi/server.conf \
         ./usr/share/man/man1/spidi-server.1.gz ./usr/share/doc/spidi-server/copyright \
         ./usr/share/doc/spidi-server/changelog.gz ./usr/share/doc/spidi-server/install.md \
         ./usr/share/spidi/sql/sqlite/0001_initial.sql ./usr/share/spidi/sql/postgresql/0001_initial.sql; do
  grep -qxF "$f" "$WORK/server.files" || fail "spidi-server lacks $f"
done
dpkg-deb -e "$SERVER_DEB" "$WORK/control"
grep -qxF /etc/spidi/server.conf "$WORK/control/conffiles" || fail "server.conf is not a conffile"
depends=$(dpkg-deb -f "$SERVER_DEB" Depends)
for d in libqt6sql6-sqlite libqt6sql6-psql adduser libqt6websockets6 libqt6httpserver6; do
  grep -q "$d" <<<"$depends" || fail "spidi-server does not depend on $d: $depends"
done
dpkg-deb -x "$SERVER_DEB" "$WORK/server"
unit="$WORK/server/lib/systemd/system/spidi-server.service"
for key in 'User=spidi' 'Restart=on-failure' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
           'ProtectHome=yes' 'PrivateTmp=yes' 'ReadWritePaths=/var/lib/spidi'; do
  grep -qxF "$key" "$unit" || fail "the unit lacks $key"
done
# Every option of spidi-server is in the shipped config, commented or set.
"$BUILD_DIR/bin/spidi-server" --help | sed -n 's/^  --\([a-z-]*\) .*/\1/p' | grep -v '^config$' > "$WORK/options"
[ "$(wc -l < "$WORK/options")" -gt 20 ] || fail "could not read the options from --help"
while read -r option; do
  grep -Eq "^(# )?${option} =" "$WORK/server/etc/spidi/server.conf" ||
    fail "server.conf does not mention $option"
done < "$WORK/options"
if [[ " ${PACKAGES[*]} " == *" spidi-desktop "* ]]; then
  DESKTOP_DEB="$WORK/dist/spidi-desktop_${VERSION}_${ARCH}.deb"
  dpkg-deb -x "$DESKTOP_DEB" "$WORK/desktop"
  for f in usr/bin/spidi-desktop usr/share/applications/org.spidi.Desktop.desktop \
           usr/share/icons/hicolor/scalable/apps/org.spidi.Desktop.svg \
           usr/share/icons/hicolor/48x48/apps/org.spidi.Desktop.png \
           usr/share/metainfo/org.spidi.Desktop.metainfo.xml usr/share/man/man1/spidi-desktop.1.gz; do
    [ -f "$WORK/desktop/$f" ] || fail "spidi-desktop lacks /$f"
  done
  desktop-file-validate "$WORK/desktop/usr/share/applications/org.spidi.Desktop.desktop" ||
    fail "the .desktop entry is invalid"
  appstreamcli validate --no-net "$WORK/desktop/usr/share/metainfo/org.spidi.Desktop.metainfo.xml" ||
    fail "the AppStream metainfo is invalid"
  dpkg-deb -f "$DESKTOP_DEB" Depends | grep -q qml6-module-qtquick-controls ||
    fail "spidi-desktop does not depend on its QML modules"
fi
dpkg-deb -c "$WORK/dist/spidi-tools_${VERSION}_${ARCH}.deb" | awk '{print $6}' > "$WORK/tools.files"
for f in ./usr/bin/spidi-sim ./usr/bin/spidi-bench ./usr/bin/spidi-client-example; do
  grep -qxF "$f" "$WORK/tools.files" || fail "spidi-tools lacks $f"
done

if [ "${SPIDI_PACKAGE_CHROOT:-1}" = 0 ]; then
  step "install test skipped (SPIDI_PACKAGE_CHROOT=0)"
  exit 0
fi

# --- a clean Debian 12 ------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || fail "the install test needs root (debootstrap, chroot)"
mkdir -p "$CACHE_DIR"
BASE="$CACHE_DIR/bookworm-minbase-$ARCH.tar.gz"
if [ ! -f "$BASE" ]; then
  step "debootstrap bookworm (first run on this machine; cached in $BASE)"
  debootstrap --variant=minbase --arch="$ARCH" bookworm "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  tar -C "$ROOT" -czf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
else
  step "clean root from $BASE"
  mkdir -p "$ROOT"
  tar -C "$ROOT" -xzf "$BASE"
fi
cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${SPIDI_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# No init system in a chroot: nothing may try to start services.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

step "apt-get install ${PACKAGES[*]}"
mkdir -p "$ROOT/tmp/debs"
cp "${DEBS[@]}" "$ROOT/tmp/debs/"
in_root apt-get update -qq > "$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; fail "apt-get update failed"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $(for d in "${DEBS[@]}"; do echo "/tmp/debs/$(basename "$d")"; done) >> "$WORK/apt.log" 2>&1 ||
  { tail -n 40 "$WORK/apt.log"; fail "apt-get install failed"; }

step "what the server package set up"
in_root getent passwd spidi > /dev/null || fail "no spidi user"
# Owners are looked up inside the root: the host's user database has other ids.
[ "$(in_root stat -c '%U:%G %a' /var/lib/spidi)" = "spidi:spidi 750" ] ||
  fail "/var/lib/spidi is $(in_root stat -c '%U:%G %a' /var/lib/spidi)"
[ "$(in_root stat -c '%U:%G %a' /etc/spidi/server.conf)" = "root:spidi 640" ] ||
  fail "/etc/spidi/server.conf is $(in_root stat -c '%U:%G %a' /etc/spidi/server.conf)"
in_root spidi-server --version | grep -qx "spidi-server $VERSION" || fail "spidi-server --version"
in_root spidi-sim --version | grep -q "$VERSION" || fail "spidi-sim --version"

step "run the installed server as spidi on the embedded default"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chroot --userspec=spidi:spidi "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/spidi \
  SPIDI_CONFIG=/etc/spidi/server.conf /usr/bin/spidi-server --port "$PORT" --bind 127.0.0.1 \
  --log-format text > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
status=""
for _ in $(seq 1 150); do
  status=$(curl -s -o "$WORK/health.json" -w '%{http_code}' "http://127.0.0.1:$PORT/health" || true)
  [ "$status" = 200 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.2
done
[ "$status" = 200 ] || { cat "$WORK/server.log"; fail "/health answered '$status'"; }
grep -q '"status":"ok"' "$WORK/health.json" || { cat "$WORK/health.json"; fail "/health is not ok"; }
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { cat "$WORK/server.log"; fail "the server did not exit cleanly on SIGTERM"; }
SERVER_PID=""
[ -f "$ROOT/var/lib/spidi/spidi.db" ] || fail "no database in /var/lib/spidi"
[ "$(in_root stat -c '%U %a' /var/lib/spidi/jwt.secret)" = "spidi 600" ] ||
  fail "jwt.secret is $(in_root stat -c '%U %a' /var/lib/spidi/jwt.secret)"
echo "health: $(cat "$WORK/health.json" | head -c 120)…"

if [[ " ${PACKAGES[*]} " == *" spidi-desktop "* ]]; then
  step "start the installed desktop console offscreen"
  in_root env QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software HOME=/tmp \
    spidi-desktop --server http://127.0.0.1:1 --token x --quit-after 1500 > "$WORK/desktop.log" 2>&1 ||
    { cat "$WORK/desktop.log"; fail "spidi-desktop failed"; }
  # The console counts QML warnings and logs each one ("qml.warning …"); a missing module is one.
  if ! grep -q 'app.exit code=0 qml_warnings=0' "$WORK/desktop.log" ||
     grep -Eqi 'qml\.warning |is not installed|failed to load|could not load' "$WORK/desktop.log"; then
    cat "$WORK/desktop.log"; fail "spidi-desktop could not load its QML"
  fi
fi

step "a changed conffile survives a reinstall"
sed -i 's/^# port = 8080$/port = 8091/' "$ROOT/etc/spidi/server.conf"
in_root env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "/tmp/debs/$(basename "$SERVER_DEB")" \
  >> "$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log"; fail "reinstall failed"; }
grep -qx 'port = 8091' "$ROOT/etc/spidi/server.conf" || fail "the reinstall lost the admin's change"

step "purge"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq spidi-server >> "$WORK/apt.log" 2>&1 ||
  { tail -n 20 "$WORK/apt.log"; fail "purge failed"; }
for gone in /var/lib/spidi /etc/spidi /lib/systemd/system/spidi-server.service /usr/bin/spidi-server; do
  [ ! -e "$ROOT$gone" ] || fail "purge left $gone"
done
! in_root getent passwd spidi > /dev/null || fail "purge left the spidi user"
! in_root getent group spidi > /dev/null || fail "purge left the spidi group"
in_root spidi-sim --version > /dev/null || fail "purging the server removed the tools"

step "done"
