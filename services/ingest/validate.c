/*  validate: the rules an event must pass before journey-ingestd accepts it (validate.h).

    One table, S_RULES, holds every rule: its group, its stable code, whether it also applies
    to corrections and retractions, and the line docs/events.md shows. validate_event runs
    the rules in the table's order and the first that fails wins, so a rule may rely on every
    rule above it having passed (a sequence rule never sees a bad date or a missing id).

    What the rules know about the payloads is data too, in the tables below the rules: the
    required fields of all 42 payloads, the coded fields and their DfE lists, the date fields
    and how they relate to occurred_on, the numeric ranges, the identifiers each payload
    starts and the ones it refers to. Fields are read through the protobuf-c descriptors, so
    the tables name fields as the .proto does.

    Sequence rules compare dates, not arrival order: an event dated on or before the end of
    what it belongs to (a plan, a period, the case) is accepted even when recorded after the
    end, because a CMS often records late. A correction (supersedes) is checked by the schema
    and dates rules and the correction rules only: it restates a fact the history already
    rests on. A retraction likewise passes schema, dates and the retraction rules only.
*/
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

typedef struct {
    case_store_t *store;
    const Journey__V1__Event *event;
    const ProtobufCMessage *payload; //  NULL when the event has none
    const char *payload_name;        //  the payload's field name in Event, e.g. "icpc_held"
    bool correction;                 //  supersedes is set
    bool retraction;
    jy_date_t today;
    jy_date_t occurred;  //  JY_DATE_INVALID until the dates rules have passed
    int64_t recorded_ms; //  valid when recorded_ok
    bool recorded_ok;
    case_child_t *child; //  NULL when nothing about the child was accepted
    case_row_t *child_row;
    const char *code; //  the rule being checked
    char path[96];    //  scratch for s_path
    validate_result_t *result;
} s_ctx_t;

typedef int (s_check_fn) (s_ctx_t *ctx);

//  --- The rules ------------------------------------------------------------------------------
//  RULE (group, code, applies to, description). EVERY: every event; NEW: not corrections or
//  retractions (they are not re-checked against the sequence). Checked in this order.

// clang-format off
#define S_RULES(RULE)                                                                              \
    RULE (schema, no_payload, EVERY, "the event carries no payload")                             \
    RULE (schema, missing_field, EVERY, "a common field (event_id, la_code, child_id, occurred_on, recorded_at, source) or one the payload requires is absent or empty") \
    RULE (schema, bad_la_code, EVERY, "la_code is not a three-digit DfE LA code")                \
    RULE (schema, bad_id, EVERY, "an identifier (event_id, child_id, worker_id, team_id, supersedes, any *_id, cancels, retracts) is not 1-64 printable ASCII characters without spaces") \
    RULE (schema, bad_code, EVERY, "a coded field holds a value that is not in its DfE or Journey code list") \
    RULE (schema, bad_value, EVERY, "a value is out of range: distance or hours negative or absurd, a kind left unspecified, a child both born and unborn or neither") \
    RULE (dates, bad_date, EVERY, "occurred_on or a date field is not a real YYYY-MM-DD date")  \
    RULE (dates, bad_timestamp, EVERY, "recorded_at is not an RFC 3339 timestamp")               \
    RULE (dates, recorded_in_future, EVERY, "recorded_at is after the end of today")             \
    RULE (dates, occurred_after_recorded, EVERY, "occurred_on is after the local date of recorded_at") \
    RULE (dates, before_birth, EVERY, "occurred_on is before the child's date of birth (children registered unborn excepted)") \
    RULE (dates, date_order, EVERY, "a date field contradicts occurred_on: authorised or planned before it, a date of birth after it, an expected birth over 10 months after it") \
    RULE (sequence, supersedes_unknown, EVERY, "a correction names an event this LA never sent") \
    RULE (sequence, retraction_unknown, EVERY, "a retraction names an event this LA never sent") \
    RULE (sequence, supersedes_other_child, EVERY, "a correction is for another child than the event it corrects") \
    RULE (sequence, retraction_other_child, EVERY, "a retraction is for another child than the event it retracts") \
    RULE (sequence, correction_kind, EVERY, "a correction has another payload than the event it corrects, or is a retraction") \
    RULE (sequence, retraction_kind, EVERY, "a retraction names another retraction")             \
    RULE (sequence, already_retracted, EVERY, "a correction or retraction names an event already retracted") \
    RULE (sequence, already_superseded, EVERY, "a correction or retraction names an event already corrected (name the correction instead)") \
    RULE (sequence, child_not_registered, NEW, "an event other than child_registered for a child not registered") \
    RULE (sequence, child_already_registered, NEW, "child_registered for a child already registered (send a correction)") \
    RULE (sequence, case_closed, NEW, "an event dated after the case closed, other than a contact, referral or case audit") \
    RULE (sequence, duplicate_id, NEW, "an event starts a contact, referral, assessment, strategy discussion, s47, booking, plan, period, placement or missing episode whose id the child already has") \
    RULE (sequence, contact_unknown, NEW, "a decision or referral names a contact the child does not have") \
    RULE (sequence, contact_already_decided, NEW, "a contact is decided twice")                  \
    RULE (sequence, referral_unknown, NEW, "a closure, assessment or strategy discussion names a referral the child does not have") \
    RULE (sequence, referral_closed, NEW, "an assessment or strategy discussion after its referral closed, or a referral closed twice") \
    RULE (sequence, assessment_unknown, NEW, "a completion names an assessment the child does not have") \
    RULE (sequence, assessment_already_completed, NEW, "an assessment is completed twice")       \
    RULE (sequence, s47_unknown, NEW, "a completion names a section 47 enquiry the child does not have") \
    RULE (sequence, icpc_without_s47, NEW, "an ICPC names a section 47 enquiry no strategy discussion started") \
    RULE (sequence, icpc_before_strategy, NEW, "an ICPC is dated before the strategy discussion that started its enquiry") \
    RULE (sequence, icpc_already_held, NEW, "a second ICPC for the same enquiry or conference")  \
    RULE (sequence, booking_unknown, NEW, "a booking cancels a booking the child does not have") \
    RULE (sequence, booking_kind, NEW, "a conference is held, or rebooked, under a booking of another kind") \
    RULE (sequence, cp_plan_already_open, NEW, "an ICPC makes a plan, or a CP plan starts, while a CP plan is open") \
    RULE (sequence, plan_without_icpc, NEW, "a CP plan names a conference that is not an ICPC that made a plan") \
    RULE (sequence, cp_plan_unknown, NEW, "an RCPC, core group, plan end or CP visit names no CP plan of the child") \
    RULE (sequence, cp_plan_ended, NEW, "an RCPC, core group or CP visit after the CP plan ended, or a plan ended twice") \
    RULE (sequence, cin_plan_already_open, NEW, "a CIN plan starts while one is open")           \
    RULE (sequence, cin_plan_unknown, NEW, "a CIN review, plan end or CIN visit names no CIN plan of the child") \
    RULE (sequence, cin_plan_ended, NEW, "a CIN review or visit after the CIN plan ended, or a plan ended twice") \
    RULE (sequence, period_already_open, NEW, "a period of care starts while one is open")      \
    RULE (sequence, period_unknown, NEW, "an end, legal status change or CLA review names a period of care the child does not have") \
    RULE (sequence, period_ended, NEW, "a legal status change or CLA review after the period of care ended, or a period ended twice") \
    RULE (sequence, not_in_care, NEW, "a CLA review, health assessment, PEP, legal status change or CLA visit while the child is not looked after") \
    RULE (sequence, placement_without_period, NEW, "a placement starts without an open period of care, or names another period") \
    RULE (sequence, placement_before_period, NEW, "a placement starts before its period of care") \
    RULE (sequence, placement_unknown, NEW, "a placement end names a placement the child does not have") \
    RULE (sequence, placement_already_ended, NEW, "a placement ends twice")                      \
    RULE (sequence, missing_already_open, NEW, "a missing episode starts while another is open") \
    RULE (sequence, missing_unknown, NEW, "a missing end names an episode the child does not have") \
    RULE (sequence, missing_already_ended, NEW, "a missing episode ends twice")                  \
    RULE (sequence, rhi_before_return, NEW, "a return home interview for an unknown or open episode, or dated before the child returned") \
    RULE (sequence, adoption_order, NEW, "an adoption step without the one before it (ADM, placement order, match, placed, adoption order)") \
    RULE (sequence, care_leaver_too_young, NEW, "a care leaver contact or pathway plan review for a child under 16 on that date") \
    RULE (sequence, end_before_start, NEW, "an end (decision, closure, completion, plan, period, placement, missing) dated before its start") \
    RULE (sequence, before_start, NEW, "an event dated before the contact, referral, conference, plan or period it names started")
