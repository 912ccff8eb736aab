/*  jy_config: the deployment's ZPL file over the shipped defaults, environment overriding both.

    czmq's zconfig parser says nothing useful when a file is malformed (it logs a terse line on
    stdout and returns NULL), so each file is read here first and checked line by line against
    the same rules the parser applies; a bad file is reported by line number and the parser is
    only handed files that pass.
*/
#include "jy_config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define S_ERROR_MAX  1024
#define S_ORIGIN_MAX 300
#define S_PATH_MAX   4096
#define S_ZPL_LINE   1024 //  zconfig silently truncates longer lines

struct _jy_config_t {
    zconfig_t *deploy; //  the deployment file, or NULL
    char *deploy_path;
    zconfig_t *defaults; //  the defaults file, or NULL
    char *defaults_path;
    char origin[S_ORIGIN_MAX]; //  "environment JOURNEY_X" for jy_config_origin
    char error[S_ERROR_MAX];
};

//  --------------------------------------------------------------------------------------------
//  Loading

//  ZPL name characters, as czmq's parser accepts them.
static bool s_is_namechar (char c)
{
    return isalnum ((unsigned char) c) || c == '$' || c == '-' || c == '_' || c == '@' ||
           c == '.' || c == '&' || c == '+' || c == '/';
}

//  Nothing but whitespace or a comment from here to the end of the line. czmq accepts a
//  comment after a value or a section name.
static bool s_rest_is_blank (const char *p)
{
    while (*p && isspace ((unsigned char) *p))
        p++;
    return *p == '\0' || *p == '#';
}

//  One line, trimmed of trailing whitespace. last_level is the level of the last name seen
//  (-1 before the first). Returns NULL when the line is acceptable, else what is wrong with it
//  (in problem, a buffer of size problem_size).
static const char *s_check_line (char *line, int *last_level, char *problem, size_t problem_size)
{
    size_t length = strlen (line);
    while (length && isspace ((unsigned char) line[length - 1]))
        line[--length] = '\0';
    if (length == 0)
        return NULL;

    char *p = line;
    while (*p == ' ')
        p++;
    size_t indent = (size_t) (p - line);
    //  czmq counts only spaces, and requires whole levels even of comment lines.
    if (indent % 4) {
        snprintf (problem, problem_size,
                  "indentation of %zu spaces is not a multiple of four (ZPL indents four spaces "
                  "per level)",
                  indent);
        return problem;
    }
    int level = (int) (indent / 4);
    if (isspace ((unsigned char) *p)) {
        //  Other whitespace before a comment is harmless; before a name it is a syntax error.
        char *q = p;
        while (isspace ((unsigned char) *q))
            q++;
        if (*q == '#')
            return NULL;
        snprintf (problem, problem_size, "tab in indentation (indent with four spaces)");
        return problem;
    }
    if (*p == '#')
        return NULL;

    char *name = p;
    while (s_is_namechar (*p))
        p++;
    size_t name_length = (size_t) (p - name);
    if (name_length == 0) {
        snprintf (problem, problem_size, "expected a name, found \"%.40s\"", name);
        return problem;
    }
    if (name[0] == '/' || name[name_length - 1] == '/') {
        snprintf (problem, problem_size, "name \"%.*s\" starts or ends with '/'",
                  (int) (name_length > 60 ? 60 : name_length), name);
        return problem;
    }
    if (level > *last_level + 1) {
        snprintf (problem, problem_size,
                  "indented %d levels under a line at level %d (a child is one level, four "
                  "spaces, deeper than its parent)",
                  level, *last_level < 0 ? 0 : *last_level);
        return problem;
    }
    while (*p && isspace ((unsigned char) *p))
        p++;
    if (*p == '=') {
        p++;
        while (*p && isspace ((unsigned char) *p))
            p++;
        if (*p == '"' || *p == '\'') {
            char *end = strchr (p + 1, *p);
            if (!end) {
                snprintf (problem, problem_size, "value has no closing %c", *p);
                return problem;
            }
            if (!s_rest_is_blank (end + 1)) {
                snprintf (problem, problem_size, "unexpected \"%.40s\" after the quoted value",
                          end + 1);
                return problem;
            }
        }
        //  An unquoted value runs to the end of the line or a '#'.
    } else if (!s_rest_is_blank (p)) {
        snprintf (problem, problem_size, "expected \"= value\" after \"%.*s\", found \"%.40s\"",
                  (int) (name_length > 60 ? 60 : name_length), name, p);
        return problem;
    }
    *last_level = level;
    return NULL;
}

