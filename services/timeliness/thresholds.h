/*  thresholds: KPI ratings (RAG) and caseloads, evaluated at a configured interval.

    Every `timeliness/thresholds/interval_days` days (on the daemon's clock), the measures of
    jy_measures (domain/measures/jy_measures.h) that have a target in configuration
    are computed per LA and per team over the rolling window (`timeliness/thresholds/
    window_days`) ending today, rated red/amber/green against the target, tolerance and
    polarity (`measures/<name>/...`), and stored. A rating that differs from the stored one
    raises a RAG_CHANGED alert (the first rating of a measure raises none). A worker whose
    open caseload passes `timeliness/caseload/threshold` raises one CASELOAD alert, and
    another only after falling back to or under it and passing it again.
*/
#ifndef TL_THRESHOLDS_H_INCLUDED
#define TL_THRESHOLDS_H_INCLUDED

#include "journey/journey.h"

typedef struct _tl_thresholds_t tl_thresholds_t;

//  Receives each alert a run raises; the caller copies what it keeps.
typedef void (tl_alert_sink_fn) (void *arg, const Journey__V1__Alert *alert);

//  NULL when a setting is wrong (the key and file named through jy_config_fail).
tl_thresholds_t *tl_thresholds_new (jy_config_t *config, const char *la_code);
void tl_thresholds_destroy (tl_thresholds_t **self_p);

//  Whether a run is due today: never run, or interval_days since the last run (kept in
//  timeliness.state). -1 on a database error.
int tl_thresholds_due (tl_thresholds_t *self, jy_db_t *db, jy_date_t today);

//  Inside the caller's transaction: compute, rate and store, record today as the last run,
//  and hand each alert to sink (raised_on = today). 0, or -1 on a database error (the caller
//  rolls back and nothing was kept).
int tl_thresholds_run (tl_thresholds_t *self, jy_db_t *db, jy_calendar_t *calendar, jy_date_t today,
                       tl_alert_sink_fn *sink, void *arg);

//  The caseload statement's text ($1 la_code, $2 threshold, $3 today), which reads the
//  projection. For tests/integration/test_contract.c.
const char *tl_thresholds_caseload_sql (void);

#endif