// clang-format on

#define EVERY false
#define NEW   true

#define S_RULE_DECLARE(group, code, new_only, description) static s_check_fn s_##code;
S_RULES (S_RULE_DECLARE)

#define S_RULE_PUBLIC(group, code, new_only, description) {#code, #group, description},
static const validate_rule_t s_rules[] = {S_RULES (S_RULE_PUBLIC)};

#define S_RULE_CHECK(group, code, new_only, description) {s_##code, new_only},
static const struct {
    s_check_fn *check;
    bool new_only;
} s_checks[] = {S_RULES (S_RULE_CHECK)};

#define S_RULE_COUNT (sizeof s_rules / sizeof s_rules[0])

//  --- What the payloads hold ------------------------------------------------------------------

//  Required fields of every payload besides the common ones, all 42 of them: each row names
//  the fields always required, then a field required only when a boolean of the same payload
//  is true. docs/events.md shows this table (test_validate checks that it says the same).
static const validate_required_t s_required[] = {
    {"child_registered", {"sex", "ethnicity"}, "expected_date_of_birth", "unborn"},
    {"contact_received", {"contact_id"}, NULL, NULL},
    {"contact_decided", {"contact_id", "outcome"}, NULL, NULL},
    {"referral_received", {"referral_id"}, NULL, NULL},
    {"referral_closed", {"referral_id"}, NULL, NULL},
    {"assessment_started", {"assessment_id", "referral_id"}, NULL, NULL},
    {"assessment_completed", {"assessment_id"}, NULL, NULL},
    {"strategy_discussion", {"strategy_id", "referral_id"}, "s47_id", "s47_started"},
    {"s47_completed", {"s47_id"}, NULL, NULL},
    {"conference_scheduled", {"conference_id", "kind", "planned_on"}, NULL, NULL},
    {"icpc_held", {"conference_id", "s47_id", "plan_made"}, NULL, NULL},
    {"cp_plan_started", {"plan_id", "conference_id"}, NULL, NULL},
    {"cp_plan_ended", {"plan_id"}, NULL, NULL},
    {"rcpc_held", {"conference_id", "plan_id"}, NULL, NULL},
    {"core_group_held", {"plan_id"}, NULL, NULL},
    {"cin_plan_started", {"plan_id"}, NULL, NULL},
    {"cin_plan_reviewed", {"plan_id"}, NULL, NULL},
    {"cin_plan_ended", {"plan_id"}, NULL, NULL},
    {"child_visited", {"context"}, NULL, NULL},
    {"period_of_care_started", {"period_id", "legal_status"}, NULL, NULL},
    {"period_of_care_ended", {"period_id", "reason_ceased"}, NULL, NULL},
    {"placement_started", {"placement_id", "period_id", "placement_type"}, NULL, NULL},
    {"placement_ended", {"placement_id"}, NULL, NULL},
    {"legal_status_changed", {"period_id", "legal_status"}, NULL, NULL},
    {"cla_review_held", {"period_id"}, NULL, NULL},
    {"health_assessment", {"kind"}, NULL, NULL},
    {"pep_completed", {NULL}, NULL, NULL},
    {"missing_started", {"episode_id"}, NULL, NULL},
    {"missing_ended", {"episode_id"}, NULL, NULL},
    {"return_interview", {"episode_id"}, NULL, NULL},
    {"adm_decision", {NULL}, NULL, NULL},
    {"placement_order", {NULL}, NULL, NULL},
    {"adoption_match", {NULL}, NULL, NULL},
    {"placed_for_adoption", {NULL}, NULL, NULL},
    {"adoption_order", {NULL}, NULL, NULL},
    {"care_leaver_contact", {"in_touch"}, NULL, NULL},
    {"pathway_plan_reviewed", {NULL}, NULL, NULL},
    {"worker_allocated", {"allocated_worker_id"}, NULL, NULL},
    {"worker_unallocated", {NULL}, NULL, NULL},
    {"case_audit_completed", {"grade"}, NULL, NULL},
    {"case_closed", {NULL}, NULL, NULL},
    {"retraction", {"retracts"}, NULL, NULL},
};

static const char *s_common_required[] = {"event_id",    "la_code",     "child_id",
                                          "occurred_on", "recorded_at", "source"};

//  Identifiers that do not end in _id (payload fields ending in _id always are one).
static const char *s_common_ids[] = {"event_id", "child_id", "worker_id", "team_id", "supersedes"};
static const struct {
    const char *payload, *field;
} s_other_ids[] = {
    {"conference_scheduled", "cancels"},
    {"retraction", "retracts"},
};

//  Coded fields and their lists (jy_codes). Reasons for ending CP and CIN plans are free text:
//  the CIN census has no list for them.
static const struct {
    const char *payload, *field;
    jy_code_list_t list;
} s_coded[] = {
    {"child_registered", "sex", JY_CODES_SEX},
    {"child_registered", "ethnicity", JY_CODES_ETHNICITY},
    {"contact_received", "contact_source", JY_CODES_REFERRAL_SOURCE},
    {"contact_decided", "outcome", JY_CODES_CONTACT_OUTCOME},
    {"referral_received", "referral_source", JY_CODES_REFERRAL_SOURCE},
    {"referral_closed", "reason", JY_CODES_CIN_CLOSURE},
    {"icpc_held", "category", JY_CODES_CATEGORY_OF_ABUSE},
    {"cp_plan_started", "category", JY_CODES_CATEGORY_OF_ABUSE},
    {"child_visited", "context", JY_CODES_VISIT_CONTEXT},
    {"period_of_care_started", "legal_status", JY_CODES_LEGAL_STATUS},
    {"period_of_care_started", "category_of_need", JY_CODES_CATEGORY_OF_NEED},
    {"period_of_care_ended", "reason_ceased", JY_CODES_REASON_CEASED},
    {"placement_started", "placement_type", JY_CODES_PLACEMENT_TYPE},
    {"placement_ended", "reason", JY_CODES_PLACEMENT_CHANGE},
    {"legal_status_changed", "legal_status", JY_CODES_LEGAL_STATUS},
    {"care_leaver_contact", "activity", JY_CODES_CARE_LEAVER_ACTIVITY},
    {"case_audit_completed", "grade", JY_CODES_AUDIT_GRADE},
    {"case_closed", "reason", JY_CODES_CIN_CLOSURE},
};

//  Date fields, and how each must stand to occurred_on (date_order): not before it, and at
//  most max_months after it (-1: no limit).
static const struct {
    const char *payload, *field;
    bool not_before;
    int max_months;
} s_dates[] = {
    {"child_registered", "date_of_birth", false, 0},
    {"child_registered", "expected_date_of_birth", false, 10},
    {"assessment_completed", "authorised_on", true, -1},
    {"conference_scheduled", "planned_on", true, -1},
};

//  Numbers and their sensible range.
static const struct {
    const char *payload, *field;
    double min, max;
    const char *unit;
} s_ranges[] = {
    {"placement_started", "distance_miles", 0, 1000, "miles"},
    {"missing_ended", "hours_missing", 0, HUGE_VAL, "hours"},
};

//  Enums whose zero value (KIND_UNSPECIFIED) says nothing.
static const struct {
    const char *payload, *field;
} s_enums[] = {
    {"conference_scheduled", "kind"},
    {"health_assessment", "kind"},
};

//  --- What the payloads do to the case ------------------------------------------------------

//  Identifiers an event starts (duplicate_id).
static const struct {
    const char *payload, *field;
    proj_table_t table;
} s_starts[] = {
    {"contact_received", "contact_id", PROJ_CONTACT},
    {"referral_received", "referral_id", PROJ_REFERRAL},
    {"assessment_started", "assessment_id", PROJ_ASSESSMENT},
    {"strategy_discussion", "strategy_id", PROJ_STRATEGY},
    {"strategy_discussion", "s47_id", PROJ_S47},
    {"conference_scheduled", "conference_id", PROJ_BOOKING},
    {"cp_plan_started", "plan_id", PROJ_CP_PLAN},
    {"cin_plan_started", "plan_id", PROJ_CIN_PLAN},
    {"period_of_care_started", "period_id", PROJ_CARE_PERIOD},
    {"placement_started", "placement_id", PROJ_PLACEMENT},
    {"missing_started", "episode_id", PROJ_MISSING},
};

