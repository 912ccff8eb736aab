/*  clocks: the statutory and local timescales as one table (clocks.h; DOMAIN.md "the clocks";
    docs/clocks.md says what starts, meets and cancels each and why).

    s_table is the whole of the default rules: configuration (timeliness/clocks/<name>/...)
    may switch a clock on or off and change its limit, unit and lead, nothing else.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocks.h"

//  A lead of -1 in the table means "timeliness/warn_lead".
#define S_LEAD_DEFAULT -1
#define S_WARN_LEAD    3
#define S_LIMIT_MAX    100000
#define S_LEAD_MAX     1000

//  The extra limit some clocks have, and the configuration key that sets it.
typedef struct {
    const char *key; //  under timeliness/clocks/<name>/, NULL when the clock has none
    int limit;       //  months
} s_alt_t;

typedef struct {
    tl_clock_rule_t rule;
    s_alt_t alt;
} s_row_t;

#define S_ROW(ID, NAME, LABEL, STARTS, MET, ENABLED, LIMIT, UNIT)                                  \
    [ID] = {{ID, NAME, LABEL, STARTS, MET, ENABLED, LIMIT, UNIT, S_LEAD_DEFAULT, 0}, {NULL, 0}}
#define S_ROW_ALT(ID, NAME, LABEL, STARTS, MET, ENABLED, LIMIT, UNIT, ALT_KEY, ALT)                \
    [ID] = {{ID, NAME, LABEL, STARTS, MET, ENABLED, LIMIT, UNIT, S_LEAD_DEFAULT, ALT},             \
            {ALT_KEY, ALT}}

static const s_row_t s_table[TL_CLOCK_COUNT] = {
    S_ROW (TL_CLOCK_CONTACT_DECISION, "contact_decision", "Contact decision within 1 working day",
           "contact received", "decision recorded", true, 1, TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_ASSESSMENT, "assessment", "C&F assessment within 45 working days",
           "referral received", "assessment completed (authorised)", true, 45,
           TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_ICPC, "icpc", "ICPC within 15 working days of the strategy discussion",
           "strategy discussion that started the s47", "ICPC held", true, 15, TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_CORE_GROUP, "core_group", "First core group within 10 working days of the ICPC",
           "ICPC that made a plan", "core group held", true, 10, TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_RCPC_FIRST, "rcpc_first", "First RCPC within 3 months of the plan start",
           "CP plan start", "RCPC held", true, 3, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_RCPC, "rcpc", "Later RCPCs within 6 months", "previous RCPC", "next RCPC held",
           true, 6, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_CP_VISIT, "cp_visit", "CP visits every 10 working days",
           "CP plan start, then each visit", "child seen on a CP visit", true, 10,
           TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_CIN_REVIEW_FIRST, "cin_review_first",
           "First CIN review within 3 months of the plan start", "CIN plan start",
           "CIN review held", true, 3, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_CIN_REVIEW, "cin_review", "Later CIN reviews within 6 months",
           "previous CIN review", "next CIN review held", true, 6, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_CLA_REVIEW_FIRST, "cla_review_first",
           "First CLA review within 20 working days of coming into care", "start of care",
           "CLA review held", true, 20, TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_CLA_REVIEW_SECOND, "cla_review_second",
           "Second CLA review within 3 months of the first", "first CLA review",
           "second CLA review held", true, 3, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_CLA_REVIEW, "cla_review", "Later CLA reviews within 6 months",
           "previous CLA review", "next CLA review held", true, 6, TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_CLA_VISIT_FIRST, "cla_visit_first", "First visit within 7 days of a placement",
           "placement start", "child seen on a CLA visit", true, 7, TL_UNIT_DAYS),
    S_ROW_ALT (TL_CLOCK_CLA_VISIT, "cla_visit",
               "CLA visits every 6 weeks (3 months after the first year of a long-term placement)",
               "previous CLA visit", "child seen on a CLA visit", true, 6, TL_UNIT_WEEKS,
               "long_term_limit_months", 3),
    S_ROW (TL_CLOCK_IHA, "iha", "Initial health assessment within 20 working days", "start of care",
           "initial health assessment done", true, 20, TL_UNIT_WORKING_DAYS),
    S_ROW_ALT (TL_CLOCK_RHA, "rha", "Review health assessment every 6 months under 5, 12 from 5",
               "previous health assessment", "review health assessment done", true, 6,
               TL_UNIT_MONTHS, "limit_from_5_months", 12),
    S_ROW (TL_CLOCK_PEP, "pep", "PEP within 20 working days of coming into care", "start of care",
           "PEP done", true, 20, TL_UNIT_WORKING_DAYS),
    S_ROW (TL_CLOCK_PATHWAY_REVIEW, "pathway_review", "Pathway plan reviews within 6 months",
           "previous pathway plan review", "next pathway plan review held", true, 6,
           TL_UNIT_MONTHS),
    S_ROW (TL_CLOCK_RHI, "rhi", "Return home interview within 72 hours", "missing episode ended",
           "return home interview done", true, 72, TL_UNIT_HOURS),
    S_ROW (TL_CLOCK_LEGACY_INITIAL, "legacy_initial",
           "Initial assessment within 10 working days (pre-2013 measure)", "referral received",
           "legacy initial assessment completed", false, 10, TL_UNIT_WORKING_DAYS),
};

//  In tl_unit_t order; NULL-terminated for jy_config_choice.
static const char *const s_unit_names[] = {"working_days", "days",  "weeks",
                                           "months",       "hours", NULL};

struct _tl_clocks_t {
    tl_clock_rule_t rules[TL_CLOCK_COUNT];
};

static tl_clocks_t *s_clocks_defaults (int warn_lead)
{
    tl_clocks_t *self = calloc (1, sizeof *self);
    assert (self);
    for (int id = 0; id < TL_CLOCK_COUNT; id++) {
        assert ((int) s_table[id].rule.id == id && s_table[id].rule.name);
        self->rules[id] = s_table[id].rule;
        self->rules[id].lead_working_days = warn_lead;
    }
    return self;
}

tl_clocks_t *tl_clocks_new_default (void)
{
    return s_clocks_defaults (S_WARN_LEAD);
}

//  One clock's settings over its defaults. 0 or -1 with jy_config_error set.
static int s_clock_configure (tl_clock_rule_t *rule, const s_alt_t *alt, jy_config_t *config)
{
    char key[128];
    snprintf (key, sizeof key, "timeliness/clocks/%s/enabled", rule->name);
    if (jy_config_bool (config, key, rule->enabled, &rule->enabled) != 0)
        return -1;
    long number;
    snprintf (key, sizeof key, "timeliness/clocks/%s/limit", rule->name);
    if (jy_config_int (config, key, rule->limit, 1, S_LIMIT_MAX, &number) != 0)
        return -1;
    rule->limit = (int) number;
    snprintf (key, sizeof key, "timeliness/clocks/%s/unit", rule->name);
    int unit;
    if (jy_config_choice (config, key, s_unit_names, (int) rule->unit, &unit) != 0)
        return -1;
    rule->unit = (tl_unit_t) unit;
    snprintf (key, sizeof key, "timeliness/clocks/%s/lead", rule->name);
    if (jy_config_int (config, key, rule->lead_working_days, 0, S_LEAD_MAX, &number) != 0)
        return -1;
    rule->lead_working_days = (int) number;
    if (alt->key) {
        snprintf (key, sizeof key, "timeliness/clocks/%s/%s", rule->name, alt->key);
        if (jy_config_int (config, key, rule->limit_alt, 1, S_LIMIT_MAX, &number) != 0)
            return -1;
        rule->limit_alt = (int) number;
    }
    return 0;
}

tl_clocks_t *tl_clocks_new (jy_config_t *config)
{
    assert (config);
    long warn_lead;
    if (jy_config_int (config, "timeliness/warn_lead", S_WARN_LEAD, 0, S_LEAD_MAX, &warn_lead) !=
        0) {
        jy_error ("%s", jy_config_error (config));
        return NULL;
    }
    tl_clocks_t *self = s_clocks_defaults ((int) warn_lead);
    for (int id = 0; id < TL_CLOCK_COUNT; id++) {
        if (s_clock_configure (&self->rules[id], &s_table[id].alt, config) != 0) {
            jy_error ("%s", jy_config_error (config));
            tl_clocks_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void tl_clocks_destroy (tl_clocks_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

const tl_clock_rule_t *tl_clocks_rule (tl_clocks_t *self, tl_clock_id_t id)
{
    assert (self);
    assert ((int) id >= 0 && id < TL_CLOCK_COUNT);
    return &self->rules[id];
}

tl_clock_id_t tl_clocks_lookup (const char *name)
{
    if (name)
        for (int id = 0; id < TL_CLOCK_COUNT; id++)
            if (strcmp (s_table[id].rule.name, name) == 0)
                return (tl_clock_id_t) id;
    return TL_CLOCK_COUNT;
}

const char *tl_clocks_name (tl_clock_id_t id)
{
    assert ((int) id >= 0 && id < TL_CLOCK_COUNT);
    return s_table[id].rule.name;
}

const char *tl_unit_name (tl_unit_t unit)
{
    assert (unit >= TL_UNIT_WORKING_DAYS && unit <= TL_UNIT_HOURS);
    return s_unit_names[unit];
}

int tl_clocks_due (tl_clocks_t *self, jy_calendar_t *calendar, tl_clock_id_t id, jy_date_t start,
                   bool use_alt, jy_date_t *due)
{
    assert (self && calendar && due);
    const tl_clock_rule_t *rule = tl_clocks_rule (self, id);
    if (start == JY_DATE_INVALID || start < jy_calendar_first (calendar) ||
        start > jy_calendar_last (calendar))
        return -1;
    //  The alternative limits are in months whatever the clock's own unit.
    int limit = use_alt && rule->limit_alt > 0 ? rule->limit_alt : rule->limit;
    tl_unit_t unit = use_alt && rule->limit_alt > 0 ? TL_UNIT_MONTHS : rule->unit;
    jy_date_t result;
    switch (unit) {
    case TL_UNIT_WORKING_DAYS:
        if (jy_calendar_add_working_days (calendar, start, limit, &result) != 0)
            return -1;
        break;
    case TL_UNIT_DAYS:
        result = start + limit;
        break;
    case TL_UNIT_WEEKS:
        result = start + 7 * limit;
        break;
    case TL_UNIT_MONTHS: {
        //  jy_date_add_months asserts a supported year: check the range first.
        int year, month, day;
        jy_date_to_ymd (start, &year, &month, &day);
        if ((long) year * 12 + month - 1 + limit >= (long) (JY_DATE_MAX_YEAR + 1) * 12)
            return -1;
        result = jy_date_add_months (start, limit);
        break;
    }
    case TL_UNIT_HOURS:
        //  Dates carry no time: n hours are met within ceil(n / 24) calendar days.
        result = start + (limit + 23) / 24;
        break;
    default:
        return -1;
    }
    if (result > jy_calendar_last (calendar))
        return -1;
    *due = result;
    return 0;
}
