/*  schedule: board packs on a schedule (schedule.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "schedule.h"

#define S_MAX_SCHEDULES 16
#define S_KEY_MAX       256

struct _rp_schedules_t {
    rp_schedule_t schedules[S_MAX_SCHEDULES];
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
                   const char *out_dir_default, const char *la_code_default)
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
    char problem[160];
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
    schedule->out_dir = *out_dir ? out_dir : out_dir_default;
    schedule->la_code = la_code;
    self->count++;
    return 0;
}

rp_schedules_t *rp_schedules_new (jy_config_t *config, const char *out_dir_default,
                                  const char *la_code_default)
{
    rp_schedules_t *self = (rp_schedules_t *) zmalloc (sizeof (rp_schedules_t));
    assert (self);
    zconfig_t *section = jy_config_section (config, "reporting/schedules");
    for (zconfig_t *child = section ? zconfig_child (section) : NULL; child;
         child = zconfig_next (child))
        if (s_read (self, config, child, out_dir_default, la_code_default)) {
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
    char path[4400], text[32] = "";
    s_done_path (schedule, path, sizeof path);
    FILE *file = fopen (path, "r");
    if (!file)
        return JY_DATE_INVALID;
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
    char path[4400], temporary[4500], text[JY_DATE_TEXT_SIZE];
    s_done_path (schedule, path, sizeof path);
    snprintf (temporary, sizeof temporary, "%s.new", path);
    if (zsys_dir_create ("%s", schedule->out_dir) != 0) {
        jy_warning ("cannot create %s: %s", schedule->out_dir, strerror (errno));
        return -1;
    }
    FILE *file = fopen (temporary, "w");
    if (!file) {
        jy_warning ("cannot write %s: %s", temporary, strerror (errno));
        return -1;
    }
    int written = fprintf (file, "%s\n", jy_date_format (to, text));
    if (fclose (file) != 0 || written < 0 || rename (temporary, path) != 0) {
        jy_warning ("cannot write %s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
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
