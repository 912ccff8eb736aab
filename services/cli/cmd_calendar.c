/*  journey calendar: working-day arithmetic on the command line, and the import of gov.uk
    bank holidays into the database (docs/calendar.md).

        journey calendar add DATE N
        journey calendar between A B
        journey calendar holidays FROM TO
        journey calendar import FILE [--division NAME]
*/
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define S_RANGE_TEXT "1990-01-01..2100-12-31"
#define S_MAX_FILE   (16 * 1024 * 1024) //  the real feed is about 20 kB
#define S_MAX_ARGS   4

static const char *s_usage_text =
    "usage: journey calendar add DATE N        the Nth working day after DATE (DATE is day 0)\n"
    "       journey calendar between A B       working days d with A < d <= B\n"
    "       journey calendar holidays FROM TO  bank holidays and closures from FROM to TO\n"
    "       journey calendar import FILE [--division NAME]\n"
    "                                          store gov.uk bank-holidays JSON (FILE or -)\n"
    "                                          in the database\n"
    "options: --json  machine-readable output\n"
    "Dates are YYYY-MM-DD in " S_RANGE_TEXT ".\n";

//  The arguments after the sub-command, with the options taken out.
typedef struct {
    const char *command;
    const char *args[S_MAX_ARGS];
    int nargs;
    const char *division;
} s_args_t;

static int s_subcommand_usage (const char *synopsis)
{
    fprintf (stderr, "usage: journey calendar %s\n", synopsis);
    return CLI_USAGE;
}

