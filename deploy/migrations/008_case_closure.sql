--  008_case_closure: every closure of a child's case, not only the current one.
--
--  ingest.child.closed_on holds the closure in force, and a contact or referral after it clears
--  it (the case reopens). journey-timelinessd derives deadlines from the projection, and with
--  only the current closure it could not tell that an earlier closure had cancelled a clock:
--  a reopened case revived every clock its closure had cancelled, long past due, and announced
--  them as overdue. This table keeps each closure (one row per case_closed event, written by
--  journey-ingestd from now on), and the closures already recorded are taken from the stored
--  events: the case_closed events no correction or retraction has replaced. A correction of a
--  closure is itself a case_closed event naming the one it replaces in `supersedes`; a
--  retraction names its target only in its payload, Retraction.retracts (field 1, a string:
--  the byte 0x0a, the id's length, which validation keeps within 1-64, and the id), found here
--  in the stored envelope of a retraction of the same child. The reason is in the payload too;
--  it is left NULL for these rows. tests/integration/migration_case_closure.sh checks this
--  statement against what journey-ingestd writes.

CREATE TABLE ingest.case_closure (
    la_code text NOT NULL,
    child_id text NOT NULL,
    event_id text NOT NULL,
    closed_on date,
    close_reason text,
    PRIMARY KEY (la_code, child_id, event_id)
);

INSERT INTO ingest.case_closure (la_code, child_id, event_id, closed_on)
SELECT e.la_code, e.child_id, e.event_id, e.occurred_on
  FROM ingest.event e
 WHERE e.kind = 'case_closed'
   AND NOT EXISTS (SELECT 1 FROM ingest.event x
                    WHERE x.la_code = e.la_code AND x.supersedes = e.event_id)
   AND NOT EXISTS (SELECT 1 FROM ingest.event r
                    WHERE r.la_code = e.la_code AND r.child_id = e.child_id
                      AND r.kind = 'retraction'
                      AND position ('\x0a'::bytea
                                    || set_byte ('\x00'::bytea, 0, octet_length (e.event_id))
                                    || convert_to (e.event_id, 'UTF8') IN r.envelope) > 0);
