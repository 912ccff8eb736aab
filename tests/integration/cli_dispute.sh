# journey dispute against a real journey-escalationd on the simulated clock, on a database of
# its own: every verb for a person and with --json, the refusals with their codes and exit 1,
# usage errors with exit 2, the clock moved with `journey clock set` until a dispute climbs,
# verify intact and then naming an altered step.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${JOURNEY_DATABASE_ADMIN_URL:?run under ctest}"
: "${JOURNEY_DATABASE_ESCALATION_URL:?run under ctest}"
services=${JOURNEY_SERVICES_DIR:-$(dirname "$(dirname "$cli")")}
program=$services/escalation/journey-escalationd
[ -x "$program" ] || { echo "$program not built"; exit 77; }

db=journey_cli_dispute_$$
admin () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL" "$@"; }
query () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL dbname=$db" -c "$1"; }
pid=
stop_daemon () {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    pid=
}
on_exit stop_daemon
on_exit "admin -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' >/dev/null 2>&1"

admin -c "CREATE DATABASE $db"
JOURNEY_DATABASE_ADMIN_URL="$JOURNEY_DATABASE_ADMIN_URL dbname=$db" "$cli" migrate >/dev/null
export JOURNEY_ESCALATION_REQUEST=ipc://$tmp/escalation.sock
export JOURNEY_ESCALATION_FEED=ipc://$tmp/disputes.sock
export JOURNEY_TIMELINESS_FEED=ipc://$tmp/alerts.sock
# The other daemons are not running: `journey clock set` finds nobody there.
export JOURNEY_INGEST_REQUEST=ipc://$tmp/none-ingest.sock
export JOURNEY_TIMELINESS_REQUEST=ipc://$tmp/none-timeliness.sock
export JOURNEY_REPORTING_REQUEST=ipc://$tmp/none-reporting.sock
export JOURNEY_LA_CODE=872
JOURNEY_DATABASE_ESCALATION_URL="$JOURNEY_DATABASE_ESCALATION_URL dbname=$db" \
    "$program" --simulated-clock --date 2025-07-01 >"$tmp/escalationd.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$tmp/escalationd.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/escalationd.log"; echo "FAIL: escalationd exited"; exit 1; }
    sleep 0.1
done

# A JSON check on $out: a Python expression over d (the parsed output).
json_is () {
    python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$out" "$1"
}

# --- raise ---------------------------------------------------------------------------------
run dispute raise --child C1 --by iro-1 --role iro --category care-plan \
    --text "The plan says nothing about contact with her brother."
check "raise: exit 0" '[ "$rc" -eq 0 ]'
check "raise: says so" '[[ "$out" == "raised dispute 1"* ]]'
check "raise: stage 1 of 4" '[[ "$out" == *"dispute 1: open at stage 1 of 4 (informal)"* ]]'
check "raise: who must act, by when" \
    '[[ "$out" == *"awaiting team-manager social-worker advanced-practitioner, due 2025-07-08"* ]]'
check "raise: the overall limit" '[[ "$out" == *"overall limit 2025-07-29"* ]]'
check "raise: the step" '[[ "$out" == *"  1  2025-07-01T08:00:00.000Z  raise "*"0->1  iro-1 (iro): The plan says nothing"* ]]'

run --json dispute raise --child C2 --by cp-1 --role cp-chair --category reviews --text "RCPC not booked" --stage 2
check "raise --json --stage 2 (bypass): exit 0" '[ "$rc" -eq 0 ]'
check "raise --json: the fields" 'json_is "d[\"id\"] == 2 and d[\"child_id\"] == \"C2\" and d[\"stage\"] == 2 and d[\"state\"] == \"open\" and d[\"due\"] == \"2025-07-08\" and len(d[\"steps\"]) == 1 and d[\"steps\"][0][\"verb\"] == \"raise\" and len(d[\"steps\"][0][\"hash\"]) == 64"'

run --json dispute raise --child C3 --by iro-1 --role iro --category practice --text "Unsafe contact" --safety
check "raise --safety: straight to the director" 'json_is "d[\"stage\"] == 4 and d[\"safety\"] and d[\"must_act_role\"] == \"director\""'

# --- refusals (exit 1, the code) and usage errors (exit 2) ----------------------------------
expect_error 1 "refused (role_not_allowed): a social-worker may not raise" \
    dispute raise --child C9 --by sw-1 --role social-worker --category care-plan --text x
