/*  jy_config: layering (environment over deployment over defaults), origins, typed getters and
    their messages, sections, and files that cannot be read or parsed. */
#include <unistd.h>

#include "journey/journey.h"
#include "jy_test.h"

extern char **environ;

#define MAX_FILES 64
static char s_files[MAX_FILES][64];
static int s_file_count = 0;

//  Write text to a new temporary file; returns its path (removed at the end).
static const char *s_write (const char *text)
{
    assert (s_file_count < MAX_FILES);
    char *path = s_files[s_file_count++];
    strcpy (path, "/tmp/test_config_XXXXXX");
    int fd = mkstemp (path);
    assert (fd >= 0);
    size_t length = strlen (text);
    ssize_t written = write (fd, text, length);
    assert (written == (ssize_t) length);
    close (fd);
    return path;
}

static void s_remove_files (void)
{
    for (int i = 0; i < s_file_count; i++)
        unlink (s_files[i]);
}

//  The error text from loading a file, or NULL when it loaded.
static char s_err[1024];
static const char *s_load_error (const char *text)
{
    const char *path = s_write (text);
    jy_config_t *config = jy_config_load (path, NULL, s_err, sizeof s_err);
    if (config) {
        jy_config_destroy (&config);
        return NULL;
    }
    return s_err;
}

//  True when error is exactly "<origin>: <key>: <problem>".
static bool s_error_is (const char *error, const char *origin, const char *key, const char *problem)
{
    char expected[1024];
    snprintf (expected, sizeof expected, "%s: %s: %s", origin, key, problem);
    if (strcmp (error, expected) != 0) {
        fprintf (stderr, "  error:    %s\n  expected: %s\n", error, expected);
        return false;
    }
    return true;
}

