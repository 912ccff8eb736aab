#!/usr/bin/env bash
# Fault tests for journey-ingestd and journey push (DESIGN.md invariants 1 and 6):
#   (a) journey-ingestd killed with SIGKILL during a push, then restarted;
#   (b) PostgreSQL stopped during a push, then started again.
# Each time the push must finish by itself (it retries) with exit 0, and the database must end
# exactly as after a clean run of the same file: every event once, seq 1..n without gaps, the
# same rows in ingest.event and the same case projection.
#
# It runs its own PostgreSQL (it stops and starts it), so it needs no fixture.
set -euo pipefail

: "${JOURNEY_CLI:?run under ctest}"
: "${JOURNEY_SOURCE_DIR:?run under ctest}"
cli=$JOURNEY_CLI
services=${JOURNEY_SERVICES_DIR:-$(dirname "$(dirname "$cli")")}
ingestd=$services/ingest/journey-ingestd
[ -x "$ingestd" ] || { echo "faults: $ingestd not built"; exit 77; }
pg=$JOURNEY_SOURCE_DIR/deploy/pg

tmp=$(mktemp -d)
export JOURNEY_PG_DIR=$tmp/pg
# The test's own everything: nothing inherited from the fixture's cluster.
unset JOURNEY_CONFIG JOURNEY_DATABASE_ADMIN_URL JOURNEY_DATABASE_INGEST_URL PGHOST PGDATABASE
admin_url=$("$pg" url postgres)
ingest_url=$("$pg" url journey_ingest)
export JOURNEY_LA_CODE=872
# A killed daemon cannot answer: the push notices after this long and sends the batch again.
export JOURNEY_PUSH_REPLY_TIMEOUT_MS=2000
export JOURNEY_PUSH_GIVE_UP_MS=120000

daemon=
pusher=
log () { echo "faults: $*"; }
fail () {
    echo "faults: FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/*.err; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }
    done
    exit 1
}
cleanup () {
    for p in $pusher $daemon; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    "$pg" stop >/dev/null 2>&1 || true
    rm -rf "$("$pg" home 2>/dev/null)" "$tmp"
}
trap cleanup EXIT

query () { # DB SQL
    psql -X -q -v ON_ERROR_STOP=1 -tA "$admin_url dbname=$1" -c "$2"
}

source "$JOURNEY_SOURCE_DIR/tests/wait_for.sh"

start_ingestd () { # DB LOG
    JOURNEY_DATABASE_INGEST_URL="$ingest_url dbname=$1" \
    JOURNEY_INGEST_REQUEST="ipc://$tmp/$1.sock" JOURNEY_INGEST_FEED="ipc://$tmp/$1-feed.sock" \
        "$ingestd" --simulated-clock --date 2025-06-30 >"$tmp/$2" 2>&1 &
    daemon=$!
    wait_for "grep -q 'listening on' '$tmp/$2' || ! kill -0 $daemon 2>/dev/null" 600 ||
        fail "journey-ingestd did not start in 60 s"
    kill -0 "$daemon" 2>/dev/null || fail "journey-ingestd exited at start"
}

stop_ingestd () {
    kill -TERM "$daemon"
    local rc=0
    wait "$daemon" || rc=$?
    daemon=
    [ "$rc" = 0 ] || fail "journey-ingestd exited $rc on SIGTERM"
}

start_push () { # DB NAME
    JOURNEY_INGEST_REQUEST="ipc://$tmp/$1.sock" \
        "$cli" push "$tmp/events.jsonl" --batch 1000 >"$tmp/$2.out" 2>"$tmp/$2.err" &
    pusher=$!
}

finish_push () { # NAME: the push must end by itself, exit 0, everything accounted for
    wait_for "! kill -0 $pusher 2>/dev/null" 1200 || fail "$1: the push did not finish in 120 s"
    local rc=0
    wait "$pusher" || rc=$?
    pusher=
    [ "$rc" = 0 ] || fail "$1: the push exited $rc"
    local out accepted duplicate
    out=$(cat "$tmp/$1.out")
    [[ "$out" =~ ^.*:\ $lines\ lines,\ ([0-9]+)\ accepted,\ ([0-9]+)\ duplicate,\ 0\ rejected$ ]] ||
        fail "$1: the push said: $out"
    accepted=${BASH_REMATCH[1]}
    duplicate=${BASH_REMATCH[2]}
    [ $((accepted + duplicate)) = "$lines" ] || fail "$1: $out"
    log "$1: push finished by itself: $out ($(grep -c 'retrying in' "$tmp/$1.err" || true) retries)"
}

rows () { query "$1" "SELECT count(*) FROM ingest.event"; }

# md5 of every row of ingest.event (but committed_at) in seq order, and of each projection table.
fingerprint () { # DB
    query "$1" "SELECT 'event ' || md5(string_agg(concat_ws(',', seq, la_code, event_id, child_id,
                    kind, occurred_on, recorded_at, supersedes, encode(content_hash, 'hex'),
                    md5(envelope)), '|' ORDER BY seq)) FROM ingest.event"
    query "$1" "SELECT 'dead_letter ' || count(*) FROM ingest.dead_letter"
    local table
    for table in $(query "$1" "SELECT table_name FROM information_schema.tables
                              WHERE table_schema = 'ingest' AND table_type = 'BASE TABLE'
                                AND table_name NOT IN ('event', 'dead_letter', 'feed_head',
                                                       'feed_position')
                              ORDER BY table_name"); do
        query "$1" "SELECT '$table ' || count(*) || ' ' ||
                           coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-')
                      FROM ingest.$table t"
    done
}

