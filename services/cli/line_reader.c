/*  line_reader: lines from a file or a pipe, without blocking on a pipe (line_reader.h).
 */
#include "line_reader.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_READ_SIZE (256 * 1024) //  bytes asked of read(2) at a time

struct _line_reader_t {
    int fd;
    size_t max_line;
    char *buffer; //  max_line + S_READ_SIZE bytes: a whole kept line always fits
    size_t capacity, start, end;
    bool at_end;              //  read(2) said end of file
    bool cutting;             //  inside a line over max_line: its first max_line bytes are in cut
    char *cut;                //  max_line bytes
    size_t cut_seen;          //  its length so far
    unsigned long long bytes; //  of the lines given
};

line_reader_t *line_reader_new (int fd, size_t max_line)
{
    assert (fd >= 0 && max_line > 0);
    line_reader_t *self = (line_reader_t *) calloc (1, sizeof (line_reader_t));
    assert (self);
    self->fd = fd;
    self->max_line = max_line;
    self->capacity = max_line + S_READ_SIZE;
    self->buffer = (char *) malloc (self->capacity);
    self->cut = (char *) malloc (max_line);
    assert (self->buffer && self->cut);
    return self;
}

void line_reader_destroy (line_reader_t **self_p)
{
    assert (self_p);
    line_reader_t *self = *self_p;
    if (!self)
        return;
    free (self->buffer);
    free (self->cut);
    free (self);
    *self_p = NULL;
}

unsigned long long line_reader_bytes (line_reader_t *self)
{
    assert (self);
    return self->bytes;
}

//  Give buffer[start, start + size) as a line, or the cut line it ends.
static line_reader_result_t s_give (line_reader_t *self, size_t size, const char **line,
                                    size_t *kept, size_t *length)
{
    if (self->cutting) {
        self->cutting = false;
        *line = self->cut;
        *kept = self->max_line;
        *length = self->cut_seen + size;
    } else {
        *line = self->buffer + self->start;
        *kept = size;
        *length = size;
    }
    return LINE_READER_LINE;
}

line_reader_result_t line_reader_next (line_reader_t *self, const char **line, size_t *kept,
                                       size_t *length)
{
    assert (self && line && kept && length);
    for (;;) {
        size_t pending = self->end - self->start;
        char *newline = (char *) memchr (self->buffer + self->start, '\n', pending);
        if (newline) {
            size_t size = (size_t) (newline - (self->buffer + self->start));
            line_reader_result_t result = s_give (self, size, line, kept, length);
            self->start += size + 1;
            self->bytes += *length + 1;
            return result;
        }
        if (self->at_end) {
            if (pending == 0 && !self->cutting)
                return LINE_READER_END;
            line_reader_result_t result = s_give (self, pending, line, kept, length);
            self->start = self->end;
            self->bytes += *length;
            return result;
        }
        //  No whole line in the buffer: keep what a line may keep, then read more.
        if (!self->cutting && pending > self->max_line) {
            memcpy (self->cut, self->buffer + self->start, self->max_line);
            self->cutting = true;
            self->cut_seen = 0;
        }
        if (self->cutting) {
            self->cut_seen += pending;
            self->start = self->end;
            pending = 0;
        }
        memmove (self->buffer, self->buffer + self->start, pending);
        self->start = 0;
        self->end = pending;
        struct pollfd readable = {.fd = self->fd, .events = POLLIN};
        int ready = poll (&readable, 1, 0);
        if (ready < 0 && errno != EINTR)
            return LINE_READER_ERROR;
        if (ready <= 0)
            return LINE_READER_WAIT;
        ssize_t got = read (self->fd, self->buffer + self->end, self->capacity - self->end);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                return LINE_READER_WAIT;
            return LINE_READER_ERROR;
        }
        if (got == 0)
            self->at_end = true;
        self->end += (size_t) got;
    }
}
