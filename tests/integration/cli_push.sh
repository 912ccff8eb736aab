#!/usr/bin/env bash
# journey push against a real journey-ingestd and its own database: a generated authority is
# all accepted and stored once; pushed again, all duplicate; bad lines (not JSON, a missing
# field) are rejected with their line numbers, dead-lettered, exit 1, and the good lines around
# them accepted; --json says the same; usage errors exit 2.
set -euo pipefail

source "$(dirname "$0")/ingestd.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
db_query () { ingestd_query "$1"; }
fail () { ingestd_fail "cli_push: $*"; }
ingestd_start push 2025-06-30

# --- A whole authority: all accepted, each stored once ----------------------------------------
# The generator's recorded_at runs to 23:59:59Z on --end, which is the next day in London in
# summer: --end is the day before the daemon's today, or the last events are "recorded in the
# future".
"$cli" generate --la 872 --children 2000 --years 2 --seed 11 --end 2025-06-29 \
    --out "$tmp/events.jsonl" 2>/dev/null
lines=$(wc -l <"$tmp/events.jsonl")
rc=0
out=$("$cli" push "$tmp/events.jsonl" 2>"$tmp/push.err") || rc=$?
[ "$rc" = 0 ] || fail "first push exited $rc: $(head -5 "$tmp/push.err")"
[ "$out" = "$tmp/events.jsonl: $lines lines, $lines accepted, 0 duplicate, 0 rejected" ] ||
    fail "first push said: $out"
stored=$(db_query "SELECT count(*) FROM ingest.event")
[ "$stored" = "$lines" ] || fail "ingest.event holds $stored rows for $lines lines"
gaps=$(db_query "SELECT count(*) = max(seq) AND min(seq) = 1 FROM ingest.event")
[ "$gaps" = t ] || fail "ingest.event seq is not 1..$lines"
echo "cli_push: $lines lines pushed, all accepted, $stored rows"

# --- Again, in smaller batches from stdin with two in flight: all duplicate --------------------
rc=0
out=$("$cli" push - --batch 700 --window 2 <"$tmp/events.jsonl" 2>"$tmp/push.err") || rc=$?
[ "$rc" = 0 ] || fail "second push exited $rc: $(head -5 "$tmp/push.err")"
[ "$out" = "stdin: $lines lines, 0 accepted, $lines duplicate, 0 rejected" ] ||
    fail "second push said: $out"
[ "$(db_query "SELECT count(*) FROM ingest.event")" = "$lines" ] || fail "the second push stored rows"
echo "cli_push: pushed again, all $lines duplicate"
[ ! -s "$tmp/push.err" ] || fail "a push to a pipe wrote on stderr: $(head -3 "$tmp/push.err")"

# --- Progress: on a terminal only ------------------------------------------------------------------
# Under a pseudo-terminal the progress line is drawn on stderr (and taken off before the summary);
# the pushes above, with stderr a file, wrote nothing there.
head -n 3000 "$tmp/events.jsonl" >"$tmp/part.jsonl"
python3 - "$cli" "$tmp/part.jsonl" "$tmp/pty.out" <<'EOF_PTY' || fail "push under a terminal: $(cat "$tmp/pty.out")"
import os, pty, sys
cli, path, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cli, [cli, "push", path, "--batch", "500"])
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(status))
EOF_PTY
grep -Eaq $'\r\033\\[Kpush: [0-9]+ lines read, 0 accepted, [0-9]+ duplicate, 0 rejected, [0-9]+ events/s, [0-9]+:[0-9]{2} left' "$tmp/pty.out" ||
    fail "no progress line on a terminal: $(cat -v "$tmp/pty.out")"
grep -aq "$tmp/part.jsonl: 3000 lines, 0 accepted, 3000 duplicate, 0 rejected" "$tmp/pty.out" ||
    fail "no summary under a terminal: $(cat -v "$tmp/pty.out")"
echo "cli_push: progress on a terminal, none on a pipe"

# --- Bad lines among good ones ----------------------------------------------------------------
# New events for a child the first file registered: line 1 good, line 2 not JSON, line 3 blank
# (skipped), line 4 a referral without its referral_id, line 5 good, then blank lines at the end
# of the file, one of spaces, a tab and a carriage return: skipped, never sent nor rejected
# (docs/events.md "Blank lines").
child=$(db_query "SELECT child_id FROM ingest.event WHERE kind = 'child_registered' ORDER BY seq LIMIT 1")
common="\"la_code\":\"872\",\"child_id\":\"$child\",\"occurred_on\":\"2025-06-30\",\"recorded_at\":\"2025-06-30T10:00:00Z\",\"source\":\"test\""
{
    echo "{\"event_id\":\"872-PUSH-1\",$common,\"contact_received\":{\"contact_id\":\"PUSH-CT1\",\"contact_source\":\"1B\"}}"
    echo "{\"event_id\":\"872-PUSH-2\",$common,\"contact_received\":{\"contact_id\":"
    echo ""
    echo "{\"event_id\":\"872-PUSH-3\",$common,\"referral_received\":{\"referral_source\":\"1B\"}}"
    echo "{\"event_id\":\"872-PUSH-4\",$common,\"contact_received\":{\"contact_id\":\"PUSH-CT2\",\"contact_source\":\"1A\"}}"
    echo ""
    printf '  \t\r\n'
    echo ""
} >"$tmp/bad.jsonl"
rc=0
out=$("$cli" push "$tmp/bad.jsonl" 2>"$tmp/bad.err") || rc=$?
[ "$rc" = 1 ] || fail "push of bad lines exited $rc, expected 1: $(cat "$tmp/bad.err")"
[ "$out" = "$tmp/bad.jsonl: 4 lines, 2 accepted, 0 duplicate, 2 rejected" ] ||
    fail "push of bad lines said: $out"
