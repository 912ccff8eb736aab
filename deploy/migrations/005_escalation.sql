--  005_escalation: IRO / CP chair disputes, their append-only chain of steps, and the dispute
--  feed; written only by journey-escalationd (docs/escalation.md).
--
--  escalation.dispute is the dispute as it stands now (the daemon updates it). Every change to
--  it is also a row of escalation.dispute_step, which is never updated or deleted: each step
--  carries the hash of the step before it, so `journey dispute verify` names any step altered
--  afterwards. escalation.dispute_feed holds each notice published on the dispute feed.

CREATE TABLE escalation.dispute (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    la_code text NOT NULL,
    child_id text NOT NULL,
    category text NOT NULL,
    stage integer NOT NULL CHECK (stage >= 1),
    state text NOT NULL CHECK (state IN ('open', 'resolved', 'withdrawn')),
    answered boolean NOT NULL DEFAULT false,    --  the stage responded: the raiser acts next
    raised_by text NOT NULL,
    raised_role text NOT NULL,
    raised_on date NOT NULL,
    stage_entered_on date NOT NULL,
    due_on date NOT NULL,                       --  the current stage's response deadline
    overall_due_on date NOT NULL,               --  WORKDAY(raised_on, overall_limit_days)
    safety boolean NOT NULL DEFAULT false,
    cafcass_referred_on date,
    agreed_action text,
    agreed_by_date date,
    closed_on date,
    --  Notices that go out once: the stage last warned (due_soon), the top stage's deadline
    --  passed, the overall limit passed.
    warned_stage integer NOT NULL DEFAULT 0,
    top_overdue_noticed boolean NOT NULL DEFAULT false,
    overall_overdue_noticed boolean NOT NULL DEFAULT false,
    --  Raised automatically from an alert (policy), else NULL.
    policy text,
    deadline_id bigint,
    alert_seq bigint,
    --  The head of the step chain: how many steps and the last one's hash.
    step_count integer NOT NULL DEFAULT 0,
    last_hash text NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX dispute_child ON escalation.dispute (la_code, child_id);
CREATE INDEX dispute_open ON escalation.dispute (due_on) WHERE state = 'open';
--  At most one open automatic dispute per child and deadline.
CREATE UNIQUE INDEX dispute_automatic ON escalation.dispute (la_code, child_id, deadline_id)
    WHERE deadline_id IS NOT NULL AND state = 'open';

--  One row per step, never changed. hash = SHA-256 of the canonical encoding of every column
--  but hash itself (docs/escalation.md "The chain"); the first step's prev_hash is 64 zeros.
CREATE TABLE escalation.dispute_step (
    la_code text NOT NULL,
    dispute_id bigint NOT NULL REFERENCES escalation.dispute (id),
    n integer NOT NULL CHECK (n >= 1),
    verb text NOT NULL,
    by_user text NOT NULL,
    role text NOT NULL,
    at timestamptz NOT NULL,                    --  the daemon's clock, to the millisecond
    stage_from integer NOT NULL,                --  0 for the raise
    stage_to integer NOT NULL,
    text text NOT NULL DEFAULT '',
    detail text NOT NULL DEFAULT '',            --  the verb's facts, "key=value" lines
    prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (dispute_id, n)
);

--  The dispute feed (jy_feed "disputes"): envelope is the published frame.
CREATE TABLE escalation.dispute_feed (
    seq bigint PRIMARY KEY,
    la_code text NOT NULL,
    dispute_id bigint NOT NULL REFERENCES escalation.dispute (id),
    what text NOT NULL,
    envelope bytea NOT NULL
);
CREATE INDEX dispute_feed_dispute ON escalation.dispute_feed (dispute_id, seq);

--  --- Append-only ----------------------------------------------------------------------------
--  The daemon's role loses the rights 001 gave it by default, and a trigger refuses the change
--  to anyone else (the owner included) short of a superuser disabling it: steps and notices
--  are never updated or deleted, disputes never deleted.

REVOKE UPDATE, DELETE, TRUNCATE ON escalation.dispute_step FROM journey_escalation;
REVOKE UPDATE, DELETE, TRUNCATE ON escalation.dispute_feed FROM journey_escalation;
REVOKE DELETE, TRUNCATE ON escalation.dispute FROM journey_escalation;

CREATE FUNCTION escalation.refuse_change () RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on escalation.% refused: the dispute record is append-only',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER dispute_step_append_only BEFORE UPDATE OR DELETE ON escalation.dispute_step
    FOR EACH ROW EXECUTE FUNCTION escalation.refuse_change ();
CREATE TRIGGER dispute_step_no_truncate BEFORE TRUNCATE ON escalation.dispute_step
    FOR EACH STATEMENT EXECUTE FUNCTION escalation.refuse_change ();
CREATE TRIGGER dispute_feed_append_only BEFORE UPDATE OR DELETE ON escalation.dispute_feed
    FOR EACH ROW EXECUTE FUNCTION escalation.refuse_change ();
CREATE TRIGGER dispute_feed_no_truncate BEFORE TRUNCATE ON escalation.dispute_feed
    FOR EACH STATEMENT EXECUTE FUNCTION escalation.refuse_change ();
CREATE TRIGGER dispute_no_delete BEFORE DELETE ON escalation.dispute
    FOR EACH ROW EXECUTE FUNCTION escalation.refuse_change ();
CREATE TRIGGER dispute_no_truncate BEFORE TRUNCATE ON escalation.dispute
    FOR EACH STATEMENT EXECUTE FUNCTION escalation.refuse_change ();
