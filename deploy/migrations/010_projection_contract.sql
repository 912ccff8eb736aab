--  010_projection_contract: the projection as a declared interface, version 1.
--
--  journey-ingestd writes the case projection in its own schema (003, 008); the other
--  services used to read those tables directly, each with its own column list, so that a change
--  in ingest could silently change a deadline or the board pack. From here they read only the
--  views of the `projection` schema below: one per table another service may read, naming
--  exactly the columns readers may rely on, each with what it means. ingest may change its
--  tables freely behind them as long as every view still gives the same columns with the same
--  meaning.
--
--  The contract is versioned by migration: a change to a view (a column added, removed,
--  renamed or given another meaning, a view added or dropped) is a contract change, made by a
--  new migration (never an edit of this one) that says so in its header, with
--  docs/database.md ("The projection contract") updated. tests/integration/test_contract.c
--  (ctest integration.contract) prepares every reader's statements as that reader's role
--  against the migrated database, so a change that breaks a reader fails there.
--
--  The views run with their owner's rights (the admin role that runs migrations; not
--  security_invoker), so a reader needs SELECT on the view and USAGE on `projection` only, and
--  loses its direct SELECT on the ingest tables the views replace. journey-timelinessd keeps
--  SELECT on ingest.event: the event feed's catch-up (jy_feed, docs/database.md "Feeds") is the
--  feed's own contract, not the projection's. The views are simple, so PostgreSQL plans a query
--  on one exactly as on its table (indexes included).

CREATE SCHEMA projection;
COMMENT ON SCHEMA projection IS
    'The case projection journey-ingestd publishes to the other services: contract version 1 '
    '(migration 010). A change to a view is a new migration and a contract change.';

CREATE VIEW projection.child AS
    SELECT la_code, child_id, date_of_birth, closed_on, team_id, worker_id
      FROM ingest.child;
COMMENT ON VIEW projection.child IS 'One row per child: the case as it stands now.';
COMMENT ON COLUMN projection.child.la_code IS 'the local authority';
COMMENT ON COLUMN projection.child.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.child.date_of_birth IS 'date of birth; NULL when not known (unborn)';
COMMENT ON COLUMN projection.child.closed_on IS 'the closure in force; NULL while the case is open (a contact or referral after a closure reopens it)';
COMMENT ON COLUMN projection.child.team_id IS 'the team of the current allocation; NULL when unallocated';
COMMENT ON COLUMN projection.child.worker_id IS 'the worker of the current allocation; NULL when unallocated';

CREATE VIEW projection.contact AS
    SELECT la_code, child_id, contact_id, received_on, decided_on
      FROM ingest.contact;
COMMENT ON VIEW projection.contact IS 'Contacts received (the front door).';
COMMENT ON COLUMN projection.contact.la_code IS 'the local authority';
COMMENT ON COLUMN projection.contact.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.contact.contact_id IS 'the contact, unique per child';
COMMENT ON COLUMN projection.contact.received_on IS 'day the contact was received (starts the contact decision clock)';
COMMENT ON COLUMN projection.contact.decided_on IS 'day the contact was decided; NULL while undecided';

CREATE VIEW projection.referral AS
    SELECT la_code, child_id, referral_id, received_on, closed_on, team_id
      FROM ingest.referral;
COMMENT ON VIEW projection.referral IS 'Referrals to children''s social care.';
COMMENT ON COLUMN projection.referral.la_code IS 'the local authority';
COMMENT ON COLUMN projection.referral.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.referral.referral_id IS 'the referral, unique per child';
COMMENT ON COLUMN projection.referral.received_on IS 'day the referral was received';
COMMENT ON COLUMN projection.referral.closed_on IS 'day the referral (the episode of need) closed; NULL while open';
COMMENT ON COLUMN projection.referral.team_id IS 'the team recorded on the referral; NULL when none';

CREATE VIEW projection.assessment AS
    SELECT la_code, child_id, assessment_id, referral_id, started_on, completed_on, authorised_on, legacy_initial
      FROM ingest.assessment;
