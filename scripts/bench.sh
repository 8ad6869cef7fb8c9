#!/usr/bin/env bash
# Side-by-side benchmark: Socket.IO and SignalR (../shared/peer-bench) and RealtimeAspire on this machine, in one
# run, with the same Node load generator and the same scenario sizes; then the ratio table in docs/benchmarks.md.
#
#   ./scripts/bench.sh                       # peers, ours through the Gateway, ours direct to the replicas
#   PEERS="" ./scripts/bench.sh              # ours only (the report then has no ratios)
#   SCENARIOS=fanout FANOUT_RATES=300 ./scripts/bench.sh
#   SCENARIOS=storm STORM_SIZES=1000 ./scripts/bench.sh   # reconnect storm: ours (drain a replica) and the peers (restart a server)
#
# Ours runs as the AppHost in local mode, Release build, dashboard on a free port: the AppHost, DCP and the
# dashboard are not on a message's path and are not counted as ours (they show as "other procs CPU %").
# Limits are raised through configuration only (environment, inherited by every service the AppHost starts).
# Knobs: SCENARIOS, IDLE_SIZES, IDLE, FANOUT_RATES, FANOUT, RAMP (as run-peers.sh), PEERS, MODES (gateway direct),
# BENCH_USERS (bench_<k> accounts; connection i uses user i % BENCH_USERS), QUIET_WAIT, ONE_REPLICA_CONNS
# (e.g. 50000: also connect that many idle connections to one replica), FLOOR (1: run `Bench floor`), BENCH_WORK (scratch dir), PAGE,
# PEER_BENCH (default ../shared/peer-bench), STORM_SIZES (clients of the storm, default "5000 10000"), STORM (its flags).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${BENCH_WORK:-$(mktemp -d /tmp/realtime-bench-XXXXXX)}
OUT=$WORK/results
PAGE=${PAGE:-$ROOT/docs/benchmarks.md}
PEERS=${PEERS-"socketio signalr"}
MODES=${MODES:-"gateway direct"}
BENCH_USERS=${BENCH_USERS:-100}
export SCENARIOS=${SCENARIOS:-"idle fanout ramp storm"}
export IDLE_SIZES=${IDLE_SIZES:-"10000"}
export FANOUT_RATES=${FANOUT_RATES:-"300"}
STORM_SIZES=${STORM_SIZES:-"5000 10000"}
STORM=${STORM:-"--rooms 100 --rate 100 --pubs 10 --warmup 5 --after 3"}
export QUIET_WAIT=${QUIET_WAIT:-30}
log() { echo "[bench $(date +%T)] $*" >&2; }

# Limits raised for the run: configuration only (RealtimeOptions of ConnectionService), never code.
export Realtime__RateLimitMessages=1000000000
export Realtime__MaxConnectionsPerUser=1000000
export Realtime__OutboundQueueCapacity=${OUTBOUND_QUEUE:-4096}
export Gateway__AuthRateLimit__PermitLimit=1000000 # the load generator logs in its bench users through the Gateway
export Gateway__Admission__MaxUnauthenticatedPerAddress=1000000 # the .NET client authenticates by frame, from one address
# Traces of 1 % of the messages, as a production system at thousands of messages/s keeps (docs/observability.md):
# at 100 % the dashboard's ingestion takes CPU from the measured processes on the box they share (figures there).
export OTEL_TRACES_SAMPLER=${OTEL_TRACES_SAMPLER:-parentbased_traceidratio} OTEL_TRACES_SAMPLER_ARG=${OTEL_TRACES_SAMPLER_ARG:-0.01}

log "scratch: $WORK"
mkdir -p "$OUT" "$WORK/data"
# BENCH_WORK of an earlier run: its copy and results are kept, so e.g. MODES=direct PEERS="" adds to that run.
[ -d "$WORK/peer-bench" ] || { cp -r "${PEER_BENCH:-$ROOT/../shared/peer-bench}" "$WORK/peer-bench" && chmod -R u+w "$WORK/peer-bench"; }
PB=$WORK/peer-bench
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(cd "$PB/loadgen" && [ -d node_modules ] || timeout 600 npm ci --no-audit --no-fund >/dev/null)
log "building Release"
timeout 900 dotnet build -c Release -nologo -v q "$ROOT/AppHost" >"$WORK/build.log" 2>&1 &&
  timeout 900 dotnet build -c Release -nologo -v q "$ROOT/Bench" >>"$WORK/build.log" 2>&1 || { log "build failed: $WORK/build.log"; exit 1; }

