/*  journey clock: show or move the daemons' simulated clock (DESIGN.md invariant 5).

    journey clock set DATE [--time HH:MM:SS]   every configured daemon, at once
    journey clock show

    Each daemon answers on its request socket; one not running simply does not answer within a
    second, and is skipped. A daemon on the system clock refuses ClockSet (Reply code
    "clock_not_simulated"): a running daemon that refuses or fails makes the command fail, since
    the clocks would then disagree.
*/
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define S_TIMEOUT_MS  1000
#define S_MAX_DAEMONS 8

static const char *s_usage_text =
    "usage: journey clock set DATE [--time HH:MM:SS]\n"
    "       journey clock show\n"
    "\n"
    "set   move the simulated clock of every daemon configured with a request endpoint\n"
    "      (ingest, timeliness, escalation, reporting) to DATE (YYYY-MM-DD) at the local\n"
    "      time given (default 09:00:00). Exit 0 when every running daemon moved its clock\n"
    "      (those not running are skipped, but at least one must move); 1 when one refused\n"
    "      or failed, naming it and its answer.\n"
    "show  each daemon's clock mode and today's date\n"
    "options: --json  machine-readable output\n";

//  "HH:MM:SS" exactly, a real time of day.
static bool s_valid_time (const char *text)
{
    const char *shape = "dd:dd:dd";
    for (int i = 0; shape[i]; i++) {
        bool ok = shape[i] == 'd' ? text[i] >= '0' && text[i] <= '9' : text[i] == shape[i];
        if (!ok)
            return false;
    }
    if (text[8] != '\0')
        return false;
    int hours = (text[0] - '0') * 10 + (text[1] - '0');
    int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    int seconds = (text[6] - '0') * 10 + (text[7] - '0');
    return hours < 24 && minutes < 60 && seconds < 60;
}

//  Ask one daemon for its status. The reply envelope (STATUS_REPLY) or NULL with why.
static jy_envelope_t *s_status (const char *endpoint, const char **why)
{
    jy_envelope_t request;
    Journey__V1__StatusRequest body;
    cli_status_request (&request, &body);
    jy_envelope_t *reply = cli_request (endpoint, &request, S_TIMEOUT_MS, why);
    if (reply && reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY) {
        *why = "unexpected reply to Status";
        jy_envelope_free (&reply);
    }
    return reply;
}

