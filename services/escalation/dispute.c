/*  dispute: the ladder's rules applied to one dispute (dispute.h). */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispute.h"

static const char *const s_state_names[] = {"open", "resolved", "withdrawn"};

void dispute_init (dispute_t *self)
{
    assert (self);
    memset (self, 0, sizeof *self);
    self->state = DISPUTE_OPEN;
    self->raised_on = self->stage_entered_on = self->due_on = self->overall_due_on =
        JY_DATE_INVALID;
    self->cafcass_referred_on = self->agreed_by_date = self->closed_on = JY_DATE_INVALID;
    snprintf (self->last_hash, sizeof self->last_hash, "%s", CHAIN_GENESIS);
}

void dispute_clear (dispute_t *self)
{
    assert (self);
    free (self->agreed_action);
    dispute_init (self);
}

const char *dispute_state_name (dispute_state_t state)
{
    assert ((size_t) state < sizeof s_state_names / sizeof s_state_names[0]);
    return s_state_names[state];
}

int dispute_state_parse (const char *name, dispute_state_t *state)
{
    for (size_t i = 0; name && i < sizeof s_state_names / sizeof s_state_names[0]; i++)
        if (strcmp (name, s_state_names[i]) == 0) {
            *state = (dispute_state_t) i;
            return 0;
        }
    return -1;
}

//  --- Changes -----------------------------------------------------------------------------------

void dispute_change_init (dispute_change_t *change)
{
    assert (change);
    memset (change, 0, sizeof *change);
}

void dispute_change_clear (dispute_change_t *change)
{
    assert (change);
    for (size_t i = 0; i < change->step_count; i++) {
        free (change->steps[i].text);
        free (change->steps[i].detail);
    }
    dispute_change_init (change);
}

static char *s_strdup (const char *text)
{
    char *copy = strdup (text ? text : "");
    assert (copy);
    return copy;
}

static char *s_printf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static char *s_printf (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = zsys_vprintf (format, args);
    va_end (args);
    assert (text);
    return text;
}

static int s_add_step (dispute_change_t *change, const char *verb, const char *by_user,
                       const char *role, int stage_from, int stage_to, char *text, char *detail)
{
    assert (change->step_count < DISPUTE_MAX_STEPS);
    dispute_step_t *step = &change->steps[change->step_count];
    memset (step, 0, sizeof *step);
    step->verb = verb;
    snprintf (step->by_user, sizeof step->by_user, "%s", by_user);
    snprintf (step->role, sizeof step->role, "%s", role);
    step->stage_from = stage_from;
    step->stage_to = stage_to;
    step->text = text ? text : s_strdup ("");
    step->detail = detail ? detail : s_strdup ("");
    return (int) change->step_count++;
}

static void s_add_notice (dispute_change_t *change, const char *what, const dispute_t *dispute,
                          const char *must_act, jy_date_t due_on, const char *by_user, jy_date_t on,
                          int step)
{
    assert (change->notice_count < DISPUTE_MAX_NOTICES);
    dispute_notice_t *notice = &change->notices[change->notice_count++];
    notice->what = what;
    notice->stage = dispute->stage;
    snprintf (notice->must_act_role, sizeof notice->must_act_role, "%s", must_act);
    notice->due_on = due_on;
    snprintf (notice->by_user, sizeof notice->by_user, "%s", by_user);
    notice->on = on;
    notice->step = step;
}

//  --- Checking commands -------------------------------------------------------------------------

static int s_refuse (dispute_refusal_t *refusal, const char *code, const char *field,
                     const char *format, ...) __attribute__ ((format (printf, 4, 5)));

static int s_refuse (dispute_refusal_t *refusal, const char *code, const char *field,
                     const char *format, ...)
{
    refusal->code = code;
    snprintf (refusal->field, sizeof refusal->field, "%s", field ? field : "");
    va_list args;
    va_start (args, format);
    vsnprintf (refusal->message, sizeof refusal->message, format, args);
    va_end (args);
    return -1;
}

