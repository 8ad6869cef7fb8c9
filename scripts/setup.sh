#!/usr/bin/env bash
# Installs what RealtimeAspire needs on a Debian/Ubuntu machine and is missing: redis-server and the
# PostgreSQL server (for the AppHost's local mode), Chromium (for the browser tests) and Node with the npm
# package of the Node SignalR tests.
# Safe to run again: it installs only what is absent.
set -euo pipefail

log() { echo "[setup] $*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET 10 SDK is required: https://dot.net/download"; exit 1
fi

# The Node SignalR client that Tests/SignalR/NodeSignalRTests.cs runs (@microsoft/signalr from npm).
install_node_packages() {
  local folder
  folder="$(dirname "$0")/../Tests/SignalR/node"
  [ -d "$folder/node_modules/@microsoft/signalr" ] && return 0
  command -v npm >/dev/null 2>&1 || { log "npm is missing: the Node SignalR tests will fail"; return 0; }
  log "installing the Node SignalR client of the tests (npm ci)"
  (cd "$folder" && npm ci --no-audit --no-fund --silent)
}

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
[ -n "${SKIP_BROWSER:-}" ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  log "redis-server, PostgreSQL, Chromium and Node are installed"
  install_node_packages
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${missing[*]}; install them with your package manager (or use Docker: Infrastructure:Mode=containers)"
  exit 1
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
log "installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts its own services after installing; the AppHost runs its own instances, so stop them.
"${sudo[@]}" service redis-server stop >/dev/null 2>&1 || true
"${sudo[@]}" service postgresql stop >/dev/null 2>&1 || true
log "installed ${missing[*]}"
install_node_packages

