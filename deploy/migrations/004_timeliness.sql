--  004_timeliness: deadlines and the alert feed, written only by journey-timelinessd.
--
--  A deadline is one clock instance for one child: (la_code, child_id, clock, anchor), the
--  anchor naming the record that started it (services/timeliness/derive.h). Deadlines are
--  derived again from the ingest projection whenever one of the child's events commits, so a
--  correction moves a due date and a retraction cancels a deadline here too.
--
--  States (docs/timeliness.md):
--    open          running, due today or later
--    missed        running, past its due date (becomes met_late when the event arrives)
--    met_on_time   met on or before the due date
--    met_late      met after it, by late_working_days working days
--    cancelled     the case, plan or period ended first, or a correction removed its start

CREATE TABLE timeliness.deadline (
    id bigint PRIMARY KEY,                  --  assigned by the daemon (the only writer)
    la_code text NOT NULL,
    child_id text NOT NULL,
    clock text NOT NULL,
    anchor text NOT NULL,
    started_on date NOT NULL,
    due_on date NOT NULL,
    state text NOT NULL CHECK (state IN ('open', 'missed', 'met_on_time', 'met_late', 'cancelled')),
    met_on date,
    late_working_days integer,
    cancelled_on date,
    cancel_reason text,
    planned_on date,                        --  the booking that would meet it, if any
    team_id text,
    worker_id text,
    first_seen_on date NOT NULL,            --  the daemon's today when first derived
    backfill boolean NOT NULL,              --  already met or missed when first seen: never announced
    alerts integer NOT NULL DEFAULT 0,      --  bit (1 << Alert.Kind) per kind raised or passed over
    updated_on date NOT NULL,
    UNIQUE (la_code, child_id, clock, anchor)
);
CREATE INDEX deadline_child ON timeliness.deadline (la_code, child_id);
CREATE INDEX deadline_running ON timeliness.deadline (la_code, due_on)
    WHERE state IN ('open', 'missed');

--  The alert feed: one row per alert, in feed order (jy_feed "alerts"). envelope is the
--  published frame; the other columns are there to query by. At most one alert per deadline
--  and kind.
CREATE TABLE timeliness.alert_feed (
    seq bigint PRIMARY KEY,
    la_code text NOT NULL,
    kind text NOT NULL,                     --  due_soon, drifted, due_today, overdue, overdue_by,
                                            --  rag_changed, caseload
    raised_on date NOT NULL,
    child_id text,
    clock text,
    deadline_id bigint,
    due_on date,
    team_id text,
    worker_id text,
    measure text,                           --  rag_changed
    scope text,                             --  rag_changed: "la" or "team:<id>"
    envelope bytea NOT NULL,
    UNIQUE (deadline_id, kind)
);
CREATE INDEX alert_feed_team ON timeliness.alert_feed (team_id, seq);
CREATE INDEX alert_feed_child ON timeliness.alert_feed (la_code, child_id, seq);

--  Small facts the daemon keeps between runs: the last day it evaluated, the next KPI run.
CREATE TABLE timeliness.state (
    key text PRIMARY KEY,
    value text NOT NULL
);
