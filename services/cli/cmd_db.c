/*  cmd_db: `journey migrate` and `journey status` (docs/database.md).

    migrate applies the numbered migrations as the admin role, waiting for the database as a
    daemon would at start. status asks once, quickly: is the database there, how far is it
    migrated, and what does each daemon say about itself.
*/
#include "cli.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define S_STATUS_TIMEOUT_MS 1000
#define S_MAX_DAEMONS       8

//  The migrations directory: database/migrations_dir, else the deploy directory's.
static const char *s_migrations_dir (cli_t *cli, char *buffer, size_t size)
{
    const char *dir = jy_config_get (cli->config, "database/migrations_dir");
    if (dir && *dir)
        return dir;
    snprintf (buffer, size, "%s/migrations", jy_deploy_dir ());
    return buffer;
}

int cmd_migrate (cli_t *cli, int argc, char **argv)
{
    static const cli_option_t no_options[] = {{NULL, 0, NULL, 0, 0, NULL}};
    static const cli_options_t spec = {"migrate", no_options, 0, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        printf ("usage: journey [--json] migrate\n"
                "Apply the numbered migrations (NNN_name.sql) not yet applied, as the admin\n"
                "role (database/admin_url), from database/migrations_dir or %s/migrations.\n"
                "Waits up to database/connect_wait_ms for the database. docs/database.md.\n",
                jy_deploy_dir ());
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    long wait_ms = 0;
    if (jy_config_key_int (cli->config, JY_KEY_CONNECT_WAIT_MS, &wait_ms) != 0)
        return cli_fail ("%s", jy_config_error (cli->config));
    char buffer[1024];
    const char *dir = s_migrations_dir (cli, buffer, sizeof buffer);

    jy_db_t *db = cli_connect (cli, "database/admin_url", wait_ms);
    if (!db)
        return CLI_FAIL;
    int applied = 0, total_applied = 0, available = 0;
    int rc = CLI_OK;
    if (jy_db_migrate (db, dir, &applied) != 0)
        rc = cli_fail ("migration failed%s: %s",
                       applied > 0 ? " (the ones before it were applied)" : "", jy_db_error (db));
    else if (jy_db_migration_status (db, dir, &total_applied, &available) != 0)
        rc = cli_fail ("migrated, but cannot read the migration status: %s", jy_db_error (db));
    else if (cli->json)
        cli_print_json (json_pack ("{s:i, s:i}", "applied", applied, "total", available));
    else if (applied > 0)
        printf ("applied %d migration%s; %d of %d applied\n", applied, applied == 1 ? "" : "s",
                total_applied, available);
    else
        printf ("database is up to date (%d of %d migrations applied)\n", total_applied, available);
    jy_db_destroy (&db);
    return rc;
}

//  --- status -----------------------------------------------------------------------------------

//  One daemon's answer as JSON: {"service", "endpoint", "running", ...}.
//  reply: its answer to Status (taken), or NULL with why.
static json_t *s_daemon_status (const cli_endpoint_t *daemon, jy_envelope_t *reply, const char *why,
                                cli_state_t state)
{
    //  running: it answered; refused: it is there but refused this client's handshake;
    //  stopped: nothing listening, or no answer (error: this end could not ask).
    const char *state_name = state == CLI_STATE_ANSWERED      ? "running"
                             : state == CLI_STATE_REFUSED     ? "refused"
                             : state == CLI_STATE_NOT_RUNNING ? "stopped"
                                                              : "error";
    json_t *out = json_pack ("{s:s, s:s, s:s}", "service", daemon->service, "endpoint",
                             daemon->endpoint, "state", state_name);
    assert (out);
    if (!reply) {
        json_object_set_new (out, "running", json_false ());
        json_object_set_new (out, "error", json_string (why ? why : "no answer"));
        return out;
    }
    json_object_set_new (out, "running", json_true ());
    if (reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY) {
        //  Something answered, but not with a status: an older build or the wrong endpoint.
        const char *message =
            reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY && reply->reply->message
                ? reply->reply->message
                : "answered without a status";
        json_object_set_new (out, "healthy", json_false ());
        json_object_set_new (out, "error", json_string (message));
        jy_envelope_free (&reply);
        return out;
    }
    const Journey__V1__StatusReply *status = reply->status_reply;
    if (status->service)
        json_object_set_new (out, "name", json_string (status->service));
    if (status->version)
        json_object_set_new (out, "version", json_string (status->version));
    if (status->clock_mode)
        json_object_set_new (out, "clock_mode", json_string (status->clock_mode));
    if (status->today)
        json_object_set_new (out, "today", json_string (status->today));
    if (status->la_code)
        json_object_set_new (out, "la_code", json_string (status->la_code));
    json_object_set_new (out, "healthy", json_boolean (status->has_healthy && status->healthy));
    if (status->message && *status->message)
        json_object_set_new (out, "message", json_string (status->message));
    if (status->has_database_ok)
        json_object_set_new (out, "database_ok", json_boolean (status->database_ok));
    if (status->has_started_at_ms)
        json_object_set_new (out, "started_at_ms", json_integer (status->started_at_ms));
    json_t *feeds = json_array ();
    assert (feeds);
    for (size_t i = 0; i < status->n_feeds; i++) {
        const Journey__V1__FeedPosition *feed = status->feeds[i];
        json_t *entry = json_object ();
        assert (entry);
        json_object_set_new (entry, "feed", json_string (feed->feed ? feed->feed : ""));
        json_object_set_new (entry, "role", json_string (feed->role ? feed->role : ""));
        if (feed->has_position)
            json_object_set_new (entry, "position", json_integer ((json_int_t) feed->position));
        if (feed->has_head)
            json_object_set_new (entry, "head", json_integer ((json_int_t) feed->head));
        if (feed->has_lag)
            json_object_set_new (entry, "lag", json_integer ((json_int_t) feed->lag));
        json_array_append_new (feeds, entry);
    }
    json_object_set_new (out, "feeds", feeds);
    const Journey__V1__Backlog *backlog = status->backlog;
    if (backlog)
        json_object_set_new (out, "backlog",
                             json_pack ("{s:I, s:I, s:I, s:I, s:I}", "batches",
                                        (json_int_t) backlog->batches, "events",
                                        (json_int_t) backlog->events, "max_events",
                                        (json_int_t) backlog->max_events, "busy_answers",
                                        (json_int_t) backlog->busy_answers, "stalled_ms",
                                        (json_int_t) backlog->stalled_ms));
    jy_envelope_free (&reply);
    return out;
}

//  The database part: {"ok", "migrations_applied", "migrations_available", ["error"]}.
static json_t *s_database_status (cli_t *cli)
{
    char buffer[1024];
    const char *dir = s_migrations_dir (cli, buffer, sizeof buffer);
    bool ok = false;
    int applied = 0, available = 0;
    const char *error = NULL;
    char error_text[2048] = "";
    const char *url = jy_config_get (cli->config, "database/admin_url");
    jy_db_t *db = NULL;
    if (!url || !*url)
        error = "database/admin_url is not set";
    else {
        db = jy_db_new (url);
        jy_db_set_application_name (db, "journey");
        //  One quick attempt: status reports, it does not wait.
        if (jy_db_connect (db, 0) == 0) {
            ok = true;
            if (jy_db_migration_status (db, dir, &applied, &available) != 0)
                snprintf (error_text, sizeof error_text, "%s", jy_db_error (db));
        } else {
            snprintf (error_text, sizeof error_text, "%s", jy_db_error (db));
            //  Still count the files, so that "0 of N" says what a migrate would do.
            jy_db_migration_status (db, dir, &applied, &available);
            applied = 0;
        }
        if (*error_text)
            error = error_text;
    }
    json_t *out = json_pack ("{s:b, s:i, s:i}", "ok", ok, "migrations_applied", applied,
                             "migrations_available", available);
    assert (out);
    if (error)
        json_object_set_new (out, "error", json_string (error));
    jy_db_destroy (&db);
    return out;
}

static const char *s_text (json_t *object, const char *key, const char *otherwise)
{
    const char *text = json_string_value (json_object_get (object, key));
    return text ? text : otherwise;
}

static void s_print_human (json_t *database, json_t *daemons)
{
    bool ok = json_is_true (json_object_get (database, "ok"));
    printf ("database    %s; migrations %d of %d applied\n", ok ? "reachable" : "UNREACHABLE",
            (int) json_integer_value (json_object_get (database, "migrations_applied")),
            (int) json_integer_value (json_object_get (database, "migrations_available")));
    if (json_object_get (database, "error"))
        printf ("            %s\n", s_text (database, "error", ""));
    if (json_array_size (daemons) == 0) {
        printf ("no daemon endpoints configured\n");
        return;
    }
    printf ("\n%-11s %-28s %-8s %-8s %-10s %-10s %-8s %s\n", "SERVICE", "ENDPOINT", "STATE",
            "VERSION", "CLOCK", "TODAY", "HEALTHY", "FEEDS");
    size_t index;
    json_t *daemon;
    json_array_foreach (daemons, index, daemon)
    {
        bool running = json_is_true (json_object_get (daemon, "running"));
        json_t *healthy = json_object_get (daemon, "healthy");
        char feeds[512] = "";
        size_t used = 0;
        size_t i;
        json_t *feed;
        json_array_foreach (json_object_get (daemon, "feeds"), i, feed)
        {
            char lag[40] = "";
            if (json_object_get (feed, "lag"))
                snprintf (lag, sizeof lag, " (lag %" JSON_INTEGER_FORMAT ")",
                          json_integer_value (json_object_get (feed, "lag")));
            int wrote =
                snprintf (feeds + used, sizeof feeds - used, "%s%s %s %" JSON_INTEGER_FORMAT "%s",
                          used ? ", " : "", s_text (feed, "feed", "?"), s_text (feed, "role", "?"),
                          json_integer_value (json_object_get (feed, "position")), lag);
            if (wrote < 0 || (size_t) wrote >= sizeof feeds - used)
                break;
            used += (size_t) wrote;
        }
        printf ("%-11s %-28s %-8s %-8s %-10s %-10s %-8s %s\n", s_text (daemon, "service", "?"),
                s_text (daemon, "endpoint", "?"), s_text (daemon, "state", "?"),
                s_text (daemon, "version", "-"), s_text (daemon, "clock_mode", "-"),
                s_text (daemon, "today", "-"),
                !running                 ? "-"
                : json_is_true (healthy) ? "yes"
                                         : "NO",
                feeds);
        if (running && json_object_get (daemon, "message"))
            printf ("%-11s %s\n", "", s_text (daemon, "message", ""));
        json_t *backlog = json_object_get (daemon, "backlog");
        if (running && backlog)
            printf ("%-11s backlog %" JSON_INTEGER_FORMAT " batches, %" JSON_INTEGER_FORMAT
                    " of at most %" JSON_INTEGER_FORMAT " events; %" JSON_INTEGER_FORMAT
                    " answered busy; database stalled %.1f s\n",
                    "", json_integer_value (json_object_get (backlog, "batches")),
                    json_integer_value (json_object_get (backlog, "events")),
                    json_integer_value (json_object_get (backlog, "max_events")),
                    json_integer_value (json_object_get (backlog, "busy_answers")),
                    (double) json_integer_value (json_object_get (backlog, "stalled_ms")) / 1000.0);
        if (json_object_get (daemon, "error"))
            printf ("%-11s %s\n", "", s_text (daemon, "error", ""));
    }
}

int cmd_status (cli_t *cli, int argc, char **argv)
{
    static const cli_option_t no_options[] = {{NULL, 0, NULL, 0, 0, NULL}};
    static const cli_options_t spec = {"status", no_options, 0, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        printf ("usage: journey [--json] status\n"
                "Whether the database answers (one attempt) and how far it is migrated, then\n"
                "each configured daemon's answer to Status: version, clock, today, health and\n"
                "feed positions. STATE is running, stopped (nothing listening or no answer) or\n"
                "refused (the daemon refused this client's handshake, CURVE; the reason\n"
                "follows). Exit status 0 when the database is reachable, else 1.\n");
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    json_t *database = s_database_status (cli);
    cli_endpoint_t endpoints[S_MAX_DAEMONS];
    size_t count = cli_daemon_endpoints (cli, endpoints, S_MAX_DAEMONS);
    if (count > S_MAX_DAEMONS)
        count = S_MAX_DAEMONS;
    json_t *daemons = json_array ();
    assert (daemons);
    jy_envelope_t request;
    Journey__V1__StatusRequest status_request;
    cli_status_request (&request, &status_request);
    jy_envelope_t *replies[S_MAX_DAEMONS];
    const char *whys[S_MAX_DAEMONS];
    cli_state_t states[S_MAX_DAEMONS];
    cli_ask_daemons (endpoints, count, &request, S_STATUS_TIMEOUT_MS, replies, whys, states);
    for (size_t i = 0; i < count; i++)
        json_array_append_new (daemons,
                               s_daemon_status (&endpoints[i], replies[i], whys[i], states[i]));
    bool ok = json_is_true (json_object_get (database, "ok"));
    if (cli->json)
        cli_print_json (json_pack ("{s:o, s:o}", "database", database, "daemons", daemons));
    else {
        s_print_human (database, daemons);
        json_decref (database);
        json_decref (daemons);
    }
    return ok ? CLI_OK : CLI_FAIL;
}