# ---- peers: run-peers.sh starts and stops them itself --------------------------------------------------------
PEER_SCENARIOS=$(echo " $SCENARIOS " | sed 's/ storm / /g' | xargs) # the storm is ours (Bench/peers/storm.js), not run-peers.sh's
if [ -n "$PEERS" ] && [ -n "$PEER_SCENARIOS" ]; then
  log "peers: $PEERS"
  # shellcheck disable=SC2086
  (cd "$PB" && RESULTS="$OUT/peers" SCENARIOS="$PEER_SCENARIOS" ./run-peers.sh $PEERS >/dev/null)
fi

# ---- the peers' reconnect storm: one of their two servers restarted under N clients (Bench/peers/storm.js) -----
if [ -n "$PEERS" ] && [[ " $SCENARIOS " == *" storm "* ]]; then
  mkdir -p "$OUT/peers"
  [ -x /usr/sbin/nginx ] || apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null 2>&1 # as run-peers.sh
  for peer in $PEERS; do
    case $peer in
      socketio) [ -d "$PB/peers/socketio/node_modules" ] || (cd "$PB/peers/socketio" && timeout 600 npm ci --no-audit --no-fund >/dev/null) ;;
      signalr) timeout 600 dotnet build "$PB/peers/signalr" -c Release -nologo -v q >"$WORK/signalr-build.log" ;;
    esac
    for n in $STORM_SIZES; do
      log "peers: $peer storm-$n"
      # shellcheck disable=SC2086
      timeout 900 node "$ROOT/Bench/peers/storm.js" --pb "$PB" --peer "$peer" --conns "$n" $STORM --out "$OUT/peers/$peer-storm-$n.json" \
        2>>"$WORK/storm-$peer-$n.log" || log "$peer storm-$n failed (see $WORK/storm-$peer-$n.log)"
    done
  done
fi

# ---- the floor: the same fan-out with nothing but one send() per delivery, then through a bare relay ------------
if [ "${FLOOR:-1}" = 1 ]; then
  log "floor"
  mkdir -p "$OUT/floor"
  dotnet "$ROOT/Bench/bin/Release/net10.0/Bench.dll" floor >"$OUT/floor/floor.json" 2>>"$WORK/floor.log"
  dotnet "$ROOT/Bench/bin/Release/net10.0/Bench.dll" floor --relay >"$OUT/floor/floor-relay.json" 2>>"$WORK/floor.log"
fi

# ---- ours: the AppHost in local mode, restarted with fresh data for every scenario (as run-peers.sh does for the
# peers). Besides fairness this matters: the rt1 driver's message ids (`<conn>-<seq>`) and users (`bench_<k>`) repeat
# in every run, and the server answers a repeated id of the same user within 5 minutes with the old ack and does
# not deliver it again (idempotent resend), so a second run against the same data would "lose" everything.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
APPHOST_PID=""
STARTS=$(find "$WORK" -maxdepth 1 -name "apphost-*.log" | wc -l) # continues the numbering of an earlier run in BENCH_WORK
stop_system() {
  [ -n "$APPHOST_PID" ] || return 0
  kill -TERM "$APPHOST_PID" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$APPHOST_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$APPHOST_PID" 2>/dev/null || true
  APPHOST_PID=""
}
trap stop_system EXIT
trap 'exit 130' INT TERM

