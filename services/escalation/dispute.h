/*  dispute: one dispute and what a command or the passing of days does to it.

    No database and no clock of its own: the caller passes today. dispute_raise and
    dispute_act check a command (its fields, who acts, the dispute's state) and, when it may go
    ahead, change the dispute and describe the steps to record and the notices to publish in a
    dispute_change_t; dispute_roll does the same for the days up to today: a stage whose
    response deadline passed unanswered climbs to the next (auto-escalation), due_soon warns
    ladder_warn_days working days before a deadline, and overdue_at_top and
    overall_limit_passed are said once each. dispute_store.h records the change in one
    transaction. The rules are in docs/escalation.md.
*/
#ifndef JOURNEY_ESCALATION_DISPUTE_H_INCLUDED
#define JOURNEY_ESCALATION_DISPUTE_H_INCLUDED

#include "journey/journey.h"
#include "chain.h"
#include "ladder.h"

#define DISPUTE_ID_MAX      64   //  child_id, by_user, policy: at most this many bytes
#define DISPUTE_TEXT_MAX    4000 //  text, agreed_action: at most this many bytes
#define DISPUTE_MAX_STEPS   (LADDER_MAX_STAGES + 2)
#define DISPUTE_MAX_NOTICES (2 * LADDER_MAX_STAGES + 8)
#define DISPUTE_ROLES_MAX   512 //  a list of roles (who must act)

//  Who the daemon is when it acts itself (auto-escalation steps and notices).
#define DISPUTE_SYSTEM_USER "journey-escalationd"
#define DISPUTE_SYSTEM_ROLE "system"

typedef enum {
    DISPUTE_OPEN,
    DISPUTE_RESOLVED,
    DISPUTE_WITHDRAWN,
} dispute_state_t;

//  A dispute as it stands (escalation.dispute).
typedef struct {
    uint64_t id; //  0 until stored
    char la_code[4];
    char child_id[DISPUTE_ID_MAX + 1];
    char category[LADDER_NAME_MAX + 1];
    int stage;
    dispute_state_t state;
    bool answered; //  the stage responded: the raiser acts next
    char raised_by[DISPUTE_ID_MAX + 1];
    char raised_role[LADDER_NAME_MAX + 1];
    jy_date_t raised_on;
    jy_date_t stage_entered_on;
    jy_date_t due_on;         //  the current stage's response deadline
    jy_date_t overall_due_on; //  WORKDAY(raised_on, overall limit)
    bool safety;
    jy_date_t cafcass_referred_on; //  JY_DATE_INVALID: not referred
    char *agreed_action;           //  resolved: malloc'd; NULL otherwise
    jy_date_t agreed_by_date;      //  JY_DATE_INVALID unless resolved
    jy_date_t closed_on;           //  JY_DATE_INVALID while open
    int warned_stage;              //  the stage whose due_soon went out
    bool top_overdue_noticed;
    bool overall_overdue_noticed;
    char policy[DISPUTE_ID_MAX + 1]; //  "" unless raised automatically
    uint64_t deadline_id;            //  0 unless raised automatically
    uint64_t alert_seq;
    uint32_t step_count;             //  the chain's head: how many steps
    char last_hash[CHAIN_HASH_SIZE]; //  and the last one's hash
} dispute_t;

//  An empty dispute: no id, no steps (last_hash is the chain's start), dates invalid.
void dispute_init (dispute_t *self);
//  Free what it holds and make it empty again.
void dispute_clear (dispute_t *self);

const char *dispute_state_name (dispute_state_t state);
//  0, or -1 for a name that is not a state.
int dispute_state_parse (const char *name, dispute_state_t *state);

//  A step to record. The verb and the facts are set by this module; n, at, prev_hash and hash
//  by the store when it records the step.
typedef struct {
    const char *verb; //  raise, respond, escalate, auto-escalate, resolve, withdraw,
                      //  refer-cafcass, comment
    char by_user[DISPUTE_ID_MAX + 1];
    char role[LADDER_NAME_MAX + 1];
    int stage_from; //  0 for the raise
    int stage_to;
    char *text;   //  malloc'd, "" when none
    char *detail; //  malloc'd "key=value" lines, "" when none
    //  Set by the store:
    uint32_t n;
    char at[32];
    char prev_hash[CHAIN_HASH_SIZE];
    char hash[CHAIN_HASH_SIZE];
} dispute_step_t;