COMMENT ON VIEW projection.assessment IS 'Child and family assessments.';
COMMENT ON COLUMN projection.assessment.la_code IS 'the local authority';
COMMENT ON COLUMN projection.assessment.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.assessment.assessment_id IS 'the assessment, unique per child';
COMMENT ON COLUMN projection.assessment.referral_id IS 'the referral it answers; NULL when not named';
COMMENT ON COLUMN projection.assessment.started_on IS 'day the assessment started';
COMMENT ON COLUMN projection.assessment.completed_on IS 'day it was completed; NULL while open';
COMMENT ON COLUMN projection.assessment.authorised_on IS 'day a manager authorised it; NULL until then';
COMMENT ON COLUMN projection.assessment.legacy_initial IS 'true for a pre-2013 initial assessment (clock legacy_initial); NULL when not known';

CREATE VIEW projection.strategy AS
    SELECT la_code, child_id, strategy_id, referral_id, held_on, s47_started, s47_id
      FROM ingest.strategy;
COMMENT ON VIEW projection.strategy IS 'Strategy discussions.';
COMMENT ON COLUMN projection.strategy.la_code IS 'the local authority';
COMMENT ON COLUMN projection.strategy.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.strategy.strategy_id IS 'the discussion, unique per child';
COMMENT ON COLUMN projection.strategy.referral_id IS 'the referral it belongs to; NULL when not named';
COMMENT ON COLUMN projection.strategy.held_on IS 'day it was held';
COMMENT ON COLUMN projection.strategy.s47_started IS 'whether it decided to start a section 47 enquiry';
COMMENT ON COLUMN projection.strategy.s47_id IS 'the enquiry it started; NULL when none';

CREATE VIEW projection.s47 AS
    SELECT la_code, child_id, s47_id, strategy_id, started_on, completed_on, icpc_required
      FROM ingest.s47;
COMMENT ON VIEW projection.s47 IS 'Section 47 enquiries.';
COMMENT ON COLUMN projection.s47.la_code IS 'the local authority';
COMMENT ON COLUMN projection.s47.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.s47.s47_id IS 'the enquiry, unique per child';
COMMENT ON COLUMN projection.s47.strategy_id IS 'the strategy discussion that started it; NULL when not named';
COMMENT ON COLUMN projection.s47.started_on IS 'day the enquiry started';
COMMENT ON COLUMN projection.s47.completed_on IS 'day it was completed; NULL while open';
COMMENT ON COLUMN projection.s47.icpc_required IS 'whether it concluded an initial child protection conference is needed';

CREATE VIEW projection.booking AS
    SELECT la_code, child_id, conference_id, kind, booked_on, planned_on, cancelled_on, held_on
      FROM ingest.booking;
COMMENT ON VIEW projection.booking IS 'Conferences and reviews booked; open while neither held nor cancelled.';
COMMENT ON COLUMN projection.booking.la_code IS 'the local authority';
COMMENT ON COLUMN projection.booking.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.booking.conference_id IS 'the booking, unique per child';
COMMENT ON COLUMN projection.booking.kind IS 'icpc, rcpc, cla_review, cin_review, core_group or pathway_review';
COMMENT ON COLUMN projection.booking.booked_on IS 'day it was booked';
COMMENT ON COLUMN projection.booking.planned_on IS 'day it is planned for';
COMMENT ON COLUMN projection.booking.cancelled_on IS 'day it was cancelled; NULL when not';
COMMENT ON COLUMN projection.booking.held_on IS 'day it was held; NULL until then';

CREATE VIEW projection.meeting AS
    SELECT la_code, child_id, meeting_id, kind, held_on, conference_id, s47_id, plan_id, period_id, plan_made
      FROM ingest.meeting;
COMMENT ON VIEW projection.meeting IS 'Conferences, reviews and core groups held.';
COMMENT ON COLUMN projection.meeting.la_code IS 'the local authority';
COMMENT ON COLUMN projection.meeting.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.meeting.meeting_id IS 'the conference_id, or the event_id when the event names no booking';
COMMENT ON COLUMN projection.meeting.kind IS 'icpc, rcpc, cla_review, cin_review, core_group or pathway_review';
COMMENT ON COLUMN projection.meeting.held_on IS 'day it was held';
COMMENT ON COLUMN projection.meeting.conference_id IS 'the booking it held; NULL when none';
COMMENT ON COLUMN projection.meeting.s47_id IS 'the enquiry an ICPC follows; NULL when not named';
COMMENT ON COLUMN projection.meeting.plan_id IS 'the plan it reviews or makes; NULL when none';
COMMENT ON COLUMN projection.meeting.period_id IS 'the period of care it reviews; NULL when none';
COMMENT ON COLUMN projection.meeting.plan_made IS 'whether a conference made a child protection plan';

