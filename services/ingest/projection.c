/*  projection: the case projection's tables and the event map (projection.h).

    Both are data a reader sees whole: s_tables (what deploy/migrations/003_ingest_projection.sql
    creates, column for column) and s_map (which rows each payload writes, and from what). The
    map is interpreted through the protobuf-c descriptors, so adding an assignment is one line
    here, not code. The few effects that are not plain assignments are the s_hook_* functions
    below, each named in the map.

    Every DOMAIN.md clock and measure is computable from these tables plus ingest.event, e.g.
    assessment: referral.received_on -> assessment.authorised_on; ICPC: strategy.held_on (via
    s47.strategy_id, meeting.s47_id) or s47.started_on -> meeting(kind icpc).held_on; drift:
    booking.planned_on of the open booking (held_on and cancelled_on NULL); CLA visits:
    placement.started_on/long_term -> visit(context cla); A1/A2: care_period.started_on,
    adoption.*; caseloads: child.worker_id of open cases (closed_on NULL).
*/
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "projection.h"
#include "case_store.h"

//  --- The projection tables ---------------------------------------------------------------

#define D  "date"
#define T  "text"
#define B  "boolean"
#define F8 "double precision"
//  column_count and columns from one list, so that they cannot disagree.
#define COLUMNS(...)                                                                               \
    (int) (sizeof ((proj_column_t[]){__VA_ARGS__}) / sizeof (proj_column_t)),                      \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

