#!/usr/bin/env bash
# integration.backup_restore: the upgrade, backup and restore of docs/operations.md, with the
# commands written there, around real daemons on a simulated clock.
#
#   1. Upgrade: a database of the previous release (every migration but the last, as the admin
#      role journey_admin, which owns the database and may create roles) is reported behind by
#      `journey status`; `journey migrate` applies the one missing, and again does nothing.
#   2. The four daemons take a generated authority (a few hundred events and one rejected event),
#      and the clock moves so that alerts are raised. Backup, with the daemons running: pg_dump
#      of the database in custom format and the journey_* roles from pg_dumpall --roles-only.
#   3. The source goes on: the rejected event corrected, the rest of the history, the clock moved
#      twice. Its daemons stop cleanly on SIGTERM.
#   4. Restore into a fresh PostgreSQL cluster of its own: the roles, createdb, pg_restore. Every
#      table equals the source at the backup; `journey migrate` has nothing to do.
#   5. The daemons on the restored database resume from the stored positions (their Status says
#      so, and starting changes no table), then get what the source got in step 3 (the events
#      already pushed come back as duplicates): every table ends as the source's did, and no
#      alert is raised twice.
#   6. The restored cluster restarts under the running daemons: they reconnect, report healthy
#      again, and take one more event through to the alert feed's consumer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${JOURNEY_TEST_DB_URL:?run under ctest}"
: "${JOURNEY_SOURCE_DIR:?run under ctest}"
top=$JOURNEY_SOURCE_DIR
services=$(dirname "$(dirname "$cli")")
daemons=(ingest timeliness escalation reporting)
for d in "${daemons[@]}"; do
    [ -x "$services/$d/journey-${d}d" ] || { echo "journey-${d}d not built"; exit 77; }
done
for tool in pg_dump pg_dumpall pg_restore createdb psql; do
    command -v "$tool" >/dev/null || { echo "$tool not installed"; exit 77; }
done
unset JOURNEY_CONFIG JOURNEY_LOG_LEVEL
export JOURNEY_LA_CODE=872 JOURNEY_REPORTING_OUT_DIR=$tmp/out

# The source is the fixture's cluster; the restore goes to a cluster of this test's own.
fixture_host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$JOURNEY_TEST_DB_URL")
fixture_port=$(sed -n 's/.*port=\([^ ]*\).*/\1/p' <<<"$JOURNEY_TEST_DB_URL")
src_db=journey_backup_$$
# deploy/pg for the restore cluster; pg2_database=postgres starts it without making `journey`.
pg2 () { JOURNEY_PG_DIR=$tmp/pg2 JOURNEY_PG_DATABASE=${pg2_database:-journey} "$top/deploy/pg" "$@"; }
# A command of the operations guide, run as the cluster's superuser (`sudo -u postgres` there).
on_source () { PGHOST=$fixture_host PGPORT=$fixture_port PGUSER=postgres "$@"; }
on_restored () { PGHOST=$(pg2 home)/run PGPORT=5432 PGUSER=postgres "$@"; }
source_url () { echo "$JOURNEY_TEST_DB_URL dbname=$src_db user=$1"; }
restored_url () { pg2 url "$1"; }

pids=()
cleanup () {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    local home
    home=$(pg2 home 2>/dev/null || true)
    if [ -n "$home" ] && [ -d "$home" ]; then
        pg2 stop >/dev/null 2>&1 || true
        rm -rf "$home"
    fi
    on_source psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src_db WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS journey_admin" >/dev/null 2>&1 || true
}
on_exit cleanup

