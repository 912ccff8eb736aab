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

//  A whole non-negative decimal number: no sign, blanks or trailing text. 0 or -1.
static int s_unsigned (const char *text, unsigned long long max, unsigned long long *value)
{
    if (*text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long number = strtoull (text, &end, 10);
    if (*end || errno == ERANGE || number > max)
        return -1;
    *value = number;
    return 0;
}

int cmd_generate (cli_t *cli, int argc, char **argv)
{
    const char *la = NULL, *children = NULL, *years = NULL, *seed = NULL;
    const char *end = S_DEFAULT_END, *out_path = NULL;
    static const char *names[] = {"--la", "--children", "--years", "--seed", "--end", "--out"};
    const char **values[] = {&la, &children, &years, &seed, &end, &out_path};

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            fputs (s_usage_text, stdout);
            return CLI_OK;
        }
        size_t which = 0, count = sizeof (names) / sizeof (names[0]);
        const char *value = NULL;
        for (; which < count; which++) {
            size_t length = strlen (names[which]);
            if (strcmp (arg, names[which]) == 0) {
                if (i + 1 >= argc)
                    return cli_usage ("generate: %s needs a value", names[which]);
                value = argv[++i];
                break;
            }
            if (strncmp (arg, names[which], length) == 0 && arg[length] == '=') {
                value = arg + length + 1;
                break;
            }
        }
        if (which == count) {
            fputs (s_usage_text, stderr);
            return cli_usage ("generate: unknown argument \"%s\"", arg);
        }
        *values[which] = value;
    }
    if (!la || !children || !years || !seed) {
        fputs (s_usage_text, stderr);
        return cli_usage ("generate: %s is required", !la         ? "--la"
                                                      : !children ? "--children"
                                                      : !years    ? "--years"
                                                                  : "--seed");
    }

    generator_params_t params = {0};
    if (strlen (la) != 3 || strspn (la, "0123456789") != 3)
        return cli_usage ("generate: --la must be three digits, got \"%s\"", la);
    memcpy (params.la_code, la, 4);
    unsigned long long number;
    if (s_unsigned (children, GENERATOR_MAX_CHILDREN, &number) != 0 || number < 1)
        return cli_usage ("generate: --children must be 1..%d, got \"%s\"", GENERATOR_MAX_CHILDREN,
                          children);
    params.children = (uint32_t) number;
    if (s_unsigned (years, GENERATOR_MAX_YEARS, &number) != 0 || number < 1)
        return cli_usage ("generate: --years must be 1..%d, got \"%s\"", GENERATOR_MAX_YEARS,
                          years);
    params.years = (int) number;
    if (s_unsigned (seed, UINT64_MAX, &number) != 0)
        return cli_usage ("generate: --seed must be a non-negative integer, got \"%s\"", seed);
    params.seed = (uint64_t) number;
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