//  Identifiers an event refers to, which the child must have: the code when it does not.
static const struct {
    const char *code, *payload, *field;
    proj_table_t table;
} s_refs[] = {
    {"contact_unknown", "contact_decided", "contact_id", PROJ_CONTACT},
    {"contact_unknown", "referral_received", "contact_id", PROJ_CONTACT},
    {"referral_unknown", "referral_closed", "referral_id", PROJ_REFERRAL},
    {"referral_unknown", "assessment_started", "referral_id", PROJ_REFERRAL},
    {"referral_unknown", "strategy_discussion", "referral_id", PROJ_REFERRAL},
    {"assessment_unknown", "assessment_completed", "assessment_id", PROJ_ASSESSMENT},
    {"s47_unknown", "s47_completed", "s47_id", PROJ_S47},
    {"booking_unknown", "conference_scheduled", "cancels", PROJ_BOOKING},
    {"cp_plan_unknown", "cp_plan_ended", "plan_id", PROJ_CP_PLAN},
    {"cp_plan_unknown", "rcpc_held", "plan_id", PROJ_CP_PLAN},
    {"cp_plan_unknown", "core_group_held", "plan_id", PROJ_CP_PLAN},
    {"cin_plan_unknown", "cin_plan_reviewed", "plan_id", PROJ_CIN_PLAN},
    {"cin_plan_unknown", "cin_plan_ended", "plan_id", PROJ_CIN_PLAN},
    {"period_unknown", "period_of_care_ended", "period_id", PROJ_CARE_PERIOD},
    {"period_unknown", "legal_status_changed", "period_id", PROJ_CARE_PERIOD},
    {"period_unknown", "cla_review_held", "period_id", PROJ_CARE_PERIOD},
    {"placement_unknown", "placement_ended", "placement_id", PROJ_PLACEMENT},
    {"missing_unknown", "missing_ended", "episode_id", PROJ_MISSING},
};

//  Events that end or decide what they name: not before it started (end_before_start), and
//  not twice (the code when it already ended).
static const struct {
    const char *payload, *field;
    proj_table_t table;
    const char *start, *end;
    const char *twice;
} s_ends[] = {
    {"contact_decided", "contact_id", PROJ_CONTACT, "received_on", "decided_on",
     "contact_already_decided"},
    {"referral_closed", "referral_id", PROJ_REFERRAL, "received_on", "closed_on",
     "referral_closed"},
    {"assessment_completed", "assessment_id", PROJ_ASSESSMENT, "started_on", "completed_on",
     "assessment_already_completed"},
    {"s47_completed", "s47_id", PROJ_S47, "started_on", "completed_on", NULL},
    {"cp_plan_ended", "plan_id", PROJ_CP_PLAN, "started_on", "ended_on", "cp_plan_ended"},
    {"cin_plan_ended", "plan_id", PROJ_CIN_PLAN, "started_on", "ended_on", "cin_plan_ended"},
    {"period_of_care_ended", "period_id", PROJ_CARE_PERIOD, "started_on", "ended_on",
     "period_ended"},
    {"placement_ended", "placement_id", PROJ_PLACEMENT, "started_on", "ended_on",
     "placement_already_ended"},
    {"missing_ended", "episode_id", PROJ_MISSING, "started_on", "ended_on",
     "missing_already_ended"},
};

//  Events that happen within what they name: not before it started (before_start), and
//  not after it ended (the code; NULL when it has no end).
static const struct {
    const char *payload, *field;
    proj_table_t table;
    const char *start, *end;
    const char *after_end;
} s_within[] = {
    {"referral_received", "contact_id", PROJ_CONTACT, "received_on", NULL, NULL},
    {"assessment_started", "referral_id", PROJ_REFERRAL, "received_on", "closed_on",
     "referral_closed"},
    {"strategy_discussion", "referral_id", PROJ_REFERRAL, "received_on", "closed_on",
     "referral_closed"},
    {"cp_plan_started", "conference_id", PROJ_MEETING, "held_on", NULL, NULL},
    {"rcpc_held", "plan_id", PROJ_CP_PLAN, "started_on", "ended_on", "cp_plan_ended"},
    {"core_group_held", "plan_id", PROJ_CP_PLAN, "started_on", "ended_on", "cp_plan_ended"},
    {"cin_plan_reviewed", "plan_id", PROJ_CIN_PLAN, "started_on", "ended_on", "cin_plan_ended"},
    {"legal_status_changed", "period_id", PROJ_CARE_PERIOD, "started_on", "ended_on",
     "period_ended"},
    {"cla_review_held", "period_id", PROJ_CARE_PERIOD, "started_on", "ended_on", "period_ended"},
};

//  Visits under a plan or in care: the table that must cover the visit's date.
static const struct {
    const char *context;
    proj_table_t table;
    const char *unknown, *ended; //  codes: no such plan at all / it ended before the visit
} s_visits[] = {
    {"cp", PROJ_CP_PLAN, "cp_plan_unknown", "cp_plan_ended"},
    {"cin", PROJ_CIN_PLAN, "cin_plan_unknown", "cin_plan_ended"},
    {"cla", PROJ_CARE_PERIOD, "not_in_care", "not_in_care"},
};

//  Events that need an open period of care on their date (not_in_care).
static const char *s_in_care[] = {"cla_review_held", "health_assessment", "pep_completed",
                                  "legal_status_changed"};

//  Events a closed case still accepts: a contact or referral reopens it; an audit may look
//  back at it. (Retractions and corrections are not checked against the sequence.)
static const char *s_closed_ok[] = {"contact_received", "referral_received",
                                    "case_audit_completed"};

//  The adoption steps, each needing the one before (adoption_order).
static const struct {
    const char *payload, *column;
    const char *before, *before_column;
} s_adoption[] = {
    {"placement_order", "placement_order_on", "adm_decision", "adm_on"},
    {"adoption_match", "matched_on", "placement_order", "placement_order_on"},
    {"placed_for_adoption", "placed_on", "adoption_match", "matched_on"},
    {"adoption_order", "adopted_on", "placed_for_adoption", "placed_on"},
};

//  Conferences held under a booking, and the booking kind they need (booking_kind).
static const struct {
    const char *payload, *kind;
} s_held[] = {
    {"icpc_held", "icpc"},
    {"rcpc_held", "rcpc"},
    {"cla_review_held", "cla_review"},
};

//  What each projection table holds, for messages.
static const char *s_noun[PROJ__COUNT] = {
    [PROJ_CONTACT] = "contact",        [PROJ_REFERRAL] = "referral",
    [PROJ_ASSESSMENT] = "assessment",  [PROJ_STRATEGY] = "strategy discussion",
    [PROJ_S47] = "section 47 enquiry", [PROJ_BOOKING] = "booking",
    [PROJ_MEETING] = "conference",     [PROJ_CP_PLAN] = "CP plan",
    [PROJ_CIN_PLAN] = "CIN plan",      [PROJ_CARE_PERIOD] = "period of care",
    [PROJ_PLACEMENT] = "placement",    [PROJ_MISSING] = "missing episode",
};

#define S_COUNT(table) (sizeof (table) / sizeof ((table)[0]))

//  --- Helpers ----------------------------------------------------------------------------------

//  String equality for the tables' names and codes. Every event scans the tables many times
//  and nearly every comparison fails, mostly on the first two characters: checked inline
//  before strcmp. Equal literals are usually one string, so equality is often the pointer.
static inline bool s_same (const char *a, const char *b)
{
    return a == b || (a[0] == b[0] && (a[0] == '\0' || (a[1] == b[1] && strcmp (a, b) == 0)));
}

static bool s_is (s_ctx_t *ctx, const char *payload)
{
    return ctx->payload_name && s_same (ctx->payload_name, payload);
}

static bool s_in (const char *value, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (s_same (value, list[i]))
            return true;
    return false;
}

//  "payload.field" (or just field for a common one), in the context's scratch.
static const char *s_path (s_ctx_t *ctx, const char *payload, const char *field)
{
    if (payload)
        snprintf (ctx->path, sizeof ctx->path, "%s.%s", payload, field);
    else
        snprintf (ctx->path, sizeof ctx->path, "%s", field);
    return ctx->path;
}