die () {
    fail "$*"
    local log
    for log in "$tmp"/*.log; do echo "--- $log (tail)" >&2; tail -8 "$log" >&2; done
    finish backup_restore || true
    exit 1
}

# --- Daemons -----------------------------------------------------------------------------------
# Endpoints of a set of daemons (source or restored) in $tmp, so that nothing else answers.
use_endpoints () {
    local d up
    for d in "${daemons[@]}"; do
        up=${d^^}
        export "JOURNEY_${up}_REQUEST=ipc://$tmp/$1-$d.sock" "JOURNEY_${up}_FEED=ipc://$tmp/$1-$d-feed.sock"
    done
    export JOURNEY_TIMELINESS_EVENTS=$JOURNEY_INGEST_FEED JOURNEY_ESCALATION_ALERTS=$JOURNEY_TIMELINESS_FEED
}

start_daemons () { # NAME DATE URL-FUNCTION
    local name=$1 date=$2 url=$3 d log
    use_endpoints "$name"
    pids=()
    for d in "${daemons[@]}"; do
        env "JOURNEY_DATABASE_${d^^}_URL=$($url "journey_$d")" "$services/$d/journey-${d}d" \
            --simulated-clock --date "$date" >"$tmp/$name-$d.log" 2>&1 &
        pids+=($!)
    done
    for d in "${daemons[@]}"; do
        log=$tmp/$name-$d.log
        for _ in $(seq 1 300); do
            grep -qs "listening on" "$log" && break
            sleep 0.1
        done
        grep -q "listening on" "$log" || die "journey-${d}d ($name) did not start"
    done
}

# SIGTERM, as systemd stops them: each drains and exits 0.
stop_daemons () { # NAME
    local i rc
    for i in "${!pids[@]}"; do kill -TERM "${pids[$i]}"; done
    for i in "${!pids[@]}"; do
        rc=0
        wait "${pids[$i]}" || rc=$?
        check "journey-${daemons[$i]}d ($1) exits 0 on SIGTERM" "[ $rc = 0 ]"
        check "journey-${daemons[$i]}d ($1) logs stopped" "grep -q 'info: stopped' '$tmp/$1-${daemons[$i]}.log'"
    done
    pids=()
}

# Until every daemon is healthy on DATE and each consumer has everything its feed holds, with its
# position stored: escalationd stores a position that moved without effects within a second.
settle () { # DATE
    local status stored
    for _ in $(seq 1 150); do
        status=$("$cli" --json status 2>/dev/null || true)
        stored=$(value "$JOURNEY_DATABASE_ADMIN_URL" "SELECT h.head = coalesce(p.position, 0)
            FROM timeliness.feed_head h LEFT JOIN escalation.feed_position p ON p.feed = h.feed
           WHERE h.feed = 'alerts'" 2>/dev/null || true)
        [ "$stored" = t ] && python3 - "$1" "$status" <<'PY' 2>/dev/null && return 0
import json, sys
today, status = sys.argv[1], json.loads(sys.argv[2])
daemons = {d["service"]: d for d in status["daemons"]}
assert all(d["running"] and d["healthy"] and d["today"] == today for d in daemons.values())
feeds = {(s, f["feed"], f["role"]): f for s, d in daemons.items() for f in d["feeds"]}
assert feeds["timeliness", "events", "subscriber"]["position"] == feeds["ingest", "events", "publisher"]["head"]
assert feeds["escalation", "alerts", "subscriber"]["position"] == feeds["timeliness", "alerts", "publisher"]["position"]
PY
        sleep 0.2
    done
    die "the daemons did not settle on $1: $status"
}

clock () { "$cli" clock set "$1" >/dev/null || die "clock set $1"; settle "$1"; }

push () { # FILE EXPECTED-SUMMARY (after "FILE: ")
    local expected=$2 summary
    run push "$1"
    summary=${out#*: }
    check "push $(basename "$1"): $expected" '[ "$summary" = "$expected" ]'
}

# --- Table contents ----------------------------------------------------------------------------
# Every table of the five schemas: name|rows|md5 of its rows in order. WALL_CLOCK=skip leaves out
# the timestamptz columns, which say when a row was written, for comparing two runs.
contents () { # ADMIN-URL [skip]
    psql -X -q -At -v ON_ERROR_STOP=1 -v skip="${2:-none}" "$1" <<'SQL'
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), %L))'
              ' FROM (SELECT ROW(%s)::text AS r FROM %I.%I) t',
              c.table_schema || '.' || c.table_name, '',
              string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position),
              c.table_schema, c.table_name)
  FROM information_schema.columns c
  JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name
 WHERE c.table_schema IN ('ingest', 'timeliness', 'escalation', 'reporting', 'journey')
   AND NOT (:'skip' = 'skip' AND c.data_type = 'timestamp with time zone')
 GROUP BY c.table_schema, c.table_name
 ORDER BY c.table_schema, c.table_name
\gexec
SQL
}

same_contents () { # WHAT FILE-A FILE-B
    checks=$((checks + 1))
    if ! diff "$2" "$3" >"$tmp/diff"; then
        fail "$1:"$'\n'"$(cat "$tmp/diff")"
    fi
}

value () { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }

# --- The authority -----------------------------------------------------------------------------
"$cli" generate --la 872 --children 60 --years 1 --seed 11 --end 2025-03-31 --out "$tmp/all.jsonl" \
    2>/dev/null
# Up to the backup: what was recorded by 2025-03-10; after it, the rest.
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
with open(f"{tmp}/all.jsonl") as lines, open(f"{tmp}/before.jsonl", "w") as before, \
        open(f"{tmp}/after.jsonl", "w") as after:
    for line in lines:
        (before if json.loads(line)["recorded_at"] < "2025-03-11" else after).write(line)
PY
before=$(wc -l <"$tmp/before.jsonl")
after=$(wc -l <"$tmp/after.jsonl")
check "a few hundred events, most before the backup" "[ $before -ge 200 ] && [ $after -ge 20 ]"
event () { # ID CHILD DATE-OF-BIRTH RECORDED-ON
    echo "{\"event_id\":\"$1\",\"la_code\":\"872\",\"child_id\":\"$2\",\"occurred_on\":\"$4\",\"recorded_at\":\"$4T10:00:00Z\",\"source\":\"cms\",\"child_registered\":{\"date_of_birth\":\"$3\",\"sex\":\"F\",\"ethnicity\":\"WBRI\",\"disability\":false,\"uasc\":false}}"
}
event 872-BR-1 872-C-BR1 2016-02-30 2025-03-10 >"$tmp/rejected.jsonl"
event 872-BR-1 872-C-BR1 2016-02-28 2025-03-10 >"$tmp/corrected.jsonl"
event 872-BR-2 872-C-BR2 2019-06-01 2025-04-14 >"$tmp/last.jsonl"

# --- 1. Upgrade from the previous release ------------------------------------------------------
on_source psql -X -q -d postgres -v ON_ERROR_STOP=1 <<SQL
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'journey_admin') THEN
        CREATE ROLE journey_admin LOGIN CREATEROLE;
    END IF;
END \$\$;
CREATE DATABASE $src_db OWNER journey_admin;
SQL
export JOURNEY_DATABASE_ADMIN_URL
JOURNEY_DATABASE_ADMIN_URL=$(source_url journey_admin)
mkdir "$tmp/previous-release"
all_migrations=$(find "$JOURNEY_DEPLOY_DIR/migrations" -maxdepth 1 -name '[0-9][0-9][0-9]_*.sql' | sort)
total=$(wc -l <<<"$all_migrations")
cp $(head -n -1 <<<"$all_migrations") "$tmp/previous-release/"
use_endpoints source
export JOURNEY_DATABASE_MIGRATIONS_DIR=$tmp/previous-release
expect "applied $((total - 1)) migrations; $((total - 1)) of $((total - 1)) applied" migrate
unset JOURNEY_DATABASE_MIGRATIONS_DIR
run status # the new release's migrations, and no daemon running yet
check "status: the database is a migration behind the release installed" \
    "grep -q 'reachable; migrations $((total - 1)) of $total applied' <<<\"\$out\""
expect "applied 1 migration; $total of $total applied" migrate
expect "database is up to date ($total of $total migrations applied)" migrate

# --- 2. A running deployment, and its backup ---------------------------------------------------
start_daemons source 2025-03-10 source_url
push "$tmp/before.jsonl" "$before lines, $before accepted, 0 duplicate, 0 rejected"
push "$tmp/rejected.jsonl" "1 lines, 0 accepted, 0 duplicate, 1 rejected"
settle 2025-03-10
clock 2025-03-17
alerts_at_backup=$(value "$JOURNEY_DATABASE_ADMIN_URL" "SELECT count(*) FROM timeliness.alert_feed")
check "alerts were raised before the backup" "[ $alerts_at_backup -gt 0 ]"

contents "$JOURNEY_DATABASE_ADMIN_URL" >"$tmp/source-at-backup"
on_source pg_dump --format=custom "$src_db" >"$tmp/journey.dump" || die "pg_dump failed"
on_source pg_dumpall --roles-only | grep -E '^(CREATE|ALTER) ROLE journey_' >"$tmp/journey-roles.sql" \
    || die "pg_dumpall --roles-only failed"
contents "$JOURNEY_DATABASE_ADMIN_URL" >"$tmp/source-after-dump"
same_contents "the daemons were idle while pg_dump ran" "$tmp/source-at-backup" "$tmp/source-after-dump"
check "the roles script has the admin role and reporting's read-only setting" \
    "grep -q '^CREATE ROLE journey_admin;' '$tmp/journey-roles.sql' &&
     grep -q \"^ALTER ROLE journey_reporting SET default_transaction_read_only TO 'on';\" '$tmp/journey-roles.sql'"

# --- 3. The source goes on ---------------------------------------------------------------------
# What the case management system sends after the backup, and the days that pass: the same for
# the restored database in step 5.
go_on () { # NAME
    push "$tmp/before.jsonl" "$before lines, 0 accepted, $before duplicate, 0 rejected"
    push "$tmp/corrected.jsonl" "1 lines, 1 accepted, 0 duplicate, 0 rejected"
    clock 2025-04-07
    push "$tmp/after.jsonl" "$after lines, $after accepted, 0 duplicate, 0 rejected"
    clock 2025-04-14
}
go_on source
contents "$JOURNEY_DATABASE_ADMIN_URL" skip >"$tmp/source-at-end"
stop_daemons source

# --- 4. Restore into a fresh cluster -----------------------------------------------------------
pg2_database=postgres pg2 start >/dev/null || die "the restore cluster did not start"
on_restored psql -X -q -v ON_ERROR_STOP=1 <"$tmp/journey-roles.sql" || die "the roles script failed"
on_restored createdb --owner=journey_admin journey || die "createdb failed"
on_restored pg_restore --exit-on-error --dbname=journey <"$tmp/journey.dump" || die "pg_restore failed"
JOURNEY_DATABASE_ADMIN_URL=$(restored_url journey_admin)
contents "$JOURNEY_DATABASE_ADMIN_URL" >"$tmp/restored"
same_contents "every table restored as it was at the backup" "$tmp/source-at-backup" "$tmp/restored"
check "journey_reporting is read-only in the restored cluster" \
    "[ \"\$(value \"\$(restored_url journey_reporting)\" 'SHOW default_transaction_read_only')\" = on ]"
expect "database is up to date ($total of $total migrations applied)" migrate

# --- 5. The daemons resume on the restored database --------------------------------------------
events_at_backup=$(value "$JOURNEY_DATABASE_ADMIN_URL" "SELECT max(seq) FROM ingest.event")
start_daemons restored 2025-03-17 restored_url
settle 2025-03-17
run --json status
check "timelinessd resumed at the backup's event position, escalationd at its alert position" "python3 - \"\$out\" $events_at_backup $alerts_at_backup <<'PY'
import json, sys
status, events, alerts = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
feeds = {(d['service'], f['feed']): f for d in status['daemons'] for f in d['feeds']}
assert feeds['timeliness', 'events']['position'] == events, feeds
assert feeds['escalation', 'alerts']['position'] == alerts, feeds
PY"
contents "$JOURNEY_DATABASE_ADMIN_URL" >"$tmp/restored-started"
same_contents "starting on the restored database changed nothing" "$tmp/restored" "$tmp/restored-started"

go_on restored
contents "$JOURNEY_DATABASE_ADMIN_URL" skip >"$tmp/restored-at-end"
same_contents "the restored deployment ends as the source did" "$tmp/source-at-end" "$tmp/restored-at-end"
check "alerts were raised after the restore, and none twice" "[ \"\$(value \"\$JOURNEY_DATABASE_ADMIN_URL\" \
    'SELECT count(*) > $alerts_at_backup AND count(*) = count(DISTINCT (deadline_id, kind))
       FROM timeliness.alert_feed WHERE deadline_id IS NOT NULL')\" = t ]"

# --- 6. PostgreSQL restarts under the daemons --------------------------------------------------
pg2 stop >/dev/null
pg2 start >/dev/null || die "the restore cluster did not start again"
settle 2025-04-14 # escalationd's Status reads the database: healthy again means reconnected
push "$tmp/last.jsonl" "1 lines, 1 accepted, 0 duplicate, 0 rejected"
settle 2025-04-14
check "the event pushed after the restart reached timelinessd" "[ \"\$(value \"\$JOURNEY_DATABASE_ADMIN_URL\" \
    \"SELECT position FROM timeliness.feed_position WHERE feed = 'events'\")\" = \
    \"\$(value \"\$JOURNEY_DATABASE_ADMIN_URL\" 'SELECT max(seq) FROM ingest.event')\" ]"
stop_daemons restored

finish backup_restore
