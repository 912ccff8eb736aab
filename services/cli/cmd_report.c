/*  journey report: ask journey-reportingd for a board pack.

        journey report board-pack [--la CODE] --from DATE --to DATE
                                  [--format html|csv|json ...] [--out DIR]

    The daemon builds the pack (through the read-only reporting role) and writes it under DIR,
    which is made absolute here because the daemon's working directory is not ours. The command
    prints each path written and the headline figures: every measure with its value, rating and
    direction of travel. docs/reporting.md describes the pack.
*/
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_STATUS_TIMEOUT_MS 2000

static const char *s_usage_text =
    "usage: journey report board-pack [--la CODE] --from DATE --to DATE\n"
    "                                 [--format html|csv|json ...] [--out DIR]\n"
    "  --la CODE       the LA's three-digit DfE code (default la/code)\n"
    "  --from DATE     first day of the period (YYYY-MM-DD)\n"
    "  --to DATE       last day of the period, included\n"
    "  --format F      html, csv or json; repeat it or give a comma list (default all three)\n"
    "  --out DIR       where the files go (default reporting/out_dir of the daemon)\n"
    "  --requested-by NAME   who is asking, for the daemon's log (default $USER)\n"
    "options: --json  the daemon's answer as JSON\n"
    "The pack is written by journey-reportingd; the command prints the paths and headlines.\n";

static bool s_is_la_code (const char *text)
{
    return strlen (text) == 3 && text[0] >= '0' && text[0] <= '9' && text[1] >= '0' &&
           text[1] <= '9' && text[2] >= '0' && text[2] <= '9';
}

static int s_print (cli_t *cli, Journey__V1__ReportReply *answer)
{
    if (cli->json) {
        json_t *paths = json_array ();
        for (size_t i = 0; i < answer->n_paths; i++)
            json_array_append_new (paths, json_string (answer->paths[i]));
        json_t *headlines = json_array ();
        for (size_t i = 0; i < answer->n_headlines; i++) {
            Journey__V1__Headline *h = answer->headlines[i];
            json_array_append_new (
                headlines, json_pack ("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "measure", h->measure,
                                      "label", h->label, "value", h->value, "rating", h->rating,
                                      "direction", h->direction, "target", h->target));
        }
        cli_print_json (json_pack (
            "{s:b, s:s?, s:s?, s:s?, s:s?, s:I, s:o, s:o}", "ok", answer->ok, "code", answer->code,
            "message", answer->message, "from", answer->from, "to", answer->to, "elapsed_ms",
            (json_int_t) answer->elapsed_ms, "paths", paths, "headlines", headlines));
    } else if (answer->ok) {
        printf ("board pack %s to %s, made in %.1f s:\n", answer->from ? answer->from : "?",
                answer->to ? answer->to : "?", (double) answer->elapsed_ms / 1000.0);
        for (size_t i = 0; i < answer->n_paths; i++)
            printf ("  %s\n", answer->paths[i]);
        printf ("headline figures:\n");
        for (size_t i = 0; i < answer->n_headlines; i++) {
            Journey__V1__Headline *h = answer->headlines[i];
            const char *rating = h->rating && *h->rating ? h->rating : "-";
            printf ("  %-60s %10s  %-5s", h->label ? h->label : "",
                    h->value && *h->value ? h->value : "no data", rating);
            if (h->target && *h->target)
                printf ("  target %s", h->target);
            if (h->direction && *h->direction)
                printf ("  (%s)", h->direction);
            putchar ('\n');
        }
        fflush (stdout);
    }
    if (!answer->ok)
        return cli_fail ("report board-pack: %s: %s", answer->code ? answer->code : "failed",
                         answer->message ? answer->message : "no reason given");
    return CLI_OK;
}

