--  003_ingest_projection: the case projection, one table per kind of case record. The one
--  definition is the static table in services/ingest/projection.c (tests/ingest/
--  test_projection.c checks that these tables match it column for column); the event map
--  there says which events write which columns.
--
--  journey-ingestd is the only writer (rights from 001's default privileges); every other
--  service reads. Every row carries la_code and child_id; the primary key is (la_code,
--  child_id, key), or (la_code, child_id) for the one-per-child tables (child, adoption).
--  Dates are the CMS's dates as sent (validated before they get here).

CREATE TABLE ingest.child (
    la_code text NOT NULL,
    child_id text NOT NULL,
    date_of_birth date,
    expected_date_of_birth date,
    unborn boolean,
    sex text,
    ethnicity text,
    disability boolean,
    uasc boolean,
    registered_on date,
    closed_on date,                 --  NULL while the case is open
    close_reason text,
    team_id text,                   --  the allocated worker and team, NULL when unallocated
    worker_id text,
    allocated_on date,
    PRIMARY KEY (la_code, child_id)
);
--  Open cases per worker (caseloads).
CREATE INDEX child_open_worker ON ingest.child (la_code, worker_id) WHERE closed_on IS NULL;

CREATE TABLE ingest.contact (
    la_code text NOT NULL,
    child_id text NOT NULL,
    contact_id text NOT NULL,
    received_on date,
    contact_source text,
    decided_on date,
    outcome text,
    team_id text,
    worker_id text,
    PRIMARY KEY (la_code, child_id, contact_id)
);
CREATE INDEX contact_received ON ingest.contact (la_code, received_on);
CREATE INDEX contact_undecided ON ingest.contact (la_code, received_on) WHERE decided_on IS NULL;

CREATE TABLE ingest.referral (
    la_code text NOT NULL,
    child_id text NOT NULL,
    referral_id text NOT NULL,
    received_on date,
    contact_id text,
    referral_source text,
    closed_on date,
    closure_reason text,
    team_id text,
    worker_id text,
    PRIMARY KEY (la_code, child_id, referral_id)
);
CREATE INDEX referral_received ON ingest.referral (la_code, received_on);
CREATE INDEX referral_open ON ingest.referral (la_code, received_on) WHERE closed_on IS NULL;

CREATE TABLE ingest.assessment (
    la_code text NOT NULL,
    child_id text NOT NULL,
    assessment_id text NOT NULL,
    referral_id text,
    started_on date,
    completed_on date,
    authorised_on date,
    outcome text,
    factors text,                   --  CIN census factor codes joined with ','
    legacy_initial boolean,
    team_id text,
    worker_id text,
    PRIMARY KEY (la_code, child_id, assessment_id)
);
CREATE INDEX assessment_completed ON ingest.assessment (la_code, completed_on);
CREATE INDEX assessment_open ON ingest.assessment (la_code, started_on) WHERE completed_on IS NULL;

CREATE TABLE ingest.strategy (
    la_code text NOT NULL,
    child_id text NOT NULL,
    strategy_id text NOT NULL,
    referral_id text,
    held_on date,
    s47_started boolean,
    s47_id text,
    PRIMARY KEY (la_code, child_id, strategy_id)
);

CREATE TABLE ingest.s47 (
    la_code text NOT NULL,
    child_id text NOT NULL,
    s47_id text NOT NULL,
    strategy_id text,
    started_on date,
    completed_on date,
    icpc_required boolean,
    outcome text,
    PRIMARY KEY (la_code, child_id, s47_id)
);
CREATE INDEX s47_started ON ingest.s47 (la_code, started_on);

--  Conferences and reviews booked; open while neither held nor cancelled (drift warnings
--  compare planned_on with the due date).
CREATE TABLE ingest.booking (
    la_code text NOT NULL,
    child_id text NOT NULL,
    conference_id text NOT NULL,
    kind text,                      --  icpc, rcpc, cla_review, cin_review, core_group, pathway_review
    booked_on date,
    planned_on date,
    cancels text,                   --  the conference_id this booking replaced
    cancelled_on date,
    held_on date,
    PRIMARY KEY (la_code, child_id, conference_id)
);
CREATE INDEX booking_open ON ingest.booking (la_code, planned_on)
    WHERE held_on IS NULL AND cancelled_on IS NULL;

--  Conferences, reviews and core groups held: keyed by the conference_id, or by the event_id
--  when the event names no booking.
CREATE TABLE ingest.meeting (
    la_code text NOT NULL,
    child_id text NOT NULL,
    meeting_id text NOT NULL,
    kind text,                      --  icpc, rcpc, cla_review, cin_review, core_group, pathway_review
    held_on date,
    conference_id text,
    s47_id text,
    plan_id text,
    period_id text,
    plan_made boolean,
    category text,
    plan_continues boolean,
    PRIMARY KEY (la_code, child_id, meeting_id)
);
CREATE INDEX meeting_held ON ingest.meeting (la_code, kind, held_on);

CREATE TABLE ingest.cp_plan (
    la_code text NOT NULL,
    child_id text NOT NULL,
    plan_id text NOT NULL,
    started_on date,
    ended_on date,
    category text,
    conference_id text,
    end_reason text,
    PRIMARY KEY (la_code, child_id, plan_id)
);
CREATE INDEX cp_plan_started ON ingest.cp_plan (la_code, started_on);
CREATE INDEX cp_plan_ended ON ingest.cp_plan (la_code, ended_on);
CREATE INDEX cp_plan_open ON ingest.cp_plan (la_code, started_on) WHERE ended_on IS NULL;

CREATE TABLE ingest.cin_plan (
    la_code text NOT NULL,
    child_id text NOT NULL,
    plan_id text NOT NULL,
    started_on date,
    ended_on date,
    end_reason text,
    PRIMARY KEY (la_code, child_id, plan_id)
);
CREATE INDEX cin_plan_open ON ingest.cin_plan (la_code, started_on) WHERE ended_on IS NULL;

CREATE TABLE ingest.visit (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    visited_on date,
    seen boolean,
    seen_alone boolean,
    context text,                   --  cp, cin, cla, care_leaver
    worker_id text,
    PRIMARY KEY (la_code, child_id, event_id)
);
CREATE INDEX visit_on ON ingest.visit (la_code, visited_on);

CREATE TABLE ingest.care_period (
    la_code text NOT NULL,
    child_id text NOT NULL,
    period_id text NOT NULL,
    started_on date,
    ended_on date,
    legal_status text,              --  at the start; ingest.legal_status holds the history
    category_of_need text,
    reason_ceased text,
    PRIMARY KEY (la_code, child_id, period_id)
);
CREATE INDEX care_period_started ON ingest.care_period (la_code, started_on);
CREATE INDEX care_period_open ON ingest.care_period (la_code, started_on) WHERE ended_on IS NULL;

CREATE TABLE ingest.legal_status (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    period_id text,
    from_on date,
    legal_status text,
    PRIMARY KEY (la_code, child_id, event_id)
);

CREATE TABLE ingest.placement (
    la_code text NOT NULL,
    child_id text NOT NULL,
    placement_id text NOT NULL,
    period_id text,
    started_on date,
    ended_on date,
    placement_type text,
    in_area boolean,
    distance_miles double precision,
    long_term boolean,
    end_reason text,
    PRIMARY KEY (la_code, child_id, placement_id)
);
CREATE INDEX placement_started ON ingest.placement (la_code, started_on);
CREATE INDEX placement_open ON ingest.placement (la_code, started_on) WHERE ended_on IS NULL;

CREATE TABLE ingest.health (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    kind text,                      --  initial, review
    done_on date,
    PRIMARY KEY (la_code, child_id, event_id)
);
CREATE INDEX health_done ON ingest.health (la_code, done_on);

CREATE TABLE ingest.pep (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    done_on date,
    PRIMARY KEY (la_code, child_id, event_id)
);

CREATE TABLE ingest.missing (
    la_code text NOT NULL,
    child_id text NOT NULL,
    episode_id text NOT NULL,
    started_on date,
    ended_on date,
    away_from_placement boolean,
    hours_missing double precision,
    rhi_on date,                    --  return home interview
    rhi_accepted boolean,
    PRIMARY KEY (la_code, child_id, episode_id)
);
CREATE INDEX missing_started ON ingest.missing (la_code, started_on);
CREATE INDEX missing_no_rhi ON ingest.missing (la_code, ended_on) WHERE rhi_on IS NULL;

CREATE TABLE ingest.adoption (
    la_code text NOT NULL,
    child_id text NOT NULL,
    adm_on date,
    placement_order_on date,
    matched_on date,
    placed_on date,
    placement_id text,
    adopted_on date,
    PRIMARY KEY (la_code, child_id)
);
CREATE INDEX adoption_adopted ON ingest.adoption (la_code, adopted_on);

CREATE TABLE ingest.care_leaver (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    contact_on date,
    in_touch boolean,
    accommodation_suitable boolean,
    activity text,
    PRIMARY KEY (la_code, child_id, event_id)
);
CREATE INDEX care_leaver_contact ON ingest.care_leaver (la_code, contact_on);

--  Allocation spells: one open (ended_on NULL) per child at most.
CREATE TABLE ingest.allocation (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    worker_id text,
    team_id text,
    allocated_on date,
    ended_on date,
    PRIMARY KEY (la_code, child_id, event_id)
);
CREATE INDEX allocation_open ON ingest.allocation (la_code, worker_id) WHERE ended_on IS NULL;

CREATE TABLE ingest.audit (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    audited_on date,
    grade text,
    auditor_id text,
    team_id text,
    worker_id text,
    PRIMARY KEY (la_code, child_id, event_id)
);
CREATE INDEX audit_on ON ingest.audit (la_code, audited_on);
