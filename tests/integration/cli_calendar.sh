#!/usr/bin/env bash
# journey calendar add / between / holidays against the built-in calendar. Needs no database:
# the admin URL points at a socket directory that does not exist, so the command falls back to
# the built-in bank holidays. Outputs are compared exactly.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
export JOURNEY_DATABASE_ADMIN_URL="host=/nonexistent/journey-no-database dbname=journey"
unset JOURNEY_CONFIG JOURNEY_CALENDAR_CLOSURES 2>/dev/null || true


# --- add --------------------------------------------------------------------------------------
expect "2025-01-15" calendar add 2024-12-20 15          # Christmas and New Year
expect "2024-04-02" calendar add 2024-03-28 1           # Easter
expect "2020-12-29" calendar add 2020-12-24 1           # Boxing Day's substitute, 2020
expect "2020-05-11" calendar add 2020-05-07 1           # VE day, 2020
expect "2022-06-06" calendar add 2022-06-01 1           # Platinum Jubilee
expect "2022-09-20" calendar add 2022-09-16 1           # the state funeral
expect "2023-05-09" calendar add 2023-05-05 1           # the coronation
expect "2024-12-14" calendar add 2024-12-14 0           # Saturday + 0
expect "2024-12-16" calendar add 2024-12-14 1           # Saturday + 1
expect "2024-05-28" calendar add 2024-03-20 45
expect "2024-12-20" calendar add 2025-01-15 -15         # backwards
expect "2030-12-25" calendar add 2030-12-24 1           # no bank holidays known for 2030
expect '{"from": "2024-12-20", "working_days": 15, "due": "2025-01-15"}' \
    calendar add 2024-12-20 15 --json
expect '{"from": "2025-01-15", "working_days": -15, "due": "2024-12-20"}' \
    calendar add --json 2025-01-15 -15

# --- between ----------------------------------------------------------------------------------
expect "15" calendar between 2024-12-20 2025-01-15
expect "-15" calendar between 2025-01-15 2024-12-20
expect "0" calendar between 2024-12-20 2024-12-20
expect "1" calendar between 2024-12-24 2024-12-27
expect "45" calendar between 2024-03-20 2024-05-28
expect '{"from": "2024-12-20", "to": "2025-01-15", "working_days": 15}' \
    calendar between 2024-12-20 2025-01-15 --json

# --- holidays ---------------------------------------------------------------------------------
expect "2024-12-25  bank holiday  Christmas Day
2024-12-26  bank holiday  Boxing Day
2025-01-01  bank holiday  New Year's Day" calendar holidays 2024-12-01 2025-01-31
expect "2022-06-02  bank holiday  Spring bank holiday (moved for the Platinum Jubilee)
2022-06-03  bank holiday  Platinum Jubilee bank holiday" calendar holidays 2022-06-01 2022-06-30
expect "2022-09-19  bank holiday  Bank Holiday for the State Funeral of Queen Elizabeth II" \
    calendar holidays 2022-09-19 2022-09-19
expect "" calendar holidays 2024-12-27 2024-12-31
expect '[{"date": "2024-12-25", "kind": "bank_holiday", "title": "Christmas Day"}, {"date": "2024-12-26", "kind": "bank_holiday", "title": "Boxing Day"}]' \
    calendar holidays 2024-12-25 2024-12-31 --json
expect '[]' calendar holidays 2030-12-25 2030-12-26 --json

# --- bad input: exit 2, naming the argument ---------------------------------------------------
expect_error 2 'calendar add: N must be a whole number, got "x"' calendar add 2024-12-20 x
expect_error 2 'calendar add: N must be a whole number, got "1.5"' calendar add 2024-12-20 1.5
expect_error 2 'calendar add: N must be a whole number, got " 5"' calendar add 2024-12-20 " 5"
expect_error 2 'calendar add: DATE' calendar add 2024-13-01 5
expect_error 2 '2024-13-01' calendar add 2024-13-01 5
expect_error 2 'calendar between: B' calendar between 2024-12-20 2024-12-20x
expect_error 2 'calendar holidays: FROM' calendar holidays 2024-1-01 2024-12-31
expect_error 2 'calendar add: DATE 1980-01-01 is outside the supported range 1990-01-01..2100-12-31' \
    calendar add 1980-01-01 5
expect_error 2 'is outside the supported range 1990-01-01..2100-12-31' calendar add 2100-12-31 1
expect_error 2 'calendar between: B 2150-01-01 is outside the supported range' \
    calendar between 2024-01-01 2150-01-01
expect_error 2 'calendar holidays: TO 2024-01-01 is before FROM 2024-12-31' \
    calendar holidays 2024-12-31 2024-01-01
expect_error 2 'usage: journey calendar add DATE N' calendar add 2024-12-20
expect_error 2 'usage: journey calendar between A B' calendar between 2024-12-20
expect_error 2 'usage: journey calendar holidays FROM TO' calendar holidays
expect_error 2 'usage: journey calendar import FILE' calendar import
expect_error 2 'calendar add: unexpected argument "3"' calendar add 2024-12-20 15 3
expect_error 2 'unknown option "--frobnicate"' calendar add 2024-12-20 15 --frobnicate
expect_error 2 'calendar: unknown sub-command "frobnicate"' calendar frobnicate
expect_error 2 'journey calendar between A B' calendar

checks=$((checks + 1))
run calendar --help
if [ "$rc" -ne 0 ] || [[ "$out" != *"journey calendar add DATE N"* ]] \
    || [[ "$out" != *"journey calendar import FILE"* ]]; then
    fail "journey calendar --help: exit $rc, output: $out"
fi

finish cli_calendar
