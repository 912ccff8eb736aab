#!/usr/bin/env bash
# Backpressure in journey-ingestd (docs/ingest.md, "Backpressure"): a real daemon on a database of
# its own, its bounds set small so that the tests reach them (ingest/batch_max 1000,
# ingest/max_pending_events 2000, ingest/feed_hwm 200; pushes of --batch 1000):
#   (a) a stalled database (ingest.event locked by another session): the batches past the bound
#       are answered BUSY at once and Status is answered throughout, with the backlog; once the
#       lock goes, every push completes by itself and every event is stored exactly once;
#   (b) a burst of ten pushes at once: some are told BUSY (the database is held until they are,
#       so that it is certain), all complete, every event is stored once, and the daemon's peak
#       RSS stays within a stated bound of its RSS before the burst;
#   (c) a stalled feed consumer (journey-timelinessd stopped with SIGSTOP) while events are
#       pushed: the feed drops past ingest/feed_hwm instead of queueing, so the daemon grows no
#       more per event than for a push of the same kind with the consumer following; after
#       SIGCONT the consumer catches up to the head from the table.
# Every wait is a bounded poll: a daemon that stops answering fails the test, it does not hang it.
set -euo pipefail
source "$JOURNEY_SOURCE_DIR/tests/integration/ingestd.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
timelinessd_program=$ingestd_services/timeliness/journey-timelinessd
[ -x "$timelinessd_program" ] || { echo "$timelinessd_program not built"; exit 77; }
: "${JOURNEY_DATABASE_TIMELINESS_URL:?run under ctest}"
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL 2>/dev/null || true

