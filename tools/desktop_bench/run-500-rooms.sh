#!/usr/bin/env bash
# "Smooth with 500 rooms updating" (docs/desktop.md, "Smoke test and performance"): starts a
# spidi-server (embedded default) on a free port, creates ROOMS rooms and keeps them all moving
# with spidi-sim (2 devices per room by default, a heartbeat with a new latency every 2 s, 1 %
# of the fleet leaving and joining per second), then runs spidi-desktop-bench offscreen with the
# software renderer and prints its figures. Everything it started is stopped at the end.
#
#   tools/desktop_bench/run-500-rooms.sh [--rooms N] [--devices N] [--duration S] [--warmup S]
#                                        [--json FILE] [-- extra spidi-desktop-bench options]
#
# Binaries come from ${SPIDI_BUILD_DIR:-build}/bin (targets spidi-server spidi-sim
# spidi-desktop-bench). SPIDI_BENCH_WRAPPER="perf record -g -o FILE" profiles the console.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOMS=500
DEVICES=""
DURATION=30
WARMUP=10
JSON=""
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rooms) ROOMS=${2:?}; shift 2 ;;
    --devices) DEVICES=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --json) JSON=${2:?}; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-500-rooms: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
DEVICES=${DEVICES:-$((ROOMS * 2))}

BIN=${SPIDI_BUILD_DIR:-build}/bin
for b in spidi-server spidi-sim spidi-desktop-bench; do
  [ -x "$BIN/$b" ] || { echo "run-500-rooms: $BIN/$b is missing (build it first)" >&2; exit 2; }
done
DATA=$(mktemp -d "${TMPDIR:-/tmp}/spidi-desktop-bench.XXXXXX")
SERVER_PID=""
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then kill -TERM "$SIM_PID"; wait "$SIM_PID" || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN/spidi-server" --port 0 --bind 127.0.0.1 --data-dir "$DATA" --log-format json 2>"$DATA/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(grep -m1 '"server.listening"' "$DATA/server.log" | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$PORT" ] || { echo "run-500-rooms: the server did not start" >&2; cat "$DATA/server.log" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"

token() { "$BIN/spidi-server" token --data-dir "$DATA" --tenant bench --ttl 2h "$@"; }
token --sub bench-admin --perms spidi:admin >"$DATA/admin.token"
: >"$DATA/users.tokens"
for i in $(seq 1 50); do token --sub "bench-user-$i" --perms spidi:user >>"$DATA/users.tokens"; done
CODES=$(seq -f 'ROOM-%03g' 1 "$ROOMS" | paste -sd, -)

"$BIN/spidi-sim" --url "ws://127.0.0.1:$PORT/ws/presence" --token-file "$DATA/users.tokens" \
  --admin-token-file "$DATA/admin.token" --create-rooms --room-codes "$CODES" --room-capacity 10 \
  --devices "$DEVICES" --churn 0.6 --silent-share 0 --reconnect-share 0 --heartbeat-interval 2 \
  --duration 0 --ramp-up 20 --status-interval 10 2>"$DATA/sim.log" &
SIM_PID=$!

echo "run-500-rooms: $ROOMS rooms, $DEVICES devices on $BASE; measuring ${WARMUP}+${DURATION} s" >&2
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} QT_QUICK_BACKEND=${QT_QUICK_BACKEND:-software} \
  ${SPIDI_BENCH_WRAPPER:-} "$BIN/spidi-desktop-bench" --server "$BASE" --token-file "$DATA/admin.token" --rooms "$ROOMS" \
  --warmup "$WARMUP" --duration "$DURATION" ${JSON:+--json "$JSON"} "$@"
echo "run-500-rooms: sim $(tail -n 1 "$DATA/sim.log")" >&2
