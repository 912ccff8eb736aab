/*  policy: alerts that open a dispute by themselves.

    From configuration, one section per policy (deploy/journey.cfg has the defaults):

        escalation/policy/<name>/enabled    1 or 0 (default 1)
        escalation/policy/<name>/kind       an alert kind: due_soon, drifted, due_today, overdue,
                                            overdue_by, ...
        escalation/policy/<name>/clock      a clock-name prefix: "cla_review" matches
                                            cla_review_first, cla_review_second, cla_review
        escalation/policy/<name>/role       who the dispute is raised as: iro or cp-chair (a role
                                            that may raise)
        escalation/policy/<name>/category   one of escalation/categories
        escalation/policy/<name>/stage      the stage it starts at (default 1)

    An alert matches a policy when its kind is the policy's, its clock starts with the
    policy's prefix, and it names a child and a deadline. The first matching policy, in the
    order of the file, raises the dispute, as the user "journey-policy".
*/
#ifndef JOURNEY_ESCALATION_POLICY_H_INCLUDED
#define JOURNEY_ESCALATION_POLICY_H_INCLUDED

#include "journey/journey.h"
#include "ladder.h"

#define POLICY_USER "journey-policy"
#define POLICY_MAX  32

typedef struct {
    char name[65];
    Journey__V1__Alert__Kind kind;
    char kind_name[32]; //  "overdue_by"
    char clock_prefix[65];
    char role[LADDER_NAME_MAX + 1];
    char category[LADDER_NAME_MAX + 1];
    int stage;
} policy_t;

typedef struct _policy_set_t policy_set_t;

//  The enabled policies from configuration, checked against the ladder. NULL with
//  jy_config_error naming the key when a setting is wrong.
policy_set_t *policy_set_new (jy_config_t *config, const ladder_t *ladder);
void policy_set_destroy (policy_set_t **self_p);

size_t policy_set_count (policy_set_t *self);
const policy_t *policy_set_get (policy_set_t *self, size_t index);
//  The first policy the alert matches, or NULL.
const policy_t *policy_set_match (policy_set_t *self, const Journey__V1__Alert *alert);

//  The RAISE command a matching alert makes, pointing into policy, alert and text (a buffer
//  for the dispute's text, which says what the alert said).
void policy_command (const policy_t *policy, const Journey__V1__Alert *alert, uint64_t alert_seq,
                     Journey__V1__DisputeCommand *command, char *text, size_t text_size);

#endif
