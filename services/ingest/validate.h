/*  validate: the rules an event must pass before journey-ingestd accepts it.

    Each rule has a stable code (docs/events.md lists them all) and, when it fails, names the
    field and says what is wrong. The rules are one table in validate.c, in three groups:
    - schema: required fields per payload, codes from the DfE lists (jy_codes), identifiers;
    - dates: real dates, not after recorded_at, not before the child's date of birth (unborn
      children allowed where the payload says so), recorded_at not in the future;
    - sequence: the case must make sense against what was accepted before (case_store), in the
      spirit of the SSDA903 and CIN census validations.
    Idempotency (duplicate, conflict) and authority (which LA codes a client may push) are the
    server's, before validation.
*/
#ifndef JOURNEY_INGEST_VALIDATE_H_INCLUDED
#define JOURNEY_INGEST_VALIDATE_H_INCLUDED

#include "journey/journey.h"
#include "case_store.h"

typedef struct {
    const char *code;  //  stable rejection code, e.g. "missing_field", "icpc_without_s47"
    char field[96];    //  the field it names, e.g. "referral_received.referral_id"
    char message[320]; //  what is wrong, for a person
} validate_result_t;

typedef struct {
    const char *code;
    const char *group;       //  "schema", "dates", "sequence"
    const char *description; //  one line, for docs/events.md and `journey-ingestd --rules`
} validate_rule_t;

//  What a payload requires besides the common fields (rule missing_field).
typedef struct {
    const char *payload;    //  the payload's field name in Event, e.g. "strategy_discussion"
    const char *fields[3];  //  always required, up to the first NULL
    const char *field_when; //  NULL, or a field required only when...
    const char *when;       //  ...this boolean of the payload is true
} validate_required_t;

//  Check one event against the rules and the store. today: the clock's date (recorded_at may
//  not be after the end of today). Returns 0 when the event may be accepted, -1 with *result
//  filled when it is rejected (the first rule that fails).
int validate_event (case_store_t *store, const Journey__V1__Event *event, jy_date_t today,
                    validate_result_t *result);

//  Every rule, for documentation; *count receives how many.
const validate_rule_t *validate_rules (size_t *count);

//  Every payload's required fields, one row per payload of Event in field number order, for
//  docs/events.md; *count receives how many.
const validate_required_t *validate_required (size_t *count);

#endif