//  A notice to publish on the dispute feed.
typedef struct {
    const char *what; //  raised, responded, escalated, auto_escalated, resolved, withdrawn,
                      //  cafcass_referred, commented, due_soon, overdue_at_top,
                      //  overall_limit_passed
    int stage;
    char must_act_role[DISPUTE_ROLES_MAX]; //  "" when nobody must
    jy_date_t due_on;                      //  JY_DATE_INVALID: none
    char by_user[DISPUTE_ID_MAX + 1];
    jy_date_t on;
    int step; //  the change's step it follows, -1 for a warning
} dispute_notice_t;

//  What one command or one roll does: steps in order, notices in order.
typedef struct {
    dispute_step_t steps[DISPUTE_MAX_STEPS];
    size_t step_count;
    dispute_notice_t notices[DISPUTE_MAX_NOTICES];
    size_t notice_count;
} dispute_change_t;

void dispute_change_init (dispute_change_t *change);
//  Free the steps' text and make it empty again.
void dispute_change_clear (dispute_change_t *change);

//  Why a command is refused: a stable code (docs/escalation.md), the field when the code is
//  bad_request, and a message for a person.
typedef struct {
    const char *code;
    char field[32];
    char message[480];
} dispute_refusal_t;

//  Where an automatic dispute came from.
typedef struct {
    const char *policy;
    uint64_t deadline_id;
    uint64_t alert_seq;
} dispute_origin_t;

//  Who acts: by_user and role present, well formed and the role known, for every verb that
//  needs them (ladder_needs_identity); a role given to one that does not must still be known.
//  0, or -1 with refusal (bad_request, unknown_role).
int dispute_check_actor (const ladder_t *ladder, const Journey__V1__DisputeCommand *command,
                         dispute_refusal_t *refusal);

//  A RAISE command (its actor checked) into a new dispute on today, for la_code. origin is
//  NULL for a person's raise. 0 with the dispute and the change, or -1 with refusal.
int dispute_raise (const ladder_t *ladder, jy_calendar_t *calendar,
                   const Journey__V1__DisputeCommand *command, const char *la_code, jy_date_t today,
                   const dispute_origin_t *origin, dispute_t *dispute, dispute_change_t *change,
                   dispute_refusal_t *refusal);

//  RESPOND, ESCALATE, RESOLVE, WITHDRAW, REFER_CAFCASS or COMMENT (its actor checked) on a
//  dispute. looked_after: whether the child has an open period of care today (asked only by
//  REFER_CAFCASS). 0 with the dispute changed and the change appended, or -1 with refusal
//  and the dispute unchanged.
int dispute_act (const ladder_t *ladder, jy_calendar_t *calendar,
                 const Journey__V1__DisputeCommand *command, jy_date_t today, bool looked_after,
                 dispute_t *dispute, dispute_change_t *change, dispute_refusal_t *refusal);

//  The days up to today: auto-escalation of every passed, unanswered stage deadline (each in
//  turn, so a clock moved on by weeks climbs as a running one would have), the warning, and
//  the once-only notices. Appends to change; nothing when nothing is due.
void dispute_roll (const ladder_t *ladder, jy_calendar_t *calendar, dispute_t *dispute,
                   jy_date_t today, dispute_change_t *change);

//  Who must act now: the current stage's answerable roles while it has not responded, the
//  raiser's role once it has, the stage's roles after a resolution (the agreed action), nobody
//  ("") after a withdrawal.
const char *dispute_must_act (const ladder_t *ladder, const dispute_t *dispute);
//  Open and past the overall limit.
bool dispute_overdue (const dispute_t *dispute, jy_date_t today);

//  The dispute as a reply message, without steps (malloc'd throughout: free it with
//  journey__v1__dispute__free_unpacked (message, NULL)).
Journey__V1__Dispute *dispute_message_new (const ladder_t *ladder, const dispute_t *dispute,
                                           jy_date_t today);

#endif
