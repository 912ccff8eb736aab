--  009_ingest_hardening: bounded dead letters, an append-only event table, and reads granted
--  table by table to the service that needs them (docs/database.md, "Roles and privileges").

--  --- Dead letters: a bounded prefix, its digest and size, and who sent it ------------------------
--  journey-ingestd keeps at most ingest/dead_letter_max_bytes of what it refused (raw), with
--  the SHA-256 and the size of the whole of it, and the name of the sending key under CURVE
--  (NULL without). Rows kept before this migration hold their raw bytes whole: their digest
--  and size are taken from them.

ALTER TABLE ingest.dead_letter
    ADD COLUMN raw_size bigint,
    ADD COLUMN raw_sha256 bytea,
    ADD COLUMN sender text;
UPDATE ingest.dead_letter SET raw_size = length (raw), raw_sha256 = sha256 (raw);
--  journey-ingestd always fills both; NULL would mean a row written by hand, raw whole.
ALTER TABLE ingest.dead_letter
    ADD CHECK (raw_size >= length (raw)),
    ADD CHECK (length (raw_sha256) = 32);
--  Pruning by age (docs/operations.md) and counting per key.
CREATE INDEX dead_letter_received ON ingest.dead_letter (received_at);
CREATE INDEX dead_letter_sender ON ingest.dead_letter (sender, received_at);

--  --- ingest.event is append-only ---------------------------------------------------------------
--  As escalation.dispute_step (005): journey-ingestd only adds events and reads them back; a
--  correction or retraction is a new event.

REVOKE UPDATE, DELETE, TRUNCATE ON ingest.event FROM journey_ingest;

--  --- Reads: each service its own schema, and of the others only what it reads -----------------
--  001 let every service role read every schema. From here each reads its own schema and
--  journey's (migrations, the calendar), and of another service's schema only the tables
--  below, each named for the queries that read it. Tables created later get no read right
--  outside their own schema unless a migration grants it.

REVOKE SELECT ON ALL TABLES IN SCHEMA ingest
    FROM journey_timeliness, journey_escalation, journey_reporting;
REVOKE SELECT ON ALL TABLES IN SCHEMA timeliness
    FROM journey_ingest, journey_escalation, journey_reporting;
REVOKE SELECT ON ALL TABLES IN SCHEMA escalation
    FROM journey_ingest, journey_timeliness, journey_reporting;
REVOKE SELECT ON ALL TABLES IN SCHEMA reporting
    FROM journey_ingest, journey_timeliness, journey_escalation;
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest
    REVOKE SELECT ON TABLES FROM journey_timeliness, journey_escalation, journey_reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA timeliness
    REVOKE SELECT ON TABLES FROM journey_ingest, journey_escalation, journey_reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA escalation
    REVOKE SELECT ON TABLES FROM journey_ingest, journey_timeliness, journey_reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting
    REVOKE SELECT ON TABLES FROM journey_ingest, journey_timeliness, journey_escalation;

--  journey-timelinessd: the committed event feed's catch-up (jy_feed, "events"), the
--  projection tables its derivation reads (services/timeliness/child_records.c, the closures of
--  008) and those the measures behind its KPI ratings read (common/src/jy_measures.c).
GRANT SELECT ON ingest.event,
                ingest.child, ingest.contact, ingest.referral, ingest.assessment, ingest.strategy,
                ingest.s47, ingest.booking, ingest.meeting, ingest.cp_plan, ingest.cin_plan,
                ingest.visit, ingest.care_period, ingest.placement, ingest.health, ingest.pep,
                ingest.missing, ingest.allocation, ingest.case_closure,
                ingest.adoption, ingest.care_leaver, ingest.audit
    TO journey_timeliness;

--  journey-escalationd: the alert feed's catch-up (jy_feed, "alerts"), for policy from alerts,
--  its head (Status: the lag behind it), and the periods of care
--  (services/escalation/dispute_store.c: who chairs a child's review).
GRANT SELECT ON timeliness.alert_feed, timeliness.feed_head, ingest.care_period
    TO journey_escalation;

--  journey-reportingd: what the board pack reads (services/reporting/pack_sql.c and the
--  measures of common/src/jy_measures.c).
GRANT SELECT ON ingest.child, ingest.referral, ingest.s47, ingest.meeting, ingest.cp_plan,
                ingest.care_period, ingest.placement, ingest.adoption, ingest.care_leaver,
                ingest.missing, ingest.allocation, ingest.audit, ingest.dead_letter,
                timeliness.deadline, timeliness.alert_feed,
                escalation.dispute, escalation.dispute_step
    TO journey_reporting;