//  Read and parse one file. NULL with err naming the file (and the line, where it can).
static zconfig_t *s_load_file (const char *path, char *err, size_t err_size)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        snprintf (err, err_size, "%s: cannot read: %s", path, strerror (errno));
        return NULL;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *buffer = open_memstream (&text, &size);
    assert (buffer);
    char chunk[8192];
    size_t got;
    while ((got = fread (chunk, 1, sizeof chunk, file)) > 0)
        fwrite (chunk, 1, got, buffer);
    int read_errno = ferror (file) ? errno : 0;
    fclose (file);
    fclose (buffer);
    assert (text);
    if (read_errno) {
        snprintf (err, err_size, "%s: cannot read: %s", path, strerror (read_errno));
        free (text);
        return NULL;
    }
    if (memchr (text, '\0', size)) {
        snprintf (err, err_size, "%s: not a text file (contains a NUL byte)", path);
        free (text);
        return NULL;
    }

    //  Check every line the way zconfig will, so that a mistake is reported with its line.
    int last_level = -1;
    int lineno = 0;
    bool ok = true;
    char *line = text;
    while (ok && *line) {
        char *eol = strchr (line, '\n');
        size_t length = eol ? (size_t) (eol - line) : strlen (line);
        lineno++;
        char copy[S_ZPL_LINE + 2];
        char problem[256];
        if (length > S_ZPL_LINE) {
            snprintf (err, err_size, "%s: line %d: longer than %d characters", path, lineno,
                      S_ZPL_LINE);
            ok = false;
            break;
        }
        memcpy (copy, line, length);
        copy[length] = '\0';
        const char *wrong = s_check_line (copy, &last_level, problem, sizeof problem);
        if (wrong) {
            snprintf (err, err_size, "%s: line %d: %s", path, lineno, wrong);
            ok = false;
        }
        line = eol ? eol + 1 : line + length;
    }
    zconfig_t *config = NULL;
    if (ok) {
        config = zconfig_str_load (text);
        if (!config)
            snprintf (err, err_size, "%s: not valid ZPL (czmq zconfig could not parse it)", path);
    }
    free (text);
    return config;
}

jy_config_t *jy_config_load (const char *path, const char *defaults_path, char *err,
                             size_t err_size)
{
    assert (err && err_size > 0);
    err[0] = '\0';
    jy_config_t *self = (jy_config_t *) calloc (1, sizeof (jy_config_t));
    assert (self);
    if (defaults_path) {
        self->defaults = s_load_file (defaults_path, err, err_size);
        if (!self->defaults) {
            jy_config_destroy (&self);
            return NULL;
        }
        self->defaults_path = strdup (defaults_path);
        assert (self->defaults_path);
    }
    if (path) {
        self->deploy = s_load_file (path, err, err_size);
        if (!self->deploy) {
            jy_config_destroy (&self);
            return NULL;
        }
        self->deploy_path = strdup (path);
        assert (self->deploy_path);
    }
    return self;
}

void jy_config_destroy (jy_config_t **self_p)
{
    assert (self_p);
    jy_config_t *self = *self_p;
    if (self) {
        zconfig_destroy (&self->deploy);
        zconfig_destroy (&self->defaults);
        free (self->deploy_path);
        free (self->defaults_path);
        free (self);
        *self_p = NULL;
    }
}

//  --------------------------------------------------------------------------------------------
//  Where files are

