#!/usr/bin/env bash
# Runs the tests in two parts, one after the other; the first part that fails stops the script with its exit code.
#   ./scripts/test.sh               unit tests (UnitTests/, no system needed), then integration tests (Tests/, the real
#                                   AppHost in local mode; installs what they need and is missing)
#   ./scripts/test.sh unit          the unit tests only
#   ./scripts/test.sh integration   the integration tests only
# Other arguments go to `dotnet test`, e.g. ./scripts/test.sh unit --filter "FullyQualifiedName~Auth"
# Each part writes its results to artifacts/test-results/<part>.trx.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=(unit integration)
case "${1:-}" in
  unit | integration) parts=("$1"); shift ;;
esac

run_part() {
  local part=$1 project=$2; shift 2
  local started; started=$(date +%s)
  dotnet test "$project" --logger "console;verbosity=normal" --logger "trx;LogFileName=$part.trx" \
    --results-directory artifacts/test-results "$@"
  echo "[test] $part tests passed in $(( $(date +%s) - started )) s" >&2
}

for part in "${parts[@]}"; do
  case $part in
    unit) run_part unit UnitTests/UnitTests.csproj "$@" ;;
    integration) ./scripts/setup.sh; run_part integration Tests/Tests.csproj "$@" ;;
  esac
done
