#!/usr/bin/env bash
# journey clock set / show with no daemon running, and argument errors. Every daemon's request
# endpoint points at an ipc path in a fresh directory, so nothing else on the machine answers.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL 2>/dev/null || true
for d in ingest timeliness escalation reporting; do
    up=$(echo $d | tr a-z A-Z)
    export JOURNEY_${up}_REQUEST=ipc://$tmp/$d.ipc
done

run clock set 2025-01-06
check "no daemon: exit 1" '[ "$rc" = 1 ]'
check "no daemon: message" '[[ "$err" == *"journey: no daemon running with a simulated clock"* ]]'
for d in ingest timeliness escalation reporting; do
    check "no daemon: $d not running, nothing listening" 'grep -qx "$d: not running: nothing is listening at ipc://$tmp/$d.ipc" <<<"$out"'
done

run clock set 2025-01-06 --json
check "--json after the command: exit 1" '[ "$rc" = 1 ]'
check "--json: one entry per daemon, none set" 'python3 -c "
import json, sys
rows = json.loads(sys.argv[1])
assert [r[\"service\"] for r in rows] == [\"ingest\", \"timeliness\", \"escalation\", \"reporting\"], rows
assert all(r[\"result\"] == \"not running\" and r[\"today\"] is None for r in rows), rows
assert rows[0][\"endpoint\"] == sys.argv[2], rows
" "$out" "ipc://$tmp/ingest.ipc"'

run clock set 2025-13-01
check "bad date: exit 2" '[ "$rc" = 2 ]'
check "bad date: named" '[[ "$err" == *"\"2025-13-01\" is not a date"* ]]'
check "bad date: nothing on stdout" '[ -z "$out" ]'

run clock set 2025-01-06 --time 25:00:00
check "bad time: exit 2" '[ "$rc" = 2 ]'
check "bad time: named" '[[ "$err" == *"\"25:00:00\""* ]]'

run clock set
check "missing date: exit 2" '[ "$rc" = 2 ]'

# The one option parser's rules hold here as in every command (services/cli/cli_options.h).
run clock set --time=25:00:00 2025-01-06
check "--time=VALUE is --time VALUE" '[ "$rc" = 2 ] && [[ "$err" == *"--time \"25:00:00\" is not a time of day"* ]]'
run clock set 2025-01-06 --bogus
check "unknown option: named, with where the help is" '[ "$rc" = 2 ] && [[ "$err" == "journey: clock set: unknown option \"--bogus\" (journey clock --help)" ]]'
run clock set 2025-01-06 --time
check "a value missing: named" '[ "$rc" = 2 ] && [[ "$err" == "journey: clock set: --time needs HH:MM:SS" ]]'
run -c
check "journey's own -c without a FILE: named" '[ "$rc" = 2 ] && [[ "$err" == "journey: --config needs a FILE" ]]'

run clock show
check "show, no daemon: exit 1" '[ "$rc" = 1 ]'
check "show, no daemon: each not running" '[ "$(grep -c ": not running" <<<"$out")" = 4 ]'

run clock frob
check "unknown sub-command: exit 2" '[ "$rc" = 2 ]'

run frob
check "unknown command: exit 2" '[ "$rc" = 2 ]'
check "unknown command: message" '[[ "$err" == "journey: unknown command \"frob\" (journey --help lists them)" ]]'

JOURNEY_LOG_LEVEL=loud run clock show
check "bad log level in the environment: exit 1" '[ "$rc" = 1 ]'
check "bad log level: names the variable and key" '[[ "$err" == *"environment JOURNEY_LOG_LEVEL: log/level: \"loud\" is not one of debug, info, notice, warning, error"* ]]'

finish cli_clock
