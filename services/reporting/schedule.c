/*  schedule: board packs on a schedule (schedule.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "schedule.h"

#define S_MAX_SCHEDULES 16
#define S_KEY_MAX       256

struct _rp_schedules_t {
    rp_schedule_t schedules[S_MAX_SCHEDULES];
    char out_dirs[S_MAX_SCHEDULES][PATH_MAX]; //  each schedule's, made absolute
    size_t count;
};

static bool s_plain_name (const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

static int s_read (rp_schedules_t *self, jy_config_t *config, zconfig_t *section,
                   const char *out_dir_default, const char *out_root, const char *la_code_default)
{
    static const char *const everies[] = {"month", "quarter", NULL};
    static const char *const known[] = {"every", "formats", "out_dir", "la_code", NULL};
    const char *name = zconfig_name (section);
    char base[S_KEY_MAX], key[S_KEY_MAX * 2];
    snprintf (base, sizeof base, "reporting/schedules/%.200s", name);
    if (!s_plain_name (name))
        return jy_config_fail (config, base, "a schedule's name is letters, digits, '_' and '-'");
    if (self->count == S_MAX_SCHEDULES)
        return jy_config_fail (config, base, "at most %d schedules", S_MAX_SCHEDULES);
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp (zconfig_name (child), known[i]) == 0;
        if (!ok) {
            snprintf (key, sizeof key, "%s/%s", base, zconfig_name (child));
            return jy_config_fail (config, key,
                                   "unknown key (a schedule has every, formats, out_dir, la_code)");
        }
    }
    rp_schedule_t *schedule = &self->schedules[self->count];
    int every;
    const char *formats, *out_dir, *la_code;
    snprintf (key, sizeof key, "%s/every", base);
    if (!jy_config_get (config, key))
        return jy_config_fail (config, key, "is required: \"month\" or \"quarter\"");
    if (jy_config_choice (config, key, everies, 1, &every))
        return -1;
    snprintf (key, sizeof key, "%s/formats", base);
    if (jy_config_string (config, key, "html,csv,json", &formats))
        return -1;
    unsigned bits = 0;
    char problem[1024];
    if (rp_formats_parse (formats, &bits, problem, sizeof problem))
        return jy_config_fail (config, key, "%s", problem);
    snprintf (key, sizeof key, "%s/out_dir", base);
    if (jy_config_string (config, key, "", &out_dir))
        return -1;
    snprintf (key, sizeof key, "%s/la_code", base);
    if (jy_config_string (config, key, "", &la_code))
        return -1;
    if (!*la_code)
        la_code = la_code_default;
    if (!*la_code) {
        //  Not an error: a deployment without la/code (a test, a fresh install) has nothing
        //  to report on yet.
        jy_warning ("%s: no LA (set it here or la/code): the schedule does not run", base);
        return 0;
    }
    schedule->name = name;
    schedule->every = (rp_every_t) every;
    schedule->formats = bits;
    //  A relative directory is taken from the daemon's working directory at start; wherever
    //  it is, it must lie under reporting/out_root, as a request's must.
    char *absolute = self->out_dirs[self->count], cwd[PATH_MAX / 2], resolved[PATH_MAX];
    if (!*out_dir)
        out_dir = out_dir_default;
    if (out_dir[0] != '/' && getcwd (cwd, sizeof cwd))
        snprintf (absolute, PATH_MAX, "%s/%.*s", cwd, PATH_MAX / 2 - 2, out_dir);
    else
        snprintf (absolute, PATH_MAX, "%s", out_dir);
    snprintf (key, sizeof key, "%s/out_dir", base);
    if (jy_file_dir_under (absolute, out_root, false, resolved, sizeof resolved, problem,
                           sizeof problem))
        return jy_config_fail (config, key, "%s (reporting/out_root)", problem);
    schedule->out_dir = absolute;
    schedule->out_root = out_root;
    schedule->la_code = la_code;
    self->count++;
    return 0;
}

rp_schedules_t *rp_schedules_new (jy_config_t *config, const char *out_dir_default,
                                  const char *out_root, const char *la_code_default)
{
    rp_schedules_t *self = (rp_schedules_t *) zmalloc (sizeof (rp_schedules_t));
    assert (self);
    zconfig_t *section = jy_config_section (config, "reporting/schedules");
    for (zconfig_t *child = section ? zconfig_child (section) : NULL; child;
         child = zconfig_next (child))
        if (s_read (self, config, child, out_dir_default, out_root, la_code_default)) {
            rp_schedules_destroy (&self);
            return NULL;
        }
    return self;
}

void rp_schedules_destroy (rp_schedules_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

size_t rp_schedules_count (rp_schedules_t *self)
{
    return self->count;
}

const rp_schedule_t *rp_schedules_get (rp_schedules_t *self, size_t index)
{
    assert (index < self->count);
    return &self->schedules[index];
}

static void s_done_path (const rp_schedule_t *schedule, char *path, size_t size)
{
    snprintf (path, size, "%s/.schedule-%s-%s", schedule->out_dir, schedule->name,
              schedule->la_code);
}

//  The schedule file's date; JY_DATE_INVALID when there is none, or (said when `say`) when it
//  is not a date.
static jy_date_t s_read_done (const rp_schedule_t *schedule, bool say)
{
    char path[PATH_MAX + 128], text[32] = "";
    s_done_path (schedule, path, sizeof path);
    //  Not through a symlink: the file would say what another file begins with.
    int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *file = fd >= 0 ? fdopen (fd, "r") : NULL;
    if (!file) {
        if (fd >= 0)
            close (fd);
        if (errno == ELOOP && say)
            jy_warning ("%s is a symlink: not read; the schedule starts afresh", path);
        return JY_DATE_INVALID;
    }
    bool read = fgets (text, sizeof text, file) != NULL;
    fclose (file);
    text[strcspn (text, "\r\n")] = '\0';
    jy_date_t to;
    if (!read || jy_date_parse (text, &to) != 0) {
        if (say)
            jy_warning ("%s: \"%s\" is not a date YYYY-MM-DD; the schedule starts afresh", path,
                        text);
        return JY_DATE_INVALID;
    }
    return to;
}

jy_date_t rp_schedule_done_to (const rp_schedule_t *schedule)
{
    assert (schedule);
    return s_read_done (schedule, true);
}

int rp_schedule_set_done (const rp_schedule_t *schedule, jy_date_t to)
{
    assert (schedule);
    jy_date_t done = s_read_done (schedule, false);
    if (done != JY_DATE_INVALID && done >= to)
        return 0;
    char path[PATH_MAX + 128], dir[PATH_MAX], text[JY_DATE_TEXT_SIZE], error[PATH_MAX + 256];
    if (jy_file_dir_under (schedule->out_dir,
                           schedule->out_root ? schedule->out_root : schedule->out_dir, true, dir,
                           sizeof dir, error, sizeof error)) {
        jy_warning ("schedule %s: %s", schedule->name, error);
        return -1;
    }
    snprintf (path, sizeof path, "%s/.schedule-%s-%s", dir, schedule->name, schedule->la_code);
    jy_file_t *file = jy_file_new (path, 0640, error, sizeof error);
    if (file) {
        fprintf (jy_file_stream (file), "%s\n", jy_date_format (to, text));
        if (jy_file_commit (file, error, sizeof error) == 0) {
            jy_file_destroy (&file);
            return 0;
        }
        jy_file_destroy (&file);
    }
    jy_warning ("schedule %s: %s", schedule->name, error);
    return -1;
}

void rp_schedule_period (rp_every_t every, jy_date_t today, jy_date_t *from, jy_date_t *to)
{
    int year, month, day;
    jy_date_to_ymd (today, &year, &month, &day);
    int length = every == RP_EVERY_QUARTER ? 3 : 1;
    int first_month = ((month - 1) / length) * length + 1; //  the current period's
    jy_date_t current = jy_date_from_ymd (year, first_month, 1);
    *to = current - 1;
    *from = jy_date_add_months (current, -length);
}