expect_error 1 "refused (unknown_role): role \"judge\" is not known" \
    dispute respond 1 --by j-1 --role judge
expect_error 1 "refused (unknown_dispute): no dispute 77" dispute respond 77 --by sw-1 --role social-worker
expect_error 1 "refused (role_not_allowed): a iro may not respond" dispute respond 1 --by iro-1 --role iro
expect_error 1 "refused (role_not_allowed)" dispute refer-cafcass 2 --by cp-1 --role cp-chair
expect_error 1 "refused (not_looked_after): child C1 has no open period of care" \
    dispute refer-cafcass 1 --by iro-1 --role iro
expect_error 1 "refused (bad_stage)" dispute escalate 2 --by cp-1 --role cp-chair --stage 1
expect_error 1 "refused (bad_request): category \"gossip\"" \
    dispute raise --child C9 --by iro-1 --role iro --category gossip --text x
run --json dispute escalate 2 --by cp-1 --role cp-chair --stage 9
check "a refusal --json: code and field" 'json_is "d[\"ok\"] is False and d[\"code\"] == \"bad_stage\" and d[\"field\"] == \"stage\""'
check "a refusal --json: exit 1" '[ "$rc" -eq 1 ]'
expect_error 2 "--by is required" dispute respond 1 --role social-worker
expect_error 2 "the dispute ID is missing" dispute respond --by sw-1 --role social-worker
expect_error 2 "\"x1\" is not a dispute ID" dispute show x1
expect_error 2 "dispute respond does not take --stage" dispute respond 1 --by a --role social-worker --stage 2
expect_error 2 "--agreed-action is required" dispute resolve 1 --by iro-1 --role iro
expect_error 2 "--agreed-by-date \"soon\" is not a date" \
    dispute resolve 1 --by iro-1 --role iro --agreed-action x --agreed-by-date soon
expect_error 2 "unknown sub-command \"appeal\"" dispute appeal 1

# --- respond, comment, escalate, resolve, withdraw, refer-cafcass ---------------------------
run dispute respond 1 --by tm-1 --role team-manager --text "Contact plan to follow by Friday."
check "respond: exit 0" '[ "$rc" -eq 0 ] && [[ "$out" == "responded to dispute 1"* ]]'
check "respond: the raiser acts next" '[[ "$out" == *"stage 1 has responded: iro to resolve, escalate or withdraw"* ]]'
run --json dispute comment 1 --by dir-1 --role director --text "Noted."
check "comment --json" 'json_is "len(d[\"steps\"]) == 3 and d[\"steps\"][2][\"verb\"] == \"comment\" and d[\"steps\"][2][\"prev_hash\"] == d[\"steps\"][1][\"hash\"]"'
run --json dispute escalate 1 --by iro-1 --role iro --stage 3 --text "No plan by Friday."
check "escalate --stage 3 (bypass)" 'json_is "d[\"stage\"] == 3 and d[\"answered\"] is False and d[\"must_act_role\"] == \"head-of-service\""'
query "INSERT INTO ingest.care_period (la_code, child_id, period_id, started_on) VALUES ('872', 'C1', 'P1', '2025-01-06')" >/dev/null
run dispute refer-cafcass 1 --by iro-1 --role iro --text "Alongside the ladder."
check "refer-cafcass: exit 0" '[ "$rc" -eq 0 ]'
check "refer-cafcass: says so" '[[ "$out" == "referred dispute 1 to Cafcass"* && "$out" == *"referred to Cafcass on 2025-07-01"* ]]'
run dispute resolve 1 --by iro-1 --role iro --agreed-action "Contact plan agreed at the review" --agreed-by-date 2025-07-18
check "resolve: exit 0" '[ "$rc" -eq 0 ]'
check "resolve: the agreement" '[[ "$out" == *"resolved on 2025-07-01: Contact plan agreed at the review, by 2025-07-18"* ]]'
expect_error 1 "refused (dispute_closed): dispute 1 was resolved on 2025-07-01" \
    dispute comment 1 --by iro-1 --role iro --text "again"
run dispute withdraw 3 --by iro-1 --role iro
check "withdraw: exit 0" '[ "$rc" -eq 0 ]'
check "withdraw: closed" '[[ "$out" == "withdrew dispute 3"* && "$out" == *"withdrawn on 2025-07-01"* ]]'