static const proj_table_def_t s_tables[PROJ__COUNT] = {
    [PROJ_CHILD] = {PROJ_CHILD, "child", "child_id",
                    COLUMNS ({"date_of_birth", D}, {"expected_date_of_birth", D}, {"unborn", B},
                             {"sex", T}, {"ethnicity", T}, {"disability", B}, {"uasc", B},
                             {"registered_on", D}, {"closed_on", D}, {"close_reason", T},
                             {"team_id", T}, {"worker_id", T}, {"allocated_on", D})},
    [PROJ_CONTACT] = {PROJ_CONTACT, "contact", "contact_id",
                      COLUMNS ({"received_on", D}, {"contact_source", T}, {"decided_on", D},
                               {"outcome", T}, {"team_id", T}, {"worker_id", T})},
    [PROJ_REFERRAL] = {PROJ_REFERRAL, "referral", "referral_id",
                       COLUMNS ({"received_on", D}, {"contact_id", T}, {"referral_source", T},
                                {"closed_on", D}, {"closure_reason", T}, {"team_id", T},
                                {"worker_id", T})},
    [PROJ_ASSESSMENT] = {PROJ_ASSESSMENT, "assessment", "assessment_id",
                         COLUMNS ({"referral_id", T}, {"started_on", D}, {"completed_on", D},
                                  {"authorised_on", D}, {"outcome", T}, {"factors", T},
                                  {"legacy_initial", B}, {"team_id", T}, {"worker_id", T})},
    [PROJ_STRATEGY] = {PROJ_STRATEGY, "strategy", "strategy_id",
                       COLUMNS ({"referral_id", T}, {"held_on", D}, {"s47_started", B},
                                {"s47_id", T})},
    [PROJ_S47] = {PROJ_S47, "s47", "s47_id",
                  COLUMNS ({"strategy_id", T}, {"started_on", D}, {"completed_on", D},
                           {"icpc_required", B}, {"outcome", T})},
    //  A booking is open while held_on and cancelled_on are NULL: its planned_on is what
    //  drift warnings compare with the due date.
    [PROJ_BOOKING] = {PROJ_BOOKING, "booking", "conference_id",
                      COLUMNS ({"kind", T}, {"booked_on", D}, {"planned_on", D}, {"cancels", T},
                               {"cancelled_on", D}, {"held_on", D})},
    //  Keyed by the conference_id when the event names one, else by the event_id (core
    //  groups, CIN and pathway reviews have no booking id).
    [PROJ_MEETING] = {PROJ_MEETING, "meeting", "meeting_id",
                      COLUMNS ({"kind", T}, {"held_on", D}, {"conference_id", T}, {"s47_id", T},
                               {"plan_id", T}, {"period_id", T}, {"plan_made", B}, {"category", T},
                               {"plan_continues", B})},
    [PROJ_CP_PLAN] = {PROJ_CP_PLAN, "cp_plan", "plan_id",
                      COLUMNS ({"started_on", D}, {"ended_on", D}, {"category", T},
                               {"conference_id", T}, {"end_reason", T})},
    [PROJ_CIN_PLAN] = {PROJ_CIN_PLAN, "cin_plan", "plan_id",
                       COLUMNS ({"started_on", D}, {"ended_on", D}, {"end_reason", T})},
    [PROJ_VISIT] = {PROJ_VISIT, "visit", "event_id",
                    COLUMNS ({"visited_on", D}, {"seen", B}, {"seen_alone", B}, {"context", T},
                             {"worker_id", T})},
    //  legal_status here is the status the period started with; legal_status rows hold the
    //  whole history (the start included).
    [PROJ_CARE_PERIOD] = {PROJ_CARE_PERIOD, "care_period", "period_id",
                          COLUMNS ({"started_on", D}, {"ended_on", D}, {"legal_status", T},
                                   {"category_of_need", T}, {"reason_ceased", T})},
    [PROJ_LEGAL_STATUS] = {PROJ_LEGAL_STATUS, "legal_status", "event_id",
                           COLUMNS ({"period_id", T}, {"from_on", D}, {"legal_status", T})},
    [PROJ_PLACEMENT] = {PROJ_PLACEMENT, "placement", "placement_id",
                        COLUMNS ({"period_id", T}, {"started_on", D}, {"ended_on", D},
                                 {"placement_type", T}, {"in_area", B}, {"distance_miles", F8},
                                 {"long_term", B}, {"end_reason", T})},
    [PROJ_HEALTH] = {PROJ_HEALTH, "health", "event_id", COLUMNS ({"kind", T}, {"done_on", D})},
    [PROJ_PEP] = {PROJ_PEP, "pep", "event_id", COLUMNS ({"done_on", D})},
    [PROJ_MISSING] = {PROJ_MISSING, "missing", "episode_id",
                      COLUMNS ({"started_on", D}, {"ended_on", D}, {"away_from_placement", B},
                               {"hours_missing", F8}, {"rhi_on", D}, {"rhi_accepted", B})},
    [PROJ_ADOPTION] = {PROJ_ADOPTION, "adoption", "child_id",
                       COLUMNS ({"adm_on", D}, {"placement_order_on", D}, {"matched_on", D},
                                {"placed_on", D}, {"placement_id", T}, {"adopted_on", D})},
    [PROJ_CARE_LEAVER] = {PROJ_CARE_LEAVER, "care_leaver", "event_id",
                          COLUMNS ({"contact_on", D}, {"in_touch", B},
                                   {"accommodation_suitable", B}, {"activity", T})},
    [PROJ_ALLOCATION] = {PROJ_ALLOCATION, "allocation", "event_id",
                         COLUMNS ({"worker_id", T}, {"team_id", T}, {"allocated_on", D},
                                  {"ended_on", D})},
    [PROJ_AUDIT] = {PROJ_AUDIT, "audit", "event_id",
                    COLUMNS ({"audited_on", D}, {"grade", T}, {"auditor_id", T}, {"team_id", T},
                             {"worker_id", T})},
    [PROJ_CASE_CLOSURE] = {PROJ_CASE_CLOSURE, "case_closure", "event_id",
                           COLUMNS ({"closed_on", D}, {"close_reason", T})},
};

const proj_table_def_t *projection_table (proj_table_t table)
{
    assert (table >= 0 && table < PROJ__COUNT);
    return &s_tables[table];
}

int projection_column (proj_table_t table, const char *column)
{
    const proj_table_def_t *def = projection_table (table);
    //  Called for every column read while validating: the first character rules out most.
    for (int i = 0; i < def->column_count; i++)
        if (def->columns[i].name[0] == column[0] && strcmp (def->columns[i].name, column) == 0)
            return i;
    return -1;
}

//  --- The hooks: effects that are not plain assignments ------------------------------------

typedef void (proj_hook_fn) (case_child_t *child, const Journey__V1__Event *event, case_row_t *row);

static int s_column (proj_table_t table, const char *name)
{
    int column = projection_column (table, name);
    assert (column >= 0);
    return column;
}