const char *jy_deploy_dir (void)
{
    const char *dir = getenv ("JOURNEY_DEPLOY_DIR");
    if (dir && *dir)
        return dir;
#ifdef JOURNEY_INSTALL_DEPLOY_DIR
    if (access (JOURNEY_INSTALL_DEPLOY_DIR "/journey.cfg", R_OK) == 0)
        return JOURNEY_INSTALL_DEPLOY_DIR;
#endif
#ifdef JOURNEY_SOURCE_DEPLOY_DIR
    return JOURNEY_SOURCE_DEPLOY_DIR;
#else
    return "deploy";
#endif
}

const char *jy_config_default_defaults_path (void)
{
    //  Startup-time call from one thread; the environment can change between calls (tests).
    static char path[S_PATH_MAX];
    snprintf (path, sizeof path, "%s/journey.cfg", jy_deploy_dir ());
    return path;
}

const char *jy_config_env_path (void)
{
    const char *path = getenv ("JOURNEY_CONFIG");
    return path && *path ? path : NULL;
}

const char *jy_config_path (jy_config_t *self)
{
    assert (self);
    return self->deploy_path ? self->deploy_path : self->defaults_path;
}

//  --------------------------------------------------------------------------------------------
//  Lookup

//  JOURNEY_ + key upper-cased, '/' and '-' as '_'. False when the key does not fit.
static bool s_env_name (const char *key, char *name, size_t size)
{
    int n = snprintf (name, size, "JOURNEY_%s", key);
    if (n < 0 || (size_t) n >= size)
        return false;
    for (char *p = name + 8; *p; p++) {
        if (*p == '/' || *p == '-')
            *p = '_';
        else
            *p = (char) toupper ((unsigned char) *p);
    }
    return true;
}

//  An empty variable counts as unset: compose files and shells expand missing variables to "".
static const char *s_env_value (const char *key, char *name, size_t size)
{
    if (!s_env_name (key, name, size))
        return NULL;
    const char *value = getenv (name);
    return value && *value ? value : NULL;
}

//  A value in one file: an item with a value. Sections (no value) do not count.
static const char *s_file_value (zconfig_t *root, const char *key)
{
    if (!root)
        return NULL;
    zconfig_t *item = zconfig_locate (root, key);
    return item ? zconfig_value (item) : NULL;
}

//  The value and where it comes from (the origin pointer is into self or the file paths).
static const char *s_lookup (jy_config_t *self, const char *key, const char **origin)
{
    assert (self);
    assert (key);
    char name[S_ORIGIN_MAX - 16];
    const char *value = s_env_value (key, name, sizeof name);
    if (value) {
        snprintf (self->origin, sizeof self->origin, "environment %s", name);
        *origin = self->origin;
        return value;
    }
    value = s_file_value (self->deploy, key);
    if (value) {
        *origin = self->deploy_path;
        return value;
    }
    value = s_file_value (self->defaults, key);
    if (value) {
        *origin = self->defaults_path;
        return value;
    }
    *origin = "default";
    return NULL;
}

const char *jy_config_get (jy_config_t *self, const char *key)
{
    const char *origin;
    return s_lookup (self, key, &origin);
}

const char *jy_config_origin (jy_config_t *self, const char *key)
{
    const char *origin;
    s_lookup (self, key, &origin);
    //  A child of a section (e.g. a closure day) is found by jy_config_section's rule.
    if (strcmp (origin, "default") == 0) {
        if (self->deploy && zconfig_locate (self->deploy, key))
            return self->deploy_path;
        if (self->defaults && zconfig_locate (self->defaults, key))
            return self->defaults_path;
    }
    return origin;
}

