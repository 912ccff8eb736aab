#!/usr/bin/env bash
# journey deadlines, journey alerts [--follow] and journey clock set --json against a real
# journey-ingestd and journey-timelinessd on a simulated clock, with a database of their own.
#
# Two children each get a contact on Monday 2025-03-03 (contact decision: 1 working day, due
# Tuesday); C1 also has a contact from January, decided the next day. Moving the clock to
# Tuesday and Wednesday raises due_today and overdue for both, after the due_soon raised when
# the contacts arrived. A follower started before the clock moves prints all six, each once,
# in feed order; asking again gives the same six; --team, --since and --child filter them.
# C3's contacts, due on a Friday, are decided on the Saturday (met_on_time: no working day
# passed after the due date) and on the Monday (met_late by 1 working day).
set -euo pipefail

source "$(dirname "$0")/ingestd.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
timelinessd_program=$ingestd_services/timeliness/journey-timelinessd
timelinessd_pid=
follow_pid=
follow_t2_pid=
checks=0

fail () {
    echo "FAIL: cli_timeliness: $*" >&2
    for log in timelinessd ingestd; do
        [ -f "$tmp/$log.log" ] && { echo "--- $log.log (tail)" >&2; tail -15 "$tmp/$log.log" >&2; }
    done
    exit 1
}
check () { checks=$((checks + 1)); eval "$2" || fail "$1"; }

s_stop () {
    [ -z "$follow_pid" ] || kill -TERM "$follow_pid" 2>/dev/null || true
    [ -z "$follow_t2_pid" ] || kill -TERM "$follow_t2_pid" 2>/dev/null || true
    if [ -n "$timelinessd_pid" ] && kill -0 "$timelinessd_pid" 2>/dev/null; then
        kill -TERM "$timelinessd_pid" 2>/dev/null || true
        wait "$timelinessd_pid" 2>/dev/null || true
    fi
    ingestd_stop
}
trap s_stop EXIT

[ -x "$timelinessd_program" ] || { echo "$timelinessd_program not built"; exit 77; }
: "${JOURNEY_DATABASE_TIMELINESS_URL:?run under ctest}"
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL 2>/dev/null || true
# Every daemon's request endpoint in this test's directory, so that `journey clock set` talks
# to these two and nothing else on the machine answers.
export JOURNEY_ESCALATION_REQUEST=ipc://$tmp/escalation.sock
export JOURNEY_REPORTING_REQUEST=ipc://$tmp/reporting.sock
export JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/timeliness.sock
export JOURNEY_TIMELINESS_FEED=ipc://$tmp/timeliness-feed.sock

ingestd_start timeliness 2025-03-03
export JOURNEY_TIMELINESS_EVENTS=$JOURNEY_INGEST_FEED
JOURNEY_DATABASE_TIMELINESS_URL="$JOURNEY_DATABASE_TIMELINESS_URL dbname=$ingestd_db" \
    "$timelinessd_program" --simulated-clock --date 2025-03-03 >"$tmp/timelinessd.log" 2>&1 &
timelinessd_pid=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$tmp/timelinessd.log" && break
    kill -0 "$timelinessd_pid" 2>/dev/null || fail "journey-timelinessd exited at start"
    sleep 0.1
done
grep -q "listening on" "$tmp/timelinessd.log" || fail "journey-timelinessd did not start listening"

