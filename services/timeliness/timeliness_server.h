/*  timeliness_server: journey-timelinessd's work, behind the service skeleton (jy_service.h).

    It follows the committed event feed (catch-up from ingest.event, then live), in batch mode:
    the children a batch of events touches are collected, their case records read from the
    ingest projection in one statement (child_records.h), their deadlines derived again
    (derive.h) and compared with the stored ones; what changed, the alerts it raises (book.h)
    and the feed position commit in one transaction (store.h), and only then are the alerts
    published on the alert feed. At every change of date it evaluates every running deadline
    in memory (the sweep) and stores what changed in a few statements. When a transaction
    fails, the book is loaded again from the database and the feed caught up again from the
    position that committed, so nothing is announced twice or lost. docs/timeliness.md.
*/
#ifndef TL_TIMELINESS_SERVER_H_INCLUDED
#define TL_TIMELINESS_SERVER_H_INCLUDED

#include "journey/journey.h"

//  The jy_service hooks of journey-timelinessd.
const jy_service_def_t *timeliness_server_def (void);

#endif
