# Shared by scripts that need a running journey-ingestd on a database of their own:
#   source "$JOURNEY_SOURCE_DIR/tests/integration/ingestd.sh"
#   ingestd_start NAME DATE      database journey_NAME_<pid>, migrated; the daemon on a simulated
#                                clock at DATE, endpoints in $ingestd_dir; waits until it listens
#   ingestd_query SQL            a value from that database
#   ingestd_fail TEXT            say it (with the daemon's log tail) and exit 1
#   daemon_listening PID LOG NAME   wait until a daemon started in the background listens
# The daemon is stopped and the database dropped on exit. Needs JOURNEY_CLI and the ctest
# fixture's JOURNEY_DATABASE_ADMIN_URL and JOURNEY_DATABASE_INGEST_URL.

: "${JOURNEY_CLI:?run under ctest}"
: "${JOURNEY_DATABASE_ADMIN_URL:?run under ctest}"
: "${JOURNEY_DATABASE_INGEST_URL:?run under ctest}"
# The daemons are built beside the CLI (build/services/cli/journey).
ingestd_services=${JOURNEY_SERVICES_DIR:-$(dirname "$(dirname "$JOURNEY_CLI")")}
ingestd_program=$ingestd_services/ingest/journey-ingestd
ingestd_dir=$(mktemp -d)
ingestd_pid=
ingestd_db=

ingestd_admin () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL" "$@"; }
ingestd_query () { psql -X -q -v ON_ERROR_STOP=1 -tA "$JOURNEY_DATABASE_ADMIN_URL dbname=$ingestd_db" -c "$1"; }

ingestd_fail () {
    echo "FAIL: $*" >&2
    [ -f "$ingestd_dir/ingestd.log" ] && tail -20 "$ingestd_dir/ingestd.log" >&2
    exit 1
}

ingestd_stop () {
    if [ -n "$ingestd_pid" ] && kill -0 "$ingestd_pid" 2>/dev/null; then
        kill -TERM "$ingestd_pid" 2>/dev/null || true
        wait "$ingestd_pid" 2>/dev/null || true
    fi
    [ -z "$ingestd_db" ] || ingestd_admin -c "DROP DATABASE IF EXISTS $ingestd_db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$ingestd_dir"
}
trap ingestd_stop EXIT

ingestd_start () {
    local name=$1 date=$2
    [ -x "$ingestd_program" ] || { echo "$ingestd_program not built"; exit 77; }
    ingestd_db=journey_${name}_$$
    export JOURNEY_INGEST_REQUEST=ipc://$ingestd_dir/ingest.sock
    export JOURNEY_INGEST_FEED=ipc://$ingestd_dir/ingest-feed.sock
    export JOURNEY_LA_CODE=${JOURNEY_LA_CODE:-872}
    ingestd_admin -c "CREATE DATABASE $ingestd_db"
    JOURNEY_DATABASE_ADMIN_URL="$JOURNEY_DATABASE_ADMIN_URL dbname=$ingestd_db" "$JOURNEY_CLI" migrate >/dev/null
    JOURNEY_DATABASE_INGEST_URL="$JOURNEY_DATABASE_INGEST_URL dbname=$ingestd_db" \
        "$ingestd_program" --simulated-clock --date "$date" >"$ingestd_dir/ingestd.log" 2>&1 &
    ingestd_pid=$!
    daemon_listening "$ingestd_pid" "$ingestd_dir/ingestd.log" journey-ingestd
}

# Up to 30 s until the daemon PID logs "listening on" in LOG; ingestd_fail if it exits first.
daemon_listening () { # PID LOG NAME
    for _ in $(seq 1 300); do
        grep -q "listening on" "$2" && return 0
        kill -0 "$1" 2>/dev/null || ingestd_fail "$3 exited at start"
        sleep 0.1
    done
    ingestd_fail "$3 did not start listening in 30 s"
}
