#!/usr/bin/env bash
# deploy/bench timeliness: journey-timelinessd with 1,000,000 open deadlines, BENCH_RUNS runs
# (default 3), each printed.
#
#   1. The whole day rollover: 1,000,000 open deadlines (BENCH_DEADLINES; due dates spread
#      evenly over the next 180 days, 19 clocks, 200,000 children) are written straight into
#      timeliness.deadline (INSERT ... SELECT generate_series), then journey-timelinessd starts
#      on a simulated clock and loads them into its book. Each run moves the clock on one day
#      with `journey clock set`; the figure runs from just before that command to the daemon's
#      log line for the day, written after the evaluation of every running deadline, the
#      storing of what changed (states, alerts) in one transaction, its commit and the alerts'
#      publication (the log's wall-clock stamp, to the millisecond). The daemon's own split of
#      it (evaluation, states, alerts, commit, publish) is printed beside it.
#   2. Push -> alert latency, per run: BENCH_LATENCY_EVENTS (default 1,000) contacts, one at a
#      time, each raising DUE_SOON at once; from sending the EventBatch to journey-ingestd to
#      the alert arriving on a SUB of the alert feed (tests/bench/timeliness_latency.c), over
#      Unix sockets. p50 / p90 / p99 / max per run, and over all runs' samples together.
#
# Its PostgreSQL is var/bench (BENCH_PG_DIR to put it elsewhere), started with shared_buffers
# BENCH_SHARED_BUFFERS (default 1GB: the deadlines table and its indexes, about 280 MB, stay
# in memory, as docs/timeliness.md advises for a deployment) and stopped at the end.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
count=${BENCH_DEADLINES:-1000000}
runs=${BENCH_RUNS:-3}
events=${BENCH_LATENCY_EVENTS:-1000}
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

# --- The whole day rollover, one day a run ---------------------------------------------------------
# From just before `journey clock set` to the daemon's "day D: swept" line, which it logs once
# the day's changes and alerts are committed (and published): the log's wall-clock stamp (ms)
# is the end. `journey clock set` itself waits a second for the daemons not running here; the
# daemon moves its clock as soon as the request arrives, so that wait is not in the figure.
wait_for () {  # pattern
    for _ in $(seq 1 2400); do
        grep -q "$1" "$log" && return 0
        sleep 0.05
    done
    echo "bench: no \"$1\" in the log" >&2
    tail -5 "$log" >&2
    exit 1
}
: >"$work/rollovers"
for run in $(seq 1 "$runs"); do
    day=$(date -d "$today + $run day" +%F)
    started=$(date +%s.%N)
    "$cli" clock set "$day" >/dev/null 2>&1 || true
    wait_for "day $day: swept"
    echo "$run $started $(grep "day $day: swept" "$log")" >>"$work/rollovers"
done

# --- Push -> alert, BENCH_LATENCY_EVENTS samples a run --------------------------------------------
last=$(date -d "$today + $runs day" +%F)
# Steady state: the bulk load's vacuum done now, not by autovacuum during the figures.
sql -c "VACUUM (ANALYZE) timeliness.deadline, timeliness.alert_feed" -c "CHECKPOINT"
for _ in $(seq 1 600); do
    [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
    sleep 0.1
done
for run in $(seq 1 "$runs"); do
    say "run $run: measuring push -> alert over $events events"
    "$latency" "$JOURNEY_INGEST_REQUEST" "$JOURNEY_TIMELINESS_FEED" "$last" "$events" "R$run-" \
        >"$work/latency.$run"
done
cp "$log" "$top/var/bench-timeliness.log" # kept for a look at the timings, in order
cat "$work"/latency.* >"$top/var/bench-timeliness-latency.txt"
cp "$work/ingest.log" "$top/var/bench-ingest.log"

# --- Figures --------------------------------------------------------------------------------------
python3 - "$work/rollovers" "$work" "$runs" "$loaded" "$rss" "$(nproc)" "$JOURNEY_PG_SHARED_BUFFERS" <<'PY'
import datetime, re, sys
runs = int(sys.argv[3])
print(f"bench timeliness: machine: {sys.argv[6]} cores; PostgreSQL shared_buffers {sys.argv[7]}; {sys.argv[4]}; daemon RSS {int(sys.argv[5]) // 1024} MiB")
whole = []
for line in open(sys.argv[1]):
    run, started, rest = line.split(" ", 2)
    stamp = datetime.datetime.strptime(rest.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    ended = stamp.replace(tzinfo=datetime.timezone.utc).timestamp()
    ms = (ended - float(started)) * 1000
    whole.append(ms)
    m = re.search(r"day (\S+): swept (\d+) running deadlines in ([\d.]+) ms \((\d+) changed, (\d+) alerts\); stored in ([\d.]+) ms \((.*)\)", rest)
    day, n, swept, changed, alerts, stored, split = m.group(1), int(m.group(2)), float(m.group(3)), int(m.group(4)), int(m.group(5)), float(m.group(6)), m.group(7)
    print(f"bench timeliness: run {run}: day rollover to {day}, {n:,} running deadlines: {ms:.0f} ms from `journey clock set` to the day committed "
          f"(the daemon's own account: evaluated in {swept:.1f} ms; {changed:,} changed, {alerts:,} alerts, stored in {stored:.0f} ms: {split})")
print(f"bench timeliness: whole day rollover over {len(whole)} runs: at most {max(whole):.0f} ms (runs: {', '.join(f'{w:.0f}' for w in whole)} ms)")

def pct(samples, p):  # nearest rank
    return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))] / 1000
def line(name, samples):
    note = "" if len(samples) >= 1000 else " (fewer than 1,000 samples: p99 is not a figure)"
    return (f"bench timeliness: {name}: push -> alert over {len(samples):,} events: p50 {pct(samples, 50):.2f} ms, "
            f"p90 {pct(samples, 90):.2f} ms, p99 {pct(samples, 99):.2f} ms, max {samples[-1] / 1000:.2f} ms{note}")
pooled = []
for run in range(1, runs + 1):
    samples = sorted(int(l) for l in open(f"{sys.argv[2]}/latency.{run}"))
    pooled += samples
    print(line(f"run {run}", samples))
print(line(f"all {runs} runs", sorted(pooled)))
PY
