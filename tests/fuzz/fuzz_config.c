/*  fuzz_config: a deployment's configuration file (ZPL, czmq's zconfig underneath).

    The input is the file: jy_config_load reads it from a path, so it is written to a memfd
    and loaded through /proc/self/fd. A file that loads is then looked up the way the programs
    look up their settings: every key it holds through every typed lookup, and the local
    closure days (calendar/closures) into a calendar.

    Properties besides not crashing: a refused file gets a message naming it and the line at
    fault; a lookup that fails names its key; a whole number that passes is in its range.
*/
#define _GNU_SOURCE //  memfd_create
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include "journey/journey.h"
#include "fuzz.h"

static int s_fd = -1;
static char s_path[64];

static void s_check_fails (jy_config_t *config, const char *key, int rc)
{
    if (rc == 0)
        return;
    const char *error = jy_config_error (config);
    FUZZ_CHECK (error[0], "lookup of %s failed without a message", key);
    //  Long keys are cut from the message with the rest of it.
    FUZZ_CHECK (strlen (key) > 200 || strstr (error, key), "message does not name %s: %s", key,
                error);
}

static void s_lookups (jy_config_t *config, const char *key)
{
    static const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
    jy_config_get (config, key);
    jy_config_origin (config, key);
    jy_config_section (config, key);
    jy_config_section_origin (config, key);
    const char *text;
    s_check_fails (config, key, jy_config_string (config, key, NULL, &text));
    long number = 0;
    int rc = jy_config_int (config, key, 5, 1, 100000, &number);
    s_check_fails (config, key, rc);
    FUZZ_CHECK (rc != 0 || (number >= 1 && number <= 100000), "%s: %ld out of range", key, number);
    s_check_fails (config, key, jy_config_int (config, key, 0, LONG_MIN, LONG_MAX, &number));
    double real;
    s_check_fails (config, key, jy_config_double (config, key, 0.5, 0, 1, &real));
    bool flag;
    s_check_fails (config, key, jy_config_bool (config, key, false, &flag));
    jy_date_t date;
    s_check_fails (config, key, jy_config_date (config, key, 0, &date));
    int choice;
    s_check_fails (config, key, jy_config_choice (config, key, levels, 1, &choice));
}

//  Every item of the tree, by its path "a/b/c" (what the programs pass as a key).
static void s_walk (jy_config_t *config, zconfig_t *item, char *path, size_t length)
{
    for (; item; item = zconfig_next (item)) {
        const char *name = zconfig_name (item);
        if (!name)
            continue;
        int n = snprintf (path + length, PATH_MAX - length, "%s%s", length ? "/" : "", name);
        if (n < 0 || length + (size_t) n >= PATH_MAX)
            continue;
        s_lookups (config, path);
        s_walk (config, zconfig_child (item), path, length + (size_t) n);
        path[length] = '\0';
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (s_fd < 0) {
        s_fd = memfd_create ("journey.cfg", 0);
        FUZZ_CHECK (s_fd >= 0, "memfd_create failed");
        snprintf (s_path, sizeof s_path, "/proc/self/fd/%d", s_fd);
    }
    FUZZ_CHECK (ftruncate (s_fd, 0) == 0 && pwrite (s_fd, data, size, 0) == (ssize_t) size,
                "cannot write the memfd");
    char err[512];
    jy_config_t *config = jy_config_load (s_path, NULL, err, sizeof err);
    if (!config) {
        FUZZ_CHECK (strstr (err, s_path), "a refused file is not named: %s", err);
        //  The checker in jy_config.c mirrors zconfig's rules so that a mistake has a line.
        FUZZ_CHECK (memchr (data, '\0', size) || strstr (err, ": line "),
                    "a refused file's message names no line: %s", err);
        return 0;
    }
    //  The same text parsed again for its keys: the config does not expose its tree.
    char *text = fuzz_text (data, size);
    zconfig_t *root = zconfig_str_load (text);
    FUZZ_CHECK (root, "jy_config_load took a file zconfig refuses");
    char *path = calloc (1, PATH_MAX);
    FUZZ_CHECK (path, "out of memory");
    s_walk (config, zconfig_child (root), path, 0);
    free (path);
    zconfig_destroy (&root);
    free (text);

    //  A new calendar costs milliseconds under the sanitizers: only when there are closures.
    if (jy_config_section (config, "calendar/closures")) {
        jy_calendar_t *calendar = jy_calendar_new ();
        if (jy_calendar_apply_config (calendar, config) != 0)
            FUZZ_CHECK (jy_config_error (config)[0], "closures refused without a message");
        jy_calendar_destroy (&calendar);
    }
    jy_config_destroy (&config);
    return 0;
}
