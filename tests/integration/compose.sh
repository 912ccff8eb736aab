#!/usr/bin/env bash
# docker-compose.yml is valid (docker-compose config; no Docker engine needed), names
# PostgreSQL and the four daemons, and builds from deploy/Dockerfile; every daemon in it has
# CURVE on with the keys from deploy/compose-keys mounted read-only. docker-compose.trial.yml
# (CURVE off, a private trial only) is valid too. deploy/compose-keys makes the keys the main
# file mounts.
set -euo pipefail
top=$JOURNEY_SOURCE_DIR
if ! command -v docker-compose >/dev/null; then
    echo "SKIPPED: docker-compose is not installed"
    exit 77
fi
export JOURNEY_ADMIN_PASSWORD=a JOURNEY_INGEST_PASSWORD=b JOURNEY_TIMELINESS_PASSWORD=c \
    JOURNEY_ESCALATION_PASSWORD=d JOURNEY_REPORTING_PASSWORD=e JOURNEY_LA_CODE=872 \
    JOURNEY_UID=1000 JOURNEY_GID=1000
cd "$top"
docker-compose -f docker-compose.yml config -q
services=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
expected="escalationd ingestd journey migrate postgres reportingd timelinessd "
[ "$services" = "$expected" ] || { echo "services: got '$services', expected '$expected'"; exit 1; }
dockerfiles=$(docker-compose -f docker-compose.yml config | grep -c 'dockerfile: deploy/Dockerfile')
[ "$dockerfiles" -ge 5 ] || { echo "expected 5 services built from deploy/Dockerfile, got $dockerfiles"; exit 1; }
# A missing password is refused with a message naming it.
if out=$(env -u JOURNEY_INGEST_PASSWORD docker-compose -f docker-compose.yml config -q 2>&1); then
    echo "compose accepted a missing password"; exit 1
fi
grep -q JOURNEY_INGEST_PASSWORD <<<"$out" || { echo "message does not name the password: $out"; exit 1; }
# So is a missing LA code, which every daemon needs.
if out=$(env -u JOURNEY_LA_CODE docker-compose -f docker-compose.yml config -q 2>&1); then
    echo "compose accepted a missing LA code"; exit 1
fi
grep -q JOURNEY_LA_CODE <<<"$out" || { echo "message does not name JOURNEY_LA_CODE: $out"; exit 1; }
# timelinessd follows ingestd's feed, escalationd timelinessd's: across containers, not loopback.
config=$(docker-compose -f docker-compose.yml config)
grep -q 'JOURNEY_TIMELINESS_EVENTS: tcp://ingestd:7302' <<<"$config" || { echo "timelinessd does not follow ingestd's feed"; exit 1; }
grep -q 'JOURNEY_ESCALATION_ALERTS: tcp://timelinessd:7312' <<<"$config" || { echo "escalationd does not follow timelinessd's feed"; exit 1; }
# The daemons run as the owner of ./keys, which must be said.
if out=$(env -u JOURNEY_UID docker-compose -f docker-compose.yml config -q 2>&1); then
    echo "compose accepted a missing JOURNEY_UID"; exit 1
fi
grep -q JOURNEY_UID <<<"$out" || { echo "message does not name JOURNEY_UID: $out"; exit 1; }

# CURVE: every daemon on, its keys mounted read-only; the CLI service with the clients' keys.
# The trial file: every daemon off and no keys.
docker-compose -f docker-compose.trial.yml config -q
trial=$(docker-compose -f docker-compose.trial.yml config --services | sort | tr '\n' ' ')
[ "$trial" = "escalationd ingestd migrate postgres reportingd timelinessd " ] ||
    { echo "trial services: got '$trial'"; exit 1; }