# The processes of a start carry BENCH_RUN_ID (inherited); `dotnet run` wrappers are skipped.
pids_of() { # OTEL_SERVICE_NAME prefix | redis-server
  local p
  for p in /proc/[0-9]*; do
    { tr '\0' '\n' <"$p/environ" | grep -qx "BENCH_RUN_ID=$RUN_ID" || continue
      case "$1" in
        redis-server) [ "$(cat "$p/comm")" = "$1" ] && echo "${p#/proc/}" ;;
        *) tr '\0' '\n' <"$p/environ" | grep -q "^OTEL_SERVICE_NAME=$1" && ! tr '\0' ' ' <"$p/cmdline" | grep -q "^dotnet run" && echo "${p#/proc/}" ;;
      esac; } 2>/dev/null
    true # a non-matching last process must not fail the pipeline (set -e, pipefail)
  done | sort -n | paste -sd, -
}
postgres_pids() { # PostgreSQL rewrites its environment for ps; find the postmaster by its data folder, then its children
  local main
  main=$(pgrep -f -- "postgres.*$DATA" | head -1) || return 0
  { echo "$main"; pgrep -P "$main"; } | sort -n | paste -sd, -
}
redis_pids() { # redis-server overwrites its environment with its process title: find it by the replicas' connection string
  local port
  for port in $(tr '\0' '\n' <"/proc/${REPLICAS%%,*}/environ" | sed -n 's/^ConnectionStrings__redis=//p' | tr ',' '\n' | sed -n 's/^[^=]*:\([0-9]*\)$/\1/p'); do
    pgrep -f "redis-server [^ ]*:$port( |$)" || true
  done | sort -n | paste -sd, -
}
url_of() { tr '\0' '\n' <"/proc/$1/environ" | sed -n 's/^ASPNETCORE_URLS=//p' | cut -d';' -f1 | sed 's/localhost/127.0.0.1/'; }

OPERATOR_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(24))') # the AppHost parameter auth-operator-key, for the storm's drain
start_system() { # sets REPLICAS GATEWAY INFRA REPLICA_URLS GATEWAY_URL RT1_ARGS
  STARTS=$((STARTS + 1)); RUN_ID=bench-$$-$STARTS; DATA=$WORK/data-$STARTS
  local port log=$WORK/apphost-$STARTS.log
  port=$(free_port)
  # Production, as a deployment runs: every service follows the AppHost's environment.
  BENCH_RUN_ID=$RUN_ID DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
    ASPNETCORE_URLS="http://127.0.0.1:$(free_port)" ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$(free_port)" \
    ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://127.0.0.1:$(free_port)" \
    dotnet "$ROOT/AppHost/bin/Release/net10.0/AppHost.dll" --Infrastructure:Mode=local \
    "--Infrastructure:DataPath=$DATA" "--Gateway:Port=$port" --Startup:ExitOnFailure=true "--Parameters:auth-operator-key=$OPERATOR_KEY" >"$log" 2>&1 &
  APPHOST_PID=$!
  for _ in $(seq 720); do # a busy 2-core box can take minutes
    grep -qs "RealtimeAspire is up" "$log" && break
    kill -0 "$APPHOST_PID" 2>/dev/null || { log "the AppHost exited: $(grep -m1 '^RealtimeAspire: ' "$log" || echo "see $log")"; exit 1; }
    sleep 0.5
  done
  grep -q "RealtimeAspire is up" "$log" || { log "not up after 360 s: $log"; exit 1; }
  REPLICAS=$(pids_of connection-service-); GATEWAY=$(pids_of gateway)
  INFRA=$(echo "$(pids_of auth-service),$(pids_of message-service),$(redis_pids),$(postgres_pids)" | tr -s ',' | sed 's/^,//;s/,$//')
  REPLICA_URLS=$(for p in ${REPLICAS//,/ }; do url_of "$p"; done | paste -sd, -)
  GATEWAY_URL=http://127.0.0.1:$port
  RT1_ARGS="--auth-url $GATEWAY_URL --users $BENCH_USERS"
  echo "start $STARTS: replicas=$REPLICAS ($REPLICA_URLS) gateway=$GATEWAY rest=$INFRA" >>"$WORK/pids.txt"
  # A few connections to each replica first: each fetches the JWKS on its first token (a cold-start cost, not measured).
  dotnet "$ROOT/Bench/bin/Release/net10.0/Bench.dll" idle --urls "$REPLICA_URLS" --auth-url "$GATEWAY_URL" --users 2 --conns 8 \
    --rooms 2 --hold 1 --concurrency 1 >/dev/null 2>>"$WORK/warmup.log" || log "warm-up failed: $WORK/warmup.log"
}

run_ours() { # results-set scenario-env (SCENARIOS=… IDLE_SIZES=…) ; uses the running system
  local set=$1 urls spids aux; shift
  case $set in
    rt1-gateway) urls="$GATEWAY_URL,$GATEWAY_URL"; spids=$REPLICAS; aux="$GATEWAY,$INFRA" ;;
    rt1-gateway-memory) urls="$GATEWAY_URL,$GATEWAY_URL"; spids=$GATEWAY; aux="$REPLICAS,$INFRA" ;;
    rt1-direct) urls=$REPLICA_URLS; spids=$REPLICAS; aux=$INFRA ;;
    one-replica) urls=$(url_of "${REPLICAS%%,*}"); spids=${REPLICAS%%,*}; aux=$INFRA ;;
  esac
  log "ours: $set $*"
  (cd "$PB" && env RESULTS="$OUT/$set" RT1_URLS="$urls" RT1_PIDS="$spids" RT1_ARGS="$RT1_ARGS" \
    LOADGEN_EXTRA="--aux-pids $aux ${EXTRA:-}" "$@" ./run-peers.sh rt1 >/dev/null) || log "$set failed (see $PB/logs)"
}

