#!/usr/bin/env bash
# deploy/bench timeliness: journey-timelinessd with 1,000,000 running deadlines.
#
#   1. The day-rollover sweep: 1,000,000 open deadlines (due dates spread evenly over the next
#      180 days, 19 clocks, 200,000 children) are written straight into timeliness.deadline
#      (INSERT ... SELECT generate_series), then journey-timelinessd starts on a simulated
#      clock and loads them into its book. The clock is moved on one day at a time
#      (BENCH_DAYS, default 5); the daemon logs each day's sweep: the evaluation of every
#      running deadline in memory, and the storing of what changed (states, alerts) in one
#      transaction; both are printed. Target: the sweep under 1 s.
#   2. Push -> alert latency: BENCH_LATENCY_EVENTS (default 300) contacts, one at a time,
#      each raising DUE_SOON at once; from sending the EventBatch to journey-ingestd to the
#      alert arriving on a SUB of the alert feed (tests/bench/timeliness_latency.c), over
#      Unix sockets. Target: p99 under 5 ms.
#
# Its PostgreSQL is var/bench (BENCH_PG_DIR to put it elsewhere), started with shared_buffers
# BENCH_SHARED_BUFFERS (default 1GB: the deadlines table and its indexes, about 280 MB, stay
# in memory, as docs/timeliness.md advises for a deployment) and stopped at the end.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
count=${BENCH_DEADLINES:-1000000}
days=${BENCH_DAYS:-5}
events=${BENCH_LATENCY_EVENTS:-300}
build=${JOURNEY_BUILD_DIR:-$top/build}
export JOURNEY_PG_DIR=${BENCH_PG_DIR:-$top/var/bench}
export JOURNEY_PG_SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-1GB}
pg=$top/deploy/pg
db=journey_bench_timeliness
today=2025-04-01
say () { echo "bench timeliness: $*"; }

"$top/deploy/deps"
say "building ($build, RelWithDebInfo)"
JOURNEY_BUILD_DIR=$build "$top/deploy/build"
cli=$build/services/cli/journey
latency=$build/tests/bench_timeliness_latency
for program in "$build/services/ingest/journey-ingestd" "$build/services/timeliness/journey-timelinessd" "$latency"; do
    [ -x "$program" ] || { echo "bench: $program was not built" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup () {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    "$pg" stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$pg" stop >/dev/null 2>&1 || true # started again with this bench's settings
"$pg" start >/dev/null
psql -X -q -v ON_ERROR_STOP=1 "$("$pg" url postgres) dbname=postgres" \
    -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
    -c "CREATE DATABASE $db"
export JOURNEY_DATABASE_ADMIN_URL="$("$pg" url postgres) dbname=$db"
export JOURNEY_DATABASE_INGEST_URL="$("$pg" url journey_ingest) dbname=$db"
export JOURNEY_DATABASE_TIMELINESS_URL="$("$pg" url journey_timeliness) dbname=$db"
export JOURNEY_LA_CODE=872
export JOURNEY_INGEST_REQUEST=ipc://$work/ingest.sock JOURNEY_INGEST_FEED=ipc://$work/ingest-feed.sock
export JOURNEY_TIMELINESS_REQUEST=ipc://$work/timeliness.sock JOURNEY_TIMELINESS_FEED=ipc://$work/alerts.sock
export JOURNEY_TIMELINESS_EVENTS=ipc://$work/ingest-feed.sock
# Not running here: `journey clock set` asks only these two.
export JOURNEY_ESCALATION_REQUEST=ipc://$work/none-e.sock JOURNEY_REPORTING_REQUEST=ipc://$work/none-r.sock
"$cli" migrate >/dev/null
sql () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL" "$@"; }

say "writing $count open deadlines"
sql <<SQL
INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on, due_on, state,
    team_id, worker_id, first_seen_on, backfill, alerts, updated_on)
SELECT i, '872', 'B' || (i / 5),
       (ARRAY['contact_decision', 'assessment', 'icpc', 'core_group', 'rcpc_first', 'rcpc',
              'cp_visit', 'cin_review_first', 'cin_review', 'cla_review_first',
              'cla_review_second', 'cla_review', 'cla_visit_first', 'cla_visit', 'iha', 'rha',
              'pep', 'pathway_review', 'rhi'])[1 + i % 19],
       'X' || i, date '$today' - 30 + (i % 30), date '$today' + 1 + (i % 180), 'open',
       'T' || (i % 50), 'W' || (i % 800), date '$today' - 30, false, 0, date '$today' - 1
FROM generate_series (1, $count) AS i;
ANALYZE timeliness.deadline;
SQL
# The million rows' dirty pages written now, not by a checkpoint in the middle of the figures.
sql -c "CHECKPOINT"

start_daemon () {  # name
    local d=$1 log=$work/$1.log
    "$build/services/$d/journey-${d}d" --simulated-clock --date $today >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 1200); do
        grep -q "$2" "$log" && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: journey-${d}d did not get to \"$2\":" >&2
    tail -5 "$log" >&2
    exit 1
}
start_daemon ingest "listening on"
start_daemon timeliness "caught up with the event feed"
log=$work/timeliness.log
loaded=$(grep -o "loaded [0-9]* running deadlines in [0-9]* ms" "$log")
rss=$(ps -o rss= -p "${pids[1]}")