//  A strategy discussion that starts a s47 enquiry creates the enquiry's row.
static void s_hook_start_s47 (case_child_t *child, const Journey__V1__Event *event, case_row_t *row)
{
    const Journey__V1__StrategyDiscussion *sd = event->strategy_discussion;
    if (!sd->has_s47_started || !sd->s47_started || !sd->s47_id)
        return;
    case_row_t *s47 = case_child_upsert (child, PROJ_S47, sd->s47_id);
    case_row_set (s47, s_column (PROJ_S47, "strategy_id"), case_row_key (row));
    case_row_set (s47, s_column (PROJ_S47, "started_on"), event->occurred_on);
}

//  A conference or review held marks its booking (same conference_id) held, if it was booked.
static void s_hook_booking_held (case_child_t *child, const Journey__V1__Event *event,
                                 case_row_t *row)
{
    const char *conference_id = case_row_value (row, s_column (PROJ_MEETING, "conference_id"));
    if (!conference_id)
        return;
    case_row_t *booking = case_child_find (child, PROJ_BOOKING, conference_id);
    if (booking)
        case_row_set (booking, s_column (PROJ_BOOKING, "held_on"), event->occurred_on);
}

//  A booking that replaces another one cancels it.
static void s_hook_cancel_booking (case_child_t *child, const Journey__V1__Event *event,
                                   case_row_t *row)
{
    const char *cancels = event->conference_scheduled->cancels;
    if (!cancels || strcmp (cancels, case_row_key (row)) == 0)
        return;
    case_row_t *booking = case_child_find (child, PROJ_BOOKING, cancels);
    if (booking)
        case_row_set (booking, s_column (PROJ_BOOKING, "cancelled_on"), event->occurred_on);
}

//  The end of a period of care ends the placements still open in it.
static void s_hook_end_placements (case_child_t *child, const Journey__V1__Event *event,
                                   case_row_t *row)
{
    int period_column = s_column (PROJ_PLACEMENT, "period_id");
    int ended_column = s_column (PROJ_PLACEMENT, "ended_on");
    const char *period_id = case_row_key (row);
    for (case_row_t *p = case_child_first (child, PROJ_PLACEMENT); p; p = case_row_next (p)) {
        const char *of = case_row_value (p, period_column);
        if (!case_row_value (p, ended_column) && of && strcmp (of, period_id) == 0)
            case_row_set (p, ended_column, event->occurred_on);
    }
}

//  Ends every open allocation spell except `keep` (the one just opened, or none).
static void s_end_spells (case_child_t *child, const char *ended_on, case_row_t *keep)
{
    int ended_column = s_column (PROJ_ALLOCATION, "ended_on");
    for (case_row_t *a = case_child_first (child, PROJ_ALLOCATION); a; a = case_row_next (a))
        if (a != keep && !case_row_value (a, ended_column))
            case_row_set (a, ended_column, ended_on);
}

//  A new allocation ends the spell before it: one open spell per child.
static void s_hook_open_spell (case_child_t *child, const Journey__V1__Event *event,
                               case_row_t *row)
{
    s_end_spells (child, event->occurred_on, row);
}

//  Unallocation ends the open spell.
static void s_hook_end_spell (case_child_t *child, const Journey__V1__Event *event, case_row_t *row)
{
    (void) row;
    s_end_spells (child, event->occurred_on, NULL);
}

//  --- The event map -------------------------------------------------------------------------
//  Value sources: "@occurred_on", "@team_id", "@worker_id", "@event_id", "@child_id" (the
//  event's common fields), a payload field by name, "=text" (a constant), NULL (SQL NULL).
//  "a|b" takes the first of a and b that the event has. An absent value sets NULL: the event
//  states the row's content. A row whose key the event lacks is not written.

typedef struct {
    const char *column;
    const char *value;
} proj_set_t;

#define PROJ_MAX_SETS 10

typedef struct {
    const char *payload; //  the payload's field name in Event
    proj_table_t table;
    const char *key;    //  value source of the row's key
    proj_hook_fn *hook; //  after the assignments, with the row written
    proj_set_t sets[PROJ_MAX_SETS];
} proj_effect_t;

