#!/usr/bin/env bash
# deploy/bench reporting: how long the board pack takes for 50,000 and for 100,000 children over
# 5 years, and whether that cost grows no faster than the data.
#
# For each size, in a database of its own: `journey generate` (seed 1, history to 2025-03-31),
# `journey push` through journey-ingestd, journey-timelinessd deriving every deadline from the
# event feed (waited for until its feed position reaches the event feed's head), ANALYZE, then
# journey-reportingd builds the pack for Q1 2025 (every measure for the quarter, the previous
# quarter, twelve trend months and per team; every section table) in HTML, CSV and JSON.
# The data is loaded the way production loads it, not copied in, because the pack reads what
# ingestd and timelinessd derive (the projection and the deadlines); only the pack is timed.
# It is built twice and the second time is the figure (the first also warms PostgreSQL's cache;
# both are printed).
#
# Tunables: BENCH_REPORTING_CHILDREN (default "50000 100000"), BENCH_YEARS (default 5),
# BENCH_BATCH (push --batch, default 10000). It takes several minutes on 2 cores.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sizes=${BENCH_REPORTING_CHILDREN:-"50000 100000"}
years=${BENCH_YEARS:-5}
batch=${BENCH_BATCH:-10000}
build=${JOURNEY_BUILD_DIR:-$top/build}
export JOURNEY_PG_DIR=$top/var/bench
pg=$top/deploy/pg
say () { echo "bench: $*"; }

"$top/deploy/deps"
say "building ($build, RelWithDebInfo)"
JOURNEY_BUILD_DIR=$build "$top/deploy/build"
cli=$build/services/cli/journey
for d in ingest timeliness reporting; do
    [ -x "$build/services/$d/journey-${d}d" ] || { echo "bench: journey-${d}d was not built" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
stop_daemons () {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
cleanup () { stop_daemons; "$pg" stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$pg" start >/dev/null
root_url="$("$pg" url postgres) dbname=postgres"

start_daemon () {  # name
    local d=$1 log=$work/$1.log
    "$build/services/$d/journey-${d}d" --simulated-clock --date 2025-04-01 >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 600); do
        grep -q "listening on" "$log" && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: journey-${d}d did not start:" >&2
    tail -5 "$log" >&2
    exit 1
}

results=()
for children in $sizes; do
    db=journey_bench_reporting_$children
    psql -X -q -v ON_ERROR_STOP=1 "$root_url" -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    export JOURNEY_DATABASE_ADMIN_URL="$("$pg" url postgres) dbname=$db"
    for role in ingest timeliness reporting; do
        up=$(echo $role | tr a-z A-Z)
        export JOURNEY_DATABASE_${up}_URL="$("$pg" url journey_$role) dbname=$db"
        export JOURNEY_${up}_REQUEST=ipc://$work/$role.sock JOURNEY_${up}_FEED=ipc://$work/$role-feed.sock
    done
    export JOURNEY_TIMELINESS_EVENTS=ipc://$work/ingest-feed.sock
    export JOURNEY_LA_CODE=872 JOURNEY_LA_NAME="Bench Borough" JOURNEY_LA_CHILD_POPULATION=$((children * 6))
    export JOURNEY_REPORTING_OUT_ROOT=$work    # --out below is a directory under it
    "$cli" migrate >/dev/null
    sql () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL" "$@"; }

    say "$children children x $years years: generating"
    "$cli" generate --la 872 --children "$children" --years "$years" --seed 1 --end 2025-03-31 \
        --out "$work/events.jsonl" 2>/dev/null
    events=$(wc -l <"$work/events.jsonl")
    start_daemon ingest
    start_daemon timeliness
    say "$children children: pushing $events events through journey-ingestd"
    "$cli" push "$work/events.jsonl" --batch "$batch" >"$work/push.out" 2>"$work/push.err" \
        || { echo "bench: push failed:" >&2; tail -5 "$work/push.err" >&2; exit 1; }
    head=$(sql -c "SELECT head FROM ingest.feed_head WHERE feed = 'events'")
    say "$children children: waiting for journey-timelinessd to derive every deadline"
    for _ in $(seq 1 7200); do
        position=$(sql -c "SELECT coalesce (max (position), 0) FROM timeliness.feed_position WHERE feed = 'events'")
        [ "$position" = "$head" ] && break
        sleep 0.5
    done
    [ "$position" = "$head" ] || { echo "bench: timelinessd stopped at $position of $head" >&2; exit 1; }
    stop_daemons
    rm -f "$work/events.jsonl"
    sql -c "ANALYZE"
    deadlines=$(sql -c "SELECT count(*) FROM timeliness.deadline")

    start_daemon reporting
    times=()
    for run in 1 2; do
        "$cli" --json report board-pack --from 2025-01-01 --to 2025-03-31 --out "$work/pack-$children" \
            >"$work/report.json" 2>"$work/report.err" \
            || { echo "bench: report failed:" >&2; cat "$work/report.err" >&2; exit 1; }
        times+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elapsed_ms"])' "$work/report.json")")
    done
    stop_daemons
    bytes=$(du -sb "$work/pack-$children" | cut -f1)
    say "$children children: pack built in ${times[0]} ms, then ${times[1]} ms ($bytes bytes written)"
    results+=("$children $events $deadlines ${times[0]} ${times[1]}")
    psql -X -q "$root_url" -c "DROP DATABASE $db WITH (FORCE)"
done

python3 - "$years" "$(nproc)" "${results[@]}" <<'PY'
import sys
years, cores = sys.argv[1], sys.argv[2]
rows = [list(map(int, r.split())) for r in sys.argv[3:]]
print(f"bench reporting: machine: {cores} cores; board pack for Q1 2025 (12 trend months, every team), html + csv + json")
for children, events, deadlines, first, second in rows:
    print(f"bench reporting: {children:,} children x {years} years ({events:,} events, {deadlines:,} deadlines): "
          f"pack in {second / 1000:.1f} s (first build {first / 1000:.1f} s)")
if len(rows) >= 2:
    small, large = rows[0], rows[-1]
    data = large[1] / small[1]
    cost = large[4] / small[4]
    verdict = "grows no faster than the data" if cost <= data * 1.1 else "grows FASTER than the data"
    print(f"bench reporting: ratio {large[0]:,} / {small[0]:,} children: pack time x{cost:.2f} for data x{data:.2f} (events): {verdict}")
PY
