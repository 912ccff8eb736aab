/*  cli_options: the one option parser of every journey command (cli_options.h). */
#include "cli_options.h"

#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_USAGE 2 //  CLI_USAGE (cli.h), without pulling the rest of the CLI in

//  Say what is wrong, after the command's name, on stderr and in parsed->error.
__attribute__ ((format (printf, 3, 4))) static int
s_usage (const cli_options_t *spec, cli_parsed_t *parsed, const char *format, ...)
{
    int used = 0;
    if (*spec->command)
        used = snprintf (parsed->error, sizeof parsed->error, "%s: ", spec->command);
    va_list args;
    va_start (args, format);
    vsnprintf (parsed->error + used, sizeof parsed->error - (size_t) used, format, args);
    va_end (args);
    fprintf (stderr, "journey: %s\n", parsed->error);
    return S_USAGE;
}

//  A whole number, digits only (strtoull would take blanks, a sign and trailing junk).
static int s_number (const char *text, uint64_t *value)
{
    if (*text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long number = strtoull (text, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *value = number;
    return 0;
}

//  "-" is stdin and "-5" a number: operands, not options.
static bool s_is_operand (const char *word)
{
    return word[0] != '-' || word[1] == '\0' || (word[1] >= '0' && word[1] <= '9');
}

//  The option a word names ("--name", "--name=value", an alias, or an alias with its value
//  attached: "-cFILE"), with *value pointing at an attached value. -1 when none.
static int s_find (const cli_option_t *options, const char *word, const char **value)
{
    *value = NULL;
    for (int i = 0; options[i].name; i++) {
        size_t length = strlen (options[i].name);
        if (strncmp (word, options[i].name, length) == 0 &&
            (word[length] == '\0' || word[length] == '=')) {
            if (word[length] == '=')
                *value = word + length + 1;
            return i;
        }
        const char *alias = options[i].alias;
        if (alias && strncmp (word, alias, strlen (alias)) == 0) {
            if (word[strlen (alias)] == '\0')
                return i;
            if (options[i].type != CLI_OPTION_FLAG) {
                *value = word + strlen (alias);
                return i;
            }
        }
    }
    return -1;
}

//  Where the help for a command is: the first word of the command's name.
static void s_help_hint (const cli_options_t *spec, char *hint, size_t size)
{
    size_t length = strcspn (spec->command, " ");
    if (length == 0)
        snprintf (hint, size, "journey --help lists them");
    else
        snprintf (hint, size, "journey %.*s --help", (int) length, spec->command);
}

static int s_take (const cli_options_t *spec, cli_parsed_t *parsed, int index, const char *value)
{
    const cli_option_t *option = &spec->options[index];
    cli_value_t *slot = &parsed->values[index];
    if (option->type == CLI_OPTION_FLAG) {
        if (value)
            return s_usage (spec, parsed, "%s takes no value (got \"%s\")", option->name, value);
        slot->given = true;
        slot->count++;
        return 0;
    }
    const char *needs = option->value ? option->value : "a value";
    if (!value || (option->type == CLI_OPTION_NAME && !*value))
        return s_usage (spec, parsed, "%s needs %s", option->name, needs);
    if (option->type == CLI_OPTION_NUMBER) {
        uint64_t number;
        if (s_number (value, &number) != 0 || number < option->min || number > option->max) {
            //  A bound no one could type is no bound worth printing.
            if (option->max >= INT64_MAX)
                return s_usage (spec, parsed,
                                "%s must be a whole number from %" PRIu64 ", got \"%s\"",
                                option->name, option->min, value);
            return s_usage (spec, parsed,
                            "%s must be a whole number from %" PRIu64 " to %" PRIu64 ", got \"%s\"",
                            option->name, option->min, option->max, value);
        }
        slot->number = number;
    }
    if (option->type == CLI_OPTION_LIST) {
        if (slot->count == CLI_REPEAT_MAX)
            return s_usage (spec, parsed, "%s given more than %d times", option->name,
                            CLI_REPEAT_MAX);
        slot->texts[slot->count] = value;
    }
    slot->given = true;
    slot->text = value;
    slot->count++;
    return 0;
}

int cli_options_parse (const cli_options_t *spec, int argc, char **argv, int first,
                       cli_parsed_t *parsed)
{
    assert (spec && spec->command && spec->options && parsed);
    memset (parsed, 0, sizeof *parsed);
    parsed->rest = argc;
    bool options_ended = false;
    for (int i = first; i < argc; i++) {
        const char *word = argv[i];
        if (!options_ended && strcmp (word, "--") == 0) {
            options_ended = true;
            continue;
        }
        if (options_ended || s_is_operand (word)) {
            if (spec->stop_at_operand) {
                parsed->rest = i;
                return 0;
            }
            if (parsed->nargs == spec->max_args || parsed->nargs == CLI_ARGS_MAX)
                return s_usage (spec, parsed, "unexpected argument \"%s\"", word);
            parsed->args[parsed->nargs++] = word;
            continue;
        }
        if (strcmp (word, "--help") == 0 || strcmp (word, "-h") == 0)
            return CLI_HELP;
        const char *value;
        int index = s_find (spec->options, word, &value);
        if (index < 0) {
            char hint[64];
            s_help_hint (spec, hint, sizeof hint);
            return s_usage (spec, parsed, "unknown option \"%s\" (%s)", word, hint);
        }
        assert (index < CLI_OPTIONS_MAX);
        const cli_option_t *option = &spec->options[index];
        if (!value && option->type != CLI_OPTION_FLAG && i + 1 < argc)
            value = argv[++i];
        int rc = s_take (spec, parsed, index, value);
        if (rc != 0)
            return rc;
    }
    return 0;
}

bool cli_options_read (const cli_options_t *spec, int argc, char **argv, int first,
                       const char *usage, cli_parsed_t *parsed, int *exit_code)
{
    assert (usage && exit_code);
    int parse = cli_options_parse (spec, argc, argv, first, parsed);
    if (parse == CLI_OK)
        return true;
    fputs (usage, parse == CLI_HELP ? stdout : stderr);
    *exit_code = parse == CLI_HELP ? CLI_OK : parse;
    return false;
}
