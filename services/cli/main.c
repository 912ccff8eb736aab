/*  journey: the operator's and integrator's command-line tool.

    journey [-c FILE] [--json] COMMAND [ARGS...]

    Global options come before the command, except --json, which is also accepted anywhere
    after it (people type it last). Every command reads the rest with the one option parser
    (cli_options.h): the same rules and messages everywhere.
*/
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *name;
    cli_command_fn *run;
    const char *summary;
} s_command_t;

//  Commands as they exist; each further command joins this table when it lands.
static const s_command_t s_commands[] = {
    {"migrate", cmd_migrate, "apply the database migrations in deploy/migrations"},
    {"status", cmd_status, "database migrations and each daemon's health, clock and feeds"},
    {"calendar", cmd_calendar, "working days: add, between, holidays, import bank holidays"},
    {"clock", cmd_clock, "show or set the daemons' simulated clock (clock set DATE)"},
    {"generate", cmd_generate,
     "a synthetic authority's history as JSON lines (--la --children --years --seed)"},
    {"push", cmd_push,
     "send JSON lines of events to journey-ingestd (push FILE|- [--batch N] [--wait])"},
    {"report", cmd_report,
     "a board pack from journey-reportingd (report board-pack --from --to --format --out)"},
    {"deadlines", cmd_deadlines, "a child's deadlines from journey-timelinessd (deadlines CHILD)"},
    {"alerts", cmd_alerts, "the alert feed (alerts [--follow] [--since SEQ] [--team T])"},
    {"dispute", cmd_dispute,
     "the IRO / CP chair dispute ladder (dispute raise|respond|escalate|resolve|...|verify)"},
    {"keygen", cmd_keygen,
     "a CURVE certificate pair: NAME and NAME.pub (keygen NAME [--la-codes L] [--reports])"},
};
#define S_COMMAND_COUNT (sizeof s_commands / sizeof s_commands[0])

static void s_help (FILE *out)
{
    fprintf (out,
             "usage: journey [-c FILE] [--json] COMMAND [ARGS...]\n"
             "\n"
             "options:\n"
             "  -c, --config FILE  deployment configuration (default: $JOURNEY_CONFIG, then\n"
             "                     only the defaults in %s)\n"
             "  --json             machine-readable output on stdout (anywhere on the line)\n"
             "  -h, --help         this help\n"
             "  --version          print the version\n"
             "\n"
             "commands:\n",
             jy_config_default_defaults_path ());
    for (size_t i = 0; i < S_COMMAND_COUNT; i++)
        fprintf (out, "  %-10s %s\n", s_commands[i].name, s_commands[i].summary);
    fprintf (out, "\n'journey COMMAND --help' describes a command. Its options go anywhere after\n"
                  "it, as --name VALUE or --name=VALUE; -- ends them. Exit status: 0 done, 1\n"
                  "failed, 2 usage error (the message names the option).\n");
}

//  Take every --json out of argv (up to a "--"), so that commands never see it.
static bool s_take_json (int *argc, char **argv)
{
    bool found = false;
    int out = 1;
    bool rest = false;
    for (int i = 1; i < *argc; i++) {
        if (!rest && strcmp (argv[i], "--") == 0)
            rest = true;
        if (!rest && strcmp (argv[i], "--json") == 0) {
            found = true;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return found;
}

//  Logging: the CLI is quiet (warnings and errors) unless JOURNEY_LOG_LEVEL asks otherwise.
//  The files' log/level is the daemons' setting. A bad value is still an error.
static int s_setup_log (jy_config_t *config)
{
    static const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
    int index = JY_LOG_WARNING;
    if (jy_config_choice (config, "log/level", levels, JY_LOG_WARNING, &index) != 0)
        return -1;
    const char *origin = jy_config_origin (config, "log/level");
    if (strncmp (origin, "environment ", 12) != 0)
        index = JY_LOG_WARNING;
    jy_log_init ("journey", (jy_log_level_t) index);
    return 0;
}

int main (int argc, char **argv)
{
    cli_t cli = {0};
    cli.json = s_take_json (&argc, argv);

    enum { S_MAIN_CONFIG, S_MAIN_VERSION };
    static const cli_option_t options[] = {
        [S_MAIN_CONFIG] = {"--config", CLI_OPTION_TEXT, "a FILE", 0, 0, "-c"},
        [S_MAIN_VERSION] = {"--version", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    //  stop_at_operand: the command ends journey's own options; what follows is the command's.
    static const cli_options_t spec = {"", options, 0, true};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        s_help (stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    if (parsed.values[S_MAIN_VERSION].given) {
        printf ("journey %s\n", JOURNEY_VERSION);
        return CLI_OK;
    }
    const char *config_path = parsed.values[S_MAIN_CONFIG].text;
    if (parsed.rest >= argc) {
        s_help (stderr);
        return CLI_USAGE;
    }
    const char *name = argv[parsed.rest];
    const s_command_t *command = NULL;
    for (size_t i = 0; i < S_COMMAND_COUNT; i++)
        if (strcmp (name, s_commands[i].name) == 0)
            command = &s_commands[i];
    if (!command)
        return cli_usage ("unknown command \"%s\" (journey --help lists them)", name);

    if (!config_path)
        config_path = jy_config_env_path ();
    char err[1024];
    cli.config = jy_config_load (config_path, jy_config_default_defaults_path (), err, sizeof err);
    if (!cli.config)
        return cli_fail ("%s", err);
    int rc = CLI_FAIL;
    if (s_setup_log (cli.config) != 0)
        cli_fail ("%s", jy_config_error (cli.config));
    else {
        //  "Today" is the authority's date, as the daemons see it.
        const char *zone = NULL;
        jy_config_key_string (cli.config, JY_KEY_LA_TIMEZONE, &zone);
        setenv ("TZ", zone, 1);
        tzset ();
        //  CURVE for every socket a command connects (docs/security.md); a mistake in the
        //  security section is reported by the first socket, so keygen runs regardless.
        jy_security_t *security = jy_security_new (cli.config, JY_SECURITY_CLIENT);
        jy_security_set_process (security);
        rc = command->run (&cli, argc - parsed.rest, argv + parsed.rest);
        jy_security_destroy (&security);
    }
    jy_config_destroy (&cli.config);
    return rc;
}
