#!/usr/bin/env bash
# journey calendar import against the test database: a gov.uk-format file with a made-up 2028
# day is stored, `calendar add` then skips that day, a second import adds nothing, and a bad
# file is refused by name with the table unchanged.
set -euo pipefail

url=${JOURNEY_DATABASE_ADMIN_URL:-}
if [ -z "$url" ]; then
    echo "JOURNEY_DATABASE_ADMIN_URL not set: run under ctest" >&2
    exit 77
fi
unset JOURNEY_CONFIG 2>/dev/null || true
source "$(dirname "$0")/lib.sh"
sql () { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
# The days this test stores (one with a title full of quoting hazards); removed before and after so that a rerun starts clean.
cleanup_rows () {
    sql "DELETE FROM journey.calendar_day
         WHERE day IN ('2028-03-15', '2028-04-14', '2028-06-07', '2028-01-04')" >/dev/null
}
on_exit cleanup_rows
cleanup_rows

expect_sql () {
    checks=$((checks + 1))
    local got
    got=$(sql "$2")
    [ "$got" = "$1" ] || fail "$2: got $got, expected $1"
}

good=$tmp/bank-holidays-2028.json
cat >"$good" <<'JSON'
{"england-and-wales": {"division": "england-and-wales", "events": [
  {"title": "Journey \"test\", day \\ {1}", "date": "2028-03-15", "notes": "", "bunting": false},
  {"title": "Good Friday", "date": "2028-04-14", "notes": "", "bunting": false}]},
 "scotland": {"division": "scotland", "events": [
  {"title": "2nd January", "date": "2028-01-04", "notes": "", "bunting": true}]},
 "northern-ireland": {"division": "northern-ireland", "events": []}}
JSON

# Before: Wednesday 15 March 2028 is a working day.
expect "2028-03-15" calendar add 2028-03-14 1

expect "imported 2 new days (0 already known) from $good" calendar import "$good"
expect_sql "2" "SELECT count(*) FROM journey.calendar_day
                WHERE division = 'england-and-wales' AND source = '$good'"
expect_sql "Journey \"test\", day \\ {1}|$good" "SELECT title, source FROM journey.calendar_day
                                     WHERE division = 'england-and-wales' AND day = '2028-03-15'"

# After: the command's calendar loads the stored days and skips them.
expect "2028-03-16" calendar add 2028-03-14 1
expect "2028-04-17" calendar add 2028-04-13 1
expect "1" calendar between 2028-03-14 2028-03-16
expect "2028-03-15  bank holiday  Journey \"test\", day \\ {1}
2028-04-14  bank holiday  Good Friday" calendar holidays 2028-03-01 2028-04-30

# Again: nothing new.
expect "imported 0 new days (2 already known) from $good" calendar import "$good"
expect "{\"file\": \"$good\", \"division\": \"england-and-wales\", \"new\": 0, \"known\": 2}" \
    calendar import "$good" --json

# Another division, from standard input.
expect "imported 1 new days (0 already known) from -" \
    calendar import - --division scotland <"$good"
expect_sql "stdin" "SELECT source FROM journey.calendar_day
                    WHERE division = 'scotland' AND day = '2028-01-04'"
expect "2028-01-04" calendar add 2028-01-03 1 # Scotland's days do not count

# A bad file: refused by name, nothing stored.
before=$(sql "SELECT count(*) FROM journey.calendar_day")
bad=$tmp/bad.json
cat >"$bad" <<'JSON'
{"england-and-wales": {"division": "england-and-wales", "events": [
  {"title": "Would be new", "date": "2028-06-07", "notes": "", "bunting": false},
  {"title": "No such day", "date": "2028-02-30", "notes": "", "bunting": false}]}}
JSON
expect_error 1 "calendar import: $bad: england-and-wales.events[1].date: \"2028-02-30\" is not a real date (YYYY-MM-DD)" \
    calendar import "$bad"
echo '{"england-and-wales": {"events": [' >"$tmp/truncated.json"
expect_error 1 "calendar import: $tmp/truncated.json: not JSON: " calendar import "$tmp/truncated.json"
echo '{"scotland": {"events": []}}' >"$tmp/nodivision.json"
expect_error 1 'no "england-and-wales" division' calendar import "$tmp/nodivision.json"
expect_error 1 "cannot open $tmp/missing.json" calendar import "$tmp/missing.json"
expect_sql "$before" "SELECT count(*) FROM journey.calendar_day"
expect_sql "0" "SELECT count(*) FROM journey.calendar_day WHERE day = '2028-06-07'"
expect "2028-06-07" calendar add 2028-06-06 1

finish cli_calendar_import
