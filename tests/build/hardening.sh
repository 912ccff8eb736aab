#!/usr/bin/env bash
# build.hardening: every program of the build (the daemons, the CLI, and the test and bench
# programs, all ELF executables under services/ and tests/ of the build tree) is built as the
# top CMakeLists.txt says: full RELRO (a GNU_RELRO segment and BIND_NOW), stack canaries
# (__stack_chk_fail imported) and fortified libc calls (some __*_chk imported).
#   tests/build/hardening.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: hardening.sh BUILD_DIR}
command -v readelf >/dev/null || { echo "hardening: readelf not found (binutils)"; exit 1; }

programs=()
while IFS= read -r -d '' file; do
    [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] && programs+=("$file")
done < <(find "$build/services" "$build/tests" -path '*/CMakeFiles' -prune -o \
              -type f -perm -u+x -print0)
# The programs the suite cannot do without: if the walk missed them, it checked nothing.
for must in journey journey-ingestd journey-timelinessd journey-escalationd journey-reportingd; do
    printf '%s\n' "${programs[@]}" | grep -q "/$must\$" || { echo "hardening: no $must in $build"; exit 1; }
done

failed=0
for program in "${programs[@]}"; do
    name=${program#"$build"/}
    problems=()
    readelf -lW "$program" | grep -q 'GNU_RELRO' || problems+=("no GNU_RELRO segment")
    dynamic=$(readelf -dW "$program")
    grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*\bNOW\b' <<<"$dynamic" \
        || problems+=("not BIND_NOW")
    imports=$(readelf -W --dyn-syms "$program" | awk '$7 == "UND" { print $8 }')
    grep -q '^__stack_chk_fail' <<<"$imports" || problems+=("no stack protector (__stack_chk_fail)")
    grep -Eq '^__[a-z_]+_chk(@|$)' <<<"$(grep -v '^__stack_chk_fail' <<<"$imports")" \
        || problems+=("not fortified (no __*_chk import)")
    if [ ${#problems[@]} -gt 0 ]; then
        failed=$((failed + 1))
        echo "hardening: $name: $(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g')"
    fi
done
echo "hardening: ${#programs[@]} programs checked, $failed not hardened"
[ "$failed" -eq 0 ]
