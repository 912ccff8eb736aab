--  002_ingest_events: the accepted events (which are also the event feed's table) and the dead
--  letters. journey-ingestd is the only writer (rights from 001's default privileges).
--
--  ingest.event: one row per accepted event, numbered by the `events` feed (jy_feed_reserve
--  takes the numbers from ingest.feed_head in the same transaction, so seq is gap-free in commit
--  order). envelope holds the exact bytes published live, Envelope{feed_seq, event}, so a
--  subscriber catching up from this table sees the same frames as one following the feed
--  (common/src/jy_feed.c reads `SELECT seq, envelope FROM ingest.event WHERE seq > $1`).
--  content_hash is the SHA-256 of the packed Event: the idempotency check compares it.

CREATE TABLE ingest.event (
    seq bigint PRIMARY KEY,
    la_code text NOT NULL,
    event_id text NOT NULL,         --  the source's id: the idempotency key within the LA
    child_id text NOT NULL,
    kind text NOT NULL,             --  the payload's field name, e.g. referral_received
    occurred_on date NOT NULL,
    recorded_at timestamptz NOT NULL,
    supersedes text,                --  the event_id a correction replaces
    content_hash bytea NOT NULL,
    envelope bytea NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (la_code, event_id)
);
--  A child's history in order.
CREATE INDEX event_child ON ingest.event (la_code, child_id, seq);

--  ingest.dead_letter: everything refused, with its raw bytes and the reason (DESIGN.md
--  invariant 4). raw is the packed Event as received, the sender's unparsed bytes (bad_json),
--  or the whole request frame (bad_frame, unknown_payload). la_code is '' when the input named
--  none or could not be read.

CREATE TABLE ingest.dead_letter (
    id bigserial PRIMARY KEY,
    la_code text NOT NULL,
    event_id text,
    child_id text,
    received_at timestamptz NOT NULL DEFAULT now(),
    batch_id text,
    batch_index int,
    code text NOT NULL,             --  docs/events.md: bad_json, conflict, missing_field, ...
    field text,
    message text NOT NULL,
    raw bytea NOT NULL
);
CREATE INDEX dead_letter_code ON ingest.dead_letter (la_code, code);
