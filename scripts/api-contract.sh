#!/usr/bin/env bash
# The API contract, checked against a live server: schemathesis sends generated requests to
# every operation of /api/openapi.json and fails on any 5xx, any undocumented status code or
# content type, and any response body that does not match its declared schema.
#
# A small demo company in a temporary SQLite database, an admin Bearer token, `centric serve`
# on a free loopback port; the server and the database are removed on exit.
# BIN (default .venv/bin) holds `centric` and `st`; EXAMPLES (default 25) bounds the cases
# per operation and SEED makes a run repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${BIN:-.venv/bin}" && pwd)
EXAMPLES=${EXAMPLES:-25}
SEED=${SEED:-1}

work=$(mktemp -d)
server=""
cleanup() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export CENTRIC_DATABASE_URL="sqlite:///$work/contract.db"
"$BIN/centric" demo --customers 50 --months 2 --no-serve --password contract-check >/dev/null
token=$("$BIN/centric" token create admin@centric.local --name api-contract | tail -n 1)

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No job workers: the contract is the API's; queued jobs (webhook deliveries to generated URLs) wait.
CENTRIC_JOB_WORKERS=0 "$BIN/centric" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    if "$BIN/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/api/health', timeout=1)" 2>/dev/null; then
        break
    fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; echo "api-contract: the server did not start" >&2; exit 1; }
    sleep 0.2
done

# Revoking tokens by id may revoke the checker's own token, so that operation runs last, alone.
revoke="DELETE /api/v1/tokens/{token_id}"
check() {  # from the temporary folder, where schemathesis leaves its cache
    (cd "$work" && "$BIN/st" run "http://127.0.0.1:$port/api/openapi.json" "$@" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --phases examples,fuzzing --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
        --no-color --output-truncate true --request-timeout 20 --generation-database none)
}
status=0
check --exclude-name "$revoke" || status=$?
check --include-name "$revoke" || status=$?
if [[ $status -ne 0 ]]; then
    echo "--- server log (last 60 lines) ---"
    tail -n 60 "$work/server.log"
fi
exit $status