# --- The sweep, day by day ----------------------------------------------------------------------
wait_for () {  # pattern
    for _ in $(seq 1 600); do
        grep -q "$1" "$log" && return 0
        sleep 0.05
    done
    echo "bench: no \"$1\" in the log" >&2
    tail -5 "$log" >&2
    exit 1
}
for n in $(seq 1 "$days"); do
    day=$(date -d "$today + $n day" +%F)
    "$cli" clock set "$day" >/dev/null 2>&1 || true
    wait_for "day $day: swept"
done
grep "day 2025-.*: swept" "$log" | sed 's/.*info: //' >"$work/sweeps"

# --- Push -> alert --------------------------------------------------------------------------------
last=$(date -d "$today + $days day" +%F)
# Steady state: the bulk load's vacuum done now, not by autovacuum during the figures.
sql -c "VACUUM (ANALYZE) timeliness.deadline, timeliness.alert_feed" -c "CHECKPOINT"
for _ in $(seq 1 600); do
    [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
    sleep 0.1
done
say "measuring push -> alert over $events events"
"$latency" "$JOURNEY_INGEST_REQUEST" "$JOURNEY_TIMELINESS_FEED" "$last" "$events" >"$work/latency"
cp "$log" "$top/var/bench-timeliness.log" # kept for a look at the timings, in order
cp "$work/latency" "$top/var/bench-timeliness-latency.txt"
cp "$work/ingest.log" "$top/var/bench-ingest.log"

# --- Figures --------------------------------------------------------------------------------------
python3 - "$work/sweeps" "$work/latency" "$loaded" "$rss" "$(nproc)" "$JOURNEY_PG_SHARED_BUFFERS" <<'PY'
import re, sys
sweeps = [l for l in open(sys.argv[1]) if "swept" in l]
latency = sorted(int(l) for l in open(sys.argv[2]))
print(f"bench timeliness: machine: {sys.argv[5]} cores; PostgreSQL shared_buffers {sys.argv[6]}; {sys.argv[3]}; daemon RSS {int(sys.argv[4]) // 1024} MiB")
rows = []
for line in sweeps:
    m = re.search(r"day (\S+): swept (\d+) running deadlines in ([\d.]+) ms \((\d+) changed, (\d+) alerts\); stored in ([\d.]+) ms \((.*)\)", line)
    if m:
        rows.append((m.group(1), int(m.group(2)), float(m.group(3)), int(m.group(4)), int(m.group(5)), float(m.group(6)), m.group(7)))
for day, n, swept, changed, alerts, stored, split in rows:
    print(f"bench timeliness: {day}: {n:,} running deadlines evaluated in {swept:.1f} ms; {changed:,} changed, {alerts:,} alerts, stored in {stored:.0f} ms ({split}); rollover {swept + stored:.0f} ms")
rolled = rows[1:]  # the first is the start's own sweep
worst = max(r[2] for r in rolled)
worst_total = max(r[2] + r[5] for r in rolled)
print(f"bench timeliness: day-rollover sweep over {rolled[0][1]:,} deadlines: at most {worst:.1f} ms (target under 1 s: {'met' if worst < 1000 else 'NOT met'}); storing the day's changes and alerts took at most {worst_total - worst:.0f} ms more")
def pct(p):
    return latency[min(len(latency) - 1, int(round(p / 100 * (len(latency) - 1))))] / 1000
print(f"bench timeliness: push -> alert over {len(latency)} events: p50 {pct(50):.2f} ms, p90 {pct(90):.2f} ms, p99 {pct(99):.2f} ms, max {latency[-1] / 1000:.2f} ms (target p99 under 5 ms: {'met' if pct(99) < 5 else 'NOT met'})")
PY