//  Well-formed UTF-8, no NUL (protobuf strings may carry one), no C0 controls but tab and
//  newline when multiline.
static bool s_text_ok (const char *text, bool multiline)
{
    const unsigned char *p = (const unsigned char *) text;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x20) {
            if (!(multiline && (c == '\n' || c == '\t' || c == '\r')))
                return false;
            p++;
            continue;
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        int extra;
        if (c >= 0xc2 && c <= 0xdf)
            extra = 1;
        else if (c >= 0xe0 && c <= 0xef)
            extra = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            extra = 3;
        else
            return false;
        uint32_t code = c & (0x3f >> extra);
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            code = (code << 6) | (p[i] & 0x3f);
        }
        //  Overlong forms, surrogates and beyond U+10FFFF are not UTF-8.
        if ((extra == 2 && code < 0x800) || (extra == 3 && (code < 0x10000 || code > 0x10ffff)) ||
            (code >= 0xd800 && code <= 0xdfff))
            return false;
        p += 1 + extra;
    }
    return true;
}

//  A string field: present when required, at most max bytes, clean text. 0 or -1 (bad_request
//  naming the field).
static int s_check_field (dispute_refusal_t *refusal, const char *field, const char *value,
                          size_t max, bool required, bool multiline)
{
    if (!value || !*value) {
        if (required)
            return s_refuse (refusal, "bad_request", field, "%s is missing", field);
        return 0;
    }
    if (strlen (value) > max)
        return s_refuse (refusal, "bad_request", field, "%s is longer than %zu bytes", field, max);
    if (!s_text_ok (value, multiline))
        return s_refuse (refusal, "bad_request", field,
                         "%s is not clean UTF-8 text (control characters or invalid bytes)", field);
    return 0;
}

int dispute_check_actor (const ladder_t *ladder, const Journey__V1__DisputeCommand *command,
                         dispute_refusal_t *refusal)
{
    assert (ladder && command && refusal);
    bool needed = ladder_needs_identity (ladder, command->verb);
    if (s_check_field (refusal, "by_user", command->by_user, DISPUTE_ID_MAX, needed, false) ||
        s_check_field (refusal, "role", command->role, LADDER_NAME_MAX * 4, needed, false))
        return -1;
    if (command->role && *command->role && !ladder_role_known (ladder, command->role))
        return s_refuse (refusal, "unknown_role", "role",
                         "role \"%s\" is not known (escalation/known_roles)", command->role);
    return 0;
}

static int s_workday (jy_calendar_t *calendar, jy_date_t from, int days, jy_date_t *due,
                      dispute_refusal_t *refusal)
{
    if (jy_calendar_add_working_days (calendar, from, days, due) == 0)
        return 0;
    char text[JY_DATE_TEXT_SIZE];
    return s_refuse (refusal, "bad_request", "date",
                     "%d working days from %s is outside the working-day calendar", days,
                     jy_date_format (from, text));
}

static const char *s_bool (bool value)
{
    return value ? "true" : "false";
}

//  Enter a stage on a date: its deadline is response_days working days on. 0 or -1.
static int s_enter (const ladder_t *ladder, jy_calendar_t *calendar, dispute_t *dispute, int stage,
                    jy_date_t on, dispute_refusal_t *refusal)
{
    jy_date_t due;
    if (s_workday (calendar, on, ladder_response_days (ladder, stage), &due, refusal))
        return -1;
    dispute->stage = stage;
    dispute->stage_entered_on = on;
    dispute->due_on = due;
    dispute->answered = false;
    return 0;
}

