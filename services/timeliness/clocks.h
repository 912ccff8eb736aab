/*  clocks: the statutory and local timescales (DOMAIN.md "the clocks"), as one table.

    The static table in clocks.c names every clock Journey keeps, what starts it, what meets
    it and its default rule; configuration (timeliness/clocks/<name>/...) turns each on or
    off and sets its limit, unit and warning lead time. A reader sees the whole of the rules
    in that one table plus deploy/journey.cfg.

    Units: "working_days" (due = WORKDAY(start, n): the start day is day 0), "days" and
    "weeks" (calendar days), "months" (same day n months later, clamped to the month's end),
    "hours" (on date-only data: ceil(n / 24) calendar days).
*/
#ifndef TL_CLOCKS_H_INCLUDED
#define TL_CLOCKS_H_INCLUDED

#include "journey/journey.h"

typedef enum {
    TL_UNIT_WORKING_DAYS,
    TL_UNIT_DAYS,
    TL_UNIT_WEEKS,
    TL_UNIT_MONTHS,
    TL_UNIT_HOURS,
} tl_unit_t;

//  Every clock, in the order of DOMAIN.md's table. The enum indexes the table.
typedef enum {
    TL_CLOCK_CONTACT_DECISION,  //  contact received -> decision recorded
    TL_CLOCK_ASSESSMENT,        //  referral -> C&F assessment completed (authorised)
    TL_CLOCK_ICPC,              //  strategy discussion starting the s47 -> ICPC held
    TL_CLOCK_CORE_GROUP,        //  ICPC that made a plan -> first core group
    TL_CLOCK_RCPC_FIRST,        //  plan start -> first RCPC
    TL_CLOCK_RCPC,              //  previous RCPC -> next RCPC
    TL_CLOCK_CP_VISIT,          //  plan start, then each visit -> child seen
    TL_CLOCK_CIN_REVIEW_FIRST,  //  CIN plan start -> first CIN review
    TL_CLOCK_CIN_REVIEW,        //  previous CIN review -> next
    TL_CLOCK_CLA_REVIEW_FIRST,  //  start of care -> first CLA review
    TL_CLOCK_CLA_REVIEW_SECOND, //  first review -> second
    TL_CLOCK_CLA_REVIEW,        //  previous review -> next (third onwards)
    TL_CLOCK_CLA_VISIT_FIRST,   //  placement start -> child visited
    TL_CLOCK_CLA_VISIT,         //  previous visit -> next
    TL_CLOCK_IHA,               //  start of care -> initial health assessment
    TL_CLOCK_RHA,               //  previous health assessment -> review health assessment
    TL_CLOCK_PEP,               //  start of care -> PEP
    TL_CLOCK_PATHWAY_REVIEW,    //  previous pathway plan review -> next
    TL_CLOCK_RHI,               //  missing episode ended -> return home interview
    TL_CLOCK_LEGACY_INITIAL,    //  referral -> legacy initial assessment (off by default)
    TL_CLOCK_COUNT
} tl_clock_id_t;

//  One clock's rule, after configuration.
typedef struct {
    tl_clock_id_t id;
    const char *name;      //  "assessment": the config key and the name on the wire and in SQL
    const char *label;     //  "C&F assessment within 45 working days"
    const char *starts_at; //  DOMAIN.md's words, for docs and `journey deadlines`
    const char *met_by;
    bool enabled;
    int limit; //  in unit
    tl_unit_t unit;
    int lead_working_days; //  warn (DUE_SOON) this many working days before due
    //  Extra limits some clocks have (0 when unused):
    int limit_alt; //  RHA: the limit from the 5th birthday (months);
                   //  CLA_VISIT: the limit after the first year of a long-term placement (months)
} tl_clock_rule_t;

typedef struct _tl_clocks_t tl_clocks_t;

//  The rules from configuration (timeliness/clocks/<name>/enabled|limit|unit|lead, and
//  timeliness/warn_lead for the default lead). NULL when a setting is wrong, having logged
//  the key and the file (jy_config_fail).
tl_clocks_t *tl_clocks_new (jy_config_t *config);
//  The defaults alone (tests).
tl_clocks_t *tl_clocks_new_default (void);
void tl_clocks_destroy (tl_clocks_t **self_p);

const tl_clock_rule_t *tl_clocks_rule (tl_clocks_t *self, tl_clock_id_t id);
//  TL_CLOCK_COUNT when the name is unknown.
tl_clock_id_t tl_clocks_lookup (const char *name);
const char *tl_clocks_name (tl_clock_id_t id);
const char *tl_unit_name (tl_unit_t unit);

//  The due date of a clock started on start (limit and unit of the rule, or the alternative
//  limit when use_alt). 0, or -1 when the date falls outside the calendar.
int tl_clocks_due (tl_clocks_t *self, jy_calendar_t *calendar, tl_clock_id_t id, jy_date_t start,
                   bool use_alt, jy_date_t *due);

#endif