timelinessd_pid=
lock_pid=
pushers=()
log () { echo "backpressure: $*"; }
fail () {
    echo "backpressure: FAIL: $*" >&2
    for f in "$tmp"/ingestd.log "$tmp"/timelinessd.log "$tmp"/*.err; do
        [ -s "$f" ] && { echo "--- $f (tail)" >&2; tail -8 "$f" >&2; }
    done
    exit 1
}
s_stop () {
    local p
    for p in "${pushers[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    # The lock first: a daemon draining on SIGTERM waits for the database.
    [ -z "$lock_pid" ] || kill -TERM "$lock_pid" 2>/dev/null || true
    if [ -n "$timelinessd_pid" ]; then
        kill -CONT "$timelinessd_pid" 2>/dev/null || true
        kill -TERM "$timelinessd_pid" 2>/dev/null || true
        wait "$timelinessd_pid" 2>/dev/null || true
    fi
    ingestd_stop
}
trap s_stop EXIT

source "$JOURNEY_SOURCE_DIR/tests/wait_for.sh"

# --- Configuration, the daemons -------------------------------------------------------------------
# `journey status` asks this test's daemons only: journey-timelinessd from (c) on, when
# JOURNEY_TIMELINESS_REQUEST is set.
printf 'timeliness\n    request = ""\nescalation\n    request = ""\nreporting\n    request = ""\n' \
    >"$tmp/status.cfg"
export JOURNEY_INGEST_BATCH_MAX=1000
export JOURNEY_INGEST_MAX_PENDING_EVENTS=2000
export JOURNEY_INGEST_FEED_HWM=200
# Each push its own authority, so that ten at once neither share event ids nor depend on order.
export JOURNEY_INGEST_LA_CODES="801 802 803 811 812 813 814 815 816 817 818 819 820 830 831 832"
# A stalled push must still be pushing when the database comes back (the default, 10 minutes).
export JOURNEY_PUSH_GIVE_UP_MS=600000

# A bound below one batch could never admit a full batch: refused at start, naming both keys.
rc=0
JOURNEY_LA_CODE=872 JOURNEY_INGEST_MAX_PENDING_EVENTS=999 \
    JOURNEY_INGEST_REQUEST=ipc://$tmp/refused.sock JOURNEY_INGEST_FEED=ipc://$tmp/refused-feed.sock \
    "$ingestd_program" >"$tmp/refused.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'ingest/max_pending_events.*999 is less than ingest/batch_max (1000)' \
    "$tmp/refused.log" || fail "a bound below ingest/batch_max: exit $rc, $(cat "$tmp/refused.log")"

ingestd_start backpressure 2025-06-30
admin_url="$JOURNEY_DATABASE_ADMIN_URL dbname=$ingestd_db"

generate () { # LA CHILDREN SEED
    "$cli" generate --la "$1" --children "$2" --years 3 --seed "$3" --end 2025-06-29 \
        --out "$tmp/$1.jsonl" 2>/dev/null
}
lines () { wc -l <"$tmp/$1.jsonl"; }

rss_kb () { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kb () { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
reset_hwm () { echo 5 >"/proc/$1/clear_refs"; } # VmHWM starts again from VmRSS

# journey status --json, for one daemon: its entry ("ingest", "timeliness") as JSON, or {}.
daemon_status () {
    JOURNEY_CONFIG=$tmp/status.cfg "$cli" --json status 2>/dev/null | python3 -c '
import json, sys
doc = json.load(sys.stdin)
print(json.dumps(next((d for d in doc["daemons"] if d["service"] == sys.argv[1]), {})))' "$1"
}
# A value from a JSON document: json_get DOC PYTHON-EXPRESSION-ON-d
json_get () { python3 -c "import json, sys; d = json.loads(sys.argv[1]); print($2)" "$1"; }
# A field of journey-ingestd's backlog in Status, -1 when it does not answer.
backlog_field () { json_get "$(daemon_status ingest)" "d.get('backlog', {}).get('$1', -1)"; }

start_push () { # LA [OPTIONS]: in the background, its pid added to pushers
    local la=$1
    shift
    "$cli" push "$tmp/$la.jsonl" --batch 1000 "$@" >"$tmp/$la.out" 2>"$tmp/$la.err" &
    pushers+=($!)
}

pushes_done () {
    local p
    for p in "${pushers[@]}"; do
        ! kill -0 "$p" 2>/dev/null || return 1
    done
}

# Every push started must finish by itself within 120 s, exit 0, with every line accounted for.
finish_pushes () { # LABEL LA...
    local label=$1
    shift
    wait_for pushes_done 1200 ||
        fail "$label: the pushes did not finish in 120 s"
    local p rc
    for p in "${pushers[@]}"; do
        rc=0
        wait "$p" || rc=$?
        [ "$rc" = 0 ] || fail "$label: a push exited $rc"
    done
    pushers=()
    local la n out
    for la in "$@"; do
        n=$(lines "$la")
        out=$(cat "$tmp/$la.out")
        [[ "$out" =~ :\ $n\ lines,\ ([0-9]+)\ accepted,\ ([0-9]+)\ duplicate,\ 0\ rejected$ ]] ||
            fail "$label: push of LA $la said: $out"
        [ $((BASH_REMATCH[1] + BASH_REMATCH[2])) = "$n" ] || fail "$label: LA $la: $out"
    done
}

# Every event of each file stored exactly once, and the feed's sequence without a gap.
check_stored () { # LABEL LA...
    local label=$1
    shift
    local la n stored distinct
    for la in "$@"; do
        n=$(lines "$la")
        stored=$(ingestd_query "SELECT count(*) FROM ingest.event WHERE la_code = '$la'")
        distinct=$(ingestd_query "SELECT count(DISTINCT event_id) FROM ingest.event
                                   WHERE la_code = '$la'")
        [ "$stored" = "$n" ] && [ "$distinct" = "$n" ] ||
            fail "$label: LA $la: $stored rows ($distinct distinct ids) for $n lines"
    done
    local seqs
    seqs=$(ingestd_query "SELECT count(*) || ' ' || coalesce(max(seq), 0) || ' ' || head
                            FROM ingest.event, ingest.feed_head WHERE feed = 'events'
                           GROUP BY head")
    read -r n stored distinct <<<"$seqs"
    [ "$n" = "$stored" ] && [ "$n" = "$distinct" ] ||
        fail "$label: $n events but the last seq is $stored and the head $distinct"
}

# Another session holds SQL's lock until lock_release: the daemon's writer waits behind it.
lock_hold () { # SQL
    mkfifo "$tmp/lock.fifo"
    psql -X -q -v ON_ERROR_STOP=1 -tA "$admin_url" <"$tmp/lock.fifo" >"$tmp/lock.out" 2>&1 &
    lock_pid=$!
    exec 3>"$tmp/lock.fifo"
    echo "BEGIN; $1; SELECT 'locked';" >&3
    wait_for "grep -q '^locked$' '$tmp/lock.out'" 100 ||
        fail "could not take the lock: $(cat "$tmp/lock.out")"
}
lock_release () {
    echo "COMMIT;" >&3
    exec 3>&-
    wait "$lock_pid" || fail "the lock's session failed: $(cat "$tmp/lock.out")"
    lock_pid=
    rm -f "$tmp/lock.fifo"
}

busy_answers () { grep -h 'daemon busy' "$@" 2>/dev/null | wc -l; }

for la in 801 802 803; do generate "$la" 300 "$la"; done
for la in 811 812 813 814 815 816 817 818 819 820; do generate "$la" 200 "$la"; done
# (c)'s events carry a 4 KB source each, so that a feed queue without bound would show plainly
# beside what the case store keeps of them.
padding=$(printf 'x%.0s' $(seq 1 4096))
for la in 830 831 832; do
    generate "$la" 700 "$la"
    sed -i "s/\"source\":\"generator\"/\"source\":\"generator-$padding\"/" "$tmp/$la.jsonl"
done
log "files generated: $(cat "$tmp"/*.jsonl | wc -l) events"

# --- (a) A stalled database -----------------------------------------------------------------------
# Three pushes while ingest.event is locked: two batches of 1000 fill the bound and wait for the
# database; the third push's batches are refused BUSY, again and again, until the lock goes.
lock_hold "LOCK TABLE ingest.event IN EXCLUSIVE MODE"
for la in 801 802 803; do start_push "$la"; done
wait_for "[ \$(busy_answers '$tmp'/80?.err) -ge 1 ]" 300 ||
    fail "(a): no push was told BUSY in 30 s while the database was stalled"
# Status answers while the writer is stuck, with the backlog at the bound and the stall growing.
wait_for "[ \$(backlog_field stalled_ms) -ge 1500 ]" 100 ||
    fail "(a): Status did not show a stall of 1.5 s in 10 s: $(daemon_status ingest)"
status=$(daemon_status ingest)
[ "$(json_get "$status" 'd.get("running")')" = True ] || fail "(a): no answer to Status while stalled"
backlog=$(json_get "$status" '" ".join(str(d["backlog"][k]) for k in ("batches", "events", "max_events"))')
[ "$backlog" = "2 2000 2000" ] ||
    fail "(a): backlog $backlog, expected 2 batches, 2000 of 2000 events"
busy=$(json_get "$status" 'd["backlog"]["busy_answers"]')
[ "$busy" -ge 1 ] || fail "(a): Status counts $busy BUSY answers"
[ "$(ingestd_query "SELECT count(*) FROM ingest.event")" = 0 ] ||
    fail "(a): rows stored through the lock"
# The answer says why, and since when nothing finished.
told='daemon busy: 2 batches (2000 events) waiting for the database, and 1000 more would pass'
told+=' ingest/max_pending_events (2000); no write has finished for [0-9.]* s; retry'
wait_for "grep -q '$told' '$tmp'/80?.err" 100 ||
    fail "(a): no BUSY answer names the backlog and the stall: $(grep -h 'busy' "$tmp"/80?.err | tail -1)"
log "(a) stalled: Status answered (backlog $backlog, $busy BUSY answers," \
    "stalled $(json_get "$status" 'd["backlog"]["stalled_ms"]') ms); a push was told:" \
    "$(grep -ho "$told" "$tmp"/80?.err | tail -1)"
human=$(JOURNEY_CONFIG=$tmp/status.cfg "$cli" status 2>/dev/null || true)
[[ "$human" == *"backlog 2 batches, 2000 of at most 2000 events; "*" answered busy; database stalled "* ]] ||
    fail "(a): journey status does not show the backlog: $human"
lock_release
finish_pushes "(a)" 801 802 803
check_stored "(a)" 801 802 803
log "(a) after the lock: every push exited 0, every event stored once" \
    "($(busy_answers "$tmp"/80?.err) BUSY answers seen by the pushes)"

# --- (b) A burst of ten pushes --------------------------------------------------------------------
ten=(811 812 813 814 815 816 817 818 819 820)
reset_hwm "$ingestd_pid"
rss_before=$(rss_kb "$ingestd_pid")
busy_before=$(backlog_field busy_answers)
# Held until each push has sent its first batch: two fill the bound, the other eight are BUSY.
lock_hold "LOCK TABLE ingest.event IN EXCLUSIVE MODE"
for la in "${ten[@]}"; do start_push "$la"; done
wait_for "[ \$(backlog_field busy_answers) -ge $((busy_before + 8)) ]" 300 ||
    fail "(b): fewer than 8 BUSY answers in 30 s: $(daemon_status ingest)"
lock_release
finish_pushes "(b)" "${ten[@]}"
check_stored "(b)" "${ten[@]}"
peak=$(hwm_kb "$ingestd_pid")
busy=$(($(backlog_field busy_answers) - busy_before))
events=0
for la in "${ten[@]}"; do events=$((events + $(lines "$la"))); done
# The peak: what the case store keeps of these events (under 1 KB each, measured about 0.65 KB),
# plus the batches held (at most 2000 events) and the rest, within 8 MB.
allowed=$((rss_before + events + 8192))
log "(b) burst of 10 pushes, $events events: $busy BUSY answers; RSS before ${rss_before} kB," \
    "peak ${peak} kB (+$(((peak - rss_before) / 1024)) MB; allowed ${allowed} kB)"
[ "$peak" -le "$allowed" ] || fail "(b): peak RSS ${peak} kB, over ${allowed} kB"

# --- (c) A stalled feed consumer ------------------------------------------------------------------
export JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/timeliness.sock
export JOURNEY_TIMELINESS_FEED=ipc://$tmp/timeliness-feed.sock
export JOURNEY_TIMELINESS_EVENTS=$JOURNEY_INGEST_FEED
JOURNEY_DATABASE_TIMELINESS_URL="$JOURNEY_DATABASE_TIMELINESS_URL dbname=$ingestd_db" \
    "$timelinessd_program" --simulated-clock --date 2025-06-30 >"$tmp/timelinessd.log" 2>&1 &
timelinessd_pid=$!
daemon_listening "$timelinessd_pid" "$tmp/timelinessd.log" journey-timelinessd

# The consumer's position and the feed's head, from Status: "POSITION HEAD".
consumer_at () {
    json_get "$(daemon_status timeliness)" '" ".join(
        str(f.get(k, 0)) for f in d.get("feeds", []) if (f["feed"], f["role"]) ==
        ("events", "subscriber") for k in ("position", "head"))'
}
caught_up () { # HEAD
    [ "$(consumer_at)" = "$1 $1" ]
}
feed_head () { ingestd_query "SELECT head FROM ingest.feed_head WHERE feed = 'events'"; }
h=$(feed_head)
wait_for "caught_up $h" 600 ||
    fail "(c): journey-timelinessd did not reach the head $h in 60 s: $(consumer_at)"

# The same push twice over, first with the consumer following, then with it stopped; before
# them a push of the same kind, so that both find the memory its batches took already there.
start_push 830
finish_pushes "(c) warm-up" 830
h=$(feed_head)
wait_for "caught_up $h" 600 ||
    fail "(c): journey-timelinessd did not reach the head $h in 60 s: $(consumer_at)"
reset_hwm "$ingestd_pid"
rss_live=$(rss_kb "$ingestd_pid")
start_push 831
finish_pushes "(c) live consumer" 831
grow_live=$(($(hwm_kb "$ingestd_pid") - rss_live))
h=$(feed_head)
wait_for "caught_up $h" 600 ||
    fail "(c): journey-timelinessd did not reach the head $h in 60 s: $(consumer_at)"

kill -STOP "$timelinessd_pid"
reset_hwm "$ingestd_pid"
rss_stalled=$(rss_kb "$ingestd_pid")
start_push 832
finish_pushes "(c) stalled consumer" 832
grow_stalled=$(($(hwm_kb "$ingestd_pid") - rss_stalled))
check_stored "(c)" 830 831 832
# What the store keeps grows the same either way; a feed queue without bound would add about as
# much again (each message is the stored event). Allowed: the live growth per event and a
# quarter, plus the feed's own bound (200 messages of about 4.5 KB).
allowed=$((grow_live * $(lines 832) / $(lines 831) * 5 / 4 + 1024))
log "(c) $(lines 831) events with journey-timelinessd following: RSS +${grow_live} kB;" \
    "$(lines 832) events with it stopped: +${grow_stalled} kB (allowed ${allowed} kB)"
[ "$grow_stalled" -le "$allowed" ] ||
    fail "(c): with the consumer stopped the daemon grew ${grow_stalled} kB, over ${allowed} kB"
kill -CONT "$timelinessd_pid"
h=$(feed_head)
wait_for "caught_up $h" 600 ||
    fail "(c): after SIGCONT journey-timelinessd did not reach the head $h in 60 s: $(consumer_at)"
log "(c) after SIGCONT journey-timelinessd caught up to the head ($h)"
log "passed"