//  Fill the result for the rule being checked. Always -1.
static int s_fail (s_ctx_t *ctx, const char *field, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static int s_fail (s_ctx_t *ctx, const char *field, const char *format, ...)
{
    validate_result_t *result = ctx->result;
    result->code = ctx->code;
    snprintf (result->field, sizeof result->field, "%s", field);
    va_list args;
    va_start (args, format);
    vsnprintf (result->message, sizeof result->message, format, args);
    va_end (args);
    return -1;
}

#define S_QUOTE_SIZE 80

//  A value as the sender wrote it, in quotes, safe to print: control and non-ASCII bytes as
//  \xNN, long values cut short.
static const char *s_quote (const char *value, char *buf)
{
    char *at = buf;
    *at++ = '"';
    for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
        if (at - buf > S_QUOTE_SIZE - 12) {
            memcpy (at, "...", 3);
            at += 3;
            break;
        }
        if (*p < 0x20 || *p >= 0x7f)
            at += sprintf (at, "\\x%02X", *p);
        else {
            if (*p == '"' || *p == '\\')
                *at++ = '\\';
            *at++ = (char) *p;
        }
    }
    *at++ = '"';
    *at = 0;
    return buf;
}

static const char *s_date_text (jy_date_t date, char *buf)
{
    return jy_date_format (date, buf);
}

//  --- Reading payload fields through the descriptors -------------------------------------

//  s_field's answers by (descriptor, name): every event looks up dozens of fields by name,
//  always through the same constants (the tables' names, the descriptors' own), so the name's
//  address stands for the name. Per thread: a store is used by one thread at a time.
#define S_FIELD_CACHE 1024 //  a power of two
static _Thread_local struct {
    const ProtobufCMessageDescriptor *descriptor;
    const char *name;
    const ProtobufCFieldDescriptor *field;
} s_field_cache[S_FIELD_CACHE];

//  name is a string constant of this file or a descriptor's field name.
static const ProtobufCFieldDescriptor *s_field (const ProtobufCMessage *message, const char *name)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    size_t slot = ((uintptr_t) name ^ (uintptr_t) descriptor >> 4) % S_FIELD_CACHE;
    if (s_field_cache[slot].name == name && s_field_cache[slot].descriptor == descriptor)
        return s_field_cache[slot].field;
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (descriptor, name);
    assert (field); //  a table names a field its payload does not have
    s_field_cache[slot].descriptor = descriptor;
    s_field_cache[slot].name = name;
    s_field_cache[slot].field = field;
    return field;
}

static bool s_present (const ProtobufCMessage *message, const ProtobufCFieldDescriptor *field)
{
    const char *base = (const char *) message;
    if (field->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *) (base + field->quantifier_offset) > 0;
    if (field->type == PROTOBUF_C_TYPE_STRING) {
        const char *text = *(const char *const *) (base + field->offset);
        return text && *text;
    }
    if (field->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(const void *const *) (base + field->offset) != NULL;
    return *(const protobuf_c_boolean *) (base + field->quantifier_offset);
}

//  A string field of the payload, NULL when absent (not when empty: "" is a value to check).
static const char *s_text (s_ctx_t *ctx, const char *name)
{
    if (!ctx->payload)
        return NULL;
    const ProtobufCFieldDescriptor *field = s_field (ctx->payload, name);
    assert (field->type == PROTOBUF_C_TYPE_STRING);
    return *(const char *const *) ((const char *) ctx->payload + field->offset);
}

static bool s_flag (s_ctx_t *ctx, const char *name)
{
    const ProtobufCFieldDescriptor *field = s_field (ctx->payload, name);
    assert (field->type == PROTOBUF_C_TYPE_BOOL);
    return s_present (ctx->payload, field) &&
           *(const protobuf_c_boolean *) ((const char *) ctx->payload + field->offset);
}

//  An enum field's value name in lower case ("cla_review"), or "" when absent or unknown.
static const char *s_enum_name (s_ctx_t *ctx, const char *name, char *buf, size_t size)
{
    const ProtobufCFieldDescriptor *field = s_field (ctx->payload, name);
    buf[0] = 0;
    if (!s_present (ctx->payload, field))
        return buf;
    int value = *(const int *) ((const char *) ctx->payload + field->offset);
    const ProtobufCEnumValue *named =
        protobuf_c_enum_descriptor_get_value (field->descriptor, value);
    if (!named)
        return buf;
    size_t i = 0;
    for (; named->name[i] && i + 1 < size; i++)
        buf[i] = (char) tolower ((unsigned char) named->name[i]);
    buf[i] = 0;
    return buf;
}

//  --- Reading the case ----------------------------------------------------------------------

static case_row_t *s_row (s_ctx_t *ctx, proj_table_t table, const char *key)
{
    return ctx->child && key ? case_child_find (ctx->child, table, key) : NULL;
}

//  A row of the table that covers the date: started on or before it, not ended before it.
static case_row_t *s_covering (s_ctx_t *ctx, proj_table_t table, jy_date_t date)
{
    if (!ctx->child)
        return NULL;
    for (case_row_t *row = case_child_first (ctx->child, table); row; row = case_row_next (row)) {
        jy_date_t started = case_row_date (row, "started_on");
        jy_date_t ended = case_row_date (row, "ended_on");
        if (started != JY_DATE_INVALID && started <= date &&
            (ended == JY_DATE_INVALID || ended >= date))
            return row;
    }
    return NULL;
}

//  A row of the table that ended before the date.
static case_row_t *s_ended_before (s_ctx_t *ctx, proj_table_t table, jy_date_t date)
{
    if (!ctx->child)
        return NULL;
    for (case_row_t *row = case_child_first (ctx->child, table); row; row = case_row_next (row)) {
        jy_date_t ended = case_row_date (row, "ended_on");
        if (ended != JY_DATE_INVALID && ended < date)
            return row;
    }
    return NULL;
}

static const char *s_payload_name_of (int payload_case)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (
        &journey__v1__event__descriptor, (unsigned) payload_case);
    return field ? field->name : "no payload";
}

//  The event a correction or retraction names, or NULL when it names none; *field receives
//  the field that names it.
static const case_event_info_t *s_target (s_ctx_t *ctx, const char **field)
{
    const char *target = NULL;
    if (ctx->retraction) {
        target = s_text (ctx, "retracts");
        *field = "retraction.retracts";
    } else if (ctx->correction) {
        target = ctx->event->supersedes;
        *field = "supersedes";
    }
    return target ? case_store_event (ctx->store, ctx->event->la_code, target) : NULL;
}

//  --- Schema -----------------------------------------------------------------------------------

static int s_no_payload (s_ctx_t *ctx)
{
    if (!ctx->payload)
        return s_fail (ctx, "payload",
                       "the event has no payload: it needs exactly one, e.g. referral_received");
    return 0;
}

static int s_missing_field (s_ctx_t *ctx)
{
    const ProtobufCMessage *event = &ctx->event->base;
    for (size_t i = 0; i < S_COUNT (s_common_required); i++)
        if (!s_present (event, s_field (event, s_common_required[i])))
            return s_fail (ctx, s_common_required[i], "%s is required", s_common_required[i]);

    size_t i = 0;
    while (i < S_COUNT (s_required) && !s_is (ctx, s_required[i].payload))
        i++;
    assert (i < S_COUNT (s_required)); //  a payload missing from s_required
    const validate_required_t *required = &s_required[i];
    for (size_t f = 0; f < S_COUNT (required->fields) && required->fields[f]; f++) {
        const char *name = required->fields[f];
        if (!s_present (ctx->payload, s_field (ctx->payload, name)))
            return s_fail (ctx, s_path (ctx, ctx->payload_name, name), "%s.%s is required",
                           ctx->payload_name, name);
    }
    if (required->when && s_flag (ctx, required->when) &&
        !s_present (ctx->payload, s_field (ctx->payload, required->field_when)))
        return s_fail (ctx, s_path (ctx, ctx->payload_name, required->field_when),
                       "%s.%s is required when %s is true", ctx->payload_name, required->field_when,
                       required->when);
    return 0;
}

static int s_bad_la_code (s_ctx_t *ctx)
{
    const char *la = ctx->event->la_code;
    if (strlen (la) != 3 || !isdigit ((unsigned char) la[0]) || !isdigit ((unsigned char) la[1]) ||
        !isdigit ((unsigned char) la[2])) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, "la_code", "%s is not a DfE LA code (three digits, e.g. \"872\")",
                       s_quote (la, quoted));
    }
    return 0;
}

static bool s_id_valid (const char *id)
{
    size_t length = strlen (id);
    if (length < 1 || length > 64)
        return false;
    for (const unsigned char *p = (const unsigned char *) id; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

//  payload is the payload's name for one of its fields, NULL for a common field.
static int s_id_check (s_ctx_t *ctx, const char *payload, const char *field, const char *id)
{
    if (id && !s_id_valid (id)) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, s_path (ctx, payload, field),
                       "%s is not a valid identifier (1 to 64 printable ASCII characters, no "
                       "spaces)",
                       s_quote (id, quoted));
    }
    return 0;
}

