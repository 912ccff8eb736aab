/*  projection and projection_writer against the fixture database: the static table equals the
    migrated tables, projection_write puts exactly the store's rows in the database (after plain
    changes and after rebuilds), and awkward text round-trips through the array literals.
    Each run uses its own la_code, so parallel runs do not collide, and deletes its rows.
*/
#define _GNU_SOURCE
#include <sodium.h>
#include <unistd.h>

#include "jy_test.h"
#include "ingest_test.h"
#include "case_store.h"
#include "projection_writer.h"

static char g_la[16];

//  --- Helpers ----------------------------------------------------------------------------

//  Apply an event line built from id, child, date and the rest.
static void s_ev (case_store_t *store, const char *id, const char *child, const char *date,
                  const char *rest)
{
    char *line = NULL;
    if (asprintf (&line,
                  "{\"event_id\":\"%s\",\"la_code\":\"%s\",\"child_id\":\"%s\",\"occurred_on\":"
                  "\"%s\",\"recorded_at\":\"%sT12:00:00Z\",\"source\":\"lcs\",%s}",
                  id, g_la, child, date, date, rest) < 0)
        abort ();
    CHECK_INT (it_apply (store, line), 0);
    free (line);
}

static char *s_join_sorted (it_list_t *rows)
{
    it_list_sort (rows);
    size_t size = 0;
    char *text = NULL;
    FILE *out = open_memstream (&text, &size);
    for (size_t i = 0; i < rows->count; i++)
        fprintf (out, "%s\n", rows->lines[i]);
    fclose (out);
    return text;
}

//  One row as a line: "child|table|key|col=value|..." (NULL columns left out).
static char *s_row_line (const proj_table_def_t *def, const char *child_id, const char *key,
                         const char *const *values)
{
    size_t size = 0;
    char *line = NULL;
    FILE *out = open_memstream (&line, &size);
    fprintf (out, "%s|%s|%s", child_id, def->name, key);
    for (int i = 0; i < def->column_count; i++)
        if (values[i])
            fprintf (out, "|%s=%s", def->columns[i].name, values[i]);
    fclose (out);
    return line;
}

static char *s_store_rows (case_store_t *store, const char *const *children, size_t count)
{
    it_list_t rows = {0};
    for (size_t c = 0; c < count; c++) {
        case_child_t *child = case_store_child (store, g_la, children[c]);
        for (int t = 0; t < PROJ__COUNT; t++) {
            const proj_table_def_t *def = projection_table ((proj_table_t) t);
            for (case_row_t *row = case_child_first (child, (proj_table_t) t); row;
                 row = case_row_next (row)) {
                const char *values[PROJ_MAX_COLUMNS];
                for (int i = 0; i < def->column_count; i++)
                    values[i] = case_row_value (row, i);
                it_list_add (&rows, s_row_line (def, children[c], case_row_key (row), values));
            }
        }
    }
    char *text = s_join_sorted (&rows);
    it_list_free (&rows);
    return text;
}

static char *s_database_rows (jy_db_t *db)
{
    it_list_t rows = {0};
    for (int t = 0; t < PROJ__COUNT; t++) {
        const proj_table_def_t *def = projection_table ((proj_table_t) t);
        bool keyed = strcmp (def->key, "child_id") != 0;
        char sql[2048];
        int used = snprintf (sql, sizeof sql, "SELECT child_id, %s", keyed ? def->key : "child_id");
        for (int i = 0; i < def->column_count; i++)
            used += snprintf (sql + used, sizeof sql - (size_t) used, ", %s::text",
                              def->columns[i].name);
        snprintf (sql + used, sizeof sql - (size_t) used, " FROM ingest.%s WHERE la_code = $1",
                  def->name);
        const char *params[1] = {g_la};
        PGresult *result = jy_db_query (db, sql, 1, params);
        CHECK (result != NULL);
        if (!result)
            continue;
        for (int r = 0; r < PQntuples (result); r++) {
            const char *values[PROJ_MAX_COLUMNS];
            for (int i = 0; i < def->column_count; i++)
                values[i] = PQgetisnull (result, r, 2 + i) ? NULL : PQgetvalue (result, r, 2 + i);
            it_list_add (&rows, s_row_line (def, PQgetvalue (result, r, 0),
                                            PQgetvalue (result, r, 1), values));
        }
        PQclear (result);
    }
    char *text = s_join_sorted (&rows);
    it_list_free (&rows);
    return text;
}

