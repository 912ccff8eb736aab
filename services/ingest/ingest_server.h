/*  ingest_server: journey-ingestd's work, behind the service skeleton (jy_service.h).

    An EventBatch arrives on the request socket. Each event is checked in batch order:
    authority (the LA codes this deployment accepts), idempotency (duplicate or conflict), then
    validation (validate.h) against the case store, which each accepted event then changes.
    One transaction then takes the accepted events' feed sequence numbers, stores the events,
    the dead letters and the projection's changes, and commits (synchronous_commit on). Only
    then does the answer go back, and the events go out on the committed event feed. When the
    transaction fails, the answer says ERROR (retry), and the case store is loaded again from
    the database, so memory never runs ahead of what committed.
*/
#ifndef JOURNEY_INGEST_SERVER_H_INCLUDED
#define JOURNEY_INGEST_SERVER_H_INCLUDED

#include "journey/journey.h"

//  The jy_service hooks of journey-ingestd.
const jy_service_def_t *ingest_server_def (void);

#endif
