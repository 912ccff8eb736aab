#!/usr/bin/env bash
# Large pushes to journey-ingestd with CURVE on (docs/security.md): a batch carries its sender's
# rights from admission to its last chunk, whether the chunk is checked on the request's turn,
# from the timer or when the writer gives a write set back.
#   (a) one pusher, batches of 10,000 (checked a chunk at a time, mostly off the request's turn);
#   (b) three pushers at once, each with a key of its own LA, --window 2;
#   (c) a key pushing another LA's large batch: every event la_not_allowed, naming that key.
# Every line generated is stored exactly once in (a) and (b): counts in ingest.event equal the
# lines, no event id twice, sequence numbers 1..n without a gap, and nothing rejected.
#   (d) a key with no la_codes (no push rights): the batch refused before it is read, nothing kept.
# CURVE_PUSH_CHILDREN sets the size of each of (b)'s authorities (default 3,400 children: about
# 98,000 events in all from the three, the issue's 100,000; about a minute on two cores).
set -euo pipefail
source "$JOURNEY_SOURCE_DIR/tests/integration/ingestd.sh"
source "$JOURNEY_SOURCE_DIR/tests/wait_for.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
children=${CURVE_PUSH_CHILDREN:-3400}
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL 2>/dev/null || true

pushers=()
s_stop () {
    local p
    for p in "${pushers[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    ingestd_stop
}
trap s_stop EXIT
log () { echo "curve_push: $*"; }
fail () {
    echo "curve_push: FAIL: $*" >&2
    for f in "$tmp"/ingestd.log "$tmp"/*.err; do
        [ -s "$f" ] && { echo "--- $f (tail)" >&2; tail -8 "$f" >&2; }
    done
    exit 1
}

# --- Keys: the daemon's, and one pusher key per LA ------------------------------------------------
keys=$tmp/keys
clients=$tmp/clients
mkdir -p "$clients"
"$cli" keygen server --server --out "$keys" >/dev/null
for la in 872 801 802 803; do
    "$cli" keygen "cms-$la" --la-codes "$la" --out "$keys" >/dev/null
    cp "$keys/cms-$la.pub" "$clients/"
done
"$cli" keygen reader --out "$keys" >/dev/null
cp "$keys/reader.pub" "$clients/"
export JOURNEY_SECURITY_CURVE=1
export JOURNEY_SECURITY_SERVER_SECRET=$keys/server
export JOURNEY_SECURITY_SERVER_PUBLIC=$keys/server.pub
export JOURNEY_SECURITY_CLIENTS_DIR=$clients
export JOURNEY_LA_CODE=872
export JOURNEY_INGEST_LA_CODES="801 802 803"
export JOURNEY_PUSH_GIVE_UP_MS=600000
ingestd_start curve_push 2025-06-30

generate () { # LA CHILDREN SEED
    "$cli" generate --la "$1" --children "$2" --years 2 --seed "$3" --out "$tmp/$1.jsonl" 2>/dev/null
}
lines () { wc -l <"$tmp/$1.jsonl"; }
start_push () { # LA FILE [OPTIONS]: with the LA's key, in the background
    local la=$1 file=$2
    shift 2
    JOURNEY_SECURITY_CLIENT_SECRET=$keys/cms-$la "$cli" push "$file" "$@" \
        >"$tmp/push-$la.out" 2>"$tmp/push-$la.err" &
    pushers+=($!)
}
pushes_done () {
    local p
    for p in "${pushers[@]}"; do ! kill -0 "$p" 2>/dev/null || return 1; done
}
# Every push finishes within 10 minutes with every line accepted, none rejected. A line may come
# back duplicate: journey push sends its whole window again on a new socket when a later batch
# of it is answered BUSY, and the earlier batch, committed meanwhile, is then a duplicate of
# itself (the counts in ingest.event below show it stored once).
finish_pushes () { # LABEL LA...
    local label=$1 p rc la
    shift
    wait_for pushes_done 6000 || fail "$label: the pushes did not finish in 10 minutes"
    for p in "${pushers[@]}"; do
        rc=0
        wait "$p" || rc=$?
        [ "$rc" = 0 ] || fail "$label: a push exited $rc: $(cat "$tmp"/push-*.out | tail -5)"
    done
    pushers=()
    for la in "$@"; do
        local n
        n=$(lines "$la")
        local counts
        counts=$(sed -n 's/.*: \([0-9]*\) lines, \([0-9]*\) accepted, \([0-9]*\) duplicate, \([0-9]*\) rejected$/\1 \2 \3 \4/p' \
            "$tmp/push-$la.out")
        read -r read_lines accepted duplicate rejected <<<"${counts:-0 0 0 1}"
        [ "$read_lines" = "$n" ] && [ $((accepted + duplicate)) = "$n" ] && [ "$rejected" = 0 ] ||
            fail "$label: LA $la, $n lines: $(cat "$tmp/push-$la.out")"
        [ "$duplicate" = 0 ] || log "$label: LA $la: $duplicate lines answered duplicate after a resend"
    done
}
# Every line of the LAs' files stored once, nothing else, sequence numbers without a gap.
check_stored () { # LABEL LA...
    local label=$1 la expected=0
    shift
    for la in "$@"; do
        local n stored
        n=$(lines "$la")
        expected=$((expected + n))
        stored=$(ingestd_query "SELECT count(*) FROM ingest.event WHERE la_code = '$la'")
        [ "$stored" = "$n" ] || fail "$label: LA $la: $stored events stored of $n lines"
    done
    local row
    row=$(ingestd_query "SELECT count(*), count(DISTINCT (la_code, event_id)), coalesce(min(seq), 0),
                                coalesce(max(seq), 0) FROM ingest.event")
    [ "$row" = "$expected|$expected|1|$expected" ] ||
        fail "$label: count, distinct ids, first and last seq: $row (expected $expected of each, 1..$expected)"
    [ "$(ingestd_query "SELECT count(*) FROM ingest.dead_letter")" = 0 ] ||
        fail "$label: dead letters: $(ingestd_query "SELECT code, count(*) FROM ingest.dead_letter GROUP BY 1")"
}

started=$(date +%s)
# (a) The issue's reproduction: one authority in batches of 10,000.
generate 872 1000 11
start_push 872 "$tmp/872.jsonl" --batch 10000
finish_pushes "(a) one pusher" 872
check_stored "(a) one pusher" 872
log "(a) $(lines 872) events in batches of 10,000: every one accepted once"

# (b) Three pushers at once, each its own key and LA, two batches in flight each.
for la in 801 802 803; do generate "$la" "$children" "${la#8}"; done
for la in 801 802 803; do start_push "$la" "$tmp/$la.jsonl" --batch 10000 --window 2; done
finish_pushes "(b) three pushers" 801 802 803
check_stored "(b) three pushers" 872 801 802 803
total=$(ingestd_query "SELECT count(*) FROM ingest.event")
log "(b) three pushers, --window 2: $total events in all, every one accepted once ($(($(date +%s) - started)) s)"

# (c) The 801 key pushing 872's events in one large batch: every one refused, naming the key.
head -3000 "$tmp/872.jsonl" >"$tmp/foreign.jsonl"
rc=0
JOURNEY_PUSH_GIVE_UP_MS=60000 JOURNEY_SECURITY_CLIENT_SECRET=$keys/cms-801 "$cli" push "$tmp/foreign.jsonl" --batch 3000 \
    >"$tmp/foreign.out" 2>"$tmp/foreign.err" || rc=$?
[ "$rc" = 1 ] || fail "(c) a foreign LA's push exited $rc"
grep -q ": 3000 lines, 0 accepted, 0 duplicate, 3000 rejected" "$tmp/foreign.out" ||
    fail "(c) $(cat "$tmp/foreign.out")"
named=$(grep -c 'la_not_allowed.*the key cms-801 may not push events for la_code "872" (its certificate.s la_codes: 801)' \
    "$tmp/foreign.err" || true)
[ "$named" = 3000 ] || fail "(c) $named of 3000 rejections name the key cms-801 and its la_codes"
[ "$(ingestd_query "SELECT count(*) FROM ingest.event")" = "$total" ] || fail "(c) something was stored"
# Kept as dead letters, counted by the key that sent them (a bounded prefix of each).
row=$(ingestd_query "SELECT count(*), count(*) FILTER (WHERE code = 'la_not_allowed' AND raw_size >= length (raw)) FROM ingest.dead_letter WHERE sender = 'cms-801'")
[ "$row" = "3000|3000" ] || fail "(c) dead letters of cms-801: $row"
log "(c) 3000 events of another LA: every one la_not_allowed, naming cms-801, kept as its dead letters"

# (d) A key with no push rights: answered with the code, and nothing of it kept.
head -500 "$tmp/872.jsonl" >"$tmp/reader.jsonl"
rc=0
JOURNEY_PUSH_GIVE_UP_MS=60000 JOURNEY_SECURITY_CLIENT_SECRET=$keys/reader "$cli" push "$tmp/reader.jsonl" \
    --batch 500 >"$tmp/reader.out" 2>"$tmp/reader.err" || rc=$?
[ "$rc" = 1 ] || fail "(d) a push with no rights exited $rc"
# Refused by its kind before the frame is unpacked (docs/wire.md): the whole batch, at once.
grep -q 'refused the batch: not_allowed: the key reader may not push events (its certificate has no la_codes)' \
    "$tmp/reader.err" || fail "(d) not refused naming the key: $(cat "$tmp/reader.err")"
[ "$(ingestd_query "SELECT count(*) FROM ingest.dead_letter WHERE sender IS DISTINCT FROM 'cms-801'")" = 0 ] ||
    fail "(d) dead letters kept for a key with no push rights"
grep -q 'event_batch refused: the key reader may not push events (its certificate has no la_codes); not read' \
    "$tmp/ingestd.log" || fail "(d) not logged"
log "(d) 500 events from a key with no la_codes: the batch refused unread, nothing kept"
log "ok"
