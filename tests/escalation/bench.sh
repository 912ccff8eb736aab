#!/usr/bin/env bash
# A rough measure of journey-escalationd (by hand, not part of ctest; docs/escalation.md
# "Figures"): N disputes raised through `journey dispute raise`, then the day's roll when every
# one of them climbs a stage, then `journey dispute verify`. On a database of its own in the
# private cluster:
#   deploy/pg start && eval "$(deploy/pg env)" && tests/escalation/bench.sh [N]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${JOURNEY_BUILD_DIR:-$top/build}
cli=${JOURNEY_CLI:-$build/services/cli/journey}
program=$build/services/escalation/journey-escalationd
: "${JOURNEY_DATABASE_ADMIN_URL:?eval \"\$(deploy/pg env)\" first}"
: "${JOURNEY_DATABASE_ESCALATION_URL:?eval \"\$(deploy/pg env)\" first}"
n=${1:-1000}
tmp=$(mktemp -d)
db=journey_bench_dispute_$$
pid=
admin () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL" "$@"; }
cleanup () {
    [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
    admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
seconds () { date +%s.%N; }

admin -c "CREATE DATABASE $db" >/dev/null
JOURNEY_DATABASE_ADMIN_URL="$JOURNEY_DATABASE_ADMIN_URL dbname=$db" "$cli" migrate >/dev/null
export JOURNEY_ESCALATION_REQUEST=ipc://$tmp/escalation.sock
export JOURNEY_ESCALATION_FEED=ipc://$tmp/disputes.sock
export JOURNEY_TIMELINESS_FEED=ipc://$tmp/alerts.sock
export JOURNEY_INGEST_REQUEST=ipc://$tmp/none-1 JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/none-2
export JOURNEY_REPORTING_REQUEST=ipc://$tmp/none-3 JOURNEY_LA_CODE=872
JOURNEY_DATABASE_ESCALATION_URL="$JOURNEY_DATABASE_ESCALATION_URL dbname=$db" \
    "$program" --simulated-clock --date 2025-07-01 >"$tmp/escalationd.log" 2>&1 &
pid=$!
until grep -q "listening on" "$tmp/escalationd.log"; do sleep 0.1; done

start=$(seconds)
for i in $(seq 1 "$n"); do
    "$cli" dispute raise --child "C$i" --by iro-1 --role iro --category reviews --text "bench $i" >/dev/null
done
end=$(seconds)
printf 'raise: %d through `journey dispute raise` in %.1f s (%.1f ms each, the CLI start included)\n' \
    "$n" "$(echo "$end - $start" | bc)" "$(echo "($end - $start) * 1000 / $n" | bc -l)"

"$cli" clock set 2025-07-09 >/dev/null 2>&1 || true
"$cli" dispute show "$n" >/dev/null
# From the daemon's own log: ClockSet to the last notice of the roll.
first=$(grep "clock set to 2025-07-09" "$tmp/escalationd.log" | head -1 | cut -c1-23)
last=$(grep "auto_escalated" "$tmp/escalationd.log" | tail -1 | cut -c1-23)
climbed=$(grep -c "auto_escalated" "$tmp/escalationd.log")
printf 'roll: %d disputes climbed a stage in %.2f s\n' "$climbed" \
    "$(echo "$(date -d "$last" +%s.%N) - $(date -d "$first" +%s.%N)" | bc)"

start=$(seconds)
"$cli" dispute verify
end=$(seconds)
printf 'verify: %.2f s\n' "$(echo "$end - $start" | bc)"