static const proj_effect_t s_map[] = {
    {"child_registered",
     PROJ_CHILD,
     "@child_id",
     NULL,
     {{"registered_on", "@occurred_on"},
      {"date_of_birth", "date_of_birth"},
      {"expected_date_of_birth", "expected_date_of_birth"},
      {"unborn", "unborn"},
      {"sex", "sex"},
      {"ethnicity", "ethnicity"},
      {"disability", "disability"},
      {"uasc", "uasc"}}},
    {"contact_received",
     PROJ_CONTACT,
     "contact_id",
     NULL,
     {{"received_on", "@occurred_on"},
      {"contact_source", "contact_source"},
      {"team_id", "@team_id"},
      {"worker_id", "@worker_id"}}},
    //  A contact or referral after the case closed reopens it.
    {"contact_received",
     PROJ_CHILD,
     "@child_id",
     NULL,
     {{"closed_on", NULL}, {"close_reason", NULL}}},
    {"contact_decided",
     PROJ_CONTACT,
     "contact_id",
     NULL,
     {{"decided_on", "@occurred_on"}, {"outcome", "outcome"}}},
    {"referral_received",
     PROJ_REFERRAL,
     "referral_id",
     NULL,
     {{"received_on", "@occurred_on"},
      {"contact_id", "contact_id"},
      {"referral_source", "referral_source"},
      {"team_id", "@team_id"},
      {"worker_id", "@worker_id"}}},
    {"referral_received",
     PROJ_CHILD,
     "@child_id",
     NULL,
     {{"closed_on", NULL}, {"close_reason", NULL}}},
    {"referral_closed",
     PROJ_REFERRAL,
     "referral_id",
     NULL,
     {{"closed_on", "@occurred_on"}, {"closure_reason", "reason"}}},
    {"assessment_started",
     PROJ_ASSESSMENT,
     "assessment_id",
     NULL,
     {{"started_on", "@occurred_on"},
      {"referral_id", "referral_id"},
      {"legacy_initial", "legacy_initial"},
      {"team_id", "@team_id"},
      {"worker_id", "@worker_id"}}},
    {"assessment_completed",
     PROJ_ASSESSMENT,
     "assessment_id",
     NULL,
     {{"completed_on", "@occurred_on"},
      {"authorised_on", "authorised_on|@occurred_on"},
      {"factors", "factors"},
      {"outcome", "outcome"}}},
    {"strategy_discussion",
     PROJ_STRATEGY,
     "strategy_id",
     s_hook_start_s47,
     {{"held_on", "@occurred_on"},
      {"referral_id", "referral_id"},
      {"s47_started", "s47_started"},
      {"s47_id", "s47_id"}}},
    {"s47_completed",
     PROJ_S47,
     "s47_id",
     NULL,
     {{"completed_on", "@occurred_on"},
      {"icpc_required", "icpc_required"},
      {"outcome", "outcome"}}},
    {"conference_scheduled",
     PROJ_BOOKING,
     "conference_id",
     s_hook_cancel_booking,
     {{"booked_on", "@occurred_on"},
      {"kind", "kind"},
      {"planned_on", "planned_on"},
      {"cancels", "cancels"}}},
    {"icpc_held",
     PROJ_MEETING,
     "conference_id|@event_id",
     s_hook_booking_held,
     {{"kind", "=icpc"},
      {"held_on", "@occurred_on"},
      {"conference_id", "conference_id"},
      {"s47_id", "s47_id"},
      {"plan_made", "plan_made"},
      {"category", "category"}}},
    {"cp_plan_started",
     PROJ_CP_PLAN,
     "plan_id",
     NULL,
     {{"started_on", "@occurred_on"},
      {"conference_id", "conference_id"},
      {"category", "category"}}},
    {"cp_plan_ended",
     PROJ_CP_PLAN,
     "plan_id",
     NULL,
     {{"ended_on", "@occurred_on"}, {"end_reason", "reason"}}},
    {"rcpc_held",
     PROJ_MEETING,
     "conference_id|@event_id",
     s_hook_booking_held,
     {{"kind", "=rcpc"},
      {"held_on", "@occurred_on"},
      {"conference_id", "conference_id"},
      {"plan_id", "plan_id"},
      {"plan_continues", "plan_continues"}}},
    {"core_group_held",
     PROJ_MEETING,
     "@event_id",
     NULL,
     {{"kind", "=core_group"}, {"held_on", "@occurred_on"}, {"plan_id", "plan_id"}}},
    {"cin_plan_started", PROJ_CIN_PLAN, "plan_id", NULL, {{"started_on", "@occurred_on"}}},
    {"cin_plan_reviewed",
     PROJ_MEETING,
     "@event_id",
     NULL,
     {{"kind", "=cin_review"}, {"held_on", "@occurred_on"}, {"plan_id", "plan_id"}}},
    {"cin_plan_ended",
     PROJ_CIN_PLAN,
     "plan_id",
     NULL,
     {{"ended_on", "@occurred_on"}, {"end_reason", "reason"}}},
    {"child_visited",
     PROJ_VISIT,
     "@event_id",
     NULL,
     {{"visited_on", "@occurred_on"},
      {"seen", "seen"},
      {"seen_alone", "seen_alone"},
      {"context", "context"},
      {"worker_id", "@worker_id"}}},
    {"period_of_care_started",
     PROJ_CARE_PERIOD,
     "period_id",
     NULL,
     {{"started_on", "@occurred_on"},
      {"legal_status", "legal_status"},
      {"category_of_need", "category_of_need"}}},
    //  The legal status history starts with the period's first status.
    {"period_of_care_started",
     PROJ_LEGAL_STATUS,
     "@event_id",
     NULL,
     {{"period_id", "period_id"}, {"from_on", "@occurred_on"}, {"legal_status", "legal_status"}}},
    {"period_of_care_ended",
     PROJ_CARE_PERIOD,
     "period_id",
     s_hook_end_placements,
     {{"ended_on", "@occurred_on"}, {"reason_ceased", "reason_ceased"}}},
    {"placement_started",
     PROJ_PLACEMENT,
     "placement_id",
     NULL,
     {{"started_on", "@occurred_on"},
      {"period_id", "period_id"},
      {"placement_type", "placement_type"},
      {"in_area", "in_area"},
      {"distance_miles", "distance_miles"},
      {"long_term", "long_term"}}},
    {"placement_ended",
     PROJ_PLACEMENT,
     "placement_id",
     NULL,
     {{"ended_on", "@occurred_on"}, {"end_reason", "reason"}}},
    {"legal_status_changed",
     PROJ_LEGAL_STATUS,
     "@event_id",
     NULL,
     {{"period_id", "period_id"}, {"from_on", "@occurred_on"}, {"legal_status", "legal_status"}}},
    {"cla_review_held",
     PROJ_MEETING,
     "conference_id|@event_id",
     s_hook_booking_held,
     {{"kind", "=cla_review"},
      {"held_on", "@occurred_on"},
      {"conference_id", "conference_id"},
      {"period_id", "period_id"}}},
    {"health_assessment",
     PROJ_HEALTH,
     "@event_id",
     NULL,
     {{"done_on", "@occurred_on"}, {"kind", "kind"}}},
    {"pep_completed", PROJ_PEP, "@event_id", NULL, {{"done_on", "@occurred_on"}}},
    {"missing_started",
     PROJ_MISSING,
     "episode_id",
     NULL,
     {{"started_on", "@occurred_on"}, {"away_from_placement", "away_from_placement"}}},
    {"missing_ended",
     PROJ_MISSING,
     "episode_id",
     NULL,
     {{"ended_on", "@occurred_on"}, {"hours_missing", "hours_missing"}}},
    {"return_interview",
     PROJ_MISSING,
     "episode_id",
     NULL,
     {{"rhi_on", "@occurred_on"}, {"rhi_accepted", "accepted"}}},
    {"adm_decision", PROJ_ADOPTION, "@child_id", NULL, {{"adm_on", "@occurred_on"}}},
    {"placement_order", PROJ_ADOPTION, "@child_id", NULL, {{"placement_order_on", "@occurred_on"}}},
    {"adoption_match", PROJ_ADOPTION, "@child_id", NULL, {{"matched_on", "@occurred_on"}}},
    {"placed_for_adoption",
     PROJ_ADOPTION,
     "@child_id",
     NULL,
     {{"placed_on", "@occurred_on"}, {"placement_id", "placement_id"}}},
    {"adoption_order", PROJ_ADOPTION, "@child_id", NULL, {{"adopted_on", "@occurred_on"}}},
    {"care_leaver_contact",
     PROJ_CARE_LEAVER,
     "@event_id",
     NULL,
     {{"contact_on", "@occurred_on"},
      {"in_touch", "in_touch"},
      {"accommodation_suitable", "accommodation_suitable"},
      {"activity", "activity"}}},
    {"pathway_plan_reviewed",
     PROJ_MEETING,
     "@event_id",
     NULL,
     {{"kind", "=pathway_review"}, {"held_on", "@occurred_on"}}},
    {"worker_allocated",
     PROJ_ALLOCATION,
     "@event_id",
     s_hook_open_spell,
     {{"worker_id", "allocated_worker_id"},
      {"team_id", "allocated_team_id"},
      {"allocated_on", "@occurred_on"}}},
    {"worker_allocated",
     PROJ_CHILD,
     "@child_id",
     NULL,
     {{"worker_id", "allocated_worker_id"},
      {"team_id", "allocated_team_id"},
      {"allocated_on", "@occurred_on"}}},
    {"worker_unallocated",
     PROJ_CHILD,
     "@child_id",
     s_hook_end_spell,
     {{"worker_id", NULL}, {"team_id", NULL}, {"allocated_on", NULL}}},
    {"case_audit_completed",
     PROJ_AUDIT,
     "@event_id",
     NULL,
     {{"audited_on", "@occurred_on"},
      {"grade", "grade"},
      {"auditor_id", "auditor_id"},
      {"team_id", "@team_id"},
      {"worker_id", "@worker_id"}}},
    {"case_closed",
     PROJ_CHILD,
     "@child_id",
     NULL,
     {{"closed_on", "@occurred_on"}, {"close_reason", "reason"}}},
    //  The child row holds the closure now (cleared by a contact or referral that reopens the
    //  case); this table keeps every one, so that the clocks a closure cancelled stay
    //  cancelled after the case reopens.
    {"case_closed",
     PROJ_CASE_CLOSURE,
     "@event_id",
     NULL,
     {{"closed_on", "@occurred_on"}, {"close_reason", "reason"}}},
};