static const cli_option_t s_calendar_options[] = {
    {"--division", CLI_OPTION_TEXT, "a NAME", 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

//  Options may come anywhere, before or after the sub-command; "-" and "-5" are arguments.
//  Returns CLI_OK, CLI_USAGE after a message, or CLI_HELP.
static int s_parse_args (int argc, char **argv, s_args_t *args)
{
    static const cli_options_t spec = {"calendar", s_calendar_options, S_MAX_ARGS + 1, false};
    cli_parsed_t parsed;
    memset (args, 0, sizeof (*args));
    int rc = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (rc != CLI_OK)
        return rc;
    args->division = parsed.values[0].text;
    if (parsed.nargs > 0)
        args->command = parsed.args[0];
    for (size_t i = 1; i < parsed.nargs; i++)
        args->args[args->nargs++] = parsed.args[i];
    return CLI_OK;
}

//  Exactly `count` arguments, else the sub-command's usage.
static int s_expect (s_args_t *args, int count, const char *synopsis)
{
    if (args->nargs < count)
        return s_subcommand_usage (synopsis);
    if (args->nargs > count)
        return cli_usage ("calendar %s: unexpected argument \"%s\"", args->command,
                          args->args[count]);
    return CLI_OK;
}

//  A date argument. CLI_OK or CLI_USAGE after a message naming the argument.
static int s_date_arg (const char *command, const char *name, const char *text, jy_date_t *date)
{
    char what[64];
    snprintf (what, sizeof (what), "calendar %s: %s", command, name);
    return cli_parse_date (what, text, date);
}

//  A date argument inside the calendar's range.
static int s_check_range (jy_calendar_t *calendar, const char *command, const char *name,
                          const char *text, jy_date_t date)
{
    if (date < jy_calendar_first (calendar) || date > jy_calendar_last (calendar))
        return cli_usage ("calendar %s: %s %s is outside the supported range " S_RANGE_TEXT,
                          command, name, text);
    return CLI_OK;
}

static int s_whole_number (const char *text, int *value)
{
    //  strtol would accept leading blanks and trailing junk: refuse both.
    const char *digits = text + (*text == '-' || *text == '+');
    if (*digits < '0' || *digits > '9')
        return -1;
    char *end;
    errno = 0;
    long number = strtol (text, &end, 10);
    if (*end || errno == ERANGE || number < INT_MIN || number > INT_MAX)
        return -1;
    *value = (int) number;
    return 0;
}

static const char *s_kind_text (jy_day_kind_t kind, bool json)
{
    switch (kind) {
    case JY_DAY_BANK_HOLIDAY:
        return json ? "bank_holiday" : "bank holiday";
    case JY_DAY_CLOSURE:
        return "closure";
    case JY_DAY_WEEKEND:
        return "weekend";
    default:
        return "working";
    }
}

static int s_add (cli_t *cli, s_args_t *args)
{
    int rc = s_expect (args, 2, "add DATE N");
    jy_date_t from = 0, due = 0;
    int n = 0;
    if (rc == CLI_OK)
        rc = s_date_arg ("add", "DATE", args->args[0], &from);
    if (rc == CLI_OK && s_whole_number (args->args[1], &n) != 0)
        rc = cli_usage ("calendar add: N must be a whole number, got \"%s\"", args->args[1]);
    if (rc != CLI_OK)
        return rc;
    jy_calendar_t *calendar = cli_calendar (cli);
    if (!calendar)
        return CLI_FAIL;
    rc = s_check_range (calendar, "add", "DATE", args->args[0], from);
    if (rc == CLI_OK && jy_calendar_add_working_days (calendar, from, n, &due) != 0)
        rc = cli_usage (
            "calendar add: %d working days from %s is outside the supported range " S_RANGE_TEXT, n,
            args->args[0]);
    if (rc == CLI_OK) {
        char from_text[JY_DATE_TEXT_SIZE], due_text[JY_DATE_TEXT_SIZE];
        jy_date_format (from, from_text);
        jy_date_format (due, due_text);
        if (cli->json)
            cli_print_json (json_pack ("{s:s, s:i, s:s}", "from", from_text, "working_days", n,
                                       "due", due_text));
        else
            printf ("%s\n", due_text);
    }
    jy_calendar_destroy (&calendar);
    return rc;
}

static int s_between (cli_t *cli, s_args_t *args)
{
    int rc = s_expect (args, 2, "between A B");
    jy_date_t a = 0, b = 0;
    if (rc == CLI_OK)
        rc = s_date_arg ("between", "A", args->args[0], &a);
    if (rc == CLI_OK)
        rc = s_date_arg ("between", "B", args->args[1], &b);
    if (rc != CLI_OK)
        return rc;
    jy_calendar_t *calendar = cli_calendar (cli);
    if (!calendar)
        return CLI_FAIL;
    rc = s_check_range (calendar, "between", "A", args->args[0], a);
    if (rc == CLI_OK)
        rc = s_check_range (calendar, "between", "B", args->args[1], b);
    if (rc == CLI_OK) {
        //  Both dates are in range, so this cannot fail.
        int count = 0;
        int ok = jy_calendar_working_days_between (calendar, a, b, &count);
        assert (ok == 0);
        char a_text[JY_DATE_TEXT_SIZE], b_text[JY_DATE_TEXT_SIZE];
        if (cli->json)
            cli_print_json (json_pack ("{s:s, s:s, s:i}", "from", jy_date_format (a, a_text), "to",
                                       jy_date_format (b, b_text), "working_days", count));
        else
            printf ("%d\n", count);
    }
    jy_calendar_destroy (&calendar);
    return rc;
}

static int s_holidays (cli_t *cli, s_args_t *args)
{
    int rc = s_expect (args, 2, "holidays FROM TO");
    jy_date_t from = 0, to = 0;
    if (rc == CLI_OK)
        rc = s_date_arg ("holidays", "FROM", args->args[0], &from);
    if (rc == CLI_OK)
        rc = s_date_arg ("holidays", "TO", args->args[1], &to);
    if (rc == CLI_OK && to < from)
        rc = cli_usage ("calendar holidays: TO %s is before FROM %s", args->args[1], args->args[0]);
    if (rc != CLI_OK)
        return rc;
    jy_calendar_t *calendar = cli_calendar (cli);
    if (!calendar)
        return CLI_FAIL;
    rc = s_check_range (calendar, "holidays", "FROM", args->args[0], from);
    if (rc == CLI_OK)
        rc = s_check_range (calendar, "holidays", "TO", args->args[1], to);
    if (rc == CLI_OK) {
        size_t count = jy_calendar_holidays (calendar, from, to, NULL, NULL, 0);
        jy_date_t *days = calloc (count + 1, sizeof (jy_date_t));
        jy_day_kind_t *kinds = calloc (count + 1, sizeof (jy_day_kind_t));
        assert (days && kinds);
        jy_calendar_holidays (calendar, from, to, days, kinds, count);
        json_t *list = cli->json ? json_array () : NULL;
        for (size_t i = 0; i < count; i++) {
            char text[JY_DATE_TEXT_SIZE];
            jy_date_format (days[i], text);
            const char *title = jy_calendar_day_title (calendar, days[i]);
            if (list)
                json_array_append_new (list, json_pack ("{s:s, s:s, s:s}", "date", text, "kind",
                                                        s_kind_text (kinds[i], true), "title",
                                                        title ? title : ""));
            else
                printf ("%s  %s  %s\n", text, s_kind_text (kinds[i], false), title ? title : "");
        }
        if (list)
            cli_print_json (list);
        free (days);
        free (kinds);
    }
    jy_calendar_destroy (&calendar);
    return rc;
}

//  --- import ----------------------------------------------------------------------------------

//  The whole of a file, or of stdin for "-". NULL with a message printed.
static char *s_read_file (const char *path, size_t *length)
{
    FILE *file = strcmp (path, "-") == 0 ? stdin : fopen (path, "rb");
    if (!file) {
        cli_fail ("calendar import: cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    size_t size = 0, capacity = 64 * 1024;
    char *data = malloc (capacity);
    assert (data);
    while (true) {
        if (size == capacity) {
            if (capacity >= S_MAX_FILE) {
                cli_fail ("calendar import: %s is larger than %d MB: not a bank-holidays file",
                          path, S_MAX_FILE / (1024 * 1024));
                break;
            }
            capacity *= 2;
            data = realloc (data, capacity);
            assert (data);
        }
        size_t got = fread (data + size, 1, capacity - size, file);
        size += got;
        if (got == 0)
            break;
    }
    bool failed = ferror (file) || size == capacity;
    if (ferror (file))
        cli_fail ("calendar import: cannot read %s: %s", path, strerror (errno));
    if (file != stdin)
        fclose (file);
    if (failed) {
        free (data);
        return NULL;
    }
    *length = size;
    return data;
}

//  A PostgreSQL array literal of quoted elements: {"a","b \"c\""}. Quoting every element
//  means no content (commas, braces, NULL, blanks) can change the array's shape.
static char *s_array_literal (const char **items, size_t count)
{
    size_t size = 3;
    for (size_t i = 0; i < count; i++)
        size += 2 * strlen (items[i]) + 3;
    char *literal = malloc (size);
    assert (literal);
    char *p = literal;
    *p++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return literal;
}

//  All the division's days in one statement; duplicates within the file count once.
static const char *s_import_sql =
    "WITH input AS ("
    "    SELECT DISTINCT ON (day) day, title"
    "    FROM unnest ($2::date[], $3::text[]) AS u (day, title) ORDER BY day),"
    " inserted AS ("
    "    INSERT INTO journey.calendar_day (division, day, title, source)"
    "    SELECT $1, day, title, $4 FROM input"
    "    ON CONFLICT (division, day) DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM input), (SELECT count(*) FROM inserted)";

//  Store the (already validated) events of the division. CLI_OK or CLI_FAIL.
static int s_store (cli_t *cli, json_t *events, const char *division, const char *source,
                    long *fresh, long *known)
{
    size_t count = json_array_size (events);
    const char **dates = calloc (count + 1, sizeof (char *));
    const char **titles = calloc (count + 1, sizeof (char *));
    assert (dates && titles);
    for (size_t i = 0; i < count; i++) {
        json_t *event = json_array_get (events, i);
        dates[i] = json_string_value (json_object_get (event, "date"));
        titles[i] = json_string_value (json_object_get (event, "title"));
        assert (dates[i] && titles[i]); //  jy_calendar_import_govuk checked them
    }
    char *date_array = s_array_literal (dates, count);
    char *title_array = s_array_literal (titles, count);
    free (dates);
    free (titles);

    int rc = CLI_FAIL;
    long wait_ms = 0;
    jy_db_t *db = NULL;
    if (jy_config_key_int (cli->config, JY_KEY_CONNECT_WAIT_MS, &wait_ms) != 0)
        cli_fail ("%s", jy_config_error (cli->config));
    else
        db = cli_connect (cli, "database/admin_url", wait_ms);
    if (db) {
        const char *params[] = {division, date_array, title_array, source};
        PGresult *result = jy_db_query (db, s_import_sql, 4, params);
        if (!result)
            cli_fail ("calendar import: %s", jy_db_error (db));
        else {
            long total = strtol (PQgetvalue (result, 0, 0), NULL, 10);
            *fresh = strtol (PQgetvalue (result, 0, 1), NULL, 10);
            *known = total - *fresh;
            rc = CLI_OK;
            PQclear (result);
        }
        jy_db_destroy (&db);
    }
    free (date_array);
    free (title_array);
    return rc;
}

static int s_import (cli_t *cli, s_args_t *args)
{
    int rc = s_expect (args, 1, "import FILE [--division NAME]");
    if (rc != CLI_OK)
        return rc;
    const char *path = args->args[0];
    const char *division = args->division ? args->division : "england-and-wales";
    size_t length = 0;
    char *data = s_read_file (path, &length);
    if (!data)
        return CLI_FAIL;

    //  The library's own check, on a scratch calendar, so the messages are the same as
    //  everywhere else; then the division's events are stored as they are in the file.
    jy_calendar_t *scratch = jy_calendar_new ();
    char err[256];
    size_t added;
    if (jy_calendar_import_govuk (scratch, data, length, division, &added, err, sizeof (err)) != 0)
        rc = cli_fail ("calendar import: %s: %s", path, err);
    jy_calendar_destroy (&scratch);

    long fresh = 0, known = 0;
    if (rc == CLI_OK) {
        json_t *root = json_loadb (data, length, 0, NULL);
        assert (root); //  parsed a moment ago
        json_t *events = json_object_get (json_object_get (root, division), "events");
        const char *source = strcmp (path, "-") == 0 ? "stdin" : path;
        rc = s_store (cli, events, division, source, &fresh, &known);
        json_decref (root);
    }
    if (rc == CLI_OK) {
        if (cli->json)
            cli_print_json (json_pack ("{s:s, s:s, s:I, s:I}", "file", path, "division", division,
                                       "new", (json_int_t) fresh, "known", (json_int_t) known));
        else
            printf ("imported %ld new days (%ld already known) from %s\n", fresh, known, path);
    }
    free (data);
    return rc;
}

int cmd_calendar (cli_t *cli, int argc, char **argv)
{
    assert (cli);
    s_args_t args;
    int rc = s_parse_args (argc, argv, &args);
    if (rc == CLI_HELP || (rc == CLI_OK && args.command && strcmp (args.command, "help") == 0)) {
        fputs (s_usage_text, stdout);
        return CLI_OK;
    }
    if (rc != CLI_OK)
        return rc;
    if (!args.command) {
        fputs (s_usage_text, stderr);
        return CLI_USAGE;
    }
    if (strcmp (args.command, "add") == 0)
        return s_add (cli, &args);
    if (strcmp (args.command, "between") == 0)
        return s_between (cli, &args);
    if (strcmp (args.command, "holidays") == 0)
        return s_holidays (cli, &args);
    if (strcmp (args.command, "import") == 0)
        return s_import (cli, &args);
    cli_usage ("calendar: unknown sub-command \"%s\"", args.command);
    fputs (s_usage_text, stderr);
    return CLI_USAGE;
}