enum { S_PACK_LA, S_PACK_FROM, S_PACK_TO, S_PACK_OUT, S_PACK_BY, S_PACK_FORMAT };
static const cli_option_t s_pack_options[] = {
    [S_PACK_LA] = {"--la", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_PACK_FROM] = {"--from", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_PACK_TO] = {"--to", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_PACK_OUT] = {"--out", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_PACK_BY] = {"--requested-by", CLI_OPTION_TEXT, NULL, 0, 0, NULL},
    [S_PACK_FORMAT] = {"--format", CLI_OPTION_LIST, NULL, 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

static int s_board_pack (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"report board-pack", s_pack_options, 0, false};
    cli_parsed_t parsed;
    int exit_code;
    if (!cli_options_read (&spec, argc, argv, 2, s_usage_text, &parsed, &exit_code))
        return exit_code;
    const cli_value_t *values = parsed.values;
    const char *la = values[S_PACK_LA].text, *from = values[S_PACK_FROM].text;
    const char *to = values[S_PACK_TO].text, *out = values[S_PACK_OUT].text;
    const char *by = values[S_PACK_BY].given ? values[S_PACK_BY].text : getenv ("USER");
    const char *const *formats = values[S_PACK_FORMAT].texts;
    size_t format_count = values[S_PACK_FORMAT].count;
    if (!from || !to) {
        fputs (s_usage_text, stderr);
        return cli_usage ("report board-pack: %s is required", !from ? "--from" : "--to");
    }
    jy_date_t first, last;
    if (cli_parse_date ("report board-pack: --from", from, &first) != CLI_OK ||
        cli_parse_date ("report board-pack: --to", to, &last) != CLI_OK)
        return CLI_USAGE;
    if (last < first)
        return cli_usage ("report board-pack: --to %s is before --from %s", to, from);
    if (!la)
        jy_config_key_string (cli->config, JY_KEY_LA_CODE, &la);
    if (!la || !s_is_la_code (la))
        return cli_usage ("report board-pack: --la \"%s\" is not a three-digit DfE LA code%s",
                          la ? la : "", la && *la ? "" : " (and la/code is not set)");
    for (size_t i = 0; i < format_count; i++)
        for (const char *word = formats[i]; word;) {
            const char *comma = strchr (word, ',');
            size_t length = comma ? (size_t) (comma - word) : strlen (word);
            if (!((length == 4 && strncmp (word, "html", 4) == 0) ||
                  (length == 3 && strncmp (word, "csv", 3) == 0) ||
                  (length == 4 && strncmp (word, "json", 4) == 0)))
                return cli_usage ("report board-pack: --format \"%.*s\" is not html, csv or json",
                                  (int) length, word);
            word = comma ? comma + 1 : NULL;
        }
    char absolute[PATH_MAX + 2] = "";
    if (out && *out) {
        char cwd[PATH_MAX];
        if (out[0] == '/')
            snprintf (absolute, sizeof absolute, "%s", out);
        else if (getcwd (cwd, sizeof cwd))
            snprintf (absolute, sizeof absolute, "%.2000s/%.2000s", cwd, out);
        else
            return cli_fail ("report board-pack: cannot tell the working directory");
    }
    const char *endpoint = jy_config_get (cli->config, "reporting/request");
    if (!endpoint || !*endpoint)
        return cli_fail ("report board-pack: reporting/request is not configured");
    long timeout_ms;
    if (jy_config_int (cli->config, "report/reply_timeout_ms", 600000, 1000, 86400000, &timeout_ms))
        return cli_fail ("%s", jy_config_error (cli->config));

    //  A quick Status first: a daemon that is not running is said at once, not after the
    //  long wait a large pack may need.
    const char *why = NULL;
    jy_envelope_t status_request;
    Journey__V1__StatusRequest status_body;
    cli_status_request (&status_request, &status_body);
    jy_envelope_t *status = cli_request (endpoint, &status_request, S_STATUS_TIMEOUT_MS, &why);
    if (!status)
        return cli_fail ("report board-pack: journey-reportingd at %s: %s", endpoint, why);
    jy_envelope_free (&status);

    Journey__V1__ReportRequest body = JOURNEY__V1__REPORT_REQUEST__INIT;
    char from_text[JY_DATE_TEXT_SIZE], to_text[JY_DATE_TEXT_SIZE];
    body.kind = "board-pack";
    body.la_code = (char *) la;
    body.from = jy_date_format (first, from_text);
    body.to = jy_date_format (last, to_text);
    body.n_formats = format_count;
    body.formats = (char **) formats;
    body.out = absolute;
    body.requested_by = (char *) (by ? by : "");
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST;
    request.report_request = &body;
    jy_envelope_t *reply = cli_request (endpoint, &request, (int) timeout_ms, &why);
    if (!reply)
        return cli_fail ("report board-pack: no answer from journey-reportingd in %ld ms: %s",
                         timeout_ms, why);
    int rc;
    if (reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REPLY)
        rc = s_print (cli, reply->report_reply);
    else if (reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY)
        rc = cli_fail ("report board-pack: %s: %s",
                       reply->reply->code ? reply->reply->code : "refused",
                       reply->reply->message ? reply->reply->message : "");
    else
        rc = cli_fail ("report board-pack: unexpected answer from journey-reportingd");
    jy_envelope_free (&reply);
    return rc;
}

int cmd_report (cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
        strcmp (argv[1], "help") == 0) {
        fputs (s_usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp (argv[1], "board-pack") == 0)
        return s_board_pack (cli, argc, argv);
    return cli_usage ("report: unknown report \"%s\" (journey report --help)", argv[1]);
}
