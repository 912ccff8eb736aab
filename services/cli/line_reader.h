/*  line_reader: journey push's lines from a file or a pipe, without blocking on a pipe.

    A push reading a pipe (a CMS writing events as they happen) must go on answering its
    timers while no whole line has arrived: a batch waiting to be sent again after a backoff
    cannot wait for the next event. So lines are cut from a buffer filled by read(2) only when
    poll(2) says the descriptor is readable, and the caller polls the descriptor with its
    sockets. Memory is bounded whatever the input: a line longer than max_line keeps its first
    max_line bytes (and says how long it was); the rest is read and dropped.
*/
#ifndef JOURNEY_CLI_LINE_READER_H_INCLUDED
#define JOURNEY_CLI_LINE_READER_H_INCLUDED

#include <stddef.h>

typedef struct _line_reader_t line_reader_t;

typedef enum {
    LINE_READER_LINE = 1,   //  a line: *line and *kept (no '\n'), *length its whole length
    LINE_READER_END = 0,    //  the end of the input: every line has been given
    LINE_READER_WAIT = -2,  //  no whole line yet and nothing to read now: poll the descriptor
    LINE_READER_ERROR = -1, //  read(2) failed: errno says why
} line_reader_result_t;

//  A reader of fd (not closed by the reader); lines of more than max_line bytes are cut.
line_reader_t *line_reader_new (int fd, size_t max_line);
void line_reader_destroy (line_reader_t **self_p);
//  The next line. The text stays valid until the next call.
line_reader_result_t line_reader_next (line_reader_t *self, const char **line, size_t *kept,
                                       size_t *length);
//  Bytes of the lines given so far, newlines included (how far into a file the push is).
unsigned long long line_reader_bytes (line_reader_t *self);

#endif