run_storm() { # size : ours through the Gateway, connection-service-1 drained as the operator drains it
  local n=$1 set=rt1-gateway r1 r2
  r1=$(pids_of connection-service-1); r2=$(pids_of connection-service-2)
  local procs="connection-service-1=$r1;connection-service-2=$r2;gateway=$GATEWAY;auth-service=$(pids_of auth-service)"
  procs+=";message-service=$(pids_of message-service);redis=$(redis_pids);postgres=$(postgres_pids)"
  mkdir -p "$OUT/$set"
  echo "storm-$n: $procs" >>"$WORK/pids.txt"
  [[ "$procs" != *"=;"* && "$procs" != *"=" ]] || log "storm-$n: some processes not found, their CPU is reported as null: $procs"
  log "ours: $set storm-$n"
  # shellcheck disable=SC2086
  timeout 900 dotnet "$ROOT/Bench/bin/Release/net10.0/Bench.dll" storm --urls "$GATEWAY_URL" $RT1_ARGS --conns "$n" $STORM \
    --drain-url "$(url_of "${r1%%,*}")" --operator-key "$OPERATOR_KEY" --processes "$procs" --out "$OUT/$set/rt1-storm-$n.json" \
    2>>"$WORK/storm-rt1-$n.log" || log "storm-$n failed (see $WORK/storm-rt1-$n.log)"
}

each_scenario() { # results-set : one fresh system per scenario and size
  local sc n
  for sc in $SCENARIOS; do
    case $sc in
      idle) for n in $IDLE_SIZES; do start_system; run_ours "$1" SCENARIOS=idle IDLE_SIZES="$n"; stop_system; done ;;
      fanout) for n in $FANOUT_RATES; do start_system; run_ours "$1" SCENARIOS=fanout FANOUT_RATES="$n"; stop_system; done ;;
      ramp) start_system; run_ours "$1" SCENARIOS=ramp; stop_system ;;
      storm) if [ "$1" = rt1-gateway ]; then for n in $STORM_SIZES; do start_system; run_storm "$n"; stop_system; done; fi ;;
    esac
  done
}

for mode in $MODES; do
  case $mode in
    gateway) each_scenario rt1-gateway
             case " $SCENARIOS " in *" idle "*) SCENARIOS=idle each_scenario rt1-gateway-memory ;; esac ;;
    direct) SCENARIOS=$PEER_SCENARIOS each_scenario rt1-direct ;; # the storm drains behind the Gateway only
    *) log "unknown mode $mode"; exit 2 ;;
  esac
done
if [ -n "${ONE_REPLICA_CONNS:-}" ]; then
  start_system
  EXTRA="--src 127.0.0.2,127.0.0.3,127.0.0.4 --connect-timeout 600" run_ours one-replica SCENARIOS=idle \
    IDLE_SIZES="$ONE_REPLICA_CONNS" LOADGEN_TIMEOUT=900
  stop_system
fi

# ---- report --------------------------------------------------------------------------------------------------
for dir in "$OUT"/*/; do [ "$(basename "$dir")" = floor ] && continue; node "$PB/loadgen/summary.js" "$dir" >"$dir/summary.md" 2>/dev/null || true; done
dotnet "$ROOT/Bench/bin/Release/net10.0/Bench.dll" report --results "$OUT" --page "$PAGE"
log "results in $OUT; table in $PAGE"