int dispute_raise (const ladder_t *ladder, jy_calendar_t *calendar,
                   const Journey__V1__DisputeCommand *command, const char *la_code, jy_date_t today,
                   const dispute_origin_t *origin, dispute_t *dispute, dispute_change_t *change,
                   dispute_refusal_t *refusal)
{
    assert (ladder && calendar && command && la_code && dispute && change && refusal);
    assert (strlen (la_code) == 3);
    if (!ladder_allows (ladder, command->verb, command->role, NULL, 0))
        return s_refuse (refusal, "role_not_allowed", "role",
                         "a %s may not raise a dispute (escalation/roles/raise: %s)",
                         command->role ? command->role : "(no role)",
                         ladder_allowed_text (ladder, command->verb));
    if (s_check_field (refusal, "child_id", command->child_id, DISPUTE_ID_MAX, true, false) ||
        s_check_field (refusal, "category", command->category, LADDER_NAME_MAX, true, false) ||
        s_check_field (refusal, "text", command->text, DISPUTE_TEXT_MAX, true, true))
        return -1;
    if (!ladder_category_known (ladder, command->category))
        return s_refuse (refusal, "bad_request", "category",
                         "category \"%s\" is not one of: %s (escalation/categories)",
                         command->category, ladder_categories (ladder));
    int top = ladder_top (ladder);
    int stage = 1;
    if (command->has_stage) {
        if (command->stage < 1 || command->stage > (uint32_t) top)
            return s_refuse (refusal, "bad_stage", "stage",
                             "stage %" PRIu32 " is not on the ladder (stages 1 to %d)",
                             command->stage, top);
        stage = (int) command->stage;
    }
    bool safety = command->has_safety && command->safety;
    //  A concern about the child's safety is never held at a lower stage (seed 003).
    if (safety && stage < ladder_safety_stage (ladder))
        stage = ladder_safety_stage (ladder);

    dispute_t fresh;
    dispute_init (&fresh);
    snprintf (fresh.la_code, sizeof fresh.la_code, "%s", la_code);
    snprintf (fresh.child_id, sizeof fresh.child_id, "%s", command->child_id);
    snprintf (fresh.category, sizeof fresh.category, "%s", command->category);
    snprintf (fresh.raised_by, sizeof fresh.raised_by, "%s", command->by_user);
    snprintf (fresh.raised_role, sizeof fresh.raised_role, "%s", command->role);
    fresh.raised_on = today;
    fresh.safety = safety;
    if (s_workday (calendar, today, ladder_overall_limit_days (ladder), &fresh.overall_due_on,
                   refusal) ||
        s_enter (ladder, calendar, &fresh, stage, today, refusal))
        return -1;
    if (origin) {
        snprintf (fresh.policy, sizeof fresh.policy, "%s", origin->policy);
        fresh.deadline_id = origin->deadline_id;
        fresh.alert_seq = origin->alert_seq;
    }
    dispute_clear (dispute);
    *dispute = fresh;

    char due[JY_DATE_TEXT_SIZE], overall[JY_DATE_TEXT_SIZE];
    jy_date_format (dispute->due_on, due);
    jy_date_format (dispute->overall_due_on, overall);
    char *detail =
        origin ? s_printf ("child_id=%s\ncategory=%s\nsafety=%s\ndue_on=%s\noverall_due_on=%s\n"
                           "policy=%s\ndeadline_id=%" PRIu64 "\nalert_seq=%" PRIu64,
                           dispute->child_id, dispute->category, s_bool (safety), due, overall,
                           dispute->policy, dispute->deadline_id, dispute->alert_seq)
               : s_printf ("child_id=%s\ncategory=%s\nsafety=%s\ndue_on=%s\noverall_due_on=%s",
                           dispute->child_id, dispute->category, s_bool (safety), due, overall);
    int step = s_add_step (change, "raise", command->by_user, command->role, 0, stage,
                           s_strdup (command->text), detail);
    s_add_notice (change, "raised", dispute, ladder_answerable (ladder, stage), dispute->due_on,
                  command->by_user, today, step);
    return 0;
}

