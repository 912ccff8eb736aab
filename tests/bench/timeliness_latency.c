/*  deploy/bench timeliness: the time from pushing an event to receiving the alert it raises.

        timeliness_latency INGEST_ENDPOINT ALERT_FEED_ENDPOINT DATE COUNT [PREFIX]

    Registers COUNT children (in one batch, which raises nothing), then one at a time pushes a
    contact received on DATE for each: its decision is due the next working day, so DUE_SOON
    is raised at once. Each latency runs from just before the EventBatch is sent to
    journey-ingestd until that child's alert arrives on the SUB socket of the alert feed: the
    ingest commit, the event feed, the derivation and commit in journey-timelinessd and the
    alert feed, end to end. Prints one latency in microseconds per line on stdout. PREFIX
    (default "LAT") starts every id, so that a database can be measured again.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey/journey.h"

static jy_envelope_t *s_batch (zsock_t *ingest, char **lines, size_t count, int timeout_ms)
{
    Journey__V1__Event **events = calloc (count, sizeof *events);
    assert (events);
    for (size_t i = 0; i < count; i++) {
        char err[256];
        events[i] = jy_json_parse_event (lines[i], strlen (lines[i]), err, sizeof err);
        if (!events[i]) {
            fprintf (stderr, "timeliness_latency: bad event: %s\n", err);
            exit (1);
        }
    }
    Journey__V1__EventBatch batch = JOURNEY__V1__EVENT_BATCH__INIT;
    batch.n_events = count;
    batch.events = events;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    request.event_batch = &batch;
    int rc = jy_wire_send (ingest, &request);
    for (size_t i = 0; i < count; i++)
        journey__v1__event__free_unpacked (events[i], NULL);
    free (events);
    if (rc != 0 || timeout_ms < 0)
        return NULL;
    zpoller_t *poller = zpoller_new (ingest, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    jy_wire_status_t status;
    return which ? jy_wire_recv (ingest, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status) : NULL;
}

static bool s_all_accepted (jy_envelope_t *reply, size_t count)
{
    if (!reply || reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT ||
        reply->batch_result->n_results != count)
        return false;
    for (size_t i = 0; i < count; i++)
        if (reply->batch_result->results[i]->status != JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED)
            return false;
    return true;
}

int main (int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf (stderr, "usage: timeliness_latency INGEST_ENDPOINT ALERT_FEED_ENDPOINT DATE "
                         "COUNT [PREFIX]\n");
        return 2;
    }
    const char *prefix = argc == 6 ? argv[5] : "LAT";
    const char *date = argv[3];
    size_t count = (size_t) atol (argv[4]);
    zsock_t *ingest = zsock_new_dealer (argv[1]);
    zsock_t *alerts = zsock_new_sub (argv[2], "alerts");
    assert (ingest && alerts);
    zsock_set_rcvhwm (alerts, 1000000);
    zpoller_t *poller = zpoller_new (alerts, NULL);

    //  Registered first; and the SUB is live once a heartbeat arrives.
    char **lines = calloc (count, sizeof *lines);
    assert (lines);
    for (size_t i = 0; i < count; i++) {
        lines[i] = malloc (512);
        snprintf (lines[i], 512,
                  "{\"event_id\":\"%s-R%zu\",\"la_code\":\"872\",\"child_id\":\"%s%zu\","
                  "\"occurred_on\":\"%s\",\"recorded_at\":\"%sT08:00:00Z\",\"source\":\"bench\","
                  "\"child_registered\":{\"date_of_birth\":\"2015-01-01\",\"sex\":\"F\","
                  "\"ethnicity\":\"WBRI\"}}",
                  prefix, i, prefix, i, date, date);
    }
    jy_envelope_t *reply = s_batch (ingest, lines, count, 60000);
    if (!s_all_accepted (reply, count)) {
        fprintf (stderr, "timeliness_latency: the registrations were not all accepted\n");
        return 1;
    }
    jy_envelope_free (&reply);
    for (int turn = 0; turn < 10 && !zpoller_wait (poller, 1000); turn++)
        ;

    for (size_t i = 0; i < count; i++) {
        char child[32], line[512];
        snprintf (child, sizeof child, "%s%zu", prefix, i);
        snprintf (line, sizeof line,
                  "{\"event_id\":\"%s-C%zu\",\"la_code\":\"872\",\"child_id\":\"%s\","
                  "\"occurred_on\":\"%s\",\"recorded_at\":\"%sT08:30:00Z\",\"source\":\"bench\","
                  "\"contact_received\":{\"contact_id\":\"%s-CT%zu\"}}",
                  prefix, i, child, date, date, prefix, i);
        char *one[1] = {line};
        //  Alerts already waiting (the day's sweep, a heartbeat) are not this one's.
        while (zsock_events (alerts) & ZMQ_POLLIN) {
            zmsg_t *stale = zmsg_recv (alerts);
            zmsg_destroy (&stale);
        }
        int64_t sent = zclock_usecs ();
        s_batch (ingest, one, 1, -1);
        int64_t received = 0;
        while (!received) {
            if (!zpoller_wait (poller, 10000)) {
                fprintf (stderr, "timeliness_latency: no alert for %s within 10 s\n", child);
                return 1;
            }
            char *topic = NULL;
            jy_wire_status_t status;
            jy_envelope_t *envelope =
                jy_wire_recv (alerts, JY_WIRE_DEFAULT_CAP, NULL, &topic, &status);
            free (topic);
            if (envelope && envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT &&
                envelope->alert->child_id && strcmp (envelope->alert->child_id, child) == 0)
                received = zclock_usecs ();
            jy_envelope_free (&envelope);
        }
        printf ("%lld\n", (long long) (received - sent));
        //  The BatchResult, before the next push.
        zpoller_t *answer = zpoller_new (ingest, NULL);
        if (zpoller_wait (answer, 10000)) {
            jy_wire_status_t status;
            reply = jy_wire_recv (ingest, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
            if (!s_all_accepted (reply, 1)) {
                fprintf (stderr, "timeliness_latency: the contact for %s was not accepted\n",
                         child);
                return 1;
            }
            jy_envelope_free (&reply);
        }
        zpoller_destroy (&answer);
    }
    for (size_t i = 0; i < count; i++)
        free (lines[i]);
    free (lines);
    zpoller_destroy (&poller);
    zsock_destroy (&alerts);
    zsock_destroy (&ingest);
    return 0;
}
