/*  ladder: the dispute ladder and the permissions, from configuration (ladder.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

#define S_DAYS_MAX  250 //  a stage or the whole process: about a working year
#define S_LIST_TEXT 512 //  a role or category list as configured

//  Verbs in Journey__V1__DisputeCommand__Verb order: the index is the enum value.
static const char *const s_verb_names[] = {
    NULL,      "raise", "respond", "escalate", "resolve", "withdraw", "refer-cafcass",
    "comment", "show",  "list",    "verify",
};
#define S_VERB_COUNT (sizeof s_verb_names / sizeof s_verb_names[0])

//  Words a verb's roles may use besides role names.
#define S_ANY_KNOWN  "any"
#define S_ANYONE     "anyone"
#define S_ANSWERABLE "answerable"
#define S_RAISER     "raiser"
//  The role the daemon itself acts as (auto-escalation): no command may claim it.
#define S_SYSTEM_ROLE "system"

typedef uint64_t s_roles_t; //  bit i: known role i

typedef struct {
    char name[64];
    char answerable_text[S_LIST_TEXT];
    s_roles_t answerable;
    int response_days;
} s_stage_t;

typedef struct {
    char text[S_LIST_TEXT];
    s_roles_t roles;
    bool any_known, anyone, answerable, raiser;
} s_rule_t;

struct _ladder_t {
    s_stage_t stages[LADDER_MAX_STAGES + 1]; //  1..top
    int top;
    int overall_limit_days;
    int warn_days;
    int safety_stage;
    char roles_text[S_LIST_TEXT];
    char roles[LADDER_MAX_ROLES][LADDER_NAME_MAX + 1];
    size_t role_count;
    char categories_text[S_LIST_TEXT];
    char categories[LADDER_MAX_ROLES][LADDER_NAME_MAX + 1];
    size_t category_count;
    s_rule_t rules[S_VERB_COUNT];
};

//  --- Names and lists ---------------------------------------------------------------------------

//  A role or category: lower-case letters, digits and '-', 1..LADDER_NAME_MAX characters.
static bool s_is_name (const char *text, size_t length)
{
    if (length == 0 || length > LADDER_NAME_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

//  names: count entries of LADDER_NAME_MAX + 1 characters each.
static int s_index_of (const char *names, size_t count, const char *name, size_t length)
{
    for (size_t i = 0; i < count; i++) {
        const char *entry = names + i * (LADDER_NAME_MAX + 1);
        if (strlen (entry) == length && memcmp (entry, name, length) == 0)
            return (int) i;
    }
    return -1;
}

//  The next word of a space- or comma-separated list: *length 0 at the end.
static const char *s_next_word (const char *p, size_t *length)
{
    p += strspn (p, " \t,");
    *length = strcspn (p, " \t,");
    return p;
}

static bool s_word_is (const char *word, size_t length, const char *what)
{
    return strlen (what) == length && memcmp (word, what, length) == 0;
}

//  A list of names into names[] (no duplicates, at least one). 0 or -1 naming the key.
static int s_load_names (jy_config_t *config, const char *key, const char *fallback,
                         char names[][LADDER_NAME_MAX + 1], size_t *count, char *text,
                         size_t text_size)
{
    const char *value;
    if (jy_config_string (config, key, fallback, &value))
        return -1;
    if (strlen (value) >= text_size)
        return jy_config_fail (config, key, "the list is longer than %zu characters",
                               text_size - 1);
    snprintf (text, text_size, "%s", value);
    *count = 0;
    size_t length;
    for (const char *word = s_next_word (value, &length); length;
         word = s_next_word (word + length, &length)) {
        if (!s_is_name (word, length))
            return jy_config_fail (config, key,
                                   "\"%.*s\" is not a name (lower-case letters, digits and -, at "
                                   "most %d characters)",
                                   (int) length, word, LADDER_NAME_MAX);
        if (s_index_of (&names[0][0], *count, word, length) >= 0)
            continue;
        if (*count == LADDER_MAX_ROLES)
            return jy_config_fail (config, key, "more than %d names", LADDER_MAX_ROLES);
        memcpy (names[*count], word, length);
        names[*count][length] = '\0';
        (*count)++;
    }
    if (*count == 0)
        return jy_config_fail (config, key, "the list is empty");
    return 0;
}

//  A list of known roles into a set; with a rule, the verb words too (into its flags).
static int s_load_roles (ladder_t *self, jy_config_t *config, const char *key, const char *value,
                         s_roles_t *roles, s_rule_t *rule)
{
    *roles = 0;
    size_t length, words = 0;
    for (const char *word = s_next_word (value, &length); length;
         word = s_next_word (word + length, &length), words++) {
        if (rule && s_word_is (word, length, S_ANY_KNOWN))
            rule->any_known = true;
        else if (rule && s_word_is (word, length, S_ANYONE))
            rule->anyone = true;
        else if (rule && s_word_is (word, length, S_ANSWERABLE))
            rule->answerable = true;
        else if (rule && s_word_is (word, length, S_RAISER))
            rule->raiser = true;
        else {
            int index = s_index_of (&self->roles[0][0], self->role_count, word, length);
            if (index < 0)
                return jy_config_fail (
                    config, key, "\"%.*s\" is not a role in escalation/known_roles%s", (int) length,
                    word, rule ? " (nor any, anyone, answerable, raiser)" : "");
            *roles |= (s_roles_t) 1 << index;
        }
    }
    if (words == 0)
        return jy_config_fail (config, key, "no roles given");
    return 0;
}

//  --- Loading -----------------------------------------------------------------------------------

static int s_load_stages (ladder_t *self, jy_config_t *config)
{
    zconfig_t *section = jy_config_section (config, "escalation/ladder");
    if (!section || !zconfig_child (section))
        return jy_config_fail (config, "escalation/ladder",
                               "no stages configured (escalation/ladder/1, /2, ...)");
    char key[128];
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        int stage = self->top + 1;
        char expected[16];
        snprintf (expected, sizeof expected, "%d", stage);
        if (strcmp (zconfig_name (child), expected) != 0) {
            snprintf (key, sizeof key, "escalation/ladder/%s", zconfig_name (child));
            return jy_config_fail (config, key,
                                   "stages are numbered 1, 2, ... in order: expected %s", expected);
        }
        if (stage > LADDER_MAX_STAGES)
            return jy_config_fail (config, "escalation/ladder", "more than %d stages",
                                   LADDER_MAX_STAGES);
        s_stage_t *entry = &self->stages[stage];
        const char *value;
        snprintf (key, sizeof key, "escalation/ladder/%d/name", stage);
        if (jy_config_string (config, key, "", &value))
            return -1;
        if (!*value || strlen (value) >= sizeof entry->name)
            return jy_config_fail (config, key, "a stage needs a name of 1 to %zu characters",
                                   sizeof entry->name - 1);
        snprintf (entry->name, sizeof entry->name, "%s", value);
        snprintf (key, sizeof key, "escalation/ladder/%d/answerable", stage);
        if (jy_config_string (config, key, "", &value))
            return -1;
        if (strlen (value) >= sizeof entry->answerable_text)
            return jy_config_fail (config, key, "the list is too long");
        if (s_load_roles (self, config, key, value, &entry->answerable, NULL))
            return -1;
        //  Kept as a clean list: it is what notices name as who must act.
        entry->answerable_text[0] = '\0';
        size_t length;
        for (const char *word = s_next_word (value, &length); length;
             word = s_next_word (word + length, &length))
            snprintf (entry->answerable_text + strlen (entry->answerable_text),
                      sizeof entry->answerable_text - strlen (entry->answerable_text), "%s%.*s",
                      entry->answerable_text[0] ? " " : "", (int) length, word);
        snprintf (key, sizeof key, "escalation/ladder/%d/response_days", stage);
        long days;
        if (jy_config_int (config, key, 5, 1, S_DAYS_MAX, &days))
            return -1;
        entry->response_days = (int) days;
        self->top = stage;
    }
    return 0;
}

static int s_load_rules (ladder_t *self, jy_config_t *config)
{
    //  The defaults of deploy/journey.cfg, so that a file without the section means the same.
    static const char *const defaults[S_VERB_COUNT] = {
        NULL,  "iro cp-chair", S_ANSWERABLE, S_RAISER, S_RAISER, S_RAISER,
        "iro", S_ANY_KNOWN,    S_ANYONE,     S_ANYONE, S_ANYONE,
    };
    char key[128];
    for (size_t verb = 1; verb < S_VERB_COUNT; verb++) {
        s_rule_t *rule = &self->rules[verb];
        snprintf (key, sizeof key, "escalation/roles/%s", s_verb_names[verb]);
        const char *value;
        if (jy_config_string (config, key, defaults[verb], &value))
            return -1;
        if (strlen (value) >= sizeof rule->text)
            return jy_config_fail (config, key, "the list is too long");
        snprintf (rule->text, sizeof rule->text, "%s", value);
        if (s_load_roles (self, config, key, value, &rule->roles, rule))
            return -1;
        //  Nothing is answerable and nobody has raised anything before the raise.
        if (verb == JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE && (rule->answerable || rule->raiser))
            return jy_config_fail (config, key,
                                   "raise cannot be given to \"answerable\" or \"raiser\"");
    }
    return 0;
}

ladder_t *ladder_new (jy_config_t *config)
{
    assert (config);
    ladder_t *self = calloc (1, sizeof *self);
    assert (self);
    if (s_load_names (config, "escalation/known_roles",
                      "iro cp-chair social-worker team-manager advanced-practitioner "
                      "practice-group-lead service-manager head-of-service director",
                      self->roles, &self->role_count, self->roles_text, sizeof self->roles_text))
        goto failed;
    const char *reserved[] = {S_SYSTEM_ROLE, S_ANY_KNOWN, S_ANYONE, S_ANSWERABLE, S_RAISER};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (s_index_of (&self->roles[0][0], self->role_count, reserved[i], strlen (reserved[i])) >=
            0) {
            jy_config_fail (config, "escalation/known_roles", "\"%s\" is reserved, not a role",
                            reserved[i]);
            goto failed;
        }
    if (s_load_names (config, "escalation/categories",
                      "care-plan implementation reviews resources practice", self->categories,
                      &self->category_count, self->categories_text, sizeof self->categories_text))
        goto failed;
    if (s_load_stages (self, config) || s_load_rules (self, config))
        goto failed;
    long number;
    if (jy_config_int (config, "escalation/overall_limit_days", 20, 1, S_DAYS_MAX, &number))
        goto failed;
    self->overall_limit_days = (int) number;
    if (jy_config_int (config, "escalation/warn_days", 1, 0, S_DAYS_MAX, &number))
        goto failed;
    self->warn_days = (int) number;
    //  "top" (the default) follows the ladder, however many stages a deployment gives it.
    const char *safety;
    if (jy_config_string (config, "escalation/safety_stage", "top", &safety))
        goto failed;
    if (strcmp (safety, "top") == 0)
        self->safety_stage = self->top;
    else if (jy_config_int (config, "escalation/safety_stage", self->top, 1, self->top, &number))
        goto failed;
    else
        self->safety_stage = (int) number;
    return self;
failed:
    ladder_destroy (&self);
    return NULL;
}

void ladder_destroy (ladder_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

//  --- Queries -----------------------------------------------------------------------------------

int ladder_top (const ladder_t *self)
{
    assert (self);
    return self->top;
}

//  A dispute stored at a stage the ladder no longer has (configuration changed since) is
//  treated as at the top: data from the database is never a reason to crash.
static const s_stage_t *s_stage (const ladder_t *self, int stage)
{
    assert (self);
    if (stage < 1)
        stage = 1;
    if (stage > self->top)
        stage = self->top;
    return &self->stages[stage];
}

const char *ladder_stage_name (const ladder_t *self, int stage)
{
    return s_stage (self, stage)->name;
}

const char *ladder_answerable (const ladder_t *self, int stage)
{
    return s_stage (self, stage)->answerable_text;
}

int ladder_response_days (const ladder_t *self, int stage)
{
    return s_stage (self, stage)->response_days;
}

int ladder_overall_limit_days (const ladder_t *self)
{
    assert (self);
    return self->overall_limit_days;
}

int ladder_warn_days (const ladder_t *self)
{
    assert (self);
    return self->warn_days;
}

int ladder_safety_stage (const ladder_t *self)
{
    assert (self);
    return self->safety_stage;
}

static int s_role_index (const ladder_t *self, const char *role)
{
    return role ? s_index_of (&self->roles[0][0], self->role_count, role, strlen (role)) : -1;
}

bool ladder_role_known (const ladder_t *self, const char *role)
{
    assert (self);
    return s_role_index (self, role) >= 0;
}

bool ladder_category_known (const ladder_t *self, const char *category)
{
    assert (self);
    return category && s_index_of (&self->categories[0][0], self->category_count, category,
                                   strlen (category)) >= 0;
}

const char *ladder_categories (const ladder_t *self)
{
    assert (self);
    return self->categories_text;
}

const char *ladder_verb_name (ladder_verb_t verb)
{
    return (size_t) verb >= 1 && (size_t) verb < S_VERB_COUNT ? s_verb_names[verb] : NULL;
}

bool ladder_needs_identity (const ladder_t *self, ladder_verb_t verb)
{
    assert (self);
    assert (ladder_verb_name (verb));
    return !self->rules[verb].anyone;
}

bool ladder_allows (const ladder_t *self, ladder_verb_t verb, const char *role,
                    const char *raised_role, int stage)
{
    assert (self);
    assert (ladder_verb_name (verb));
    const s_rule_t *rule = &self->rules[verb];
    if (rule->anyone)
        return true;
    int index = s_role_index (self, role);
    if (index < 0)
        return false;
    s_roles_t bit = (s_roles_t) 1 << index;
    if (rule->any_known || (rule->roles & bit))
        return true;
    if (rule->raiser && raised_role && strcmp (role, raised_role) == 0)
        return true;
    if (rule->answerable && stage >= 1 && stage <= self->top &&
        (self->stages[stage].answerable & bit))
        return true;
    return false;
}

const char *ladder_allowed_text (const ladder_t *self, ladder_verb_t verb)
{
    assert (self);
    assert (ladder_verb_name (verb));
    return self->rules[verb].text;
}