int dispute_act (const ladder_t *ladder, jy_calendar_t *calendar,
                 const Journey__V1__DisputeCommand *command, jy_date_t today, bool looked_after,
                 dispute_t *dispute, dispute_change_t *change, dispute_refusal_t *refusal)
{
    assert (ladder && calendar && command && dispute && change && refusal);
    ladder_verb_t verb = command->verb;
    const char *verb_name = ladder_verb_name (verb);
    assert (verb_name);
    if (dispute->state != DISPUTE_OPEN) {
        char on[JY_DATE_TEXT_SIZE];
        return s_refuse (refusal, "dispute_closed", NULL,
                         "dispute %" PRIu64 " was %s on %s: nothing more can be done to it",
                         dispute->id, dispute_state_name (dispute->state),
                         jy_date_format (dispute->closed_on, on));
    }
    if (!ladder_allows (ladder, verb, command->role, dispute->raised_role, dispute->stage))
        return s_refuse (refusal, "role_not_allowed", "role",
                         "a %s may not %s dispute %" PRIu64
                         " (escalation/roles/%s: %s; raised by a %s, at stage %d where %s "
                         "answer)",
                         command->role, verb_name, dispute->id, verb_name,
                         ladder_allowed_text (ladder, verb), dispute->raised_role, dispute->stage,
                         ladder_answerable (ladder, dispute->stage));
    if (s_check_field (refusal, "text", command->text, DISPUTE_TEXT_MAX,
                       verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT, true))
        return -1;

    dispute_t before = *dispute; //  restored on refusal (agreed_action is set only on success)
    int stage_from = dispute->stage;
    const char *what = NULL;
    char *detail = NULL;
    jy_date_t notice_due = JY_DATE_INVALID;
    char due[JY_DATE_TEXT_SIZE];
    switch (verb) {
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND:
        dispute->answered = true;
        what = "responded";
        notice_due = dispute->overall_due_on;
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE: {
        int top = ladder_top (ladder);
        int target = command->has_stage ? (int) command->stage : dispute->stage + 1;
        bool safety = command->has_safety && command->safety;
        if (command->has_stage && command->stage > (uint32_t) top)
            return s_refuse (refusal, "bad_stage", "stage",
                             "stage %" PRIu32 " is not on the ladder (stages 1 to %d)",
                             command->stage, top);
        if (safety && target < ladder_safety_stage (ladder))
            target = ladder_safety_stage (ladder);
        if (target > top)
            return s_refuse (refusal, "bad_stage", "stage",
                             "dispute %" PRIu64 " is at the top stage (%d, %s) already",
                             dispute->id, dispute->stage,
                             ladder_stage_name (ladder, dispute->stage));
        if (target <= dispute->stage)
            return s_refuse (refusal, "bad_stage", "stage",
                             "dispute %" PRIu64
                             " is at stage %d: escalate to a higher stage (%d to %d)",
                             dispute->id, dispute->stage, dispute->stage + 1, top);
        if (s_enter (ladder, calendar, dispute, target, today, refusal)) {
            *dispute = before;
            return -1;
        }
        if (safety)
            dispute->safety = true;
        what = "escalated";
        notice_due = dispute->due_on;
        detail = s_printf ("bypass=%s\nsafety=%s\ndue_on=%s", s_bool (target > stage_from + 1),
                           s_bool (safety), jy_date_format (dispute->due_on, due));
        break;
    }
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE: {
        jy_date_t by_date;
        if (s_check_field (refusal, "agreed_action", command->agreed_action, DISPUTE_TEXT_MAX, true,
                           true) ||
            s_check_field (refusal, "agreed_by_date", command->agreed_by_date, JY_DATE_TEXT_SIZE,
                           true, false))
            return -1;
        if (jy_date_parse (command->agreed_by_date, &by_date) != 0)
            return s_refuse (refusal, "bad_request", "agreed_by_date",
                             "agreed_by_date \"%s\" is not a date (YYYY-MM-DD)",
                             command->agreed_by_date);
        dispute->state = DISPUTE_RESOLVED;
        dispute->closed_on = today;
        dispute->agreed_action = s_strdup (command->agreed_action);
        dispute->agreed_by_date = by_date;
        what = "resolved";
        notice_due = by_date;
        detail = s_printf ("agreed_action=%s\nagreed_by_date=%s", command->agreed_action,
                           jy_date_format (by_date, due));
        break;
    }
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW:
        dispute->state = DISPUTE_WITHDRAWN;
        dispute->closed_on = today;
        what = "withdrawn";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS:
        if (!looked_after) {
            char day[JY_DATE_TEXT_SIZE];
            return s_refuse (refusal, "not_looked_after", "child_id",
                             "child %s has no open period of care on %s: only a looked-after "
                             "child's case can be referred to Cafcass",
                             dispute->child_id, jy_date_format (today, day));
        }
        if (dispute->cafcass_referred_on == JY_DATE_INVALID)
            dispute->cafcass_referred_on = today;
        what = "cafcass_referred";
        notice_due = dispute->answered ? dispute->overall_due_on : dispute->due_on;
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT:
        what = "commented";
        notice_due = dispute->answered ? dispute->overall_due_on : dispute->due_on;
        break;
    default:
        assert (false); //  the caller sends only these verbs here
        return s_refuse (refusal, "bad_request", "verb", "not a change");
    }
    int step = s_add_step (change, verb_name, command->by_user, command->role, stage_from,
                           dispute->stage, s_strdup (command->text), detail);
    s_add_notice (change, what, dispute, dispute_must_act (ladder, dispute), notice_due,
                  command->by_user, today, step);
    return 0;
}

