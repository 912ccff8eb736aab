/*  ladder: the dispute resolution ladder and who may do what (DOMAIN.md "The IRO / CP chair
    dispute resolution ladder"), from configuration a reader sees whole in deploy/journey.cfg:

    escalation/ladder/<n>/name, answerable, response_days   one section per stage, 1, 2, ...
    escalation/overall_limit_days                           the whole process (IRO Handbook 6.2)
    escalation/warn_days                                    due_soon this many working days ahead
    escalation/safety_stage                                 where a safety concern goes at once
    escalation/known_roles                                  every role a command may name
    escalation/categories                                   what a dispute may be about
    escalation/roles/<verb>                                 who may do each verb

    A verb's roles are role names and these words: "answerable" (a role answerable at the
    dispute's current stage), "raiser" (the role that raised the dispute), "any" (any known
    role), "anyone" (no identity needed at all).
*/
#ifndef JOURNEY_ESCALATION_LADDER_H_INCLUDED
#define JOURNEY_ESCALATION_LADDER_H_INCLUDED

#include "journey/journey.h"

#define LADDER_MAX_STAGES 9
#define LADDER_MAX_ROLES  32
#define LADDER_NAME_MAX   32 //  a role or category name, without its terminator

typedef Journey__V1__DisputeCommand__Verb ladder_verb_t;

typedef struct _ladder_t ladder_t;

//  The ladder from configuration. NULL when a setting is wrong, with jy_config_error naming
//  the key and where its value came from.
ladder_t *ladder_new (jy_config_t *config);
void ladder_destroy (ladder_t **self_p);

//  The top stage (the number of stages).
int ladder_top (const ladder_t *self);
//  A stage's settings; a stage beyond the top (a ladder shortened since) reads as the top.
const char *ladder_stage_name (const ladder_t *self, int stage);
//  The roles answerable at a stage, space-separated as configured: who must act there.
const char *ladder_answerable (const ladder_t *self, int stage);
int ladder_response_days (const ladder_t *self, int stage);
int ladder_overall_limit_days (const ladder_t *self);
//  0: no warning.
int ladder_warn_days (const ladder_t *self);
int ladder_safety_stage (const ladder_t *self);

bool ladder_role_known (const ladder_t *self, const char *role);
bool ladder_category_known (const ladder_t *self, const char *category);
//  The configured categories, space-separated (for messages).
const char *ladder_categories (const ladder_t *self);

//  The verb's name as a command and a configuration key ("refer-cafcass"), or NULL.
const char *ladder_verb_name (ladder_verb_t verb);
//  Whether the verb needs who acts (by_user and role): false when its roles say "anyone".
bool ladder_needs_identity (const ladder_t *self, ladder_verb_t verb);
//  May role do verb on a dispute that raised_role raised, now at stage? For RAISE, raised_role
//  is NULL and stage 0.
bool ladder_allows (const ladder_t *self, ladder_verb_t verb, const char *role,
                    const char *raised_role, int stage);
//  The verb's roles as configured (for messages), e.g. "iro cp-chair".
const char *ladder_allowed_text (const ladder_t *self, ladder_verb_t verb);

#endif
