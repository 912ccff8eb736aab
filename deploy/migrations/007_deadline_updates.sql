--  007_deadline_updates: cheaper day rollovers for timeliness.deadline.
--
--  Every day journey-timelinessd updates the state and alert bits of the deadlines whose day
--  came (tens of thousands of rows in a large authority). An update that changes no indexed
--  column and finds room on its page is a HOT update: one heap page written, no index touched.
--  Two things stood in the way:
--
--  *   deadline_running, a partial index WHERE state IN ('open', 'missed'): its predicate made
--      `state` an indexed column, so every open -> missed change wrote all four indexes. No
--      query uses it (the daemon loads running deadlines in id order by the primary key; the
--      board pack's queries do not filter on those states), so it goes.
--  *   full pages: with fillfactor 85 each page keeps room for its rows' next versions, which
--      page pruning then reclaims.
--
--  Pages written before this migration fill up as before; new ones keep the room. A table
--  already large can be rewritten once, in a maintenance window, with VACUUM FULL
--  timeliness.deadline (docs/timeliness.md, "Performance").

DROP INDEX timeliness.deadline_running;
ALTER TABLE timeliness.deadline SET (fillfactor = 85);

--  The alert feed's head moved by its one writer from from_head to to_head, inside the single
--  statement that stores a live flush (services/timeliness/store.c, tl_store_write_live): the
--  deadlines, the alerts, this head and the event feed position, one round trip and one
--  commit. When the head is not where the writer left it, an error, and so nothing of that
--  statement is stored.
CREATE FUNCTION timeliness.alert_head_move (from_head bigint, to_head bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE timeliness.feed_head SET head = to_head WHERE feed = 'alerts' AND head = from_head;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the alert feed head is not at %: is another journey-timelinessd writing?',
            from_head USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN to_head;
END
$$;
REVOKE EXECUTE ON FUNCTION timeliness.alert_head_move (bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION timeliness.alert_head_move (bigint, bigint) TO journey_timeliness;
