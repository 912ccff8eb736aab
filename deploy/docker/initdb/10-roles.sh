#!/bin/sh
# First start of the compose PostgreSQL: create the service roles with the passwords given in
# the environment, before `journey migrate` runs (which creates only roles that are missing).
set -eu
for role in ingest timeliness escalation reporting; do
    var=JOURNEY_$(echo "$role" | tr a-z A-Z)_PASSWORD
    eval "password=\${$var:?$var must be set}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        -v role="journey_$role" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
SQL
done
