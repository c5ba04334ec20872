#!/usr/bin/env bash
# Runs the spidi-bench scenarios of docs/performance.md against a freshly started spidi-server
# (embedded default: SQLite in a temporary data directory, in-process hot store; scenario e
# adds a throwaway redis-server) and writes one JSON file per run into the results directory,
# plus a summary per stepped scenario. Builds nothing: pass the build directory.
#
#   tools/bench/run-scenarios.sh BUILD_DIR [--results DIR] [--quick] [--scenarios a,b,c,d,e,f]
#                                [--duration SEC] [--threads N] [--port N] [--redis-port N]
#                                [--rates "R1 R2 …"]
#
# --quick   a 10-second smoke version of every scenario at a fifth of the size
# --rates   the heartbeat rates scenarios b, e and f step through (default depends on --quick)
# Each run starts its own server (fresh data directory, so rooms, sessions and RSS start from
# zero) and stops it afterwards. Needs: bash, jq, redis-server (scenario e only).
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

[[ $# -ge 1 ]] || usage 2
[[ $1 == -h || $1 == --help ]] && usage 0
BUILD_DIR=$(cd "$1" && pwd); shift
RESULTS=results/bench-$(date -u +%Y%m%dT%H%M%SZ)
QUICK=0
SCENARIOS=a,b,c,d,e,f
DURATION=
THREADS=$(nproc)
PORT=18080
REDIS_PORT=16379
RATES=
while [[ $# -gt 0 ]]; do
  case $1 in
    --results) RESULTS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --redis-port) REDIS_PORT=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option $1" >&2; usage 2 ;;
  esac
done

SERVER=$BUILD_DIR/bin/spidi-server
BENCH=$BUILD_DIR/bin/spidi-bench
for b in "$SERVER" "$BENCH"; do
  [[ -x $b ]] || { echo "missing $b: build spidi-server and spidi-bench first" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "jq is needed for the summaries" >&2; exit 2; }
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

# Sizes. 1,000 connections per room and 20,000 heartbeats/s for 10,000 connections are the
# seed minimums (SPEC section 13); --quick divides the sizes by five and runs 10 s.
if [[ $QUICK == 1 ]]; then
  DUR=${DURATION:-10}; CONNS=2000; PER_ROOM=200; RATE=4000
  B_RATES="4000 8000 16000 32000"
  C_STEPS="2000 4000 8000"
else
  DUR=${DURATION:-60}; CONNS=10000; PER_ROOM=1000; RATE=20000
  B_RATES="20000 30000 40000 50000 60000 80000 100000 120000 150000"
  C_STEPS="10000 20000 30000 40000 50000 60000"
fi
B_RATES=${RATES:-$B_RATES}
ROOMS=$((CONNS / PER_ROOM))
RAMP=2000
P99_LIMIT_MS=50

# Every connection is a file descriptor in the server and in the bench.
ulimit -n "$(ulimit -Hn)"
max_c=${C_STEPS##* }
if [[ $(ulimit -n) -lt $((max_c + 1024)) ]]; then
  echo "warning: open-file limit $(ulimit -n) is below the $max_c connections of scenario c;" \
       "raise the hard limit (limits.conf, systemd LimitNOFILE, or prlimit as root)" >&2
fi

SERVER_PID=
REDIS_PID=
ECHO_PID=
cleanup() {
  for pid in $SERVER_PID $ECHO_PID $REDIS_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# start_server NAME [extra server options…]: fresh data directory, tokens in $TOKENS.
# Limits that would refuse the load are lifted: --rate-limit 0 (the per-connection message
# limit, default 50/s), --max-connections 0 (unlimited); room capacities come from
# spidi-bench --create-rooms.
start_server() {
  local name=$1; shift
  DATA=$(mktemp -d /tmp/spidi-bench-data.XXXXXX)
  TOKENS=$DATA/tokens; mkdir -p "$TOKENS"
  "$SERVER" --data-dir "$DATA" --port "$PORT" --log-format json \
    --rate-limit 0 --max-connections 0 "$@" >"$RESULTS/$name.server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    grep -q '"server.listening"' "$RESULTS/$name.server.log" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$RESULTS/$name.server.log" >&2; exit 1; }
    sleep 0.1
  done
  for who in user monitor admin; do
    "$SERVER" token --data-dir "$DATA" --tenant bench --sub "bench-$who" \
      --perms "spidi:$who" --ttl 2h >"$TOKENS/$who.jwt"
  done
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  rm -rf "$DATA"
}

start_redis() {
  redis-server --port "$REDIS_PORT" --save '' --appendonly no --bind 127.0.0.1 \
    >"$RESULTS/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "redis-server did not start (see $RESULTS/redis.log)" >&2; exit 1
}

stop_redis() {
  [[ -n $REDIS_PID ]] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=
}

# presence NAME "SERVER OPTIONS" BENCH OPTIONS…: one run against a fresh server.
presence() {
  local name=$1 server_options=$2; shift 2
  # shellcheck disable=SC2086 # the server options are words on purpose
  start_server "$name" $server_options
  log "run $name: $*"
  "$BENCH" --url "ws://127.0.0.1:$PORT/ws/presence" \
    --token-file "$TOKENS/user.jwt" --monitor-token-file "$TOKENS/monitor.jwt" \
    --admin-token-file "$TOKENS/admin.jwt" --create-rooms \
    --threads "$THREADS" --ramp "$RAMP" --server-pid "$SERVER_PID" \
    --json "$RESULTS/$name.json" --label "$name" "$@" | tee "$RESULTS/$name.txt" ||
    log "run $name: spidi-bench exited with an error (see $RESULTS/$name.txt)"
  stop_server
}

# sustained FILE: true when every connection was held, the acks reached 95 % of the rate asked
# for and the ack p99 stayed under the limit.
sustained() {
  jq -e --argjson limit "$P99_LIMIT_MS" '
    .connections.held == .connections.asked and .heartbeats.achievedRatio >= 0.95
    and .ackLatencyMs.p99 < $limit' "$1" >/dev/null 2>&1
}

# step_rates PREFIX "SERVER OPTIONS": scenario b, the rate stepped up until it is no longer
# sustained; writes PREFIX-summary.json.
step_rates() {
  local prefix=$1 server_options=$2 best=0 rate
  for rate in $B_RATES; do
    presence "$prefix-$rate" "$server_options" --connections "$CONNS" --rooms "$ROOMS" \
      --room-prefix B --rate "$rate" --duration "$DUR"
    if sustained "$RESULTS/$prefix-$rate.json"; then best=$rate; else break; fi
  done
  jq -n --argjson best "$best" --argjson limit "$P99_LIMIT_MS" --arg prefix "$prefix" \
    '{scenario: $prefix, connections: '"$CONNS"', ackP99LimitMs: $limit,
      highestSustainedRate: $best}' >"$RESULTS/$prefix-summary.json"
  log "$prefix: highest sustained rate $best heartbeats/s (p99 < $P99_LIMIT_MS ms)"
}

# Scenario f's echo half; prints only the highest sustained rate on stdout. Each step gets a
# fresh echo server, so that its RSS baseline (and RSS per connection) is its own.
echo_step_rates() {
  local best=0 rate echo_port
  for rate in $B_RATES; do
    "$BENCH" --echo-server 0 --threads 1 >"$RESULTS/f-echo-$rate.server.log" 2>&1 &
    ECHO_PID=$!
    echo_port=
    for _ in $(seq 50); do
      echo_port=$(grep -o 'listening on port [0-9]*' "$RESULTS/f-echo-$rate.server.log" |
        grep -o '[0-9]*$' || true)
      [[ -n $echo_port ]] && break
      sleep 0.1
    done
    [[ -n $echo_port ]] || { echo "echo server did not start" >&2; exit 1; }
    log "run f-echo-$rate"
    "$BENCH" --echo --url "ws://127.0.0.1:$echo_port/" --connections "$CONNS" --rate "$rate" \
      --duration "$DUR" --ramp "$RAMP" --threads "$THREADS" --server-pid "$ECHO_PID" \
      --json "$RESULTS/f-echo-$rate.json" --label "f-echo-$rate" | tee "$RESULTS/f-echo-$rate.txt" >&2
    kill "$ECHO_PID"; wait "$ECHO_PID" 2>/dev/null || true; ECHO_PID=
    if sustained "$RESULTS/f-echo-$rate.json"; then best=$rate; else break; fi
  done
  echo "$best"
}

has() { [[ ,$SCENARIOS, == *,$1,* ]]; }

log "results in $RESULTS (quick=$QUICK, duration ${DUR}s, $CONNS connections, $ROOMS rooms)"

# (a) the seed shape: 10,000 connections, 1,000 per room, 20,000 heartbeats/s.
has a && presence a "" --connections "$CONNS" --rooms "$ROOMS" --room-prefix A \
  --rate "$RATE" --duration "$DUR"

# (b) the highest heartbeat rate with ack p99 under 50 ms.
has b && step_rates b ""

# (c) the most connections held, and RSS per connection. One heartbeat per connection every
# 10 s keeps the sessions alive (timeout 45 s) without making this a rate test.
if has c; then
  best=0
  for n in $C_STEPS; do
    presence "c-$n" "" --connections "$n" --rooms $(((n + PER_ROOM - 1) / PER_ROOM)) \
      --room-prefix C --rate $((n / 10)) --duration "$DUR"
    if jq -e '.connections.held >= 0.99 * .connections.asked' "$RESULTS/c-$n.json" >/dev/null 2>&1; then
      best=$n
    else
      break
    fi
  done
  jq -n --argjson best "$best" '{scenario: "c", mostConnectionsHeld: $best}' \
    >"$RESULTS/c-summary.json"
  log "c: $best connections held"
fi

# (d) join-to-dashboard latency under the seed load, with a probe every half second.
has d && presence d "" --connections "$CONNS" --rooms "$ROOMS" --room-prefix D \
  --rate "$RATE" --duration "$DUR" --probe-interval 0.5 --rest-rate 4

# (e) (a) and (b) with the Redis hot store.
if has e; then
  command -v redis-server >/dev/null || { echo "scenario e needs redis-server" >&2; exit 2; }
  start_redis
  presence e-a "--redis redis://127.0.0.1:$REDIS_PORT" --connections "$CONNS" --rooms "$ROOMS" \
    --room-prefix A --rate "$RATE" --duration "$DUR"
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  step_rates e-b "--redis redis://127.0.0.1:$REDIS_PORT"
  stop_redis
fi

# (f) the transport's ceiling: the same connections and frames against the echo server (one
# thread, like the server's single network thread), and presence throughput as a share of it.
if has f; then
  echo_best=$(echo_step_rates)
  presence_best=$(jq -r '.highestSustainedRate // empty' "$RESULTS/b-summary.json" 2>/dev/null || true)
  if [[ -z $presence_best ]]; then
    step_rates b ""
    presence_best=$(jq -r '.highestSustainedRate' "$RESULTS/b-summary.json")
  fi
  jq -n --argjson echo "$echo_best" --argjson presence "$presence_best" \
    '{scenario: "f", echoHighestSustainedRate: $echo, presenceHighestSustainedRate: $presence,
      presenceShareOfEcho: (if $echo > 0 then ($presence / $echo * 1000 | round / 1000) else null end)}' \
    >"$RESULTS/f-summary.json"
  log "f: echo $echo_best/s, presence $presence_best/s"
fi

# One table of the headline figures of every run.
jq -r -s '["label","held","asked hb/s","acked hb/s","p50","p95","p99","max","join p95",
           "server cpu%","rss KiB/conn","gen cpu%","saturated"],
  (.[] | select(.tool == "spidi-bench") | [.label, .connections.held, .heartbeats.askedPerSec,
    .heartbeats.achievedPerSec, .ackLatencyMs.p50, .ackLatencyMs.p95, .ackLatencyMs.p99,
    .ackLatencyMs.max, (if (.joinToDashboardMs.count // 0) > 0 then .joinToDashboardMs.p95 else "-" end), .server.cpuPercentAvg,
    (.server.rssPerConnectionKiB // "-"), .generator.cpuPercentAvg, .saturation])
  | @tsv' "$RESULTS"/*.json 2>/dev/null | column -t -s $'\t' | tee "$RESULTS/summary.txt"
log "done: $RESULTS"