CREATE VIEW projection.cp_plan AS
    SELECT la_code, child_id, plan_id, started_on, ended_on
      FROM ingest.cp_plan;
COMMENT ON VIEW projection.cp_plan IS 'Child protection plans.';
COMMENT ON COLUMN projection.cp_plan.la_code IS 'the local authority';
COMMENT ON COLUMN projection.cp_plan.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.cp_plan.plan_id IS 'the plan, unique per child';
COMMENT ON COLUMN projection.cp_plan.started_on IS 'day the plan started';
COMMENT ON COLUMN projection.cp_plan.ended_on IS 'day it ended; NULL while open';

CREATE VIEW projection.cin_plan AS
    SELECT la_code, child_id, plan_id, started_on, ended_on
      FROM ingest.cin_plan;
COMMENT ON VIEW projection.cin_plan IS 'Child in need plans.';
COMMENT ON COLUMN projection.cin_plan.la_code IS 'the local authority';
COMMENT ON COLUMN projection.cin_plan.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.cin_plan.plan_id IS 'the plan, unique per child';
COMMENT ON COLUMN projection.cin_plan.started_on IS 'day the plan started';
COMMENT ON COLUMN projection.cin_plan.ended_on IS 'day it ended; NULL while open';

CREATE VIEW projection.visit AS
    SELECT la_code, child_id, event_id, visited_on, seen, context
      FROM ingest.visit;
COMMENT ON VIEW projection.visit IS 'Statutory visits.';
COMMENT ON COLUMN projection.visit.la_code IS 'the local authority';
COMMENT ON COLUMN projection.visit.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.visit.event_id IS 'the visit''s event';
COMMENT ON COLUMN projection.visit.visited_on IS 'day of the visit';
COMMENT ON COLUMN projection.visit.seen IS 'whether the child was seen';
COMMENT ON COLUMN projection.visit.context IS 'cp, cin, cla or care_leaver: the plan or status the visit was for';

CREATE VIEW projection.care_period AS
    SELECT la_code, child_id, period_id, started_on, ended_on
      FROM ingest.care_period;
COMMENT ON VIEW projection.care_period IS 'Periods of care (looked after).';
COMMENT ON COLUMN projection.care_period.la_code IS 'the local authority';
COMMENT ON COLUMN projection.care_period.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.care_period.period_id IS 'the period, unique per child';
COMMENT ON COLUMN projection.care_period.started_on IS 'day the child became looked after';
COMMENT ON COLUMN projection.care_period.ended_on IS 'day the period ended; NULL while looked after';

CREATE VIEW projection.placement AS
    SELECT la_code, child_id, placement_id, period_id, started_on, ended_on, in_area, distance_miles, long_term
      FROM ingest.placement;
COMMENT ON VIEW projection.placement IS 'Placements within periods of care.';
COMMENT ON COLUMN projection.placement.la_code IS 'the local authority';
COMMENT ON COLUMN projection.placement.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.placement.placement_id IS 'the placement, unique per child';
COMMENT ON COLUMN projection.placement.period_id IS 'the period of care it belongs to; NULL when not named';
COMMENT ON COLUMN projection.placement.started_on IS 'day it started';
COMMENT ON COLUMN projection.placement.ended_on IS 'day it ended; NULL while open';
COMMENT ON COLUMN projection.placement.in_area IS 'whether it is inside the LA''s area; NULL when not known';
COMMENT ON COLUMN projection.placement.distance_miles IS 'miles from home; NULL when not known';
COMMENT ON COLUMN projection.placement.long_term IS 'whether it is meant to last until the child is 18 (the CLA visit interval); NULL when not known';

CREATE VIEW projection.health AS
    SELECT la_code, child_id, event_id, kind, done_on
      FROM ingest.health;
