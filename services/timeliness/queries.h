/*  queries: journey-timelinessd's answers to DeadlinesRequest and AlertsRequest, read from
    timeliness.deadline and timeliness.alert_feed (`journey deadlines`, `journey alerts`).
*/
#ifndef TL_QUERIES_H_INCLUDED
#define TL_QUERIES_H_INCLUDED

#include "clocks.h"

//  A child's deadlines, oldest start first. Always returns a reply envelope: ok with the
//  deadlines (none when the child is unknown), or ok=false with a code ("bad_request" naming
//  the missing field, "database" when the query failed). default_la: the daemon's la/code,
//  used when the request names none.
jy_envelope_t *tl_queries_deadlines (jy_db_t *db, tl_clocks_t *clocks, const char *default_la,
                                     const Journey__V1__DeadlinesRequest *request);

//  Alerts with seq > since, filtered by team / LA / child, at most limit (default and cap
//  1000), oldest first, each decoded from its stored envelope with alert_id = seq; head is
//  the feed's newest seq.
jy_envelope_t *tl_queries_alerts (jy_db_t *db, const Journey__V1__AlertsRequest *request);
//  The same, of the LAs in la_codes only (space- or comma-separated; NULL: every LA), so that a
//  key reads only its LAs' alerts and still pages by the head.
jy_envelope_t *tl_queries_alerts_of (jy_db_t *db, const Journey__V1__AlertsRequest *request,
                                     const char *la_codes);

#endif