grep -q "^line 2: rejected: .*invalid JSON" "$tmp/bad.err" || fail "line 2 not named: $(cat "$tmp/bad.err")"
grep -q "^line 4: event 872-PUSH-3 rejected: missing_field (referral_received.referral_id): " \
    "$tmp/bad.err" || fail "line 4 not named: $(cat "$tmp/bad.err")"
[ "$(grep -c '^line ' "$tmp/bad.err")" = 2 ] || fail "not two rejections: $(cat "$tmp/bad.err")"
[ "$(db_query "SELECT count(*) FROM ingest.event WHERE event_id IN ('872-PUSH-1', '872-PUSH-4')")" = 2 ] ||
    fail "the good lines around the bad ones were not stored"
[ "$(db_query "SELECT count(*) FROM ingest.dead_letter")" = 2 ] ||
    fail "dead letters: $(db_query "SELECT code, coalesce(event_id, '-') FROM ingest.dead_letter")"
[ "$(db_query "SELECT string_agg(code, ',' ORDER BY code) FROM ingest.dead_letter")" = "bad_json,missing_field" ] ||
    fail "dead letter codes: $(db_query "SELECT string_agg(code, ',' ORDER BY code) FROM ingest.dead_letter")"
echo "cli_push: bad JSON on line 2 and a missing field on line 4 rejected, dead-lettered; good lines accepted"

# --- --json: the same as an object --------------------------------------------------------------
rc=0
out=$("$cli" push --json "$tmp/bad.jsonl" 2>/dev/null) || rc=$?
[ "$rc" = 1 ] || fail "push --json of bad lines exited $rc"
python3 - "$out" "$tmp/bad.jsonl" <<'EOF' || fail "push --json printed: $out"
import json, sys
doc = json.loads(sys.argv[1])
assert doc["file"] == sys.argv[2], doc
assert (doc["lines"], doc["accepted"], doc["duplicate"], doc["rejected"]) == (4, 0, 2, 2), doc
r = doc["rejections"]
assert [x["line"] for x in r] == [2, 4], r
assert r[0]["event_id"] is None and r[0]["code"] == "bad_json" and "invalid JSON" in r[0]["message"], r
assert r[1] == {"line": 4, "event_id": "872-PUSH-3", "code": "missing_field",
                "field": "referral_received.referral_id", "message": r[1]["message"]}, r
assert r[1]["message"], r
EOF
echo "cli_push: --json checked"

# --- Usage errors: exit 2 -------------------------------------------------------------------------
usage () {
    local rc=0
    "$cli" push "$@" >/dev/null 2>"$tmp/usage.err" || rc=$?
    [ "$rc" = 2 ] || fail "push $*: exit $rc, expected 2 ($(cat "$tmp/usage.err"))"
}
usage
usage "$tmp/nosuch.jsonl"
usage "$tmp/events.jsonl" --bogus
usage "$tmp/events.jsonl" --batch 0
usage "$tmp/events.jsonl" --batch 10001
usage "$tmp/events.jsonl" --batch x
usage "$tmp/events.jsonl" --window 0
usage "$tmp/events.jsonl" --window
grep -q -- "--window needs a number" "$tmp/usage.err" || fail "usage message: $(cat "$tmp/usage.err")"
echo "cli_push: usage errors exit 2"

# --- A quiet pipe: the push goes on retrying while no further line comes ---------------------------
# A CMS writing events as they happen leaves the pipe open and silent; a batch waiting to be sent
# again must not wait for the next event. Here nothing listens, one line has come, the pipe stays
# open: the push must try again and again (it used to block reading, with no retry at all).
mkfifo "$tmp/quiet.fifo"
JOURNEY_INGEST_REQUEST=ipc://$tmp/nobody.sock JOURNEY_PUSH_REPLY_TIMEOUT_MS=200 \
    "$cli" push - --batch 1 <"$tmp/quiet.fifo" >/dev/null 2>"$tmp/quiet.err" &
quiet_pid=$!
exec 7>"$tmp/quiet.fifo"
head -1 "$tmp/events.jsonl" >&7
for _ in $(seq 1 300); do
    [ "$(grep -c 'retrying in' "$tmp/quiet.err" || true)" -ge 3 ] && break
    kill -0 "$quiet_pid" 2>/dev/null || break
    sleep 0.1
done
retries=$(grep -c 'retrying in' "$tmp/quiet.err" || true)
kill -TERM "$quiet_pid" 2>/dev/null || true
wait "$quiet_pid" 2>/dev/null || true
exec 7>&-
[ "$retries" -ge 3 ] || fail "quiet pipe: $retries retries in 30 s: $(cat "$tmp/quiet.err")"
grep -q "lines 1-1 not confirmed (nothing is listening at ipc://$tmp/nobody.sock)" "$tmp/quiet.err" ||
    fail "quiet pipe: $(head -3 "$tmp/quiet.err")"
echo "cli_push: a quiet pipe: $retries retries of line 1 while no other line came"

# --- Stop the daemon -----------------------------------------------------------------------------
kill -TERM "$ingestd_pid"
rc=0
wait "$ingestd_pid" || rc=$?
ingestd_pid=
[ "$rc" = 0 ] || fail "journey-ingestd exited $rc on SIGTERM"
echo "cli_push: passed"