int jy_config_fail (jy_config_t *self, const char *key, const char *format, ...)
{
    assert (self);
    char problem[S_ERROR_MAX];
    va_list args;
    va_start (args, format);
    vsnprintf (problem, sizeof problem, format, args);
    va_end (args);
    //  The origin may live in self->origin: copy before formatting into self->error.
    char origin[S_ORIGIN_MAX];
    snprintf (origin, sizeof origin, "%s", jy_config_origin (self, key));
    int n = snprintf (self->error, sizeof self->error, "%s: %s: %s", origin, key, problem);
    if (n >= (int) sizeof self->error) //  cut long: mark it
        memcpy (self->error + sizeof self->error - 4, "...", 4);
    return -1;
}

const char *jy_config_error (jy_config_t *self)
{
    assert (self);
    return self->error;
}

//  --------------------------------------------------------------------------------------------
//  Typed lookups

int jy_config_string (jy_config_t *self, const char *key, const char *default_value,
                      const char **out)
{
    const char *value = jy_config_get (self, key);
    *out = value ? value : default_value;
    return 0;
}

int jy_config_int (jy_config_t *self, const char *key, long default_value, long min, long max,
                   long *out)
{
    const char *value = jy_config_get (self, key);
    if (!value) {
        *out = default_value;
        return 0;
    }
    //  strtol accepts leading spaces, a '+' and hex with base 0: be stricter than that.
    const char *p = value[0] == '-' ? value + 1 : value;
    bool digits = *p != '\0';
    for (; *p; p++)
        if (!isdigit ((unsigned char) *p))
            digits = false;
    errno = 0;
    long number = digits ? strtol (value, NULL, 10) : 0;
    if (!digits || errno == ERANGE || number < min || number > max)
        return jy_config_fail (self, key, "\"%s\" is not a whole number in %ld..%ld", value, min,
                               max);
    *out = number;
    return 0;
}