# --- The events -------------------------------------------------------------------------------
event () { # ID CHILD DATE PAYLOAD
    echo "{\"event_id\":\"$1\",\"la_code\":\"872\",\"child_id\":\"$2\",\"occurred_on\":\"$3\",\"recorded_at\":\"${3}T09:00:00Z\",\"source\":\"test\",$4}"
}
{
    for child in C1 C2; do
        event "$child-REG" "$child" 2025-01-02 '"child_registered":{"date_of_birth":"2015-01-01","sex":"F","ethnicity":"WBRI","disability":false,"uasc":false}'
    done
    event C1-ALLOC C1 2025-01-02 '"worker_allocated":{"allocated_worker_id":"W1","allocated_team_id":"T1"}'
    event C2-ALLOC C2 2025-01-02 '"worker_allocated":{"allocated_worker_id":"W2","allocated_team_id":"T2"}'
    event C1-CT0 C1 2025-01-06 '"contact_received":{"contact_id":"CT0","contact_source":"1B"}'
    event C1-CT0-D C1 2025-01-07 '"contact_decided":{"contact_id":"CT0","outcome":"nfa"}'
    # C3: contacts on Thursday 2025-01-09, due Friday; decided on Saturday no working day has
    # passed since (in time, as the DfE counts working days), on Monday one has (late by 1).
    event C3-REG C3 2025-01-02 '"child_registered":{"date_of_birth":"2015-01-01","sex":"M","ethnicity":"WBRI","disability":false,"uasc":false}'
    event C3-CT3 C3 2025-01-09 '"contact_received":{"contact_id":"CT3","contact_source":"1B"}'
    event C3-CT3-D C3 2025-01-11 '"contact_decided":{"contact_id":"CT3","outcome":"nfa"}'
    event C3-CT4 C3 2025-01-09 '"contact_received":{"contact_id":"CT4","contact_source":"1B"}'
    event C3-CT4-D C3 2025-01-13 '"contact_decided":{"contact_id":"CT4","outcome":"nfa"}'
    event C1-CT1 C1 2025-03-03 '"contact_received":{"contact_id":"CT1","contact_source":"1B"}'
    event C2-CT2 C2 2025-03-03 '"contact_received":{"contact_id":"CT2","contact_source":"1A"}'
} >"$tmp/events.jsonl"
# --wait: when the push returns, journey-timelinessd has derived the deadlines (no polling).
out=$("$cli" push "$tmp/events.jsonl" --wait --timeout 60 2>"$tmp/push.err") || fail "push: $(cat "$tmp/push.err")"
check "push accepted all" '[ "$out" = "$tmp/events.jsonl: 13 lines, 13 accepted, 0 duplicate, 0 rejected" ]'
check "push --wait: no progress on a pipe" '[ ! -s "$tmp/push.err" ]'
out=$("$cli" deadlines C1 --json) || fail "deadlines C1 --json exited $?"
check "push --wait: the new contact's deadline is there at once" '[[ "$out" == *\"CT1\"* ]]'

# The alerts are published after the deadlines are committed: wait for the due_soon pair.
for _ in $(seq 1 300); do
    [ "$("$cli" alerts --json 2>/dev/null | wc -l)" = 2 ] && break
    sleep 0.1
done

