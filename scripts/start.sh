#!/usr/bin/env bash
# Starts the whole system with the Aspire dashboard: ./scripts/start.sh [AppHost options]
# e.g. ./scripts/start.sh --Gateway:Port=9090 --ConnectionService:Replicas=3
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 ./scripts/setup.sh
exec dotnet run --project AppHost --launch-profile http -- "$@"
