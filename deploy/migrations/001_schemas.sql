--  001_schemas: one schema per owning service, one login role per service, and the rights
--  docs/database.md describes. Applied by `journey migrate` in its own transaction (do not add
--  BEGIN or COMMIT here).
--
--  ALTER DEFAULT PRIVILEGES below applies to tables and sequences created later BY THE ROLE
--  RUNNING THIS MIGRATION. Later migrations must therefore run as the same admin role
--  (database/admin_url), or the tables they create get none of these rights.

--  --- Schemas -------------------------------------------------------------------------------

CREATE SCHEMA IF NOT EXISTS ingest;      --  events, dead letters, the case projection
CREATE SCHEMA IF NOT EXISTS timeliness;  --  clocks, deadlines, alerts, KPI values
CREATE SCHEMA IF NOT EXISTS escalation;  --  disputes and their steps
CREATE SCHEMA IF NOT EXISTS reporting;   --  board packs produced
CREATE SCHEMA IF NOT EXISTS journey;     --  meta: migrations, reference calendar

--  Nobody but the admin role creates objects, and nowhere else.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

--  --- Roles ---------------------------------------------------------------------------------
--  Roles belong to the cluster, not the database, so they may exist already (another database
--  in the same cluster, or a rerun). No passwords here: the private cluster trusts its Unix
--  socket, and operators set passwords themselves for TCP deployments. A concurrent migration
--  of another database may create the same role between our check and our CREATE: that is
--  caught and ignored.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['journey_ingest', 'journey_timeliness', 'journey_escalation',
                             'journey_reporting']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;

--  reportingd reads only; even a bug in it cannot write. Set once: the setting is cluster-wide
--  and rewriting it from two databases at once can fail with "tuple concurrently updated".
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
         WHERE r.rolname = 'journey_reporting' AND s.setdatabase = 0
           AND 'default_transaction_read_only=on' = ANY (s.setconfig)) THEN
        ALTER ROLE journey_reporting SET default_transaction_read_only = on;
    END IF;
END
$$;

--  --- Rights --------------------------------------------------------------------------------
--  Every service reads every schema, so that a consumer can catch up from another service's
--  feed table and reportingd can read everything. Each writer writes only its own schema.

GRANT USAGE ON SCHEMA ingest, timeliness, escalation, reporting, journey
    TO journey_ingest, journey_timeliness, journey_escalation, journey_reporting;

GRANT SELECT ON ALL TABLES IN SCHEMA ingest, timeliness, escalation, reporting, journey
    TO journey_ingest, journey_timeliness, journey_escalation, journey_reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest, timeliness, escalation, reporting, journey
    GRANT SELECT ON TABLES
    TO journey_ingest, journey_timeliness, journey_escalation, journey_reporting;

GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ingest TO journey_ingest;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ingest TO journey_ingest;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest
    GRANT INSERT, UPDATE, DELETE ON TABLES TO journey_ingest;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO journey_ingest;

GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA timeliness TO journey_timeliness;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA timeliness TO journey_timeliness;
ALTER DEFAULT PRIVILEGES IN SCHEMA timeliness
    GRANT INSERT, UPDATE, DELETE ON TABLES TO journey_timeliness;
ALTER DEFAULT PRIVILEGES IN SCHEMA timeliness
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO journey_timeliness;

GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA escalation TO journey_escalation;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA escalation TO journey_escalation;
ALTER DEFAULT PRIVILEGES IN SCHEMA escalation
    GRANT INSERT, UPDATE, DELETE ON TABLES TO journey_escalation;
ALTER DEFAULT PRIVILEGES IN SCHEMA escalation
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO journey_escalation;

--  journey_reporting: SELECT only (above), everywhere, including its own schema.

--  --- Tables --------------------------------------------------------------------------------
--  DESIGN.md: every table carries la_code so that a multi-authority deployment can partition
--  on it. These tables are the exception: they hold no case data, only per-feed counters and
--  positions (one row per feed, shared by every authority on that feed) and the national
--  bank-holiday calendar, so there is nothing to partition by authority.

--  The head of each feed: jy_feed_reserve takes numbers with UPDATE ... RETURNING, and the row
--  lock it holds until commit orders commits (docs/database.md).
CREATE TABLE ingest.feed_head (
    feed text PRIMARY KEY,
    head bigint NOT NULL DEFAULT 0 CHECK (head >= 0)
);
INSERT INTO ingest.feed_head (feed) VALUES ('events');

CREATE TABLE timeliness.feed_head (
    feed text PRIMARY KEY,
    head bigint NOT NULL DEFAULT 0 CHECK (head >= 0)
);
INSERT INTO timeliness.feed_head (feed) VALUES ('alerts');

CREATE TABLE escalation.feed_head (
    feed text PRIMARY KEY,
    head bigint NOT NULL DEFAULT 0 CHECK (head >= 0)
);
INSERT INTO escalation.feed_head (feed) VALUES ('disputes');

--  Where a consumer in this schema has got to on another service's feed, saved in the same
--  transaction as the effects of what it consumed.
CREATE TABLE ingest.feed_position (
    feed text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0
);
CREATE TABLE timeliness.feed_position (
    feed text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0
);
CREATE TABLE escalation.feed_position (
    feed text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0
);

--  Bank holidays imported from the gov.uk JSON (`journey calendar import`), on top of those
--  built into libjourney. Written only by the admin role.
CREATE TABLE journey.calendar_day (
    division text NOT NULL,                         --  e.g. 'england-and-wales'
    day date NOT NULL,
    title text NOT NULL,
    source text,                                    --  file or URL it came from
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (division, day)
);