check () { # DB LABEL
    local n distinct seqs
    n=$(rows "$1")
    [ "$n" = "$lines" ] || fail "$2: ingest.event holds $n rows for $lines lines"
    distinct=$(query "$1" "SELECT count(DISTINCT (la_code, event_id)) FROM ingest.event")
    [ "$distinct" = "$lines" ] || fail "$2: $distinct distinct event ids for $lines lines"
    seqs=$(query "$1" "SELECT min(seq) || ' ' || max(seq) FROM ingest.event")
    [ "$seqs" = "1 $lines" ] || fail "$2: seq runs $seqs, expected 1 $lines"
    fingerprint "$1" >"$tmp/$1.fingerprint"
    if ! diff "$tmp/clean.fingerprint" "$tmp/$1.fingerprint" >"$tmp/$1.diff"; then
        fail "$2: the database differs from the clean run: $(cat "$tmp/$1.diff")"
    fi
    log "$2: $n events, each once ($distinct distinct ids), seq 1..$lines without gaps;" \
        "ingest.event and $(($(wc -l <"$tmp/clean.fingerprint") - 2)) projection tables" \
        "identical to the clean run"
}

# --- The cluster, three databases, one file ------------------------------------------------------
"$pg" start >/dev/null
for db in clean killed pgstop; do
    query postgres "CREATE DATABASE $db" >/dev/null
    JOURNEY_DATABASE_ADMIN_URL="$admin_url dbname=$db" "$cli" migrate >/dev/null
done
# recorded_at runs to 23:59:59Z on --end: the day after (the daemons' today) is after all of it.
"$cli" generate --la 872 --children 9000 --years 3 --seed 29 --end 2025-06-29 \
    --out "$tmp/events.jsonl" 2>/dev/null
lines=$(wc -l <"$tmp/events.jsonl")
log "$lines events generated"

# --- The reference: a clean run ----------------------------------------------------------------------
start_ingestd clean clean.log
start_push clean clean
finish_push clean
stop_ingestd
[ "$(rows clean)" = "$lines" ] || fail "clean run: $(rows clean) rows for $lines lines"
fingerprint clean >"$tmp/clean.fingerprint"
[ "$(grep -c '^dead_letter 0$' "$tmp/clean.fingerprint")" = 1 ] ||
    fail "clean run dead-lettered events: $(grep dead_letter "$tmp/clean.fingerprint")"
log "clean run: $lines events stored"

# --- (a) journey-ingestd killed with SIGKILL mid-push, then restarted -----------------------------
start_ingestd killed killed-1.log
start_push killed killed
wait_for "n=\$(rows killed); [ \"\$n\" -gt $((lines / 10)) ] || ! kill -0 $pusher 2>/dev/null" 600 ||
    fail "(a): no rows after 60 s"
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null || true
daemon=
at=$(rows killed)
[ "$at" -lt "$lines" ] || fail "(a): the push finished before the kill ($at rows); make it slower"
log "(a) killed journey-ingestd (SIGKILL) with $at of $lines events stored"
kill -0 "$pusher" 2>/dev/null || fail "(a): the push stopped when the daemon was killed"
start_ingestd killed killed-2.log
log "(a) journey-ingestd restarted"
finish_push killed
grep -q "no answer from" "$tmp/killed.err" || fail "(a): the push never noticed the kill"
stop_ingestd
check killed "(a) SIGKILL"

# --- (b) PostgreSQL stopped mid-push, then started again -------------------------------------------
start_ingestd pgstop pgstop.log
start_push pgstop pgstop
wait_for "n=\$(rows pgstop); [ \"\$n\" -gt $((lines / 10)) ] || ! kill -0 $pusher 2>/dev/null" 600 ||
    fail "(b): no rows after 60 s"
"$pg" stop >/dev/null
log "(b) PostgreSQL stopped mid-push"
kill -0 "$pusher" 2>/dev/null || fail "(b): the push finished before PostgreSQL stopped; make it slower"
# The push must visibly retry (the daemon answers ERROR, or nothing) before the database returns.
wait_for "grep -q 'retrying in' '$tmp/pgstop.err'" 300 || fail "(b): the push did not retry in 30 s"
wait_for "[ \$(grep -c 'retrying in' '$tmp/pgstop.err') -ge 2 ]" 300 ||
    fail "(b): the push did not retry twice in 30 s"
kill -0 "$daemon" 2>/dev/null || fail "(b): journey-ingestd exited while PostgreSQL was down"
log "(b) the push retried: $(grep 'retrying in' "$tmp/pgstop.err" | head -1)"
"$pg" start >/dev/null
log "(b) PostgreSQL started again"
finish_push pgstop
stop_ingestd
check pgstop "(b) PostgreSQL stop"

log "passed"
