/*  Minimal test support: checks that report the values they compared and keep going, and a
    closing line per test program. Tests assert on values, never on "it ran".
*/
#ifndef JY_TEST_H_INCLUDED
#define JY_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jy_date.h"
#include "jy_db.h"

static int jy_test_failures = 0;
static int jy_test_checks = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        jy_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            jy_test_failures++;                                                                    \
            fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                                          \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long jy_a_ = (long long) (actual), jy_e_ = (long long) (expected);                    \
        jy_test_checks++;                                                                          \
        if (jy_a_ != jy_e_) {                                                                      \
            jy_test_failures++;                                                                    \
            fprintf (stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #actual,    \
                     jy_a_, jy_e_);                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *jy_a_ = (actual), *jy_e_ = (expected);                                         \
        jy_test_checks++;                                                                          \
        if (!jy_a_ || !jy_e_ || strcmp (jy_a_, jy_e_) != 0) {                                      \
            jy_test_failures++;                                                                    \
            fprintf (stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__,         \
                     #actual, jy_a_ ? jy_a_ : "(null)", jy_e_ ? jy_e_ : "(null)");                 \
        }                                                                                          \
    } while (0)

//  Check a date against "YYYY-MM-DD".
#define CHECK_DATE(actual, expected_text)                                                          \
    do {                                                                                           \
        char jy_buf_[JY_DATE_TEXT_SIZE];                                                           \
        CHECK_STR (jy_date_format ((actual), jy_buf_), (expected_text));                           \
    } while (0)

//  Parse a date literal in a test (aborts on a typo in the test itself).
static inline int jy_test_date (const char *text)
{
    int date;
    if (jy_date_parse (text, &date) != 0) {
        fprintf (stderr, "bad date literal in test: %s\n", text);
        abort ();
    }
    return date;
}
#define D(text) jy_test_date (text)

//  The closing line and the exit status: failure when a check failed, and also when none ran
//  (a test that checked nothing has shown nothing, whatever made it stop early).
static inline int jy_test_summary (const char *name)
{
    printf ("%s: %d checks, %d failed\n", name, jy_test_checks, jy_test_failures);
    if (jy_test_checks == 0) {
        fprintf (stderr, "%s: no check ran: the test showed nothing\n", name);
        return 1;
    }
    return jy_test_failures == 0 ? 0 : 1;
}

//  Run one scenario of a test, a function whose name says what it checks: when a check in it
//  fails, the scenario is named as well as the line.
#define JY_TEST_SCENARIO(scenario) jy_test_scenario (#scenario, scenario)
static inline void jy_test_scenario (const char *name, void (*scenario) (void))
{
    int failures_before = jy_test_failures;
    scenario ();
    if (jy_test_failures > failures_before)
        fprintf (stderr, "scenario %s: %d checks failed\n", name,
                 jy_test_failures - failures_before);
}

//  Database URL of the test cluster's admin role (set by ctest from the pg fixture), or exit 77
//  (ctest SKIP_RETURN_CODE) when a test needing it runs outside the fixture.
static inline const char *jy_test_db_url (void)
{
    const char *url = getenv ("JOURNEY_TEST_DB_URL");
    if (!url || !*url) {
        fprintf (stderr, "JOURNEY_TEST_DB_URL not set: run under ctest\n");
        exit (77);
    }
    return url;
}

//  A fresh database NAME of the test's own on the test cluster (dropped first if a killed run
//  left it), every migration of dir applied (*applied: how many); its admin URL in admin_url.
//  The admin connection to it, or NULL after saying why on stderr.
static inline jy_db_t *jy_test_database_new (const char *name, const char *migrations_dir,
                                             int *applied, char *admin_url, size_t size)
{
    const char *cluster = jy_test_db_url ();
    jy_db_t *server = jy_db_new (cluster);
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    int rc = jy_db_connect (server, 10000) ? -1 : jy_db_exec (server, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", name);
    if (rc == 0)
        rc = jy_db_exec (server, sql, 0, NULL);
    if (rc)
        fprintf (stderr, "cannot create %s on %s: %s\n", name, cluster, jy_db_error (server));
    jy_db_destroy (&server);
    if (rc)
        return NULL;
    snprintf (admin_url, size, "%s dbname=%s", cluster, name);
    jy_db_t *admin = jy_db_new (admin_url);
    if (jy_db_connect (admin, 10000) || jy_db_migrate (admin, migrations_dir, applied)) {
        fprintf (stderr, "cannot migrate %s from %s: %s\n", name, migrations_dir,
                 jy_db_error (admin));
        jy_db_destroy (&admin);
        return NULL;
    }
    return admin;
}

//  Drop a database jy_test_database_new made. 0 or -1.
static inline int jy_test_database_drop (const char *name)
{
    jy_db_t *server = jy_db_new (jy_test_db_url ());
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    int rc = jy_db_connect (server, 10000) ? -1 : jy_db_exec (server, sql, 0, NULL);
    jy_db_destroy (&server);
    return rc;
}

#endif