#define MAP_SIZE (sizeof s_map / sizeof s_map[0])

//  --- The map, compiled at first use ---------------------------------------------------------

typedef enum {
    SRC_OCCURRED_ON,
    SRC_TEAM_ID,
    SRC_WORKER_ID,
    SRC_EVENT_ID,
    SRC_CHILD_ID,
    SRC_FIELD,
    SRC_CONSTANT,
} s_source_kind_t;

typedef struct {
    s_source_kind_t kind;
    const ProtobufCFieldDescriptor *field; //  SRC_FIELD
    const char *constant;                  //  SRC_CONSTANT
} s_source_t;

#define MAX_ALTERNATIVES 2

typedef struct {
    int column; //  -1 for a key
    int count;  //  0: SQL NULL
    s_source_t sources[MAX_ALTERNATIVES];
} s_value_t;

typedef struct {
    const proj_effect_t *def;
    const ProtobufCFieldDescriptor *payload; //  the payload field of Event
    s_value_t key;
    int set_count;
    s_value_t sets[PROJ_MAX_SETS];
} s_effect_t;

#define CASE_LIMIT       64 //  payload field numbers are below this
#define EFFECTS_PER_CASE 3

static s_effect_t s_effects[MAP_SIZE];
static const s_effect_t *s_by_case[CASE_LIMIT][EFFECTS_PER_CASE];
static pthread_once_t s_compiled = PTHREAD_ONCE_INIT;

