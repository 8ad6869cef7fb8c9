#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests that start the real AppHost (local mode).
# Extra arguments go to `dotnet test`, e.g. ./scripts/test.sh --filter "FullyQualifiedName~Auth"
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
started=$(date +%s)
dotnet test RealtimeAspire.sln --logger "console;verbosity=normal" --results-directory artifacts/test-results "$@"
echo "[test] all tests passed in $(( $(date +%s) - started )) s" >&2
