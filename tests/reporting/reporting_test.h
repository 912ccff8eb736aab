/*  What the reporting tests share: a database of their own, migrated, and small helpers. */
#ifndef JOURNEY_REPORTING_TEST_H_INCLUDED
#define JOURNEY_REPORTING_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "journey/journey.h"

//  Create the database `name` (dropped first if a previous run left it), migrate it with
//  `journey migrate` as the admin role, and point JOURNEY_DATABASE_ADMIN_URL at it. Returns
//  the admin connection to it (exits 1 when the cluster cannot be reached).
static inline jy_db_t *rt_database (const char *name, char *admin_url, size_t size)
{
    const char *cluster = jy_test_db_url ();
    jy_db_t *admin = jy_db_new (cluster);
    if (jy_db_connect (admin, 10000)) {
        fprintf (stderr, "cannot connect to %s: %s\n", cluster, jy_db_error (admin));
        exit (1);
    }
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", name);
    if (jy_db_exec (admin, sql, 0, NULL)) {
        fprintf (stderr, "cannot create %s: %s\n", name, jy_db_error (admin));
        exit (1);
    }
    jy_db_destroy (&admin);
    snprintf (admin_url, size, "%s dbname=%s", cluster, name);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", admin_url, 1);
    const char *migrate[] = {getenv ("JOURNEY_CLI"), "migrate", NULL};
    if (jy_test_run (NULL, migrate) != 0) {
        fprintf (stderr, "journey migrate failed on %s\n", name);
        exit (1);
    }
    jy_db_t *db = jy_db_new (admin_url);
    if (jy_db_connect (db, 10000)) {
        fprintf (stderr, "cannot connect to %s: %s\n", admin_url, jy_db_error (db));
        exit (1);
    }
    return db;
}

static inline void rt_drop_database (const char *name)
{
    jy_db_t *admin = jy_db_new (jy_test_db_url ());
    if (jy_db_connect (admin, 10000) == 0) {
        char sql[256];
        snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        jy_db_exec (admin, sql, 0, NULL);
    }
    jy_db_destroy (&admin);
}

//  A statement of the test's dataset; a failure is a failed check naming it.
#define RT_SQL(db, sql)                                                                            \
    do {                                                                                           \
        int rt_rc_ = jy_db_exec ((db), (sql), 0, NULL);                                            \
        if (rt_rc_)                                                                                \
            fprintf (stderr, "%s:%d: %s\n", __FILE__, __LINE__, jy_db_error (db));                 \
        CHECK_INT (rt_rc_, 0);                                                                     \
    } while (0)

//  A whole file in memory (NUL-terminated), or NULL.
static inline char *rt_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *data = (char *) malloc ((size_t) size + 1);
    if (!data || fread (data, 1, (size_t) size, file) != (size_t) size) {
        free (data);
        fclose (file);
        return NULL;
    }
    data[size] = '\0';
    fclose (file);
    return data;
}

#endif