static void s_compile_value (s_value_t *value, const ProtobufCMessageDescriptor *payload,
                             const char *spec)
{
    value->count = 0;
    while (spec && *spec) {
        assert (value->count < MAX_ALTERNATIVES);
        const char *bar = strchr (spec, '|');
        size_t length = bar ? (size_t) (bar - spec) : strlen (spec);
        char name[64];
        assert (length < sizeof name);
        memcpy (name, spec, length);
        name[length] = 0;
        s_source_t *source = &value->sources[value->count++];
        source->field = NULL;
        source->constant = NULL;
        if (name[0] == '=') {
            source->kind = SRC_CONSTANT;
            source->constant = spec + 1; //  constants are never alternatives
            assert (!bar);
        } else if (strcmp (name, "@occurred_on") == 0)
            source->kind = SRC_OCCURRED_ON;
        else if (strcmp (name, "@team_id") == 0)
            source->kind = SRC_TEAM_ID;
        else if (strcmp (name, "@worker_id") == 0)
            source->kind = SRC_WORKER_ID;
        else if (strcmp (name, "@event_id") == 0)
            source->kind = SRC_EVENT_ID;
        else if (strcmp (name, "@child_id") == 0)
            source->kind = SRC_CHILD_ID;
        else {
            source->kind = SRC_FIELD;
            source->field = protobuf_c_message_descriptor_get_field_by_name (payload, name);
            assert (source->field); //  a typo in the map
        }
        spec = bar ? bar + 1 : NULL;
    }
}

