#!/usr/bin/env bash
# docker-compose.yml is valid (docker-compose config; no Docker engine needed), names
# PostgreSQL and the four daemons, and builds from deploy/Dockerfile.
set -euo pipefail
top=$JOURNEY_SOURCE_DIR
if ! command -v docker-compose >/dev/null; then
    echo "SKIPPED: docker-compose is not installed"
    exit 77
fi
export JOURNEY_ADMIN_PASSWORD=a JOURNEY_INGEST_PASSWORD=b JOURNEY_TIMELINESS_PASSWORD=c \
    JOURNEY_ESCALATION_PASSWORD=d JOURNEY_REPORTING_PASSWORD=e JOURNEY_LA_CODE=872
cd "$top"
docker-compose -f docker-compose.yml config -q
services=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
expected="escalationd ingestd migrate postgres reportingd timelinessd "
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
echo "compose: valid, services $services"