static void s_test_layers (void)
{
    const char *defaults = s_write ("#   defaults\n"
                                    "log\n"
                                    "    level = \"info\"     #   a trailing comment\n"
                                    "database\n"
                                    "    admin_url = \"dbname=journey\"\n"
                                    "    connect_wait_ms = 30000   # unquoted, then a comment\n"
                                    "ingest\n"
                                    "    batch_max = 1000\n"
                                    "    request = tcp://127.0.0.1:7301\n"
                                    "calendar\n"
                                    "    closures\n"
                                    "        #   none by default\n"
                                    "empty\n");
    const char *deploy = s_write ("ingest\n"
                                  "    batch_max = 500\n"
                                  "la\n"
                                  "    code = '201'\n"
                                  "calendar\n"
                                  "    closures\n"
                                  "        2024-12-24 = \"Christmas Eve closure\"\n"
                                  "        2024-12-31 = \"New Year's Eve\"\n");
    char err[512] = "untouched";
    jy_config_t *config = jy_config_load (deploy, defaults, err, sizeof err);
    CHECK (config != NULL);
    if (!config)
        return;
    CHECK_STR (err, "");
    CHECK_STR (jy_config_path (config), deploy);
    CHECK_STR (jy_config_error (config), "");

    //  Defaults only, deployment over defaults, unset.
    CHECK_STR (jy_config_get (config, "log/level"), "info");
    CHECK_STR (jy_config_origin (config, "log/level"), defaults);
    CHECK_STR (jy_config_get (config, "database/connect_wait_ms"), "30000");
    CHECK_STR (jy_config_get (config, "ingest/request"), "tcp://127.0.0.1:7301");
    CHECK_STR (jy_config_get (config, "ingest/batch_max"), "500");
    CHECK_STR (jy_config_origin (config, "ingest/batch_max"), deploy);
    CHECK_STR (jy_config_get (config, "la/code"), "201");
    CHECK (jy_config_get (config, "la/name") == NULL);
    CHECK_STR (jy_config_origin (config, "la/name"), "default");
    CHECK (jy_config_get (config, "nothing/here/at/all") == NULL);

    //  The environment overrides both files; an empty variable counts as unset.
    setenv ("JOURNEY_INGEST_BATCH_MAX", "250", 1);
    setenv ("JOURNEY_LOG_LEVEL", "debug", 1);
    CHECK_STR (jy_config_get (config, "ingest/batch_max"), "250");
    CHECK_STR (jy_config_origin (config, "ingest/batch_max"),
               "environment JOURNEY_INGEST_BATCH_MAX");
    CHECK_STR (jy_config_get (config, "log/level"), "debug");
    setenv ("JOURNEY_INGEST_BATCH_MAX", "", 1);
    CHECK_STR (jy_config_get (config, "ingest/batch_max"), "500");
    unsetenv ("JOURNEY_INGEST_BATCH_MAX");
    unsetenv ("JOURNEY_LOG_LEVEL");
    CHECK_STR (jy_config_get (config, "log/level"), "info");
    //  '/' and '-' become '_', letters upper case.
    setenv ("JOURNEY_DATABASE_ADMIN_URL", "dbname=other", 1);
    CHECK_STR (jy_config_get (config, "database/admin_url"), "dbname=other");
    CHECK_STR (jy_config_origin (config, "database/admin_url"),
               "environment JOURNEY_DATABASE_ADMIN_URL");
    unsetenv ("JOURNEY_DATABASE_ADMIN_URL");
    setenv ("JOURNEY_LA_CHILD_POPULATION", "61234", 1);
    CHECK_STR (jy_config_get (config, "la/child-population"), "61234");
    unsetenv ("JOURNEY_LA_CHILD_POPULATION");

    //  Sections: the deployment's first, with their origin; children are iterable.
    zconfig_t *closures = jy_config_section (config, "calendar/closures");
    CHECK (closures != NULL);
    CHECK_STR (jy_config_section_origin (config, "calendar/closures"), deploy);
    int count = 0;
    for (zconfig_t *day = closures ? zconfig_child (closures) : NULL; day; day = zconfig_next (day))
        count++;
    CHECK_INT (count, 2);
    if (closures && zconfig_child (closures)) {
        CHECK_STR (zconfig_name (zconfig_child (closures)), "2024-12-24");
        CHECK_STR (zconfig_value (zconfig_child (closures)), "Christmas Eve closure");
    }
    CHECK (jy_config_section (config, "empty") != NULL);
    CHECK (jy_config_section (config, "empty") &&
           !zconfig_child (jy_config_section (config, "empty")));
    CHECK_STR (jy_config_section_origin (config, "empty"), defaults);
    CHECK (jy_config_section (config, "absent") == NULL);
    CHECK_STR (jy_config_section_origin (config, "absent"), "default");
    //  An error about a section's child names the file it came from.
    CHECK_INT (jy_config_fail (config, "calendar/closures/2024-12-24", "bad %s", "title"), -1);
    CHECK (
        s_error_is (jy_config_error (config), deploy, "calendar/closures/2024-12-24", "bad title"));

    jy_config_destroy (&config);
    CHECK (config == NULL);
    jy_config_destroy (&config); //  destroying NULL is harmless

    //  Either file may be absent.
    config = jy_config_load (NULL, defaults, err, sizeof err);
    CHECK (config != NULL);
    if (config) {
        CHECK_STR (jy_config_path (config), defaults);
        CHECK_STR (jy_config_get (config, "ingest/batch_max"), "1000");
        jy_config_destroy (&config);
    }
    config = jy_config_load (deploy, NULL, err, sizeof err);
    CHECK (config != NULL);
    if (config) {
        CHECK (jy_config_get (config, "log/level") == NULL);
        jy_config_destroy (&config);
    }
    config = jy_config_load (NULL, NULL, err, sizeof err);
    CHECK (config != NULL);
    if (config) {
        CHECK (jy_config_path (config) == NULL);
        jy_config_destroy (&config);
    }
}