static void s_write (jy_db_t *db, case_store_t *store)
{
    CHECK_INT (jy_db_begin (db), 0);
    //  As the service's own role: the migration's default privileges must let it write.
    CHECK_INT (jy_db_exec (db, "SET LOCAL ROLE journey_ingest", 0, NULL), 0);
    int rc = projection_write (db, store);
    CHECK_INT (rc, 0);
    if (rc == 0) {
        CHECK_INT (jy_db_commit (db), 0);
        case_store_clear_dirty (store);
    } else
        jy_db_rollback (db);
}

static bool s_compare (jy_db_t *db, case_store_t *store, const char *const *children, size_t count,
                       const char *what)
{
    char *expected = s_store_rows (store, children, count);
    char *actual = s_database_rows (db);
    bool same = strcmp (expected, actual) == 0;
    if (!same)
        fprintf (stderr, "%s: database differs\n--- store\n%s--- database\n%s", what, expected,
                 actual);
    free (expected);
    free (actual);
    return same;
}

//  --- (a) The static table equals the migrated tables -------------------------------------

static void test_schema (jy_db_t *db)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        const proj_table_def_t *def = projection_table ((proj_table_t) t);
        CHECK_INT (def->id, t);
        CHECK (def->column_count > 0 && def->column_count <= PROJ_MAX_COLUMNS);
        bool keyed = strcmp (def->key, "child_id") != 0;
        //  Expected: la_code, child_id, the key, then the columns, in that order.
        it_list_t expected = {0}, actual = {0};
        char *line;
        it_list_add (&expected, strdup ("la_code text NO"));
        it_list_add (&expected, strdup ("child_id text NO"));
        if (keyed) {
            if (asprintf (&line, "%s text NO", def->key) < 0)
                abort ();
            it_list_add (&expected, line);
        }
        for (int i = 0; i < def->column_count; i++) {
            if (asprintf (&line, "%s %s YES", def->columns[i].name, def->columns[i].type) < 0)
                abort ();
            it_list_add (&expected, line);
            CHECK_INT (projection_column ((proj_table_t) t, def->columns[i].name), i);
        }
        CHECK_INT (projection_column ((proj_table_t) t, "no_such_column"), -1);
        const char *params[1] = {def->name};
        PGresult *result = jy_db_query (db,
                                        "SELECT column_name || ' ' || data_type || ' ' || "
                                        "is_nullable FROM information_schema.columns WHERE "
                                        "table_schema = 'ingest' AND table_name = $1 "
                                        "ORDER BY ordinal_position",
                                        1, params);
        CHECK (result != NULL);
        for (int r = 0; result && r < PQntuples (result); r++)
            it_list_add (&actual, strdup (PQgetvalue (result, r, 0)));
        PQclear (result);
        bool same = expected.count == actual.count;
        for (size_t i = 0; same && i < expected.count; i++)
            same = strcmp (expected.lines[i], actual.lines[i]) == 0;
        if (!same) {
            fprintf (stderr, "ingest.%s differs from projection.c:\n", def->name);
            for (size_t i = 0; i < expected.count || i < actual.count; i++)
                fprintf (stderr, "  %-40s %s\n", i < expected.count ? expected.lines[i] : "",
                         i < actual.count ? actual.lines[i] : "");
        }
        CHECK (same);

        //  The primary key: (la_code, child_id[, key]).
        result = jy_db_query (db,
                              "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i "
                              "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
                              "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
                              "k.attnum WHERE i.indisprimary AND i.indrelid = "
                              "('ingest.' || quote_ident($1))::regclass",
                              1, params);
        CHECK (result != NULL);
        char pk[128];
        snprintf (pk, sizeof pk, "la_code,child_id%s%s", keyed ? "," : "", keyed ? def->key : "");
        if (result && PQntuples (result) == 1)
            CHECK_STR (PQgetvalue (result, 0, 0), pk);
        PQclear (result);
        it_list_free (&expected);
        it_list_free (&actual);
    }
}