int jy_config_double (jy_config_t *self, const char *key, double default_value, double min,
                      double max, double *out)
{
    const char *value = jy_config_get (self, key);
    if (!value) {
        *out = default_value;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double number = 0;
    bool ok = *value && !isspace ((unsigned char) *value);
    if (ok) {
        number = strtod (value, &end);
        //  No hex floats, infinities or NaN in a configuration file.
        ok = end != value && *end == '\0' && errno != ERANGE && !strpbrk (value, "xXnN");
    }
    if (!ok || !(number >= min && number <= max))
        return jy_config_fail (self, key, "\"%s\" is not a number in %g..%g", value, min, max);
    *out = number;
    return 0;
}

int jy_config_bool (jy_config_t *self, const char *key, bool default_value, bool *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    const char *value = jy_config_get (self, key);
    if (!value) {
        *out = default_value;
        return 0;
    }
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp (value, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp (value, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return jy_config_fail (self, key, "\"%s\" is not one of true, false, yes, no, on, off, 1, 0",
                           value);
}

int jy_config_date (jy_config_t *self, const char *key, jy_date_t default_value, jy_date_t *out)
{
    const char *value = jy_config_get (self, key);
    if (!value) {
        *out = default_value;
        return 0;
    }
    jy_date_t date;
    if (jy_date_parse (value, &date) != 0)
        return jy_config_fail (self, key, "\"%s\" is not a date YYYY-MM-DD in %d..%d", value,
                               JY_DATE_MIN_YEAR, JY_DATE_MAX_YEAR);
    *out = date;
    return 0;
}

int jy_config_choice (jy_config_t *self, const char *key, const char *const *choices,
                      int default_index, int *out)
{
    assert (choices && choices[0]);
    const char *value = jy_config_get (self, key);
    if (!value) {
        *out = default_index;
        return 0;
    }
    for (int i = 0; choices[i]; i++) {
        if (strcasecmp (value, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[S_ERROR_MAX / 2] = "";
    size_t used = 0;
    for (int i = 0; choices[i] && used < sizeof list; i++) {
        int n = snprintf (list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
        if (n < 0)
            break;
        used += (size_t) n;
    }
    return jy_config_fail (self, key, "\"%s\" is not one of %s", value, list);
}

//  --------------------------------------------------------------------------------------------
//  Sections

zconfig_t *jy_config_section (jy_config_t *self, const char *key)
{
    assert (self);
    zconfig_t *section = self->deploy ? zconfig_locate (self->deploy, key) : NULL;
    if (!section && self->defaults)
        section = zconfig_locate (self->defaults, key);
    return section;
}

const char *jy_config_section_origin (jy_config_t *self, const char *key)
{
    assert (self);
    if (self->deploy && zconfig_locate (self->deploy, key))
        return self->deploy_path;
    if (self->defaults && zconfig_locate (self->defaults, key))
        return self->defaults_path;
    return "default";
}

//  --- LA codes -------------------------------------------------------------------------------

bool jy_la_codes_allowed (const jy_la_codes_t *codes, const char *la_code)
{
    assert (codes);
    for (size_t i = 0; la_code && i < codes->count; i++)
        if (strcmp (codes->codes[i], la_code) == 0)
            return true;
    return false;
}

static int s_add_la_code (jy_config_t *self, const char *key, const char *code, size_t length,
                          jy_la_codes_t *out)
{
    bool digits = length == 3;
    for (size_t i = 0; digits && i < 3; i++)
        digits = code[i] >= '0' && code[i] <= '9';
    if (!digits)
        return jy_config_fail (self, key, "\"%.*s\" is not a three-digit DfE LA code",
                               (int) (length < 16 ? length : 16), code);
    char text[4] = {code[0], code[1], code[2], '\0'};
    if (jy_la_codes_allowed (out, text))
        return 0;
    if (out->count == JY_LA_CODES_MAX)
        return jy_config_fail (self, key, "more than %d LA codes", JY_LA_CODES_MAX);
    memcpy (out->codes[out->count++], text, sizeof text);
    return 0;
}

int jy_config_la_codes (jy_config_t *self, const char *extra_key, jy_la_codes_t *out)
{
    assert (self && extra_key && out);
    memset (out, 0, sizeof *out);
    const char *la_code, *extra;
    if (jy_config_key_string (self, JY_KEY_LA_CODE, &la_code))
        return -1;
    if (!*la_code)
        return jy_config_fail (self, "la/code",
                               "no LA code configured (the three-digit DfE code, e.g. 872)");
    if (s_add_la_code (self, "la/code", la_code, strlen (la_code), out))
        return -1;
    if (jy_config_string (self, extra_key, "", &extra))
        return -1;
    for (const char *p = extra; *p;) {
        p += strspn (p, " \t,");
        size_t length = strcspn (p, " \t,");
        if (length && s_add_la_code (self, extra_key, p, length, out))
            return -1;
        p += length;
    }
    return 0;
}

//  --- Keys several programs read ------------------------------------------------------------

static const struct {
    const char *name;
    bool number;
    long default_number, min, max;
    const char *default_text;
} s_keys[JY_KEY_COUNT] = {
    //  A day at most: migrate in a slow start-up may wait long; longer would hide a mistake.
    [JY_KEY_CONNECT_WAIT_MS] = {"database/connect_wait_ms", true, 30000, 0, 86400000, NULL},
    [JY_KEY_LA_TIMEZONE] = {"la/timezone", false, 0, 0, 0, "Europe/London"},
    [JY_KEY_LA_CODE] = {"la/code", false, 0, 0, 0, ""},
};

const char *jy_config_key_name (jy_config_key_t key)
{
    assert (key < JY_KEY_COUNT);
    return s_keys[key].name;
}

int jy_config_key_int (jy_config_t *self, jy_config_key_t key, long *out)
{
    assert (key < JY_KEY_COUNT && s_keys[key].number);
    return jy_config_int (self, s_keys[key].name, s_keys[key].default_number, s_keys[key].min,
                          s_keys[key].max, out);
}

int jy_config_key_string (jy_config_t *self, jy_config_key_t key, const char **out)
{
    assert (key < JY_KEY_COUNT && !s_keys[key].number);
    return jy_config_string (self, s_keys[key].name, s_keys[key].default_text, out);
}