static void s_test_typed (void)
{
    const char *path = s_write ("n\n"
                                "    good = 42\n"
                                "    negative = -7\n"
                                "    words = \"lots\"\n"
                                "    big = 100001\n"
                                "    huge = 99999999999999999999999\n"
                                "    spaced = \" 5\"\n"
                                "    plus = \"+5\"\n"
                                "    hex = 0x10\n"
                                "    empty = \"\"\n"
                                "d\n"
                                "    half = 0.5\n"
                                "    exp = 1e-2\n"
                                "    bad = 0.5x\n"
                                "    nan = nan\n"
                                "    high = 1.5\n"
                                "b\n"
                                "    t1 = true\n"
                                "    t2 = yes\n"
                                "    t3 = On\n"
                                "    t4 = 1\n"
                                "    f1 = false\n"
                                "    f2 = NO\n"
                                "    f3 = off\n"
                                "    f4 = 0\n"
                                "    bad = maybe\n"
                                "dates\n"
                                "    good = 2024-02-29\n"
                                "    bad = 2023-02-29\n"
                                "    text = tomorrow\n"
                                "c\n"
                                "    good = warning\n"
                                "    upper = ERROR\n"
                                "    bad = loud\n"
                                "s\n"
                                "    name = \"Anytown Council\"\n");
    char err[512];
    jy_config_t *config = jy_config_load (path, NULL, err, sizeof err);
    CHECK (config != NULL);
    if (!config)
        return;

    //  Strings.
    const char *text = NULL;
    CHECK_INT (jy_config_string (config, "s/name", "x", &text), 0);
    CHECK_STR (text, "Anytown Council");
    CHECK_INT (jy_config_string (config, "s/missing", "fallback", &text), 0);
    CHECK_STR (text, "fallback");
    CHECK_INT (jy_config_string (config, "s/missing", NULL, &text), 0);
    CHECK (text == NULL);

    //  Whole numbers.
    long number = 0;
    CHECK_INT (jy_config_int (config, "n/good", 7, 1, 100000, &number), 0);
    CHECK_INT (number, 42);
    CHECK_INT (jy_config_int (config, "n/negative", 7, -10, 10, &number), 0);
    CHECK_INT (number, -7);
    CHECK_INT (jy_config_int (config, "n/missing", 7, 1, 100000, &number), 0);
    CHECK_INT (number, 7);
    number = 123;
    CHECK_INT (jy_config_int (config, "n/words", 7, 1, 100000, &number), -1);
    CHECK_INT (number, 123); //  untouched on error
    CHECK (s_error_is (jy_config_error (config), path, "n/words",
                       "\"lots\" is not a whole number in 1..100000"));
    CHECK_INT (jy_config_int (config, "n/big", 7, 1, 100000, &number), -1);
    CHECK (s_error_is (jy_config_error (config), path, "n/big",
                       "\"100001\" is not a whole number in 1..100000"));
    CHECK_INT (jy_config_int (config, "n/negative", 7, 0, 10, &number), -1);
    CHECK_INT (jy_config_int (config, "n/huge", 7, 0, 10, &number), -1);
    CHECK_INT (jy_config_int (config, "n/spaced", 7, 0, 10, &number), -1);
    CHECK_INT (jy_config_int (config, "n/plus", 7, 0, 10, &number), -1);
    CHECK_INT (jy_config_int (config, "n/hex", 7, 0, 100, &number), -1);
    CHECK_INT (jy_config_int (config, "n/empty", 7, 0, 100, &number), -1);
    CHECK (s_error_is (jy_config_error (config), path, "n/empty",
                       "\"\" is not a whole number in 0..100"));
    //  The environment's value is checked the same way, and the error names the variable.
    setenv ("JOURNEY_INGEST_BATCH_MAX", "lots", 1);
    CHECK_INT (jy_config_int (config, "ingest/batch_max", 1000, 1, 100000, &number), -1);
    CHECK (s_error_is (jy_config_error (config), "environment JOURNEY_INGEST_BATCH_MAX",
                       "ingest/batch_max", "\"lots\" is not a whole number in 1..100000"));
    unsetenv ("JOURNEY_INGEST_BATCH_MAX");
    //  A key several programs read has one default and one range in all of them: 7200000 ms is
    //  what journey migrate took and the daemons refused when each wrote its own range.
    CHECK_STR (jy_config_key_name (JY_KEY_CONNECT_WAIT_MS), "database/connect_wait_ms");
    CHECK_INT (jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &number), 0);
    CHECK_INT (number, 30000);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "7200000", 1);
    CHECK_INT (jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &number), 0);
    CHECK_INT (number, 7200000);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "86400001", 1);
    CHECK_INT (jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &number), -1);
    CHECK (s_error_is (jy_config_error (config), "environment JOURNEY_DATABASE_CONNECT_WAIT_MS",
                       "database/connect_wait_ms",
                       "\"86400001\" is not a whole number in 0..86400000"));
    unsetenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS");
    CHECK_INT (jy_config_key_string (config, JY_KEY_LA_TIMEZONE, &text), 0);
    CHECK_STR (text, "Europe/London");

    //  Numbers.
    double real = 0;
    CHECK_INT (jy_config_double (config, "d/half", 0.1, 0, 1, &real), 0);
    CHECK (real == 0.5);
    CHECK_INT (jy_config_double (config, "d/exp", 0.1, 0, 1, &real), 0);
    CHECK (real == 0.01);
    CHECK_INT (jy_config_double (config, "d/missing", 0.25, 0, 1, &real), 0);
    CHECK (real == 0.25);
    CHECK_INT (jy_config_double (config, "d/bad", 0.1, 0, 1, &real), -1);
    CHECK (
        s_error_is (jy_config_error (config), path, "d/bad", "\"0.5x\" is not a number in 0..1"));
    CHECK_INT (jy_config_double (config, "d/nan", 0.1, 0, 1, &real), -1);
    CHECK_INT (jy_config_double (config, "d/high", 0.1, 0, 1, &real), -1);
    CHECK (
        s_error_is (jy_config_error (config), path, "d/high", "\"1.5\" is not a number in 0..1"));

    //  Booleans: every spelling, any case.
    const char *trues[] = {"b/t1", "b/t2", "b/t3", "b/t4"};
    const char *falses[] = {"b/f1", "b/f2", "b/f3", "b/f4"};
    for (int i = 0; i < 4; i++) {
        bool flag = false;
        CHECK_INT (jy_config_bool (config, trues[i], false, &flag), 0);
        CHECK (flag == true);
        flag = true;
        CHECK_INT (jy_config_bool (config, falses[i], true, &flag), 0);
        CHECK (flag == false);
    }
    bool flag = false;
    CHECK_INT (jy_config_bool (config, "b/missing", true, &flag), 0);
    CHECK (flag == true);
    CHECK_INT (jy_config_bool (config, "b/bad", true, &flag), -1);
    CHECK (s_error_is (jy_config_error (config), path, "b/bad",
                       "\"maybe\" is not one of true, false, yes, no, on, off, 1, 0"));

    //  Dates.
    jy_date_t date = 0;
    CHECK_INT (jy_config_date (config, "dates/good", 0, &date), 0);
    CHECK_DATE (date, "2024-02-29");
    CHECK_INT (jy_config_date (config, "dates/missing", D ("2025-01-06"), &date), 0);
    CHECK_DATE (date, "2025-01-06");
    CHECK_INT (jy_config_date (config, "dates/bad", 0, &date), -1);
    CHECK (s_error_is (jy_config_error (config), path, "dates/bad",
                       "\"2023-02-29\" is not a date YYYY-MM-DD in 1900..2199"));
    CHECK_INT (jy_config_date (config, "dates/text", 0, &date), -1);

    //  Choices.
    const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
    int index = -1;
    CHECK_INT (jy_config_choice (config, "c/good", levels, 1, &index), 0);
    CHECK_INT (index, 3);
    CHECK_INT (jy_config_choice (config, "c/upper", levels, 1, &index), 0);
    CHECK_INT (index, 4);
    CHECK_INT (jy_config_choice (config, "c/missing", levels, 1, &index), 0);
    CHECK_INT (index, 1);
    CHECK_INT (jy_config_choice (config, "c/bad", levels, 1, &index), -1);
    CHECK (s_error_is (jy_config_error (config), path, "c/bad",
                       "\"loud\" is not one of debug, info, notice, warning, error"));
    setenv ("JOURNEY_LOG_LEVEL", "loud", 1);
    CHECK_INT (jy_config_choice (config, "log/level", levels, 1, &index), -1);
    CHECK_STR (jy_config_error (config),
               "environment JOURNEY_LOG_LEVEL: log/level: \"loud\" is not one of debug, info, "
               "notice, warning, error");
    unsetenv ("JOURNEY_LOG_LEVEL");

    //  A key set nowhere: origin "default".
    CHECK_INT (jy_config_fail (config, "x/y", "needed for %s", "z"), -1);
    CHECK_STR (jy_config_error (config), "default: x/y: needed for z");
    jy_config_destroy (&config);
}