check_security () { # FILE MODE (curve or trial)
    docker-compose -f "$1" config | python3 -c '
import sys, yaml
mode, config = sys.argv[1], yaml.safe_load(sys.stdin)
problems = []
for name in ("ingestd", "timelinessd", "escalationd", "reportingd"):
    service = config["services"][name]
    env, volumes = service["environment"], service.get("volumes", [])
    mounts = {v.split(":")[1]: v for v in volumes} if volumes and isinstance(volumes[0], str) else \
        {v["target"]: "%s:%s%s" % (v["source"], v["target"], ":ro" if v.get("read_only") else "") for v in volumes}
    keys = mounts.get("/etc/journey/keys")
    if mode == "curve":
        if str(env.get("JOURNEY_SECURITY_CURVE")) != "1":
            problems.append(name + ": security/curve is not 1")
        if env.get("JOURNEY_SECURITY_SERVER_SECRET") != "/etc/journey/keys/server":
            problems.append(name + ": no server_secret under /etc/journey/keys")
        if env.get("JOURNEY_SECURITY_CLIENTS_DIR") != "/etc/journey/keys/clients":
            problems.append(name + ": no clients_dir under /etc/journey/keys")
        if not keys or not keys.endswith(":ro") or not keys.split(":")[0].endswith("/keys/daemons"):
            problems.append(name + ": ./keys/daemons not mounted read-only at /etc/journey/keys: %r" % keys)
        if not service.get("user", "").startswith("1000:"):
            problems.append(name + ": does not run as JOURNEY_UID")
    else:
        if str(env.get("JOURNEY_SECURITY_CURVE")) != "0":
            problems.append(name + ": the trial has CURVE on")
        if keys:
            problems.append(name + ": the trial mounts keys")
if mode == "curve":
    cli = config["services"]["journey"]
    mounts = [v if isinstance(v, str) else "%s:%s%s" % (v["source"], v["target"], ":ro" if v.get("read_only") else "") for v in cli["volumes"]]
    if not any(m.endswith("/keys/clients:/etc/journey/keys:ro") for m in mounts):
        problems.append("journey: ./keys/clients not mounted read-only")
    if cli["environment"].get("JOURNEY_SECURITY_CLIENT_SECRET") != "/etc/journey/keys/ops":
        problems.append("journey: not the ops key")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
' "$2"
}
check_security docker-compose.yml curve || { echo "docker-compose.yml: CURVE is not on everywhere"; exit 1; }
check_security docker-compose.trial.yml trial || { echo "docker-compose.trial.yml: not a plaintext trial"; exit 1; }

# deploy/compose-keys makes what the main file mounts, with the journey CLI of this build.
if [ -n "${JOURNEY_CLI:-}" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    JOURNEY=$JOURNEY_CLI "$top/deploy/compose-keys" --la 872 "$tmp/keys" >"$tmp/out"
    for f in daemons/server daemons/server.pub daemons/clients/server.pub daemons/clients/cms-872.pub \
        daemons/clients/ops.pub clients/cms-872 clients/ops clients/server.pub; do
        [ -f "$tmp/keys/$f" ] || { echo "compose-keys: no $f"; exit 1; }
    done
    [ "$(ls "$tmp/keys/clients" | tr '\n' ' ')" = "cms-872 ops server.pub " ] ||
        { echo "compose-keys: clients/ holds $(ls "$tmp/keys/clients")"; exit 1; }
    for f in daemons/server clients/cms-872 clients/ops; do
        [ "$(stat -c %a "$tmp/keys/$f")" = 600 ] || { echo "compose-keys: $f is not mode 0600"; exit 1; }
    done
    [ "$(stat -c %a "$tmp/keys/daemons")" = 700 ] || { echo "compose-keys: daemons/ is not mode 0700"; exit 1; }
    grep -q 'la_codes = "872"' "$tmp/keys/daemons/clients/cms-872.pub" || { echo "compose-keys: cms-872 may not push for 872"; exit 1; }
    grep -q 'reports = "yes"' "$tmp/keys/daemons/clients/ops.pub" || { echo "compose-keys: ops may not ask for packs"; exit 1; }
    grep -q 'read_la_codes = "872"' "$tmp/keys/daemons/clients/ops.pub" &&
        grep -q 'read = "alerts disputes"' "$tmp/keys/daemons/clients/ops.pub" ||
        { echo "compose-keys: ops may not read 872's alerts and disputes"; exit 1; }
    grep -q "^JOURNEY_UID=$(id -u)$" "$tmp/out" || { echo "compose-keys does not say JOURNEY_UID"; exit 1; }
    if JOURNEY=$JOURNEY_CLI "$top/deploy/compose-keys" --la 872 "$tmp/keys" >/dev/null 2>&1; then
        echo "compose-keys replaced existing keys"; exit 1
    fi
fi
echo "compose: valid, services $services; CURVE on with keys mounted read-only; the trial file valid"