static int s_bad_id (s_ctx_t *ctx)
{
    const ProtobufCMessage *event = &ctx->event->base;
    for (size_t i = 0; i < S_COUNT (s_common_ids); i++) {
        const ProtobufCFieldDescriptor *field = s_field (event, s_common_ids[i]);
        const char *id = *(const char *const *) ((const char *) event + field->offset);
        if (s_id_check (ctx, NULL, s_common_ids[i], id) != 0)
            return -1;
    }
    const ProtobufCMessageDescriptor *descriptor = ctx->payload->descriptor;
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[f];
        size_t length = strlen (field->name);
        if (field->type != PROTOBUF_C_TYPE_STRING || field->label == PROTOBUF_C_LABEL_REPEATED ||
            length < 3 || strcmp (field->name + length - 3, "_id") != 0)
            continue;
        if (s_id_check (ctx, ctx->payload_name, field->name, s_text (ctx, field->name)) != 0)
            return -1;
    }
    for (size_t i = 0; i < S_COUNT (s_other_ids); i++)
        if (s_is (ctx, s_other_ids[i].payload) &&
            s_id_check (ctx, ctx->payload_name, s_other_ids[i].field,
                        s_text (ctx, s_other_ids[i].field)) != 0)
            return -1;
    return 0;
}

static int s_bad_code (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_coded); i++) {
        if (!s_is (ctx, s_coded[i].payload))
            continue;
        const char *value = s_text (ctx, s_coded[i].field);
        if (!value || jy_code_valid (s_coded[i].list, value))
            continue;
        //  "an SSDA903 ..." (ess), "a CIN census ...", "an audit grade"
        const char *list = jy_code_list_name (s_coded[i].list);
        const char *article = strchr ("aeiouAEIOUS", list[0]) ? "an" : "a";
        char quoted[S_QUOTE_SIZE];
        s_quote (value, quoted);
        size_t count = jy_code_count (s_coded[i].list);
        if (count > 12) //  a long list: the sender looks it up
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_coded[i].field),
                           "%s is not %s %s", quoted, article, list);
        char codes[160] = "";
        for (size_t c = 0; c < count; c++) {
            size_t used = strlen (codes);
            snprintf (codes + used, sizeof codes - used, "%s%s", c ? ", " : "",
                      jy_code_at (s_coded[i].list, c));
        }
        return s_fail (ctx, s_path (ctx, ctx->payload_name, s_coded[i].field),
                       "%s is not %s %s (one of %s)", quoted, article, list, codes);
    }
    return 0;
}

static int s_bad_value (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_ranges); i++) {
        if (!s_is (ctx, s_ranges[i].payload))
            continue;
        const ProtobufCFieldDescriptor *field = s_field (ctx->payload, s_ranges[i].field);
        assert (field->type == PROTOBUF_C_TYPE_DOUBLE);
        if (!s_present (ctx->payload, field))
            continue;
        double value = *(const double *) ((const char *) ctx->payload + field->offset);
        if (value >= s_ranges[i].min && value <= s_ranges[i].max) //  false for NaN too
            continue;
        const char *path = s_path (ctx, ctx->payload_name, s_ranges[i].field);
        if (isinf (s_ranges[i].max))
            return s_fail (ctx, path, "%s is %g: it must be %g %s or more", path, value,
                           s_ranges[i].min, s_ranges[i].unit);
        return s_fail (ctx, path, "%s is %g: it must be from %g to %g %s", path, value,
                       s_ranges[i].min, s_ranges[i].max, s_ranges[i].unit);
    }
    for (size_t i = 0; i < S_COUNT (s_enums); i++) {
        if (!s_is (ctx, s_enums[i].payload))
            continue;
        const ProtobufCFieldDescriptor *field = s_field (ctx->payload, s_enums[i].field);
        int value = *(const int *) ((const char *) ctx->payload + field->offset);
        if (value == 0 || !protobuf_c_enum_descriptor_get_value (field->descriptor, value))
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_enums[i].field),
                           "%s.%s must say which kind (%d is not one)", ctx->payload_name,
                           s_enums[i].field, value);
    }
    if (s_is (ctx, "child_registered")) {
        bool born = s_text (ctx, "date_of_birth") != NULL;
        bool unborn = s_flag (ctx, "unborn");
        if (born && unborn)
            return s_fail (ctx, "child_registered.unborn",
                           "a child is either born (date_of_birth) or unborn (unborn true, "
                           "expected_date_of_birth), not both");
        if (!born && !unborn)
            return s_fail (ctx, "child_registered.date_of_birth",
                           "a child needs a date_of_birth, or unborn true with an "
                           "expected_date_of_birth");
    }
    return 0;
}

//  --- Dates --------------------------------------------------------------------------------

static int s_bad_date (s_ctx_t *ctx)
{
    char quoted[S_QUOTE_SIZE];
    jy_date_t date;
    if (jy_date_parse (ctx->event->occurred_on, &date) != 0)
        return s_fail (ctx, "occurred_on", "%s is not a real date (YYYY-MM-DD, years %d-%d)",
                       s_quote (ctx->event->occurred_on, quoted), JY_DATE_MIN_YEAR,
                       JY_DATE_MAX_YEAR);
    ctx->occurred = date;
    for (size_t i = 0; i < S_COUNT (s_dates); i++) {
        const char *text = s_is (ctx, s_dates[i].payload) ? s_text (ctx, s_dates[i].field) : NULL;
        if (text && jy_date_parse (text, &date) != 0)
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_dates[i].field),
                           "%s is not a real date (YYYY-MM-DD, years %d-%d)",
                           s_quote (text, quoted), JY_DATE_MIN_YEAR, JY_DATE_MAX_YEAR);
    }
    return 0;
}

static int s_bad_timestamp (s_ctx_t *ctx)
{
    if (!ctx->recorded_ok) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, "recorded_at",
                       "%s is not an RFC 3339 timestamp (e.g. \"2024-01-05T10:00:00Z\")",
                       s_quote (ctx->event->recorded_at, quoted));
    }
    return 0;
}

static int s_recorded_in_future (s_ctx_t *ctx)
{
    int64_t end_of_today = jy_clock_local_midnight_ms (ctx->today + 1);
    if (ctx->recorded_ms >= end_of_today) {
        char today[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "recorded_at", "recorded_at \"%s\" is after the end of today (%s)",
                       ctx->event->recorded_at, s_date_text (ctx->today, today));
    }
    return 0;
}

static int s_occurred_after_recorded (s_ctx_t *ctx)
{
    jy_date_t recorded = jy_clock_local_date (ctx->recorded_ms);
    if (ctx->occurred > recorded) {
        char on[JY_DATE_TEXT_SIZE], when[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "occurred_on",
                       "occurred_on %s is after the day it was recorded (%s): a fact is "
                       "recorded once it happened",
                       s_date_text (ctx->occurred, on), s_date_text (recorded, when));
    }
    return 0;
}

static int s_before_birth (s_ctx_t *ctx)
{
    //  A registration states the dates; an unborn child's pre-birth events are its history.
    if (s_is (ctx, "child_registered") || !ctx->child_row)
        return 0;
    if (case_row_bool (ctx->child_row, "unborn") ||
        case_row_get (ctx->child_row, "expected_date_of_birth"))
        return 0;
    jy_date_t birth = case_row_date (ctx->child_row, "date_of_birth");
    if (birth != JY_DATE_INVALID && ctx->occurred < birth) {
        char on[JY_DATE_TEXT_SIZE], born[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "occurred_on", "occurred_on %s is before the child's date of birth %s",
                       s_date_text (ctx->occurred, on), s_date_text (birth, born));
    }
    return 0;
}

