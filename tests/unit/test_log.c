/*  jy_log: level parsing, the line format, filtering, and whole lines under threads. */
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "journey/journey.h"
#include "jy_test.h"

//  stderr goes to a temporary file between s_capture_start and s_capture_stop.
static int s_saved_stderr = -1;
static char s_capture_path[] = "/tmp/test_log_XXXXXX";

static void s_capture_start (void)
{
    int fd = mkstemp (s_capture_path);
    if (fd < 0) {
        perror ("mkstemp");
        exit (1);
    }
    fflush (stderr);
    s_saved_stderr = dup (STDERR_FILENO);
    dup2 (fd, STDERR_FILENO);
    close (fd);
}

//  Everything written since s_capture_start, as a new string.
static char *s_capture_stop (void)
{
    fflush (stderr);
    dup2 (s_saved_stderr, STDERR_FILENO);
    close (s_saved_stderr);
    FILE *file = fopen (s_capture_path, "rb");
    if (!file) {
        perror ("fopen");
        exit (1);
    }
    char *text = (char *) calloc (1, 1 << 20);
    size_t got = fread (text, 1, (1 << 20) - 1, file);
    text[got] = '\0';
    fclose (file);
    unlink (s_capture_path);
    strcpy (s_capture_path, "/tmp/test_log_XXXXXX");
    return text;
}

//  "2026-11-22T02:13:46.123Z program[pid] level: " at the start of line; returns the message.
static const char *s_check_prefix (const char *line, const char *program, const char *level)
{
    const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ ";
    for (int i = 0; shape[i]; i++) {
        bool ok = shape[i] == 'd' ? isdigit ((unsigned char) line[i]) : line[i] == shape[i];
        if (!ok)
            return NULL;
    }
    char expected[128];
    snprintf (expected, sizeof expected, "%s[%ld] %s: ", program, (long) getpid (), level);
    const char *rest = line + strlen (shape);
    if (strncmp (rest, expected, strlen (expected)) != 0)
        return NULL;
    return rest + strlen (expected);
}

static void *s_writer (void *arg)
{
    long id = (long) arg;
    for (int i = 0; i < 200; i++)
        jy_info ("thread %ld line %d %s", id, i, "padding padding padding padding padding");
    return NULL;
}

int main (void)
{
    jy_log_level_t level = JY_LOG_ERROR;
    CHECK_INT (jy_log_level_parse ("debug", &level), 0);
    CHECK_INT (level, JY_LOG_DEBUG);
    CHECK_INT (jy_log_level_parse ("info", &level), 0);
    CHECK_INT (level, JY_LOG_INFO);
    CHECK_INT (jy_log_level_parse ("notice", &level), 0);
    CHECK_INT (level, JY_LOG_NOTICE);
    CHECK_INT (jy_log_level_parse ("warning", &level), 0);
    CHECK_INT (level, JY_LOG_WARNING);
    CHECK_INT (jy_log_level_parse ("error", &level), 0);
    CHECK_INT (level, JY_LOG_ERROR);
    CHECK_INT (jy_log_level_parse ("WARNING", &level), 0);
    CHECK_INT (level, JY_LOG_WARNING);
    level = JY_LOG_NOTICE;
    CHECK_INT (jy_log_level_parse ("loud", &level), -1);
    CHECK_INT (jy_log_level_parse ("", &level), -1);
    CHECK_INT (jy_log_level_parse (NULL, &level), -1);
    CHECK_INT (level, JY_LOG_NOTICE); //  untouched on failure

    //  Format and filtering.
    jy_log_init ("test-log", JY_LOG_NOTICE);
    CHECK_INT (jy_log_level (), JY_LOG_NOTICE);
    s_capture_start ();
    jy_debug ("not shown %d", 1);
    jy_info ("not shown %d", 2);
    jy_notice ("listening on %s", "tcp://127.0.0.1:7301");
    jy_warning ("two\nlines");
    jy_error ("trailing newline\n");
    char *text = s_capture_stop ();
    CHECK (strstr (text, "not shown") == NULL);
    char *line = strtok (text, "\n");
    const char *message = line ? s_check_prefix (line, "test-log", "notice") : NULL;
    CHECK (message != NULL);
    CHECK_STR (message, "listening on tcp://127.0.0.1:7301");
    line = strtok (NULL, "\n");
    message = line ? s_check_prefix (line, "test-log", "warning") : NULL;
    CHECK_STR (message, "two lines"); //  an embedded newline cannot fake a second record
    line = strtok (NULL, "\n");
    message = line ? s_check_prefix (line, "test-log", "error") : NULL;
    CHECK_STR (message, "trailing newline");
    CHECK (strtok (NULL, "\n") == NULL);
    free (text);

    //  A message longer than the line buffer is cut, marked, and still one line.
    char *big = (char *) malloc (10000);
    memset (big, 'x', 9999);
    big[9999] = '\0';
    s_capture_start ();
    jy_error ("%s", big);
    text = s_capture_stop ();
    size_t length = strlen (text);
    CHECK (length > 1000 && length < 10000);
    CHECK (length > 4 && strcmp (text + length - 4, "...\n") == 0);
    CHECK (strchr (text, '\n') == text + length - 1);
    free (text);
    free (big);

    //  Re-init changes the program name and level.
    jy_log_init ("other", JY_LOG_DEBUG);
    s_capture_start ();
    jy_debug ("now shown");
    text = s_capture_stop ();
    CHECK_STR (s_check_prefix (text, "other", "debug"), "now shown\n");
    free (text);

    //  Concurrent writers: every line whole and well-formed.
    jy_log_init ("threads", JY_LOG_INFO);
    s_capture_start ();
    pthread_t threads[4];
    for (long i = 0; i < 4; i++)
        pthread_create (&threads[i], NULL, s_writer, (void *) i);
    for (int i = 0; i < 4; i++)
        pthread_join (threads[i], NULL);
    text = s_capture_stop ();
    int lines = 0, good = 0;
    for (line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        lines++;
        message = s_check_prefix (line, "threads", "info");
        long id;
        int n;
        char tail[64];
        if (message && sscanf (message, "thread %ld line %d %63[ a-z]", &id, &n, tail) == 3 &&
            strcmp (tail, "padding padding padding padding padding") == 0)
            good++;
    }
    CHECK_INT (lines, 800);
    CHECK_INT (good, 800);
    free (text);

    return jy_test_summary ("test_log");
}
