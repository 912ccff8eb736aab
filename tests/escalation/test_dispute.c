/*  dispute: every transition and every refusal on the default ladder, without a database.

    The dates: raised Tuesday 2025-07-01 (no bank holiday until 25 August). Stage deadlines are
    WORKDAY(entered, 5): stage 1 due 07-08; climbing the day after each deadline, stage 2 is
    entered 07-09 (due 07-16), stage 3 07-17 (due 07-24), stage 4 07-25 (due Friday 08-01). The
    overall limit is WORKDAY(07-01, 20) = 07-29.
*/
#include "jy_test.h"
#include "escalation_test.h"
#include "dispute.h"

#define RAISE         JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE
#define RESPOND       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND
#define ESCALATE      JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE
#define RESOLVE       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE
#define WITHDRAW      JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW
#define REFER_CAFCASS JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS
#define COMMENT       JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT
#define SHOW          JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW

#define STAGE1_ROLES "team-manager social-worker advanced-practitioner"
#define STAGE2_ROLES "service-manager practice-group-lead"

static ladder_t *s_ladder;
static jy_calendar_t *s_calendar;

//  The notices of a change as "what:stage:must_act:due:on" lines joined by " | ".
static const char *s_notices (const dispute_change_t *change)
{
    static char text[4096];
    text[0] = '\0';
    for (size_t i = 0; i < change->notice_count; i++) {
        const dispute_notice_t *notice = &change->notices[i];
        char due[JY_DATE_TEXT_SIZE] = "-", on[JY_DATE_TEXT_SIZE];
        if (notice->due_on != JY_DATE_INVALID)
            jy_date_format (notice->due_on, due);
        size_t used = strlen (text);
        snprintf (text + used, sizeof text - used, "%s%s:%d:%s:%s:%s", i ? " | " : "", notice->what,
                  notice->stage, notice->must_act_role, due, jy_date_format (notice->on, on));
    }
    return text;
}

//  The steps of a change as "verb from->to by role" joined by " | ".
static const char *s_steps (const dispute_change_t *change)
{
    static char text[2048];
    text[0] = '\0';
    for (size_t i = 0; i < change->step_count; i++) {
        const dispute_step_t *step = &change->steps[i];
        size_t used = strlen (text);
        snprintf (text + used, sizeof text - used, "%s%s %d->%d by %s (%s)", i ? " | " : "",
                  step->verb, step->stage_from, step->stage_to, step->by_user, step->role);
    }
    return text;
}

//  A raise by iro-1 for child C1 about reviews on 2025-07-01, checked like the daemon does.
static int s_raise (Journey__V1__DisputeCommand *command, dispute_t *dispute,
                    dispute_change_t *change, dispute_refusal_t *refusal)
{
    if (dispute_check_actor (s_ladder, command, refusal) != 0)
        return -1;
    return dispute_raise (s_ladder, s_calendar, command, "872", D ("2025-07-01"), NULL, dispute,
                          change, refusal);
}

static Journey__V1__DisputeCommand s_raise_command (void)
{
    Journey__V1__DisputeCommand command = et_command (RAISE, "iro-1", "iro", 0);
    command.child_id = "C1";
    command.category = "reviews";
    command.text = "The care plan has no date for the permanence review.";
    return command;
}

//  A fresh dispute raised on 2025-07-01 at stage 1, with id 1.
static void s_fresh (dispute_t *dispute)
{
    Journey__V1__DisputeCommand command = s_raise_command ();
    dispute_change_t change;
    dispute_change_init (&change);
    dispute_refusal_t refusal;
    int rc = s_raise (&command, dispute, &change, &refusal);
    assert (rc == 0);
    (void) rc;
    dispute->id = 1;
    dispute_change_clear (&change);
}

//  Act on a dispute as the daemon does; the refusal code, or "ok".
static const char *s_act (Journey__V1__DisputeCommand *command, jy_date_t today, bool looked_after,
                          dispute_t *dispute, dispute_change_t *change)
{
    static dispute_refusal_t refusal;
    if (dispute_check_actor (s_ladder, command, &refusal) != 0 ||
        dispute_act (s_ladder, s_calendar, command, today, looked_after, dispute, change,
                     &refusal) != 0)
        return refusal.code;
    return "ok";
}