COMMENT ON VIEW projection.health IS 'Health assessments of looked-after children.';
COMMENT ON COLUMN projection.health.la_code IS 'the local authority';
COMMENT ON COLUMN projection.health.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.health.event_id IS 'the assessment''s event';
COMMENT ON COLUMN projection.health.kind IS 'initial or review';
COMMENT ON COLUMN projection.health.done_on IS 'day it was done';

CREATE VIEW projection.pep AS
    SELECT la_code, child_id, event_id, done_on
      FROM ingest.pep;
COMMENT ON VIEW projection.pep IS 'Personal education plan meetings.';
COMMENT ON COLUMN projection.pep.la_code IS 'the local authority';
COMMENT ON COLUMN projection.pep.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.pep.event_id IS 'the PEP''s event';
COMMENT ON COLUMN projection.pep.done_on IS 'day it was done';

CREATE VIEW projection.missing AS
    SELECT la_code, child_id, episode_id, started_on, ended_on, hours_missing, rhi_on
      FROM ingest.missing;
COMMENT ON VIEW projection.missing IS 'Missing episodes.';
COMMENT ON COLUMN projection.missing.la_code IS 'the local authority';
COMMENT ON COLUMN projection.missing.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.missing.episode_id IS 'the episode, unique per child';
COMMENT ON COLUMN projection.missing.started_on IS 'day the child went missing';
COMMENT ON COLUMN projection.missing.ended_on IS 'day the child returned; NULL while missing';
COMMENT ON COLUMN projection.missing.hours_missing IS 'hours missing; NULL when not recorded';
COMMENT ON COLUMN projection.missing.rhi_on IS 'day of the return home interview; NULL until held';

CREATE VIEW projection.allocation AS
    SELECT la_code, child_id, event_id, worker_id, team_id, allocated_on, ended_on
      FROM ingest.allocation;
COMMENT ON VIEW projection.allocation IS 'Allocation spells: at most one open per child.';
COMMENT ON COLUMN projection.allocation.la_code IS 'the local authority';
COMMENT ON COLUMN projection.allocation.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.allocation.event_id IS 'the allocating event';
COMMENT ON COLUMN projection.allocation.worker_id IS 'the worker allocated; NULL when unallocated';
COMMENT ON COLUMN projection.allocation.team_id IS 'the team allocated; NULL when none';
COMMENT ON COLUMN projection.allocation.allocated_on IS 'day the spell started';
COMMENT ON COLUMN projection.allocation.ended_on IS 'day it ended; NULL while current';

CREATE VIEW projection.case_closure AS
    SELECT la_code, child_id, event_id, closed_on
      FROM ingest.case_closure;
COMMENT ON VIEW projection.case_closure IS 'Every closure of a child''s case, not only the one in force.';
COMMENT ON COLUMN projection.case_closure.la_code IS 'the local authority';
COMMENT ON COLUMN projection.case_closure.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.case_closure.event_id IS 'the case_closed event';
COMMENT ON COLUMN projection.case_closure.closed_on IS 'day the case closed';

CREATE VIEW projection.adoption AS
    SELECT la_code, child_id, adm_on, placement_order_on, matched_on, placed_on, adopted_on
      FROM ingest.adoption;
COMMENT ON VIEW projection.adoption IS 'One row per child on the adoption pathway.';
COMMENT ON COLUMN projection.adoption.la_code IS 'the local authority';
COMMENT ON COLUMN projection.adoption.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.adoption.adm_on IS 'day of the agency decision maker''s decision; NULL until then';
COMMENT ON COLUMN projection.adoption.placement_order_on IS 'day the placement order was made; NULL until then';
COMMENT ON COLUMN projection.adoption.matched_on IS 'day the child was matched with adopters; NULL until then';
COMMENT ON COLUMN projection.adoption.placed_on IS 'day the child was placed for adoption; NULL until then';
COMMENT ON COLUMN projection.adoption.adopted_on IS 'day of the adoption order; NULL until then';

CREATE VIEW projection.care_leaver AS
    SELECT la_code, child_id, event_id, contact_on, accommodation_suitable, activity
      FROM ingest.care_leaver;
