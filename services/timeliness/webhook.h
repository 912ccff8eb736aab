/*  webhook: alerts POSTed as JSON to the council's own messaging (libcurl).

    Each sink in `timeliness/webhooks/<name>` (url, kinds, teams, timeout_ms, ...) runs on
    its own thread: it follows the alert feed like any subscriber (catch-up from
    timeliness.alert_feed, then live from the PUB endpoint), POSTs each alert that matches
    its kinds and teams, retrying with backoff, and saves its position as
    timeliness.feed_position "webhook:<name>" only after the receiver answered 2xx. A
    restart therefore resumes where delivery stopped: an alert may be delivered twice after
    a crash (each POST carries the alert's seq as its idempotency key), never lost.
*/
#ifndef TL_WEBHOOK_H_INCLUDED
#define TL_WEBHOOK_H_INCLUDED

#include "journey/journey.h"

typedef struct _tl_webhooks_t tl_webhooks_t;

//  Starts one delivery thread per configured sink (none configured: an empty set).
//  db_url: the timeliness role's; alert_feed: the PUB endpoint to follow. NULL when a
//  setting is wrong (the key and file named through jy_config_fail).
tl_webhooks_t *tl_webhooks_new (jy_config_t *config, const char *db_url, const char *alert_feed);
//  Stops the threads (an attempt in flight is abandoned and retried on the next start).
void tl_webhooks_destroy (tl_webhooks_t **self_p);
size_t tl_webhooks_count (tl_webhooks_t *self);

#endif
