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

static const char *s_usage_text =
    "usage: journey dispute raise --child ID --by USER --role iro|cp-chair --category CATEGORY\n"
    "                             --text TEXT [--stage N] [--safety] [--la CODE]\n"
    "       journey dispute respond ID --by USER --role ROLE [--text TEXT]\n"
    "       journey dispute escalate ID --by USER --role ROLE [--stage N] [--safety] [--text "
    "TEXT]\n"
    "       journey dispute resolve ID --by USER --role ROLE --agreed-action TEXT\n"
    "                               --agreed-by-date YYYY-MM-DD [--text TEXT]\n"
    "       journey dispute withdraw ID --by USER --role ROLE [--text TEXT]\n"
    "       journey dispute refer-cafcass ID --by USER --role iro [--text TEXT]\n"
    "       journey dispute comment ID --by USER --role ROLE --text TEXT\n"
    "       journey dispute show ID\n"
    "       journey dispute list [--state open|resolved|withdrawn|closed|all] [--child ID]\n"
    "                            [--la CODE]\n"
    "       journey dispute verify\n"
    "\n"
    "Every command may name who acts (--by USER --role ROLE); those that change a dispute must.\n"
    "Roles: iro, cp-chair, social-worker, team-manager, advanced-practitioner,\n"
    "practice-group-lead, service-manager, head-of-service, director (escalation/known_roles).\n"
    "--stage N raises at, or escalates to, stage N (bypass); --safety sends a concern about the\n"
    "child's safety straight to the top stage. Output: --json for machine-readable output.\n"
    "configuration: escalation/request. Exit status: 0 done, 1 refused (or a broken chain, or\n"
    "no daemon), 2 usage error.\n";

//  Options, and the verbs that take each (a bit per verb).
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

#define S_V(verb) (1u << JOURNEY__V1__DISPUTE_COMMAND__VERB__##verb)
#define S_ALL     0xffffu
#define S_CHANGES                                                                                  \
    (S_V (RAISE) | S_V (RESPOND) | S_V (ESCALATE) | S_V (RESOLVE) | S_V (WITHDRAW) |               \
     S_V (REFER_CAFCASS) | S_V (COMMENT))

static const struct {
    const char *name;
    bool flag; //  takes no value
    unsigned verbs;
} s_options[S_OPT_COUNT] = {
    [S_OPT_CHILD] = {"--child", false, S_V (RAISE) | S_V (LIST)},
    [S_OPT_BY] = {"--by", false, S_ALL},
    [S_OPT_ROLE] = {"--role", false, S_ALL},
    [S_OPT_CATEGORY] = {"--category", false, S_V (RAISE)},
    [S_OPT_TEXT] = {"--text", false, S_CHANGES},
    [S_OPT_STAGE] = {"--stage", false, S_V (RAISE) | S_V (ESCALATE)},
    [S_OPT_SAFETY] = {"--safety", true, S_V (RAISE) | S_V (ESCALATE)},
    [S_OPT_LA] = {"--la", false, S_V (RAISE) | S_V (LIST) | S_V (SHOW)},
    [S_OPT_AGREED_ACTION] = {"--agreed-action", false, S_V (RESOLVE)},
    [S_OPT_AGREED_BY_DATE] = {"--agreed-by-date", false, S_V (RESOLVE)},
    [S_OPT_STATE] = {"--state", false, S_V (LIST)},
};

static const struct {
    const char *name;
    Journey__V1__DisputeCommand__Verb verb;
} s_verbs[] = {
    {"raise", JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE},
    {"respond", JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND},
    {"escalate", JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE},
    {"resolve", JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE},
    {"withdraw", JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW},
    {"refer-cafcass", JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS},
    {"comment", JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT},
    {"show", JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW},
    {"list", JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST},
    {"verify", JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY},
};