void dispute_roll (const ladder_t *ladder, jy_calendar_t *calendar, dispute_t *dispute,
                   jy_date_t today, dispute_change_t *change)
{
    assert (ladder && calendar && dispute && change);
    if (dispute->state != DISPUTE_OPEN)
        return;
    int top = ladder_top (ladder);
    char passed[JY_DATE_TEXT_SIZE], due[JY_DATE_TEXT_SIZE], entered[JY_DATE_TEXT_SIZE];
    //  Each passed deadline in turn: the next stage is entered the day after the deadline
    //  passed, whenever the daemon gets to it, so the dates do not depend on when it ran.
    while (!dispute->answered && dispute->due_on < today && dispute->stage < top) {
        jy_date_t deadline = dispute->due_on;
        int from = dispute->stage;
        dispute_refusal_t unused;
        if (s_enter (ladder, calendar, dispute, from + 1, deadline + 1, &unused) != 0)
            break; //  beyond the calendar: stays where it is
        jy_date_format (deadline, passed);
        char *text = s_printf ("stage %d (%s) response deadline %s passed unanswered", from,
                               ladder_stage_name (ladder, from), passed);
        char *detail = s_printf ("deadline=%s\nentered_on=%s\ndue_on=%s", passed,
                                 jy_date_format (dispute->stage_entered_on, entered),
                                 jy_date_format (dispute->due_on, due));
        int step = s_add_step (change, "auto-escalate", DISPUTE_SYSTEM_USER, DISPUTE_SYSTEM_ROLE,
                               from, dispute->stage, text, detail);
        s_add_notice (change, "auto_escalated", dispute, ladder_answerable (ladder, dispute->stage),
                      dispute->due_on, DISPUTE_SYSTEM_USER, dispute->stage_entered_on, step);
    }
    if (!dispute->answered && dispute->due_on < today && dispute->stage >= top &&
        !dispute->top_overdue_noticed) {
        dispute->top_overdue_noticed = true;
        s_add_notice (change, "overdue_at_top", dispute, ladder_answerable (ladder, top),
                      dispute->due_on, DISPUTE_SYSTEM_USER, dispute->due_on + 1, -1);
    }
    int warn_days = ladder_warn_days (ladder);
    jy_date_t warn_from;
    if (warn_days > 0 && !dispute->answered && dispute->warned_stage != dispute->stage &&
        today <= dispute->due_on &&
        jy_calendar_add_working_days (calendar, dispute->due_on, -warn_days, &warn_from) == 0 &&
        today >= warn_from) {
        dispute->warned_stage = dispute->stage;
        s_add_notice (change, "due_soon", dispute, ladder_answerable (ladder, dispute->stage),
                      dispute->due_on, DISPUTE_SYSTEM_USER, today, -1);
    }
    if (today > dispute->overall_due_on && !dispute->overall_overdue_noticed) {
        dispute->overall_overdue_noticed = true;
        s_add_notice (change, "overall_limit_passed", dispute, dispute_must_act (ladder, dispute),
                      dispute->overall_due_on, DISPUTE_SYSTEM_USER, dispute->overall_due_on + 1,
                      -1);
    }
}