static void s_raising (void)
{
    dispute_t dispute;
    dispute_init (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    dispute_refusal_t refusal;
    Journey__V1__DisputeCommand command = s_raise_command ();
    CHECK_INT (s_raise (&command, &dispute, &change, &refusal), 0);
    CHECK_INT (dispute.stage, 1);
    CHECK_INT (dispute.state, DISPUTE_OPEN);
    CHECK (!dispute.answered);
    CHECK_STR (dispute.la_code, "872");
    CHECK_STR (dispute.child_id, "C1");
    CHECK_STR (dispute.raised_by, "iro-1");
    CHECK_STR (dispute.raised_role, "iro");
    CHECK_DATE (dispute.raised_on, "2025-07-01");
    CHECK_DATE (dispute.stage_entered_on, "2025-07-01");
    CHECK_DATE (dispute.due_on, "2025-07-08");
    CHECK_DATE (dispute.overall_due_on, "2025-07-29");
    CHECK (!dispute.safety);
    CHECK_STR (s_steps (&change), "raise 0->1 by iro-1 (iro)");
    CHECK_STR (change.steps[0].text, "The care plan has no date for the permanence review.");
    CHECK_STR (change.steps[0].detail,
               "child_id=C1\ncategory=reviews\nsafety=false\ndue_on=2025-07-08\n"
               "overall_due_on=2025-07-29");
    CHECK_STR (s_notices (&change), "raised:1:" STAGE1_ROLES ":2025-07-08:2025-07-01");
    CHECK_INT (change.notices[0].step, 0);
    CHECK_STR (dispute_must_act (s_ladder, &dispute), STAGE1_ROLES);
    dispute_change_clear (&change);

    //  Raised at a stage of the raiser's choosing (bypass from the start).
    command.has_stage = true;
    command.stage = 3;
    CHECK_INT (s_raise (&command, &dispute, &change, &refusal), 0);
    CHECK_INT (dispute.stage, 3);
    CHECK_STR (s_notices (&change), "raised:3:head-of-service:2025-07-08:2025-07-01");
    dispute_change_clear (&change);

    //  A safety concern goes straight to the safety stage, whatever stage was asked.
    command.stage = 2;
    command.has_safety = true;
    command.safety = true;
    CHECK_INT (s_raise (&command, &dispute, &change, &refusal), 0);
    CHECK_INT (dispute.stage, 4);
    CHECK (dispute.safety);
    CHECK_STR (s_steps (&change), "raise 0->4 by iro-1 (iro)");
    CHECK_STR (s_notices (&change), "raised:4:director:2025-07-08:2025-07-01");
    dispute_change_clear (&change);
    dispute_clear (&dispute);
}

//  A raise that must be refused: the code and field, and nothing changed.
static void s_raise_refused (Journey__V1__DisputeCommand command, const char *code,
                             const char *field, const char *text)
{
    dispute_t dispute;
    dispute_init (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    dispute_refusal_t refusal;
    CHECK_INT (s_raise (&command, &dispute, &change, &refusal), -1);
    CHECK_STR (refusal.code, code);
    CHECK_STR (refusal.field, field);
    if (!strstr (refusal.message, text)) {
        jy_test_failures++;
        fprintf (stderr, "refusal \"%s\" does not say \"%s\"\n", refusal.message, text);
    }
    CHECK_INT (change.step_count + change.notice_count, 0);
    CHECK_INT (dispute.stage, 0);
    dispute_change_clear (&change);
    dispute_clear (&dispute);
}

static void s_raise_refusals (void)
{
    Journey__V1__DisputeCommand command = s_raise_command ();
    command.role = "social-worker";
    s_raise_refused (command, "role_not_allowed", "role",
                     "a social-worker may not raise a dispute (escalation/roles/raise: iro "
                     "cp-chair)");
    command = s_raise_command ();
    command.role = "judge";
    s_raise_refused (command, "unknown_role", "role", "role \"judge\" is not known");
    command = s_raise_command ();
    command.role = NULL;
    s_raise_refused (command, "bad_request", "role", "role is missing");
    command = s_raise_command ();
    command.by_user = "";
    s_raise_refused (command, "bad_request", "by_user", "by_user is missing");
    command = s_raise_command ();
    command.child_id = NULL;
    s_raise_refused (command, "bad_request", "child_id", "child_id is missing");
    command = s_raise_command ();
    command.category = "gossip";
    s_raise_refused (command, "bad_request", "category",
                     "category \"gossip\" is not one of: care-plan implementation reviews "
                     "resources practice");
    command = s_raise_command ();
    command.text = NULL;
    s_raise_refused (command, "bad_request", "text", "text is missing");
    command = s_raise_command ();
    command.text = "caf\xc3"; //  cut in the middle of a character
    s_raise_refused (command, "bad_request", "text", "not clean UTF-8");
    command = s_raise_command ();
    command.child_id = "C1\n";
    s_raise_refused (command, "bad_request", "child_id", "not clean UTF-8 text");
    command = s_raise_command ();
    command.has_stage = true;
    command.stage = 5;
    s_raise_refused (command, "bad_stage", "stage", "stage 5 is not on the ladder (stages 1 to 4)");
    command.stage = 0;
    s_raise_refused (command, "bad_stage", "stage", "stage 0 is not on the ladder");
    char long_text[DISPUTE_TEXT_MAX + 2];
    memset (long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    command = s_raise_command ();
    command.text = long_text;
    s_raise_refused (command, "bad_request", "text", "longer than 4000 bytes");

    //  Show, list and verify need no identity; a role given must still be known.
    dispute_refusal_t refusal;
    Journey__V1__DisputeCommand show = et_command (SHOW, NULL, NULL, 1);
    CHECK_INT (dispute_check_actor (s_ladder, &show, &refusal), 0);
    show.role = "judge";
    CHECK_INT (dispute_check_actor (s_ladder, &show, &refusal), -1);
    CHECK_STR (refusal.code, "unknown_role");
}

//  Left unanswered: the dispute climbs a stage the day after each deadline, with a warning a
//  working day before each, the overall limit said once, and the top stage's passed deadline
//  said once. Day by day, and in one jump: the same dates.
static void s_climbing (void)
{
    dispute_t dispute;
    dispute_init (&dispute);
    s_fresh (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    char all[4096] = "";
    for (jy_date_t day = D ("2025-07-02"); day <= D ("2025-08-08"); day++) {
        dispute_roll (s_ladder, s_calendar, &dispute, day, &change);
        if (change.notice_count) {
            char on[JY_DATE_TEXT_SIZE];
            size_t used = strlen (all);
            snprintf (all + used, sizeof all - used, "%s%s: %s", *all ? "\n" : "",
                      jy_date_format (day, on), s_notices (&change));
        }
        if (day == D ("2025-07-09"))
            CHECK_STR (s_steps (&change), "auto-escalate 1->2 by journey-escalationd (system)");
        if (day == D ("2025-07-09"))
            CHECK_STR (change.steps[0].text,
                       "stage 1 (informal) response deadline 2025-07-08 passed unanswered");
        if (day == D ("2025-07-09"))
            CHECK_STR (change.steps[0].detail,
                       "deadline=2025-07-08\nentered_on=2025-07-09\ndue_on=2025-07-16");
        dispute_change_clear (&change);
    }
    CHECK_STR (all, "2025-07-07: due_soon:1:" STAGE1_ROLES ":2025-07-08:2025-07-07\n"
                    "2025-07-09: auto_escalated:2:" STAGE2_ROLES ":2025-07-16:2025-07-09\n"
                    "2025-07-15: due_soon:2:" STAGE2_ROLES ":2025-07-16:2025-07-15\n"
                    "2025-07-17: auto_escalated:3:head-of-service:2025-07-24:2025-07-17\n"
                    "2025-07-23: due_soon:3:head-of-service:2025-07-24:2025-07-23\n"
                    "2025-07-25: auto_escalated:4:director:2025-08-01:2025-07-25\n"
                    "2025-07-30: overall_limit_passed:4:director:2025-07-29:2025-07-30\n"
                    "2025-07-31: due_soon:4:director:2025-08-01:2025-07-31\n"
                    "2025-08-02: overdue_at_top:4:director:2025-08-01:2025-08-02");
    CHECK_INT (dispute.stage, 4);
    CHECK (dispute.top_overdue_noticed);
    CHECK (dispute.overall_overdue_noticed);
    CHECK (dispute_overdue (&dispute, D ("2025-07-30")));
    CHECK (!dispute_overdue (&dispute, D ("2025-07-29")));

    //  The clock moved on by weeks at once: the same climb, no stale warnings.
    dispute_t jumped;
    dispute_init (&jumped);
    s_fresh (&jumped);
    dispute_roll (s_ladder, s_calendar, &jumped, D ("2025-08-04"), &change);
    CHECK_STR (s_steps (&change), "auto-escalate 1->2 by journey-escalationd (system) | "
                                  "auto-escalate 2->3 by journey-escalationd (system) | "
                                  "auto-escalate 3->4 by journey-escalationd (system)");
    CHECK_STR (s_notices (&change), "auto_escalated:2:" STAGE2_ROLES ":2025-07-16:2025-07-09 | "
                                    "auto_escalated:3:head-of-service:2025-07-24:2025-07-17 | "
                                    "auto_escalated:4:director:2025-08-01:2025-07-25 | "
                                    "overdue_at_top:4:director:2025-08-01:2025-08-02 | "
                                    "overall_limit_passed:4:director:2025-07-29:2025-07-30");
    CHECK_DATE (jumped.stage_entered_on, "2025-07-25");
    CHECK_DATE (jumped.due_on, "2025-08-01");
    dispute_change_clear (&change);
    //  Nothing more to say, however long it stays.
    dispute_roll (s_ladder, s_calendar, &jumped, D ("2025-09-30"), &change);
    CHECK_INT (change.notice_count + change.step_count, 0);
    dispute_clear (&jumped);
    dispute_clear (&dispute);
}

//  Respond, escalate, resolve: the raiser's path once the stage answers; a response stops the
//  climb; a resolved dispute takes nothing more.
static void s_answering (void)
{
    dispute_t dispute;
    dispute_init (&dispute);
    s_fresh (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);

    //  The wrong role, and a role answerable only at another stage.
    Journey__V1__DisputeCommand respond = et_command (RESPOND, "sw-3", "iro", 1);
    CHECK_STR (s_act (&respond, D ("2025-07-03"), false, &dispute, &change), "role_not_allowed");
    respond.role = "service-manager";
    CHECK_STR (s_act (&respond, D ("2025-07-03"), false, &dispute, &change), "role_not_allowed");
    CHECK_INT (change.step_count, 0);
    respond.role = "social-worker";
    respond.text = "We will book the review this week.";
    CHECK_STR (s_act (&respond, D ("2025-07-03"), false, &dispute, &change), "ok");
    CHECK (dispute.answered);
    CHECK_STR (s_steps (&change), "respond 1->1 by sw-3 (social-worker)");
    CHECK_STR (s_notices (&change), "responded:1:iro:2025-07-29:2025-07-03");
    CHECK_STR (dispute_must_act (s_ladder, &dispute), "iro");
    dispute_change_clear (&change);

    //  Answered: no climb and no warning when the deadline passes.
    dispute_roll (s_ladder, s_calendar, &dispute, D ("2025-07-15"), &change);
    CHECK_INT (change.step_count, 0);
    CHECK_INT (dispute.stage, 1);
    dispute_change_clear (&change);

    //  The raiser is not satisfied: escalates (only the raising role may).
    Journey__V1__DisputeCommand escalate = et_command (ESCALATE, "cp-2", "cp-chair", 1);
    CHECK_STR (s_act (&escalate, D ("2025-07-15"), false, &dispute, &change), "role_not_allowed");
    escalate = et_command (ESCALATE, "iro-1", "iro", 1);
    CHECK_STR (s_act (&escalate, D ("2025-07-15"), false, &dispute, &change), "ok");
    CHECK_INT (dispute.stage, 2);
    CHECK (!dispute.answered);
    CHECK_DATE (dispute.stage_entered_on, "2025-07-15");
    CHECK_DATE (dispute.due_on, "2025-07-22");
    CHECK_STR (s_steps (&change), "escalate 1->2 by iro-1 (iro)");
    CHECK_STR (change.steps[0].detail, "bypass=false\nsafety=false\ndue_on=2025-07-22");
    CHECK_STR (s_notices (&change), "escalated:2:" STAGE2_ROLES ":2025-07-22:2025-07-15");
    dispute_change_clear (&change);

    //  Resolved at stage 2: the agreed action and date are required.
    Journey__V1__DisputeCommand resolve = et_command (RESOLVE, "iro-1", "iro", 1);
    CHECK_STR (s_act (&resolve, D ("2025-07-17"), false, &dispute, &change), "bad_request");
    resolve.agreed_action = "Review booked for 24 July; plan updated.";
    CHECK_STR (s_act (&resolve, D ("2025-07-17"), false, &dispute, &change), "bad_request");
    resolve.agreed_by_date = "2025-07-32";
    CHECK_STR (s_act (&resolve, D ("2025-07-17"), false, &dispute, &change), "bad_request");
    CHECK_INT (dispute.state, DISPUTE_OPEN);
    resolve.agreed_by_date = "2025-07-24";
    CHECK_STR (s_act (&resolve, D ("2025-07-17"), false, &dispute, &change), "ok");
    CHECK_INT (dispute.state, DISPUTE_RESOLVED);
    CHECK_DATE (dispute.closed_on, "2025-07-17");
    CHECK_STR (dispute.agreed_action, "Review booked for 24 July; plan updated.");
    CHECK_DATE (dispute.agreed_by_date, "2025-07-24");
    CHECK_STR (change.steps[0].detail, "agreed_action=Review booked for 24 July; plan updated.\n"
                                       "agreed_by_date=2025-07-24");
    CHECK_STR (s_notices (&change), "resolved:2:" STAGE2_ROLES ":2025-07-24:2025-07-17");
    dispute_change_clear (&change);

    //  Closed: it stops climbing and takes no more commands.
    dispute_roll (s_ladder, s_calendar, &dispute, D ("2025-09-01"), &change);
    CHECK_INT (change.notice_count, 0);
    CHECK_INT (dispute.stage, 2);
    CHECK (!dispute_overdue (&dispute, D ("2025-09-01")));
    Journey__V1__DisputeCommand comment = et_command (COMMENT, "iro-1", "iro", 1);
    comment.text = "One more thing.";
    CHECK_STR (s_act (&comment, D ("2025-07-18"), false, &dispute, &change), "dispute_closed");
    CHECK_STR (s_act (&escalate, D ("2025-07-18"), false, &dispute, &change), "dispute_closed");
    CHECK_STR (s_act (&respond, D ("2025-07-18"), false, &dispute, &change), "dispute_closed");
    CHECK_INT (change.step_count, 0);

    //  The message a reply carries.
    Journey__V1__Dispute *message = dispute_message_new (s_ladder, &dispute, D ("2025-07-18"));
    CHECK_INT (message->id, 1);
    CHECK_STR (message->state, "resolved");
    CHECK_INT (message->stage, 2);
    CHECK_STR (message->stage_name, "practice group lead / service manager");
    CHECK_INT (message->top_stage, 4);
    CHECK_STR (message->due_on, "2025-07-22");
    CHECK_STR (message->overall_due_on, "2025-07-29");
    CHECK_STR (message->closed_on, "2025-07-17");
    CHECK_STR (message->agreed_by_date, "2025-07-24");
    CHECK_STR (message->must_act_role, STAGE2_ROLES);
    CHECK (message->has_overdue && !message->overdue);
    CHECK (message->cafcass_referred_on == NULL);
    journey__v1__dispute__free_unpacked (message, NULL);
    dispute_change_clear (&change);
    dispute_clear (&dispute);
}

static void s_other_verbs (void)
{
    dispute_t dispute;
    dispute_init (&dispute);
    s_fresh (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);

    //  Bypass: straight from 1 to 3; not down, not beyond the top.
    Journey__V1__DisputeCommand escalate = et_command (ESCALATE, "iro-1", "iro", 1);
    escalate.has_stage = true;
    escalate.stage = 3;
    CHECK_STR (s_act (&escalate, D ("2025-07-02"), false, &dispute, &change), "ok");
    CHECK_INT (dispute.stage, 3);
    CHECK_STR (change.steps[0].detail, "bypass=true\nsafety=false\ndue_on=2025-07-09");
    CHECK_STR (s_notices (&change), "escalated:3:head-of-service:2025-07-09:2025-07-02");
    dispute_change_clear (&change);
    escalate.stage = 2;
    CHECK_STR (s_act (&escalate, D ("2025-07-02"), false, &dispute, &change), "bad_stage");
    escalate.stage = 3;
    CHECK_STR (s_act (&escalate, D ("2025-07-02"), false, &dispute, &change), "bad_stage");
    escalate.stage = 5;
    CHECK_STR (s_act (&escalate, D ("2025-07-02"), false, &dispute, &change), "bad_stage");
    CHECK_INT (dispute.stage, 3);
    //  A safety concern found later goes to the safety stage at once.
    escalate.has_stage = false;
    escalate.has_safety = true;
    escalate.safety = true;
    CHECK_STR (s_act (&escalate, D ("2025-07-03"), false, &dispute, &change), "ok");
    CHECK_INT (dispute.stage, 4);
    CHECK (dispute.safety);
    dispute_change_clear (&change);
    //  At the top: nowhere higher.
    escalate.has_safety = false;
    CHECK_STR (s_act (&escalate, D ("2025-07-03"), false, &dispute, &change), "bad_stage");

    //  Cafcass: an IRO, for a looked-after child.
    Journey__V1__DisputeCommand refer = et_command (REFER_CAFCASS, "cp-2", "cp-chair", 1);
    CHECK_STR (s_act (&refer, D ("2025-07-04"), true, &dispute, &change), "role_not_allowed");
    refer = et_command (REFER_CAFCASS, "iro-1", "iro", 1);
    CHECK_STR (s_act (&refer, D ("2025-07-04"), false, &dispute, &change), "not_looked_after");
    CHECK (dispute.cafcass_referred_on == JY_DATE_INVALID);
    CHECK_STR (s_act (&refer, D ("2025-07-04"), true, &dispute, &change), "ok");
    CHECK_DATE (dispute.cafcass_referred_on, "2025-07-04");
    CHECK_STR (s_notices (&change), "cafcass_referred:4:director:2025-07-10:2025-07-04");
    dispute_change_clear (&change);

    //  Comment: any known role, with text; the stage does not move.
    Journey__V1__DisputeCommand comment = et_command (COMMENT, "dir-1", "director", 1);
    CHECK_STR (s_act (&comment, D ("2025-07-04"), false, &dispute, &change), "bad_request");
    comment.text = "Meeting the team on Monday.";
    CHECK_STR (s_act (&comment, D ("2025-07-04"), false, &dispute, &change), "ok");
    CHECK_STR (s_steps (&change), "comment 4->4 by dir-1 (director)");
    CHECK_STR (s_notices (&change), "commented:4:director:2025-07-10:2025-07-04");
    dispute_change_clear (&change);
    comment.role = "stranger";
    CHECK_STR (s_act (&comment, D ("2025-07-04"), false, &dispute, &change), "unknown_role");

    //  Withdraw: the raiser only; then nobody must act.
    Journey__V1__DisputeCommand withdraw = et_command (WITHDRAW, "dir-1", "director", 1);
    CHECK_STR (s_act (&withdraw, D ("2025-07-07"), false, &dispute, &change), "role_not_allowed");
    withdraw = et_command (WITHDRAW, "iro-9", "iro", 1);
    withdraw.text = "Resolved outside the process.";
    CHECK_STR (s_act (&withdraw, D ("2025-07-07"), false, &dispute, &change), "ok");
    CHECK_INT (dispute.state, DISPUTE_WITHDRAWN);
    CHECK_STR (s_notices (&change), "withdrawn:4::-:2025-07-07");
    CHECK_STR (dispute_must_act (s_ladder, &dispute), "");
    dispute_change_clear (&change);
    CHECK_STR (s_act (&refer, D ("2025-07-08"), true, &dispute, &change), "dispute_closed");

    dispute_state_t state;
    CHECK_INT (dispute_state_parse ("withdrawn", &state), 0);
    CHECK_INT (state, DISPUTE_WITHDRAWN);
    CHECK_INT (dispute_state_parse ("closed", &state), -1);
    dispute_clear (&dispute);
}

int main (void)
{
    if (!getenv ("JOURNEY_DEPLOY_DIR"))
        return 77;
    jy_config_t *config = et_config (NULL);
    s_ladder = ladder_new (config);
    if (!s_ladder) {
        fprintf (stderr, "%s\n", jy_config_error (config));
        return 1;
    }
    s_calendar = jy_calendar_new ();
    s_raising ();
    s_raise_refusals ();
    s_climbing ();
    s_answering ();
    s_other_verbs ();
    jy_calendar_destroy (&s_calendar);
    ladder_destroy (&s_ladder);
    jy_config_destroy (&config);
    return jy_test_summary ("test_dispute");
}
