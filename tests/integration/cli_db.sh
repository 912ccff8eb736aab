#!/usr/bin/env bash
# `journey migrate` and `journey status` against the fixture database (already migrated by the
# fixture), and migrate's failure when the database is not there.
set -euo pipefail

: "${JOURNEY_CLI:?run under ctest}"
: "${JOURNEY_DATABASE_ADMIN_URL:?run under ctest}"
: "${JOURNEY_DEPLOY_DIR:?run under ctest}"

failures=0
checks=0
fail () { echo "cli_db.sh: FAILED: $*" >&2; failures=$((failures + 1)); }
check () { checks=$((checks + 1)); }

# Daemon endpoints of our own, so that daemons another test runs meanwhile cannot answer.
for service in ingest timeliness escalation reporting; do
    export "JOURNEY_${service^^}_REQUEST=ipc:///tmp/jy-cli-db-$$-$service.sock"
done

total=$(find "$JOURNEY_DEPLOY_DIR/migrations" -maxdepth 1 -name '[0-9][0-9][0-9]_*.sql' | wc -l)

# migrate again: nothing to do, and it says so.
check
out=$("$JOURNEY_CLI" migrate) || fail "migrate exited $?"
[[ "$out" == "database is up to date ($total of $total migrations applied)" ]] \
    || fail "migrate said: $out"

# --json: {"applied": 0, "total": N}
check
out=$("$JOURNEY_CLI" migrate --json) || fail "migrate --json exited $?"
python3 - "$out" "$total" <<'EOF' || fail "migrate --json printed: $out"
import json, sys
doc = json.loads(sys.argv[1])
assert doc == {"applied": 0, "total": int(sys.argv[2])}, doc
EOF

# status --json: database ok, fully migrated, no daemon running yet.
check
rc=0
out=$("$JOURNEY_CLI" --json status) || rc=$?
[[ $rc -eq 0 ]] || fail "status exited $rc"
python3 - "$out" "$total" <<'EOF' || fail "status --json printed: $out"
import json, sys
doc = json.loads(sys.argv[1])
db = doc["database"]
assert db["ok"] is True, db
assert db["migrations_applied"] == db["migrations_available"] == int(sys.argv[2]), db
assert len(doc["daemons"]) >= 1, doc
for daemon in doc["daemons"]:
    assert daemon["running"] is False, daemon
    assert daemon["service"] and daemon["endpoint"], daemon
EOF

# The human form says the same.
check
out=$("$JOURNEY_CLI" status) || fail "status exited $?"
grep -q "reachable; migrations $total of $total applied" <<<"$out" || fail "status said: $out"

# No database: migrate gives up after the configured wait, exit 1, naming the problem.
check
nowhere="/tmp/jy-cli-db-nosuch-$$"
rc=0
err=$(JOURNEY_DATABASE_ADMIN_URL="host=$nowhere dbname=journey" JOURNEY_DATABASE_CONNECT_WAIT_MS=200 \
    "$JOURNEY_CLI" migrate 2>&1 >/dev/null) || rc=$?
[[ $rc -eq 1 ]] || fail "migrate without a database exited $rc"
grep -q "cannot connect with database/admin_url" <<<"$err" || fail "migrate said: $err"
grep -q "$nowhere" <<<"$err" || fail "migrate did not name the socket: $err"

# status without a database: exit 1, database not ok.
check
rc=0
out=$(JOURNEY_DATABASE_ADMIN_URL="host=$nowhere dbname=journey" "$JOURNEY_CLI" --json status) \
    || rc=$?
[[ $rc -eq 1 ]] || fail "status without a database exited $rc"
python3 - "$out" <<'EOF' || fail "status --json without a database printed: $out"
import json, sys
db = json.loads(sys.argv[1])["database"]
assert db["ok"] is False and "error" in db, db
EOF

echo "cli_db.sh: $checks checks, $failures failed"
[[ $failures -eq 0 ]]
