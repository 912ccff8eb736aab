/*  The projection contract (deploy/migrations/010_projection_contract.sql), proved by its
    readers: every statement journey-timelinessd, journey-escalationd and journey-reportingd
    run on what another service writes is taken from the module that runs it, prepared while
    logged in as that reader's role on a fresh database with every migration applied, and run
    once with NULL parameters in a transaction that is rolled back (PostgreSQL checks table
    rights when a statement runs, not when it is prepared). A failure names the statement and
    gives PostgreSQL's message, so a change in ingest that breaks a reader fails here instead
    of silently changing a deadline or the board pack.

    Outside the feeds' catch-up, no reader's statement may name an ingest table: readers read
    the projection through its views only. The control at the end renames a column of a view
    and checks that the readers of that column fail, each named.

    About 1 s: a database created and migrated, some seventy statements prepared and run on
    empty tables.
*/
#include "journey/journey.h"
#include "jy_test.h"

#include "child_records.h"
#include "dispute_store.h"
#include "pack_sql.h"
#include "thresholds.h"

#define READER_COUNT   3
#define STATEMENTS_MAX 128
#define FAILURE_NAMES  2048

//  The readers, and the variable holding each one's URL (set by the ctest fixture).
static const struct {
    const char *role;
    const char *url_variable;
} s_readers[READER_COUNT] = {
    {"journey_timeliness", "JOURNEY_DATABASE_TIMELINESS_URL"},
    {"journey_escalation", "JOURNEY_DATABASE_ESCALATION_URL"},
    {"journey_reporting", "JOURNEY_DATABASE_REPORTING_URL"},
};

typedef struct {
    int reader; //  index in s_readers
    char name[128];
    const char *sql;
    bool feed; //  a feed's catch-up, which reads the writer's own feed table
} s_statement_t;

static s_statement_t s_statements[STATEMENTS_MAX];
static size_t s_count;

static void s_add (int reader, const char *kind, const char *name, const char *sql, bool feed)
{
    assert (s_count < STATEMENTS_MAX);
    s_statement_t *statement = &s_statements[s_count++];
    statement->reader = reader;
    snprintf (statement->name, sizeof statement->name, "%s: %s %s",
              s_readers[reader].role + strlen ("journey_"), kind, name);
    statement->sql = sql;
    statement->feed = feed;
}

//  Every reader's statements on another service's data, from the modules that run them.
static void s_collect (tl_child_records_t *child_records)
{
    enum { TIMELINESS, ESCALATION, REPORTING };
    size_t measures = 0, tables = 0;
    const jy_measure_t *measure = jy_measures_table (&measures);
    const rp_table_def_t *table = rp_pack_sql_tables (&tables);

    s_add (TIMELINESS, "feed", "events", jy_feed_lookup ("events")->catchup_sql, true);
    s_add (TIMELINESS, "derivation", "tl_child_records", tl_child_records_sql (child_records),
           false);
    s_add (TIMELINESS, "thresholds", "caseload", tl_thresholds_caseload_sql (), false);
    //  journey-timelinessd rates every measure (KPI alerts), and the board pack shows them.
    for (size_t m = 0; m < measures; m++) {
        s_add (TIMELINESS, "measure", measure[m].name, measure[m].sql, false);
        s_add (REPORTING, "measure", measure[m].name, measure[m].sql, false);
    }
    s_add (ESCALATION, "feed", "alerts", jy_feed_lookup ("alerts")->catchup_sql, true);
    s_add (ESCALATION, "dispute_store", "looked_after", dispute_store_looked_after_sql (), false);
    for (size_t t = 0; t < tables; t++)
        s_add (REPORTING, "pack table", table[t].id, table[t].sql, false);
}

//  Prepare and run one statement as its reader; NULL on success, else PostgreSQL's message in
//  error.
static const char *s_prove (PGconn *conn, const s_statement_t *statement, char *error,
                            size_t error_size)
{
    const char *failed = NULL;
    PGresult *result = PQexec (conn, "BEGIN");
    PQclear (result);
    result = PQprepare (conn, "contract", statement->sql, 0, NULL);
    if (PQresultStatus (result) != PGRES_COMMAND_OK)
        failed = "prepare";
    PQclear (result);
    if (!failed) {
        result = PQdescribePrepared (conn, "contract");
        int nparams = PQresultStatus (result) == PGRES_COMMAND_OK ? PQnparams (result) : -1;
        PQclear (result);
        const char *params[32] = {NULL};
        if (nparams < 0 || nparams > 32)
            failed = "describe";
        else {
            result = PQexecPrepared (conn, "contract", nparams, params, NULL, NULL, 0);
            ExecStatusType status = PQresultStatus (result);
            if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
                failed = "run";
            PQclear (result);
        }
    }
    if (failed)
        snprintf (error, error_size, "%s: %s", failed, PQerrorMessage (conn));
    //  A prepared statement belongs to the session, not to the transaction.
    result = PQexec (conn, "ROLLBACK");
    PQclear (result);
    result = PQexec (conn, "DEALLOCATE ALL");
    PQclear (result);
    return failed ? error : NULL;
}