static void s_test_bad_files (void)
{
    char err[512];
    //  Missing and unreadable files name the file and the reason.
    jy_config_t *config = jy_config_load ("/nonexistent/journey.cfg", NULL, err, sizeof err);
    CHECK (config == NULL);
    CHECK_STR (err, "/nonexistent/journey.cfg: cannot read: No such file or directory");
    const char *good = s_write ("a\n    b = 1\n");
    config = jy_config_load (good, "/nonexistent/defaults.cfg", err, sizeof err);
    CHECK (config == NULL);
    CHECK_STR (err, "/nonexistent/defaults.cfg: cannot read: No such file or directory");
    config = jy_config_load ("/tmp", NULL, err, sizeof err);
    CHECK (config == NULL);
    CHECK (strncmp (err, "/tmp: cannot read: ", 19) == 0);

    //  Parse errors name the file and the line.
    char expected[512];
    const char *path = s_write ("a\n    b = 1\n\tc = 2\n");
    config = jy_config_load (path, NULL, err, sizeof err);
    CHECK (config == NULL);
    snprintf (expected, sizeof expected, "%s: line 3: tab in indentation (indent with four spaces)",
              path);
    CHECK_STR (err, expected);

    const char *message = s_load_error ("a\n   b = 1\n");
    CHECK (message &&
           strstr (message, ": line 2: indentation of 3 spaces is not a multiple of four"));
    message = s_load_error ("a\n        b = 1\n");
    CHECK (message && strstr (message, ": line 2: indented 2 levels under a line at level 0"));
    message = s_load_error ("a\n    b = \"unclosed\n");
    CHECK (message && strstr (message, ": line 2: value has no closing \""));
    message = s_load_error ("a\n    b = \"x\" y\n");
    CHECK (message && strstr (message, ": line 2: unexpected \" y\" after the quoted value"));
    message = s_load_error ("a\n    b c\n");
    CHECK (message && strstr (message, ": line 2: expected \"= value\" after \"b\", found \"c\""));
    message = s_load_error ("# comment\n= 5\n");
    CHECK (message && strstr (message, ": line 2: expected a name"));
    message = s_load_error ("a/\n");
    CHECK (message && strstr (message, ": line 1: name \"a/\" starts or ends with '/'"));
    message = s_load_error ("a\n  # a comment badly indented\n");
    CHECK (message && strstr (message, ": line 2: indentation of 2 spaces"));

    //  Things zconfig accepts are accepted: blank lines, comments, CRLF, empty values, an empty
    //  file, single quotes, '#' inside quotes.
    CHECK (s_load_error ("") == NULL);
    CHECK (s_load_error ("\n\n# only comments\n    # indented comment\n") == NULL);
    CHECK (s_load_error ("a\r\n    b = 1\r\n") == NULL);
    CHECK (s_load_error ("a = \n") == NULL);
    CHECK (s_load_error ("a\n\t# tab before a comment is harmless\n") == NULL);
    path = s_write ("a\n    b = 'x # y'   # comment\n    c\n        d = 1\n    e = 2\n");
    config = jy_config_load (path, NULL, err, sizeof err);
    CHECK (config != NULL);
    if (config) {
        CHECK_STR (jy_config_get (config, "a/b"), "x # y");
        CHECK_STR (jy_config_get (config, "a/c/d"), "1");
        CHECK_STR (jy_config_get (config, "a/e"), "2");
        jy_config_destroy (&config);
    }
}