static void s_compile (void)
{
    const ProtobufCMessageDescriptor *event = &journey__v1__event__descriptor;
    for (size_t i = 0; i < MAP_SIZE; i++) {
        const proj_effect_t *def = &s_map[i];
        s_effect_t *effect = &s_effects[i];
        effect->def = def;
        effect->payload = protobuf_c_message_descriptor_get_field_by_name (event, def->payload);
        assert (effect->payload && effect->payload->type == PROTOBUF_C_TYPE_MESSAGE);
        assert (effect->payload->id < CASE_LIMIT);
        const ProtobufCMessageDescriptor *payload = effect->payload->descriptor;
        s_compile_value (&effect->key, payload, def->key);
        assert (effect->key.count > 0);
        effect->key.column = -1;
        effect->set_count = 0;
        for (int s = 0; s < PROJ_MAX_SETS && def->sets[s].column; s++) {
            s_value_t *value = &effect->sets[effect->set_count++];
            value->column = projection_column (def->table, def->sets[s].column);
            assert (value->column >= 0);
            s_compile_value (value, payload, def->sets[s].value);
        }
        int slot = 0;
        while (s_by_case[effect->payload->id][slot])
            slot++;
        assert (slot < EFFECTS_PER_CASE);
        s_by_case[effect->payload->id][slot] = effect;
    }
    //  Every payload but the retraction (the store's business) has an effect.
    for (unsigned f = 0; f < event->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &event->fields[f];
        if (field->type == PROTOBUF_C_TYPE_MESSAGE && field->id < CASE_LIMIT &&
            strcmp (field->name, "retraction") != 0)
            assert (s_by_case[field->id][0]);
    }
}

//  --- Reading values through the descriptors ----------------------------------------------

//  Scratch space for values that are not strings in the message (numbers, enums, joined
//  lists): on the stack, on the heap only for a long list.
typedef struct {
    char *text;
    size_t size;
    char local[256];
} s_scratch_t;

static char *s_scratch_reserve (s_scratch_t *scratch, size_t size)
{
    if (size > scratch->size) {
        char *text =
            scratch->text == scratch->local ? malloc (size) : realloc (scratch->text, size);
        assert (text);
        scratch->text = text;
        scratch->size = size;
    }
    return scratch->text;
}

//  Whether an optional scalar field is present (proto2 keeps has_ flags).
static bool s_has (const ProtobufCMessage *message, const ProtobufCFieldDescriptor *field)
{
    if (field->label != PROTOBUF_C_LABEL_OPTIONAL || field->quantifier_offset == 0)
        return true;
    return *(const protobuf_c_boolean *) ((const char *) message + field->quantifier_offset);
}

//  The shortest text that reads back as the same double.
static void s_format_double (double value, char *buf, size_t size)
{
    snprintf (buf, size, "%.15g", value);
    if (strtod (buf, NULL) != value)
        snprintf (buf, size, "%.17g", value);
}

