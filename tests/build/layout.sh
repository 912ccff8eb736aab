#!/usr/bin/env bash
# build.layout: the layout of docs/architecture.md ("Layout"), as the build made it.
#   - libjourney defines no domain symbol: the measures (jy_measures_*), the generator
#     (generator_*) and the alert JSON form (tl_json_*) are libraries of their own;
#   - no test or fuzz target compiles a program's source by path: they link its core library;
#   - the journey CLI links no daemon core, and not libcurl.
# Arguments: libjourney's archive, and the CLI's link command (CMake's link.txt).
# Costs well under a second.
set -euo pipefail
libjourney=$1
cli_link=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
failed=0
fail () { echo "build.layout: $*" >&2; failed=1; }

domain=$(nm -g --defined-only "$libjourney" | awk '$2 == "T" && $3 ~ /^(jy_measures|jy_measure_|generator_|tl_)/ { print $3 }')
[ -z "$domain" ] || fail "libjourney defines domain symbols: $(echo $domain)"

by_path=$(grep -n 'services/[a-z]*/[a-z_]*\.c' "$top/tests/CMakeLists.txt" "$top/tests/fuzz/CMakeLists.txt" || true)
[ -z "$by_path" ] || fail "a test compiles a program's source by path: $by_path"

for unwanted in _core.a curl; do
    if tr ' ' '\n' <"$cli_link" | grep -v cli_core | grep -q -- "$unwanted"; then
        fail "the CLI links $(tr ' ' '\n' <"$cli_link" | grep -v cli_core | grep -- "$unwanted" | tr '\n' ' ')"
    fi
done

[ "$failed" = 0 ] && echo "build.layout: libjourney holds no domain code; tests link core libraries; the CLI links no daemon core nor libcurl"
exit "$failed"
