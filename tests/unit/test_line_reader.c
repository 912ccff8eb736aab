/*  line_reader: lines cut from a file or a pipe, bounded, and a pipe with no whole line yet
    answers "wait" instead of blocking (journey push's timers run meanwhile).
*/
#include "jy_test.h"
#include "line_reader.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static line_reader_result_t s_next (line_reader_t *reader, char *text, size_t size, size_t *length)
{
    const char *line;
    size_t kept;
    line_reader_result_t got = line_reader_next (reader, &line, &kept, length);
    text[0] = '\0';
    if (got == LINE_READER_LINE)
        snprintf (text, size, "%.*s", (int) kept, line);
    return got;
}

static void s_write (int fd, const char *text)
{
    CHECK (write (fd, text, strlen (text)) == (ssize_t) strlen (text));
}

int main (void)
{
    char text[64];
    size_t length;

    //  A pipe: a part line waits, the rest makes it whole; the last line needs no newline.
    int pipe_fds[2];
    CHECK (pipe (pipe_fds) == 0);
    line_reader_t *reader = line_reader_new (pipe_fds[0], 8);
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_WAIT);
    s_write (pipe_fds[1], "one\ntw");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "one");
    CHECK_INT (length, 3);
    CHECK_INT (line_reader_bytes (reader), 4); //  "tw" read, not yet given
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_WAIT);
    s_write (pipe_fds[1], "o\n\nthree");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "two");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_WAIT);
    //  A line over the limit (8): its first 8 bytes and its whole length, 30, over 3 writes.
    s_write (pipe_fds[1], "\n0123456789");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "three");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_WAIT);
    s_write (pipe_fds[1], "0123456789");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_WAIT);
    s_write (pipe_fds[1], "0123456789\nlast");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "01234567");
    CHECK_INT (length, 30);
    close (pipe_fds[1]);
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "last");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_END);
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_END);
    CHECK_INT (line_reader_bytes (reader), 6 + 8 + 11 + 10 + 15); //  every byte written, all given
    line_reader_destroy (&reader);
    CHECK (reader == NULL);
    close (pipe_fds[0]);

    //  A file ending inside an over-long line: cut, with its length; then the end.
    char path[] = "/tmp/jy-line-reader-XXXXXX";
    int fd = mkstemp (path);
    CHECK (fd >= 0);
    s_write (fd, "a\nbcdefghijklmnop");
    CHECK (lseek (fd, 0, SEEK_SET) == 0);
    reader = line_reader_new (fd, 8);
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "a");
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_LINE);
    CHECK_STR (text, "bcdefghi");
    CHECK_INT (length, 15);
    CHECK_INT (s_next (reader, text, sizeof text, &length), LINE_READER_END);
    line_reader_destroy (&reader);
    close (fd);
    unlink (path);
    return jy_test_summary ("unit.line_reader");
}