//  What a change says it did, for a person: "<done> dispute N<after>".
static void s_print_done (Journey__V1__DisputeCommand__Verb verb, uint64_t id)
{
    const char *done = "commented on", *after = "";
    switch (verb) {
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE:
        done = "raised";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND:
        done = "responded to";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE:
        done = "escalated";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE:
        done = "resolved";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW:
        done = "withdrew";
        break;
    case JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS:
        done = "referred";
        after = " to Cafcass";
        break;
    default:
        break;
    }
    printf ("%s dispute %" PRIu64 "%s\n", done, id, after);
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
        fputs (s_usage_text, stderr);
        return CLI_USAGE;
    }
    const char *verb_name = argv[1];
    if (strcmp (verb_name, "--help") == 0 || strcmp (verb_name, "-h") == 0 ||
        strcmp (verb_name, "help") == 0) {
        fputs (s_usage_text, stdout);
        return CLI_OK;
    }
    Journey__V1__DisputeCommand__Verb verb = 0;
    for (size_t i = 0; i < sizeof s_verbs / sizeof s_verbs[0]; i++)
        if (strcmp (verb_name, s_verbs[i].name) == 0)
            verb = s_verbs[i].verb;
    if (!verb)
        return cli_usage ("dispute: unknown sub-command \"%s\" (journey dispute --help)",
                          verb_name);

    //  Arguments: at most one ID, and the options this verb takes.
    const char *values[S_OPT_COUNT] = {NULL};
    const char *id_text = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            fputs (s_usage_text, stdout);
            return CLI_OK;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (id_text || verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE ||
                verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST ||
                verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY)
                return cli_usage ("dispute %s: unexpected argument \"%s\"", verb_name, arg);
            id_text = arg;
            continue;
        }
        int option = -1;
        for (int o = 0; o < S_OPT_COUNT; o++)
            if (strcmp (arg, s_options[o].name) == 0)
                option = o;
        if (option < 0)
            return cli_usage ("dispute %s: unknown option \"%s\" (journey dispute --help)",
                              verb_name, arg);
        if (!(s_options[option].verbs & (1u << verb)))
            return cli_usage ("dispute %s does not take %s", verb_name, arg);
        if (s_options[option].flag)
            values[option] = "yes";
        else if (i + 1 >= argc)
            return cli_usage ("dispute %s: %s needs a value", verb_name, arg);
        else
            values[option] = argv[++i];
    }

    Journey__V1__DisputeCommand command = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    command.has_verb = true;
    command.verb = verb;
    bool on_one = verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE &&
                  verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST &&
                  verb != JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY;
    if (on_one) {
        if (!id_text)
            return cli_usage ("dispute %s: the dispute ID is missing (journey dispute %s ID ...)",
                              verb_name, verb_name);
        if (s_parse_number (id_text, INT64_MAX, &command.dispute_id) != 0)
            return cli_usage ("dispute %s: \"%s\" is not a dispute ID (a whole number from 1)",
                              verb_name, id_text);
        command.has_dispute_id = true;
    }
    //  What the verb needs; the daemon checks everything again (and who may do what).
    bool changes = (1u << verb) & S_CHANGES;
    static const s_option_id_t raise_needs[] = {S_OPT_CHILD, S_OPT_CATEGORY, S_OPT_TEXT};
    static const s_option_id_t actor[] = {S_OPT_BY, S_OPT_ROLE};
    for (size_t i = 0; changes && i < 2; i++)
        if (!values[actor[i]])
            return cli_usage ("dispute %s: %s is required (who acts)", verb_name,
                              s_options[actor[i]].name);
    for (size_t i = 0; verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE && i < 3; i++)
        if (!values[raise_needs[i]])
            return cli_usage ("dispute raise: %s is required", s_options[raise_needs[i]].name);
    if (verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT && !values[S_OPT_TEXT])
        return cli_usage ("dispute comment: --text is required");
    if (verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE)
        for (int o = S_OPT_AGREED_ACTION; o <= S_OPT_AGREED_BY_DATE; o++)
            if (!values[o])
                return cli_usage ("dispute resolve: %s is required (what was agreed, and by "
                                  "when)",
                                  s_options[o].name);
    jy_date_t by_date;
    if (values[S_OPT_AGREED_BY_DATE] &&
        cli_parse_date ("dispute resolve: --agreed-by-date", values[S_OPT_AGREED_BY_DATE],
                        &by_date) != CLI_OK)
        return CLI_USAGE;
    if (values[S_OPT_STAGE]) {
        uint64_t stage;
        if (s_parse_number (values[S_OPT_STAGE], 99, &stage) != 0)
            return cli_usage ("dispute %s: --stage \"%s\" is not a stage number", verb_name,
                              values[S_OPT_STAGE]);
        command.has_stage = true;
        command.stage = (uint32_t) stage;
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
            if (changes)
                s_print_done (verb, answer->dispute->id);
            s_print_dispute (answer->dispute);
        }
    } else
        rc = cli_fail ("dispute %s: the reply carries no dispute", verb_name);
    fflush (stdout);
    jy_envelope_free (&reply);
    return rc;
}
