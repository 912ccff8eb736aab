# Shared by the integration scripts: run the journey CLI and check what it did.
#   source "$(dirname "$0")/lib.sh"
# gives $cli, a temporary directory $tmp (removed on exit; add more cleanup with on_exit), and:
#   run ARGS...                  journey ARGS: sets $out (stdout), $err (stderr), $rc
#   fail TEXT                    count a failure and say it
#   check TEXT CONDITION         count a check; CONDITION is evaluated (it may use $out $err $rc)
#   expect STDOUT ARGS...        exit 0 and exactly STDOUT
#   expect_error STATUS TEXT ARGS...   exit STATUS and TEXT in stderr
#   finish NAME                  print "NAME: N checks, M failed" and exit non-zero on failures

cli=${JOURNEY_CLI:?JOURNEY_CLI must name the journey binary}
tmp=$(mktemp -d)
failures=0
checks=0
exit_hooks=()
on_exit () { exit_hooks+=("$1"); }
s_on_exit () {
    local hook
    for hook in "${exit_hooks[@]}"; do eval "$hook" || true; done
    rm -rf "$tmp"
}
trap s_on_exit EXIT

run () {
    set +e
    out=$("$cli" "$@" 2>"$tmp/stderr")
    rc=$?
    set -e
    err=$(cat "$tmp/stderr")
}

fail () {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
}

check () {
    checks=$((checks + 1))
    if ! eval "$2"; then
        fail "$1"$'\n'"  rc=$rc"$'\n'"  stdout: $out"$'\n'"  stderr: $err"
    fi
}

expect () {
    local expected=$1
    shift
    checks=$((checks + 1))
    run "$@"
    if [ "$rc" -ne 0 ] || [ "$out" != "$expected" ]; then
        fail "journey $*: exit $rc, output:"$'\n'"$out"$'\n'"expected:"$'\n'"$expected"$'\n'"stderr: $err"
    fi
}

expect_error () {
    local status=$1 text=$2
    shift 2
    checks=$((checks + 1))
    run "$@"
    if [ "$rc" -ne "$status" ] || [[ "$err" != *"$text"* ]]; then
        fail "journey $*: exit $rc (expected $status), stderr: $err (expected to contain: $text)"
    fi
}

finish () {
    echo "$1: $checks checks, $failures failed"
    [ "$failures" -eq 0 ]
}
