/*  journey generate: a synthetic authority's history as JSON lines (generator.c).

        journey generate --la CODE --children N --years Y --seed S [--end YYYY-MM-DD]
                         [--out FILE]

    The events go to stdout (or FILE) and nothing else does; a one-line summary goes to stderr.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "generator.h"

#define S_DEFAULT_END "2025-03-31"

static const char *s_usage_text =
    "usage: journey generate --la CODE --children N --years Y --seed S [--end YYYY-MM-DD]\n"
    "                        [--out FILE]\n"
    "  --la CODE       three-digit DfE LA code, e.g. 872\n"
    "  --children N    children registered, 1..10000000\n"
    "  --years Y       years of history before --end, 1..20\n"
    "  --seed S        non-negative integer; the same arguments give the same bytes\n"
    "  --end DATE      last day of the history (default " S_DEFAULT_END ")\n"
    "  --out FILE      write there instead of stdout\n";

//  generate's options, by their index in s_generate_options.
enum { S_GEN_LA, S_GEN_CHILDREN, S_GEN_YEARS, S_GEN_SEED, S_GEN_END, S_GEN_OUT };
static const cli_option_t s_generate_options[] = {
    [S_GEN_LA] = {"--la", CLI_OPTION_TEXT, "a three-digit LA code", 0, 0, NULL},
    [S_GEN_CHILDREN] = {"--children", CLI_OPTION_NUMBER, "a number of children", 1,
                        GENERATOR_MAX_CHILDREN, NULL},
    [S_GEN_YEARS] = {"--years", CLI_OPTION_NUMBER, "a number of years", 1, GENERATOR_MAX_YEARS,
                     NULL},
    [S_GEN_SEED] = {"--seed", CLI_OPTION_NUMBER, "a seed", 0, UINT64_MAX, NULL},
    [S_GEN_END] = {"--end", CLI_OPTION_TEXT, "a date YYYY-MM-DD", 0, 0, NULL},
    [S_GEN_OUT] = {"--out", CLI_OPTION_TEXT, "a FILE", 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

int cmd_generate (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"generate", s_generate_options, 0, false};
    cli_parsed_t parsed;
    int exit_code;
    if (!cli_options_read (&spec, argc, argv, 1, s_usage_text, &parsed, &exit_code))
        return exit_code;
    const cli_value_t *values = parsed.values;
    static const int required[] = {S_GEN_LA, S_GEN_CHILDREN, S_GEN_YEARS, S_GEN_SEED};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!values[required[i]].given) {
            fputs (s_usage_text, stderr);
            return cli_usage ("generate: %s is required", s_generate_options[required[i]].name);
        }
    const char *la = values[S_GEN_LA].text;
    const char *end = values[S_GEN_END].given ? values[S_GEN_END].text : S_DEFAULT_END;
    const char *out_path = values[S_GEN_OUT].text;

    generator_params_t params = {0};
    if (strlen (la) != 3 || strspn (la, "0123456789") != 3)
        return cli_usage ("generate: --la must be three digits, got \"%s\"", la);
    memcpy (params.la_code, la, 4);
    params.children = (uint32_t) values[S_GEN_CHILDREN].number;
    params.years = (int) values[S_GEN_YEARS].number;
    params.seed = values[S_GEN_SEED].number;
    if (jy_date_parse (end, &params.end) != 0)
        return cli_usage ("generate: --end must be a date YYYY-MM-DD, got \"%s\"", end);
    if (!generator_end_valid (params.end, params.years))
        return cli_usage ("generate: --end %s with --years %d is outside the supported range "
                          "(history from 1995-01-01, ending by 2075-12-31)",
                          end, params.years);

    FILE *out = stdout;
    if (out_path && !(out = fopen (out_path, "w")))
        return cli_fail ("generate: cannot write %s: %s", out_path, strerror (errno));
    //  Large writes: the output is the whole point.
    static char buffer[1 << 20];
    setvbuf (out, buffer, _IOFBF, sizeof (buffer));

    generator_t *generator = generator_new (&params);
    int rc = generator_write (generator, out);
    int saved = errno;
    uint64_t events = generator_event_count (generator);
    generator_destroy (&generator);
    int closed = out == stdout ? fflush (stdout) : fclose (out);
    if (closed != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0)
        return cli_fail ("generate: writing %s failed: %s", out_path ? out_path : "stdout",
                         strerror (saved));
    (void) cli;
    fprintf (stderr,
             "generated %" PRIu64 " events for %u children over %d years (la %s, seed %" PRIu64
             ")\n",
             events, params.children, params.years, params.la_code, params.seed);
    return CLI_OK;
}