//  --- (b) Writing, then rebuilding ----------------------------------------------------------

static void s_every_table (case_store_t *store, const char *c)
{
    s_ev (store, "E1", c, "2024-01-03",
          "\"child_registered\":{\"date_of_birth\":\"2016-05-14\",\"sex\":\"F\",\"disability\":"
          "false,\"uasc\":true}");
    s_ev (store, "E2", c, "2024-01-04",
          "\"team_id\":\"T1\",\"worker_id\":\"W1\",\"contact_received\":{\"contact_id\":\"CT1\","
          "\"contact_source\":\"1B\"}");
    s_ev (store, "E3", c, "2024-01-05",
          "\"contact_decided\":{\"contact_id\":\"CT1\",\"outcome\":\"referral\"}");
    s_ev (store, "E4", c, "2024-01-05",
          "\"referral_received\":{\"referral_id\":\"R1\",\"contact_id\":\"CT1\"}");
    s_ev (store, "E5", c, "2024-01-08",
          "\"assessment_started\":{\"assessment_id\":\"A1\",\"referral_id\":\"R1\",\"legacy_"
          "initial\":false}");
    s_ev (store, "E6", c, "2024-02-20",
          "\"assessment_completed\":{\"assessment_id\":\"A1\",\"factors\":[\"2A\",\"3B\"]}");
    s_ev (store, "E7", c, "2024-01-09",
          "\"strategy_discussion\":{\"strategy_id\":\"SD1\",\"referral_id\":\"R1\",\"s47_started\":"
          "true,\"s47_id\":\"S1\"}");
    s_ev (store, "E8", c, "2024-01-16",
          "\"s47_completed\":{\"s47_id\":\"S1\",\"icpc_required\":true}");
    s_ev (store, "E9", c, "2024-01-17",
          "\"conference_scheduled\":{\"conference_id\":\"K1\",\"kind\":\"icpc\",\"planned_on\":"
          "\"2024-02-01\"}");
    s_ev (store, "E10", c, "2024-02-01",
          "\"icpc_held\":{\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":true,"
          "\"category\":\"NEG\"}");
    s_ev (store, "E11", c, "2024-02-01",
          "\"cp_plan_started\":{\"plan_id\":\"P1\",\"conference_id\":\"K1\"}");
    s_ev (store, "E12", c, "2024-02-12", "\"core_group_held\":{\"plan_id\":\"P1\"}");
    s_ev (store, "E13", c, "2024-02-22", "\"cin_plan_started\":{\"plan_id\":\"P2\"}");
    s_ev (store, "E14", c, "2024-02-08",
          "\"worker_id\":\"W7\",\"child_visited\":{\"seen\":true,\"seen_alone\":false,\"context\":"
          "\"cp\"}");
    s_ev (store, "E15", c, "2024-03-01",
          "\"period_of_care_started\":{\"period_id\":\"PC1\",\"legal_status\":\"V2\",\"category_of_"
          "need\":\"N1\"}");
    s_ev (store, "E16", c, "2024-03-01",
          "\"placement_started\":{\"placement_id\":\"PL1\",\"period_id\":\"PC1\",\"in_area\":false,"
          "\"distance_miles\":23.5,\"long_term\":true}");
    s_ev (store, "E17", c, "2024-04-02",
          "\"legal_status_changed\":{\"period_id\":\"PC1\",\"legal_status\":\"C2\"}");
    s_ev (store, "E18", c, "2024-03-25", "\"health_assessment\":{\"kind\":\"initial\"}");
    s_ev (store, "E19", c, "2024-03-28", "\"pep_completed\":{}");
    s_ev (store, "E20", c, "2024-04-12",
          "\"missing_started\":{\"episode_id\":\"M1\",\"away_from_placement\":false}");
    s_ev (store, "E21", c, "2024-04-13",
          "\"missing_ended\":{\"episode_id\":\"M1\",\"hours_missing\":16.25}");
    s_ev (store, "E22", c, "2024-05-02", "\"adm_decision\":{}");
    s_ev (store, "E23", c, "2024-06-03",
          "\"care_leaver_contact\":{\"in_touch\":true,\"activity\":\"F1\"}");
    s_ev (store, "E24", c, "2024-01-05",
          "\"worker_allocated\":{\"allocated_worker_id\":\"W7\",\"allocated_team_id\":\"T1\"}");
    s_ev (store, "E25", c, "2024-03-15",
          "\"case_audit_completed\":{\"grade\":\"good\",\"auditor_id\":\"W2\"}");
    //  Closed, then reopened by a contact: the child row's closure cleared, case_closure's kept.
    s_ev (store, "E26", c, "2024-06-10", "\"case_closed\":{\"reason\":\"RC1\"}");
    s_ev (store, "E27", c, "2024-06-20", "\"contact_received\":{\"contact_id\":\"CT9\"}");
}