const char *dispute_must_act (const ladder_t *ladder, const dispute_t *dispute)
{
    assert (ladder && dispute);
    switch (dispute->state) {
    case DISPUTE_OPEN:
        return dispute->answered ? dispute->raised_role
                                 : ladder_answerable (ladder, dispute->stage);
    case DISPUTE_RESOLVED:
        return ladder_answerable (ladder, dispute->stage);
    case DISPUTE_WITHDRAWN:
        return "";
    }
    return "";
}

bool dispute_overdue (const dispute_t *dispute, jy_date_t today)
{
    assert (dispute);
    return dispute->state == DISPUTE_OPEN && today > dispute->overall_due_on;
}

//  --- Messages ----------------------------------------------------------------------------------

static char *s_date_text (jy_date_t date)
{
    if (date == JY_DATE_INVALID)
        return NULL;
    char text[JY_DATE_TEXT_SIZE];
    return s_strdup (jy_date_format (date, text));
}

Journey__V1__Dispute *dispute_message_new (const ladder_t *ladder, const dispute_t *dispute,
                                           jy_date_t today)
{
    assert (ladder && dispute);
    Journey__V1__Dispute *message = malloc (sizeof *message);
    assert (message);
    journey__v1__dispute__init (message);
    message->has_id = true;
    message->id = dispute->id;
    message->la_code = s_strdup (dispute->la_code);
    message->child_id = s_strdup (dispute->child_id);
    message->category = s_strdup (dispute->category);
    message->has_stage = true;
    message->stage = (uint32_t) dispute->stage;
    message->state = s_strdup (dispute_state_name (dispute->state));
    message->raised_by = s_strdup (dispute->raised_by);
    message->raised_role = s_strdup (dispute->raised_role);
    message->raised_on = s_date_text (dispute->raised_on);
    message->due_on = s_date_text (dispute->due_on);
    message->overall_due_on = s_date_text (dispute->overall_due_on);
    message->has_safety = true;
    message->safety = dispute->safety;
    message->has_cafcass_referred = true;
    message->cafcass_referred = dispute->cafcass_referred_on != JY_DATE_INVALID;
    message->has_answered = true;
    message->answered = dispute->answered;
    message->must_act_role = s_strdup (dispute_must_act (ladder, dispute));
    message->has_overdue = true;
    message->overdue = dispute_overdue (dispute, today);
    message->agreed_action = dispute->agreed_action ? s_strdup (dispute->agreed_action) : NULL;
    message->agreed_by_date = s_date_text (dispute->agreed_by_date);
    message->closed_on = s_date_text (dispute->closed_on);
    message->stage_name = s_strdup (ladder_stage_name (ladder, dispute->stage));
    message->has_top_stage = true;
    message->top_stage = (uint32_t) ladder_top (ladder);
    message->stage_entered_on = s_date_text (dispute->stage_entered_on);
    message->cafcass_referred_on = s_date_text (dispute->cafcass_referred_on);
    if (*dispute->policy) {
        message->policy = s_strdup (dispute->policy);
        message->has_deadline_id = true;
        message->deadline_id = dispute->deadline_id;
    }
    return message;
}
