/*  Least privilege, proved by acting as each service's role (logging in as it, not SET ROLE) on
    a fresh database with every migration applied. DESIGN.md: each daemon writes only its own
    schema, reportingd is read-only, no daemon connects as a superuser; docs/database.md, "Roles
    and privileges", is the rule written down.

    Every table, view and sequence in every schema is found from the catalogue and tried, each
    write in a transaction that is rolled back, so a table a later migration adds is covered
    without editing this test. A refused write must fail with SQLSTATE 42501
   (insufficient_privilege), not merely fail; an allowed one must succeed.
*/
#include "journey/journey.h"
#include "jy_test.h"
#include "jy_test_daemon.h"
#include <ctype.h>
#include <signal.h>

#define ROLE_COUNT 4

//  The service roles, and the variable holding each one's URL (set by the ctest fixture).
static const struct {
    const char *role;
    const char *url_variable;
} s_roles[ROLE_COUNT] = {
    {"journey_ingest", "JOURNEY_DATABASE_INGEST_URL"},
    {"journey_timeliness", "JOURNEY_DATABASE_TIMELINESS_URL"},
    {"journey_escalation", "JOURNEY_DATABASE_ESCALATION_URL"},
    {"journey_reporting", "JOURNEY_DATABASE_REPORTING_URL"},
};

//  The rule: the one role that writes each schema. Every other schema (reporting, journey,
//  public, and any a later migration adds) is written by the admin role alone.
static const struct {
    const char *schema;
    const char *writer;
} s_writers[] = {
    {"ingest", "journey_ingest"},
    {"timeliness", "journey_timeliness"},
    {"escalation", "journey_escalation"},
};

//  Where even the writer may not: the dispute record (005_escalation.sql) and the events
//  (009_ingest_hardening.sql) are append-only.
static const struct {
    const char *table;
    const char *write;
} s_append_only[] = {
    {"escalation.dispute_step", "UPDATE"},
    {"escalation.dispute_step", "DELETE"},
    {"escalation.dispute_feed", "UPDATE"},
    {"escalation.dispute_feed", "DELETE"},
    {"escalation.dispute", "DELETE"},
    {"ingest.event", "UPDATE"},
    {"ingest.event", "DELETE"},
};

//  The rule for reading: each role reads its own schema (journey_reporting: reporting) and
//  journey's, and of the other services' schemas and of the projection contract's views only
//  these, the ones its queries read (009_ingest_hardening.sql and 010_projection_contract.sql
//  name the queries; tests/integration/test_contract.c runs them). Everything else is refused,
//  so that a role cannot read what it has no need of: since 010, the projection's tables are
//  read through the views only.
static const struct {
    const char *role;
    const char *table;
} s_reads[] = {
    //  journey-timelinessd: the event feed's catch-up, the projection's views its derivation and
    //  caseloads and the measures read.
    {"journey_timeliness", "ingest.event"},
    {"journey_timeliness", "projection.child"},
    {"journey_timeliness", "projection.contact"},
    {"journey_timeliness", "projection.referral"},
    {"journey_timeliness", "projection.assessment"},
    {"journey_timeliness", "projection.strategy"},
    {"journey_timeliness", "projection.s47"},
    {"journey_timeliness", "projection.booking"},
    {"journey_timeliness", "projection.meeting"},
    {"journey_timeliness", "projection.cp_plan"},
    {"journey_timeliness", "projection.cin_plan"},
    {"journey_timeliness", "projection.visit"},
    {"journey_timeliness", "projection.care_period"},
    {"journey_timeliness", "projection.placement"},
    {"journey_timeliness", "projection.health"},
    {"journey_timeliness", "projection.pep"},
    {"journey_timeliness", "projection.missing"},
    {"journey_timeliness", "projection.allocation"},
    {"journey_timeliness", "projection.case_closure"},
    {"journey_timeliness", "projection.adoption"},
    {"journey_timeliness", "projection.care_leaver"},
    {"journey_timeliness", "projection.audit"},
    //  journey-escalationd: the alert feed's catch-up, periods of care.
    {"journey_escalation", "timeliness.alert_feed"},
    {"journey_escalation", "timeliness.feed_head"}, //  Status: the alert feed's lag
    {"journey_escalation", "projection.care_period"},
    //  journey-reportingd: what the board pack reads.
    {"journey_reporting", "projection.child"},
    {"journey_reporting", "projection.referral"},
    {"journey_reporting", "projection.s47"},
    {"journey_reporting", "projection.meeting"},
    {"journey_reporting", "projection.cp_plan"},
    {"journey_reporting", "projection.care_period"},
    {"journey_reporting", "projection.placement"},
    {"journey_reporting", "projection.adoption"},
    {"journey_reporting", "projection.care_leaver"},
    {"journey_reporting", "projection.missing"},
    {"journey_reporting", "projection.allocation"},
    {"journey_reporting", "projection.audit"},
    {"journey_reporting", "projection.dead_letter"},
    {"journey_reporting", "timeliness.deadline"},
    {"journey_reporting", "timeliness.alert_feed"},
    {"journey_reporting", "escalation.dispute"},
    {"journey_reporting", "escalation.dispute_step"},
};

