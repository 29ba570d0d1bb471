#!/usr/bin/env bash
# API fuzzing: schemathesis (pinned, from PyPI) generates requests from the
# server's own OpenAPI document (server/openapi.json, generated from the
# handlers: see server/src/api/openapi.rs) and sends them to a real
# siteproof-server process, once with an office admin's session and once with
# an enrolled device's token, so both sides of the API are exercised past
# their authentication. Any 5xx answer fails the run; the run is bounded by
# examples per operation and by time. Prints the number of requests sent.
#
#   SITEPROOF_API_FUZZ_EXAMPLES  test cases per operation and phase (default 25)
#   SITEPROOF_API_FUZZ_SECONDS   time budget of each of the two runs (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
examples=${SITEPROOF_API_FUZZ_EXAMPLES:-25}
budget=${SITEPROOF_API_FUZZ_SECONDS:-60}
venv=$root/tools/schemathesis
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q 4.32.5; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis==4.32.5
fi

profile=${SITEPROOF_PROFILE_DIR:-$root/target/debug}
server=$profile/siteproof-server
cli=$profile/siteproof
[ -x "$server" ] && [ -x "$cli" ] || cargo build --quiet --workspace --locked --bins --lib --tests

work=$(mktemp -d)
data=$work/data
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

pass=fuzz-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')
"$server" --data "$data" admin create-office 东城街道 >/dev/null
"$server" --data "$data" admin create-community 东城街道 幸福里社区 >/dev/null
SITEPROOF_PASSWORD=$pass "$server" --data "$data" admin create-user admin1 --role admin --office 东城街道 >/dev/null
"$server" --data "$data" admin create-user wang --role worker --community 幸福里社区 --no-password >/dev/null
code=$("$server" --data "$data" admin enroll-code --worker wang)

"$server" --data "$data" --listen 127.0.0.1:0 > "$work/server.out" 2> "$work/server.err" &
pid=$!
url=
for _ in $(seq 1 200); do
  url=$(sed -n 's/.*listening on \([0-9.:]*\).*/http:\/\/\1/p' "$work/server.out" | head -1)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "siteproof-server did not start"; cat "$work/server.err"; exit 1; }

admin_token=$(curl -fsS -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"admin1\",\"password\":\"$pass\"}" "$url/v1/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
home=$work/device
"$cli" --home "$home" init >/dev/null
"$cli" --home "$home" enroll "$url" "$code" --name fuzz-device >/dev/null
device_token=$("$cli" --home "$home" token)

cd "$work"  # schemathesis keeps a cache in its working directory: not in the repository
# One run per role, both at once against the one server (two cores, and
# each run mostly waits on the other side): each writes its own log, report
# and exit status, read once both are done.
fuzz_as() {
  local who=$1 token=$2
  local skip=()
  # The admin run leaves out logout: it would end its own session on the
  # first example and turn the rest of the run into 401s.
  [ "$who" = admin ] && skip=(--exclude-path /v1/logout)
  set +e
  SCHEMATHESIS_HOOKS=api_fuzz_hooks PYTHONPATH="$root/scripts" \
  "$venv/bin/schemathesis" run "$root/server/openapi.json" --url "$url" \
    --checks not_a_server_error --max-examples "$examples" --max-time "$budget" \
    --phases examples,coverage,fuzzing --seed 12345 --workers 1 \
    --suppress-health-check all --request-timeout 30 --no-color \
    --generation-with-security-parameters false \
    -H "Authorization: Bearer $token" "${skip[@]}" \
    --report ndjson --report-ndjson-path "$work/$who.ndjson" > "$work/$who.log" 2>&1
  echo $? > "$work/$who.status"
}
fuzz_as admin "$admin_token" &
admin_run=$!
fuzz_as device "$device_token" &
device_run=$!
wait "$admin_run" "$device_run" || true

total=0
failed=0
for who in admin device; do
  report=$work/$who.ndjson
  status=$(cat "$work/$who.status" 2>/dev/null || echo 1)
  # Each ScenarioFinished event carries the recorder of every request sent.
  n=$(python3 - "$report" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    ev = json.loads(line)
    for kind, body in ev.items():
        if kind == "ScenarioFinished":
            n += len((body.get("recorder") or {}).get("interactions") or {})
print(n)
EOF
)
  fives=$(grep -c '"status_code": 5[0-9][0-9]' "$report" || true)
  echo "schemathesis ($who): $n requests, exit $status"
  tail -n 25 "$work/$who.log"
  total=$((total + n))
  if [ "$status" -ne 0 ] || [ "$fives" -ne 0 ]; then
    failed=$((failed + 1))
    echo "schemathesis ($who) FAILED: see the log above"
  fi
done
if ! kill -0 "$pid" 2>/dev/null; then
  echo "siteproof-server died during the API fuzzing:"; tail -n 30 "$work/server.err"; failed=$((failed + 1))
fi
echo "api fuzz: $total requests to $url, $failed failing runs"
[ "$failed" -eq 0 ]
