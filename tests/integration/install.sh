#!/usr/bin/env bash
# integration.install: what `cmake --install` puts under a prefix (docs/operations.md, "Install"):
# the five programs, the defaults and migrations they read, and the systemd units, whose
# ExecStart names the programs under the prefix installed to (also with DESTDIR, as a package
# build does) and which `systemd-analyze verify` accepts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rc=0 out= err=
build=$(dirname "$(dirname "$(dirname "$cli")")")
deploy=${JOURNEY_DEPLOY_DIR:?run under ctest}
command -v cmake >/dev/null || { echo "cmake not found"; exit 77; }
programs=(journey journey-ingestd journey-timelinessd journey-escalationd journey-reportingd)
services=(journey-ingestd journey-timelinessd journey-escalationd journey-reportingd)

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }

for program in "${programs[@]}"; do
    check "bin/$program installed and runs" "'$prefix/bin/$program' --version >/dev/null"
done
check "share/journey/journey.cfg is deploy/journey.cfg" "cmp -s '$deploy/journey.cfg' '$prefix/share/journey/journey.cfg'"
check "share/journey/migrations holds every migration" \
    "diff -r '$deploy/migrations' '$prefix/share/journey/migrations' >/dev/null"
# The installed programs read the installed defaults and migrations when told where they are.
run_installed () { JOURNEY_DEPLOY_DIR=$prefix/share/journey "$prefix/bin/journey" "$@"; }
check "the installed journey finds the installed migrations" \
    "run_installed migrate --help | grep -q '$prefix/share/journey/migrations'"

units=$prefix/lib/systemd/system
for service in "${services[@]}"; do
    check "$service.service names the installed program and /etc/journey/journey.cfg" \
        "grep -qx 'ExecStart=$prefix/bin/$service -c /etc/journey/journey.cfg' '$units/$service.service'"
    check "$service.service runs as journey, with the environment file, restarting on failure" \
        "grep -qx 'User=journey' '$units/$service.service' &&
         grep -qx 'EnvironmentFile=/etc/journey/journey.env' '$units/$service.service' &&
         grep -qx 'Restart=on-failure' '$units/$service.service' &&
         grep -qx 'After=network-online.target postgresql.service' '$units/$service.service' &&
         grep -qx 'PartOf=journey.target' '$units/$service.service'"
done
check "journey.target installed" "[ -f '$units/journey.target' ]"
check "no unit names a path under /opt/journey when installed elsewhere" "! grep -rq /opt/journey/ '$units'"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify accepts the units" \
        "systemd-analyze verify '$units'/journey*.service '$units/journey.target' >'$tmp/verify.log' 2>&1 ||
         { cat '$tmp/verify.log' >&2; false; }"
else
    echo "install: systemd-analyze not found: the units' syntax is not verified"
fi

# A package build: DESTDIR stages the tree, the units name the final prefix.
DESTDIR=$tmp/stage cmake --install "$build" --prefix /opt/journey >"$tmp/stage.log" 2>&1 \
    || { cat "$tmp/stage.log"; exit 1; }
check "DESTDIR: programs staged under DESTDIR" "[ -x '$tmp/stage/opt/journey/bin/journey-ingestd' ]"
check "DESTDIR: the unit names the final path" \
    "grep -qx 'ExecStart=/opt/journey/bin/journey-ingestd -c /etc/journey/journey.cfg' \
        '$tmp/stage/opt/journey/lib/systemd/system/journey-ingestd.service'"

finish install
