/*  escalation_server: journey-escalationd's work behind the service skeleton
    (escalation_server.h). Disputes are few (tens a month in an authority), so each command and
    each dispute's roll is its own short transaction on the one connection; the database is
    the state, read again for every command, so a restart loses nothing.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escalation_server.h"
#include "chain.h"
#include "dispute.h"
#include "dispute_store.h"
#include "ladder.h"
#include "policy.h"

#define S_PUB_SNDHWM   10000 //  feed messages queued before PUB drops (a gap, repaired)
#define S_HEARTBEAT_MS 1000
#define S_RETRY_MS     1000 //  between attempts at owed work (a roll, a catch-up)
#define S_SAVE_MS      1000 //  between saves of a feed position that moved without effects
#define S_LIST_MAX     1000 //  disputes in one list reply
#define S_ROLL_CHUNK   500  //  disputes rolled on in one transaction
#define S_MESSAGE_SIZE 600

typedef struct {
    jy_service_t *service;
    jy_la_codes_t la_codes; //  accepted LA codes; the first is la/code
    ladder_t *ladder;
    policy_set_t *policies;
    jy_calendar_t *calendar;
    jy_db_t *db;
    dispute_store_t *store;
    //  The dispute feed.
    const jy_feed_def_t *feed;
    zsock_t *pub;
    jy_feed_pub_t *publisher;
    uint64_t head;   //  newest committed sequence
    bool head_stale; //  a transaction failed: the head is read again
    int64_t heartbeat_at;
    //  The alert feed (followed only when there are policies).
    jy_feed_sub_t *alerts;
    uint64_t alerts_saved; //  the position last saved in the database
    bool catch_up_owed;
    bool alert_failed; //  s_on_alert failed (and said why) during this catch-up
    int64_t saved_at;
    //  The day.
    jy_date_t today;
    jy_date_t rolled_on; //  the last day every open dispute was rolled to
    int64_t now_ms;      //  the loop turn's
    int64_t retry_at;    //  monotonic ms: the next attempt at owed work
    char health[S_MESSAGE_SIZE];
    //  Status fields, kept here because the skeleton packs the reply after the hook returns.
    Journey__V1__FeedPosition positions[2];
    Journey__V1__FeedPosition *position_list[2];
} s_server_t;

//  --- Configuration -----------------------------------------------------------------------------

//  la/code and escalation/la_codes. 0 or -1 with jy_config_error set.
static int s_configure_la (s_server_t *self, jy_config_t *config)
{
    return jy_config_la_codes (config, "escalation/la_codes", &self->la_codes);
}

//  --- Publishing --------------------------------------------------------------------------------

//  After COMMIT: every notice the transaction stored goes out, in order.
static void s_publish (s_server_t *self)
{
    zframe_t *frame;
    while ((frame = dispute_store_outbox_pop (self->store))) {
        jy_wire_status_t status;
        jy_envelope_t *envelope =
            jy_wire_unpack (zframe_data (frame), zframe_size (frame), JY_WIRE_DEFAULT_CAP, &status);
        zframe_destroy (&frame);
        assert (envelope); //  packed by us a moment ago
        uint64_t seq = envelope->feed_seq;
        jy_feed_pub_send (self->publisher, seq, envelope);
        if (seq > self->head)
            self->head = seq;
        jy_envelope_free (&envelope);
    }
}

static void s_rollback (s_server_t *self)
{
    jy_db_rollback (self->db);
    dispute_store_outbox_clear (self->store);
    self->head_stale = true;
}

//  A COMMIT that failed may still have committed (the answer was lost with the connection):
//  the head is read again, and the heartbeat then tells subscribers where it is.
static void s_refresh_head (s_server_t *self)
{
    uint64_t head;
    if (!self->head_stale || jy_db_ensure (self->db) != 0 ||
        jy_feed_head (self->db, self->feed, &head) != 0)
        return;
    self->head_stale = false;
    if (head != jy_feed_pub_last (self->publisher)) {
        jy_feed_pub_destroy (&self->publisher);
        self->publisher = jy_feed_pub_new (self->pub, self->feed, head);
    }
    self->head = head;
}

//  --- Replies -----------------------------------------------------------------------------------

static void s_reply (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request,
                     Journey__V1__DisputeReply *answer)
{
    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = request->message_id;
    reply.has_sent_at_ms = true;
    reply.sent_at_ms = self->now_ms;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_REPLY;
    reply.dispute_reply = answer;
    jy_service_reply (self->service, routing_id, &reply);
}

static void s_reply_error (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request,
                           const char *code, const char *field, const char *message)
{
    Journey__V1__DisputeReply answer = JOURNEY__V1__DISPUTE_REPLY__INIT;
    answer.has_ok = true;
    answer.ok = false;
    answer.code = (char *) code;
    answer.message = (char *) message;
    answer.field = field && *field ? (char *) field : NULL;
    s_reply (self, routing_id, request, &answer);
}

static void s_reply_refusal (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request,
                             const dispute_refusal_t *refusal)
{
    s_reply_error (self, routing_id, request, refusal->code, refusal->field, refusal->message);
}

static void s_reply_database (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    char message[S_MESSAGE_SIZE];
    snprintf (message, sizeof message, "database: %s", jy_db_error (self->db));
    jy_warning ("%s", message);
    s_reply_error (self, routing_id, request, "database", NULL, message);
}

//  The dispute as it now stands, with its steps read back. After a change has committed
//  (committed), a failure to read the steps still answers ok, without them: the client must not
//  send a change again that is already recorded.
static void s_reply_dispute (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request,
                             const dispute_t *dispute, const char *message, bool committed)
{
    Journey__V1__Dispute *body = dispute_message_new (self->ladder, dispute, self->today);
    char note[S_MESSAGE_SIZE];
    if (dispute_store_steps (self->store, body) != 0) {
        if (!committed) {
            journey__v1__dispute__free_unpacked (body, NULL);
            s_reply_database (self, routing_id, request);
            return;
        }
        snprintf (note, sizeof note, "%s (recorded; its steps could not be read back: %s)",
                  message ? message : "done", jy_db_error (self->db));
        message = note;
    }
    Journey__V1__DisputeReply answer = JOURNEY__V1__DISPUTE_REPLY__INIT;
    answer.has_ok = true;
    answer.ok = true;
    answer.message = (char *) message;
    answer.dispute = body;
    s_reply (self, routing_id, request, &answer);
    journey__v1__dispute__free_unpacked (body, NULL);
}

//  --- Commands ----------------------------------------------------------------------------------

static void s_log_command (const Journey__V1__DisputeCommand *command, uint64_t id)
{
    //  Who asked for what (DOMAIN.md, data protection): every command, with who acted.
    const char *by = command->by_user ? command->by_user : "-";
    const char *role = command->role ? command->role : "-";
    if (id)
        jy_info ("%s dispute %" PRIu64 " by %s (%s)", ladder_verb_name (command->verb), id, by,
                 role);
    else
        jy_info ("%s by %s (%s)", ladder_verb_name (command->verb), by, role);
}

static void s_raise (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__DisputeCommand *command = request->dispute_command;
    const char *la_code =
        command->la_code && *command->la_code ? command->la_code : self->la_codes.codes[0];
    if (!jy_la_codes_allowed (&self->la_codes, la_code)) {
        char message[200];
        snprintf (message, sizeof message,
                  "this deployment keeps no disputes for la_code \"%.16s\" (la/code, "
                  "escalation/la_codes)",
                  la_code);
        s_reply_error (self, routing_id, request, "bad_request", "la_code", message);
        return;
    }
    dispute_t dispute;
    dispute_init (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    dispute_refusal_t refusal;
    if (dispute_raise (self->ladder, self->calendar, command, la_code, self->today, NULL, &dispute,
                       &change, &refusal) != 0) {
        s_reply_refusal (self, routing_id, request, &refusal);
        goto done;
    }
    dispute_roll (self->ladder, self->calendar, &dispute, self->today, &change);
    if (jy_db_ensure (self->db) != 0 || jy_db_begin (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        goto done;
    }
    if (dispute_store_save (self->store, &dispute, &change, self->now_ms) != 0) {
        s_reply_database (self, routing_id, request);
        s_rollback (self);
        goto done;
    }
    if (jy_db_commit (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        s_rollback (self);
        goto done;
    }
    jy_info ("dispute %" PRIu64 " raised for child %s at stage %d by %s (%s)%s", dispute.id,
             dispute.child_id, dispute.stage, dispute.raised_by, dispute.raised_role,
             dispute.safety ? ": safety concern" : "");
    s_reply_dispute (self, routing_id, request, &dispute, "raised", true);
    s_publish (self);
done:
    dispute_change_clear (&change);
    dispute_clear (&dispute);
}

//  RESPOND .. COMMENT: load and lock, check, change, record, answer, publish.
static void s_act (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__DisputeCommand *command = request->dispute_command;
    dispute_t dispute;
    dispute_init (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    dispute_refusal_t refusal;
    if (jy_db_ensure (self->db) != 0 || jy_db_begin (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        goto done;
    }
    int found = dispute_store_load (self->store, command->dispute_id, true, &dispute);
    if (found < 0)
        goto failed;
    if (found == 0 || (command->la_code && *command->la_code &&
                       strcmp (command->la_code, dispute.la_code) != 0)) {
        jy_db_rollback (self->db);
        char message[120];
        snprintf (message, sizeof message, "no dispute %" PRIu64, command->dispute_id);
        s_reply_error (self, routing_id, request, "unknown_dispute", "dispute_id", message);
        goto done;
    }
    int looked_after = 0;
    if (command->verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS &&
        dispute.state == DISPUTE_OPEN) {
        looked_after = dispute_store_looked_after (self->store, dispute.la_code, dispute.child_id,
                                                   self->today);
        if (looked_after < 0)
            goto failed;
    }
    //  Today first: a stage whose deadline passed has climbed before anyone acts on it.
    dispute_roll (self->ladder, self->calendar, &dispute, self->today, &change);
    size_t acted = change.notice_count; //  the command's own notice
    if (dispute_act (self->ladder, self->calendar, command, self->today, looked_after == 1,
                     &dispute, &change, &refusal) != 0) {
        jy_db_rollback (self->db);
        s_reply_refusal (self, routing_id, request, &refusal);
        goto done;
    }
    dispute_roll (self->ladder, self->calendar, &dispute, self->today, &change);
    if (dispute_store_save (self->store, &dispute, &change, self->now_ms) != 0)
        goto failed;
    if (jy_db_commit (self->db) != 0)
        goto failed;
    s_reply_dispute (self, routing_id, request, &dispute, change.notices[acted].what, true);
    s_publish (self);
    goto done;
failed:
    s_reply_database (self, routing_id, request);
    s_rollback (self);
done:
    dispute_change_clear (&change);
    dispute_clear (&dispute);
}

static void s_show (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__DisputeCommand *command = request->dispute_command;
    if (jy_db_ensure (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        return;
    }
    dispute_t dispute;
    dispute_init (&dispute);
    int found = dispute_store_load (self->store, command->dispute_id, false, &dispute);
    if (found < 0)
        s_reply_database (self, routing_id, request);
    else if (found == 0 ||
             (command->la_code && *command->la_code &&
              strcmp (command->la_code, dispute.la_code) != 0) ||
             //  Another LA's child is not there for a key that may not read it.
             !jy_service_may_read (self->service, "disputes", dispute.la_code)) {
        char message[120];
        snprintf (message, sizeof message, "no dispute %" PRIu64, command->dispute_id);
        s_reply_error (self, routing_id, request, "unknown_dispute", "dispute_id", message);
    } else if (!ladder_allows (self->ladder, command->verb, command->role, dispute.raised_role,
                               dispute.stage)) {
        char message[S_MESSAGE_SIZE];
        snprintf (message, sizeof message,
                  "a %s may not see dispute %" PRIu64 " (escalation/roles/show: %s)",
                  command->role ? command->role : "(no role)", dispute.id,
                  ladder_allowed_text (self->ladder, command->verb));
        s_reply_error (self, routing_id, request, "role_not_allowed", "role", message);
    } else
        s_reply_dispute (self, routing_id, request, &dispute, NULL, false);
    dispute_clear (&dispute);
}

static void s_list (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__DisputeCommand *command = request->dispute_command;
    const char *filter = command->state_filter && *command->state_filter &&
                                 strcmp (command->state_filter, "all") != 0
                             ? command->state_filter
                             : NULL;
    dispute_state_t state;
    if (filter && strcmp (filter, "closed") != 0 && dispute_state_parse (filter, &state) != 0) {
        s_reply_error (self, routing_id, request, "bad_request", "state_filter",
                       "state_filter must be open, resolved, withdrawn, closed or all");
        return;
    }
    if (jy_db_ensure (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        return;
    }
    Journey__V1__Dispute **disputes = NULL;
    size_t count = 0;
    const char *la_code = command->la_code && *command->la_code ? command->la_code : NULL;
    const char *child_id = command->child_id && *command->child_id ? command->child_id : NULL;
    if (dispute_store_list (self->store, la_code, child_id, filter, self->today, S_LIST_MAX,
                            &disputes, &count) != 0)
        s_reply_database (self, routing_id, request);
    else {
        //  Only the disputes of the LAs the key may read (docs/security.md, "Reading").
        size_t kept = 0;
        for (size_t i = 0; i < count; i++)
            if (jy_service_may_read (self->service, "disputes", disputes[i]->la_code))
                disputes[kept++] = disputes[i];
            else
                journey__v1__dispute__free_unpacked (disputes[i], NULL);
        count = kept;
        char message[96];
        snprintf (message, sizeof message, "%zu dispute%s%s", count, count == 1 ? "" : "s",
                  count == S_LIST_MAX ? " (the first; narrow the list)" : "");
        Journey__V1__DisputeReply answer = JOURNEY__V1__DISPUTE_REPLY__INIT;
        answer.has_ok = true;
        answer.ok = true;
        answer.message = message;
        answer.n_disputes = count;
        answer.disputes = disputes;
        s_reply (self, routing_id, request, &answer);
    }
    for (size_t i = 0; i < count; i++)
        journey__v1__dispute__free_unpacked (disputes[i], NULL);
    free (disputes);
}

static void s_verify (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    if (jy_db_ensure (self->db) != 0) {
        s_reply_database (self, routing_id, request);
        return;
    }
    chain_verifier_t *verifier = chain_verifier_new ();
    if (dispute_store_verify (self->store, verifier) != 0) {
        s_reply_database (self, routing_id, request);
        chain_verifier_destroy (&verifier);
        return;
    }
    size_t broken = chain_verifier_broken_count (verifier);
    const char **lines = calloc (broken ? broken : 1, sizeof *lines);
    assert (lines);
    for (size_t i = 0; i < broken; i++)
        lines[i] = chain_verifier_broken (verifier, i);
    char message[160];
    uint32_t disputes = chain_verifier_disputes (verifier), steps = chain_verifier_steps (verifier);
    if (broken)
        snprintf (message, sizeof message,
                  "%zu broken link%s in %" PRIu32 " disputes (%" PRIu32 " steps)", broken,
                  broken == 1 ? "" : "s", disputes, steps);
    else
        snprintf (message, sizeof message,
                  "%" PRIu32 " disputes, %" PRIu32 " steps: every chain is intact", disputes,
                  steps);
    if (broken)
        jy_warning ("verify: %s; the first: %s", message, lines[0]);
    Journey__V1__DisputeReply answer = JOURNEY__V1__DISPUTE_REPLY__INIT;
    answer.has_ok = true;
    answer.ok = broken == 0;
    answer.code = broken ? "broken_chain" : NULL;
    answer.message = message;
    answer.n_broken = broken;
    answer.broken = (char **) lines;
    answer.has_verified_disputes = true;
    answer.verified_disputes = disputes;
    answer.has_verified_steps = true;
    answer.verified_steps = steps;
    s_reply (self, routing_id, request, &answer);
    free (lines);
    chain_verifier_destroy (&verifier);
}

static void s_command (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__DisputeCommand *command = request->dispute_command;
    ladder_verb_t verb = command->has_verb ? command->verb : 0;
    if (!ladder_verb_name (verb)) {
        s_reply_error (self, routing_id, request, "bad_request", "verb",
                       "verb is missing or unknown (raise, respond, escalate, resolve, withdraw, "
                       "refer-cafcass, comment, show, list, verify)");
        return;
    }
    command->verb = verb;
    //  With CURVE, a role acted as must be one of the client certificate's dispute_roles
    //  (docs/security.md); a command naming none is the ladder's to judge.
    const char *held = jy_service_peer_meta (self->service, "dispute_roles");
    if (jy_service_curve (self->service) && command->role && *command->role &&
        !jy_security_list_has (held, command->role)) {
        char message[S_MESSAGE_SIZE];
        snprintf (message, sizeof message,
                  "the key %.64s may not act as %.64s (its certificate's dispute_roles: %.200s)",
                  jy_service_peer_name (self->service), command->role, held ? held : "none");
        s_reply_error (self, routing_id, request, "role_not_allowed", "role", message);
        return;
    }
    dispute_refusal_t refusal;
    if (dispute_check_actor (self->ladder, command, &refusal) != 0) {
        s_reply_refusal (self, routing_id, request, &refusal);
        return;
    }
    bool on_one = verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE &&
                  verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST &&
                  verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY;
    if (on_one && (!command->has_dispute_id || command->dispute_id == 0)) {
        s_reply_error (self, routing_id, request, "bad_request", "dispute_id",
                       "dispute_id is missing");
        return;
    }
    if ((verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST ||
         verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY) &&
        !ladder_allows (self->ladder, verb, command->role, NULL, 0)) {
        char message[S_MESSAGE_SIZE];
        snprintf (message, sizeof message, "a %s may not %s disputes (escalation/roles/%s: %s)",
                  command->role ? command->role : "(no role)", ladder_verb_name (verb),
                  ladder_verb_name (verb), ladder_allowed_text (self->ladder, verb));
        s_reply_error (self, routing_id, request, "role_not_allowed", "role", message);
        return;
    }
    s_log_command (command, on_one ? command->dispute_id : 0);
    switch (verb) {
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE:
        s_raise (self, routing_id, request);
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW:
        s_show (self, routing_id, request);
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST:
        s_list (self, routing_id, request);
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY:
        s_verify (self, routing_id, request);
        break;
    default:
        s_act (self, routing_id, request);
        break;
    }
}

//  --- The day -----------------------------------------------------------------------------------

//  Rolled on to today: one chunk of open disputes in one transaction. *last is the last id
//  looked at; *more whether the chunk was full. 0, or -1 with nothing committed.
static int s_roll_chunk (s_server_t *self, jy_date_t horizon, uint64_t *last, bool *more)
{
    if (jy_db_begin (self->db) != 0) {
        jy_warning ("rolling disputes on to today: %s", jy_db_error (self->db));
        return -1;
    }
    dispute_t *disputes = NULL;
    size_t count = 0;
    int rc = -1;
    dispute_change_t change;
    dispute_change_init (&change);
    if (dispute_store_load_due (self->store, self->today, horizon, *last, S_ROLL_CHUNK, &disputes,
                                &count) != 0)
        goto failed;
    for (size_t i = 0; i < count; i++) {
        dispute_t *dispute = &disputes[i];
        dispute_change_clear (&change);
        dispute_roll (self->ladder, self->calendar, dispute, self->today, &change);
        if (change.notice_count == 0)
            continue;
        if (dispute_store_save (self->store, dispute, &change, self->now_ms) != 0)
            goto failed;
        for (size_t n = 0; n < change.notice_count; n++)
            jy_info ("dispute %" PRIu64 ": %s, stage %d, %s must act", dispute->id,
                     change.notices[n].what, change.notices[n].stage,
                     *change.notices[n].must_act_role ? change.notices[n].must_act_role : "nobody");
    }
    if (jy_db_commit (self->db) != 0)
        goto failed;
    s_publish (self);
    *more = count == S_ROLL_CHUNK;
    if (count)
        *last = disputes[count - 1].id;
    rc = 0;
    goto done;
failed:
    jy_warning ("rolling disputes on to today: %s", jy_db_error (self->db));
    s_rollback (self);
done:
    for (size_t i = 0; i < count; i++)
        dispute_clear (&disputes[i]);
    free (disputes);
    dispute_change_clear (&change);
    return rc;
}

//  Every open dispute that today may change, a chunk at a time (each chunk commits once, so a
//  day on which many disputes climb costs a few commits, not one each). 0, or -1: the rest is
//  tried again shortly, and what committed is not done twice.
static int s_roll (s_server_t *self)
{
    if (jy_db_ensure (self->db) != 0)
        return -1;
    jy_date_t horizon = self->today - 1; //  no warnings: only passed deadlines
    int warn_days = ladder_warn_days (self->ladder);
    if (warn_days > 0 &&
        jy_calendar_add_working_days (self->calendar, self->today, warn_days, &horizon) != 0)
        horizon = self->today + 7 * warn_days; //  beyond the calendar: a generous superset
    uint64_t last = 0;
    for (bool more = true; more;)
        if (s_roll_chunk (self, horizon, &last, &more) != 0)
            return -1;
    self->rolled_on = self->today;
    return 0;
}

//  --- The alert feed ----------------------------------------------------------------------------

//  When a policy's dispute raised from an alert of day raised_on is stamped (its raise step).
//  Now, when escalationd is on the alert's day. Otherwise (timelinessd moved to the next day
//  first, or a catch-up after a stop) the alert's day decides, so that the stamp does not
//  depend on which daemon's clock moved first: on a simulated clock, what the clock reads on
//  that day (the alert's day at the clock's time of day, which `journey clock set` keeps), as a
//  replay needs; on the system clock, when it happened, but never before the alert's day began
//  (escalationd is behind only by moments, at midnight).
static int64_t s_raised_at (s_server_t *self, jy_date_t raised_on)
{
    if (raised_on == self->today)
        return self->now_ms;
    int64_t day_start = jy_clock_local_midnight_ms (raised_on);
    if (!jy_clock_is_simulated (jy_service_clock (self->service)))
        return self->now_ms > day_start ? self->now_ms : day_start;
    time_t seconds = (time_t) (self->now_ms / 1000);
    struct tm local;
    if (self->now_ms < 0 || !localtime_r (&seconds, &local))
        return self->now_ms;
    jy_clock_t *that_day = jy_clock_new_simulated (0);
    int64_t at = self->now_ms;
    if (jy_clock_set_date (that_day, raised_on,
                           local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec) == 0)
        at = jy_clock_now_ms (that_day) + self->now_ms % 1000;
    jy_clock_destroy (&that_day);
    return at;
}

//  Raise the policy's dispute for an alert, with the feed position, in one transaction.
//  0, or -1 when nothing was committed.
static int s_on_alert (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_server_t *self = (s_server_t *) arg;
    if (envelope->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT)
        return 0; //  not ours to act on; the position moves past it
    const Journey__V1__Alert *alert = envelope->alert;
    const policy_t *policy = policy_set_match (self->policies, alert);
    if (!policy)
        return 0;
    const char *la_code =
        alert->la_code && *alert->la_code ? alert->la_code : self->la_codes.codes[0];
    if (!jy_la_codes_allowed (&self->la_codes, la_code)) {
        jy_warning ("alert %" PRIu64 " for la_code %.16s: not this deployment's; no dispute", seq,
                    la_code);
        return 0;
    }
    if (jy_db_ensure (self->db) != 0 || jy_db_begin (self->db) != 0) {
        jy_warning ("alert %" PRIu64 " (policy %s) not handled: %s", seq, policy->name,
                    jy_db_error (self->db));
        self->alert_failed = true;
        return -1;
    }
    dispute_t dispute;
    dispute_init (&dispute);
    dispute_change_t change;
    dispute_change_init (&change);
    int open =
        dispute_store_automatic_open (self->store, la_code, alert->child_id, alert->deadline_id);
    if (open < 0)
        goto failed;
    if (open == 0) {
        //  Raised on the day the alert says, never before it: the alert is what happened, and
        //  escalationd's clock may still be on the day before (timelinessd moved first) or on
        //  a later day (a catch-up after a stop). The stage deadlines run from that day, as a
        //  daemon on it would have set them. Without a day in the alert, today.
        jy_date_t raised_on;
        if (!alert->raised_on || jy_date_parse (alert->raised_on, &raised_on) != 0)
            raised_on = self->today;
        char text[1024];
        Journey__V1__DisputeCommand command;
        policy_command (policy, alert, seq, &command, text, sizeof text);
        command.la_code = (char *) la_code;
        dispute_origin_t origin = {policy->name, alert->deadline_id, seq};
        dispute_refusal_t refusal;
        if (dispute_check_actor (self->ladder, &command, &refusal) != 0 ||
            dispute_raise (self->ladder, self->calendar, &command, la_code, raised_on, &origin,
                           &dispute, &change, &refusal) != 0)
            jy_warning ("alert %" PRIu64 " (policy %s): no dispute: %s: %s", seq, policy->name,
                        refusal.code, refusal.message);
        else {
            //  The raise as of the alert's day; then rolled to the later of that day and
            //  today, whatever that adds stamped now.
            if (dispute_store_save (self->store, &dispute, &change,
                                    s_raised_at (self, raised_on)) != 0)
                goto failed;
            dispute_change_clear (&change);
            dispute_roll (self->ladder, self->calendar, &dispute,
                          raised_on > self->today ? raised_on : self->today, &change);
            if ((change.step_count > 0 || change.notice_count > 0) &&
                dispute_store_save (self->store, &dispute, &change, self->now_ms) != 0)
                goto failed;
        }
    }
    if (jy_feed_position_save (self->db, "escalation", "alerts", seq) != 0 ||
        jy_db_commit (self->db) != 0)
        goto failed;
    self->alerts_saved = seq;
    if (dispute.id)
        jy_info ("dispute %" PRIu64 " raised for child %s by policy %s (alert %" PRIu64 ")",
                 dispute.id, dispute.child_id, policy->name, seq);
    s_publish (self);
    dispute_change_clear (&change);
    dispute_clear (&dispute);
    return 0;
failed:
    jy_warning ("alert %" PRIu64 " (policy %s) not handled: %s", seq, policy->name,
                jy_db_error (self->db));
    self->alert_failed = true;
    s_rollback (self);
    dispute_change_clear (&change);
    dispute_clear (&dispute);
    return -1;
}

//  Alerts that raised nothing move the position without a transaction of their own: it is
//  saved here, now and then (everything up to it that had effects committed with them).
static void s_save_position (s_server_t *self, bool now)
{
    if (!self->alerts)
        return;
    uint64_t position = jy_feed_sub_position (self->alerts);
    if (position <= self->alerts_saved || (!now && zclock_mono () - self->saved_at < S_SAVE_MS))
        return;
    self->saved_at = zclock_mono ();
    if (jy_db_ensure (self->db) == 0 &&
        jy_feed_position_save (self->db, "escalation", "alerts", position) == 0)
        self->alerts_saved = position;
}

static void s_catch_up (s_server_t *self)
{
    if (!self->alerts)
        return;
    self->alert_failed = false;
    int delivered = jy_feed_sub_catch_up (self->alerts);
    self->catch_up_owed = delivered < 0;
    //  A failed alert has said why; a failed read of the feed has not.
    if (delivered < 0 && !self->alert_failed)
        jy_warning ("alert feed: catching up: %s", jy_db_error (self->db));
    if (delivered > 0) {
        jy_info ("alert feed: caught up %d alerts (position %" PRIu64 ")", delivered,
                 jy_feed_sub_position (self->alerts));
        s_save_position (self, true);
    }
}

//  --- Hooks -------------------------------------------------------------------------------------

static void s_stop (void **state_p)
{
    s_server_t *self = (s_server_t *) *state_p;
    if (!self)
        return;
    if (self->db && self->alerts)
        s_save_position (self, true);
    jy_feed_sub_destroy (&self->alerts);
    jy_feed_pub_destroy (&self->publisher);
    zsock_destroy (&self->pub);
    dispute_store_destroy (&self->store);
    jy_db_destroy (&self->db);
    jy_calendar_destroy (&self->calendar);
    policy_set_destroy (&self->policies);
    ladder_destroy (&self->ladder);
    free (self);
    *state_p = NULL;
}

static void *s_start (jy_service_t *service)
{
    jy_config_t *config = jy_service_config (service);
    s_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->service = service;
    self->feed = jy_feed_lookup ("disputes");
    assert (self->feed);
    self->rolled_on = JY_DATE_INVALID;
    self->now_ms = jy_clock_now_ms (jy_service_clock (service));
    self->today = jy_clock_local_date (self->now_ms);

    const char *url, *endpoint, *alerts_endpoint;
    long wait_ms;
    if (s_configure_la (self, config) || !(self->ladder = ladder_new (config)) ||
        !(self->policies = policy_set_new (config, self->ladder)) ||
        jy_config_string (config, "escalation/feed", "", &endpoint) ||
        jy_config_string (config, "escalation/alerts", "", &alerts_endpoint) ||
        jy_config_string (config, "database/escalation_url", "", &url) ||
        jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &wait_ms))
        goto bad_config;
    //  Unset: where followers reach journey-timelinessd's feed (timeliness/feed_connect, or
    //  timeliness/feed), needed only when policies follow it.
    if (!*alerts_endpoint && policy_set_count (self->policies) > 0 &&
        jy_feed_connect_endpoint (config, "timeliness/feed", &alerts_endpoint) != 0)
        goto bad_config;
    if (!*endpoint) {
        jy_config_fail (config, "escalation/feed", "no feed endpoint configured");
        goto bad_config;
    }
    if (!*url) {
        jy_config_fail (config, "database/escalation_url", "no database URL configured");
        goto bad_config;
    }
    if (policy_set_count (self->policies) > 0 && !*alerts_endpoint) {
        jy_config_fail (config, "escalation/alerts",
                        "policies are configured but no alert feed endpoint is (escalation/alerts "
                        "or timeliness/feed)");
        goto bad_config;
    }
    self->calendar = jy_calendar_new ();
    if (jy_calendar_apply_config (self->calendar, config) != 0)
        goto bad_config;

    //  The feed socket first: a clash shows at once.
    self->pub = jy_feed_bind (config, "escalation/feed", endpoint, S_PUB_SNDHWM);
    if (!self->pub)
        goto failed;

    self->db = jy_db_new (url);
    jy_db_set_application_name (self->db, "journey-escalationd");
    if (jy_db_connect (self->db, wait_ms)) {
        jy_error ("%s: database/escalation_url: cannot connect: %s",
                  jy_config_origin (config, "database/escalation_url"), jy_db_error (self->db));
        goto failed;
    }
    self->store = dispute_store_new (self->db, self->ladder);
    char error[S_MESSAGE_SIZE];
    if (dispute_store_check_schema (self->store, error, sizeof error) != 0) {
        jy_error ("%s", error);
        goto failed;
    }
    size_t imported = 0;
    if (jy_calendar_load_db (self->calendar, self->db, &imported) != 0)
        jy_warning ("imported bank holidays not loaded: %s", jy_db_error (self->db));
    if (jy_feed_head (self->db, self->feed, &self->head) != 0) {
        jy_error ("reading the dispute feed's head: %s", jy_db_error (self->db));
        goto failed;
    }
    self->publisher = jy_feed_pub_new (self->pub, self->feed, self->head);

    if (policy_set_count (self->policies) > 0) {
        if (jy_feed_position_load (self->db, "escalation", "alerts", &self->alerts_saved) != 0) {
            jy_error ("reading the alert feed position: %s", jy_db_error (self->db));
            goto failed;
        }
        self->alerts = jy_feed_sub_new (self->db, jy_feed_lookup ("alerts"), alerts_endpoint,
                                        self->alerts_saved, s_on_alert, self);
        if (!self->alerts || jy_service_watch (service, jy_feed_sub_socket (self->alerts)) != 0)
            goto failed;
        self->catch_up_owed = true; //  at the first turn, after today's roll
    }
    self->heartbeat_at = zclock_mono ();
    self->saved_at = zclock_mono ();
    jy_info (
        "disputes for LA %s%s: %d stages, overall limit %d working days, %zu polic%s%s%s; "
        "feed on %s",
        self->la_codes.codes[0], self->la_codes.count > 1 ? " and others" : "",
        ladder_top (self->ladder), ladder_overall_limit_days (self->ladder),
        policy_set_count (self->policies), policy_set_count (self->policies) == 1 ? "y" : "ies",
        self->alerts ? " following alerts on " : "", self->alerts ? alerts_endpoint : "", endpoint);
    return self;

bad_config:
    jy_error ("%s", jy_config_error (config));
failed:
    s_stop ((void **) &self);
    return NULL;
}

static void s_request (void *state, zframe_t *routing_id, jy_envelope_t *request, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    self->now_ms = now_ms;
    if (request->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_COMMAND) {
        jy_service_reply_error (self->service, routing_id, "not_supported",
                                "journey-escalationd takes DisputeCommand, Status and ClockSet");
        return;
    }
    s_command (self, routing_id, request);
}

static void s_day_changed (void *state, jy_date_t today, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    self->today = today;
    self->now_ms = now_ms;
    size_t imported = 0;
    if (jy_db_ensure (self->db) == 0)
        jy_calendar_load_db (self->calendar, self->db, &imported);
    if (s_roll (self) != 0)
        self->retry_at = zclock_mono () + S_RETRY_MS;
}

static void s_readable (void *state, zsock_t *sock, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    self->now_ms = now_ms;
    if (self->alerts && sock == jy_feed_sub_socket (self->alerts) &&
        jy_feed_sub_on_readable (self->alerts) != 0) {
        self->catch_up_owed = true;
        self->retry_at = zclock_mono () + S_RETRY_MS;
    }
}

//  Work a failure left to do: today's roll, an alert catch-up, the feed head to read again, a
//  lost connection (taken up again without waiting for work, so that Status is healthy again as
//  soon as the database is back).
static bool s_owed (s_server_t *self)
{
    return self->rolled_on != self->today || self->catch_up_owed || self->head_stale ||
           !jy_db_ok (self->db);
}

static void s_tick (void *state, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    self->now_ms = now_ms;
    int64_t mono = zclock_mono ();
    if (mono >= self->retry_at && s_owed (self)) {
        jy_db_ensure (self->db);
        s_refresh_head (self);
        if (self->rolled_on != self->today)
            s_roll (self);
        if (self->rolled_on == self->today && self->catch_up_owed)
            s_catch_up (self);
        if (s_owed (self))
            self->retry_at = mono + S_RETRY_MS;
    }
    s_save_position (self, false);
    //  By the monotonic clock: a simulated clock stands still, and subscribers need the
    //  heartbeat in real time to notice a lost tail.
    if (mono - self->heartbeat_at >= S_HEARTBEAT_MS) {
        jy_feed_pub_heartbeat (self->publisher);
        self->heartbeat_at = mono;
    }
}

static int64_t s_next_timeout_ms (void *state, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    int64_t mono = zclock_mono ();
    int64_t due = self->heartbeat_at + S_HEARTBEAT_MS;
    if (s_owed (self) && self->retry_at < due)
        due = self->retry_at;
    return due > mono ? due - mono : 0;
}

static void s_status (void *state, Journey__V1__StatusReply *reply)
{
    s_server_t *self = (s_server_t *) state;
    Journey__V1__FeedPosition *disputes = &self->positions[0];
    *disputes = (Journey__V1__FeedPosition) JOURNEY__V1__FEED_POSITION__INIT;
    disputes->feed = (char *) self->feed->name;
    disputes->role = "publisher";
    disputes->has_position = true;
    disputes->position = jy_feed_pub_last (self->publisher);
    disputes->has_head = true;
    disputes->head = self->head;
    self->position_list[0] = disputes;
    reply->n_feeds = 1;
    reply->feeds = self->position_list;
    if (self->alerts) {
        Journey__V1__FeedPosition *alerts = &self->positions[1];
        *alerts = (Journey__V1__FeedPosition) JOURNEY__V1__FEED_POSITION__INIT;
        alerts->feed = "alerts";
        alerts->role = "subscriber";
        alerts->has_position = true;
        alerts->position = jy_feed_sub_position (self->alerts);
        uint64_t head = 0;
        if (jy_feed_head (self->db, jy_feed_lookup ("alerts"), &head) == 0) {
            alerts->has_head = true;
            alerts->head = head;
            alerts->has_lag = true;
            alerts->lag = head > alerts->position ? head - alerts->position : 0;
        }
        self->position_list[1] = alerts;
        reply->n_feeds = 2;
    }
    reply->has_database_ok = true;
    reply->database_ok = jy_db_ok (self->db);
    if (!reply->database_ok) {
        reply->healthy = false;
        snprintf (self->health, sizeof self->health, "database unreachable: %s",
                  jy_db_error (self->db));
        reply->message = self->health;
    } else if (self->rolled_on != self->today) {
        reply->healthy = false;
        reply->message = "today's roll of open disputes has not completed (retrying)";
    }
}

const jy_service_def_t *escalation_server_def (void)
{
    static const jy_service_def_t def = {
        .name = "escalation",
        .program = "journey-escalationd",
        .start = s_start,
        .stop = s_stop,
        .request = s_request,
        .status = s_status,
        .day_changed = s_day_changed,
        .readable = s_readable,
        .tick = s_tick,
        .next_timeout_ms = s_next_timeout_ms,
    };
    return &def;
}
