/*  What the alert feed's tests share (test_queries.c, test_webhook.c): a fresh migrated
    database of the test's own, and alerts written to timeliness.alert_feed the way
    journey-timelinessd writes them (sequence numbers reserved in the transaction that stores
    the row, published after commit).
*/
#ifndef JOURNEY_ALERT_FEED_TEST_H_INCLUDED
#define JOURNEY_ALERT_FEED_TEST_H_INCLUDED

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey/journey.h"
#include "jy_test.h"

//  Creates database journey_<name>_<pid> (dropping a leftover), migrates it and returns its
//  admin URL in url; the timeliness role's URL in role_url. -1 when that cannot be done.
static inline int aft_database_new (const char *name, char *dbname, size_t dbname_size, char *url,
                                    size_t url_size, char *role_url, size_t role_url_size)
{
    const char *admin_url = jy_test_db_url ();
    const char *timeliness_url = getenv ("JOURNEY_DATABASE_TIMELINESS_URL");
    if (!timeliness_url)
        return -1;
    snprintf (dbname, dbname_size, "journey_%s_%d", name, (int) getpid ());
    jy_db_t *admin = jy_db_new (admin_url);
    if (jy_db_connect (admin, 10000) != 0) {
        fprintf (stderr, "cannot connect to %s: %s\n", admin_url, jy_db_error (admin));
        jy_db_destroy (&admin);
        return -1;
    }
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    int rc = jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", dbname);
    if (rc == 0)
        rc = jy_db_exec (admin, sql, 0, NULL);
    jy_db_destroy (&admin);
    if (rc != 0)
        return -1;
    snprintf (url, url_size, "%s dbname=%s", admin_url, dbname);
    snprintf (role_url, role_url_size, "%s dbname=%s", timeliness_url, dbname);
    jy_db_t *db = jy_db_new (url);
    char dir[1024];
    snprintf (dir, sizeof dir, "%s/migrations", jy_deploy_dir ());
    int applied = 0;
    rc = jy_db_connect (db, 10000) == 0 ? jy_db_migrate (db, dir, &applied) : -1;
    jy_db_destroy (&db);
    return rc;
}

static inline void aft_database_drop (const char *dbname)
{
    jy_db_t *admin = jy_db_new (jy_test_db_url ());
    if (jy_db_connect (admin, 10000) == 0) {
        char sql[256];
        snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
        jy_db_exec (admin, sql, 0, NULL);
    }
    jy_db_destroy (&admin);
}

//  An alert as the tests write them; NULL fields are left out.
typedef struct {
    Journey__V1__Alert__Kind kind;
    const char *la_code;
    const char *child_id;
    const char *clock;
    const char *due_on;
    const char *team_id;
} aft_alert_t;

static inline void aft_alert_fill (Journey__V1__Alert *alert, const aft_alert_t *spec)
{
    journey__v1__alert__init (alert);
    alert->has_kind = 1;
    alert->kind = spec->kind;
    alert->la_code = (char *) spec->la_code;
    alert->child_id = (char *) spec->child_id;
    alert->clock = (char *) spec->clock;
    alert->due_on = (char *) spec->due_on;
    alert->team_id = (char *) spec->team_id;
    alert->raised_on = (char *) "2025-03-04";
}

//  Writes one alert as the daemon does: BEGIN, reserve its seq, store the row with its
//  envelope, COMMIT; then, when pub is given, publish it. The seq, or 0 on failure.
static inline uint64_t aft_alert_write (jy_db_t *db, jy_feed_pub_t *pub, const aft_alert_t *spec)
{
    const jy_feed_def_t *feed = jy_feed_lookup ("alerts");
    Journey__V1__Alert alert;
    aft_alert_fill (&alert, spec);
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT;
    envelope.alert = &alert;
    uint64_t seq = 0;
    if (jy_db_begin (db) != 0)
        return 0;
    if (jy_feed_reserve (db, feed, 1, &seq) != 0) {
        jy_db_rollback (db);
        return 0;
    }
    envelope.has_feed_seq = 1;
    envelope.feed_seq = seq;
    alert.has_alert_id = 1;
    alert.alert_id = seq;
    zframe_t *frame = jy_wire_pack (&envelope);
    size_t size = zframe_size (frame);
    char *hex = (char *) malloc (size * 2 + 3);
    assert (hex);
    strcpy (hex, "\\x");
    for (size_t i = 0; i < size; i++)
        sprintf (hex + 2 + i * 2, "%02x", zframe_data (frame)[i]);
    zframe_destroy (&frame);
    const char *kinds[] = {"",        "due_soon",   "drifted",     "due_today",
                           "overdue", "overdue_by", "rag_changed", "caseload"};
    char seq_text[24];
    snprintf (seq_text, sizeof seq_text, "%" PRIu64, seq);
    const char *params[8] = {seq_text,    spec->la_code, kinds[spec->kind], spec->child_id,
                             spec->clock, spec->due_on,  spec->team_id,     hex};
    int rc = jy_db_exec (db,
                         "INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on,"
                         " child_id, clock, due_on, team_id, envelope)"
                         " VALUES ($1, $2, $3, '2025-03-04', $4, $5, $6, $7, $8)",
                         8, params);
    free (hex);
    if (rc != 0 || jy_db_commit (db) != 0) {
        jy_db_rollback (db);
        return 0;
    }
    if (pub)
        jy_feed_pub_send (pub, seq, &envelope);
    return seq;
}

#endif