static const char *s_field_text (const ProtobufCMessage *message,
                                 const ProtobufCFieldDescriptor *field, s_scratch_t *scratch)
{
    const char *member = (const char *) message + field->offset;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        assert (field->type == PROTOBUF_C_TYPE_STRING); //  the only repeated kind the map reads
        size_t count = *(const size_t *) ((const char *) message + field->quantifier_offset);
        char *const *items = *(char *const *const *) member;
        if (count == 0)
            return NULL;
        size_t length = 1;
        for (size_t i = 0; i < count; i++)
            length += strlen (items[i]) + 1;
        char *text = s_scratch_reserve (scratch, length), *at = text;
        for (size_t i = 0; i < count; i++) {
            if (i)
                *at++ = ',';
            size_t item = strlen (items[i]);
            memcpy (at, items[i], item);
            at += item;
        }
        *at = 0;
        return text;
    }
    if (field->type == PROTOBUF_C_TYPE_STRING)
        return *(char *const *) member;
    if (!s_has (message, field))
        return NULL;
    char *text = s_scratch_reserve (scratch, 64);
    switch (field->type) {
    case PROTOBUF_C_TYPE_BOOL:
        return *(const protobuf_c_boolean *) member ? "true" : "false";
    case PROTOBUF_C_TYPE_DOUBLE:
        s_format_double (*(const double *) member, text, 64);
        return text;
    case PROTOBUF_C_TYPE_FLOAT:
        s_format_double (*(const float *) member, text, 64);
        return text;
    case PROTOBUF_C_TYPE_ENUM: {
        int value = *(const int *) member;
        const ProtobufCEnumValue *named =
            protobuf_c_enum_descriptor_get_value (field->descriptor, value);
        if (!named) {
            snprintf (text, 64, "%d", value); //  a newer sender's value
            return text;
        }
        size_t i = 0;
        for (; named->name[i] && i < 63; i++)
            text[i] = (char) tolower ((unsigned char) named->name[i]);
        text[i] = 0;
        return text;
    }
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        snprintf (text, 64, "%" PRId32, *(const int32_t *) member);
        return text;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        snprintf (text, 64, "%" PRIu32, *(const uint32_t *) member);
        return text;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf (text, 64, "%" PRId64, *(const int64_t *) member);
        return text;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf (text, 64, "%" PRIu64, *(const uint64_t *) member);
        return text;
    default:
        assert (!"field type the map cannot read");
        return NULL;
    }
}

static const char *s_value_text (const s_value_t *value, const Journey__V1__Event *event,
                                 const ProtobufCMessage *payload, s_scratch_t *scratch)
{
    for (int i = 0; i < value->count; i++) {
        const s_source_t *source = &value->sources[i];
        const char *text = NULL;
        switch (source->kind) {
        case SRC_OCCURRED_ON:
            text = event->occurred_on;
            break;
        case SRC_TEAM_ID:
            text = event->team_id;
            break;
        case SRC_WORKER_ID:
            text = event->worker_id;
            break;
        case SRC_EVENT_ID:
            text = event->event_id;
            break;
        case SRC_CHILD_ID:
            text = event->child_id;
            break;
        case SRC_FIELD:
            text = s_field_text (payload, source->field, scratch);
            break;
        case SRC_CONSTANT:
            text = source->constant;
            break;
        }
        if (text)
            return text;
    }
    return NULL;
}

//  --- Applying -------------------------------------------------------------------------------

void projection_apply (case_child_t *child, const Journey__V1__Event *event)
{
    assert (child && event && event->child_id);
    pthread_once (&s_compiled, s_compile);

    //  Every event's child has a row, registered or not yet (validation decides what is
    //  allowed; the store keeps whatever was accepted).
    case_child_upsert (child, PROJ_CHILD, event->child_id);

    int payload_case = (int) event->payload_case;
    if (payload_case <= 0 || payload_case >= CASE_LIMIT)
        return;
    s_scratch_t scratch = {.size = sizeof scratch.local};
    scratch.text = scratch.local;
    for (int e = 0; e < EFFECTS_PER_CASE && s_by_case[payload_case][e]; e++) {
        const s_effect_t *effect = s_by_case[payload_case][e];
        const ProtobufCMessage *payload =
            *(ProtobufCMessage *const *) ((const char *) event + effect->payload->offset);
        if (!payload)
            continue;
        const char *key = s_value_text (&effect->key, event, payload, &scratch);
        if (!key)
            continue;
        case_row_t *row = case_child_upsert (child, effect->def->table, key);
        for (int s = 0; s < effect->set_count; s++) {
            const s_value_t *value = &effect->sets[s];
            case_row_set (row, value->column, s_value_text (value, event, payload, &scratch));
        }
        if (effect->def->hook)
            effect->def->hook (child, event, row);
    }
    if (scratch.text != scratch.local)
        free (scratch.text);
}