//  Prove every statement; the names of those that fail, comma-separated, in failures. Prints
//  each failure when loud. Returns how many failed.
static int s_prove_all (PGconn *conns[READER_COUNT], bool loud, char *failures, size_t size)
{
    int failed = 0;
    failures[0] = '\0';
    for (size_t i = 0; i < s_count; i++) {
        char error[1024];
        const s_statement_t *statement = &s_statements[i];
        if (!s_prove (conns[statement->reader], statement, error, sizeof error))
            continue;
        failed++;
        size_t used = strlen (failures);
        snprintf (failures + used, size - used, "%s%s", used ? ", " : "", statement->name);
        if (loud)
            fprintf (stderr, "  %s (as %s): %s", statement->name, s_readers[statement->reader].role,
                     error);
    }
    return failed;
}

//  Readers name no ingest table but through a feed's catch-up.
static void s_test_only_projection (void)
{
    for (size_t i = 0; i < s_count; i++) {
        const s_statement_t *statement = &s_statements[i];
        bool names_ingest = strstr (statement->sql, "ingest.") != NULL;
        CHECK (statement->feed || !names_ingest);
        if (!statement->feed && names_ingest)
            fprintf (stderr, "  %s reads ingest's tables directly: read projection.* instead\n",
                     statement->name);
    }
}

int main (void)
{
    jy_log_init ("test_contract", JY_LOG_ERROR);
    const char *deploy = getenv ("JOURNEY_DEPLOY_DIR");
    if (!deploy)
        return 77;
    for (int r = 0; r < READER_COUNT; r++)
        if (!getenv (s_readers[r].url_variable))
            return 77;
    //  A fresh database of its own, with every migration applied.
    char dbname[64], admin_url[1024], migrations[1024];
    snprintf (dbname, sizeof dbname, "journey_contracttest_%d", (int) getpid ());
    snprintf (migrations, sizeof migrations, "%s/migrations", deploy);
    int applied = 0;
    jy_db_t *admin =
        jy_test_database_new (dbname, migrations, &applied, admin_url, sizeof admin_url);
    if (!admin)
        return 1;
    CHECK (applied >= 10);

    //  Logged in as each reader (not SET ROLE, so that role settings such as reporting's
    //  read-only sessions apply).
    PGconn *conns[READER_COUNT];
    for (int r = 0; r < READER_COUNT; r++) {
        char role_url[1200];
        snprintf (role_url, sizeof role_url, "%s dbname=%s", getenv (s_readers[r].url_variable),
                  dbname);
        conns[r] = PQconnectdb (role_url);
        CHECK (PQstatus (conns[r]) == CONNECTION_OK);
        if (PQstatus (conns[r]) != CONNECTION_OK)
            fprintf (stderr, "  cannot connect as %s: %s", s_readers[r].role,
                     PQerrorMessage (conns[r]));
    }

    tl_child_records_t *child_records = tl_child_records_new ();
    s_collect (child_records);
    char failures[FAILURE_NAMES];
    if (jy_test_failures == 0) {
        s_test_only_projection ();
        //  Every statement, as its reader.
        CHECK_INT (s_prove_all (conns, true, failures, sizeof failures), 0);
        printf ("statements proved: %zu\n", s_count);

        //  The control: a view's column renamed, as a careless change in ingest might. Its
        //  readers fail, each named; a reader that does not read it still passes.
        CHECK_INT (jy_db_exec (admin,
                               "ALTER VIEW projection.care_period"
                               " RENAME COLUMN ended_on TO finished_on",
                               0, NULL),
                   0);
        int failed = s_prove_all (conns, false, failures, sizeof failures);
        printf ("with projection.care_period.ended_on renamed: %d failed: %s\n", failed, failures);
        CHECK (failed > 0);
        CHECK (strstr (failures, "escalation: dispute_store looked_after") != NULL);
        CHECK (strstr (failures, "timeliness: derivation tl_child_records") != NULL);
        CHECK (strstr (failures, "reporting: measure placement_moves") != NULL);
        CHECK (strstr (failures, "reporting: pack table rejections_by_code") == NULL);
    }

    tl_child_records_destroy (&child_records);
    for (int r = 0; r < READER_COUNT; r++)
        PQfinish (conns[r]);
    jy_db_destroy (&admin);
    CHECK_INT (jy_test_database_drop (dbname), 0);
    return jy_test_summary ("test_contract");
}
