/*  jy_log: one line per record on stderr, with UTC timestamp, program and level:
    2026-11-22T02:13:46.123Z journey-ingestd[1234] info: listening on tcp://127.0.0.1:7301
    systemd and docker capture stderr, so there is no file handling here.
*/
#ifndef JY_LOG_H_INCLUDED
#define JY_LOG_H_INCLUDED

#include <stdarg.h>

typedef enum {
    JY_LOG_DEBUG = 0,
    JY_LOG_INFO,
    JY_LOG_NOTICE,
    JY_LOG_WARNING,
    JY_LOG_ERROR,
} jy_log_level_t;

//  Set the program name and the lowest level written. Safe to call again.
void jy_log_init (const char *program, jy_log_level_t level);
//  "debug", "info", "notice", "warning", "error". 0 or -1.
int jy_log_level_parse (const char *text, jy_log_level_t *level);
jy_log_level_t jy_log_level (void);

void jy_log (jy_log_level_t level, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
void jy_logv (jy_log_level_t level, const char *format, va_list args);

#define jy_debug(...)   jy_log (JY_LOG_DEBUG, __VA_ARGS__)
#define jy_info(...)    jy_log (JY_LOG_INFO, __VA_ARGS__)
#define jy_notice(...)  jy_log (JY_LOG_NOTICE, __VA_ARGS__)
#define jy_warning(...) jy_log (JY_LOG_WARNING, __VA_ARGS__)
#define jy_error(...)   jy_log (JY_LOG_ERROR, __VA_ARGS__)

#endif