enum { S_SET_TIME };
static const cli_option_t s_set_options[] = {
    [S_SET_TIME] = {"--time", CLI_OPTION_TEXT, "HH:MM:SS", 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

static int s_set (cli_t *cli, const cli_parsed_t *parsed)
{
    const char *date_text = parsed->args[0];
    const char *time_text = parsed->values[S_SET_TIME].text;
    if (!date_text)
        return cli_usage ("clock set: DATE is missing (journey clock set YYYY-MM-DD)");
    jy_date_t date;
    if (cli_parse_date ("clock set: DATE", date_text, &date) != CLI_OK)
        return CLI_USAGE;
    if (time_text && !s_valid_time (time_text))
        return cli_usage ("clock set: --time \"%s\" is not a time of day HH:MM:SS", time_text);

    cli_endpoint_t endpoints[S_MAX_DAEMONS];
    size_t count = cli_daemon_endpoints (cli, endpoints, S_MAX_DAEMONS);
    if (count == 0)
        return cli_fail ("clock set: no daemon request endpoints configured (<service>/request)");
    if (count > S_MAX_DAEMONS)
        count = S_MAX_DAEMONS;

    char canonical[JY_DATE_TEXT_SIZE];
    jy_date_format (date, canonical);
    jy_envelope_t request;
    jy_envelope_init (&request);
    Journey__V1__ClockSet body = JOURNEY__V1__CLOCK_SET__INIT;
    body.date = canonical;
    body.time = (char *) time_text; //  absent: the daemon's default, 09:00:00 local
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    request.clock_set = &body;

    json_t *results = cli->json ? json_array () : NULL;
    int moved = 0;
    char failed[1024] = ""; //  the running daemons that did not move, with their answers
    size_t failed_length = 0;
    jy_envelope_t *replies[S_MAX_DAEMONS];
    const char *whys[S_MAX_DAEMONS];
    cli_state_t states[S_MAX_DAEMONS];
    //  Every daemon at once: their clocks move together.
    cli_ask_daemons (endpoints, count, &request, S_TIMEOUT_MS, replies, whys, states);
    for (size_t i = 0; i < count; i++) {
        const char *service = endpoints[i].service;
        const char *why = whys[i];
        const char *result;
        char today[64] = "";
        char line[512];
        jy_envelope_t *reply = replies[i];
        if (!reply) {
            result = states[i] == CLI_STATE_NOT_RUNNING ? "not running"
                     : states[i] == CLI_STATE_REFUSED   ? "refused"
                                                        : "error";
            snprintf (line, sizeof line, "%s: %s", service, why);
        } else if (reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY) {
            result = "error";
            snprintf (line, sizeof line, "%s: unexpected reply to ClockSet", service);
        } else if (reply->reply->has_ok && reply->reply->ok) {
            result = "set";
            moved++;
            //  Read back what the daemon now calls today; fall back to what was asked.
            snprintf (today, sizeof today, "%s", canonical);
            jy_envelope_t *status = s_status (endpoints[i].endpoint, &why);
            if (status && status->status_reply->today && *status->status_reply->today)
                snprintf (today, sizeof today, "%s", status->status_reply->today);
            jy_envelope_free (&status);
            snprintf (line, sizeof line, "%s: clock set to %s", service, today);
        } else {
            result = "refused";
            const char *code = reply->reply->code ? reply->reply->code : "";
            if (strcmp (code, "clock_not_simulated") == 0)
                snprintf (line, sizeof line, "%s: refused: clock is not simulated", service);
            else
                snprintf (line, sizeof line, "%s: refused: %s%s%s", service,
                          *code ? code : "no reason given", reply->reply->message ? ": " : "",
                          reply->reply->message ? reply->reply->message : "");
        }
        jy_envelope_free (&reply);
        if (strcmp (result, "set") != 0 && strcmp (result, "not running") != 0) {
            int wrote = snprintf (failed + failed_length, sizeof failed - failed_length, "%s%s",
                                  failed_length ? "; " : "", line);
            if (wrote > 0)
                failed_length += (size_t) wrote < sizeof failed - failed_length
                                     ? (size_t) wrote
                                     : sizeof failed - failed_length - 1;
        }
        if (results)
            json_array_append_new (
                results, json_pack ("{s:s, s:s, s:s, s:o}", "service", service, "endpoint",
                                    endpoints[i].endpoint, "result", result, "today",
                                    *today ? json_string (today) : json_null ()));
        else
            printf ("%s\n", line);
    }
    if (results)
        cli_print_json (results);
    else
        fflush (stdout);
    if (failed_length)
        return cli_fail ("clock set: not every running daemon moved its clock: %s", failed);
    if (moved == 0)
        return cli_fail ("no daemon running with a simulated clock");
    return CLI_OK;
}

static int s_show (cli_t *cli)
{
    cli_endpoint_t endpoints[S_MAX_DAEMONS];
    size_t count = cli_daemon_endpoints (cli, endpoints, S_MAX_DAEMONS);
    if (count == 0)
        return cli_fail ("clock show: no daemon request endpoints configured (<service>/request)");
    if (count > S_MAX_DAEMONS)
        count = S_MAX_DAEMONS;

    json_t *results = cli->json ? json_array () : NULL;
    int running = 0;
    jy_envelope_t request;
    Journey__V1__StatusRequest body;
    cli_status_request (&request, &body);
    jy_envelope_t *replies[S_MAX_DAEMONS];
    const char *whys[S_MAX_DAEMONS];
    cli_state_t states[S_MAX_DAEMONS];
    cli_ask_daemons (endpoints, count, &request, S_TIMEOUT_MS, replies, whys, states);
    for (size_t i = 0; i < count; i++) {
        const char *why = whys[i];
        jy_envelope_t *reply = replies[i];
        if (reply && reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY) {
            why = "unexpected reply to Status";
            jy_envelope_free (&reply);
        }
        const char *mode = NULL, *today = NULL;
        if (reply) {
            running++;
            Journey__V1__StatusReply *status = reply->status_reply;
            mode = status->clock_mode && *status->clock_mode ? status->clock_mode : "unknown";
            today = status->today && *status->today ? status->today : "unknown";
        }
        if (results)
            json_array_append_new (
                results, json_pack ("{s:s, s:s, s:b, s:o, s:o}", "service", endpoints[i].service,
                                    "endpoint", endpoints[i].endpoint, "running", reply != NULL,
                                    "clock_mode", mode ? json_string (mode) : json_null (), "today",
                                    today ? json_string (today) : json_null ()));
        else if (reply)
            printf ("%s: %s clock, today %s\n", endpoints[i].service, mode, today);
        else
            printf ("%s: %s\n", endpoints[i].service, why);
        jy_envelope_free (&reply);
    }
    if (results)
        cli_print_json (results);
    else
        fflush (stdout);
    if (running == 0)
        return cli_fail ("no daemon running");
    return CLI_OK;
}

int cmd_clock (cli_t *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs (s_usage_text, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp (sub, "--help") == 0 || strcmp (sub, "-h") == 0 || strcmp (sub, "help") == 0) {
        fputs (s_usage_text, stdout);
        return CLI_OK;
    }
    static const cli_option_t no_options[] = {{NULL, 0, NULL, 0, 0, NULL}};
    bool set = strcmp (sub, "set") == 0;
    if (!set && strcmp (sub, "show") != 0) {
        for (int i = 2; i < argc; i++)
            if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
                fputs (s_usage_text, stdout);
                return CLI_OK;
            }
        return cli_usage ("clock: unknown sub-command \"%s\" (journey clock --help)", sub);
    }
    const cli_options_t spec = set ? (cli_options_t){"clock set", s_set_options, 1, false}
                                   : (cli_options_t){"clock show", no_options, 0, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 2, &parsed);
    if (parse == CLI_HELP) {
        fputs (s_usage_text, stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    return set ? s_set (cli, &parsed) : s_show (cli);
}