# --- the clock moves: dispute 2 (stage 2, unanswered) climbs ---------------------------------
run clock set 2025-07-09
check "clock set: escalationd moved" '[[ "$out" == *"escalation: clock set to 2025-07-09"* ]]'
run --json dispute show 2
check "show --json after the deadline: stage 3" 'json_is "d[\"stage\"] == 3 and d[\"stage_entered_on\"] == \"2025-07-09\" and d[\"due\"] == \"2025-07-16\" and d[\"steps\"][-1][\"verb\"] == \"auto-escalate\" and d[\"steps\"][-1][\"role\"] == \"system\""'
run clock set 2025-07-30
run dispute show 2
check "show: past the 20 working days" '[[ "$out" == *"overall limit 2025-07-29 (passed)"* ]]'
check "show: at the top" '[[ "$out" == *"open at stage 4 of 4 (director of children'"'"'s social care)"* ]]'

# --- list ----------------------------------------------------------------------------------
run dispute list
check "list: a header and three disputes" '[ "$(echo "$out" | wc -l)" -eq 4 ]'
check "list: dispute 2 overdue" '[[ "$(echo "$out" | grep "^2 ")" == *"open"*"4/4"*"overdue"*"director" ]]'
run --json dispute list --state closed
check "list --json --state closed" 'json_is "[x[\"id\"] for x in d] == [1, 3] and all(\"due\" in x and \"steps\" in x for x in d)"'
run --json dispute list --child C2
check "list --json --child" 'json_is "len(d) == 1 and d[0][\"child_id\"] == \"C2\" and d[0][\"overdue\"]"'
expect_error 1 "refused (bad_request): state_filter" dispute list --state pending

# --- verify --------------------------------------------------------------------------------
expect "$(printf 'verified 3 disputes, %s steps: every chain is intact' "$(query 'SELECT count(*) FROM escalation.dispute_step')")" dispute verify
run --json dispute verify
check "verify --json intact" 'json_is "d[\"ok\"] and d[\"disputes\"] == 3 and d[\"broken\"] == []"'
query "ALTER TABLE escalation.dispute_step DISABLE TRIGGER dispute_step_append_only" >/dev/null
query "UPDATE escalation.dispute_step SET by_user = 'someone-else' WHERE dispute_id = 1 AND n = 3" >/dev/null
query "ALTER TABLE escalation.dispute_step ENABLE TRIGGER dispute_step_append_only" >/dev/null
run dispute verify
check "verify altered: exit 1" '[ "$rc" -eq 1 ]'
check "verify altered: names the link" '[[ "$out" == *"broken: dispute 1 step 3: hash mismatch"* && "$out" != *"step 4"* ]]'
run --json dispute verify
check "verify --json altered" 'json_is "d[\"ok\"] is False and d[\"broken\"] == [\"dispute 1 step 3: hash mismatch\"]"'

# --- clock set with a running daemon that refuses ------------------------------------------
# A second journey-escalationd on the system clock, in the reporting daemon's place: it refuses
# ClockSet, so the command fails naming it, though the first daemon moved.
second=
stop_second () { [ -z "$second" ] || { kill -TERM "$second" 2>/dev/null; wait "$second" 2>/dev/null || true; }; second=; }
on_exit stop_second
JOURNEY_ESCALATION_REQUEST=$JOURNEY_REPORTING_REQUEST JOURNEY_ESCALATION_FEED=ipc://$tmp/disputes-2.sock \
    JOURNEY_DATABASE_ESCALATION_URL="$JOURNEY_DATABASE_ESCALATION_URL dbname=$db" \
    "$program" >"$tmp/escalationd-2.log" 2>&1 &
second=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$tmp/escalationd-2.log" && break
    kill -0 "$second" 2>/dev/null || { cat "$tmp/escalationd-2.log"; echo "FAIL: escalationd exited"; exit 1; }
    sleep 0.1
done
run clock set 2025-07-31
check "clock set, one refused: exit 1" '[ "$rc" -eq 1 ]'
check "clock set, one refused: the other moved" '[[ "$out" == *"escalation: clock set to 2025-07-31"* ]]'
check "clock set, one refused: names it and its answer" '[[ "$err" == *"not every running daemon moved its clock: reporting: refused: clock is not simulated"* ]]'
check "clock set, one refused: those not running skipped" '[[ "$err" != *"ingest"* && "$err" != *"timeliness"* ]]'
stop_second

# --- no daemon ----------------------------------------------------------------------------
stop_daemon
expect_error 1 "journey-escalationd at ipc://$tmp/escalation.sock: not running" dispute show 1

finish cli_dispute
