/*  policy: alerts that open a dispute by themselves (policy.h). */
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct _policy_set_t {
    policy_t policies[POLICY_MAX];
    size_t count;
};

//  An alert kind by its name in lower case ("overdue_by"). 0 or -1.
static int s_kind_lookup (const char *name, Journey__V1__Alert__Kind *kind)
{
    const ProtobufCEnumDescriptor *descriptor = &journey__v1__alert__kind__descriptor;
    for (unsigned i = 0; i < descriptor->n_values; i++) {
        const char *value = descriptor->values[i].name;
        if (descriptor->values[i].value == JOURNEY__V1__ALERT__KIND__KIND_UNSPECIFIED)
            continue;
        size_t length = strlen (value);
        if (strlen (name) != length)
            continue;
        size_t at = 0;
        while (at < length && tolower ((unsigned char) value[at]) == name[at])
            at++;
        if (at == length) {
            *kind = (Journey__V1__Alert__Kind) descriptor->values[i].value;
            return 0;
        }
    }
    return -1;
}

static void s_kind_names (char *text, size_t size)
{
    const ProtobufCEnumDescriptor *descriptor = &journey__v1__alert__kind__descriptor;
    text[0] = '\0';
    for (unsigned i = 0; i < descriptor->n_values; i++) {
        if (descriptor->values[i].value == JOURNEY__V1__ALERT__KIND__KIND_UNSPECIFIED)
            continue;
        size_t used = strlen (text);
        snprintf (text + used, size - used, "%s", used ? ", " : "");
        for (const char *p = descriptor->values[i].name; *p && strlen (text) + 1 < size; p++) {
            used = strlen (text);
            text[used] = (char) tolower ((unsigned char) *p);
            text[used + 1] = '\0';
        }
    }
}

//  One policy's keys. 0 (with *enabled), or -1 naming the key.
static int s_load (policy_t *policy, bool *enabled, jy_config_t *config, const ladder_t *ladder,
                   const char *name)
{
    char key[192];
    const char *value;
    snprintf (policy->name, sizeof policy->name, "%s", name);
    snprintf (key, sizeof key, "escalation/policy/%s/enabled", name);
    if (jy_config_bool (config, key, true, enabled))
        return -1;

    snprintf (key, sizeof key, "escalation/policy/%s/kind", name);
    if (jy_config_string (config, key, "", &value))
        return -1;
    if (s_kind_lookup (value, &policy->kind) != 0) {
        char kinds[256];
        s_kind_names (kinds, sizeof kinds);
        return jy_config_fail (config, key, "\"%s\" is not an alert kind (%s)", value, kinds);
    }
    snprintf (policy->kind_name, sizeof policy->kind_name, "%s", value);

    snprintf (key, sizeof key, "escalation/policy/%s/clock", name);
    if (jy_config_string (config, key, "", &value))
        return -1;
    if (!*value || strlen (value) >= sizeof policy->clock_prefix)
        return jy_config_fail (config, key, "a clock-name prefix of 1 to %zu characters is needed",
                               sizeof policy->clock_prefix - 1);
    snprintf (policy->clock_prefix, sizeof policy->clock_prefix, "%s", value);

    snprintf (key, sizeof key, "escalation/policy/%s/role", name);
    if (jy_config_string (config, key, "", &value))
        return -1;
    if (!ladder_role_known (ladder, value) ||
        !ladder_allows (ladder, JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE, value, NULL, 0))
        return jy_config_fail (
            config, key, "\"%s\" is not a role that may raise a dispute (%s)", value,
            ladder_allowed_text (ladder, JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE));
    snprintf (policy->role, sizeof policy->role, "%s", value);

    snprintf (key, sizeof key, "escalation/policy/%s/category", name);
    if (jy_config_string (config, key, "", &value))
        return -1;
    if (!ladder_category_known (ladder, value))
        return jy_config_fail (config, key, "\"%s\" is not one of escalation/categories (%s)",
                               value, ladder_categories (ladder));
    snprintf (policy->category, sizeof policy->category, "%s", value);

    snprintf (key, sizeof key, "escalation/policy/%s/stage", name);
    long stage;
    if (jy_config_int (config, key, 1, 1, ladder_top (ladder), &stage))
        return -1;
    policy->stage = (int) stage;
    return 0;
}

policy_set_t *policy_set_new (jy_config_t *config, const ladder_t *ladder)
{
    assert (config && ladder);
    policy_set_t *self = calloc (1, sizeof *self);
    assert (self);
    zconfig_t *section = jy_config_section (config, "escalation/policy");
    for (zconfig_t *child = section ? zconfig_child (section) : NULL; child;
         child = zconfig_next (child)) {
        const char *name = zconfig_name (child);
        if (strlen (name) > 64) {
            jy_config_fail (config, "escalation/policy", "policy name \"%.64s...\" is too long",
                            name);
            goto failed;
        }
        if (self->count == POLICY_MAX) {
            jy_config_fail (config, "escalation/policy", "more than %d policies", POLICY_MAX);
            goto failed;
        }
        bool enabled;
        if (s_load (&self->policies[self->count], &enabled, config, ladder, name))
            goto failed;
        if (enabled)
            self->count++;
    }
    return self;
failed:
    policy_set_destroy (&self);
    return NULL;
}

void policy_set_destroy (policy_set_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

size_t policy_set_count (policy_set_t *self)
{
    assert (self);
    return self->count;
}

const policy_t *policy_set_get (policy_set_t *self, size_t index)
{
    assert (self);
    assert (index < self->count);
    return &self->policies[index];
}

const policy_t *policy_set_match (policy_set_t *self, const Journey__V1__Alert *alert)
{
    assert (self && alert);
    if (!alert->has_kind || !alert->child_id || !*alert->child_id || !alert->clock ||
        !alert->has_deadline_id)
        return NULL;
    for (size_t i = 0; i < self->count; i++) {
        const policy_t *policy = &self->policies[i];
        if (alert->kind == policy->kind &&
            strncmp (alert->clock, policy->clock_prefix, strlen (policy->clock_prefix)) == 0)
            return policy;
    }
    return NULL;
}

void policy_command (const policy_t *policy, const Journey__V1__Alert *alert, uint64_t alert_seq,
                     Journey__V1__DisputeCommand *command, char *text, size_t text_size)
{
    assert (policy && alert && command && text);
    char overdue[64] = "";
    if (alert->has_overdue_working_days)
        snprintf (overdue, sizeof overdue, ", overdue by %" PRId32 " working days",
                  alert->overdue_working_days);
    snprintf (text, text_size,
              "Raised automatically by policy %s: alert %s on the %s deadline%s%s%s (alert %" PRIu64
              ")",
              policy->name, policy->kind_name, alert->clock, alert->due_on ? " due " : "",
              alert->due_on ? alert->due_on : "", overdue, alert_seq);
    journey__v1__dispute_command__init (command);
    command->has_verb = true;
    command->verb = JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE;
    command->by_user = POLICY_USER;
    command->role = (char *) policy->role;
    command->la_code = alert->la_code;
    command->child_id = alert->child_id;
    command->category = (char *) policy->category;
    command->text = text;
    command->has_stage = true;
    command->stage = (uint32_t) policy->stage;
}
