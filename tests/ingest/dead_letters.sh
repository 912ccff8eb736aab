#!/usr/bin/env bash
# Dead letters are bounded (docs/ingest.md, "Dead letters"): a real journey-ingestd with
# ingest/dead_letter_max_bytes 100 and ingest/dead_letter_per_minute 5, plaintext (one sender).
#   (a) a 10,000-byte line that is not JSON: rejected bad_json; kept are its first 100 bytes,
#       its size and its SHA-256 (of the whole line, as sha256sum gives it);
#   (b) the limit per minute: of 8 more rejected lines 4 are kept (5 in the minute in all), and
#       a warning is logged once; 3 more in the same minute (the simulated clock stands still):
#       none kept; after `journey clock set` to the next day, a new interval: 3 kept.
# Every line is answered with its code all the same (push exits 1, nothing accepted).
set -euo pipefail
source "$JOURNEY_SOURCE_DIR/tests/integration/ingestd.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL 2>/dev/null || true
fail () { ingestd_fail "dead_letters: $*"; }

export JOURNEY_INGEST_DEAD_LETTER_MAX_BYTES=100
export JOURNEY_INGEST_DEAD_LETTER_PER_MINUTE=5
ingestd_start dead_letters 2025-06-30

push () { # FILE EXPECTED-REJECTED
    local rc=0
    "$cli" push "$1" >"$tmp/push.out" 2>"$tmp/push.err" || rc=$?
    [ "$rc" = 1 ] || fail "push $1 exited $rc: $(cat "$tmp/push.out" "$tmp/push.err")"
    grep -q ": $2 lines, 0 accepted, 0 duplicate, $2 rejected" "$tmp/push.out" ||
        fail "push $1: $(cat "$tmp/push.out")"
    [ "$(grep -c 'rejected: bad_json' "$tmp/push.err")" = "$2" ] ||
        fail "push $1: not every line answered bad_json: $(cat "$tmp/push.err")"
}
kept () { ingestd_query "SELECT count(*) FROM ingest.dead_letter"; }
bad_lines () { # N PREFIX
    local i
    for ((i = 1; i <= $1; i++)); do echo "{$2 $i"; done
}

# (a) A long line: a bounded prefix, the whole size and digest.
long=$(printf '{%09999d' 0)
printf '%s\n' "$long" >"$tmp/long.jsonl"
push "$tmp/long.jsonl" 1
expected_sha=$(printf '%s' "$long" | sha256sum | cut -d' ' -f1)
row=$(ingestd_query "SELECT length (raw), raw_size, encode (raw_sha256, 'hex'), raw = substr (convert_to ('$long', 'UTF8'), 1, 100), code FROM ingest.dead_letter")
[ "$row" = "100|10000|$expected_sha|t|bad_json" ] ||
    fail "(a) length, size, digest, prefix, code: $row (expected 100|10000|$expected_sha|t|bad_json)"
echo "dead_letters: (a) 10,000 bytes kept as 100, with size and SHA-256"

# (b) Five a minute: one kept already, four more of the next eight.
bad_lines 8 first >"$tmp/first.jsonl"
push "$tmp/first.jsonl" 8
[ "$(kept)" = 5 ] || fail "(b) $(kept) dead letters kept, expected 5"
[ "$(grep -c 'past ingest/dead_letter_per_minute (5)' "$tmp/ingestd.log")" = 1 ] ||
    fail "(b) the warning was not logged exactly once"
bad_lines 3 second >"$tmp/second.jsonl"
push "$tmp/second.jsonl" 3
[ "$(kept)" = 5 ] || fail "(b) $(kept) dead letters kept in the same minute, expected 5"
[ "$(grep -c 'past ingest/dead_letter_per_minute (5)' "$tmp/ingestd.log")" = 1 ] ||
    fail "(b) the warning was logged again in the same interval"
# The next day on the simulated clock: a new interval. Only ingestd is configured to answer.
JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/none-t.sock JOURNEY_ESCALATION_REQUEST=ipc://$tmp/none-e.sock \
    JOURNEY_REPORTING_REQUEST=ipc://$tmp/none-r.sock "$cli" clock set 2025-07-01 >"$tmp/clock.out" 2>&1 || true
grep -q "^ingest: .*2025-07-01" "$tmp/clock.out" || fail "(b) clock set: $(cat "$tmp/clock.out")"
bad_lines 3 third >"$tmp/third.jsonl"
push "$tmp/third.jsonl" 3
[ "$(kept)" = 8 ] || fail "(b) $(kept) dead letters kept after the interval, expected 8"
grep -q '7 dead letters from plaintext senders not kept in the last interval (7 since start)' \
    "$tmp/ingestd.log" || fail "(b) the interval's total was not logged"
echo "dead_letters: (b) at most 5 a minute kept, the rest counted and logged once; ok"
