/*  jy_config: one ZPL file per deployment (czmq zconfig), over the defaults file shipped in
    deploy/journey.cfg, with environment variables overriding both.

    Keys are paths such as "database/ingest_url". Lookup order: the environment variable
    JOURNEY_<PATH> (upper case, '/' and '-' become '_': JOURNEY_DATABASE_INGEST_URL), then the
    deployment file, then the defaults file, then the default the caller passes.
    Every error names the key and where its value came from, e.g.
        /etc/journey/journey.cfg: ingest/batch_max: "lots" is not a whole number in 1..100000
*/
#ifndef JY_CONFIG_H_INCLUDED
#define JY_CONFIG_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include "jy_date.h"

typedef struct _jy_config_t jy_config_t;

//  Load the deployment file (may be NULL: defaults only) over the defaults file (may be NULL).
//  Returns NULL with a message in err when a file cannot be read or parsed (naming the file).
jy_config_t *jy_config_load (const char *path, const char *defaults_path, char *err,
                             size_t err_size);
void jy_config_destroy (jy_config_t **self_p);

//  The deploy directory holding journey.cfg (the defaults) and migrations/: $JOURNEY_DEPLOY_DIR,
//  else the installed copy (<prefix>/share/journey) when present, else the source tree's deploy/.
const char *jy_deploy_dir (void);
//  <deploy dir>/journey.cfg.
const char *jy_config_default_defaults_path (void);
//  The deployment file named by $JOURNEY_CONFIG, or NULL.
const char *jy_config_env_path (void);

//  Path of the deployment file, or of the defaults file when there is none.
const char *jy_config_path (jy_config_t *self);

//  Raw value, or NULL when the key is set nowhere.
const char *jy_config_get (jy_config_t *self, const char *key);
//  Where the key's value comes from: "environment JOURNEY_X", a file path, or "default".
const char *jy_config_origin (jy_config_t *self, const char *key);

//  Typed lookups. Each returns 0 and sets *out (to default_value when the key is unset), or -1
//  with jy_config_error() naming the key, the origin and what is wrong.
int jy_config_string (jy_config_t *self, const char *key, const char *default_value,
                      const char **out);
int jy_config_int (jy_config_t *self, const char *key, long default_value, long min, long max,
                   long *out);
int jy_config_double (jy_config_t *self, const char *key, double default_value, double min,
                      double max, double *out);
//  true/false, yes/no, on/off, 1/0.
int jy_config_bool (jy_config_t *self, const char *key, bool default_value, bool *out);
int jy_config_date (jy_config_t *self, const char *key, jy_date_t default_value, jy_date_t *out);
//  A value that must be one of a NULL-terminated list of choices; *out is its index.
int jy_config_choice (jy_config_t *self, const char *key, const char *const *choices,
                      int default_index, int *out);

//  The section at key (deployment file first, then defaults), for iterating its children with
//  zconfig_child / zconfig_next; NULL when absent. Owned by the config.
zconfig_t *jy_config_section (jy_config_t *self, const char *key);
//  The file a section came from (for error messages about its children).
const char *jy_config_section_origin (jy_config_t *self, const char *key);

//  Record an error about key (printf-style problem text); returns -1 for convenience.
int jy_config_fail (jy_config_t *self, const char *key, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
//  The last error, "" when none.
const char *jy_config_error (jy_config_t *self);

//  Keys that several programs read, each with its one default (and, for a number, its one
//  range), so that no two programs disagree about what a file may say (docs/configuration.md).
typedef enum {
    JY_KEY_CONNECT_WAIT_MS, //  database/connect_wait_ms: 30000, 0..86400000
    JY_KEY_LA_TIMEZONE,     //  la/timezone: Europe/London
    JY_KEY_LA_CODE,         //  la/code: "" (none)
    JY_KEY_COUNT
} jy_config_key_t;
//  The key's name, e.g. "database/connect_wait_ms".
const char *jy_config_key_name (jy_config_key_t key);
//  jy_config_int / jy_config_string with the key's own default and range.
int jy_config_key_int (jy_config_t *self, jy_config_key_t key, long *out);
int jy_config_key_string (jy_config_t *self, jy_config_key_t key, const char **out);

//  The LA codes a service accepts: la/code (required; codes[0]) and the codes listed, space- or
//  comma-separated, under extra_key (e.g. "ingest/la_codes").
#define JY_LA_CODES_MAX 64
typedef struct {
    char codes[JY_LA_CODES_MAX][4];
    size_t count;
} jy_la_codes_t;

//  0, or -1 naming the key with a missing, malformed or surplus code (jy_config_fail).
int jy_config_la_codes (jy_config_t *self, const char *extra_key, jy_la_codes_t *out);
bool jy_la_codes_allowed (const jy_la_codes_t *codes, const char *la_code);

#endif