//  Reads that must be refused, so that the rule cannot pass by allowing everything.
static const struct {
    const char *role;
    const char *table;
} s_refused_reads[] = {
    {"journey_escalation", "ingest.event"},       {"journey_reporting", "ingest.event"},
    {"journey_timeliness", "ingest.dead_letter"}, {"journey_ingest", "timeliness.deadline"},
    {"journey_timeliness", "escalation.dispute"}, {"journey_escalation", "timeliness.deadline"},
    {"journey_timeliness", "ingest.child"},       {"journey_escalation", "ingest.care_period"},
    {"journey_reporting", "ingest.dead_letter"},  {"journey_escalation", "projection.child"},
    {"journey_ingest", "projection.child"},       {"journey_timeliness", "projection.dead_letter"},
};

//  Tables that must be among those found, so that the loop cannot pass by finding nothing.
static const char *const s_known_tables[] = {
    "ingest.event",         "ingest.child",           "ingest.dead_letter",
    "ingest.feed_head",     "timeliness.deadline",    "timeliness.alert_feed",
    "timeliness.feed_head", "escalation.dispute",     "escalation.dispute_feed",
    "escalation.feed_head", "journey.calendar_day",   "journey.schema_migration",
    "projection.child",     "projection.dead_letter",
};

static char s_dbname[64];
static char s_dir[256];
static jy_db_t *s_admin; //  the admin role, in the test database
static jy_db_t *s_role_db[ROLE_COUNT];
static char s_role_url[ROLE_COUNT][1024];
static char s_admin_url[1024];
static int s_tries; //  statements tried as the service roles, for the summary

static const char *s_writer_of (const char *schema)
{
    for (size_t i = 0; i < sizeof s_writers / sizeof s_writers[0]; i++)
        if (streq (s_writers[i].schema, schema))
            return s_writers[i].writer;
    return NULL;
}

//  Whether role may read table (schema.name), by the rule above.
static bool s_may_read (const char *role, const char *schema, const char *table)
{
    const char *writer = s_writer_of (schema);
    if (writer ? streq (writer, role)
               : streq (schema, "journey") || streq (schema, "public") ||
                     (streq (schema, "reporting") && streq (role, "journey_reporting")))
        return true;
    for (size_t i = 0; i < sizeof s_reads / sizeof s_reads[0]; i++)
        if (streq (s_reads[i].role, role) && streq (s_reads[i].table, table))
            return true;
    return false;
}

static bool s_is_append_only (const char *table, const char *write)
{
    for (size_t i = 0; i < sizeof s_append_only / sizeof s_append_only[0]; i++)
        if (streq (s_append_only[i].table, table) && streq (s_append_only[i].write, write))
            return true;
    return false;
}

