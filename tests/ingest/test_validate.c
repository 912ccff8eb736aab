/*  validate: every rule rejects what it should, with its code and field, and lets the same
    situation's valid event through; every rule has such a test (checked against
    validate_rules) and a line in docs/events.md; a generated authority validates whole.

    Events are written short: "ID DATE [key=value ...] PAYLOAD {fields}" for child C1 in LA 872,
    recorded at noon on DATE by "test"; key=value overrides a common field (la_code, child_id,
    recorded_at, supersedes, source, worker_id, team_id), "-" leaves it out.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jy_test.h"
#include "validate.h"

#define TODAY "2025-01-01"

//  --- Building and applying events --------------------------------------------------------------

static Journey__V1__Event *s_event (const char *spec)
{
    char err[256];
    Journey__V1__Event *event = NULL;
    const char *brace = strchr (spec, '{');
    if (!brace) {
        fprintf (stderr, "bad event in test: %s\n", spec);
        abort ();
    }
    //  The words before the payload's object.
    char words[512];
    snprintf (words, sizeof words, "%.*s", (int) (brace - spec), spec);
    char *tokens[16];
    int count = 0;
    for (char *token = strtok (words, " "); token && count < 16; token = strtok (NULL, " "))
        tokens[count++] = token;
    if (count < 3) {
        fprintf (stderr, "bad event in test: %s\n", spec);
        abort ();
    }
    json_t *object = json_object ();
    char recorded[64];
    snprintf (recorded, sizeof recorded, "%sT12:00:00Z", tokens[1]);
    json_object_set_new (object, "event_id", json_string (tokens[0]));
    json_object_set_new (object, "la_code", json_string ("872"));
    json_object_set_new (object, "child_id", json_string ("C1"));
    json_object_set_new (object, "occurred_on", json_string (tokens[1]));
    json_object_set_new (object, "recorded_at", json_string (recorded));
    json_object_set_new (object, "source", json_string ("test"));
    for (int i = 2; i < count - 1; i++) {
        char *equals = strchr (tokens[i], '=');
        if (!equals) {
            fprintf (stderr, "bad override in test: %s\n", spec);
            abort ();
        }
        *equals = 0;
        if (strcmp (equals + 1, "-") == 0)
            json_object_del (object, tokens[i]);
        else
            json_object_set_new (object, tokens[i], json_string (equals + 1));
    }
    json_error_t error;
    json_t *payload = json_loads (brace, 0, &error);
    if (!payload) {
        fprintf (stderr, "bad payload JSON in test: %s (%s)\n", spec, error.text);
        abort ();
    }
    json_object_set_new (object, tokens[count - 1], payload);
    char *line = json_dumps (object, JSON_COMPACT);
    json_decref (object);
    event = jy_json_parse_event (line, strlen (line), err, sizeof err);
    if (!event) {
        fprintf (stderr, "event in test does not parse: %s: %s\n", line, err);
        abort ();
    }
    free (line);
    return event;
}

static void s_apply (case_store_t *store, const Journey__V1__Event *event)
{
    uint8_t hash[CASE_HASH_SIZE] = {0};
    //  Any stable hash will do here: idempotency is not under test.
    for (const char *p = event->event_id; *p; p++)
        hash[(p - event->event_id) % CASE_HASH_SIZE] ^= (uint8_t) *p;
    int rc = case_store_apply (store, event, NULL, 0, hash);
    CHECK_INT (rc, 0);
}

//  Validate a history event and apply it; a history that does not validate is a test bug.
static void s_history (case_store_t *store, const char *spec, jy_date_t today)
{
    Journey__V1__Event *event = s_event (spec);
    validate_result_t result;
    if (validate_event (store, event, today, &result) != 0) {
        jy_test_failures++;
        fprintf (stderr, "history event rejected: %s\n  %s %s: %s\n", spec, result.code,
                 result.field, result.message);
    }
    s_apply (store, event);
    journey__v1__event__free_unpacked (event, NULL);
}

//  --- The cases
//  ------------------------------------------------------------------------------------

//  A minimal history to build on.
#define REG                                                                                        \
    "R1 2024-01-02 child_registered "                                                              \
    "{\"date_of_birth\":\"2015-06-01\",\"sex\":\"F\",\"ethnicity\":\"WBRI\"}"
#define REG_C2                                                                                     \
    "R2 2024-01-02 child_id=C2 child_registered "                                                  \
    "{\"date_of_birth\":\"2012-03-04\",\"sex\":\"M\",\"ethnicity\":\"AIND\"}"
#define REG_C3                                                                                     \
    "R3 2024-01-02 child_id=C3 child_registered "                                                  \
    "{\"date_of_birth\":\"2006-01-01\",\"sex\":\"M\",\"ethnicity\":\"BAFR\"}"
#define CONTACT_IN                                                                                 \
    "E1 2024-01-03 contact_received {\"contact_id\":\"CT1\",\"contact_source\":\"2A\"}"
#define CONTACT_DECIDED                                                                            \
    "E2 2024-01-04 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"referral\"}"
#define REFERRAL                                                                                   \
    "E3 2024-01-04 referral_received "                                                             \
    "{\"referral_id\":\"R1\",\"contact_id\":\"CT1\",\"referral_source\":\"2A\"}"
#define OPEN REG, CONTACT_IN, CONTACT_DECIDED, REFERRAL
#define ASSESSMENT                                                                                 \
    "E4 2024-01-05 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}"
#define STRATEGY                                                                                   \
    "E5 2024-01-08 strategy_discussion "                                                           \
    "{\"strategy_id\":\"SD1\",\"referral_id\":\"R1\",\"s47_started\":true,\"s47_id\":\"S1\"}"
#define S47_DONE "E6 2024-01-15 s47_completed {\"s47_id\":\"S1\",\"icpc_required\":true}"
#define BOOKED                                                                                     \
    "E7 2024-01-16 conference_scheduled "                                                          \
    "{\"conference_id\":\"K1\",\"kind\":\"icpc\",\"planned_on\":\"2024-01-26\"}"
#define S47 OPEN, STRATEGY, S47_DONE, BOOKED
#define ICPC                                                                                       \
    "E8 2024-01-26 icpc_held "                                                                     \
    "{\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":true,\"category\":\"NEG\"}"
#define CP_START                                                                                   \
    "E9 2024-01-26 cp_plan_started "                                                               \
    "{\"plan_id\":\"P1\",\"conference_id\":\"K1\",\"category\":\"NEG\"}"
#define CP     S47, ICPC, CP_START
#define CP_END "E10 2024-06-01 cp_plan_ended {\"plan_id\":\"P1\",\"reason\":\"no_longer_at_risk\"}"
#define CIN    "E11 2024-02-01 cin_plan_started {\"plan_id\":\"N1\"}"
#define CIN_END                                                                                    \
    "E12 2024-05-01 cin_plan_ended {\"plan_id\":\"N1\",\"reason\":\"no_longer_in_need\"}"
#define PERIOD                                                                                     \
    "E13 2024-03-01 period_of_care_started "                                                       \
    "{\"period_id\":\"PC1\",\"legal_status\":\"C2\",\"category_of_need\":\"N1\"}"
#define PLACEMENT                                                                                  \
    "E14 2024-03-01 placement_started "                                                            \
    "{\"placement_id\":\"PL1\",\"period_id\":\"PC1\",\"placement_type\":\"U4\",\"in_area\":true,"  \
    "\"distance_miles\":3.5,\"long_term\":false}"
#define CARE OPEN, PERIOD, PLACEMENT
#define PLACEMENT_END                                                                              \
    "E15 2024-09-01 placement_ended {\"placement_id\":\"PL1\",\"reason\":\"CARPL\"}"
#define PERIOD_END                                                                                 \
    "E16 2024-09-01 period_of_care_ended {\"period_id\":\"PC1\",\"reason_ceased\":\"E4A\"}"
#define MISSING     "E17 2024-04-01 missing_started {\"episode_id\":\"M1\"}"
#define MISSING_END "E18 2024-04-02 missing_ended {\"episode_id\":\"M1\",\"hours_missing\":20}"

typedef struct {
    const char *code;        //  expected code (NULL: the bad event is a valid one)
    const char *field;       //  the field it names
    const char *history[20]; //  applied first, each validated
    const char *bad;         //  rejected with code and field (NULL: none)
    const char *message_has; //  a part of the message (NULL: any)
    const char *prepare[4];  //  applied after the bad event, before the good one
    const char *good;        //  then accepted (NULL: none)
} s_case_t;

static const s_case_t s_cases[] = {
    //  --- schema
    {"missing_field",
     "referral_received.referral_id",
     {OPEN},
     "X1 2024-01-05 referral_received {\"contact_id\":\"CT1\"}",
     "is required",
     {NULL},
     "X1 2024-01-05 referral_received {\"referral_id\":\"R2\",\"contact_id\":\"CT1\"}"},
    {"missing_field",
     "source",
     {REG},
     "X1 2024-01-05 source=- contact_received {\"contact_id\":\"CT2\"}",
     NULL,
     {NULL},
     NULL},
    {"missing_field",
     "strategy_discussion.s47_id",
     {OPEN},
     "X1 2024-01-05 strategy_discussion "
     "{\"strategy_id\":\"SD1\",\"referral_id\":\"R1\",\"s47_started\":true}",
     "when s47_started is true",
     {NULL},
     "X1 2024-01-05 strategy_discussion "
     "{\"strategy_id\":\"SD1\",\"referral_id\":\"R1\",\"s47_started\":false}"},
    {"missing_field",
     "child_registered.expected_date_of_birth",
     {NULL},
     "X1 2024-01-05 child_registered {\"unborn\":true,\"sex\":\"U\",\"ethnicity\":\"NOBT\"}",
     NULL,
     {NULL},
     "X1 2024-01-05 child_registered "
     "{\"unborn\":true,\"expected_date_of_birth\":\"2024-05-01\",\"sex\":\"U\",\"ethnicity\":"
     "\"NOBT\"}"},
    {"bad_la_code",
     "la_code",
     {REG},
     "X1 2024-01-05 la_code=87 contact_received {\"contact_id\":\"CT2\"}",
     "\"87\"",
     {NULL},
     "X1 2024-01-05 la_code=872 contact_received {\"contact_id\":\"CT2\"}"},
    {"bad_id",
     "contact_received.contact_id",
     {REG},
     "X1 2024-01-05 contact_received {\"contact_id\":\"CT 2\"}",
     "\"CT 2\"",
     {NULL},
     "X1 2024-01-05 contact_received {\"contact_id\":\"CT2\"}"},
    {"bad_id",
     "worker_id",
     {REG},
     "X1 2024-01-05 worker_id=W\xc3\xa9 contact_received {\"contact_id\":\"CT2\"}",
     NULL,
     {NULL},
     NULL},
    {"bad_code",
     "period_of_care_started.legal_status",
     {OPEN},
     "X1 2024-03-01 period_of_care_started {\"period_id\":\"PC1\",\"legal_status\":\"X9\"}",
     "\"X9\" is not an SSDA903 legal status",
     {NULL},
     "X1 2024-03-01 period_of_care_started {\"period_id\":\"PC1\",\"legal_status\":\"C2\"}"},
    {"bad_code",
     "contact_decided.outcome",
     {REG, CONTACT_IN},
     "X1 2024-01-04 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"Referral\"}",
     "is not a contact outcome (one of referral, early_help, nfa, information)",
     {NULL},
     NULL},
    {"bad_value",
     "placement_started.distance_miles",
     {CARE},
     "X1 2024-04-01 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U4\",\"distance_miles\":"
     "1200}",
     "from 0 to 1000 miles",
     {NULL},
     "X1 2024-04-01 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U4\",\"distance_miles\":"
     "12}"},
    {"bad_value",
     "missing_ended.hours_missing",
     {CARE, MISSING},
     "X1 2024-04-02 missing_ended {\"episode_id\":\"M1\",\"hours_missing\":-1}",
     NULL,
     {NULL},
     NULL},
    {"bad_value",
     "conference_scheduled.kind",
     {OPEN},
     "X1 2024-01-05 conference_scheduled "
     "{\"conference_id\":\"K1\",\"kind\":\"kind_unspecified\",\"planned_on\":\"2024-02-01\"}",
     NULL,
     {NULL},
     NULL},
    {"bad_value",
     "health_assessment.kind",
     {CARE},
     "X1 2024-03-05 health_assessment {\"kind\":\"kind_unspecified\"}",
     NULL,
     {NULL},
     NULL},
    {"bad_value",
     "child_registered.unborn",
     {NULL},
     "X1 2024-01-05 child_registered "
     "{\"date_of_birth\":\"2015-01-01\",\"unborn\":true,\"expected_date_of_birth\":\"2024-05-01\","
     "\"sex\":\"U\",\"ethnicity\":\"NOBT\"}",
     NULL,
     {NULL},
     NULL},
    {"bad_value",
     "child_registered.date_of_birth",
     {NULL},
     "X1 2024-01-05 child_registered {\"sex\":\"U\",\"ethnicity\":\"NOBT\"}",
     NULL,
     {NULL},
     NULL},
    //  --- dates
    {"bad_date",
     "occurred_on",
     {REG},
     "X1 2024-02-30 contact_received {\"contact_id\":\"CT2\"}",
     "\"2024-02-30\" is not a real date",
     {NULL},
     "X1 2024-02-29 contact_received {\"contact_id\":\"CT2\"}"},
    {"bad_date",
     "conference_scheduled.planned_on",
     {OPEN},
     "X1 2024-01-05 conference_scheduled "
     "{\"conference_id\":\"K1\",\"kind\":\"icpc\",\"planned_on\":\"2024-13-01\"}",
     NULL,
     {NULL},
     NULL},
    {"bad_timestamp",
     "recorded_at",
     {REG},
     "X1 2024-01-05 recorded_at=2024-01-05 contact_received {\"contact_id\":\"CT2\"}",
     "\"2024-01-05\"",
     {NULL},
     "X1 2024-01-05 recorded_at=2024-01-05T09:30:00+01:00 contact_received "
     "{\"contact_id\":\"CT2\"}"},
    {"recorded_in_future",
     "recorded_at",
     {REG},
     "X1 2025-01-02 contact_received {\"contact_id\":\"CT2\"}",
     NULL,
     {NULL},
     "X1 2025-01-01 contact_received {\"contact_id\":\"CT2\"}"},
    {"occurred_after_recorded",
     "occurred_on",
     {REG},
     "X1 2024-06-05 recorded_at=2024-06-04T12:00:00Z contact_received {\"contact_id\":\"CT2\"}",
     NULL,
     {NULL},
     "X1 2024-06-05 recorded_at=2024-06-05T10:00:00Z contact_received {\"contact_id\":\"CT2\"}"},
    {"before_birth",
     "occurred_on",
     {REG},
     "X1 2015-05-31 contact_received {\"contact_id\":\"CT2\"}",
     "before the child's date of birth 2015-06-01",
     {NULL},
     "X1 2015-06-01 contact_received {\"contact_id\":\"CT2\"}"},
    //  a child registered unborn has a history before birth
    {NULL,
     NULL,
     {"R1 2024-01-02 child_registered "
      "{\"unborn\":true,\"expected_date_of_birth\":\"2024-06-01\",\"sex\":\"U\",\"ethnicity\":"
      "\"NOBT\"}"},
     NULL,
     NULL,
     {NULL},
     "X1 2024-01-03 contact_received {\"contact_id\":\"CT2\"}"},
    {"date_order",
     "assessment_completed.authorised_on",
     {OPEN, ASSESSMENT},
     "X1 2024-02-01 assessment_completed "
     "{\"assessment_id\":\"A1\",\"authorised_on\":\"2024-01-31\"}",
     "before occurred_on 2024-02-01",
     {NULL},
     "X1 2024-02-01 assessment_completed "
     "{\"assessment_id\":\"A1\",\"authorised_on\":\"2024-02-02\"}"},
    {"date_order",
     "child_registered.expected_date_of_birth",
     {NULL},
     "X1 2024-01-05 child_registered "
     "{\"unborn\":true,\"expected_date_of_birth\":\"2024-11-06\",\"sex\":\"U\",\"ethnicity\":"
     "\"NOBT\"}",
     "more than 10 months",
     {NULL},
     "X1 2024-01-05 child_registered "
     "{\"unborn\":true,\"expected_date_of_birth\":\"2024-11-05\",\"sex\":\"U\",\"ethnicity\":"
     "\"NOBT\"}"},
    {"date_order",
     "child_registered.date_of_birth",
     {NULL},
     "X1 2024-01-05 child_registered "
     "{\"date_of_birth\":\"2024-01-06\",\"sex\":\"U\",\"ethnicity\":\"NOBT\"}",
     NULL,
     {NULL},
     NULL},
    //  --- corrections and retractions
    {"supersedes_unknown",
     "supersedes",
     {REG, CONTACT_IN},
     "X1 2024-01-03 supersedes=E99 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1A\"}",
     "\"E99\"",
     {NULL},
     "X1 2024-01-03 supersedes=E1 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1A\"}"},
    {"retraction_unknown",
     "retraction.retracts",
     {REG, CONTACT_IN, CONTACT_DECIDED},
     "X1 2024-01-05 retraction {\"retracts\":\"E99\"}",
     "\"E99\"",
     {NULL},
     "X1 2024-01-05 retraction {\"retracts\":\"E2\"}"},
    {"supersedes_other_child",
     "child_id",
     {REG, REG_C2, CONTACT_IN},
     "X1 2024-01-03 child_id=C2 supersedes=E1 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1A\"}",
     NULL,
     {NULL},
     "X1 2024-01-03 supersedes=E1 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1A\"}"},
    {"retraction_other_child",
     "child_id",
     {REG, REG_C2, CONTACT_IN},
     "X1 2024-01-05 child_id=C2 retraction {\"retracts\":\"E1\"}",
     NULL,
     {NULL},
     "X1 2024-01-05 retraction {\"retracts\":\"E1\"}"},
    {"correction_kind",
     "supersedes",
     {REG, CONTACT_IN},
     "X1 2024-01-03 supersedes=E1 referral_received {\"referral_id\":\"R9\"}",
     "(contact_received)",
     {NULL},
     "X1 2024-01-03 supersedes=E1 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1B\"}"},
    {"correction_kind",
     "supersedes",
     {REG, CONTACT_IN},
     "X1 2024-01-05 supersedes=E1 retraction {\"retracts\":\"E1\"}",
     NULL,
     {NULL},
     NULL},
    {"retraction_kind",
     "retraction.retracts",
     {REG, CONTACT_IN, CONTACT_DECIDED, "X0 2024-01-05 retraction {\"retracts\":\"E2\"}"},
     "X1 2024-01-06 retraction {\"retracts\":\"X0\"}",
     NULL,
     {NULL},
     "X1 2024-01-06 retraction {\"retracts\":\"E1\"}"},
    {"already_retracted",
     "retraction.retracts",
     {REG, CONTACT_IN, CONTACT_DECIDED, "X0 2024-01-05 retraction {\"retracts\":\"E2\"}"},
     "X1 2024-01-06 retraction {\"retracts\":\"E2\"}",
     NULL,
     {NULL},
     "X1 2024-01-06 retraction {\"retracts\":\"E1\"}"},
    {"already_retracted",
     "supersedes",
     {REG, CONTACT_IN, CONTACT_DECIDED, "X0 2024-01-05 retraction {\"retracts\":\"E2\"}"},
     "X1 2024-01-04 supersedes=E2 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"nfa\"}",
     NULL,
     {NULL},
     NULL},
    {"already_superseded",
     "supersedes",
     {REG, CONTACT_IN,
      "X0 2024-01-03 supersedes=E1 contact_received "
      "{\"contact_id\":\"CT1\",\"contact_source\":\"1A\"}"},
     "X1 2024-01-03 supersedes=E1 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1B\"}",
     "name the latest correction",
     {NULL},
     "X1 2024-01-03 supersedes=X0 contact_received "
     "{\"contact_id\":\"CT1\",\"contact_source\":\"1B\"}"},
    //  a correction is not checked against the sequence: this one restates a decision
    {NULL,
     NULL,
     {REG, CONTACT_IN, CONTACT_DECIDED},
     NULL,
     NULL,
     {NULL},
     "X1 2024-01-04 supersedes=E2 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"nfa\"}"},
    //  --- the child and the case
    {"child_not_registered",
     "child_id",
     {REG},
     "X1 2024-01-05 child_id=C9 contact_received {\"contact_id\":\"CT2\"}",
     "not registered",
     {NULL},
     "X1 2024-01-05 contact_received {\"contact_id\":\"CT2\"}"},
    {"child_already_registered",
     "child_id",
     {REG},
     "X1 2024-01-05 child_registered "
     "{\"date_of_birth\":\"2015-06-01\",\"sex\":\"F\",\"ethnicity\":\"WBRI\"}",
     "send a correction",
     {NULL},
     "X1 2024-01-05 child_id=C2 child_registered "
     "{\"date_of_birth\":\"2015-06-01\",\"sex\":\"F\",\"ethnicity\":\"WBRI\"}"},
    {"case_closed",
     "occurred_on",
     {OPEN, "E20 2024-03-01 referral_closed {\"referral_id\":\"R1\",\"reason\":\"RC8\"}",
      "E21 2024-03-01 case_closed {\"reason\":\"RC8\"}"},
     "X1 2024-03-05 worker_allocated {\"allocated_worker_id\":\"W1\"}",
     "closed on 2024-03-01",
     {NULL},
     "X1 2024-03-05 contact_received {\"contact_id\":\"CT2\"}"},
    {"duplicate_id",
     "referral_received.referral_id",
     {OPEN},
     "X1 2024-01-05 referral_received {\"referral_id\":\"R1\",\"contact_id\":\"CT1\"}",
     "already has a referral \"R1\"",
     {NULL},
     "X1 2024-01-05 referral_received {\"referral_id\":\"R2\",\"contact_id\":\"CT1\"}"},
    {"duplicate_id",
     "strategy_discussion.s47_id",
     {S47},
     "X1 2024-01-20 strategy_discussion "
     "{\"strategy_id\":\"SD2\",\"referral_id\":\"R1\",\"s47_started\":true,\"s47_id\":\"S1\"}",
     NULL,
     {NULL},
     NULL},
    //  --- contacts, referrals, assessments
    {"contact_unknown",
     "contact_decided.contact_id",
     {REG, CONTACT_IN},
     "X1 2024-01-04 contact_decided {\"contact_id\":\"CT9\",\"outcome\":\"nfa\"}",
     "no contact \"CT9\"",
     {NULL},
     "X1 2024-01-04 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"nfa\"}"},
    {"contact_already_decided",
     "contact_decided.contact_id",
     {OPEN, "E20 2024-01-05 contact_received {\"contact_id\":\"CT2\"}"},
     "X1 2024-01-05 contact_decided {\"contact_id\":\"CT1\",\"outcome\":\"nfa\"}",
     "already ended",
     {NULL},
     "X1 2024-01-05 contact_decided {\"contact_id\":\"CT2\",\"outcome\":\"nfa\"}"},
    {"referral_unknown",
     "assessment_started.referral_id",
     {OPEN},
     "X1 2024-01-05 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R9\"}",
     NULL,
     {NULL},
     "X1 2024-01-05 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}"},
    {"referral_closed",
     "assessment_started.referral_id",
     {OPEN, "E20 2024-02-01 referral_closed {\"referral_id\":\"R1\",\"reason\":\"RC8\"}"},
     "X1 2024-02-05 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}",
     "ended on 2024-02-01",
     {NULL},
     "X1 2024-02-01 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}"},
    {"referral_closed",
     "referral_closed.referral_id",
     {OPEN, "E20 2024-02-01 referral_closed {\"referral_id\":\"R1\",\"reason\":\"RC8\"}"},
     "X1 2024-02-05 referral_closed {\"referral_id\":\"R1\"}",
     NULL,
     {NULL},
     NULL},
    {"assessment_unknown",
     "assessment_completed.assessment_id",
     {OPEN, ASSESSMENT},
     "X1 2024-02-01 assessment_completed {\"assessment_id\":\"A9\"}",
     NULL,
     {NULL},
     "X1 2024-02-01 assessment_completed {\"assessment_id\":\"A1\"}"},
    {"assessment_already_completed",
     "assessment_completed.assessment_id",
     {OPEN, ASSESSMENT,
      "E20 2024-01-06 assessment_started {\"assessment_id\":\"A2\",\"referral_id\":\"R1\"}",
      "E21 2024-02-01 assessment_completed {\"assessment_id\":\"A1\",\"outcome\":\"cin\"}"},
     "X1 2024-02-02 assessment_completed {\"assessment_id\":\"A1\"}",
     NULL,
     {NULL},
     "X1 2024-02-02 assessment_completed {\"assessment_id\":\"A2\"}"},
    //  --- section 47 and conferences
    {"s47_unknown",
     "s47_completed.s47_id",
     {OPEN, STRATEGY},
     "X1 2024-01-15 s47_completed {\"s47_id\":\"S9\"}",
     NULL,
     {NULL},
     "X1 2024-01-15 s47_completed {\"s47_id\":\"S1\"}"},
    {"icpc_without_s47",
     "icpc_held.s47_id",
     {S47},
     "X1 2024-01-26 icpc_held {\"conference_id\":\"K1\",\"s47_id\":\"S9\",\"plan_made\":false}",
     NULL,
     {NULL},
     "X1 2024-01-26 icpc_held {\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":false}"},
    {"icpc_before_strategy",
     "occurred_on",
     {S47},
     "X1 2024-01-07 icpc_held {\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":false}",
     "before the strategy discussion on 2024-01-08",
     {NULL},
     "X1 2024-01-26 icpc_held {\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":false}"},
    {"icpc_already_held",
     "icpc_held.s47_id",
     {S47, ICPC,
      "E20 2024-02-10 strategy_discussion "
      "{\"strategy_id\":\"SD2\",\"referral_id\":\"R1\",\"s47_started\":true,\"s47_id\":\"S2\"}"},
     "X1 2024-02-20 icpc_held {\"conference_id\":\"K2\",\"s47_id\":\"S1\",\"plan_made\":false}",
     "already had its ICPC",
     {NULL},
     "X1 2024-02-20 icpc_held {\"conference_id\":\"K2\",\"s47_id\":\"S2\",\"plan_made\":false}"},
    {"icpc_already_held",
     "icpc_held.conference_id",
     {S47, ICPC},
     "X1 2024-02-20 icpc_held {\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":false}",
     NULL,
     {NULL},
     NULL},
    {"booking_unknown",
     "conference_scheduled.cancels",
     {S47},
     "X1 2024-01-17 conference_scheduled "
     "{\"conference_id\":\"K2\",\"kind\":\"icpc\",\"planned_on\":\"2024-01-30\",\"cancels\":"
     "\"K9\"}",
     NULL,
     {NULL},
     "X1 2024-01-17 conference_scheduled "
     "{\"conference_id\":\"K2\",\"kind\":\"icpc\",\"planned_on\":\"2024-01-30\",\"cancels\":"
     "\"K1\"}"},
    {"booking_kind",
     "conference_scheduled.cancels",
     {S47},
     "X1 2024-01-17 conference_scheduled "
     "{\"conference_id\":\"K2\",\"kind\":\"rcpc\",\"planned_on\":\"2024-01-30\",\"cancels\":"
     "\"K1\"}",
     "icpc booking",
     {NULL},
     "X1 2024-01-17 conference_scheduled "
     "{\"conference_id\":\"K2\",\"kind\":\"icpc\",\"planned_on\":\"2024-01-30\",\"cancels\":"
     "\"K1\"}"},
    {"booking_kind",
     "rcpc_held.conference_id",
     {CP},
     "X1 2024-04-20 rcpc_held "
     "{\"conference_id\":\"K1\",\"plan_id\":\"P1\",\"plan_continues\":true}",
     NULL,
     {NULL},
     NULL},
    //  --- child protection plans
    {"cp_plan_already_open",
     "cp_plan_started.plan_id",
     {CP},
     "X1 2024-06-02 cp_plan_started {\"plan_id\":\"P2\",\"conference_id\":\"K1\"}",
     "\"P1\"",
     {CP_END},
     "X1 2024-06-02 cp_plan_started {\"plan_id\":\"P2\",\"conference_id\":\"K1\"}"},
    {"plan_without_icpc",
     "cp_plan_started.conference_id",
     {S47, ICPC},
     "X1 2024-01-26 cp_plan_started {\"plan_id\":\"P1\",\"conference_id\":\"K7\"}",
     NULL,
     {NULL},
     "X1 2024-01-26 cp_plan_started {\"plan_id\":\"P1\",\"conference_id\":\"K1\"}"},
    {"cp_plan_unknown",
     "core_group_held.plan_id",
     {CP},
     "X1 2024-02-05 core_group_held {\"plan_id\":\"P9\"}",
     NULL,
     {NULL},
     "X1 2024-02-05 core_group_held {\"plan_id\":\"P1\"}"},
    {"cp_plan_unknown",
     "child_visited.context",
     {OPEN},
     "X1 2024-02-05 child_visited {\"seen\":true,\"context\":\"cp\"}",
     NULL,
     {NULL},
     NULL},
    {"cp_plan_ended",
     "rcpc_held.plan_id",
     {CP, CP_END},
     "X1 2024-06-05 rcpc_held "
     "{\"conference_id\":\"K2\",\"plan_id\":\"P1\",\"plan_continues\":true}",
     "ended on 2024-06-01",
     {NULL},
     "X1 2024-05-01 rcpc_held "
     "{\"conference_id\":\"K2\",\"plan_id\":\"P1\",\"plan_continues\":true}"},
    {"cp_plan_ended",
     "child_visited.context",
     {CP, CP_END},
     "X1 2024-06-05 child_visited {\"seen\":true,\"context\":\"cp\"}",
     NULL,
     {NULL},
     "X1 2024-06-01 child_visited {\"seen\":true,\"context\":\"cp\"}"},
    {"cp_plan_ended",
     "cp_plan_ended.plan_id",
     {CP, CP_END},
     "X1 2024-06-05 cp_plan_ended {\"plan_id\":\"P1\"}",
     NULL,
     {NULL},
     NULL},
    //  --- child in need plans
    {"cin_plan_already_open",
     "cin_plan_started.plan_id",
     {OPEN, CIN},
     "X1 2024-03-01 cin_plan_started {\"plan_id\":\"N2\"}",
     NULL,
     {"E20 2024-02-20 cin_plan_ended {\"plan_id\":\"N1\"}"},
     "X1 2024-03-01 cin_plan_started {\"plan_id\":\"N2\"}"},
    {"cin_plan_unknown",
     "cin_plan_reviewed.plan_id",
     {OPEN, CIN},
     "X1 2024-03-01 cin_plan_reviewed {\"plan_id\":\"N9\"}",
     NULL,
     {NULL},
     "X1 2024-03-01 cin_plan_reviewed {\"plan_id\":\"N1\"}"},
    {"cin_plan_ended",
     "cin_plan_reviewed.plan_id",
     {OPEN, CIN, CIN_END},
     "X1 2024-05-10 cin_plan_reviewed {\"plan_id\":\"N1\"}",
     NULL,
     {NULL},
     "X1 2024-04-30 cin_plan_reviewed {\"plan_id\":\"N1\"}"},
    //  --- care
    {"period_already_open",
     "period_of_care_started.period_id",
     {CARE},
     "X1 2024-09-10 period_of_care_started {\"period_id\":\"PC2\",\"legal_status\":\"V2\"}",
     NULL,
     {PLACEMENT_END, PERIOD_END},
     "X1 2024-09-10 period_of_care_started {\"period_id\":\"PC2\",\"legal_status\":\"V2\"}"},
    {"period_unknown",
     "legal_status_changed.period_id",
     {CARE},
     "X1 2024-04-01 legal_status_changed {\"period_id\":\"PC9\",\"legal_status\":\"C1\"}",
     NULL,
     {NULL},
     "X1 2024-04-01 legal_status_changed {\"period_id\":\"PC1\",\"legal_status\":\"C1\"}"},
    {"period_ended",
     "cla_review_held.period_id",
     {CARE, PLACEMENT_END, PERIOD_END},
     "X1 2024-09-10 cla_review_held {\"conference_id\":\"K5\",\"period_id\":\"PC1\"}",
     NULL,
     {NULL},
     "X1 2024-08-30 cla_review_held {\"conference_id\":\"K5\",\"period_id\":\"PC1\"}"},
    {"not_in_care",
     "occurred_on",
     {OPEN},
     "X1 2024-03-10 health_assessment {\"kind\":\"initial\"}",
     "not looked after",
     {PERIOD},
     "X1 2024-03-10 health_assessment {\"kind\":\"initial\"}"},
    {"not_in_care",
     "child_visited.context",
     {OPEN},
     "X1 2024-03-10 child_visited {\"seen\":true,\"context\":\"cla\"}",
     NULL,
     {NULL},
     NULL},
    {"placement_without_period",
     "placement_started.period_id",
     {CARE},
     "X1 2024-04-01 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC9\",\"placement_type\":\"U6\"}",
     NULL,
     {NULL},
     "X1 2024-04-01 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U6\"}"},
    {"placement_without_period",
     "placement_started.period_id",
     {OPEN},
     "X1 2024-04-01 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U6\"}",
     "no open period of care",
     {NULL},
     NULL},
    {"placement_before_period",
     "occurred_on",
     {CARE},
     "X1 2024-02-20 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U6\"}",
     NULL,
     {NULL},
     "X1 2024-03-02 placement_started "
     "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U6\"}"},
    {"placement_unknown",
     "placement_ended.placement_id",
     {CARE},
     "X1 2024-05-01 placement_ended {\"placement_id\":\"PL9\"}",
     NULL,
     {NULL},
     "X1 2024-05-01 placement_ended {\"placement_id\":\"PL1\"}"},
    {"placement_already_ended",
     "placement_ended.placement_id",
     {CARE, "E20 2024-05-01 placement_ended {\"placement_id\":\"PL1\"}",
      "E21 2024-05-01 placement_started "
      "{\"placement_id\":\"PL2\",\"period_id\":\"PC1\",\"placement_type\":\"U6\"}"},
     "X1 2024-06-01 placement_ended {\"placement_id\":\"PL1\"}",
     NULL,
     {NULL},
     "X1 2024-06-01 placement_ended {\"placement_id\":\"PL2\"}"},
    {"missing_already_open",
     "missing_started.episode_id",
     {CARE, MISSING},
     "X1 2024-04-05 missing_started {\"episode_id\":\"M2\"}",
     NULL,
     {MISSING_END},
     "X1 2024-04-05 missing_started {\"episode_id\":\"M2\"}"},
    {"missing_unknown",
     "missing_ended.episode_id",
     {CARE, MISSING},
     "X1 2024-04-02 missing_ended {\"episode_id\":\"M9\"}",
     NULL,
     {NULL},
     "X1 2024-04-02 missing_ended {\"episode_id\":\"M1\"}"},
    {"missing_already_ended",
     "missing_ended.episode_id",
     {CARE, MISSING, MISSING_END},
     "X1 2024-04-12 missing_ended {\"episode_id\":\"M1\"}",
     NULL,
     {"E20 2024-04-10 missing_started {\"episode_id\":\"M2\"}"},
     "X1 2024-04-12 missing_ended {\"episode_id\":\"M2\"}"},
    {"rhi_before_return",
     "return_interview.episode_id",
     {CARE, MISSING, MISSING_END},
     "X1 2024-04-01 return_interview {\"episode_id\":\"M1\",\"accepted\":true}",
     "before missing episode \"M1\" ended",
     {NULL},
     "X1 2024-04-03 return_interview {\"episode_id\":\"M1\",\"accepted\":true}"},
    {"rhi_before_return",
     "return_interview.episode_id",
     {CARE, MISSING},
     "X1 2024-04-03 return_interview {\"episode_id\":\"M1\",\"accepted\":true}",
     "has not ended",
     {NULL},
     NULL},
    {"adoption_order",
     "adoption_match",
     {CARE, "E20 2024-04-01 adm_decision {}"},
     "X1 2024-05-01 adoption_match {}",
     "needs placement_order first",
     {NULL},
     "X1 2024-05-01 placement_order {}"},
    {"care_leaver_too_young",
     "occurred_on",
     {OPEN, REG_C3},
     "X1 2024-05-01 care_leaver_contact {\"in_touch\":true,\"activity\":\"F1\"}",
     "is 8 on",
     {NULL},
     "X1 2024-05-01 child_id=C3 care_leaver_contact {\"in_touch\":true,\"activity\":\"F1\"}"},
    //  --- dates within the sequence
    {"end_before_start",
     "occurred_on",
     {OPEN, ASSESSMENT},
     "X1 2024-01-04 assessment_completed {\"assessment_id\":\"A1\"}",
     "before assessment \"A1\" started",
     {NULL},
     "X1 2024-01-05 assessment_completed {\"assessment_id\":\"A1\"}"},
    {"before_start",
     "occurred_on",
     {OPEN},
     "X1 2024-01-03 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}",
     NULL,
     {NULL},
     "X1 2024-01-04 assessment_started {\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}"},
};

#define CASE_COUNT (sizeof s_cases / sizeof s_cases[0])

static void s_run_case (const s_case_t *c, jy_date_t today)
{
    case_store_t *store = case_store_new ();
    for (int i = 0; i < 20 && c->history[i]; i++)
        s_history (store, c->history[i], today);
    validate_result_t result;
    if (c->bad) {
        Journey__V1__Event *event = s_event (c->bad);
        int rc = validate_event (store, event, today, &result);
        CHECK_INT (rc, -1);
        if (rc == 0)
            fprintf (stderr, "  accepted: %s (expected %s)\n", c->bad, c->code);
        else {
            CHECK_STR (result.code, c->code);
            CHECK_STR (result.field, c->field);
            CHECK (strlen (result.message) > 0);
            if (c->message_has && !strstr (result.message, c->message_has)) {
                jy_test_failures++;
                fprintf (stderr, "message for %s: \"%s\" lacks \"%s\"\n", c->code, result.message,
                         c->message_has);
            }
            if (strcmp (result.code, c->code ? c->code : "") != 0)
                fprintf (stderr, "  %s: %s\n", c->bad, result.message);
        }
        journey__v1__event__free_unpacked (event, NULL);
    }
    for (int i = 0; i < 4 && c->prepare[i]; i++)
        s_history (store, c->prepare[i], today);
    if (c->good) {
        Journey__V1__Event *event = s_event (c->good);
        int rc = validate_event (store, event, today, &result);
        CHECK_INT (rc, 0);
        if (rc != 0)
            fprintf (stderr, "  rejected (%s): %s %s: %s\n", c->code ? c->code : "valid", c->good,
                     result.code, result.message);
        journey__v1__event__free_unpacked (event, NULL);
    }
    case_store_destroy (&store);
}

//  no_payload cannot be written in JSON (the reader refuses it): take the payload away.
static bool s_test_no_payload (jy_date_t today)
{
    case_store_t *store = case_store_new ();
    s_history (store, REG, today);
    Journey__V1__Event *event = s_event ("X1 2024-01-05 contact_received {\"contact_id\":\"CT2\"}");
    validate_result_t result;
    Journey__V1__Event__PayloadCase was = event->payload_case;
    event->payload_case = JOURNEY__V1__EVENT__PAYLOAD__NOT_SET;
    CHECK_INT (validate_event (store, event, today, &result), -1);
    CHECK_STR (result.code, "no_payload");
    CHECK_STR (result.field, "payload");
    event->payload_case = was;
    CHECK_INT (validate_event (store, event, today, &result), 0);
    journey__v1__event__free_unpacked (event, NULL);
    case_store_destroy (&store);
    return true;
}

//  Every payload this build knows, empty: a payload missing from validate.c's tables would
//  assert; the result is a code from the table either way.
static void s_test_every_payload (jy_date_t today)
{
    const ProtobufCMessageDescriptor *descriptor = &journey__v1__event__descriptor;
    size_t rule_count;
    const validate_rule_t *rules = validate_rules (&rule_count);
    int payloads = 0;
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[f];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        payloads++;
        case_store_t *store = case_store_new ();
        s_history (store, REG, today);
        char spec[128];
        snprintf (spec, sizeof spec, "X1 2024-01-05 %s {}", field->name);
        Journey__V1__Event *event = s_event (spec);
        validate_result_t result;
        if (validate_event (store, event, today, &result) != 0) {
            bool known = false;
            for (size_t i = 0; i < rule_count; i++)
                known = known || strcmp (rules[i].code, result.code) == 0;
            CHECK (known);
        }
        journey__v1__event__free_unpacked (event, NULL);
        case_store_destroy (&store);
    }
    CHECK_INT (payloads, 42);
}

//  Every rule has a case that rejects with its code and a valid event that passes.
static void s_test_coverage (void)
{
    size_t count;
    const validate_rule_t *rules = validate_rules (&count);
    CHECK (count >= 50);
    int sequence = 0;
    for (size_t i = 0; i < count; i++) {
        bool covered = strcmp (rules[i].code, "no_payload") == 0; //  s_test_no_payload
        for (size_t c = 0; c < CASE_COUNT && !covered; c++)
            covered = s_cases[c].code && strcmp (s_cases[c].code, rules[i].code) == 0 &&
                      s_cases[c].bad && s_cases[c].good;
        if (!covered) {
            jy_test_failures++;
            fprintf (stderr, "rule %s has no test rejecting and accepting\n", rules[i].code);
        }
        CHECK (strcmp (rules[i].group, "schema") == 0 || strcmp (rules[i].group, "dates") == 0 ||
               strcmp (rules[i].group, "sequence") == 0);
        CHECK (rules[i].description && *rules[i].description);
        sequence += strcmp (rules[i].group, "sequence") == 0;
        for (size_t j = 0; j < i; j++)
            CHECK (strcmp (rules[i].code, rules[j].code) != 0);
    }
    CHECK (sequence >= 25);
    //  And no case expects a code the table lacks.
    for (size_t c = 0; c < CASE_COUNT; c++) {
        if (!s_cases[c].code)
            continue;
        bool known = false;
        for (size_t i = 0; i < count; i++)
            known = known || strcmp (rules[i].code, s_cases[c].code) == 0;
        CHECK (known);
    }
}

//  docs/events.md whole, in static storage; NULL (said why) when it cannot be read.
static char *s_events_md (void)
{
    static char text[1 << 20];
    const char *source = getenv ("JOURNEY_SOURCE_DIR");
    if (!source || !*source) {
        printf ("note: JOURNEY_SOURCE_DIR not set, docs/events.md not checked (run under ctest)\n");
        return NULL;
    }
    char path[1024];
    snprintf (path, sizeof path, "%s/docs/events.md", source);
    FILE *file = fopen (path, "r");
    CHECK (file != NULL);
    if (!file)
        return NULL;
    size_t size = fread (text, 1, sizeof text - 1, file);
    text[size] = 0;
    fclose (file);
    return text;
}

//  docs/events.md lists every code in its validation section.
static void s_test_docs (void)
{
    const char *text = s_events_md ();
    if (!text)
        return;
    const char *section = strstr (text, "## Validation and rejection codes");
    CHECK (section != NULL);
    if (!section)
        return;
    size_t count;
    const validate_rule_t *rules = validate_rules (&count);
    for (size_t i = 0; i < count; i++) {
        char needle[80];
        snprintf (needle, sizeof needle, "`%s`", rules[i].code);
        if (!strstr (section, needle)) {
            jy_test_failures++;
            fprintf (stderr, "docs/events.md does not list %s\n", needle);
        }
        jy_test_checks++;
    }
}

//  --- Required fields: docs/events.md shows validate_required() ------------------------------

#define S_REQUIRED_BEGIN "<!-- required fields: begin -->\n"
#define S_REQUIRED_END   "<!-- required fields: end -->\n"

//  The table docs/events.md holds between its markers, from validate_required(): what
//  `test_ingest_validate --required` prints.
static void s_required_table (FILE *out)
{
    fprintf (out, "| payload | requires (besides the common fields) |\n|---|---|\n");
    size_t count;
    const validate_required_t *required = validate_required (&count);
    for (size_t i = 0; i < count; i++) {
        fprintf (out, "| `%s` | ", required[i].payload);
        size_t f = 0;
        for (; f < 3 && required[i].fields[f]; f++)
            fprintf (out, "%s`%s`", f ? ", " : "", required[i].fields[f]);
        if (f == 0)
            fprintf (out, "nothing");
        if (required[i].when)
            fprintf (out, "; `%s` when `%s` is true", required[i].field_when, required[i].when);
        fprintf (out, " |\n");
    }
}

//  Every payload of Event has a row, in field number order; and docs/events.md's table between
//  its markers is exactly the generated one.
static void s_test_required_docs (void)
{
    size_t count;
    const validate_required_t *required = validate_required (&count);
    const ProtobufCMessageDescriptor *event = &journey__v1__event__descriptor;
    size_t row = 0;
    for (unsigned f = 0; f < event->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &event->fields[f];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        CHECK (row < count && strcmp (required[row].payload, field->name) == 0);
        if (row < count && strcmp (required[row].payload, field->name) != 0)
            fprintf (stderr, "validate_required row %zu is %s, Event's payload %s\n", row,
                     required[row].payload, field->name);
        row++;
    }
    CHECK_INT (row, count);

    char *text = s_events_md ();
    if (!text)
        return;
    char *begin = strstr (text, S_REQUIRED_BEGIN);
    char *end = begin ? strstr (begin, S_REQUIRED_END) : NULL;
    CHECK (begin && end);
    if (!begin || !end)
        return;
    begin += strlen (S_REQUIRED_BEGIN);
    *end = '\0';
    char *generated = NULL;
    size_t generated_size = 0;
    FILE *out = open_memstream (&generated, &generated_size);
    assert (out);
    s_required_table (out);
    fclose (out);
    if (strcmp (begin, generated) != 0)
        fprintf (stderr,
                 "docs/events.md's required fields differ from validate.c's table; write it "
                 "again with test_ingest_validate --required:\n%s",
                 generated);
    CHECK_STR (begin, generated);
    free (generated);
}

//  --- A generated authority validates whole ---------------------------------------------------

static void s_test_generated (void)
{
    const char *cli = getenv ("JOURNEY_CLI");
    if (!cli || !*cli || access (cli, X_OK) != 0) {
        printf ("note: JOURNEY_CLI not built, generated authority not checked\n");
        return;
    }
    char command[1200];
    //  A CLI built before its generate command: nothing to run yet.
    snprintf (command, sizeof command, "'%s' generate --help >/dev/null 2>&1", cli);
    if (system (command) != 0) {
        printf ("note: %s has no generate command yet, generated authority not checked\n", cli);
        return;
    }
    snprintf (command, sizeof command, "'%s' generate --la 872 --children 2000 --years 2 --seed 7",
              cli);
    FILE *in = popen (command, "r");
    CHECK (in != NULL);
    if (!in)
        return;
    case_store_t *store = case_store_new ();
    size_t count;
    const validate_rule_t *rules = validate_rules (&count);
    size_t rejected[128] = {0};
    size_t lines = 0, rejections = 0, shown = 0;
    jy_date_t today = D ("2199-12-31"); //  the history's own recording times are checked
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline (&line, &capacity, in)) > 0) {
        lines++;
        char err[256];
        Journey__V1__Event *event = jy_json_parse_event (line, (size_t) length, err, sizeof err);
        if (!event) {
            jy_test_failures++;
            fprintf (stderr, "generated line %zu does not parse: %s\n", lines, err);
            continue;
        }
        validate_result_t result;
        if (validate_event (store, event, today, &result) != 0) {
            rejections++;
            for (size_t i = 0; i < count && i < 128; i++)
                if (strcmp (rules[i].code, result.code) == 0)
                    rejected[i]++;
            if (shown++ < 10)
                fprintf (stderr, "generated line %zu rejected: %s %s: %s\n  %s", lines, result.code,
                         result.field, result.message, line);
        } else
            s_apply (store, event);
        journey__v1__event__free_unpacked (event, NULL);
    }
    free (line);
    int status = pclose (in);
    CHECK_INT (status, 0);
    CHECK (lines > 10000);
    CHECK_INT (rejections, 0);
    for (size_t i = 0; i < count && i < 128; i++)
        if (rejected[i])
            fprintf (stderr, "  %s: %zu\n", rules[i].code, rejected[i]);
    printf ("generated authority: %zu events, %zu rejected, %zu children\n", lines, rejections,
            case_store_child_count (store));
    case_store_destroy (&store);
}

//  One case event as a JSON line for tests/ingest/rejections.sh, its ids prefixed with the case
//  number so that the cases do not meet in one database; the expectation goes to the manifest.
static void s_emit (FILE *lines, FILE *manifest, size_t number, const char *spec,
                    const char *expectation)
{
    Journey__V1__Event *event = s_event (spec);
    char prefix[16];
    snprintf (prefix, sizeof prefix, "V%zu-", number);
    char **ids[] = {&event->event_id, &event->child_id, &event->supersedes,
                    event->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION
                        ? &event->retraction->retracts
                        : NULL};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!ids[i] || !*ids[i] || !**ids[i])
            continue;
        char *prefixed = malloc (strlen (prefix) + strlen (*ids[i]) + 1);
        assert (prefixed);
        strcpy (prefixed, prefix);
        strcat (prefixed, *ids[i]);
        free (*ids[i]);
        *ids[i] = prefixed;
    }
    char *json = jy_json_format_event (event);
    assert (json);
    fprintf (lines, "%s\n", json);
    fprintf (manifest, "%s\n", expectation);
    free (json);
    journey__v1__event__free_unpacked (event, NULL);
}

//  Write every case as JSON lines (history, bad, prepare, good) and, line for line, what the
//  daemon must answer: "accepted" or "rejected CODE FIELD". The same cases then go through a
//  real journey-ingestd (tests/ingest/rejections.sh), so that every code is also seen there.
static int s_write_cases (const char *directory)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/cases.jsonl", directory);
    FILE *lines = fopen (path, "w");
    snprintf (path, sizeof path, "%s/expected.txt", directory);
    FILE *manifest = fopen (path, "w");
    if (!lines || !manifest) {
        fprintf (stderr, "cannot write the cases into %s\n", directory);
        return 1;
    }
    for (size_t c = 0; c < CASE_COUNT; c++) {
        const s_case_t *k = &s_cases[c];
        for (int i = 0; i < 20 && k->history[i]; i++)
            s_emit (lines, manifest, c, k->history[i], "accepted");
        if (k->bad) {
            char expectation[256];
            if (k->code)
                snprintf (expectation, sizeof expectation, "rejected %s %s", k->code, k->field);
            else
                snprintf (expectation, sizeof expectation, "accepted");
            s_emit (lines, manifest, c, k->bad, expectation);
        }
        for (int i = 0; i < 4 && k->prepare[i]; i++)
            s_emit (lines, manifest, c, k->prepare[i], "accepted");
        if (k->good)
            s_emit (lines, manifest, c, k->good, "accepted");
    }
    fclose (lines);
    fclose (manifest);
    return 0;
}

int main (int argc, char **argv)
{
    //  As the daemons do: "today" and recorded_at's local date are in the LA's zone.
    setenv ("TZ", "Europe/London", 1);
    tzset ();
    if (argc == 3 && strcmp (argv[1], "--write-cases") == 0)
        return s_write_cases (argv[2]);
    if (argc == 2 && strcmp (argv[1], "--required") == 0) {
        s_required_table (stdout);
        return 0;
    }
    jy_date_t today = D (TODAY);
    for (size_t c = 0; c < CASE_COUNT; c++)
        s_run_case (&s_cases[c], today);
    s_test_no_payload (today);
    s_test_every_payload (today);
    s_test_coverage ();
    s_test_docs ();
    s_test_required_docs ();
    s_test_generated ();
    return jy_test_summary ("test_validate");
}
