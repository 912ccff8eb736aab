/*  cli_options: the one option parser of the journey commands. Each rule of cli_options.h,
    and each message naming the option, checked on argv as a person would type it.
*/
#include "jy_test.h"
#include "cli_options.h"

#include <stdint.h>

enum { S_BATCH, S_WAIT, S_NAME, S_TEAM, S_FORMAT, S_CONFIG };
static const cli_option_t s_options[] = {
    [S_BATCH] = {"--batch", CLI_OPTION_NUMBER, "a number", 1, 100, NULL},
    [S_WAIT] = {"--wait", CLI_OPTION_FLAG, NULL, 0, 0, "-w"},
    [S_NAME] = {"--name", CLI_OPTION_TEXT, "a NAME", 0, 0, NULL},
    [S_TEAM] = {"--team", CLI_OPTION_NAME, NULL, 0, 0, NULL},
    [S_FORMAT] = {"--format", CLI_OPTION_LIST, NULL, 0, 0, NULL},
    [S_CONFIG] = {"--config", CLI_OPTION_TEXT, "a FILE", 0, 0, "-c"},
    {NULL, 0, NULL, 0, 0, NULL},
};

//  Parse words (NULL-ended) as "test sub" would be; the result code.
static int s_parse (cli_parsed_t *parsed, size_t max_args, bool stop, char **words)
{
    int argc = 0;
    while (words[argc])
        argc++;
    cli_options_t spec = {"test sub", s_options, max_args, stop};
    return cli_options_parse (&spec, argc, words, 0, parsed);
}

#define PARSE(parsed, max_args, ...)                                                               \
    s_parse ((parsed), (max_args), false, (char *[]){__VA_ARGS__, NULL})

int main (void)
{
    cli_parsed_t parsed;

    //  Options anywhere among the operands; "--name value" and "--name=value" alike.
    CHECK_INT (PARSE (&parsed, 2, "a", "--batch", "7", "--wait", "--name=x y", "b"), 0);
    CHECK_INT (parsed.nargs, 2);
    CHECK_STR (parsed.args[0], "a");
    CHECK_STR (parsed.args[1], "b");
    CHECK (parsed.values[S_BATCH].given);
    CHECK_INT (parsed.values[S_BATCH].number, 7);
    CHECK (parsed.values[S_WAIT].given);
    CHECK (parsed.values[S_WAIT].text == NULL);
    CHECK_STR (parsed.values[S_NAME].text, "x y");
    CHECK (!parsed.values[S_TEAM].given);

    //  The last value wins; a list keeps every value, in order; an alias is the option.
    CHECK_INT (
        PARSE (&parsed, 0, "--name", "a", "--name", "b", "--format", "html", "--format=csv", "-w"),
        0);
    CHECK_STR (parsed.values[S_NAME].text, "b");
    CHECK_INT (parsed.values[S_NAME].count, 2);
    CHECK_INT (parsed.values[S_FORMAT].count, 2);
    CHECK_STR (parsed.values[S_FORMAT].texts[0], "html");
    CHECK_STR (parsed.values[S_FORMAT].texts[1], "csv");
    CHECK (parsed.values[S_WAIT].given);

    //  "-" and "-5" are operands; "--" ends the options; a value may start with a dash.
    CHECK_INT (PARSE (&parsed, 4, "-", "-5", "--", "--wait", "--name"), 0);
    CHECK_INT (parsed.nargs, 4);
    CHECK_STR (parsed.args[1], "-5");
    CHECK_STR (parsed.args[2], "--wait");
    CHECK (!parsed.values[S_WAIT].given);
    CHECK_INT (PARSE (&parsed, 0, "--name", "-x"), 0);
    CHECK_STR (parsed.values[S_NAME].text, "-x");

    //  Help, wherever it comes; before any mistake after it.
    CHECK_INT (PARSE (&parsed, 0, "--batch", "5", "-h", "--bogus"), CLI_HELP);
    CHECK_INT (PARSE (&parsed, 0, "--help"), CLI_HELP);

    //  Each mistake: usage (2) and a message naming the option, after the command.
    CHECK_INT (PARSE (&parsed, 0, "--bogus"), 2);
    CHECK_STR (parsed.error, "test sub: unknown option \"--bogus\" (journey test --help)");
    CHECK_INT (PARSE (&parsed, 0, "-x"), 2);
    CHECK_STR (parsed.error, "test sub: unknown option \"-x\" (journey test --help)");
    CHECK_INT (PARSE (&parsed, 0, "--batch"), 2);
    CHECK_STR (parsed.error, "test sub: --batch needs a number");
    CHECK_INT (PARSE (&parsed, 0, "--name"), 2);
    CHECK_STR (parsed.error, "test sub: --name needs a NAME");
    CHECK_INT (PARSE (&parsed, 0, "--format"), 2);
    CHECK_STR (parsed.error, "test sub: --format needs a value");
    CHECK_INT (PARSE (&parsed, 0, "--batch", "0"), 2);
    CHECK_STR (parsed.error, "test sub: --batch must be a whole number from 1 to 100, got \"0\"");
    CHECK_INT (PARSE (&parsed, 0, "--batch=101"), 2);
    CHECK_STR (parsed.error, "test sub: --batch must be a whole number from 1 to 100, got \"101\"");
    CHECK_INT (PARSE (&parsed, 0, "--batch", " 5"), 2);
    CHECK_INT (PARSE (&parsed, 0, "--batch", "5x"), 2);
    CHECK_INT (PARSE (&parsed, 0, "--batch", "+5"), 2);
    CHECK_INT (PARSE (&parsed, 0, "--batch", "99999999999999999999999"), 2);
    CHECK_INT (PARSE (&parsed, 0, "--team", ""), 2);
    CHECK_STR (parsed.error, "test sub: --team needs a value");
    CHECK_INT (PARSE (&parsed, 0, "--name", ""), 0); //  TEXT takes "", NAME does not
    CHECK_INT (PARSE (&parsed, 0, "--wait=yes"), 2);
    CHECK_STR (parsed.error, "test sub: --wait takes no value (got \"yes\")");
    CHECK_INT (PARSE (&parsed, 1, "a", "b"), 2);
    CHECK_STR (parsed.error, "test sub: unexpected argument \"b\"");
    char *many[] = {"--format", "x", "--format", "x", "--format", "x", "--format", "x",
                    "--format", "x", "--format", "x", "--format", "x", "--format", "x",
                    "--format", "x", "--format", "x", "--format", "x", "--format", "x",
                    "--format", "x", "--format", "x", "--format", "x", "--format", "x",
                    "--format", "x", NULL};
    CHECK_INT (s_parse (&parsed, 0, false, many), 2);
    CHECK_STR (parsed.error, "test sub: --format given more than 16 times");

    //  journey's own options: the first operand (the command) ends them; -cFILE and -c FILE.
    CHECK_INT (s_parse (&parsed, 0, true, (char *[]){"-cjourney.cfg", "status", "--bogus", NULL}),
               0);
    CHECK_INT (parsed.rest, 1);
    CHECK_STR (parsed.values[S_CONFIG].text, "journey.cfg");
    CHECK_INT (s_parse (&parsed, 0, true, (char *[]){"-c", "a.cfg", NULL}), 0);
    CHECK_INT (parsed.rest, 2);
    CHECK_STR (parsed.values[S_CONFIG].text, "a.cfg");

    return jy_test_summary ("unit.cli_options");
}
