/*  jy_db against a real PostgreSQL: migrations (fresh, repeated, changed, duplicate, failing),
    parameters, SQLSTATEs, transactions, a lost connection, connect retry, and the roles and
    rights that 001_schemas.sql creates. Each run works in its own database, journey_dbtest_<pid>,
    so that this test and its sanitizer twin can run at the same time.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journey/journey.h"
#include "jy_test.h"

static char s_dbname[64];

//  The first value of a one-row result as text, into buffer ("" on failure or NULL).
static const char *s_value (jy_db_t *db, const char *sql, char *buffer, size_t size)
{
    buffer[0] = '\0';
    PGresult *result = jy_db_query (db, sql, 0, NULL);
    if (result && PQntuples (result) == 1 && !PQgetisnull (result, 0, 0))
        snprintf (buffer, size, "%s", PQgetvalue (result, 0, 0));
    PQclear (result);
    return buffer;
}

static long s_count (jy_db_t *db, const char *sql)
{
    char buffer[64];
    s_value (db, sql, buffer, sizeof buffer);
    return *buffer ? atol (buffer) : -1;
}

static int s_count_migration_files (const char *dir)
{
    DIR *handle = opendir (dir);
    if (!handle)
        return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir (handle))) {
        size_t len = strlen (entry->d_name);
        if (len > 4 && strcmp (entry->d_name + len - 4, ".sql") == 0)
            count++;
    }
    closedir (handle);
    return count;
}

static int s_write_file (const char *path, const char *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    if (!file)
        return -1;
    size_t wrote = fwrite (data, 1, size, file);
    return fclose (file) == 0 && wrote == size ? 0 : -1;
}

static char *s_read_file (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long length = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *data = malloc ((size_t) length + 1);
    if (!data || fread (data, 1, (size_t) length, file) != (size_t) length) {
        free (data);
        fclose (file);
        return NULL;
    }
    fclose (file);
    *size = (size_t) length;
    return data;
}

//  A new temp directory holding copies of the migrations in from. 0 or -1.
static int s_copy_migrations (const char *from, char *to, size_t to_size)
{
    snprintf (to, to_size, "/tmp/jy-dbtest-%d-XXXXXX", (int) getpid ());
    if (!mkdtemp (to))
        return -1;
    DIR *handle = opendir (from);
    if (!handle)
        return -1;
    struct dirent *entry;
    int rc = 0;
    while ((entry = readdir (handle)) && rc == 0) {
        size_t len = strlen (entry->d_name);
        if (len < 5 || strcmp (entry->d_name + len - 4, ".sql") != 0)
            continue;
        char source[1024], target[1024];
        snprintf (source, sizeof source, "%s/%s", from, entry->d_name);
        snprintf (target, sizeof target, "%s/%s", to, entry->d_name);
        size_t size;
        char *data = s_read_file (source, &size);
        rc = data && s_write_file (target, data, size) == 0 ? 0 : -1;
        free (data);
    }
    closedir (handle);
    return rc;
}

static void s_remove_dir (const char *dir)
{
    DIR *handle = opendir (dir);
    if (!handle)
        return;
    struct dirent *entry;
    while ((entry = readdir (handle))) {
        if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name);
        unlink (path);
    }
    closedir (handle);
    rmdir (dir);
}

static void s_test_migrations (jy_db_t *db, const char *dir)
{
    int files = s_count_migration_files (dir);
    CHECK (files >= 1);

    int applied = -1, available = -1;
    CHECK_INT (jy_db_migration_status (db, dir, &applied, &available), 0);
    CHECK_INT (applied, 0);
    CHECK_INT (available, files);

    CHECK_INT (jy_db_migrate (db, dir, &applied), 0);
    CHECK_INT (applied, files);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.schema_migration"), files);
    CHECK_INT (jy_db_migrate (db, dir, &applied), 0);
    CHECK_INT (applied, 0);
    CHECK_INT (jy_db_migration_status (db, dir, &applied, &available), 0);
    CHECK_INT (applied, files);
    CHECK_INT (available, files);

    //  The checksum recorded is the SHA-256 of the file.
    char buffer[128];
    s_value (db, "SELECT checksum FROM journey.schema_migration WHERE version = 1", buffer,
             sizeof buffer);
    CHECK_INT (strlen (buffer), 64);

    //  What 001 creates.
    CHECK_INT (s_count (db, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('ingest',"
                            " 'timeliness', 'escalation', 'reporting', 'journey')"),
               5);
    CHECK_STR (s_value (db, "SELECT feed FROM ingest.feed_head", buffer, sizeof buffer), "events");
    CHECK_STR (s_value (db, "SELECT feed FROM timeliness.feed_head", buffer, sizeof buffer),
               "alerts");
    CHECK_STR (s_value (db, "SELECT feed FROM escalation.feed_head", buffer, sizeof buffer),
               "disputes");
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.calendar_day"), 0);

    //  A changed migration is refused, naming the file.
    char changed[256];
    CHECK_INT (s_copy_migrations (dir, changed, sizeof changed), 0);
    char path[512];
    snprintf (path, sizeof path, "%s/001_schemas.sql", changed);
    size_t size = 0;
    char *data = s_read_file (path, &size);
    CHECK (data && size > 10);
    if (data) {
        data[size - 1] = data[size - 1] == ' ' ? '\n' : ' ';
        CHECK_INT (s_write_file (path, data, size), 0);
        free (data);
    }
    CHECK_INT (jy_db_migrate (db, changed, &applied), -1);
    CHECK_INT (applied, 0);
    CHECK (strstr (jy_db_error (db), path) != NULL);
    CHECK (strstr (jy_db_error (db), "has changed since it was applied on") != NULL);
    s_remove_dir (changed);

    //  Two files with the same number.
    char duplicate[256];
    CHECK_INT (s_copy_migrations (dir, duplicate, sizeof duplicate), 0);
    snprintf (path, sizeof path, "%s/001_again.sql", duplicate);
    CHECK_INT (s_write_file (path, "SELECT 1;\n", 10), 0);
    CHECK_INT (jy_db_migrate (db, duplicate, &applied), -1);
    CHECK (strstr (jy_db_error (db), "001_again.sql") != NULL);
    CHECK (strstr (jy_db_error (db), "same number") != NULL);
    s_remove_dir (duplicate);

    //  A .sql file that is not named NNN_name.sql is refused rather than skipped.
    char misnamed[256];
    CHECK_INT (s_copy_migrations (dir, misnamed, sizeof misnamed), 0);
    snprintf (path, sizeof path, "%s/9_Oops.sql", misnamed);
    CHECK_INT (s_write_file (path, "SELECT 1;\n", 10), 0);
    CHECK_INT (jy_db_migrate (db, misnamed, &applied), -1);
    CHECK (strstr (jy_db_error (db), "9_Oops.sql") != NULL);
    s_remove_dir (misnamed);

    //  A failing migration leaves neither its row nor its half-done changes.
    char failing[256];
    CHECK_INT (s_copy_migrations (dir, failing, sizeof failing), 0);
    snprintf (path, sizeof path, "%s/998_good.sql", failing);
    const char *good = "CREATE TABLE journey.dbtest_good (x int);\n";
    CHECK_INT (s_write_file (path, good, strlen (good)), 0);
    snprintf (path, sizeof path, "%s/999_broken.sql", failing);
    const char *broken = "CREATE TABLE journey.dbtest_broken (x int);\n"
                         "INSERT INTO journey.dbtest_broken VALUES (1);\n"
                         "SELECT no_such_function ();\n";
    CHECK_INT (s_write_file (path, broken, strlen (broken)), 0);
    CHECK_INT (jy_db_migrate (db, failing, &applied), -1);
    CHECK_INT (applied, 1); //  998 went in before 999 failed
    CHECK (strstr (jy_db_error (db), "999_broken.sql") != NULL);
    CHECK (strstr (jy_db_error (db), "no_such_function") != NULL);
    CHECK (strstr (jy_db_error (db), "line 3") != NULL);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.schema_migration WHERE version = 999"),
               0);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.schema_migration WHERE version = 998"),
               1);
    CHECK_STR (
        s_value (db, "SELECT to_regclass ('journey.dbtest_broken') IS NULL", buffer, sizeof buffer),
        "t");
    CHECK_STR (
        s_value (db, "SELECT to_regclass ('journey.dbtest_good') IS NULL", buffer, sizeof buffer),
        "f");
    CHECK_INT (jy_db_migration_status (db, failing, &applied, &available), 0);
    CHECK_INT (applied, files + 1);
    CHECK_INT (available, files + 2);
    //  The advisory lock was released: another session can take it at once.
    CHECK_INT (s_count (db,
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                        " (SELECT oid FROM pg_database WHERE datname = current_database ())"),
               0);
    s_remove_dir (failing);

    //  No directory: an error naming it.
    CHECK_INT (jy_db_migrate (db, "/nonexistent/migrations", &applied), -1);
    CHECK (strstr (jy_db_error (db), "/nonexistent/migrations") != NULL);
}

static void s_test_queries (jy_db_t *db)
{
    char buffer[128];
    CHECK_STR (s_value (db, "SHOW synchronous_commit", buffer, sizeof buffer), "on");
    CHECK_STR (s_value (db, "SHOW application_name", buffer, sizeof buffer), "test_db");

    CHECK_INT (jy_db_exec (db,
                           "CREATE TABLE journey.dbtest (id int PRIMARY KEY, a text,"
                           " b text UNIQUE)",
                           0, NULL),
               0);
    const char *params[3] = {"1", NULL, "it's \"quoted\"; DROP TABLE x"};
    PGresult *result = jy_db_query (
        db, "INSERT INTO journey.dbtest VALUES ($1, $2, $3) RETURNING a IS NULL, b", 3, params);
    CHECK (result != NULL);
    if (result) {
        CHECK_STR (PQgetvalue (result, 0, 0), "t");
        CHECK_STR (PQgetvalue (result, 0, 1), params[2]);
        PQclear (result);
    }
    CHECK_STR (jy_db_sqlstate (db), "");

    //  Unique violation: NULL, the SQLSTATE and the message kept; the connection still fine.
    const char *again[3] = {"2", "x", params[2]};
    CHECK (jy_db_query (db, "INSERT INTO journey.dbtest VALUES ($1, $2, $3)", 3, again) == NULL);
    CHECK_STR (jy_db_sqlstate (db), "23505");
    CHECK (strstr (jy_db_error (db), "dbtest_b_key") != NULL);
    CHECK (jy_db_ok (db));

    //  Binary int8.
    const char *big[1] = {"1234567890123"};
    result = jy_db_query_binary (db, "SELECT $1::int8, (-5)::int8, NULL::int8", 1, big);
    CHECK (result != NULL);
    if (result) {
        CHECK_INT (jy_db_get_int8 (result, 0, 0), 1234567890123LL);
        CHECK_INT (jy_db_get_int8 (result, 0, 1), -5);
        CHECK_INT (jy_db_get_int8 (result, 0, 2), 0);
        PQclear (result);
    }

    //  Transactions: rollback undoes; a commit after a failed statement is reported as failed.
    CHECK_INT (jy_db_begin (db), 0);
    CHECK_INT (jy_db_exec (db, "INSERT INTO journey.dbtest VALUES (3, 'r', 'r')", 0, NULL), 0);
    jy_db_rollback (db);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.dbtest"), 1);
    CHECK_INT (jy_db_begin (db), 0);
    CHECK_INT (jy_db_exec (db, "INSERT INTO journey.dbtest VALUES (4, 'c', 'c')", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "SELECT 1/0", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "22012");
    CHECK_INT (jy_db_commit (db), -1);
    CHECK (strstr (jy_db_error (db), "rolled back") != NULL);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.dbtest"), 1);
    CHECK_INT (jy_db_begin (db), 0);
    CHECK_INT (jy_db_exec (db, "INSERT INTO journey.dbtest VALUES (5, 'c', 'c')", 0, NULL), 0);
    CHECK_INT (jy_db_commit (db), 0);
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.dbtest"), 2);
}

//  The server ends the session: noticed, then restored by jy_db_ensure.
static void s_test_lost_connection (jy_db_t *admin, jy_db_t *db)
{
    char pid[16];
    snprintf (pid, sizeof pid, "%d", PQbackendPID (jy_db_conn (db)));
    const char *params[1] = {pid};
    CHECK_INT (jy_db_exec (admin, "SELECT pg_terminate_backend ($1::int, 5000)", 1, params), 0);
    CHECK (jy_db_exec (db, "SELECT 1", 0, NULL) == -1);
    CHECK (!jy_db_ok (db));
    CHECK (*jy_db_sqlstate (db) != '\0');
    CHECK (jy_db_query (db, "SELECT 1", 0, NULL) == NULL);
    CHECK_STR (jy_db_sqlstate (db), "08003");
    CHECK_INT (jy_db_ensure (db), 0);
    CHECK (jy_db_ok (db));
    char buffer[64];
    CHECK_STR (s_value (db, "SHOW synchronous_commit", buffer, sizeof buffer), "on");
    CHECK_STR (s_value (db, "SHOW application_name", buffer, sizeof buffer), "test_db");
    CHECK_INT (jy_db_ensure (db), 0);
}

//  Prepared statements belong to the handle's connection: prepared again after a reconnect, and
//  after the server forgot them (DEALLOCATE ALL, as a pooler's DISCARD ALL does); binary cells.
static void s_test_prepared (jy_db_t *admin, jy_db_t *db)
{
    static const char *sql = "SELECT $1::int4 + 1, $2::date, $1::text, $1::int4 > 0, NULL::date,"
                             " NULL::bool, NULL::text, NULL::int4";
    const char *params[2] = {"41", "2026-12-08"};
    for (int turn = 0; turn < 4; turn++) {
        if (turn == 1)
            CHECK_INT (jy_db_exec (db, "DEALLOCATE ALL", 0, NULL), 0);
        if (turn == 2) {
            char pid[16];
            snprintf (pid, sizeof pid, "%d", PQbackendPID (jy_db_conn (db)));
            const char *which[1] = {pid};
            CHECK_INT (jy_db_exec (admin, "SELECT pg_terminate_backend ($1::int, 5000)", 1, which),
                       0);
            CHECK (jy_db_query_prepared (db, "test_cells", sql, 2, params, true) == NULL);
            CHECK_INT (jy_db_ensure (db), 0);
        }
        PGresult *result = jy_db_query_prepared (db, "test_cells", sql, 2, params, turn != 3);
        CHECK (result != NULL);
        if (result && turn != 3) {
            CHECK_INT (jy_db_get_int4 (result, 0, 0), 42);
            CHECK_DATE (jy_db_get_date (result, 0, 1), "2026-12-08");
            CHECK_STR (jy_db_get_text (result, 0, 2), "41");
            CHECK_INT (jy_db_get_tristate (result, 0, 3), 1);
            CHECK_INT (jy_db_get_date (result, 0, 4), JY_DATE_INVALID);
            CHECK_INT (jy_db_get_tristate (result, 0, 5), -1);
            CHECK (jy_db_get_text (result, 0, 6) == NULL);
            CHECK_INT (jy_db_get_int4 (result, 0, 7), 0);
        } else if (result)
            CHECK_STR (PQgetvalue (result, 0, 0), "42");
        PQclear (result);
    }
    //  The same name on another handle is that handle's own.
    CHECK_INT (jy_db_exec_prepared (admin, "test_cells", "SELECT 1", 0, NULL), 0);
    //  A statement that fails names itself, with its SQLSTATE; one that cannot be prepared too.
    CHECK (jy_db_query_prepared (db, "test_divide", "SELECT 1 / $1::int", 1, (const char *[]){"0"},
                                 false) == NULL);
    CHECK_STR (jy_db_sqlstate (db), "22012");
    CHECK (strncmp (jy_db_error (db), "test_divide: ", 13) == 0);
    CHECK_INT (jy_db_exec_prepared (db, "test_nosuch", "SELECT * FROM nosuch", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "42P01");
    CHECK (strncmp (jy_db_error (db), "test_nosuch: ", 13) == 0);
    CHECK (jy_db_ok (db));
}

//  Failed statements are returned and kept, never logged here: the caller logs them once, with
//  what it was doing. stderr goes to a file while they fail, at the info level.
static void s_test_no_logging (jy_db_t *db)
{
    char path[64];
    snprintf (path, sizeof path, "/tmp/jy-dbtest-log-%d", (int) getpid ());
    fflush (stderr);
    int saved = dup (2);
    FILE *log = fopen (path, "w+");
    CHECK (saved >= 0 && log != NULL);
    if (saved < 0 || !log)
        return;
    dup2 (fileno (log), 2);
    jy_log_level_t level = jy_log_level ();
    jy_log_init ("test_db", JY_LOG_INFO);

    CHECK (jy_db_query (db, "SELECT * FROM nosuch_table", 0, NULL) == NULL);
    CHECK_INT (jy_db_exec_prepared (db, "test_log_prepare", "SELECT * FROM nosuch", 0, NULL), -1);
    CHECK_INT (jy_db_exec_prepared (db, "test_log_run", "SELECT 1 / 0", 0, NULL), -1);
    CHECK_INT (jy_db_copy_in (db, "COPY nosuch_table FROM STDIN", "1\n", 2), -1);
    CHECK_INT (jy_db_exec (db, "CREATE TEMP TABLE log_copy (n int)", 0, NULL), 0);
    CHECK_INT (jy_db_copy_in (db, "COPY log_copy FROM STDIN", "not a number\n", 13), -1);
    CHECK_STR (jy_db_sqlstate (db), "22P02");
    CHECK_INT (jy_db_begin (db), 0);
    CHECK_INT (jy_db_exec (db, "SELECT 1 / 0", 0, NULL), -1);
    CHECK_INT (jy_db_commit (db), -1);

    fflush (stderr);
    jy_log_init ("test_db", level);
    dup2 (saved, 2);
    close (saved);
    char text[512] = "";
    rewind (log);
    size_t got = fread (text, 1, sizeof text - 1, log);
    text[got] = '\0';
    fclose (log);
    unlink (path);
    CHECK_STR (text, "");
    CHECK (jy_db_ok (db));
}

static void s_test_connect_retry (void)
{
    char url[256];
    snprintf (url, sizeof url, "host=/tmp/jy-dbtest-nosuch-%d dbname=nothing", (int) getpid ());
    jy_db_t *db = jy_db_new (url);
    CHECK_INT (jy_db_connect (db, 300), -1);
    CHECK (!jy_db_ok (db));
    CHECK (strstr (jy_db_error (db), "jy-dbtest-nosuch") != NULL);
    CHECK (strncmp (jy_db_error (db), "gave up after ", 14) == 0);
    CHECK_INT (jy_db_ensure (db), -1);
    CHECK (jy_db_query (db, "SELECT 1", 0, NULL) == NULL);
    jy_db_destroy (&db);
    CHECK (db == NULL);
}

//  The rights 001 grants, checked by acting as each role (the admin is a superuser here).
static void s_test_roles (jy_db_t *db)
{
    char buffer[64];
    CHECK_INT (s_count (db, "SELECT count(*) FROM pg_roles WHERE rolname IN ('journey_ingest',"
                            " 'journey_timeliness', 'journey_escalation', 'journey_reporting')"
                            " AND rolcanlogin AND NOT rolsuper AND NOT rolcreatedb"
                            " AND NOT rolcreaterole"),
               4);
    CHECK_INT (s_count (db, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'journey\\_%'"
                            " AND rolsuper"),
               0);
    CHECK_STR (s_value (db,
                        "SELECT 'default_transaction_read_only=on' = ANY (s.setconfig)"
                        " FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
                        " WHERE r.rolname = 'journey_reporting' AND s.setdatabase = 0",
                        buffer, sizeof buffer),
               "t");

    //  reportingd writes nothing, not even its own schema's tables.
    CHECK_INT (jy_db_exec (db, "SET ROLE journey_reporting", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "INSERT INTO ingest.feed_head (feed) VALUES ('x')", 0, NULL), -1);
    CHECK (strcmp (jy_db_sqlstate (db), "42501") == 0 ||
           strcmp (jy_db_sqlstate (db), "25006") == 0);
    //  It reads what the board pack needs of the other schemas (migration 009), and no more.
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.deadline") >= 0, 1);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.feed_head"), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (s_count (db, "SELECT count(*) FROM journey.schema_migration") > 0, 1);
    CHECK_INT (jy_db_exec (db, "RESET ROLE", 0, NULL), 0);

    //  timelinessd reads the ingest tables it derives from, writes only its own.
    CHECK_INT (jy_db_exec (db, "SET ROLE journey_timeliness", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "UPDATE ingest.feed_head SET head = head + 1", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (s_count (db, "SELECT count(*) FROM ingest.event") >= 0, 1);
    //  The projection through the contract's views only (migration 010), not the tables.
    CHECK_INT (s_count (db, "SELECT count(*) FROM projection.child") >= 0, 1);
    CHECK_INT (s_count (db, "SELECT count(*) FROM ingest.child"), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (s_count (db, "SELECT head FROM ingest.feed_head WHERE feed = 'events'"), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "UPDATE timeliness.feed_head SET head = head + 1", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db,
                           "INSERT INTO timeliness.feed_position (feed, position)"
                           " VALUES ('events', 7)",
                           0, NULL),
               0);
    CHECK_INT (jy_db_exec (db, "CREATE TABLE timeliness.mine (x int)", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "CREATE TABLE public.mine (x int)", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "INSERT INTO journey.calendar_day VALUES ('x', '2026-01-01', 'x')",
                           0, NULL),
               -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "RESET ROLE", 0, NULL), 0);
    CHECK_INT (s_count (db, "SELECT head FROM timeliness.feed_head WHERE feed = 'alerts'"), 1);

    //  A table a later migration creates (as the same admin role) gets the same rights: its
    //  service writes it, and no other service reads it unless a migration grants that (009).
    CHECK_INT (jy_db_exec (db, "CREATE TABLE escalation.later (id bigserial, x int)", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "SET ROLE journey_escalation", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "INSERT INTO escalation.later (x) VALUES (1)", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "DELETE FROM escalation.later", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "RESET ROLE", 0, NULL), 0);
    CHECK_INT (jy_db_exec (db, "SET ROLE journey_ingest", 0, NULL), 0);
    CHECK_INT (s_count (db, "SELECT count(*) FROM escalation.later"), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "INSERT INTO escalation.later (x) VALUES (1)", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "42501");
    CHECK_INT (jy_db_exec (db, "RESET ROLE", 0, NULL), 0);
}

int main (void)
{
    jy_log_init ("test_db", JY_LOG_ERROR);
    const char *url = jy_test_db_url ();
    const char *deploy = getenv ("JOURNEY_DEPLOY_DIR");
    if (!deploy || !*deploy) {
        fprintf (stderr, "JOURNEY_DEPLOY_DIR not set: run under ctest\n");
        return 77;
    }
    char dir[1024];
    snprintf (dir, sizeof dir, "%s/migrations", deploy);

    jy_db_t *admin = jy_db_new (url);
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    if (!jy_db_ok (admin)) {
        fprintf (stderr, "cannot reach the test database: %s\n", jy_db_error (admin));
        jy_db_destroy (&admin);
        return jy_test_summary ("test_db");
    }
    //  The pid makes the name unique and is a safe identifier.
    snprintf (s_dbname, sizeof s_dbname, "journey_dbtest_%d", (int) getpid ());
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", s_dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", s_dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);

    //  Later keywords win in a libpq conninfo string.
    char test_url[1024];
    snprintf (test_url, sizeof test_url, "%s dbname=%s", url, s_dbname);
    jy_db_t *db = jy_db_new (test_url);
    jy_db_set_application_name (db, "test_db");
    CHECK_INT (jy_db_connect (db, 5000), 0);
    char buffer[64];
    CHECK_STR (s_value (db, "SELECT current_database ()", buffer, sizeof buffer), s_dbname);

    s_test_migrations (db, dir);
    s_test_queries (db);
    s_test_lost_connection (admin, db);
    s_test_prepared (admin, db);
    s_test_no_logging (db);
    s_test_roles (db);
    s_test_connect_retry ();

    jy_db_destroy (&db);
    CHECK (db == NULL);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", s_dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
    return jy_test_summary ("test_db");
}