static int s_date_order (s_ctx_t *ctx)
{
    char on[JY_DATE_TEXT_SIZE], other[JY_DATE_TEXT_SIZE];
    for (size_t i = 0; i < S_COUNT (s_dates); i++) {
        const char *text = s_is (ctx, s_dates[i].payload) ? s_text (ctx, s_dates[i].field) : NULL;
        jy_date_t date;
        if (!text || jy_date_parse (text, &date) != 0)
            continue;
        bool before = s_dates[i].not_before && date < ctx->occurred;
        bool after = s_dates[i].max_months == 0 && date > ctx->occurred;
        bool too_late = s_dates[i].max_months > 0 &&
                        date > jy_date_add_months (ctx->occurred, s_dates[i].max_months);
        if (!before && !after && !too_late)
            continue;
        const char *path = s_path (ctx, ctx->payload_name, s_dates[i].field);
        s_date_text (ctx->occurred, on);
        s_date_text (date, other);
        if (before)
            return s_fail (ctx, path, "%s %s is before occurred_on %s", s_dates[i].field, other,
                           on);
        if (after)
            return s_fail (ctx, path, "%s %s is after occurred_on %s", s_dates[i].field, other, on);
        return s_fail (ctx, path, "%s %s is more than %d months after occurred_on %s",
                       s_dates[i].field, other, s_dates[i].max_months, on);
    }
    return 0;
}

//  --- Corrections and retractions ------------------------------------------------------------

static int s_supersedes_unknown (s_ctx_t *ctx)
{
    const char *field;
    if (ctx->correction && !ctx->retraction && !s_target (ctx, &field)) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, field, "the event %s this corrects was never accepted from LA %s",
                       s_quote (ctx->event->supersedes, quoted), ctx->event->la_code);
    }
    return 0;
}

static int s_retraction_unknown (s_ctx_t *ctx)
{
    const char *field;
    if (ctx->retraction && !s_target (ctx, &field)) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, field, "the event %s this retracts was never accepted from LA %s",
                       s_quote (s_text (ctx, "retracts"), quoted), ctx->event->la_code);
    }
    return 0;
}

static int s_other_child (s_ctx_t *ctx, bool retraction, const char *verb)
{
    const char *field;
    const case_event_info_t *target = ctx->retraction == retraction ? s_target (ctx, &field) : NULL;
    if (target && strcmp (target->child_id, ctx->event->child_id) != 0)
        return s_fail (ctx, "child_id",
                       "this is about child %s but the event it %s is about child %s: keep its "
                       "la_code and child_id",
                       ctx->event->child_id, verb, target->child_id);
    return 0;
}

static int s_supersedes_other_child (s_ctx_t *ctx)
{
    return ctx->correction ? s_other_child (ctx, false, "corrects") : 0;
}

static int s_retraction_other_child (s_ctx_t *ctx)
{
    return s_other_child (ctx, true, "retracts");
}

static int s_correction_kind (s_ctx_t *ctx)
{
    if (!ctx->correction)
        return 0;
    if (ctx->retraction)
        return s_fail (ctx, "supersedes",
                       "a retraction cannot be a correction: retract the event, or correct it");
    const char *field;
    const case_event_info_t *target = s_target (ctx, &field);
    if (target && target->payload_case != (int) ctx->event->payload_case)
        return s_fail (ctx, field,
                       "a correction must have the payload of the event it corrects (%s), not %s",
                       s_payload_name_of (target->payload_case), ctx->payload_name);
    return 0;
}

static int s_retraction_kind (s_ctx_t *ctx)
{
    const char *field;
    const case_event_info_t *target = ctx->retraction ? s_target (ctx, &field) : NULL;
    if (target && target->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION)
        return s_fail (ctx, field,
                       "a retraction cannot be retracted: send the retracted fact again as a new "
                       "event");
    return 0;
}

static int s_already_retracted (s_ctx_t *ctx)
{
    const char *field;
    const case_event_info_t *target = s_target (ctx, &field);
    if (target && target->retracted) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (
            ctx, field, "the event %s was already retracted",
            s_quote (ctx->retraction ? s_text (ctx, "retracts") : ctx->event->supersedes, quoted));
    }
    return 0;
}

static int s_already_superseded (s_ctx_t *ctx)
{
    const char *field;
    const case_event_info_t *target = s_target (ctx, &field);
    if (target && target->superseded) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (
            ctx, field, "the event %s was already corrected: name the latest correction instead",
            s_quote (ctx->retraction ? s_text (ctx, "retracts") : ctx->event->supersedes, quoted));
    }
    return 0;
}

//  --- Sequence: the child and the case ---------------------------------------------------------

static bool s_registered (s_ctx_t *ctx)
{
    //  The store keeps a child row for any event; registration sets registered_on.
    return ctx->child_row && case_row_get (ctx->child_row, "registered_on");
}

static int s_child_not_registered (s_ctx_t *ctx)
{
    if (!s_is (ctx, "child_registered") && !s_registered (ctx))
        return s_fail (ctx, "child_id",
                       "child %s is not registered in LA %s: send child_registered first",
                       ctx->event->child_id, ctx->event->la_code);
    return 0;
}

static int s_child_already_registered (s_ctx_t *ctx)
{
    if (s_is (ctx, "child_registered") && s_registered (ctx))
        return s_fail (ctx, "child_id",
                       "child %s is already registered (on %s): send a correction (supersedes) "
                       "to change the registration",
                       ctx->event->child_id, case_row_get (ctx->child_row, "registered_on"));
    return 0;
}

static int s_case_closed (s_ctx_t *ctx)
{
    jy_date_t closed =
        ctx->child_row ? case_row_date (ctx->child_row, "closed_on") : JY_DATE_INVALID;
    if (closed == JY_DATE_INVALID || ctx->occurred <= closed ||
        s_in (ctx->payload_name, s_closed_ok, S_COUNT (s_closed_ok)))
        return 0;
    char on[JY_DATE_TEXT_SIZE];
    return s_fail (ctx, "occurred_on",
                   "child %s's case was closed on %s: a contact or referral reopens it before "
                   "%s can be recorded",
                   ctx->event->child_id, s_date_text (closed, on), ctx->payload_name);
}

static int s_duplicate_id (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_starts); i++) {
        if (!s_is (ctx, s_starts[i].payload))
            continue;
        const char *id = s_text (ctx, s_starts[i].field);
        if (s_row (ctx, s_starts[i].table, id)) {
            char quoted[S_QUOTE_SIZE];
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_starts[i].field),
                           "child %s already has a %s %s", ctx->event->child_id,
                           s_noun[s_starts[i].table], s_quote (id, quoted));
        }
    }
    return 0;
}

//  The references of s_refs whose code is the rule being checked.
static int s_references (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_refs); i++) {
        if (!s_same (s_refs[i].code, ctx->code) || !s_is (ctx, s_refs[i].payload))
            continue;
        const char *id = s_text (ctx, s_refs[i].field);
        if (id && !s_row (ctx, s_refs[i].table, id)) {
            char quoted[S_QUOTE_SIZE];
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_refs[i].field),
                           "child %s has no %s %s", ctx->event->child_id, s_noun[s_refs[i].table],
                           s_quote (id, quoted));
        }
    }
    return 0;
}

//  What an event ends, when it was already ended (s_ends, the rule's code).
static int s_ended_twice (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_ends); i++) {
        if (!s_ends[i].twice || !s_same (s_ends[i].twice, ctx->code) ||
            !s_is (ctx, s_ends[i].payload))
            continue;
        const char *id = s_text (ctx, s_ends[i].field);
        case_row_t *row = s_row (ctx, s_ends[i].table, id);
        jy_date_t ended = row ? case_row_date (row, s_ends[i].end) : JY_DATE_INVALID;
        if (ended != JY_DATE_INVALID) {
            char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE];
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_ends[i].field),
                           "%s %s already ended (%s on %s)", s_noun[s_ends[i].table],
                           s_quote (id, quoted), s_ends[i].end, s_date_text (ended, on));
        }
    }
    return 0;
}

//  What an event happens within, when it ended before the event (s_within, the rule's code).
static int s_after_end (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_within); i++) {
        if (!s_within[i].after_end || !s_same (s_within[i].after_end, ctx->code) ||
            !s_is (ctx, s_within[i].payload))
            continue;
        const char *id = s_text (ctx, s_within[i].field);
        case_row_t *row = s_row (ctx, s_within[i].table, id);
        jy_date_t ended = row ? case_row_date (row, s_within[i].end) : JY_DATE_INVALID;
        if (ended != JY_DATE_INVALID && ended < ctx->occurred) {
            char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE];
            return s_fail (ctx, s_path (ctx, ctx->payload_name, s_within[i].field),
                           "%s %s ended on %s, before this %s", s_noun[s_within[i].table],
                           s_quote (id, quoted), s_date_text (ended, on), ctx->payload_name);
        }
    }
    return 0;
}