static void test_write (jy_db_t *db)
{
    case_store_t *store = case_store_new ();
    s_every_table (store, "C1");
    s_ev (store, "F1", "C2", "2024-05-05", "\"referral_received\":{\"referral_id\":\"R1\"}");
    const char *children[] = {"C1", "C2"};
    //  Every table has a row.
    case_child_t *c1 = case_store_child (store, g_la, "C1");
    for (int t = 0; t < PROJ__COUNT; t++)
        CHECK (case_child_first (c1, (proj_table_t) t) != NULL);
    case_row_t *closure = case_child_find (c1, PROJ_CASE_CLOSURE, "E26");
    CHECK (case_row_get (case_child_first (c1, PROJ_CHILD), "closed_on") == NULL);
    CHECK_STR (closure ? case_row_get (closure, "closed_on") : NULL, "2024-06-10");
    CHECK_STR (closure ? case_row_get (closure, "close_reason") : NULL, "RC1");
    s_write (db, store);
    CHECK (s_compare (db, store, children, 2, "first write"));

    //  Plain changes: upserts only.
    s_ev (store, "E30", "C1", "2024-11-20",
          "\"cp_plan_ended\":{\"plan_id\":\"P1\",\"reason\":\"RC7\"}");
    s_ev (store, "E31", "C1", "2024-09-30", "\"period_of_care_ended\":{\"period_id\":\"PC1\"}");
    s_ev (store, "E32", "C1", "2024-12-02", "\"case_closed\":{\"reason\":\"RC1\"}");
    s_write (db, store);
    CHECK (s_compare (db, store, children, 2, "changes"));

    //  Rebuilds: a retraction (rows disappear), a correction of a key (the old row goes), and
    //  the other child untouched.
    s_ev (store, "E33", "C1", "2024-12-03", "\"retraction\":{\"retracts\":\"E14\"}");
    s_ev (store, "E34", "C1", "2024-01-08",
          "\"supersedes\":\"E5\",\"assessment_started\":{\"assessment_id\":\"A9\",\"referral_id\":"
          "\"R1\"}");
    s_ev (store, "E35", "C1", "2024-12-04", "\"retraction\":{\"retracts\":\"E32\"}");
    CHECK (case_row_get (case_child_find (c1, PROJ_CHILD, "C1"), "closed_on") == NULL);
    s_write (db, store);
    CHECK (s_compare (db, store, children, 2, "rebuild"));
    const char *params[1] = {g_la};
    PGresult *result =
        jy_db_query (db, "SELECT count(*) FROM ingest.visit WHERE la_code = $1", 1, params);
    if (result) {
        CHECK_STR (PQgetvalue (result, 0, 0), "0");
        PQclear (result);
    }

    //  Every row of a rebuilt child gone (all its events retracted).
    s_ev (store, "F2", "C2", "2024-12-05", "\"retraction\":{\"retracts\":\"F1\"}");
    s_write (db, store);
    CHECK (s_compare (db, store, children, 2, "child emptied"));
    result = jy_db_query (
        db, "SELECT count(*) FROM ingest.child WHERE la_code = $1 AND child_id = 'C2'", 1, params);
    if (result) {
        CHECK_STR (PQgetvalue (result, 0, 0), "0");
        PQclear (result);
    }

    //  Nothing dirty: nothing to do.
    s_write (db, store);
    CHECK (s_compare (db, store, children, 2, "idle"));
    case_store_destroy (&store);
}

