/*  journey-escalationd as a client sees it: a real daemon on the simulated clock against its own
    database (created, migrated with `journey migrate`, dropped at the end), commands over its
    real request socket, notices on its real feed, alerts from a PUB socket of the test's own.

    Every transition (raise, respond, escalate with bypass, auto-escalate, resolve, withdraw,
    refer-cafcass, comment) and every refusal; the ladder walked day by day with ClockSet, with
    a notice at each step naming who must act; a safety concern; the 20 working day limit;
    SIGTERM and SIGKILL in the middle of a dispute, the climb continuing after each; disputes
    raised by policy from alerts, live and caught up after a stop, never twice, dated the
    alert's day also when the daemon's clock is still on the day before; the step chain
    verified intact, then a step altered as the superuser and the broken link named.

    The dates (DOMAIN.md working days; no bank holiday in July 2025): raised Tuesday 07-01,
    stage 1 due 07-08; unanswered, stage 2 is entered 07-09 (due 07-16), stage 3 07-17 (due
    07-24), stage 4 07-25 (due 08-01); the 20 working day limit is 07-29.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "escalation_test.h"
#include "chain.h"
#include "journey/journey.h"

#define RAISE         JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE
#define RESPOND       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND
#define ESCALATE      JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE
#define RESOLVE       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE
#define WITHDRAW      JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW
#define REFER_CAFCASS JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS
#define COMMENT       JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT
#define SHOW          JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW
#define LIST          JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST
#define VERIFY        JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY

#define STAGE1_ROLES "team-manager social-worker advanced-practitioner"
#define STAGE2_ROLES "service-manager practice-group-lead"

static char s_dir[256];
static char s_request_endpoint[320];
static char s_feed_endpoint[320];
static char s_alerts_endpoint[320];
static jy_db_t *s_db;         //  admin (superuser) on the test's own database
static zsock_t *s_dealer;     //  to the daemon's request socket
static jy_envelope_t *s_last; //  the last reply, freed by the next request

//  --- The daemon ----------------------------------------------------------------------------

static pid_t s_spawn (const char *log_name, const char *date)
{
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/%s", s_dir, log_name);
    return jy_test_daemon_start_on ("escalation/journey-escalationd", log_path, date);
}

static bool s_log_contains (const char *log_name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", s_dir, log_name);
    return jy_test_file_contains (path, text);
}

static jy_envelope_t *s_ask (jy_envelope_t *request)
{
    jy_envelope_free (&s_last);
    s_last = jy_test_ask (s_dealer, request, 20000);
    return s_last;
}

static Journey__V1__StatusReply *s_status (void)
{
    Journey__V1__StatusRequest body = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request.status_request = &body;
    jy_envelope_t *reply = s_ask (&request);
    return reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY
               ? reply->status_reply
               : NULL;
}

//  Move the simulated clock; Status after it comes back once the day's roll is done.
static void s_day (const char *date)
{
    Journey__V1__ClockSet body = JOURNEY__V1__CLOCK_SET__INIT;
    body.date = (char *) date;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    request.clock_set = &body;
    jy_envelope_t *reply = s_ask (&request);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY &&
           reply->reply->ok);
    Journey__V1__StatusReply *status = s_status ();
    CHECK_STR (status ? status->today : NULL, date);
}

//  Every day after from up to and including to.
static void s_walk (const char *from, const char *to)
{
    for (jy_date_t day = D (from) + 1; day <= D (to); day++) {
        char text[JY_DATE_TEXT_SIZE];
        s_day (jy_date_format (day, text));
    }
}

static Journey__V1__DisputeReply *s_send (Journey__V1__DisputeCommand command)
{
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.message_id = "dispute-test";
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_COMMAND;
    request.dispute_command = &command;
    jy_envelope_t *reply = s_ask (&request);
    return reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_REPLY
               ? reply->dispute_reply
               : NULL;
}

//  "ok", the refusal's code, or "(no reply)".
static const char *s_code (Journey__V1__DisputeReply *reply)
{
    return !reply ? "(no reply)" : reply->ok ? "ok" : reply->code ? reply->code : "(no code)";
}

static Journey__V1__DisputeCommand s_raise_command (const char *child, const char *by,
                                                    const char *role)
{
    Journey__V1__DisputeCommand command = et_command (RAISE, by, role, 0);
    command.child_id = (char *) child;
    command.category = "care-plan";
    command.text = "The care plan does not say when the child will return home.";
    return command;
}

//  Raise; the new dispute's id (0 when refused).
static uint64_t s_raise (Journey__V1__DisputeCommand command)
{
    Journey__V1__DisputeReply *reply = s_send (command);
    CHECK_STR (s_code (reply), "ok");
    return reply && reply->ok && reply->dispute ? reply->dispute->id : 0;
}

static Journey__V1__Dispute *s_show (uint64_t id)
{
    Journey__V1__DisputeReply *reply = s_send (et_command (SHOW, NULL, NULL, id));
    return reply && reply->ok ? reply->dispute : NULL;
}

//  --- The database ------------------------------------------------------------------------

static char s_value_text[4096];
static const char *s_value (const char *sql, const char *param)
{
    const char *params[1] = {param};
    PGresult *result = jy_db_query (s_db, sql, param ? 1 : 0, params);
    snprintf (s_value_text, sizeof s_value_text, "%s",
              !result                      ? "(error)"
              : PQntuples (result) == 0    ? ""
              : PQgetisnull (result, 0, 0) ? "(null)"
                                           : PQgetvalue (result, 0, 0));
    PQclear (result);
    return s_value_text;
}

static long s_count (const char *sql, const char *param)
{
    return atol (s_value (sql, param));
}

//  The dispute's notices on the feed after seq, decoded from the stored envelopes, as
//  "what:stage:must_act:due:on" joined by " | ".
static char s_notices_text[8192];
static const char *s_notices (uint64_t dispute_id, uint64_t after)
{
    char id[24], from[24];
    snprintf (id, sizeof id, "%" PRIu64, dispute_id);
    snprintf (from, sizeof from, "%" PRIu64, after);
    const char *params[2] = {id, from};
    PGresult *result = jy_db_query_binary (s_db,
                                           "SELECT envelope FROM escalation.dispute_feed"
                                           " WHERE dispute_id = $1 AND seq > $2 ORDER BY seq",
                                           2, params);
    s_notices_text[0] = '\0';
    for (int row = 0; result && row < PQntuples (result); row++) {
        jy_wire_status_t status;
        jy_envelope_t *envelope =
            jy_wire_unpack ((const uint8_t *) PQgetvalue (result, row, 0),
                            (size_t) PQgetlength (result, row, 0), JY_WIRE_DEFAULT_CAP, &status);
        const Journey__V1__DisputeNotice *notice = envelope ? envelope->dispute_notice : NULL;
        size_t used = strlen (s_notices_text);
        if (notice)
            snprintf (s_notices_text + used, sizeof s_notices_text - used, "%s%s:%u:%s:%s:%s",
                      row ? " | " : "", notice->what, notice->stage, notice->must_act_role,
                      notice->due_on ? notice->due_on : "-", notice->on);
        jy_envelope_free (&envelope);
    }
    PQclear (result);
    return s_notices_text;
}

static uint64_t s_feed_head (void)
{
    return (uint64_t) s_count ("SELECT head FROM escalation.feed_head WHERE feed = $1", "disputes");
}

//  --- Alerts, as journey-timelinessd would publish them -------------------------------------

static void s_alert (jy_feed_pub_t *publisher, uint64_t seq, Journey__V1__Alert__Kind kind,
                     const char *kind_name, const char *child, const char *clock,
                     uint64_t deadline_id, const char *raised_on)
{
    Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
    alert.has_alert_id = true;
    alert.alert_id = seq;
    alert.has_kind = true;
    alert.kind = kind;
    alert.la_code = "872";
    alert.child_id = (char *) child;
    alert.clock = (char *) clock;
    alert.due_on = "2025-06-02";
    alert.raised_on = (char *) raised_on;
    alert.has_deadline_id = true;
    alert.deadline_id = deadline_id;
    alert.has_overdue_working_days = true;
    alert.overdue_working_days = 6;
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.has_feed_seq = true;
    envelope.feed_seq = seq;
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT;
    envelope.alert = &alert;
    zframe_t *frame = jy_wire_pack (&envelope);
    char *hex = malloc (2 * zframe_size (frame) + 3);
    strcpy (hex, "\\x");
    sodium_bin2hex (hex + 2, 2 * zframe_size (frame) + 1, zframe_data (frame), zframe_size (frame));
    zframe_destroy (&frame);
    char seq_text[24], deadline[24];
    snprintf (seq_text, sizeof seq_text, "%" PRIu64, seq);
    snprintf (deadline, sizeof deadline, "%" PRIu64, deadline_id);
    const char *params[7] = {seq_text, kind_name, raised_on, child, clock, deadline, hex};
    CHECK_INT (jy_db_exec (s_db,
                           "INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on,"
                           " child_id, clock, deadline_id, due_on, envelope) VALUES ($1, '872',"
                           " $2, $3, $4, $5, $6, '2025-06-02', $7::bytea)",
                           7, params),
               0);
    free (hex);
    const char *head[1] = {seq_text};
    CHECK_INT (jy_db_exec (s_db, "UPDATE timeliness.feed_head SET head = $1 WHERE feed = 'alerts'",
                           1, head),
               0);
    if (publisher)
        jy_feed_pub_send (publisher, seq, &envelope);
}

typedef struct {
    jy_feed_pub_t *publisher;
    char seq[24];
} s_alerts_wait_t;

//  Whether the daemon's saved position on the alert feed has reached the seq; a heartbeat
//  when not, so that a live message lost to the slow joiner is caught up from the table.
static bool s_alerts_consumed (void *arg)
{
    s_alerts_wait_t *wait = arg;
    if (s_count ("SELECT count(*) FROM escalation.feed_position WHERE feed = 'alerts' AND"
                 " position >= $1",
                 wait->seq) == 1)
        return true;
    if (wait->publisher)
        jy_feed_pub_heartbeat (wait->publisher);
    return false;
}

//  Wait until the daemon has consumed the alert feed up to seq.
static void s_wait_alerts (jy_feed_pub_t *publisher, uint64_t seq)
{
    s_alerts_wait_t wait = {.publisher = publisher};
    snprintf (wait.seq, sizeof wait.seq, "%" PRIu64, seq);
    if (!jy_test_wait_until (s_alerts_consumed, &wait, 10000))
        CHECK (!"the daemon did not consume the alerts");
}

//  --- Following the dispute feed live ---------------------------------------------------------

typedef struct {
    uint64_t count, last;
    bool in_order;
} s_seen_t;

static int s_on_notice (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_seen_t *seen = arg;
    if (seen->count && seq != seen->last + 1)
        seen->in_order = false;
    if (envelope->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_NOTICE)
        seen->in_order = false;
    seen->last = seq;
    seen->count++;
    return 0;
}

static void s_follow (jy_feed_sub_t *sub, uint64_t head)
{
    zpoller_t *poller = zpoller_new (jy_feed_sub_socket (sub), NULL);
    int64_t until = zclock_mono () + 10000;
    while (jy_feed_sub_position (sub) < head && zclock_mono () < until) {
        if (zpoller_wait (poller, 200))
            jy_feed_sub_on_readable (sub);
        else
            jy_feed_sub_catch_up (sub);
    }
    zpoller_destroy (&poller);
}

//  --- The scenarios ---------------------------------------------------------------------------

static void s_refusals (uint64_t open_id, uint64_t other_id)
{
    Journey__V1__DisputeCommand command = et_command (RESPOND, "sw-1", "social-worker", 999);
    CHECK_STR (s_code (s_send (command)), "unknown_dispute");
    command = et_command (RESPOND, "iro-1", "iro", open_id);
    Journey__V1__DisputeReply *reply = s_send (command);
    CHECK_STR (s_code (reply), "role_not_allowed");
    CHECK (reply && reply->message && strstr (reply->message, "a iro may not respond"));
    command = et_command (RESPOND, "judge-1", "judge", open_id);
    reply = s_send (command);
    CHECK_STR (s_code (reply), "unknown_role");
    CHECK (reply && reply->message && strstr (reply->message, "\"judge\""));
    command = et_command (RESPOND, NULL, "social-worker", open_id);
    reply = s_send (command);
    CHECK_STR (s_code (reply), "bad_request");
    CHECK_STR (reply ? reply->field : NULL, "by_user");
    command = et_command (RESPOND, "sw-1", "social-worker", 0);
    reply = s_send (command);
    CHECK_STR (s_code (reply), "bad_request");
    CHECK_STR (reply ? reply->field : NULL, "dispute_id");
    command = et_command (0, "sw-1", "social-worker", open_id);
    command.has_verb = false;
    reply = s_send (command);
    CHECK_STR (s_code (reply), "bad_request");
    CHECK_STR (reply ? reply->field : NULL, "verb");
    command = et_command (ESCALATE, "iro-1", "iro", open_id);
    command.has_stage = true;
    command.stage = 1;
    CHECK_STR (s_code (s_send (command)), "bad_stage");
    command.stage = 9;
    CHECK_STR (s_code (s_send (command)), "bad_stage");
    //  A CP chair has no Cafcass route; an IRO refers only a looked-after child.
    command = et_command (REFER_CAFCASS, "cp-1", "cp-chair", other_id);
    CHECK_STR (s_code (s_send (command)), "role_not_allowed");
    command = et_command (REFER_CAFCASS, "iro-1", "iro", open_id);
    reply = s_send (command);
    CHECK_STR (s_code (reply), "not_looked_after");
    CHECK (reply && reply->message && strstr (reply->message, "no open period of care"));
    //  Another authority's code, and a raise for an authority this deployment does not keep.
    command = et_command (SHOW, NULL, NULL, open_id);
    command.la_code = "210";
    CHECK_STR (s_code (s_send (command)), "unknown_dispute");
    command = s_raise_command ("C9", "iro-1", "iro");
    command.la_code = "210";
    reply = s_send (command);
    CHECK_STR (s_code (reply), "bad_request");
    CHECK_STR (reply ? reply->field : NULL, "la_code");
    command = s_raise_command ("C9", "sw-1", "social-worker");
    CHECK_STR (s_code (s_send (command)), "role_not_allowed");
    command = et_command (LIST, NULL, NULL, 0);
    command.state_filter = "pending";
    CHECK_STR (s_code (s_send (command)), "bad_request");
    //  Not a dispute command at all.
    Journey__V1__ReportRequest report = JOURNEY__V1__REPORT_REQUEST__INIT;
    jy_envelope_t other;
    jy_envelope_init (&other);
    other.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST;
    other.report_request = &report;
    jy_envelope_t *answer = s_ask (&other);
    CHECK_STR (answer && answer->reply ? answer->reply->code : NULL, "not_supported");
    //  Nothing refused left a step.
    CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute_step WHERE verb NOT IN"
                        " ('raise')",
                        NULL),
               0);
}

//  --- The daemon, and what the scenarios share --------------------------------------------

static pid_t s_pid;             //  the daemon
static jy_feed_pub_t *s_alerts; //  the alert feed, published as journey-timelinessd would
static jy_feed_sub_t *s_sub;    //  on the dispute feed from the start
static s_seen_t s_seen = {.in_order = true}; //  what s_sub received
//  The disputes raised on 07-01, followed to the end: left unanswered to climb to the top;
//  answered and resolved at stage 2; a safety concern; bypassed to stage 3 and withdrawn.
static uint64_t s_climbing, s_resolved, s_safety, s_bypassed;

//  --- The checks, scenario by scenario, against one daemon on the simulated clock ------

//  Status: both feeds, healthy.
static void s_status_names_both_feeds (void)
{
    Journey__V1__StatusReply *status = s_status ();
    CHECK (status && status->healthy);
    CHECK_STR (status ? status->service : NULL, "journey-escalationd");
    CHECK_STR (status ? status->today : NULL, "2025-07-01");
    CHECK_INT (status ? status->n_feeds : 0, 2);
    if (status && status->n_feeds == 2) {
        CHECK_STR (status->feeds[0]->feed, "disputes");
        CHECK_STR (status->feeds[0]->role, "publisher");
        CHECK_STR (status->feeds[1]->feed, "alerts");
        CHECK_STR (status->feeds[1]->role, "subscriber");
    }
}

//  07-01: four disputes raised, each dated and the first step of its chain recorded.
static void s_raise_dates_the_stages_and_starts_the_chain (void)
{
    //  1: the IRO's, left unanswered: it must climb to the top.
    s_climbing = s_raise (s_raise_command ("C1", "iro-1", "iro"));
    CHECK_INT (s_climbing, 1);
    Journey__V1__DisputeReply *reply = s_last ? s_last->dispute_reply : NULL;
    Journey__V1__Dispute *dispute = reply ? reply->dispute : NULL;
    CHECK_STR (reply ? reply->message : NULL, "raised");
    CHECK_INT (dispute ? dispute->stage : 0, 1);
    CHECK_STR (dispute ? dispute->state : NULL, "open");
    CHECK_STR (dispute ? dispute->la_code : NULL, "872");
    CHECK_STR (dispute ? dispute->due_on : NULL, "2025-07-08");
    CHECK_STR (dispute ? dispute->overall_due_on : NULL, "2025-07-29");
    CHECK_STR (dispute ? dispute->must_act_role : NULL, STAGE1_ROLES);
    CHECK_INT (dispute ? dispute->n_steps : 0, 1);
    if (dispute && dispute->n_steps == 1) {
        CHECK_STR (dispute->steps[0]->verb, "raise");
        CHECK_STR (dispute->steps[0]->by_user, "iro-1");
        CHECK_STR (dispute->steps[0]->at, "2025-07-01T08:00:00.000Z"); //  09:00 BST
        CHECK_STR (dispute->steps[0]->prev_hash, CHAIN_GENESIS);
        CHECK_INT (strlen (dispute->steps[0]->hash), 64);
    }
    //  2: the CP chair's, answered and resolved at stage 2.
    s_resolved = s_raise (s_raise_command ("C2", "cp-1", "cp-chair"));
    //  3: a safety concern: straight to the director.
    Journey__V1__DisputeCommand command = s_raise_command ("C3", "cp-1", "cp-chair");
    command.has_safety = true;
    command.safety = true;
    command.category = "practice";
    s_safety = s_raise (command);
    dispute = s_last && s_last->dispute_reply ? s_last->dispute_reply->dispute : NULL;
    CHECK_INT (dispute ? dispute->stage : 0, 4);
    CHECK (dispute && dispute->safety);
    CHECK_STR (s_notices (s_safety, 0), "raised:4:director:2025-07-08:2025-07-01");
    //  4: the IRO's, bypassed to stage 3, commented on, referred to Cafcass, withdrawn.
    s_bypassed = s_raise (s_raise_command ("C4", "iro-2", "iro"));
    CHECK_INT (s_bypassed, 4);
    s_refusals (s_climbing, s_resolved);
}

//  07-02: bypass, comment, Cafcass, withdraw
static void s_bypass_comment_cafcass_referral_and_withdrawal (void)
{
    Journey__V1__DisputeReply *reply;
    Journey__V1__DisputeCommand command;
    s_day ("2025-07-02");
    command = et_command (ESCALATE, "iro-2", "iro", s_bypassed);
    command.has_stage = true;
    command.stage = 3;
    command.text = "No response and the placement is at risk: to the head of service.";
    reply = s_send (command);
    CHECK_STR (s_code (reply), "ok");
    CHECK_INT (reply && reply->dispute ? reply->dispute->stage : 0, 3);
    CHECK_STR (reply && reply->dispute ? reply->dispute->due_on : NULL, "2025-07-09");
    command = et_command (COMMENT, "hos-1", "head-of-service", s_bypassed);
    command.text = "Meeting the team tomorrow.";
    CHECK_STR (s_code (s_send (command)), "ok");
    CHECK_INT (jy_db_exec (s_db,
                           "INSERT INTO ingest.care_period (la_code, child_id, period_id,"
                           " started_on) VALUES ('872', 'C4', 'P1', '2025-03-01')",
                           0, NULL),
               0);
    command = et_command (REFER_CAFCASS, "iro-2", "iro", s_bypassed);
    reply = s_send (command);
    CHECK_STR (s_code (reply), "ok");
    CHECK_STR (reply && reply->dispute ? reply->dispute->cafcass_referred_on : NULL, "2025-07-02");
    command = et_command (WITHDRAW, "iro-2", "iro", s_bypassed);
    command.text = "Referred to Cafcass; withdrawn from the ladder.";
    CHECK_STR (s_code (s_send (command)), "ok");
    CHECK_STR (s_notices (s_bypassed, 0),
               "raised:1:" STAGE1_ROLES ":2025-07-08:2025-07-01 | "
               "escalated:3:head-of-service:2025-07-09:2025-07-02 | "
               "commented:3:head-of-service:2025-07-09:2025-07-02 | "
               "cafcass_referred:3:head-of-service:2025-07-09:2025-07-02 | "
               "withdrawn:3::-:2025-07-02");
    command = et_command (COMMENT, "iro-2", "iro", s_bypassed);
    command.text = "Too late.";
    CHECK_STR (s_code (s_send (command)), "dispute_closed");
    //  The safety concern is resolved by the director's agreement.
    command = et_command (RESOLVE, "cp-1", "cp-chair", s_safety);
    command.agreed_action = "Strategy discussion today; child seen by the end of the week.";
    command.agreed_by_date = "2025-07-04";
    CHECK_STR (s_code (s_send (command)), "ok");
}

//  Day by day: warnings, climbs, the response at stage 2
static void s_day_by_day_warnings_climbs_and_a_response (void)
{
    Journey__V1__DisputeReply *reply;
    Journey__V1__Dispute *dispute;
    Journey__V1__DisputeCommand command;
    s_walk ("2025-07-02", "2025-07-09");
    dispute = s_show (s_climbing);
    CHECK_INT (dispute ? dispute->stage : 0, 2);
    CHECK_STR (dispute ? dispute->stage_entered_on : NULL, "2025-07-09");
    CHECK_STR (dispute ? dispute->due_on : NULL, "2025-07-16");
    s_day ("2025-07-10");
    command = et_command (RESPOND, "sm-1", "service-manager", s_resolved);
    command.text = "Agreed: the plan will be revised at the review on 17 July.";
    CHECK_STR (s_code (s_send (command)), "ok");
    s_day ("2025-07-11");
    command = et_command (RESOLVE, "cp-1", "cp-chair", s_resolved);
    command.agreed_action = "Plan revised at the review on 17 July";
    command.agreed_by_date = "2025-07-17";
    reply = s_send (command);
    CHECK_STR (s_code (reply), "ok");
    CHECK_STR (reply && reply->dispute ? reply->dispute->state : NULL, "resolved");
    command = et_command (RESPOND, "sm-1", "service-manager", s_resolved);
    CHECK_STR (s_code (s_send (command)), "dispute_closed");
    s_walk ("2025-07-11", "2025-07-14");
}

//  SIGTERM in the middle: a clean exit, and the climb goes on
static void s_sigterm_mid_dispute_and_the_climb_goes_on (void)
{
    Journey__V1__Dispute *dispute;
    Journey__V1__StatusReply *status;
    CHECK_INT (jy_test_daemon_stop (s_pid, 20000), 0);
    s_pid = s_spawn ("escalationd-2.log", "2025-07-14");
    status = s_status ();
    CHECK (status && status->healthy);
    dispute = s_show (s_climbing);
    CHECK_INT (dispute ? dispute->stage : 0, 2);
    CHECK_INT (dispute ? dispute->n_steps : 0, 2);
    s_walk ("2025-07-14", "2025-07-16");
}

//  SIGKILL in the middle, alerts published meanwhile, restarted a day later
static void s_sigkill_and_alerts_published_meanwhile_are_caught_up (void)
{
    Journey__V1__Dispute *dispute;
    Journey__V1__StatusReply *status;
    kill (s_pid, SIGKILL);
    CHECK_INT (jy_test_wait_exit (s_pid, 1000), 128 + SIGKILL);
    //  One that matches the CLA review policy (raised on 07-16), one that matches nothing.
    s_alert (NULL, 1, JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "overdue_by", "C5", "cla_review_second",
             41, "2025-07-16");
    s_alert (NULL, 2, JOURNEY__V1__ALERT__KIND__OVERDUE, "overdue", "C6", "cla_review", 42,
             "2025-07-16");
    s_pid = s_spawn ("escalationd-3.log", "2025-07-17");
    status = s_status ();
    CHECK (status && status->healthy);
    dispute = s_show (s_climbing);
    CHECK_INT (dispute ? dispute->stage : 0, 3);
    CHECK_STR (dispute ? dispute->stage_entered_on : NULL, "2025-07-17");
    s_wait_alerts (s_alerts, 2);
    CHECK_STR (s_value ("SELECT id || ' ' || child_id || ' ' || stage || ' ' || raised_by || ' '"
                        " || raised_role || ' ' || raised_on || ' ' || category || ' ' || policy"
                        " || ' ' || deadline_id || ' ' || alert_seq FROM escalation.dispute"
                        " WHERE policy IS NOT NULL",
                        NULL),
               "5 C5 1 journey-policy iro 2025-07-16 reviews cla_review_overdue 41 1");
    CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute WHERE child_id = $1", "C6"), 0);
    CHECK (s_log_contains ("escalationd-3.log", "caught up 2 alerts"));
    //  Caught up a day late, it is stamped as a running daemon would have stamped it: on the
    //  alert's day, at the simulated clock's time of day (09:00 BST), not when it was read.
    CHECK_STR (
        s_value ("SELECT to_char (at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                 " FROM escalation.dispute_step WHERE dispute_id = 5 AND n = 1",
                 NULL),
        "2025-07-16T08:00:00.000Z");
}

//  A live alert, and its dispute raised without a restart.
static void s_a_live_alert_raises_a_dispute (void)
{
    s_alert (s_alerts, 3, JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "overdue_by", "C7", "rcpc", 43,
             "2025-07-17");
    s_wait_alerts (s_alerts, 3);
    CHECK_STR (s_value ("SELECT raised_role || ' ' || policy FROM escalation.dispute WHERE"
                        " child_id = $1",
                        "C7"),
               "cp-chair cp_review_overdue");
    CHECK_STR (s_notices (6, 0), "raised:1:" STAGE1_ROLES ":2025-07-24:2025-07-17");
}

//  On to the top
static void s_the_unanswered_dispute_climbs_to_the_top (void)
{
    Journey__V1__Dispute *dispute;
    s_walk ("2025-07-17", "2025-07-30");
    dispute = s_show (s_climbing);
    CHECK (dispute && dispute->overdue); //  past the 20 working day limit
    CHECK (s_show (s_resolved) && !s_show (s_resolved)->overdue);
    s_walk ("2025-07-30", "2025-08-04");

    //  The done-when: every stage climbed, a notice at each, naming who must act.
    dispute = s_show (s_climbing);
    CHECK_INT (dispute ? dispute->stage : 0, 4);
    CHECK_STR (dispute ? dispute->state : NULL, "open");
    CHECK_STR (dispute ? dispute->must_act_role : NULL, "director");
    CHECK_INT (dispute ? dispute->n_steps : 0, 4);
    if (dispute && dispute->n_steps == 4) {
        CHECK_STR (dispute->steps[1]->verb, "auto-escalate");
        CHECK_STR (dispute->steps[1]->role, "system");
        CHECK_INT (dispute->steps[3]->stage_from, 3);
        CHECK_INT (dispute->steps[3]->stage_to, 4);
        for (size_t i = 1; i < 4; i++)
            CHECK_STR (dispute->steps[i]->prev_hash, dispute->steps[i - 1]->hash);
    }
    CHECK_STR (s_notices (s_climbing, 0),
               "raised:1:" STAGE1_ROLES ":2025-07-08:2025-07-01 | "
               "due_soon:1:" STAGE1_ROLES ":2025-07-08:2025-07-07 | "
               "auto_escalated:2:" STAGE2_ROLES ":2025-07-16:2025-07-09 | "
               "due_soon:2:" STAGE2_ROLES ":2025-07-16:2025-07-15 | "
               "auto_escalated:3:head-of-service:2025-07-24:2025-07-17 | "
               "due_soon:3:head-of-service:2025-07-24:2025-07-23 | "
               "auto_escalated:4:director:2025-08-01:2025-07-25 | "
               "overall_limit_passed:4:director:2025-07-29:2025-07-30 | "
               "due_soon:4:director:2025-08-01:2025-07-31 | "
               "overdue_at_top:4:director:2025-08-01:2025-08-02");
    //  Resolved at stage 2: it stopped climbing.
    dispute = s_show (s_resolved);
    CHECK_INT (dispute ? dispute->stage : 0, 2);
    CHECK_STR (dispute ? dispute->state : NULL, "resolved");
    CHECK_STR (dispute ? dispute->agreed_by_date : NULL, "2025-07-17");
    CHECK_STR (s_notices (s_resolved, 0),
               "raised:1:" STAGE1_ROLES ":2025-07-08:2025-07-01 | "
               "due_soon:1:" STAGE1_ROLES ":2025-07-08:2025-07-07 | "
               "auto_escalated:2:" STAGE2_ROLES ":2025-07-16:2025-07-09 | "
               "responded:2:cp-chair:2025-07-29:2025-07-10 | "
               "resolved:2:" STAGE2_ROLES ":2025-07-17:2025-07-11");
    CHECK_STR (s_notices (s_safety, 0), "raised:4:director:2025-07-08:2025-07-01 | "
                                        "resolved:4:director:2025-07-04:2025-07-02");
}

//  List: every dispute, with its steps; filtered by state and child.
static void s_list_filters_by_state_and_child (void)
{
    Journey__V1__DisputeReply *reply;
    Journey__V1__DisputeCommand command;
    command = et_command (LIST, NULL, NULL, 0);
    reply = s_send (command);
    CHECK_INT (reply ? reply->n_disputes : 0, 6);
    CHECK_INT (reply && reply->n_disputes ? reply->disputes[0]->n_steps : 0, 4);
    command.state_filter = "closed";
    reply = s_send (command);
    CHECK_INT (reply ? reply->n_disputes : 0, 3);
    command.state_filter = "open";
    command.child_id = "C5";
    reply = s_send (command);
    CHECK_INT (reply ? reply->n_disputes : 0, 1);
    CHECK_STR (reply && reply->n_disputes ? reply->disputes[0]->policy : NULL,
               "cla_review_overdue");
}

//  The chain: intact across both restarts.
static void s_the_chain_is_intact_across_restarts (void)
{
    Journey__V1__DisputeReply *reply;
    reply = s_send (et_command (VERIFY, NULL, NULL, 0));
    CHECK_STR (s_code (reply), "ok");
    CHECK_INT (reply ? reply->n_broken : 99, 0);
    CHECK_INT (reply ? reply->verified_disputes : 0, 6);
    CHECK_INT (reply ? reply->verified_steps : 0,
               s_count ("SELECT count(*) FROM escalation.dispute_step", NULL));
}

//  The live feed saw every notice once, in order, across the restarts.
static void s_the_feed_has_every_notice_once_in_order (void)
{
    uint64_t head = s_feed_head ();
    s_follow (s_sub, head);
    CHECK_INT (s_seen.count, head);
    CHECK (s_seen.in_order);
    CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute_feed", NULL), head);
}

//  Replayed alerts never raise a second dispute
//  The position lost (as if never saved): all three are caught up again after a restart.
static void s_replayed_alerts_never_raise_a_second_dispute (void)
{
    CHECK_INT (jy_test_daemon_stop (s_pid, 20000), 0);
    CHECK_INT (jy_db_exec (s_db, "UPDATE escalation.feed_position SET position = 0", 0, NULL), 0);
    long disputes = s_count ("SELECT count(*) FROM escalation.dispute", NULL);
    s_pid = s_spawn ("escalationd-4.log", "2025-08-04");
    s_status ();
    s_wait_alerts (s_alerts, 3);
    CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute", NULL), disputes);
}

//  An alert of a day escalationd has not reached yet
//  `journey clock set` (or midnight on the system clock) moves timelinessd first: here
//  escalationd is held on Sunday 08-10 while Monday 08-11's alert arrives. The dispute is
//  the alert's, dated Monday: stage 1 is due 5 working days on, Monday 08-18 (from Sunday
//  it would be Friday 08-15); the 20 working day limit skips the bank holiday of 08-25 and
//  is Tuesday 09-09. Its raise is stamped Monday 09:00 BST, as if escalationd had been there.
static void s_an_alert_of_a_later_day_is_dated_its_own_day (void)
{
    Journey__V1__DisputeReply *reply;
    Journey__V1__Dispute *dispute;
    s_day ("2025-08-10");
    s_alert (s_alerts, 4, JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "overdue_by", "C8", "cla_review",
             44, "2025-08-11");
    s_wait_alerts (s_alerts, 4);
    CHECK_STR (s_value ("SELECT raised_on || ' ' || stage_entered_on || ' ' || due_on || ' ' ||"
                        " overall_due_on || ' ' || alert_seq FROM escalation.dispute"
                        " WHERE child_id = $1",
                        "C8"),
               "2025-08-11 2025-08-11 2025-08-18 2025-09-09 4");
    CHECK_STR (
        s_value ("SELECT to_char (at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                 " || ' ' || verb FROM escalation.dispute_step WHERE dispute_id = (SELECT id"
                 " FROM escalation.dispute WHERE child_id = $1) ORDER BY n",
                 "C8"),
        "2025-08-11T08:00:00.000Z raise");
    uint64_t early =
        (uint64_t) s_count ("SELECT id FROM escalation.dispute WHERE child_id = $1", "C8");
    CHECK_STR (s_notices (early, 0), "raised:1:" STAGE1_ROLES ":2025-08-18:2025-08-11");
    //  Monday comes: nothing more to say until the warning before 08-18.
    s_day ("2025-08-11");
    dispute = s_show (early);
    CHECK_STR (dispute ? dispute->raised_on : NULL, "2025-08-11");
    CHECK_STR (dispute ? dispute->due_on : NULL, "2025-08-18");
    CHECK_INT (dispute ? dispute->n_steps : 0, 1);
    CHECK_STR (s_notices (early, 0), "raised:1:" STAGE1_ROLES ":2025-08-18:2025-08-11");
    reply = s_send (et_command (VERIFY, NULL, NULL, early));
    CHECK_STR (s_code (reply), "ok");
    CHECK_INT (reply ? reply->n_broken : 99, 0);
}

//  The database connection lost under the daemon
//  The next command may find out (database: nothing recorded) or reconnect first; either
//  way, sent again it is recorded once.
static void s_a_lost_connection_records_a_command_once (void)
{
    Journey__V1__StatusReply *status;
    Journey__V1__DisputeCommand command;
    long steps = s_count ("SELECT count(*) FROM escalation.dispute_step", NULL);
    CHECK_STR (s_value ("SELECT bool_and (pg_terminate_backend (pid, 5000)) FROM"
                        " pg_stat_activity WHERE application_name = 'journey-escalationd'"
                        " AND datname = current_database ()",
                        NULL),
               "t");
    command = et_command (COMMENT, "iro-3", "iro", 5);
    command.text = "Still no review date.";
    const char *code = s_code (s_send (command));
    CHECK (strcmp (code, "database") == 0 || strcmp (code, "ok") == 0);
    if (strcmp (code, "database") == 0) {
        CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute_step", NULL), steps);
        CHECK_STR (s_code (s_send (command)), "ok");
    }
    CHECK_INT (s_count ("SELECT count(*) FROM escalation.dispute_step", NULL), steps + 1);
    status = s_status ();
    CHECK (status && status->healthy && status->database_ok);
}

//  The record cannot be altered
//  Not by the daemon's role (no right), not by the owner (the trigger).
static void s_the_record_cannot_be_altered (void)
{
    CHECK_INT (jy_db_exec (s_db, "SET ROLE journey_escalation", 0, NULL), 0);
    CHECK_INT (
        jy_db_exec (s_db, "UPDATE escalation.dispute_step SET text = 'x' WHERE n = 1", 0, NULL),
        -1);
    CHECK_STR (jy_db_sqlstate (s_db), "42501");
    CHECK_INT (jy_db_exec (s_db, "DELETE FROM escalation.dispute_step", 0, NULL), -1);
    CHECK_INT (jy_db_exec (s_db, "DELETE FROM escalation.dispute", 0, NULL), -1);
    CHECK_INT (jy_db_exec (s_db, "RESET ROLE", 0, NULL), 0);
    CHECK_INT (
        jy_db_exec (s_db, "UPDATE escalation.dispute_step SET text = 'x' WHERE n = 1", 0, NULL),
        -1);
    CHECK (strstr (jy_db_error (s_db), "append-only") != NULL);
    CHECK_INT (jy_db_exec (s_db, "DELETE FROM escalation.dispute_feed", 0, NULL), -1);
}

//  A superuser who switches the trigger off can: verify names the link.
static void s_a_superusers_alteration_is_named_by_verify (void)
{
    Journey__V1__DisputeReply *reply;
    CHECK_INT (jy_db_exec (s_db,
                           "ALTER TABLE escalation.dispute_step DISABLE TRIGGER"
                           " dispute_step_append_only",
                           0, NULL),
               0);
    CHECK_INT (jy_db_exec (s_db,
                           "UPDATE escalation.dispute_step SET text = 'nothing was wrong'"
                           " WHERE dispute_id = 1 AND n = 2",
                           0, NULL),
               0);
    CHECK_INT (jy_db_exec (s_db,
                           "ALTER TABLE escalation.dispute_step ENABLE TRIGGER"
                           " dispute_step_append_only",
                           0, NULL),
               0);
    reply = s_send (et_command (VERIFY, NULL, NULL, 0));
    CHECK_STR (s_code (reply), "broken_chain");
    CHECK_INT (reply ? reply->n_broken : 0, 1);
    CHECK_STR (reply && reply->n_broken ? reply->broken[0] : NULL,
               "dispute 1 step 2: hash mismatch");
}

static void s_sigterm_exits_cleanly (void)
{
    CHECK_INT (jy_test_daemon_stop (s_pid, 20000), 0);
}

//  A bad setting: refused, naming the key and where it came from.
static void s_a_bad_setting_is_refused_naming_the_key (void)
{
    setenv ("JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS", "none", 1);
    s_pid = s_spawn ("badconfig.log", "2025-08-04");
    CHECK_INT (jy_test_wait_exit (s_pid, 1000), 1);
    CHECK (s_log_contains ("badconfig.log", "environment JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS:"
                                            " escalation/ladder/2/response_days"));
    unsetenv ("JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS");
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_ESCALATION_URL"))
        return 77;
    if (sodium_init () < 0)
        return 1;
    const char *admin_url = jy_test_db_url ();
    char dbname[64], sql[512], escalation_url[1024], test_admin_url[1024];
    snprintf (dbname, sizeof dbname, "journey_escalationd_%d", (int) getpid ());
    jy_db_t *admin = jy_db_new (admin_url);
    if (jy_db_connect (admin, 10000)) {
        fprintf (stderr, "cannot connect to %s: %s\n", admin_url, jy_db_error (admin));
        return 1;
    }
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
    jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    snprintf (test_admin_url, sizeof test_admin_url, "%s dbname=%s", admin_url, dbname);
    snprintf (escalation_url, sizeof escalation_url, "%s dbname=%s",
              getenv ("JOURNEY_DATABASE_ESCALATION_URL"), dbname);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", test_admin_url, 1);
    const char *migrate[] = {getenv ("JOURNEY_CLI"), "migrate", NULL};
    CHECK_INT (jy_test_run (NULL, migrate), 0);
    s_db = jy_db_new (test_admin_url);
    CHECK_INT (jy_db_connect (s_db, 10000), 0);

    snprintf (s_dir, sizeof s_dir, "/tmp/jy-escalationd-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);
    snprintf (s_request_endpoint, sizeof s_request_endpoint, "ipc://%s/request.ipc", s_dir);
    snprintf (s_feed_endpoint, sizeof s_feed_endpoint, "ipc://%s/disputes.ipc", s_dir);
    snprintf (s_alerts_endpoint, sizeof s_alerts_endpoint, "ipc://%s/alerts.ipc", s_dir);
    setenv ("JOURNEY_ESCALATION_REQUEST", s_request_endpoint, 1);
    setenv ("JOURNEY_ESCALATION_FEED", s_feed_endpoint, 1);
    //  escalation/alerts is empty in the defaults: the daemon follows timeliness/feed.
    setenv ("JOURNEY_TIMELINESS_FEED", s_alerts_endpoint, 1);
    setenv ("JOURNEY_DATABASE_ESCALATION_URL", escalation_url, 1);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "10000", 1);
    setenv ("JOURNEY_LA_CODE", "872", 1);

    //  The alert feed's publisher, as journey-timelinessd would bind it.
    zsock_t *alerts_pub = zsock_new (ZMQ_PUB);
    CHECK (zsock_bind (alerts_pub, "%s", s_alerts_endpoint) == 0);
    s_alerts = jy_feed_pub_new (alerts_pub, jy_feed_lookup ("alerts"), 0);

    s_pid = s_spawn ("escalationd.log", "2025-07-01");
    s_dealer = zsock_new_dealer (s_request_endpoint);
    zsock_set_linger (s_dealer, 0);
    s_sub = jy_feed_sub_new (s_db, jy_feed_lookup ("disputes"), s_feed_endpoint, 0, s_on_notice,
                             &s_seen);

    JY_TEST_SCENARIO (s_status_names_both_feeds);
    JY_TEST_SCENARIO (s_raise_dates_the_stages_and_starts_the_chain);
    JY_TEST_SCENARIO (s_bypass_comment_cafcass_referral_and_withdrawal);
    JY_TEST_SCENARIO (s_day_by_day_warnings_climbs_and_a_response);
    JY_TEST_SCENARIO (s_sigterm_mid_dispute_and_the_climb_goes_on);
    JY_TEST_SCENARIO (s_sigkill_and_alerts_published_meanwhile_are_caught_up);
    JY_TEST_SCENARIO (s_a_live_alert_raises_a_dispute);
    JY_TEST_SCENARIO (s_the_unanswered_dispute_climbs_to_the_top);
    JY_TEST_SCENARIO (s_list_filters_by_state_and_child);
    JY_TEST_SCENARIO (s_the_chain_is_intact_across_restarts);
    JY_TEST_SCENARIO (s_the_feed_has_every_notice_once_in_order);
    JY_TEST_SCENARIO (s_replayed_alerts_never_raise_a_second_dispute);
    JY_TEST_SCENARIO (s_an_alert_of_a_later_day_is_dated_its_own_day);
    JY_TEST_SCENARIO (s_a_lost_connection_records_a_command_once);
    JY_TEST_SCENARIO (s_the_record_cannot_be_altered);
    JY_TEST_SCENARIO (s_a_superusers_alteration_is_named_by_verify);
    JY_TEST_SCENARIO (s_sigterm_exits_cleanly);
    JY_TEST_SCENARIO (s_a_bad_setting_is_refused_naming_the_key);

    jy_envelope_free (&s_last);
    jy_feed_sub_destroy (&s_sub);
    jy_feed_pub_destroy (&s_alerts);
    zsock_destroy (&alerts_pub);
    zsock_destroy (&s_dealer);
    jy_db_destroy (&s_db);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
    if (jy_test_failures == 0) {
        char remove[600];
        snprintf (remove, sizeof remove, "rm -rf %s", s_dir);
        CHECK_INT (system (remove), 0);
    }
    return jy_test_summary ("test_escalationd");
}
