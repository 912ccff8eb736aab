#!/usr/bin/env bash
# fuzz.<name>: one libFuzzer target for a few seconds over its committed corpus. Every committed
# input runs first, so a crash kept there as a regression case fails this test until it is fixed.
# New finds go to a scratch directory, never into the committed corpus (deploy/fuzz merge does).
#   run.sh NAME SECONDS       (under ctest: JOURNEY_FUZZ_BIN_DIR, JOURNEY_FUZZ_WORK_DIR)
set -euo pipefail
name=$1
seconds=$2
bin=${JOURNEY_FUZZ_BIN_DIR:?run under ctest}/fuzz_$name
work=${JOURNEY_FUZZ_WORK_DIR:?run under ctest}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus=$here/corpus/$name
dict=()
[ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
rm -rf "$work"
mkdir -p "$work/finds" "$work/artifacts"

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$work/artifacts/" "$work/finds" "$corpus" >"$work/log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then
    tail -n 80 "$work/log"
    echo "fuzz.$name: exit $rc; the input is in $work/artifacts/ (reproduce: $bin FILE;" \
        "keep it as tests/fuzz/corpus/$name/regression-<what> once fixed)"
    exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "fuzz.$name: $(ls "$corpus" | wc -l) committed inputs, $runs runs in ${seconds}s, no crash"
