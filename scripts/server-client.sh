#!/usr/bin/env bash
# Manages server-API clients (docs/auth.md, "Server clients") through AuthService's operator endpoints, which the
# Gateway does not route: run it where auth-service is reachable.
#   scripts/server-client.sh create NAME "SCOPES"   # prints {clientId, name, scopes, clientSecret}: the secret is shown once
#   scripts/server-client.sh list
#   scripts/server-client.sh revoke CLIENT_ID
# AUTH_URL: auth-service's address (the dashboard shows it); OPERATOR_KEY: the AppHost parameter auth-operator-key,
# read from the data folder's file (DATA_PATH, default AppHost/.data) when unset.
set -euo pipefail

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 ]] || usage
: "${AUTH_URL:?set AUTH_URL to the address of auth-service (the dashboard shows it)}"
if [[ -z "${OPERATOR_KEY:-}" ]]; then
  key_file="${DATA_PATH:-$(dirname "$0")/../AppHost/.data}/auth-operator-key"
  [[ -r "$key_file" ]] || { echo "set OPERATOR_KEY (no $key_file)" >&2; exit 2; }
  OPERATOR_KEY=$(<"$key_file")
fi

call() { curl --silent --show-error --fail-with-body -H "X-Operator-Key: $OPERATOR_KEY" "$@"; echo; }

case "$1" in
  create)
    [[ $# -eq 3 ]] || usage
    body=$(python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "scopes": sys.argv[2]}))' "$2" "$3")
    call -X POST -H "Content-Type: application/json" --data "$body" "$AUTH_URL/internal/clients" ;;
  list)
    call "$AUTH_URL/internal/clients" ;;
  revoke)
    [[ $# -eq 2 ]] || usage
    call -X POST "$AUTH_URL/internal/clients/$2/revoke" && echo "revoked $2" ;;
  *) usage ;;
esac
