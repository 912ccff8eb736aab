#!/usr/bin/env bash
# deploy/run start --simulated-clock starts PostgreSQL and every daemon; `journey clock set`
# moves every daemon's clock at once; start again is harmless; stop leaves nothing running.
set -euo pipefail
top=$JOURNEY_SOURCE_DIR
tmp=$(mktemp -d)
export JOURNEY_VAR_DIR=$tmp/var JOURNEY_NO_BUILD=1
export JOURNEY_BUILD_DIR=$(dirname "$(dirname "$(dirname "$JOURNEY_CLI")")")
unset JOURNEY_PG_DIR JOURNEY_DATABASE_ADMIN_URL
for d in ingest timeliness escalation reporting; do
    up=$(echo $d | tr a-z A-Z)
    export JOURNEY_${up}_REQUEST=ipc://$tmp/$d.ipc JOURNEY_${up}_FEED=ipc://$tmp/$d-feed.ipc
done
cleanup () { "$top/deploy/run" stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail () { echo "FAIL: $*"; exit 1; }

"$top/deploy/run" start --simulated-clock --date 2025-01-06
eval "$("$top/deploy/run" env)"
pids=$(cat "$tmp"/var/run/*.pid)
[ "$(echo "$pids" | wc -w)" = 4 ] || fail "expected 4 daemons, got: $pids"

status=$("$JOURNEY_CLI" status --json)
check_status () {  # today
    python3 - "$1" "$status" <<'PY'
import json, sys
today, status = sys.argv[1], json.loads(sys.argv[2])
assert status["database"]["ok"], status
running = [d for d in status["daemons"] if d["running"]]
assert len(running) == 4, status["daemons"]
for d in running:
    assert d["clock_mode"] == "simulated", d
    assert d["today"] == today, (d["service"], d["today"], today)
PY
}
check_status 2025-01-06 || fail "status before clock set: $status"

out=$("$JOURNEY_CLI" clock set 2025-02-03)
[ "$(grep -c 'clock set to 2025-02-03' <<<"$out")" = 4 ] || fail "clock set: $out"
status=$("$JOURNEY_CLI" status --json)
check_status 2025-02-03 || fail "status after clock set: $status"

out=$("$top/deploy/run" start --simulated-clock)
[ "$(grep -c '^journey-.*already running' <<<"$out")" = 4 ] || fail "second start: $out"

"$top/deploy/run" stop
for pid in $pids; do
    kill -0 "$pid" 2>/dev/null && fail "daemon $pid still running after stop"
done
for d in ingest timeliness escalation reporting; do
    grep -q "stopped" "$tmp/var/log/$d.log" || fail "journey-${d}d did not stop cleanly: $(tail -3 "$tmp/var/log/$d.log")"
done
"$top/deploy/pg" status >/dev/null 2>&1 && fail "PostgreSQL still running"
[ -z "$(pgrep -f "$tmp" || true)" ] || fail "processes left: $(pgrep -af "$tmp")"
"$top/deploy/run" stop >/dev/null || fail "second stop failed"
echo "run lifecycle: 4 daemons started, clock moved on all, clean stop"
