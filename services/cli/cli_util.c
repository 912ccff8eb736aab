/*  cli_util: what the journey commands share (cli.h). */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define S_REQUEST_HWM 100 //  one request at a time; explicit, never 0 (unbounded)

int cli_usage (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fputs ("journey: ", stderr);
    vfprintf (stderr, format, args);
    fputc ('\n', stderr);
    va_end (args);
    return CLI_USAGE;
}

int cli_fail (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fputs ("journey: ", stderr);
    vfprintf (stderr, format, args);
    fputc ('\n', stderr);
    va_end (args);
    return CLI_FAIL;
}

void cli_print_json (json_t *value)
{
    if (!value) {
        //  json_pack returns NULL on a format mistake: a bug, but say so rather than print "".
        cli_fail ("internal error: no JSON to print");
        return;
    }
    json_dumpf (value, stdout, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    fputc ('\n', stdout);
    fflush (stdout);
    json_decref (value);
}

jy_db_t *cli_connect (cli_t *cli, const char *url_key, int64_t max_wait_ms)
{
    const char *url = jy_config_get (cli->config, url_key);
    if (!url || !*url) {
        char name[128];
        snprintf (name, sizeof name, "JOURNEY_%s", url_key);
        for (char *p = name; *p; p++)
            *p = *p == '/' || *p == '-' ? '_' : (char)toupper ((unsigned char)*p);
        cli_fail ("%s is not set (set it in the configuration file or as %s)", url_key, name);
        return NULL;
    }
    jy_db_t *db = jy_db_new (url);
    jy_db_set_application_name (db, "journey");
    if (jy_db_connect (db, max_wait_ms) != 0) {
        cli_fail ("cannot connect with %s (from %s): %s", url_key,
                  jy_config_origin (cli->config, url_key), jy_db_error (db));
        jy_db_destroy (&db);
        return NULL;
    }
    return db;
}

jy_calendar_t *cli_calendar (cli_t *cli)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    if (jy_calendar_apply_config (calendar, cli->config) != 0) {
        cli_fail ("%s", jy_config_error (cli->config));
        jy_calendar_destroy (&calendar);
        return NULL;
    }
    //  Imported bank holidays are a bonus: without a database the built-in and configured days
    //  still answer, so one quick attempt, and no complaint when it fails.
    const char *url = jy_config_get (cli->config, "database/admin_url");
    if (url && *url) {
        jy_db_t *db = jy_db_new (url);
        jy_db_set_application_name (db, "journey");
        jy_log_level_t level = jy_log_level ();
        jy_log_init (NULL, (jy_log_level_t)(JY_LOG_ERROR + 1)); //  silence jy_db's warnings
        size_t loaded = 0;
        if (jy_db_connect (db, 0) == 0)
            jy_calendar_load_db (calendar, db, &loaded);
        jy_log_init (NULL, level);
        jy_db_destroy (&db);
    }
    return calendar;
}

int cli_parse_date (const char *what, const char *text, jy_date_t *date)
{
    if (jy_date_parse (text, date) != 0)
        return cli_usage ("%s \"%s\" is not a date: use YYYY-MM-DD, years %d to %d", what, text,
                          JY_DATE_MIN_YEAR, JY_DATE_MAX_YEAR);
    return CLI_OK;
}

size_t cli_daemon_endpoints (cli_t *cli, cli_endpoint_t *endpoints, size_t max)
{
    static const char *services[] = {"ingest", "timeliness", "escalation", "reporting"};
    static const char *keys[] = {"ingest/request", "timeliness/request", "escalation/request",
                                 "reporting/request"};
    size_t count = 0;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        const char *endpoint = jy_config_get (cli->config, keys[i]);
        if (!endpoint || !*endpoint)
            continue;
        if (count < max) {
            endpoints[count].service = services[i];
            endpoints[count].endpoint = endpoint;
        }
        count++;
    }
    return count;
}

jy_envelope_t *cli_request (const char *endpoint, const jy_envelope_t *request, int timeout_ms,
                            const char **why)
{
    static char reason[160];
    *why = reason;
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    assert (sock);
    zsock_set_linger (sock, 0);
    zsock_set_sndhwm (sock, S_REQUEST_HWM);
    zsock_set_rcvhwm (sock, S_REQUEST_HWM);
    if (zsock_connect (sock, "%s", endpoint) != 0) {
        snprintf (reason, sizeof reason, "bad endpoint \"%s\"", endpoint);
        zsock_destroy (&sock);
        return NULL;
    }
    //  A fresh id per request, so that the reply can be matched to it.
    zuuid_t *uuid = zuuid_new ();
    assert (uuid);
    jy_envelope_t envelope = *request;
    envelope.message_id = (char *)zuuid_str_canonical (uuid);
    envelope.has_schema_version = 1;
    envelope.schema_version = JY_SCHEMA_VERSION;
    envelope.has_sent_at_ms = 1;
    envelope.sent_at_ms = zclock_time ();

    jy_envelope_t *reply = NULL;
    if (jy_wire_send (sock, &envelope) != 0)
        snprintf (reason, sizeof reason, "cannot send: %s", zmq_strerror (zmq_errno ()));
    else {
        zpoller_t *poller = zpoller_new (sock, NULL);
        assert (poller);
        int64_t deadline = zclock_mono () + timeout_ms;
        while (!reply) {
            int64_t left = deadline - zclock_mono ();
            if (left < 0)
                left = 0;
            if (zpoller_wait (poller, (int)left) != sock) {
                if (zpoller_terminated (poller))
                    snprintf (reason, sizeof reason, "interrupted");
                else
                    snprintf (reason, sizeof reason, "not running (no answer in %d ms)",
                              timeout_ms);
                break;
            }
            jy_wire_status_t status;
            reply = jy_wire_recv (sock, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
            if (!reply || status != JY_WIRE_OK) {
                snprintf (reason, sizeof reason, "bad reply: %s", jy_wire_status_text (status));
                jy_envelope_free (&reply);
                break;
            }
            //  An answer to some other message id is not ours: keep waiting.
            if (reply->message_id && strcmp (reply->message_id, envelope.message_id) != 0)
                jy_envelope_free (&reply);
        }
        zpoller_destroy (&poller);
    }
    zuuid_destroy (&uuid);
    zsock_destroy (&sock);
    if (reply)
        *why = NULL;
    return reply;
}
