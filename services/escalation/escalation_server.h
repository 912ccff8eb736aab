/*  escalation_server: journey-escalationd's work, behind the service skeleton (jy_service.h).

    A DisputeCommand on the request socket is checked (who acts, their role, the dispute's
    state: dispute.h) and, when it changes the dispute, recorded in one transaction with its
    steps and its notices (dispute_store.h); the answer goes back after COMMIT and the notices
    go out on the dispute feed after that. Each new day (midnight, or ClockSet on a simulated
    clock, and once at start) every open dispute is rolled on to today: unanswered stages whose
    deadline passed climb, warnings and once-only notices go out. Alerts on the alert feed that
    match a policy (policy.h) raise disputes by themselves; the feed is followed with catch-up
    from timeliness.alert_feed, the position saved in the same transaction as the dispute.
*/
#ifndef JOURNEY_ESCALATION_SERVER_H_INCLUDED
#define JOURNEY_ESCALATION_SERVER_H_INCLUDED

#include "journey/journey.h"

//  The jy_service hooks of journey-escalationd.
const jy_service_def_t *escalation_server_def (void);

#endif