//  A visit under a plan or in care on a date nothing covers (s_visits, the rule's code).
static int s_visit (s_ctx_t *ctx)
{
    if (!s_is (ctx, "child_visited"))
        return 0;
    const char *context = s_text (ctx, "context");
    for (size_t i = 0; i < S_COUNT (s_visits); i++) {
        if (!s_same (context, s_visits[i].context) ||
            s_covering (ctx, s_visits[i].table, ctx->occurred))
            continue;
        bool ended = s_ended_before (ctx, s_visits[i].table, ctx->occurred) != NULL;
        if (!s_same (ended ? s_visits[i].ended : s_visits[i].unknown, ctx->code))
            continue;
        char on[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "child_visited.context",
                       "a \"%s\" visit on %s, but the child has no %s open then%s", context,
                       s_date_text (ctx->occurred, on), s_noun[s_visits[i].table],
                       ended ? " (it had ended)" : "");
    }
    return 0;
}

//  An event that starts what must not be open twice (plans, periods, episodes).
static int s_open_twice (s_ctx_t *ctx, const char *payload, const char *field, proj_table_t table)
{
    if (!s_is (ctx, payload) || !ctx->child)
        return 0;
    case_row_t *open = case_child_find_open (ctx->child, table, "ended_on");
    if (!open)
        return 0;
    char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE];
    return s_fail (ctx, s_path (ctx, payload, field), "%s %s (from %s) is still open",
                   s_noun[table], s_quote (case_row_key (open), quoted),
                   s_date_text (case_row_date (open, "started_on"), on));
}

//  --- Sequence rules, one per code --------------------------------------------------------------

static int s_contact_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_contact_already_decided (s_ctx_t *ctx)
{
    return s_ended_twice (ctx);
}

static int s_referral_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_referral_closed (s_ctx_t *ctx)
{
    return s_ended_twice (ctx) || s_after_end (ctx) ? -1 : 0;
}

static int s_assessment_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_assessment_already_completed (s_ctx_t *ctx)
{
    return s_ended_twice (ctx);
}

static int s_s47_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_icpc_without_s47 (s_ctx_t *ctx)
{
    if (!s_is (ctx, "icpc_held"))
        return 0;
    const char *s47_id = s_text (ctx, "s47_id");
    case_row_t *s47 = s_row (ctx, PROJ_S47, s47_id);
    if (!s47 || !case_row_get (s47, "strategy_id")) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, "icpc_held.s47_id",
                       "no strategy discussion started a section 47 enquiry %s for child %s",
                       s_quote (s47_id, quoted), ctx->event->child_id);
    }
    return 0;
}

static int s_icpc_before_strategy (s_ctx_t *ctx)
{
    if (!s_is (ctx, "icpc_held"))
        return 0;
    case_row_t *s47 = s_row (ctx, PROJ_S47, s_text (ctx, "s47_id"));
    case_row_t *strategy =
        s_row (ctx, PROJ_STRATEGY, s47 ? case_row_get (s47, "strategy_id") : NULL);
    jy_date_t held = strategy ? case_row_date (strategy, "held_on")
                     : s47    ? case_row_date (s47, "started_on")
                              : JY_DATE_INVALID;
    if (held != JY_DATE_INVALID && ctx->occurred < held) {
        char on[JY_DATE_TEXT_SIZE], then[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "occurred_on",
                       "the ICPC on %s is before the strategy discussion on %s that started its "
                       "enquiry",
                       s_date_text (ctx->occurred, on), s_date_text (held, then));
    }
    return 0;
}

static int s_icpc_already_held (s_ctx_t *ctx)
{
    if (!s_is (ctx, "icpc_held") || !ctx->child)
        return 0;
    char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE];
    const char *conference_id = s_text (ctx, "conference_id");
    case_row_t *meeting = s_row (ctx, PROJ_MEETING, conference_id);
    if (meeting)
        return s_fail (ctx, "icpc_held.conference_id", "conference %s was already held on %s",
                       s_quote (conference_id, quoted),
                       s_date_text (case_row_date (meeting, "held_on"), on));
    const char *s47_id = s_text (ctx, "s47_id");
    for (meeting = case_child_first (ctx->child, PROJ_MEETING); meeting;
         meeting = case_row_next (meeting)) {
        const char *kind = case_row_get (meeting, "kind"), *of = case_row_get (meeting, "s47_id");
        if (kind && strcmp (kind, "icpc") == 0 && of && strcmp (of, s47_id) == 0)
            return s_fail (
                ctx, "icpc_held.s47_id", "section 47 enquiry %s already had its ICPC on %s",
                s_quote (s47_id, quoted), s_date_text (case_row_date (meeting, "held_on"), on));
    }
    return 0;
}

static int s_booking_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_booking_kind (s_ctx_t *ctx)
{
    char quoted[S_QUOTE_SIZE], kind[32];
    if (s_is (ctx, "conference_scheduled")) {
        const char *cancels = s_text (ctx, "cancels");
        case_row_t *booking = s_row (ctx, PROJ_BOOKING, cancels);
        const char *was = booking ? case_row_get (booking, "kind") : NULL;
        s_enum_name (ctx, "kind", kind, sizeof kind);
        if (was && strcmp (was, kind) != 0)
            return s_fail (ctx, "conference_scheduled.cancels",
                           "booking %s is a %s booking: a %s booking cannot replace it",
                           s_quote (cancels, quoted), was, kind);
        return 0;
    }
    for (size_t i = 0; i < S_COUNT (s_held); i++) {
        if (!s_is (ctx, s_held[i].payload))
            continue;
        const char *conference_id = s_text (ctx, "conference_id");
        case_row_t *booking = s_row (ctx, PROJ_BOOKING, conference_id);
        const char *was = booking ? case_row_get (booking, "kind") : NULL;
        if (was && strcmp (was, s_held[i].kind) != 0)
            return s_fail (ctx, s_path (ctx, ctx->payload_name, "conference_id"),
                           "booking %s is a %s booking, not a %s one",
                           s_quote (conference_id, quoted), was, s_held[i].kind);
    }
    return 0;
}

static int s_cp_plan_already_open (s_ctx_t *ctx)
{
    if (s_is (ctx, "icpc_held") && !s_flag (ctx, "plan_made"))
        return 0;
    return s_open_twice (ctx, "icpc_held", "plan_made", PROJ_CP_PLAN) ||
                   s_open_twice (ctx, "cp_plan_started", "plan_id", PROJ_CP_PLAN)
               ? -1
               : 0;
}

static int s_plan_without_icpc (s_ctx_t *ctx)
{
    if (!s_is (ctx, "cp_plan_started"))
        return 0;
    const char *conference_id = s_text (ctx, "conference_id");
    case_row_t *meeting = s_row (ctx, PROJ_MEETING, conference_id);
    const char *kind = meeting ? case_row_get (meeting, "kind") : NULL;
    if (!kind || strcmp (kind, "icpc") != 0 || !case_row_bool (meeting, "plan_made")) {
        char quoted[S_QUOTE_SIZE];
        return s_fail (ctx, "cp_plan_started.conference_id",
                       "conference %s is not an ICPC of child %s that made a plan",
                       s_quote (conference_id, quoted), ctx->event->child_id);
    }
    return 0;
}

static int s_cp_plan_unknown (s_ctx_t *ctx)
{
    return s_references (ctx) || s_visit (ctx) ? -1 : 0;
}

static int s_cp_plan_ended (s_ctx_t *ctx)
{
    return s_ended_twice (ctx) || s_after_end (ctx) || s_visit (ctx) ? -1 : 0;
}

static int s_cin_plan_already_open (s_ctx_t *ctx)
{
    return s_open_twice (ctx, "cin_plan_started", "plan_id", PROJ_CIN_PLAN);
}

static int s_cin_plan_unknown (s_ctx_t *ctx)
{
    return s_references (ctx) || s_visit (ctx) ? -1 : 0;
}

static int s_cin_plan_ended (s_ctx_t *ctx)
{
    return s_ended_twice (ctx) || s_after_end (ctx) || s_visit (ctx) ? -1 : 0;
}

static int s_period_already_open (s_ctx_t *ctx)
{
    return s_open_twice (ctx, "period_of_care_started", "period_id", PROJ_CARE_PERIOD);
}

static int s_period_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_period_ended (s_ctx_t *ctx)
{
    return s_ended_twice (ctx) || s_after_end (ctx) ? -1 : 0;
}

static int s_not_in_care (s_ctx_t *ctx)
{
    if (s_in (ctx->payload_name, s_in_care, S_COUNT (s_in_care)) &&
        !s_covering (ctx, PROJ_CARE_PERIOD, ctx->occurred)) {
        char on[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "occurred_on",
                       "child %s is not looked after on %s: %s needs an open period of care",
                       ctx->event->child_id, s_date_text (ctx->occurred, on), ctx->payload_name);
    }
    return s_visit (ctx);
}

