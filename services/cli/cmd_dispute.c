/*  journey dispute: the IRO / CP chair dispute ladder through journey-escalationd
    (docs/escalation.md).

        journey dispute raise --child ID --by USER --role iro|cp-chair --category CATEGORY
                              --text TEXT [--stage N] [--safety] [--la CODE]
        journey dispute respond|withdraw|refer-cafcass ID --by USER --role ROLE [--text TEXT]
        journey dispute escalate ID --by USER --role ROLE [--stage N] [--safety] [--text TEXT]
        journey dispute resolve ID --by USER --role ROLE --agreed-action TEXT
                                --agreed-by-date DATE [--text TEXT]
        journey dispute comment ID --by USER --role ROLE --text TEXT
        journey dispute show ID
        journey dispute list [--state open|resolved|withdrawn|closed|all] [--child ID] [--la CODE]
        journey dispute verify

    Each is one DisputeCommand to escalation/request. The daemon decides who may do what and
    answers with the dispute as it now stands, or a coded refusal. Output is for a person, or
    with --json: the dispute as an object (its fields as in the Dispute message, plus "due",
    the current stage's deadline), an array of them for list, {"ok", "disputes", "steps",
    "broken"} for verify, {"ok": false, "code", "message", "field"} for a refusal. Exit 0 done,
    1 refused, a broken chain or no daemon, 2 usage error.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define S_TIMEOUT_MS 5000

//  Options, by their index in s_options; a verb's row says which it takes and which it needs.
typedef enum {
    S_OPT_CHILD,
    S_OPT_BY,
    S_OPT_ROLE,
    S_OPT_CATEGORY,
    S_OPT_TEXT,
    S_OPT_STAGE,
    S_OPT_SAFETY,
    S_OPT_LA,
    S_OPT_AGREED_ACTION,
    S_OPT_AGREED_BY_DATE,
    S_OPT_STATE,
    S_OPT_COUNT
} s_option_id_t;

static const cli_option_t s_options[] = {
    [S_OPT_CHILD] = {"--child", CLI_OPTION_TEXT, "a child ID", 0, 0, NULL},
    [S_OPT_BY] = {"--by", CLI_OPTION_TEXT, "a USER", 0, 0, NULL},
    [S_OPT_ROLE] = {"--role", CLI_OPTION_TEXT, "a ROLE", 0, 0, NULL},
    [S_OPT_CATEGORY] = {"--category", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_OPT_TEXT] = {"--text", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_OPT_STAGE] = {"--stage", CLI_OPTION_NUMBER, "a stage number", 1, 99, NULL},
    [S_OPT_SAFETY] = {"--safety", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
    [S_OPT_LA] = {"--la", CLI_OPTION_TEXT, "an LA code", 0, 0, NULL},
    [S_OPT_AGREED_ACTION] = {"--agreed-action", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_OPT_AGREED_BY_DATE] = {"--agreed-by-date", CLI_OPTION_TEXT, "a date", 0, 0, NULL},
    [S_OPT_STATE] = {"--state", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

#define S_O(option) (1u << S_OPT_##option)
#define S_ACTOR     (S_O (BY) | S_O (ROLE)) //  who acts: every verb may say, a change must

//  The verbs: the options each takes and needs, the request it builds (its verb, and the ID of
//  the dispute it acts on), what a person is told it did, and its line of the help.
typedef struct {
    const char *name;
    Journey__V1__DisputeCommand__Verb verb;
    bool on_one;      //  acts on one dispute: takes its ID
    unsigned takes;   //  options it accepts
    unsigned needs;   //  options it requires
    const char *done; //  a change: "<done> dispute N<after>"; NULL for a reading
    const char *after;
    const char *usage; //  its line of the help, after "journey dispute "
} s_verb_t;

static const s_verb_t s_verbs[] = {
    {"raise", JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE, false,
     S_ACTOR | S_O (CHILD) | S_O (CATEGORY) | S_O (TEXT) | S_O (STAGE) | S_O (SAFETY) | S_O (LA),
     S_ACTOR | S_O (CHILD) | S_O (CATEGORY) | S_O (TEXT), "raised", "",
     "raise --child ID --by USER --role iro|cp-chair --category CATEGORY\n"
     "                             --text TEXT [--stage N] [--safety] [--la CODE]"},
    {"respond", JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND, true, S_ACTOR | S_O (TEXT), S_ACTOR,
     "responded to", "", "respond ID --by USER --role ROLE [--text TEXT]"},
    {"escalate", JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE, true,
     S_ACTOR | S_O (TEXT) | S_O (STAGE) | S_O (SAFETY), S_ACTOR, "escalated", "",
     "escalate ID --by USER --role ROLE [--stage N] [--safety] [--text TEXT]"},
    {"resolve", JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE, true,
     S_ACTOR | S_O (TEXT) | S_O (AGREED_ACTION) | S_O (AGREED_BY_DATE),
     S_ACTOR | S_O (AGREED_ACTION) | S_O (AGREED_BY_DATE), "resolved", "",
     "resolve ID --by USER --role ROLE --agreed-action TEXT\n"
     "                               --agreed-by-date YYYY-MM-DD [--text TEXT]"},
    {"withdraw", JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW, true, S_ACTOR | S_O (TEXT), S_ACTOR,
     "withdrew", "", "withdraw ID --by USER --role ROLE [--text TEXT]"},
    {"refer-cafcass", JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS, true, S_ACTOR | S_O (TEXT),
     S_ACTOR, "referred", " to Cafcass", "refer-cafcass ID --by USER --role iro [--text TEXT]"},
    {"comment", JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT, true, S_ACTOR | S_O (TEXT),
     S_ACTOR | S_O (TEXT), "commented on", "", "comment ID --by USER --role ROLE --text TEXT"},
    {"show", JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW, true, S_ACTOR | S_O (LA), 0, NULL, NULL,
     "show ID"},
    {"list", JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST, false,
     S_ACTOR | S_O (STATE) | S_O (CHILD) | S_O (LA), 0, NULL, NULL,
     "list [--state open|resolved|withdrawn|closed|all] [--child ID]\n"
     "                            [--la CODE]"},
    {"verify", JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY, false, S_ACTOR, 0, NULL, NULL, "verify"},
};
#define S_VERB_COUNT (sizeof s_verbs / sizeof s_verbs[0])

static void s_usage (FILE *out)
{
    for (size_t i = 0; i < S_VERB_COUNT; i++)
        fprintf (out, "%s journey dispute %s\n", i ? "      " : "usage:", s_verbs[i].usage);
    fputs ("\n"
           "Every command may name who acts (--by USER --role ROLE); those that change a "
           "dispute must.\n"
           "Roles: iro, cp-chair, social-worker, team-manager, advanced-practitioner,\n"
           "practice-group-lead, service-manager, head-of-service, director "
           "(escalation/known_roles).\n"
           "--stage N raises at, or escalates to, stage N (bypass); --safety sends a concern "
           "about the\n"
           "child's safety straight to the top stage. Output: --json for machine-readable "
           "output.\n"
           "configuration: escalation/request. Exit status: 0 done, 1 refused (or a broken "
           "chain, or\n"
           "no daemon), 2 usage error.\n",
           out);
}

//  A whole number in 1..max. 0 or -1.
static int s_parse_number (const char *text, uint64_t max, uint64_t *out)
{
    if (!*text || strlen (text) > 19)
        return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    uint64_t value = strtoull (text, NULL, 10);
    if (value < 1 || value > max)
        return -1;
    *out = value;
    return 0;
}

//  --- Output --------------------------------------------------------------------------------

static const char *s_or (const char *text, const char *fallback)
{
    return text && *text ? text : fallback;
}

//  The dispute's JSON form: the message's fields, plus "due" (the current stage's deadline).
static json_t *s_dispute_json (const Journey__V1__Dispute *dispute)
{
    json_t *object = jy_json_from_message ((const ProtobufCMessage *) dispute);
    if (!object)
        return NULL;
    json_object_set_new (object, "due",
                         dispute->due_on ? json_string (dispute->due_on) : json_null ());
    if (!json_object_get (object, "steps"))
        json_object_set_new (object, "steps", json_array ());
    return object;
}

static void s_print_dispute (const Journey__V1__Dispute *dispute)
{
    printf ("dispute %" PRIu64 ": %s at stage %u of %u (%s)\n", dispute->id,
            s_or (dispute->state, "?"), dispute->stage, dispute->top_stage,
            s_or (dispute->stage_name, "?"));
    printf ("  child %s, LA %s, category %s; raised %s by %s (%s)%s\n",
            s_or (dispute->child_id, "?"), s_or (dispute->la_code, "?"),
            s_or (dispute->category, "?"), s_or (dispute->raised_on, "?"),
            s_or (dispute->raised_by, "?"), s_or (dispute->raised_role, "?"),
            dispute->safety ? "; safety concern" : "");
    if (dispute->policy)
        printf ("  raised automatically by policy %s (deadline %" PRIu64 ")\n", dispute->policy,
                dispute->deadline_id);
    if (dispute->state && strcmp (dispute->state, "open") == 0) {
        if (dispute->answered)
            printf ("  stage %u has responded: %s to resolve, escalate or withdraw\n",
                    dispute->stage, s_or (dispute->must_act_role, "?"));
        else
            printf ("  awaiting %s, due %s\n", s_or (dispute->must_act_role, "?"),
                    s_or (dispute->due_on, "?"));
        printf ("  overall limit %s%s\n", s_or (dispute->overall_due_on, "?"),
                dispute->overdue ? " (passed)" : "");
    } else if (dispute->state && strcmp (dispute->state, "resolved") == 0)
        printf ("  resolved on %s: %s, by %s (%s)\n", s_or (dispute->closed_on, "?"),
                s_or (dispute->agreed_action, "?"), s_or (dispute->agreed_by_date, "?"),
                s_or (dispute->must_act_role, "?"));
    else
        printf ("  %s on %s\n", s_or (dispute->state, "closed"), s_or (dispute->closed_on, "?"));
    if (dispute->cafcass_referred_on)
        printf ("  referred to Cafcass on %s\n", dispute->cafcass_referred_on);
    printf ("  steps:\n");
    for (size_t i = 0; i < dispute->n_steps; i++) {
        const Journey__V1__DisputeStep *step = dispute->steps[i];
        printf ("  %3u  %s  %-14s %u->%u  %s (%s)%s%s\n", step->n, s_or (step->at, "?"),
                s_or (step->verb, "?"), step->stage_from, step->stage_to, s_or (step->by_user, "?"),
                s_or (step->role, "?"), step->text && *step->text ? ": " : "",
                s_or (step->text, ""));
    }
}

static void s_print_list (Journey__V1__Dispute **disputes, size_t count)
{
    printf ("%-6s %-12s %-9s %-5s %-10s %-10s %-22s %s\n", "ID", "CHILD", "STATE", "STAGE", "DUE",
            "OVERALL", "FLAGS", "MUST ACT");
    for (size_t i = 0; i < count; i++) {
        const Journey__V1__Dispute *dispute = disputes[i];
        bool is_open = dispute->state && strcmp (dispute->state, "open") == 0;
        char stage[16], flags[64] = "";
        snprintf (stage, sizeof stage, "%u/%u", dispute->stage, dispute->top_stage);
        if (dispute->overdue)
            strcat (flags, "overdue,");
        if (dispute->answered && is_open)
            strcat (flags, "responded,");
        if (dispute->safety)
            strcat (flags, "safety,");
        if (dispute->cafcass_referred)
            strcat (flags, "cafcass,");
        if (dispute->policy)
            strcat (flags, "automatic,");
        if (*flags)
            flags[strlen (flags) - 1] = '\0';
        printf ("%-6" PRIu64 " %-12s %-9s %-5s %-10s %-10s %-22s %s\n", dispute->id,
                s_or (dispute->child_id, "?"), s_or (dispute->state, "?"), stage,
                is_open ? s_or (dispute->due_on, "-") : "-", s_or (dispute->overall_due_on, "-"),
                *flags ? flags : "-", s_or (dispute->must_act_role, "-"));
    }
}

//  --- The command ---------------------------------------------------------------------------

int cmd_dispute (cli_t *cli, int argc, char **argv)
{
    if (argc < 2) {
        s_usage (stderr);
        return CLI_USAGE;
    }
    const char *verb_name = argv[1];
    if (strcmp (verb_name, "--help") == 0 || strcmp (verb_name, "-h") == 0 ||
        strcmp (verb_name, "help") == 0) {
        s_usage (stdout);
        return CLI_OK;
    }
    const s_verb_t *row = NULL;
    for (size_t i = 0; i < S_VERB_COUNT; i++)
        if (strcmp (verb_name, s_verbs[i].name) == 0)
            row = &s_verbs[i];
    if (!row)
        return cli_usage ("dispute: unknown sub-command \"%s\" (journey dispute --help)",
                          verb_name);
    Journey__V1__DisputeCommand__Verb verb = row->verb;

    char prefix[64];
    snprintf (prefix, sizeof prefix, "dispute %s", verb_name);
    const cli_options_t spec = {prefix, s_options, row->on_one ? 1 : 0, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 2, &parsed);
    if (parse == CLI_HELP) {
        s_usage (stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    const char *values[S_OPT_COUNT] = {NULL};
    for (int o = 0; o < S_OPT_COUNT; o++) {
        if (!parsed.values[o].given)
            continue;
        if (!(row->takes & (1u << o)))
            return cli_usage ("dispute %s does not take %s", verb_name, s_options[o].name);
        values[o] = parsed.values[o].text ? parsed.values[o].text : "yes";
    }
    //  What the verb needs; the daemon checks everything again (and who may do what).
    for (int o = 0; o < S_OPT_COUNT; o++)
        if ((row->needs & (1u << o)) && !values[o])
            return cli_usage ("dispute %s: %s is required%s", verb_name, s_options[o].name,
                              (1u << o) & S_ACTOR ? " (who acts)" : "");

    Journey__V1__DisputeCommand command = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    command.has_verb = true;
    command.verb = verb;
    if (row->on_one) {
        const char *id_text = parsed.args[0];
        if (!id_text)
            return cli_usage ("dispute %s: the dispute ID is missing (journey dispute %s ID ...)",
                              verb_name, verb_name);
        if (s_parse_number (id_text, INT64_MAX, &command.dispute_id) != 0)
            return cli_usage ("dispute %s: \"%s\" is not a dispute ID (a whole number from 1)",
                              verb_name, id_text);
        command.has_dispute_id = true;
    }
    jy_date_t by_date;
    if (values[S_OPT_AGREED_BY_DATE] &&
        cli_parse_date ("dispute resolve: --agreed-by-date", values[S_OPT_AGREED_BY_DATE],
                        &by_date) != CLI_OK)
        return CLI_USAGE;
    if (values[S_OPT_STAGE]) {
        command.has_stage = true;
        command.stage = (uint32_t) parsed.values[S_OPT_STAGE].number;
    }
    command.by_user = (char *) values[S_OPT_BY];
    command.role = (char *) values[S_OPT_ROLE];
    command.child_id = (char *) values[S_OPT_CHILD];
    command.category = (char *) values[S_OPT_CATEGORY];
    command.text = (char *) values[S_OPT_TEXT];
    command.la_code = (char *) values[S_OPT_LA];
    command.agreed_action = (char *) values[S_OPT_AGREED_ACTION];
    command.agreed_by_date = (char *) values[S_OPT_AGREED_BY_DATE];
    command.state_filter = (char *) values[S_OPT_STATE];
    if (values[S_OPT_SAFETY]) {
        command.has_safety = true;
        command.safety = true;
    }

    const char *endpoint = jy_config_get (cli->config, "escalation/request");
    if (!endpoint || !*endpoint)
        return cli_fail ("dispute: escalation/request is not configured");
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_COMMAND;
    request.dispute_command = &command;
    const char *why = NULL;
    jy_envelope_t *reply = cli_request (endpoint, &request, S_TIMEOUT_MS, &why);
    if (!reply)
        return cli_fail ("dispute %s: journey-escalationd at %s: %s", verb_name, endpoint, why);
    if (reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY) {
        //  The daemon could not read the request, or does not take it.
        int rc = cli_fail ("dispute %s: %s: %s", verb_name, s_or (reply->reply->code, "error"),
                           s_or (reply->reply->message, ""));
        jy_envelope_free (&reply);
        return rc;
    }
    if (reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_REPLY) {
        jy_envelope_free (&reply);
        return cli_fail ("dispute %s: unexpected reply from %s", verb_name, endpoint);
    }

    Journey__V1__DisputeReply *answer = reply->dispute_reply;
    int rc = CLI_OK;
    if (verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY && (answer->ok || answer->n_broken)) {
        if (cli->json) {
            json_t *broken = json_array ();
            for (size_t i = 0; i < answer->n_broken; i++)
                json_array_append_new (broken, json_string (answer->broken[i]));
            cli_print_json (json_pack ("{s:b, s:i, s:i, s:o}", "ok", answer->ok, "disputes",
                                       (int) answer->verified_disputes, "steps",
                                       (int) answer->verified_steps, "broken", broken));
        } else {
            for (size_t i = 0; i < answer->n_broken; i++)
                printf ("broken: %s\n", answer->broken[i]);
            printf ("verified %u disputes, %u steps: %s\n", answer->verified_disputes,
                    answer->verified_steps,
                    answer->ok ? "every chain is intact" : "the record has been altered");
        }
        if (!answer->ok)
            rc = cli_fail ("dispute verify: %s", s_or (answer->message, "broken"));
    } else if (!answer->ok) {
        if (cli->json) {
            json_t *object =
                json_pack ("{s:b, s:s, s:s}", "ok", 0, "code", s_or (answer->code, "error"),
                           "message", s_or (answer->message, ""));
            if (answer->field)
                json_object_set_new (object, "field", json_string (answer->field));
            cli_print_json (object);
        }
        rc = cli_fail ("dispute %s: refused (%s): %s", verb_name, s_or (answer->code, "error"),
                       s_or (answer->message, "no reason given"));
    } else if (verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST) {
        if (cli->json) {
            json_t *array = json_array ();
            for (size_t i = 0; i < answer->n_disputes; i++)
                json_array_append_new (array, s_dispute_json (answer->disputes[i]));
            cli_print_json (array);
        } else
            s_print_list (answer->disputes, answer->n_disputes);
    } else if (answer->dispute) {
        if (cli->json)
            cli_print_json (s_dispute_json (answer->dispute));
        else {
            if (row->done)
                printf ("%s dispute %" PRIu64 "%s\n", row->done, answer->dispute->id, row->after);
            s_print_dispute (answer->dispute);
        }
    } else
        rc = cli_fail ("dispute %s: the reply carries no dispute", verb_name);
    fflush (stdout);
    jy_envelope_free (&reply);
    return rc;
}