static void s_test_deploy (void)
{
    //  The real defaults shipped in deploy/.
    const char *env_dir = getenv ("JOURNEY_DEPLOY_DIR");
    char expected[4096];
    snprintf (expected, sizeof expected, "%s/journey.cfg", jy_deploy_dir ());
    CHECK_STR (jy_config_default_defaults_path (), expected);
    if (env_dir && *env_dir)
        CHECK_STR (jy_deploy_dir (), env_dir);
    char err[512];
    jy_config_t *config =
        jy_config_load (NULL, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config != NULL);
    if (!config) {
        fprintf (stderr, "  %s\n", err);
        return;
    }
    CHECK_STR (jy_config_get (config, "log/level"), "info");
    const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
    int index = -1;
    CHECK_INT (jy_config_choice (config, "log/level", levels, 3, &index), 0);
    CHECK_INT (index, 1);
    long wait = 0;
    CHECK_INT (jy_config_int (config, "database/connect_wait_ms", 0, 0, 600000, &wait), 0);
    CHECK_INT (wait, 30000);
    CHECK (jy_config_section (config, "calendar/closures") != NULL);
    CHECK_STR (jy_config_get (config, "ingest/request"), "tcp://127.0.0.1:7301");
    jy_config_destroy (&config);

    //  JOURNEY_DEPLOY_DIR and JOURNEY_CONFIG.
    setenv ("JOURNEY_DEPLOY_DIR", "/some/where", 1);
    CHECK_STR (jy_deploy_dir (), "/some/where");
    CHECK_STR (jy_config_default_defaults_path (), "/some/where/journey.cfg");
    if (env_dir)
        setenv ("JOURNEY_DEPLOY_DIR", env_dir, 1);
    else
        unsetenv ("JOURNEY_DEPLOY_DIR");
    unsetenv ("JOURNEY_CONFIG");
    CHECK (jy_config_env_path () == NULL);
    setenv ("JOURNEY_CONFIG", "/etc/journey/journey.cfg", 1);
    CHECK_STR (jy_config_env_path (), "/etc/journey/journey.cfg");
    unsetenv ("JOURNEY_CONFIG");
}

int main (void)
{
    //  Variables ctest or a shell may export (JOURNEY_DATABASE_ADMIN_URL, endpoints...) must not
    //  leak into the layering checks; only the deploy directory matters here.
    char *names[256];
    int count = 0;
    for (char **env = environ; *env && count < 256; env++) {
        if (strncmp (*env, "JOURNEY_", 8) == 0 && strncmp (*env, "JOURNEY_DEPLOY_DIR=", 19) != 0)
            names[count++] = strndup (*env, strcspn (*env, "="));
    }
    for (int i = 0; i < count; i++) {
        unsetenv (names[i]);
        free (names[i]);
    }
    s_test_layers ();
    s_test_typed ();
    s_test_bad_files ();
    s_test_deploy ();
    s_remove_files ();
    return jy_test_summary ("test_config");
}
