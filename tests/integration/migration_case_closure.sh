#!/usr/bin/env bash
# Migration 008 fills ingest.case_closure from the events already stored, with SQL alone; from
# then on journey-ingestd writes it. The two must agree. Events with every case the SQL has to
# get right go through a real journey-ingestd: a closure the case was reopened after, a closure
# corrected (a case_closed event superseding it), a closure retracted, and a closure beside the
# retraction of an event whose id starts with the closure's. The migration's SELECT, read from
# the migration file, must give exactly the rows journey-ingestd wrote.
set -euo pipefail

source "$(dirname "$0")/ingestd.sh"
cli=$JOURNEY_CLI
tmp=$ingestd_dir
fail () { ingestd_fail "migration_case_closure: $*"; }
ingestd_start closure 2025-06-30

event () { # ID CHILD DATE PAYLOAD [SUPERSEDES]
    local supersedes=${5:+\"supersedes\":\"$5\",}
    printf '{"event_id":"%s","la_code":"872","child_id":"%s","occurred_on":"%s","recorded_at":"%sT09:00:00Z","source":"test",%s%s}\n' \
        "$1" "$2" "$3" "$3" "$supersedes" "$4"
}
registered='"child_registered":{"date_of_birth":"2015-06-01","sex":"F","ethnicity":"WBRI","disability":false,"uasc":false}'
{
    for child in K1 K2 K3 K4; do event "R-$child" "$child" 2025-01-02 "$registered"; done
    # K1: closed, then reopened by a contact.
    event C1 K1 2025-02-03 '"case_closed":{"reason":"RC1"}'
    event CT1 K1 2025-03-03 '"contact_received":{"contact_id":"CT1"}'
    # K2: a closure corrected to another day.
    event C2 K2 2025-02-03 '"case_closed":{"reason":"RC1"}'
    event C2-fix K2 2025-02-04 '"case_closed":{"reason":"RC2"}' C2
    # K3: a closure retracted.
    event C3 K3 2025-02-03 '"case_closed":{"reason":"RC1"}'
    event X3 K3 2025-02-05 '"retraction":{"retracts":"C3","reason":"wrong child"}'
    # K4: a closure C4 stays; the retraction names C4X, an id that starts with C4.
    event C4X K4 2025-02-01 '"contact_received":{"contact_id":"CT4"}'
    event C4 K4 2025-02-03 '"case_closed":{"reason":"RC1"}'
    event X4 K4 2025-02-05 '"retraction":{"retracts":"C4X","reason":"duplicate"}'
} >"$tmp/events.jsonl"

rc=0
out=$("$cli" push "$tmp/events.jsonl" 2>"$tmp/push.err") || rc=$?
[ "$rc" = 0 ] || fail "push exited $rc: $out $(head -5 "$tmp/push.err")"

written=$(ingestd_query "SELECT string_agg (child_id || ' ' || event_id || ' ' || closed_on, ', '
                           ORDER BY child_id, event_id) FROM ingest.case_closure")
expected="K1 C1 2025-02-03, K2 C2-fix 2025-02-04, K4 C4 2025-02-03"
[ "$written" = "$expected" ] || fail "journey-ingestd wrote: $written (expected: $expected)"
[ "$(ingestd_query "SELECT count(*) FROM ingest.child WHERE closed_on IS NULL AND child_id = 'K1'")" = 1 ] ||
    fail "K1's case is not open again"

# The migration's SELECT, as the file has it.
select=$(sed -n '/^INSERT INTO ingest.case_closure/,/;$/p' \
    "$JOURNEY_SOURCE_DIR/deploy/migrations/008_case_closure.sql" | sed '1d')
[ -n "$select" ] || fail "no INSERT INTO ingest.case_closure in migration 008"
seeded=$(ingestd_query "SELECT string_agg (child_id || ' ' || event_id || ' ' || closed_on, ', '
                          ORDER BY child_id, event_id) FROM (${select%;}) s (la_code, child_id, event_id, closed_on)")
[ "$seeded" = "$expected" ] || fail "the migration's SELECT gives: $seeded (expected: $expected)"
echo "migration_case_closure: journey-ingestd and migration 008 agree: $written"
