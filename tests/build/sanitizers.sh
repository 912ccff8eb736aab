#!/usr/bin/env bash
# sanitizer.asan and sanitizer.tsan: a tree of its own, <build>/KIND, with every library,
# program and test built under the sanitizers (the top CMakeLists.txt's JOURNEY_SANITIZE), and
# there the tests named run against the instrumented daemons and CLI, with their own private
# PostgreSQL. Each report goes to a file under <build>/KIND/sanitizer-reports as well (a
# daemon's exit status is not every test's business): any report fails the run.
#   tests/build/sanitizers.sh asan|tsan BUILD_DIR TEST...
set -euo pipefail
kind=${1:?usage: sanitizers.sh asan|tsan BUILD_DIR TEST...}
build=${2:?usage: sanitizers.sh asan|tsan BUILD_DIR TEST...}
shift 2
[ $# -gt 0 ] || { echo "sanitizers: no tests named"; exit 2; }
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$kind" in
    asan) sanitize=address,undefined ;;
    tsan) sanitize=thread ;;
    *) echo "sanitizers: unknown kind $kind (asan or tsan)"; exit 2 ;;
esac
tree=$build/$kind

# The programs the tests start and the tests themselves: not the whole tree.
targets=(journey_cli journey-ingestd journey-timelinessd journey-escalationd journey-reportingd)
for test in "$@"; do
    folder=${test%%.*} name=${test#*.}
    # A C test is tests/FOLDER/test_NAME.c; a script test needs only the programs.
    [ -f "$top/tests/$folder/test_$name.c" ] || continue
    case "$folder" in
        integration) targets+=("test_$name") ;;
        *) targets+=("test_${folder}_$name") ;;
    esac
done
start=$SECONDS
cmake -S "$top" -B "$tree" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOURNEY_WERROR=ON \
    -DJOURNEY_SANITIZE=$sanitize -DCMAKE_RULE_MESSAGES=OFF >/dev/null
cmake --build "$tree" -j"$(nproc)" --target "${targets[@]}" -- --no-print-directory >/dev/null \
    || { cmake --build "$tree" -j1 --target "${targets[@]}" 2>&1 | grep -E 'error|Error' | head -40; exit 1; }
echo "sanitizers: $kind tree built in $((SECONDS - start)) s"

# The tree's private PostgreSQL goes with the run, however it ends.
trap 'JOURNEY_PG_DIR=$tree/test-pg "$top/deploy/pg" stop >/dev/null 2>&1 || true' EXIT
reports=$tree/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
regex="^($(IFS='|'; echo "$*" | sed 's/\./\\./g'))\$"
status=0
(cd "$tree" && ctest --output-on-failure -R "$regex") || status=$?
found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
    for report in $found; do
        echo "=== $report"
        cat "$report"
    done
    echo "sanitizers: $(wc -l <<<"$found") report(s) under $reports"
    exit 1
fi
exit "$status"
