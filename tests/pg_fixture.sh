#!/usr/bin/env bash
# ctest fixture: start the test suite's private PostgreSQL and apply the migrations, or stop it.
set -euo pipefail
top=$JOURNEY_SOURCE_DIR
case "$1" in
    start)
        "$top/deploy/pg" start
        "$JOURNEY_CLI" migrate ;;
    stop)
        "$top/deploy/pg" stop ;;
esac
