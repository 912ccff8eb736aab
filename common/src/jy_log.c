/*  jy_log: one line per record on stderr.

    Each record is formatted completely into a buffer and written with a single write(2), so
    lines from concurrent threads (or processes sharing stderr) never interleave mid-line.
*/
#include "jy_log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define S_LINE_MAX    4096
#define S_PROGRAM_MAX 64

static char s_program[S_PROGRAM_MAX] = "journey";
static atomic_int s_level = JY_LOG_INFO;

static const char *s_level_names[] = {"debug", "info", "notice", "warning", "error"};

void jy_log_init (const char *program, jy_log_level_t level)
{
    if (program)
        snprintf (s_program, sizeof s_program, "%s", program);
    atomic_store (&s_level, (int) level);
}

int jy_log_level_parse (const char *text, jy_log_level_t *level)
{
    if (!text)
        return -1;
    for (int i = JY_LOG_DEBUG; i <= JY_LOG_ERROR; i++) {
        if (strcasecmp (text, s_level_names[i]) == 0) {
            *level = (jy_log_level_t) i;
            return 0;
        }
    }
    return -1;
}

jy_log_level_t jy_log_level (void)
{
    return (jy_log_level_t) atomic_load (&s_level);
}

//  write(2) may write less than asked on a pipe under pressure; finish the line.
static void s_write_all (const char *data, size_t size)
{
    while (size > 0) {
        ssize_t rc = write (STDERR_FILENO, data, size);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return; //  nowhere left to report it
        }
        data += rc;
        size -= (size_t) rc;
    }
}

void jy_logv (jy_log_level_t level, const char *format, va_list args)
{
    if ((int) level < atomic_load (&s_level))
        return;
    if ((int) level < JY_LOG_DEBUG || (int) level > JY_LOG_ERROR)
        level = JY_LOG_ERROR;

    //  Wall-clock time on purpose: log lines say when something really happened, even when
    //  the daemon runs on a simulated clock.
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);

    char line[S_LINE_MAX];
    int head = snprintf (line, sizeof line,
                         "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld] %s: ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         now.tv_nsec / 1000000, s_program, (long) getpid (), s_level_names[level]);
    if (head < 0 || (size_t) head >= sizeof line - 2)
        return;

    size_t room = sizeof line - (size_t) head - 1; //  keep one byte for the newline
    int body = vsnprintf (line + head, room, format, args);
    if (body < 0)
        body = 0;
    size_t length = (size_t) head;
    if ((size_t) body >= room) {
        //  Truncated: say so rather than silently cutting a message.
        length = sizeof line - 2;
        memcpy (line + length - 3, "...", 3);
    } else
        length += (size_t) body;
    while (length > (size_t) head && line[length - 1] == '\n')
        length--;

    //  One record, one line: a message with embedded newlines must not fake further records.
    for (size_t i = (size_t) head; i < length; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[length++] = '\n';
    s_write_all (line, length);
}

void jy_log (jy_log_level_t level, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    jy_logv (level, format, args);
    va_end (args);
}
