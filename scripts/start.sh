#!/usr/bin/env bash
# Starts the whole system with the Aspire dashboard: ./scripts/start.sh [AppHost options]
# e.g. ./scripts/start.sh --Gateway:Port=9090 --ConnectionService:Replicas=3
# A second system on this machine: DASHBOARD_PORT=16080 ./scripts/start.sh --Gateway:Port=8081 \
#   --Infrastructure:DataPath=.data-second   (the dashboard's OTLP and resource ports are DASHBOARD_PORT+4000 and +5000)
# It exits non-zero, with one line "RealtimeAspire: <resource> failed: <cause>", when a resource fails to start.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 ./scripts/setup.sh

port=${DASHBOARD_PORT:-15080}
for taken in "$port" $((port + 4000)) $((port + 5000)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$taken") 2>/dev/null; then
    echo "[start] port $taken (the dashboard's) is taken: is another RealtimeAspire or Aspire AppHost running?" \
      "Stop it, or give this one other ports: DASHBOARD_PORT=<free port> ./scripts/start.sh --Gateway:Port=<free port>" >&2
    exit 1
  fi
done

if [ -z "${DASHBOARD_PORT:-}" ]; then
  exec dotnet run --project AppHost --launch-profile http -- --Startup:ExitOnFailure=true "$@"
fi
# The http launch profile with the dashboard's ports moved.
DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  ASPNETCORE_URLS="http://localhost:$port" ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:$((port + 4000))" \
  ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$((port + 5000))" \
  exec dotnet run --project AppHost --no-launch-profile -- --Startup:ExitOnFailure=true "$@"