# --- journey deadlines ------------------------------------------------------------------------
out=$("$cli" deadlines C1 --json) || fail "deadlines C1 --json exited $?"
check "deadlines --json: both contacts, oldest first, with the issue's keys" 'python3 -c "
import json, sys
rows = json.loads(sys.argv[1])
assert [r[\"anchor\"] for r in rows] == [\"CT0\", \"CT1\"], rows
old, new = rows
for r in rows:
    assert r[\"clock\"] == \"contact_decision\" and r[\"child_id\"] == \"C1\" and r[\"la_code\"] == \"872\", r
assert (old[\"started\"], old[\"due\"], old[\"state\"], old[\"met\"]) == (\"2025-01-06\", \"2025-01-07\", \"met_on_time\", \"2025-01-07\"), old
assert old[\"backfill\"] is True, old
assert (new[\"started\"], new[\"due\"], new[\"state\"]) == (\"2025-03-03\", \"2025-03-04\", \"open\"), new
assert new[\"backfill\"] is False and new[\"team\"] == \"T1\" and new[\"worker\"] == \"W1\", new
assert \"met\" not in new and new[\"label\"].startswith(\"Contact decision\"), new
" "$out"'

out=$("$cli" deadlines C1) || fail "deadlines C1 exited $?"
check "deadlines: a heading and a table" '[ "$(sed -n 1p <<<"$out")" = "child C1 in LA 872: 2 deadlines" ] &&
    [[ "$(sed -n 2p <<<"$out")" == CLOCK*STARTED*DUE*STATE*OUTCOME*PLANNED ]] &&
    grep -Eq "^contact_decision +2025-01-06 +2025-01-07 +met_on_time +met 2025-01-07 +-$" <<<"$out" &&
    grep -Eq "^contact_decision +2025-03-03 +2025-03-04 +open +- +-$" <<<"$out"'

out=$("$cli" deadlines C3 --json) || fail "deadlines C3 --json exited $?"
check "deadlines: met the Saturday after a Friday due date is met_on_time, the Monday met_late by 1" 'python3 -c "
import json, sys
rows = {r[\"anchor\"]: r for r in json.loads(sys.argv[1])}
ct3, ct4 = rows[\"CT3\"], rows[\"CT4\"]
assert (ct3[\"due\"], ct3[\"met\"], ct3[\"state\"]) == (\"2025-01-10\", \"2025-01-11\", \"met_on_time\"), ct3
assert ct3.get(\"late_working_days\", 0) == 0, ct3
assert (ct4[\"due\"], ct4[\"met\"], ct4[\"state\"], ct4[\"late_working_days\"]) == (\"2025-01-10\", \"2025-01-13\", \"met_late\", 1), ct4
" "$out"'

out=$("$cli" deadlines NOBODY) || fail "deadlines NOBODY exited $?"
check "deadlines of an unknown child: none, exit 0" '[ "$out" = "child NOBODY: no deadlines" ]'
out=$("$cli" deadlines NOBODY --json)
check "deadlines --json of an unknown child: []" '[ "$out" = "[]" ]'
out=$("$cli" deadlines C1 --la 210 --json)
check "deadlines --la: another authority's child" '[ "$out" = "[]" ]'

# --- journey alerts --follow, then the clock moves ----------------------------------------------
"$cli" alerts --follow --json >"$tmp/follow.jsonl" 2>"$tmp/follow.err" &
follow_pid=$!
"$cli" alerts --follow --team T2 --json >"$tmp/follow-t2.jsonl" 2>"$tmp/follow-t2.err" &
follow_t2_pid=$!

out=$("$cli" clock set 2025-03-04 --json) || fail "clock set 2025-03-04 exited $?"
check "clock set --json: both daemons moved to the date asked" 'python3 -c "
import json, sys
rows = {r[\"service\"]: r for r in json.loads(sys.argv[1])}
for name in (\"ingest\", \"timeliness\"):
    assert rows[name][\"result\"] == \"set\" and rows[name][\"today\"] == \"2025-03-04\", rows
for name in (\"escalation\", \"reporting\"):
    assert rows[name][\"result\"] == \"not running\" and rows[name][\"today\"] is None, rows
" "$out"'
"$cli" clock set 2025-03-05 >/dev/null || fail "clock set 2025-03-05 failed"

for _ in $(seq 1 300); do
    [ "$(wc -l <"$tmp/follow.jsonl")" -ge 6 ] && [ "$(wc -l <"$tmp/follow-t2.jsonl")" -ge 3 ] && break
    kill -0 "$follow_pid" 2>/dev/null || fail "alerts --follow exited: $(cat "$tmp/follow.err")"
    sleep 0.1
done
kill -TERM "$follow_pid" "$follow_t2_pid"
rc=0
wait "$follow_pid" || rc=$?
check "alerts --follow ends with 0 on SIGTERM" '[ "$rc" = 0 ]'
follow_pid=
wait "$follow_t2_pid" || true
follow_t2_pid=

check "alerts --follow: six alerts, each once, in feed order, with the issue's keys" 'python3 -c "
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert [r[\"seq\"] for r in rows] == [1, 2, 3, 4, 5, 6], rows
kinds = [r[\"kind\"] for r in rows]
assert kinds == [\"due_soon\"] * 2 + [\"due_today\"] * 2 + [\"overdue\"] * 2, kinds
for r in rows:
    assert r[\"clock\"] == \"contact_decision\" and r[\"due\"] == \"2025-03-04\", r
    assert (r[\"child_id\"], r[\"team\"]) in ((\"C1\", \"T1\"), (\"C2\", \"T2\")), r
for pair in (rows[0:2], rows[2:4], rows[4:6]):
    assert sorted(r[\"child_id\"] for r in pair) == [\"C1\", \"C2\"], pair
" "$tmp/follow.jsonl"'
check "alerts --follow --team T2: only T2, each once" 'python3 -c "
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert [r[\"kind\"] for r in rows] == [\"due_soon\", \"due_today\", \"overdue\"], rows
assert all(r[\"team\"] == \"T2\" and r[\"child_id\"] == \"C2\" for r in rows), rows
assert [r[\"seq\"] for r in rows] == sorted(set(r[\"seq\"] for r in rows)), rows
" "$tmp/follow-t2.jsonl"'

# --- journey alerts (pages) ---------------------------------------------------------------------
out=$("$cli" alerts --json) || fail "alerts --json exited $?"
check "alerts --json: the same six lines as the follower printed" '[ "$out" = "$(cat "$tmp/follow.jsonl")" ]'
out=$("$cli" alerts --since 4 --json)
check "alerts --since 4: seqs 5 and 6" '[ "$(python3 -c "import json,sys; print([json.loads(l)[\"seq\"] for l in sys.stdin])" <<<"$out")" = "[5, 6]" ]'
out=$("$cli" alerts --team T1 --json)
check "alerts --team T1: C1's three" 'python3 -c "
import json, sys
rows = [json.loads(line) for line in sys.argv[1].splitlines()]
assert [r[\"kind\"] for r in rows] == [\"due_soon\", \"due_today\", \"overdue\"], rows
assert all((r[\"team\"], r[\"child_id\"]) == (\"T1\", \"C1\") for r in rows), rows
" "$out"'
out=$("$cli" alerts --child C2 --json)
check "alerts --child C2: three" '[ "$(wc -l <<<"$out")" = 3 ] && ! grep -q "\"C1\"" <<<"$out"'
out=$("$cli" alerts --since 6)
check "alerts after the head: says so" '[ "$out" = "no alerts after 6 (the feed'"'"'s head is 6)" ]'
out=$("$cli" alerts)
check "alerts for a person: one line each" '[ "$(wc -l <<<"$out")" = 6 ] &&
    grep -Eq "^ +5  2025-03-05  overdue +child C[12]  contact_decision  due 2025-03-04" <<<"$out"'

out=$("$cli" deadlines C2 --json)
check "deadlines after the due date: missed" 'python3 -c "
import json, sys
rows = json.loads(sys.argv[1])
assert [(r[\"anchor\"], r[\"state\"]) for r in rows] == [(\"CT2\", \"missed\")], rows
" "$out"'

# --- Errors -------------------------------------------------------------------------------------
set +e
"$cli" alerts --since soon >/dev/null 2>"$tmp/err"; rc=$?
check "alerts --since soon: usage error" '[ "$rc" = 2 ] && grep -q -- "--since must be a whole number from 0, got \"soon\"" "$tmp/err"'
"$cli" alerts --team >/dev/null 2>"$tmp/err"; rc=$?
check "alerts --team without a value: usage error" '[ "$rc" = 2 ]'
"$cli" deadlines >/dev/null 2>"$tmp/err"; rc=$?
check "deadlines without CHILD: usage error" '[ "$rc" = 2 ] && grep -q "CHILD is missing" "$tmp/err"'
JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/nobody.sock JOURNEY_TIMELINESS_REPLY_TIMEOUT_MS=300 \
    "$cli" deadlines C1 >/dev/null 2>"$tmp/err"; rc=$?
check "deadlines, daemon not running: exit 1, said" '[ "$rc" = 1 ] && grep -q "not running: nothing is listening at ipc://$tmp/nobody.sock" "$tmp/err"'
JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/nobody.sock \
    "$cli" push "$tmp/events.jsonl" --wait --timeout 1 >/dev/null 2>"$tmp/err"; rc=$?
check "push --wait, timelinessd not running: exit 1, said" '[ "$rc" = 1 ] && grep -q "push --wait: journey-timelinessd at ipc://$tmp/nobody.sock did not answer in 1 s: not running: nothing is listening" "$tmp/err"'
"$cli" push "$tmp/events.jsonl" --timeout 5 >/dev/null 2>"$tmp/err"; rc=$?
check "push --timeout without --wait: usage error" '[ "$rc" = 2 ]'
set -e

echo "cli_timeliness: $checks checks, 0 failed"