COMMENT ON VIEW projection.care_leaver IS 'Contacts with care leavers.';
COMMENT ON COLUMN projection.care_leaver.la_code IS 'the local authority';
COMMENT ON COLUMN projection.care_leaver.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.care_leaver.event_id IS 'the contact''s event';
COMMENT ON COLUMN projection.care_leaver.contact_on IS 'day of the contact';
COMMENT ON COLUMN projection.care_leaver.accommodation_suitable IS 'whether the accommodation is suitable; NULL when not recorded';
COMMENT ON COLUMN projection.care_leaver.activity IS 'SSDA903 activity code (F1, P1, ...); NULL when not recorded';

CREATE VIEW projection.audit AS
    SELECT la_code, child_id, event_id, audited_on, grade, team_id
      FROM ingest.audit;
COMMENT ON VIEW projection.audit IS 'Single case audits.';
COMMENT ON COLUMN projection.audit.la_code IS 'the local authority';
COMMENT ON COLUMN projection.audit.child_id IS 'the CMS''s id of the child, unique within la_code';
COMMENT ON COLUMN projection.audit.event_id IS 'the audit''s event';
COMMENT ON COLUMN projection.audit.audited_on IS 'day of the audit';
COMMENT ON COLUMN projection.audit.grade IS 'outstanding, good, requires_improvement or inadequate; NULL when not given';
COMMENT ON COLUMN projection.audit.team_id IS 'the team audited; NULL when not recorded';

CREATE VIEW projection.dead_letter AS
    SELECT la_code, code, received_at
      FROM ingest.dead_letter;
COMMENT ON VIEW projection.dead_letter IS 'Records journey-ingestd refused (docs/events.md), without their bytes.';
COMMENT ON COLUMN projection.dead_letter.la_code IS 'the local authority, '''' when it could not be read';
COMMENT ON COLUMN projection.dead_letter.code IS 'why it was refused: bad_json, conflict, missing_field, ... (docs/events.md)';
COMMENT ON COLUMN projection.dead_letter.received_at IS 'when it was received';

--  --- Who reads what (docs/database.md, "Roles and privileges") --------------------------------
--  Each reader gets the views its queries read, the same tables 009 granted, and loses its
--  direct read of them. The queries: journey-timelinessd's derivation (services/timeliness/
--  child_records.c), caseloads (thresholds.c) and the KPI measures (common/src/jy_measures.c);
--  journey-escalationd's periods of care (services/escalation/dispute_store.c: who chairs a
--  child's review); journey-reportingd's board pack (services/reporting/pack_sql.c and the
--  measures).

GRANT USAGE ON SCHEMA projection TO journey_timeliness, journey_escalation, journey_reporting;

GRANT SELECT ON projection.child, projection.contact, projection.referral, projection.assessment, projection.strategy,
                projection.s47, projection.booking, projection.meeting, projection.cp_plan, projection.cin_plan,
                projection.visit, projection.care_period, projection.placement, projection.health, projection.pep,
                projection.missing, projection.allocation, projection.case_closure, projection.adoption, projection.care_leaver,
                projection.audit
    TO journey_timeliness;
REVOKE SELECT ON ingest.child, ingest.contact, ingest.referral, ingest.assessment, ingest.strategy,
                  ingest.s47, ingest.booking, ingest.meeting, ingest.cp_plan, ingest.cin_plan,
                  ingest.visit, ingest.care_period, ingest.placement, ingest.health, ingest.pep,
                  ingest.missing, ingest.allocation, ingest.case_closure, ingest.adoption, ingest.care_leaver,
                  ingest.audit
    FROM journey_timeliness;

GRANT SELECT ON projection.care_period
    TO journey_escalation;
REVOKE SELECT ON ingest.care_period
    FROM journey_escalation;

GRANT SELECT ON projection.child, projection.referral, projection.s47, projection.meeting, projection.cp_plan,
                projection.care_period, projection.placement, projection.missing, projection.allocation, projection.adoption,
                projection.care_leaver, projection.audit, projection.dead_letter
    TO journey_reporting;
REVOKE SELECT ON ingest.child, ingest.referral, ingest.s47, ingest.meeting, ingest.cp_plan,
                  ingest.care_period, ingest.placement, ingest.missing, ingest.allocation, ingest.adoption,
                  ingest.care_leaver, ingest.audit, ingest.dead_letter
    FROM journey_reporting;