//  --- (c) Escaping --------------------------------------------------------------------------

static void test_escaping (jy_db_t *db)
{
    case_store_t *store = case_store_new ();
    static const char *awkward[] = {
        "quote\\\"inside",   //  JSON for: quote"inside
        "back\\\\slash\\\\", //  back\slash\ (trailing backslash)
        "comma,and{braces}",
        "NULL", //  the word, not SQL NULL
        "",     //  empty string
        "  spaced  ",
        "unicode \\u00e9\\u65e5\\u672c \\ud83d\\ude00",
        "\\\"{\\\\\\\"},NULL\\\"", //  "{\"},NULL"
        "tab\\tnew\\nline",
    };
    const char *children[] = {"odd \\\"child\\\", {1}", "C3"};
    const char *children_raw[] = {"odd \"child\", {1}", "C3"};
    for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
        char id[16], rest[512];
        snprintf (id, sizeof id, "Q%zu", i);
        snprintf (rest, sizeof rest,
                  "\"team_id\":\"%s\",\"contact_received\":{\"contact_id\":\"%s\","
                  "\"contact_source\":\"%s\"}",
                  awkward[i], awkward[i], awkward[(i + 1) % 9]);
        s_ev (store, id, children[i % 2], "2024-02-02", rest);
    }
    //  NULLs among values: no worker_id, no outcome.
    s_ev (store, "Q20", children[0], "2024-02-03", "\"contact_decided\":{\"contact_id\":\"NULL\"}");
    s_write (db, store);
    CHECK (s_compare (db, store, children_raw, 2, "escaping"));
    const char *params[2] = {g_la, "NULL"};
    PGresult *result = jy_db_query (db,
                                    "SELECT count(*) FROM ingest.contact WHERE la_code = $1 AND "
                                    "contact_id = $2 AND outcome IS NULL AND worker_id IS NULL "
                                    "AND decided_on = '2024-02-03'",
                                    2, params);
    if (result) {
        CHECK_STR (PQgetvalue (result, 0, 0), "1");
        PQclear (result);
    }
    //  The same awkward values again, now as changes to rows the database already has (the
    //  upsert path rather than COPY): the team of every contact and a decision's outcome.
    for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
        char id[16], rest[512];
        snprintf (id, sizeof id, "QD%zu", i);
        snprintf (rest, sizeof rest,
                  "\"team_id\":\"%s\",\"contact_decided\":{\"contact_id\":\"%s\","
                  "\"outcome\":\"%s\"}",
                  awkward[(i + 3) % 9], awkward[i], awkward[(i + 5) % 9]);
        s_ev (store, id, children[i % 2], "2024-02-05", rest);
    }
    s_write (db, store);
    CHECK (s_compare (db, store, children_raw, 2, "escaping, updated rows"));
    case_store_destroy (&store);
}

static void s_cleanup (jy_db_t *db)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        char sql[256];
        snprintf (sql, sizeof sql, "DELETE FROM ingest.%s WHERE la_code = $1",
                  projection_table ((proj_table_t) t)->name);
        const char *params[1] = {g_la};
        CHECK_INT (jy_db_exec (db, sql, 1, params), 0);
    }
}

int main (void)
{
    const char *url = jy_test_db_url ();
    if (sodium_init () < 0)
        return 1;
    snprintf (g_la, sizeof g_la, "t%d", (int) getpid ());
    jy_db_t *db = jy_db_new (url);
    if (jy_db_connect (db, 10000) != 0) {
        fprintf (stderr, "cannot connect: %s\n", jy_db_error (db));
        jy_db_destroy (&db);
        return 1;
    }
    s_cleanup (db);
    test_schema (db);
    test_write (db);
    s_cleanup (db);
    test_escaping (db);
    s_cleanup (db);
    jy_db_destroy (&db);
    return jy_test_summary ("test_projection");
}