//  The first value of a one-row result as text ("" on failure or NULL).
static const char *s_value (jy_db_t *db, const char *sql, const char *param, char *buffer,
                            size_t size)
{
    buffer[0] = '\0';
    const char *params[1] = {param};
    PGresult *result = jy_db_query (db, sql, param ? 1 : 0, param ? params : NULL);
    if (result && PQntuples (result) == 1 && !PQgetisnull (result, 0, 0))
        snprintf (buffer, size, "%s", PQgetvalue (result, 0, 0));
    PQclear (result);
    return buffer;
}

//  Run sql as role i in a read-write transaction that is rolled back, and check the outcome:
//  success when allowed, else SQLSTATE 42501. what describes the attempt for a failure.
static void s_try (int i, const char *sql, bool allowed, const char *what)
{
    jy_db_t *db = s_role_db[i];
    s_tries++;
    //  READ WRITE: journey_reporting's sessions default to read-only, which would refuse the
    //  write first (25006); here the grants alone must refuse it.
    CHECK_INT (jy_db_exec (db, "BEGIN READ WRITE", 0, NULL), 0);
    int rc = jy_db_exec (db, sql, 0, NULL);
    char sqlstate[6];
    snprintf (sqlstate, sizeof sqlstate, "%s", jy_db_sqlstate (db));
    jy_db_rollback (db);
    bool as_expected = allowed ? rc == 0 : rc == -1 && streq (sqlstate, "42501");
    CHECK (as_expected);
    if (!as_expected)
        fprintf (stderr, "  %s as %s: expected %s, got %s (%s)\n", what, s_roles[i].role,
                 allowed ? "success" : "SQLSTATE 42501", rc == 0 ? "success" : sqlstate,
                 rc == 0 ? sql : jy_db_error (db));
}

//  --- Role attributes and ownership ---------------------------------------------------------

static void s_test_attributes (void)
{
    char buffer[256];
    for (int i = 0; i < ROLE_COUNT; i++) {
        const char *role = s_roles[i].role;
        //  Can log in, and nothing else beyond its grants.
        CHECK_STR (s_value (s_admin,
                            "SELECT concat_ws (',', rolcanlogin, rolsuper, rolcreaterole,"
                            " rolcreatedb, rolreplication, rolbypassrls)"
                            " FROM pg_roles WHERE rolname = $1",
                            role, buffer, sizeof buffer),
                   "t,f,f,f,f,f");
        //  Member of no role at all (so it cannot SET ROLE to a stronger one, nor inherit
        //  pg_write_all_data and the like).
        CHECK_STR (s_value (s_admin,
                            "SELECT count(*) FROM pg_auth_members m"
                            " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1",
                            role, buffer, sizeof buffer),
                   "0");
        //  Owns nothing here: an owner may alter, drop and grant whatever it owns.
        CHECK_STR (s_value (s_admin,
                            "SELECT (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)"
                            "     + (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
                            "     + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)"
                            "     + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)"
                            " FROM pg_roles r WHERE r.rolname = $1",
                            role, buffer, sizeof buffer),
                   "0");
        CHECK_STR (s_value (s_admin,
                            "SELECT has_database_privilege ($1, current_database (), 'CREATE')",
                            role, buffer, sizeof buffer),
                   "f");
        //  Logged in as itself, it is what it says (no role setting switches it to another).
        char expected[128];
        snprintf (expected, sizeof expected, "%s,%s", role, role);
        CHECK_STR (s_value (s_role_db[i], "SELECT current_user || ',' || session_user", NULL,
                            buffer, sizeof buffer),
                   expected);
        CHECK_STR (s_value (s_role_db[i], "SELECT current_setting ('is_superuser')", NULL, buffer,
                            sizeof buffer),
                   "off");
    }
    //  No function that runs with its owner's rights, which would be a way round the grants.
    CHECK_STR (
        s_value (s_admin,
                 "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                 " WHERE p.prosecdef AND n.nspname NOT LIKE 'pg\\_%'"
                 " AND n.nspname <> 'information_schema'",
                 NULL, buffer, sizeof buffer),
        "0");
}