static int s_placement_without_period (s_ctx_t *ctx)
{
    if (!s_is (ctx, "placement_started"))
        return 0;
    const char *period_id = s_text (ctx, "period_id");
    case_row_t *open =
        ctx->child ? case_child_find_open (ctx->child, PROJ_CARE_PERIOD, "ended_on") : NULL;
    char quoted[S_QUOTE_SIZE], other[S_QUOTE_SIZE];
    if (!open)
        return s_fail (ctx, "placement_started.period_id",
                       "child %s has no open period of care for placement in period %s",
                       ctx->event->child_id, s_quote (period_id, quoted));
    if (strcmp (case_row_key (open), period_id) != 0)
        return s_fail (ctx, "placement_started.period_id",
                       "period %s is not child %s's open period of care (%s is)",
                       s_quote (period_id, quoted), ctx->event->child_id,
                       s_quote (case_row_key (open), other));
    return 0;
}

static int s_placement_before_period (s_ctx_t *ctx)
{
    if (!s_is (ctx, "placement_started"))
        return 0;
    case_row_t *period = s_row (ctx, PROJ_CARE_PERIOD, s_text (ctx, "period_id"));
    jy_date_t started = period ? case_row_date (period, "started_on") : JY_DATE_INVALID;
    if (started != JY_DATE_INVALID && ctx->occurred < started) {
        char on[JY_DATE_TEXT_SIZE], from[JY_DATE_TEXT_SIZE];
        return s_fail (ctx, "occurred_on",
                       "the placement starts on %s, before its period of care started (%s)",
                       s_date_text (ctx->occurred, on), s_date_text (started, from));
    }
    return 0;
}

static int s_placement_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_placement_already_ended (s_ctx_t *ctx)
{
    return s_ended_twice (ctx);
}

static int s_missing_already_open (s_ctx_t *ctx)
{
    return s_open_twice (ctx, "missing_started", "episode_id", PROJ_MISSING);
}

static int s_missing_unknown (s_ctx_t *ctx)
{
    return s_references (ctx);
}

static int s_missing_already_ended (s_ctx_t *ctx)
{
    return s_ended_twice (ctx);
}

static int s_rhi_before_return (s_ctx_t *ctx)
{
    if (!s_is (ctx, "return_interview"))
        return 0;
    const char *episode_id = s_text (ctx, "episode_id");
    case_row_t *episode = s_row (ctx, PROJ_MISSING, episode_id);
    jy_date_t ended = episode ? case_row_date (episode, "ended_on") : JY_DATE_INVALID;
    char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE];
    s_quote (episode_id, quoted);
    if (!episode)
        return s_fail (ctx, "return_interview.episode_id", "child %s has no missing episode %s",
                       ctx->event->child_id, quoted);
    if (ended == JY_DATE_INVALID)
        return s_fail (ctx, "return_interview.episode_id",
                       "missing episode %s has not ended: the interview follows the return",
                       quoted);
    if (ctx->occurred < ended)
        return s_fail (ctx, "return_interview.episode_id",
                       "the interview is dated before missing episode %s ended (%s)", quoted,
                       s_date_text (ended, on));
    return 0;
}

static int s_adoption_order (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_adoption); i++) {
        if (!s_is (ctx, s_adoption[i].payload))
            continue;
        case_row_t *row = s_row (ctx, PROJ_ADOPTION, ctx->event->child_id);
        jy_date_t before = row ? case_row_date (row, s_adoption[i].before_column) : JY_DATE_INVALID;
        char on[JY_DATE_TEXT_SIZE];
        if (before == JY_DATE_INVALID)
            return s_fail (ctx, ctx->payload_name, "%s needs %s first", ctx->payload_name,
                           s_adoption[i].before);
        if (before > ctx->occurred)
            return s_fail (ctx, ctx->payload_name, "%s is dated before %s (%s)", ctx->payload_name,
                           s_adoption[i].before, s_date_text (before, on));
    }
    return 0;
}

static int s_care_leaver_too_young (s_ctx_t *ctx)
{
    if (!s_is (ctx, "care_leaver_contact") && !s_is (ctx, "pathway_plan_reviewed"))
        return 0;
    jy_date_t birth = case_row_date (ctx->child_row, "date_of_birth");
    if (birth == JY_DATE_INVALID || case_row_bool (ctx->child_row, "unborn") ||
        birth > ctx->occurred)
        return 0;
    int age = jy_date_age_years (birth, ctx->occurred);
    if (age < 16) {
        char on[JY_DATE_TEXT_SIZE];
        return s_fail (
            ctx, "occurred_on", "child %s is %d on %s: %s is for young people of 16 or over",
            ctx->event->child_id, age, s_date_text (ctx->occurred, on), ctx->payload_name);
    }
    return 0;
}

static int s_end_before_start (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_ends); i++) {
        if (!s_is (ctx, s_ends[i].payload))
            continue;
        const char *id = s_text (ctx, s_ends[i].field);
        case_row_t *row = s_row (ctx, s_ends[i].table, id);
        jy_date_t started = row ? case_row_date (row, s_ends[i].start) : JY_DATE_INVALID;
        if (started != JY_DATE_INVALID && ctx->occurred < started) {
            char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE], from[JY_DATE_TEXT_SIZE];
            return s_fail (ctx, "occurred_on", "%s on %s is before %s %s started (%s)",
                           ctx->payload_name, s_date_text (ctx->occurred, on),
                           s_noun[s_ends[i].table], s_quote (id, quoted),
                           s_date_text (started, from));
        }
    }
    return 0;
}

static int s_before_start (s_ctx_t *ctx)
{
    for (size_t i = 0; i < S_COUNT (s_within); i++) {
        if (!s_is (ctx, s_within[i].payload))
            continue;
        const char *id = s_text (ctx, s_within[i].field);
        case_row_t *row = s_row (ctx, s_within[i].table, id);
        jy_date_t started = row ? case_row_date (row, s_within[i].start) : JY_DATE_INVALID;
        if (started != JY_DATE_INVALID && ctx->occurred < started) {
            char quoted[S_QUOTE_SIZE], on[JY_DATE_TEXT_SIZE], from[JY_DATE_TEXT_SIZE];
            return s_fail (ctx, "occurred_on", "%s on %s is before %s %s started (%s)",
                           ctx->payload_name, s_date_text (ctx->occurred, on),
                           s_noun[s_within[i].table], s_quote (id, quoted),
                           s_date_text (started, from));
        }
    }
    return 0;
}

//  --- The interface ---------------------------------------------------------------------------

int validate_event (case_store_t *store, const Journey__V1__Event *event, jy_date_t today,
                    validate_result_t *result)
{
    assert (store);
    assert (event);
    assert (result);
    memset (result, 0, sizeof *result);

    s_ctx_t ctx = {.store = store,
                   .event = event,
                   .today = today,
                   .result = result,
                   .occurred = JY_DATE_INVALID};
    if (event->payload_case != JOURNEY__V1__EVENT__PAYLOAD__NOT_SET) {
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (
            &journey__v1__event__descriptor, (unsigned) event->payload_case);
        if (field) {
            ctx.payload = *(const ProtobufCMessage *const *) ((const char *) event + field->offset);
            ctx.payload_name = field->name;
        }
    }
    if (!ctx.payload)
        ctx.payload_name = NULL;
    ctx.retraction = event->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION;
    ctx.correction = event->supersedes != NULL;
    ctx.recorded_ok =
        event->recorded_at && jy_clock_parse_timestamp (event->recorded_at, &ctx.recorded_ms) == 0;
    if (event->la_code && event->child_id) {
        ctx.child = case_store_child (store, event->la_code, event->child_id);
        ctx.child_row = ctx.child ? case_child_find (ctx.child, PROJ_CHILD, event->child_id) : NULL;
    }
    for (size_t i = 0; i < S_RULE_COUNT; i++) {
        if (s_checks[i].new_only && (ctx.correction || ctx.retraction))
            continue;
        ctx.code = s_rules[i].code;
        if (s_checks[i].check (&ctx) != 0) {
            assert (result->code == s_rules[i].code);
            return -1;
        }
    }
    return 0;
}

const validate_rule_t *validate_rules (size_t *count)
{
    assert (count);
    *count = S_RULE_COUNT;
    return s_rules;
}

const validate_required_t *validate_required (size_t *count)
{
    assert (count);
    *count = S_COUNT (s_required);
    return s_required;
}