//  --- Every table, every write ---------------------------------------------------------------

static const char *const s_writes[] = {"INSERT", "UPDATE", "DELETE", "TRUNCATE"};

//  The harmless form of a write on table: zero rows, and the privilege is checked all the same.
//  column: one that can be written (neither generated nor GENERATED ALWAYS AS IDENTITY).
//  TRUNCATE is granted to nobody.
static void s_write_sql (const char *write, const char *table, const char *column, char *sql,
                         size_t size)
{
    if (streq (write, "INSERT"))
        snprintf (sql, size, "INSERT INTO %s (%s) SELECT %s FROM %s WHERE false", table, column,
                  column, table);
    else if (streq (write, "UPDATE"))
        snprintf (sql, size, "UPDATE %s SET %s = %s WHERE false", table, column, column);
    else if (streq (write, "DELETE"))
        snprintf (sql, size, "DELETE FROM %s WHERE false", table);
    else {
        assert (streq (write, "TRUNCATE"));
        snprintf (sql, size, "TRUNCATE %s", table);
    }
}

static void s_test_tables (void)
{
    //  As the admin role, which sees every table and view: schema, qualified name, the first
    //  column that may be given a value (each quoted by the server), and whether it is a view.
    PGresult *tables = jy_db_query (
        s_admin,
        "SELECT t.table_schema, format ('%I.%I', t.table_schema, t.table_name),"
        "       (SELECT quote_ident (c.column_name) FROM information_schema.columns c"
        "         WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name"
        "           AND c.is_generated = 'NEVER' AND c.identity_generation IS DISTINCT FROM"
        "               'ALWAYS' ORDER BY c.ordinal_position LIMIT 1),"
        "       t.table_type = 'VIEW'"
        "  FROM information_schema.tables t"
        " WHERE t.table_type IN ('BASE TABLE', 'VIEW')"
        "   AND t.table_schema NOT IN ('pg_catalog', 'information_schema')"
        "   AND t.table_schema NOT LIKE 'pg\\_%'"
        " ORDER BY 1, 2",
        0, NULL);
    CHECK (tables != NULL);
    if (!tables)
        return;
    int count = PQntuples (tables);
    for (size_t k = 0; k < sizeof s_known_tables / sizeof s_known_tables[0]; k++) {
        bool found = false;
        for (int row = 0; row < count && !found; row++)
            found = streq (PQgetvalue (tables, row, 1), s_known_tables[k]);
        CHECK (found);
        if (!found)
            fprintf (stderr, "  table %s not found\n", s_known_tables[k]);
    }

    for (size_t k = 0; k < sizeof s_refused_reads / sizeof s_refused_reads[0]; k++) {
        char schema[64];
        snprintf (schema, sizeof schema, "%.*s", (int) strcspn (s_refused_reads[k].table, "."),
                  s_refused_reads[k].table);
        CHECK (!s_may_read (s_refused_reads[k].role, schema, s_refused_reads[k].table));
    }
    int allowed_count = 0, tried = s_tries;
    for (int row = 0; row < count; row++) {
        const char *schema = PQgetvalue (tables, row, 0);
        const char *table = PQgetvalue (tables, row, 1);
        const char *column = PQgetvalue (tables, row, 2);
        bool view = streq (PQgetvalue (tables, row, 3), "t");
        CHECK (*column);
        const char *writer = s_writer_of (schema);
        for (int i = 0; i < ROLE_COUNT; i++) {
            char sql[1024], what[512];
            //  Its own schema, and of others only what it reads.
            snprintf (sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", table);
            snprintf (what, sizeof what, "SELECT on %s", table);
            s_try (i, sql, s_may_read (s_roles[i].role, schema, table), what);
            for (size_t w = 0; w < sizeof s_writes / sizeof s_writes[0]; w++) {
                if (view && streq (s_writes[w], "TRUNCATE"))
                    continue; //  not a table: refused for everyone with 42809, not by rights
                bool allowed = writer && streq (writer, s_roles[i].role) &&
                               !streq (s_writes[w], "TRUNCATE") &&
                               !s_is_append_only (table, s_writes[w]);
                allowed_count += allowed;
                s_write_sql (s_writes[w], table, column, sql, sizeof sql);
                snprintf (what, sizeof what, "%s on %s", s_writes[w], table);
                s_try (i, sql, allowed, what);
            }
        }
    }
    printf ("tables: %d; reads and writes tried: %d, writes that must succeed: %d\n", count,
            s_tries - tried, allowed_count);
    PQclear (tables);
}

//  Sequences: taking or setting a number is a write.
static void s_test_sequences (void)
{
    PGresult *sequences =
        jy_db_query (s_admin,
                     "SELECT schemaname,"
                     "       quote_literal (format ('%I.%I', schemaname, sequencename))"
                     "  FROM pg_sequences ORDER BY 1, 2",
                     0, NULL);
    CHECK (sequences != NULL);
    if (!sequences)
        return;
    //  ingest.dead_letter's bigserial and escalation.dispute's identity at least.
    CHECK (PQntuples (sequences) >= 2);
    for (int row = 0; row < PQntuples (sequences); row++) {
        const char *schema = PQgetvalue (sequences, row, 0);
        const char *sequence = PQgetvalue (sequences, row, 1);
        const char *writer = s_writer_of (schema);
        for (int i = 0; i < ROLE_COUNT; i++) {
            bool allowed = writer && streq (writer, s_roles[i].role);
            char sql[512], what[256];
            snprintf (sql, sizeof sql, "SELECT nextval (%s)", sequence);
            snprintf (what, sizeof what, "nextval on %s", sequence);
            s_try (i, sql, allowed, what);
            snprintf (sql, sizeof sql, "SELECT setval (%s, 1000)", sequence);
            snprintf (what, sizeof what, "setval on %s", sequence);
            s_try (i, sql, allowed, what);
        }
    }
    PQclear (sequences);
}

//  No service role creates anything: not in any schema, not a schema.
static void s_test_create (void)
{
    PGresult *schemas = jy_db_query (s_admin,
                                     "SELECT quote_ident (nspname) FROM pg_namespace"
                                     " WHERE nspname NOT LIKE 'pg\\_%'"
                                     "   AND nspname <> 'information_schema' ORDER BY 1",
                                     0, NULL);
    CHECK (schemas != NULL);
    if (!schemas)
        return;
    CHECK (PQntuples (schemas) >= 6); //  the five of 001, and public
    for (int i = 0; i < ROLE_COUNT; i++) {
        for (int row = 0; row < PQntuples (schemas); row++) {
            char sql[256], what[256];
            const char *schema = PQgetvalue (schemas, row, 0);
            snprintf (sql, sizeof sql, "CREATE TABLE %s.roles_probe (x int)", schema);
            snprintf (what, sizeof what, "CREATE TABLE in %s", schema);
            s_try (i, sql, false, what);
            snprintf (sql, sizeof sql,
                      "CREATE FUNCTION %s.roles_probe () RETURNS int"
                      " LANGUAGE sql AS 'SELECT 1'",
                      schema);
            snprintf (what, sizeof what, "CREATE FUNCTION in %s", schema);
            s_try (i, sql, false, what);
        }
        s_try (i, "CREATE SCHEMA roles_probe", false, "CREATE SCHEMA");
    }
    PQclear (schemas);
}

//  --- The feeds -----------------------------------------------------------------------------

//  Only a feed's writer can take its numbers (the code path jy_feed_reserve uses); its writer
//  and its followers can read it back (the catch-up query subscribers run), no one else.
static void s_test_feeds (void)
{
    static const char *const feeds[] = {"events", "alerts", "disputes"};
    static const char *const tables[] = {"ingest.event", "timeliness.alert_feed",
                                         "escalation.dispute_feed"};
    for (size_t f = 0; f < sizeof feeds / sizeof feeds[0]; f++) {
        const jy_feed_def_t *feed = jy_feed_lookup (feeds[f]);
        CHECK (feed != NULL);
        if (!feed)
            continue;
        const char *writer = s_writer_of (feed->schema);
        CHECK (writer != NULL);
        for (int i = 0; i < ROLE_COUNT; i++) {
            jy_db_t *db = s_role_db[i];
            bool allowed = writer && streq (writer, s_roles[i].role);
            uint64_t first = 0;
            s_tries++;
            CHECK_INT (jy_db_exec (db, "BEGIN READ WRITE", 0, NULL), 0);
            int rc = jy_feed_reserve (db, feed, 3, &first);
            char sqlstate[6];
            snprintf (sqlstate, sizeof sqlstate, "%s", jy_db_sqlstate (db));
            jy_db_rollback (db);
            if (allowed) {
                CHECK_INT (rc, 0);
                CHECK_INT (first, 1);
            } else {
                CHECK_INT (rc, -1);
                CHECK_STR (sqlstate, "42501");
            }
            if (allowed ? rc != 0 : rc != -1 || !streq (sqlstate, "42501"))
                fprintf (stderr, "  reserve on feed %s as %s\n", feeds[f], s_roles[i].role);

            const char *params[2] = {"0", "10"};
            bool reads = s_may_read (s_roles[i].role, feed->schema, tables[f]);
            PGresult *rows = jy_db_query (db, feed->catchup_sql, 2, params);
            CHECK (reads ? rows != NULL : rows == NULL);
            CHECK_INT (rows ? PQntuples (rows) : -1, reads ? 0 : -1);
            if (!reads)
                CHECK_STR (jy_db_sqlstate (db), "42501");
            PQclear (rows);
        }
    }
}

//  --- reportingd's sessions --------------------------------------------------------------------

static void s_test_reporting_read_only (void)
{
    char buffer[64];
    for (int i = 0; i < ROLE_COUNT; i++) {
        bool reporting = streq (s_roles[i].role, "journey_reporting");
        CHECK_STR (s_value (s_role_db[i], "SELECT current_setting ('transaction_read_only')", NULL,
                            buffer, sizeof buffer),
                   reporting ? "on" : "off");
    }
    //  Its sessions are read-only: unless it asks for READ WRITE, a write stops there (25006)
    //  before the grants are looked at. Reading works.
    jy_db_t *db = s_role_db[3];
    CHECK_STR (s_roles[3].role, "journey_reporting");
    CHECK_INT (jy_db_exec (db, "DELETE FROM ingest.event WHERE false", 0, NULL), -1);
    CHECK_STR (jy_db_sqlstate (db), "25006"); //  read_only_sql_transaction
    CHECK_STR (s_value (db, "SELECT count(*) FROM projection.child", NULL, buffer, sizeof buffer),
               "0");
}

//  --- Refusing a privileged login --------------------------------------------------------------

static void s_test_refuse_privileged (void)
{
    char buffer[256], expected[512];
    //  The admin role (a superuser in the test cluster): refused at once, not retried, with the
    //  role, what it may do and the key named.
    jy_db_t *db = jy_db_new (s_admin_url);
    jy_db_refuse_privileged (db, "database/ingest_url");
    int64_t started = zclock_mono ();
    CHECK_INT (jy_db_connect (db, 20000), -1);
    CHECK (zclock_mono () - started < 5000);
    CHECK (!jy_db_ok (db));
    CHECK_STR (jy_db_sqlstate (db), "28000");
    CHECK (jy_db_role_refused (db));
    s_value (s_admin, "SELECT session_user", NULL, buffer, sizeof buffer);
    snprintf (expected, sizeof expected, "role \"%s\" may act as SUPERUSER", buffer);
    CHECK (strstr (jy_db_error (db), expected) != NULL);
    CHECK (strstr (jy_db_error (db), "set database/ingest_url to it") != NULL);
    CHECK_INT (jy_db_ensure (db), -1);
    jy_db_destroy (&db);

    //  The service roles pass.
    for (int i = 0; i < ROLE_COUNT; i++) {
        char key[128];
        snprintf (key, sizeof key, "database/%s_url", s_roles[i].role + strlen ("journey_"));
        db = jy_db_new (s_role_url[i]);
        jy_db_refuse_privileged (db, key);
        CHECK_INT (jy_db_connect (db, 5000), 0);
        CHECK (!jy_db_role_refused (db));
        jy_db_destroy (&db);
    }

    //  A role with one dangerous attribute, and one that is a member of a superuser role (it
    //  could SET ROLE to it): each refused, naming what it may do. Roles are cluster-wide, so
    //  the names carry the pid.
    struct {
        const char *attribute; //  given to the role
        bool member_of_admin;  //  granted the admin role
        const char *names;
    } cases[] = {
        {"CREATEROLE", false, "may act as CREATEROLE;"},
        {"BYPASSRLS", false, "may act as BYPASSRLS;"},
        {"", true, "may act as SUPERUSER (through "},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char role[64], sql[512], url[1200];
        snprintf (role, sizeof role, "journey_rolestest_%d_%zu", (int) getpid (), c);
        snprintf (sql, sizeof sql, "CREATE ROLE %s LOGIN %s", role, cases[c].attribute);
        CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
        if (cases[c].member_of_admin) {
            s_value (s_admin, "SELECT quote_ident (session_user)", NULL, buffer, sizeof buffer);
            snprintf (sql, sizeof sql, "GRANT %s TO %s", buffer, role);
            CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
        }
        snprintf (url, sizeof url, "%s user=%s", s_admin_url, role);
        db = jy_db_new (url);
        jy_db_refuse_privileged (db, "database/escalation_url");
        CHECK_INT (jy_db_connect (db, 5000), -1);
        CHECK_STR (jy_db_sqlstate (db), "28000");
        CHECK (strstr (jy_db_error (db), cases[c].names) != NULL);
        if (!strstr (jy_db_error (db), cases[c].names))
            fprintf (stderr, "  %s: %s\n", role, jy_db_error (db));
        jy_db_destroy (&db);
        snprintf (sql, sizeof sql, "DROP ROLE %s", role);
        CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
    }
}

//  --- Daemons --------------------------------------------------------------------------------

static pid_t s_spawn (const char *program, const char *log_name)
{
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/%s", s_dir, log_name);
    return jy_test_daemon_start (program, log_path, NULL);
}

//  setenv JOURNEY_<SECTION>_<KEY> (the section in lower case, as in the configuration).
static void s_set_config_env (const char *section, const char *key, const char *value)
{
    char variable[300];
    snprintf (variable, sizeof variable, "JOURNEY_%s_%s", section, key);
    for (char *p = variable; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
    setenv (variable, value, 1);
}

static bool s_log_contains (const char *log_name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", s_dir, log_name);
    return jy_test_file_contains (path, text);
}

//  A daemon given the admin URL refuses to start: exit 1 at once (no 30 s of retries), naming
//  its key. Timelinessd and reportingd join this list when they connect to the database.
static void s_test_daemons_refuse_superuser (void)
{
    static const struct {
        const char *program; //  under JOURNEY_SERVICES_DIR
        const char *name;    //  its configuration section
    } daemons[] = {
        {"ingest/journey-ingestd", "ingest"},
        {"escalation/journey-escalationd", "escalation"},
    };
    setenv ("JOURNEY_LA_CODE", "872", 1);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "30000", 1);
    for (size_t d = 0; d < sizeof daemons / sizeof daemons[0]; d++) {
        const char *name = daemons[d].name;
        char value[512], log_name[128], key[128];
        snprintf (value, sizeof value, "ipc://%s/%s-request.ipc", s_dir, name);
        s_set_config_env (name, "request", value);
        snprintf (value, sizeof value, "ipc://%s/%s-feed.ipc", s_dir, name);
        s_set_config_env (name, "feed", value);
        snprintf (key, sizeof key, "%s_url", name);
        s_set_config_env ("database", key, s_admin_url);

        snprintf (log_name, sizeof log_name, "%s-admin.log", name);
        pid_t pid = s_spawn (daemons[d].program, log_name);
        CHECK_INT (jy_test_wait_exit (pid, 500), 1); //  10 s at most
        snprintf (key, sizeof key, "database/%s_url", name);
        CHECK (s_log_contains (log_name, key));
        CHECK (s_log_contains (log_name, "may act as SUPERUSER"));
        snprintf (value, sizeof value, "set %s to it", key);
        CHECK (s_log_contains (log_name, value));
        if (!s_log_contains (log_name, value)) {
            char path[512];
            snprintf (path, sizeof path, "%s/%s", s_dir, log_name);
            fprintf (stderr, "  %s did not refuse the admin role; its log: %s\n",
                     daemons[d].program, path);
        }
    }

    //  The control: journey-ingestd with its own role starts, and stops cleanly on SIGTERM.
    setenv ("JOURNEY_DATABASE_INGEST_URL", s_role_url[0], 1);
    pid_t pid = s_spawn ("ingest/journey-ingestd", "ingest-own.log");
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/ingest-own.log", s_dir);
    CHECK (jy_test_wait_for_log (pid, log_path, "accepting events", 10000));
    CHECK_INT (jy_test_daemon_stop (pid, 20000), 0);
}

int main (void)
{
    jy_log_init ("test_roles", JY_LOG_ERROR);
    const char *deploy = getenv ("JOURNEY_DEPLOY_DIR");
    if (!getenv ("JOURNEY_SERVICES_DIR") || !deploy)
        return 77;
    for (int i = 0; i < ROLE_COUNT; i++)
        if (!getenv (s_roles[i].url_variable))
            return 77;
    //  A fresh database of its own, with every migration applied.
    snprintf (s_dbname, sizeof s_dbname, "journey_rolestest_%d", (int) getpid ());
    char dir[1024];
    snprintf (dir, sizeof dir, "%s/migrations", deploy);
    int applied = 0;
    s_admin = jy_test_database_new (s_dbname, dir, &applied, s_admin_url, sizeof s_admin_url);
    if (!s_admin)
        return 1;
    CHECK (applied >= 6);
    for (int i = 0; i < ROLE_COUNT; i++) {
        snprintf (s_role_url[i], sizeof s_role_url[i], "%s dbname=%s",
                  getenv (s_roles[i].url_variable), s_dbname);
        s_role_db[i] = jy_db_new (s_role_url[i]);
        jy_db_set_application_name (s_role_db[i], "test_roles");
        CHECK_INT (jy_db_connect (s_role_db[i], 10000), 0);
    }
    snprintf (s_dir, sizeof s_dir, "/tmp/jy-roles-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);

    if (jy_test_failures == 0) {
        JY_TEST_SCENARIO (s_test_attributes);
        JY_TEST_SCENARIO (s_test_tables);
        JY_TEST_SCENARIO (s_test_sequences);
        JY_TEST_SCENARIO (s_test_create);
        JY_TEST_SCENARIO (s_test_feeds);
        JY_TEST_SCENARIO (s_test_reporting_read_only);
        JY_TEST_SCENARIO (s_test_refuse_privileged);
        JY_TEST_SCENARIO (s_test_daemons_refuse_superuser);
        printf ("statements tried as the service roles: %d\n", s_tries);
    }

    for (int i = 0; i < ROLE_COUNT; i++)
        jy_db_destroy (&s_role_db[i]);
    jy_db_destroy (&s_admin);
    CHECK_INT (jy_test_database_drop (s_dbname), 0);
    if (jy_test_failures == 0) { //  kept on failure: the daemons' logs are there
        zdir_t *dir_handle = zdir_new (s_dir, NULL);
        if (dir_handle)
            zdir_remove (dir_handle, true);
        zdir_destroy (&dir_handle);
    }
    return jy_test_summary ("test_roles");
}
