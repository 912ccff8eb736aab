/*  case_store and the event map: rows after every kind of event, idempotency answers,
    corrections in place, retractions, rebuild/dirty bookkeeping, allocation spells, reopening,
    and the invariant that matters most: incremental application, corrections included, gives
    exactly the rows of building the effective history from scratch.

    JOURNEY_CASE_STORE_BENCH=FILE.jsonl also measures applying FILE's events (e.g. 1,000,000
    from the generator) and prints events per second.
*/
#define _GNU_SOURCE
#include <sodium.h>
#include <stdarg.h>
#include <time.h>

#include "jy_test.h"
#include "ingest_test.h"
#include "case_store.h"

#define LA "872"

//  --- Helpers ----------------------------------------------------------------------------

static case_event_check_t s_check (case_store_t *store, const char *line)
{
    Journey__V1__Event *event = it_parse (line);
    size_t size = journey__v1__event__get_packed_size (event);
    uint8_t *packed = malloc (size + 1);
    journey__v1__event__pack (event, packed);
    uint8_t hash[CASE_HASH_SIZE];
    crypto_hash_sha256 (hash, packed, size);
    case_event_check_t check =
        case_store_check_event (store, event->la_code, event->event_id, hash);
    free (packed);
    journey__v1__event__free_unpacked (event, NULL);
    return check;
}

//  An event line: id, child, date and the rest (common fields and the payload).
static char *ev (const char *id, const char *child, const char *date, const char *rest)
{
    char *line = NULL;
    if (asprintf (&line,
                  "{\"event_id\":\"%s\",\"la_code\":\"" LA "\",\"child_id\":\"%s\","
                  "\"occurred_on\":\"%s\",\"recorded_at\":\"%sT12:00:00Z\",\"source\":\"lcs\",%s}",
                  id, child, date, date, rest) < 0)
        abort ();
    return line;
}

//  Every row of the given children, one sorted line each: "child|table|key|col=value|...".
static char *s_dump (case_store_t *store, const it_list_t *children)
{
    it_list_t rows = {0};
    for (size_t c = 0; c < children->count; c++) {
        case_child_t *child = case_store_child (store, LA, children->lines[c]);
        for (int t = 0; t < PROJ__COUNT; t++) {
            const proj_table_def_t *def = projection_table ((proj_table_t) t);
            for (case_row_t *row = case_child_first (child, (proj_table_t) t); row;
                 row = case_row_next (row)) {
                size_t size = 0;
                char *line = NULL;
                FILE *out = open_memstream (&line, &size);
                fprintf (out, "%s|%s|%s", children->lines[c], def->name, case_row_key (row));
                for (int i = 0; i < def->column_count; i++) {
                    const char *value = case_row_value (row, i);
                    if (value)
                        fprintf (out, "|%s=%s", def->columns[i].name, value);
                }
                fclose (out);
                it_list_add (&rows, line);
            }
        }
    }
    it_list_sort (&rows);
    size_t size = 0;
    char *text = NULL;
    FILE *out = open_memstream (&text, &size);
    for (size_t i = 0; i < rows.count; i++)
        fprintf (out, "%s\n", rows.lines[i]);
    fclose (out);
    it_list_free (&rows);
    return text;
}

static bool s_same (const char *a, const char *b, const char *what)
{
    if (strcmp (a, b) == 0)
        return true;
    fprintf (stderr, "%s: rows differ\n--- incremental\n%s--- from scratch\n%s", what, a, b);
    return false;
}

//  A fresh store from a list of lines.
static case_store_t *s_build (const it_list_t *history)
{
    case_store_t *store = case_store_new ();
    for (size_t i = 0; i < history->count; i++)
        if (it_apply (store, history->lines[i]) != 0)
            fprintf (stderr, "apply failed: %s\n", history->lines[i]);
    return store;
}

static case_store_t *g_store;

//  A column of child C's row, or NULL ("(no row)" when the row does not exist).
static const char *V (const char *child_id, proj_table_t table, const char *key, const char *col)
{
    case_child_t *child = case_store_child (g_store, LA, child_id);
    case_row_t *row = case_child_find (child, table, key);
    if (!row)
        return "(no row)";
    return case_row_get (row, col);
}
#define CHECK_V(table, key, col, expected) CHECK_STR (V ("C1", table, key, col), expected)
#define CHECK_NULL(table, key, col)        CHECK (V ("C1", table, key, col) == NULL)

static int s_count (const char *child_id, proj_table_t table)
{
    int count = 0;
    case_child_t *child = case_store_child (g_store, LA, child_id);
    for (case_row_t *row = case_child_first (child, table); row; row = case_row_next (row))
        count++;
    return count;
}

//  --- Every payload -----------------------------------------------------------------------

//  The history of C1 (and C9, never registered) that touches every payload; kept for later
//  tests.
static it_list_t g_history;

static void s_push (const char *id, const char *date, const char *rest)
{
    char *line = ev (id, "C1", date, rest);
    it_list_add (&g_history, line);
    CHECK_INT (it_apply (g_store, line), 0);
}

static void test_every_payload (void)
{
    g_store = case_store_new ();
    s_push ("E1", "2024-01-03",
            "\"child_registered\":{\"date_of_birth\":\"2016-05-14\",\"sex\":\"F\",\"ethnicity\":"
            "\"WBRI\",\"disability\":false,\"uasc\":true}");
    CHECK_V (PROJ_CHILD, "C1", "date_of_birth", "2016-05-14");
    CHECK_V (PROJ_CHILD, "C1", "sex", "F");
    CHECK_V (PROJ_CHILD, "C1", "ethnicity", "WBRI");
    CHECK_V (PROJ_CHILD, "C1", "disability", "false");
    CHECK_V (PROJ_CHILD, "C1", "uasc", "true");
    CHECK_V (PROJ_CHILD, "C1", "registered_on", "2024-01-03");
    CHECK_NULL (PROJ_CHILD, "C1", "unborn");
    CHECK_NULL (PROJ_CHILD, "C1", "expected_date_of_birth");
    CHECK_NULL (PROJ_CHILD, "C1", "closed_on");
    case_row_t *child_row =
        case_child_find (case_store_child (g_store, LA, "C1"), PROJ_CHILD, "C1");
    CHECK_DATE (case_row_date (child_row, "date_of_birth"), "2016-05-14");
    CHECK (case_row_date (child_row, "closed_on") == JY_DATE_INVALID);
    CHECK (case_row_bool (child_row, "uasc"));
    CHECK (!case_row_bool (child_row, "disability"));
    CHECK (!case_row_bool (child_row, "unborn"));

    s_push ("E2", "2024-01-04",
            "\"worker_id\":\"W1\",\"team_id\":\"T1\",\"contact_received\":{\"contact_id\":\"CT1\","
            "\"contact_source\":\"1B\"}");
    CHECK_V (PROJ_CONTACT, "CT1", "received_on", "2024-01-04");
    CHECK_V (PROJ_CONTACT, "CT1", "contact_source", "1B");
    CHECK_V (PROJ_CONTACT, "CT1", "team_id", "T1");
    CHECK_V (PROJ_CONTACT, "CT1", "worker_id", "W1");
    CHECK_NULL (PROJ_CONTACT, "CT1", "decided_on");
    s_push ("E3", "2024-01-05",
            "\"contact_decided\":{\"contact_id\":\"CT1\",\"outcome\":\"referral\"}");
    CHECK_V (PROJ_CONTACT, "CT1", "decided_on", "2024-01-05");
    CHECK_V (PROJ_CONTACT, "CT1", "outcome", "referral");
    CHECK_V (PROJ_CONTACT, "CT1", "received_on", "2024-01-04");

    s_push ("E4", "2024-01-05",
            "\"team_id\":\"T1\",\"referral_received\":{\"referral_id\":\"R1\",\"contact_id\":"
            "\"CT1\",\"referral_source\":\"1B\"}");
    CHECK_V (PROJ_REFERRAL, "R1", "received_on", "2024-01-05");
    CHECK_V (PROJ_REFERRAL, "R1", "contact_id", "CT1");
    CHECK_V (PROJ_REFERRAL, "R1", "referral_source", "1B");
    CHECK_V (PROJ_REFERRAL, "R1", "team_id", "T1");
    CHECK_NULL (PROJ_REFERRAL, "R1", "worker_id");

    s_push ("E5", "2024-01-08",
            "\"worker_id\":\"W3\",\"assessment_started\":{\"assessment_id\":\"A1\","
            "\"referral_id\":\"R1\",\"legacy_initial\":true}");
    CHECK_V (PROJ_ASSESSMENT, "A1", "started_on", "2024-01-08");
    CHECK_V (PROJ_ASSESSMENT, "A1", "referral_id", "R1");
    CHECK_V (PROJ_ASSESSMENT, "A1", "legacy_initial", "true");
    CHECK_V (PROJ_ASSESSMENT, "A1", "worker_id", "W3");
    s_push ("E6", "2024-02-20",
            "\"assessment_completed\":{\"assessment_id\":\"A1\",\"factors\":[\"2A\",\"3B\","
            "\"4C\"],\"outcome\":\"s47\"}");
    CHECK_V (PROJ_ASSESSMENT, "A1", "completed_on", "2024-02-20");
    CHECK_V (PROJ_ASSESSMENT, "A1", "authorised_on", "2024-02-20"); //  defaults to occurred_on
    CHECK_V (PROJ_ASSESSMENT, "A1", "factors", "2A,3B,4C");
    CHECK_V (PROJ_ASSESSMENT, "A1", "outcome", "s47");
    CHECK_V (PROJ_ASSESSMENT, "A1", "started_on", "2024-01-08");
    s_push ("E6b", "2024-02-21",
            "\"assessment_completed\":{\"assessment_id\":\"A2\",\"authorised_on\":\"2024-02-23\"}");
    CHECK_V (PROJ_ASSESSMENT, "A2", "completed_on", "2024-02-21");
    CHECK_V (PROJ_ASSESSMENT, "A2", "authorised_on", "2024-02-23");
    CHECK_NULL (PROJ_ASSESSMENT, "A2", "factors");

    s_push ("E7", "2024-01-09",
            "\"strategy_discussion\":{\"strategy_id\":\"SD1\",\"referral_id\":\"R1\","
            "\"s47_started\":true,\"s47_id\":\"S1\"}");
    CHECK_V (PROJ_STRATEGY, "SD1", "held_on", "2024-01-09");
    CHECK_V (PROJ_STRATEGY, "SD1", "referral_id", "R1");
    CHECK_V (PROJ_STRATEGY, "SD1", "s47_started", "true");
    CHECK_V (PROJ_STRATEGY, "SD1", "s47_id", "S1");
    CHECK_V (PROJ_S47, "S1", "strategy_id", "SD1");
    CHECK_V (PROJ_S47, "S1", "started_on", "2024-01-09");
    s_push ("E7b", "2024-01-10",
            "\"strategy_discussion\":{\"strategy_id\":\"SD2\",\"s47_started\":false}");
    CHECK_V (PROJ_STRATEGY, "SD2", "s47_started", "false");
    CHECK_INT (s_count ("C1", PROJ_S47), 1);
    s_push ("E8", "2024-01-16",
            "\"s47_completed\":{\"s47_id\":\"S1\",\"icpc_required\":true,\"outcome\":\"cp\"}");
    CHECK_V (PROJ_S47, "S1", "completed_on", "2024-01-16");
    CHECK_V (PROJ_S47, "S1", "icpc_required", "true");
    CHECK_V (PROJ_S47, "S1", "outcome", "cp");
    CHECK_V (PROJ_S47, "S1", "started_on", "2024-01-09");

    s_push ("E9", "2024-01-17",
            "\"conference_scheduled\":{\"conference_id\":\"K1\",\"kind\":\"icpc\","
            "\"planned_on\":\"2024-02-01\"}");
    CHECK_V (PROJ_BOOKING, "K1", "kind", "icpc");
    CHECK_V (PROJ_BOOKING, "K1", "booked_on", "2024-01-17");
    CHECK_V (PROJ_BOOKING, "K1", "planned_on", "2024-02-01");
    CHECK_NULL (PROJ_BOOKING, "K1", "held_on");
    CHECK (case_child_find_open (case_store_child (g_store, LA, "C1"), PROJ_BOOKING, "held_on") ==
           case_child_find (case_store_child (g_store, LA, "C1"), PROJ_BOOKING, "K1"));
    s_push ("E10", "2024-02-01",
            "\"icpc_held\":{\"conference_id\":\"K1\",\"s47_id\":\"S1\",\"plan_made\":true,"
            "\"category\":\"NEG\"}");
    CHECK_V (PROJ_MEETING, "K1", "kind", "icpc");
    CHECK_V (PROJ_MEETING, "K1", "held_on", "2024-02-01");
    CHECK_V (PROJ_MEETING, "K1", "conference_id", "K1");
    CHECK_V (PROJ_MEETING, "K1", "s47_id", "S1");
    CHECK_V (PROJ_MEETING, "K1", "plan_made", "true");
    CHECK_V (PROJ_MEETING, "K1", "category", "NEG");
    CHECK_V (PROJ_BOOKING, "K1", "held_on", "2024-02-01");
    s_push ("E11", "2024-02-01",
            "\"cp_plan_started\":{\"plan_id\":\"P1\",\"conference_id\":\"K1\",\"category\":"
            "\"NEG\"}");
    CHECK_V (PROJ_CP_PLAN, "P1", "started_on", "2024-02-01");
    CHECK_V (PROJ_CP_PLAN, "P1", "conference_id", "K1");
    CHECK_V (PROJ_CP_PLAN, "P1", "category", "NEG");
    s_push ("E12", "2024-02-12", "\"core_group_held\":{\"plan_id\":\"P1\"}");
    CHECK_V (PROJ_MEETING, "E12", "kind", "core_group");
    CHECK_V (PROJ_MEETING, "E12", "held_on", "2024-02-12");
    CHECK_V (PROJ_MEETING, "E12", "plan_id", "P1");
    CHECK_NULL (PROJ_MEETING, "E12", "conference_id");
    s_push ("E13", "2024-03-01",
            "\"conference_scheduled\":{\"conference_id\":\"K2\",\"kind\":\"rcpc\","
            "\"planned_on\":\"2024-04-20\"}");
    s_push ("E14", "2024-03-02",
            "\"conference_scheduled\":{\"conference_id\":\"K3\",\"kind\":\"RCPC\","
            "\"planned_on\":\"2024-04-25\",\"cancels\":\"K2\"}");
    CHECK_V (PROJ_BOOKING, "K2", "cancelled_on", "2024-03-02");
    CHECK_V (PROJ_BOOKING, "K3", "kind", "rcpc");
    CHECK_V (PROJ_BOOKING, "K3", "cancels", "K2");
    CHECK_NULL (PROJ_BOOKING, "K3", "cancelled_on");
    s_push ("E15", "2024-04-25",
            "\"rcpc_held\":{\"conference_id\":\"K3\",\"plan_id\":\"P1\",\"plan_continues\":true}");
    CHECK_V (PROJ_MEETING, "K3", "kind", "rcpc");
    CHECK_V (PROJ_MEETING, "K3", "plan_id", "P1");
    CHECK_V (PROJ_MEETING, "K3", "plan_continues", "true");
    CHECK_V (PROJ_BOOKING, "K3", "held_on", "2024-04-25");
    CHECK_NULL (PROJ_BOOKING, "K2", "held_on");
    s_push ("E16", "2024-11-20", "\"cp_plan_ended\":{\"plan_id\":\"P1\",\"reason\":\"RC7\"}");
    CHECK_V (PROJ_CP_PLAN, "P1", "ended_on", "2024-11-20");
    CHECK_V (PROJ_CP_PLAN, "P1", "end_reason", "RC7");
    CHECK_V (PROJ_CP_PLAN, "P1", "started_on", "2024-02-01");

    s_push ("E17", "2024-02-22", "\"cin_plan_started\":{\"plan_id\":\"P2\"}");
    CHECK_V (PROJ_CIN_PLAN, "P2", "started_on", "2024-02-22");
    s_push ("E18", "2024-05-20", "\"cin_plan_reviewed\":{\"plan_id\":\"P2\"}");
    CHECK_V (PROJ_MEETING, "E18", "kind", "cin_review");
    CHECK_V (PROJ_MEETING, "E18", "plan_id", "P2");
    CHECK_V (PROJ_MEETING, "E18", "held_on", "2024-05-20");
    s_push ("E19", "2024-06-28", "\"cin_plan_ended\":{\"plan_id\":\"P2\",\"reason\":\"RC1\"}");
    CHECK_V (PROJ_CIN_PLAN, "P2", "ended_on", "2024-06-28");
    CHECK_V (PROJ_CIN_PLAN, "P2", "end_reason", "RC1");

    s_push ("E20", "2024-02-08",
            "\"worker_id\":\"W7\",\"child_visited\":{\"seen\":true,\"seen_alone\":false,"
            "\"context\":\"cp\"}");
    CHECK_V (PROJ_VISIT, "E20", "visited_on", "2024-02-08");
    CHECK_V (PROJ_VISIT, "E20", "seen", "true");
    CHECK_V (PROJ_VISIT, "E20", "seen_alone", "false");
    CHECK_V (PROJ_VISIT, "E20", "context", "cp");
    CHECK_V (PROJ_VISIT, "E20", "worker_id", "W7");

    s_push ("E21", "2024-03-01",
            "\"period_of_care_started\":{\"period_id\":\"PC1\",\"legal_status\":\"V2\","
            "\"category_of_need\":\"N1\"}");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "started_on", "2024-03-01");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "legal_status", "V2");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "category_of_need", "N1");
    CHECK_V (PROJ_LEGAL_STATUS, "E21", "legal_status", "V2");
    CHECK_V (PROJ_LEGAL_STATUS, "E21", "from_on", "2024-03-01");
    CHECK_V (PROJ_LEGAL_STATUS, "E21", "period_id", "PC1");
    s_push ("E22", "2024-03-01",
            "\"placement_started\":{\"placement_id\":\"PL1\",\"period_id\":\"PC1\","
            "\"placement_type\":\"U4\",\"in_area\":false,\"distance_miles\":23.5,"
            "\"long_term\":false}");
    CHECK_V (PROJ_PLACEMENT, "PL1", "started_on", "2024-03-01");
    CHECK_V (PROJ_PLACEMENT, "PL1", "period_id", "PC1");
    CHECK_V (PROJ_PLACEMENT, "PL1", "placement_type", "U4");
    CHECK_V (PROJ_PLACEMENT, "PL1", "in_area", "false");
    CHECK_V (PROJ_PLACEMENT, "PL1", "distance_miles", "23.5");
    CHECK_V (PROJ_PLACEMENT, "PL1", "long_term", "false");
    s_push ("E23", "2024-05-10",
            "\"placement_ended\":{\"placement_id\":\"PL1\",\"reason\":\"CARPL\"}");
    CHECK_V (PROJ_PLACEMENT, "PL1", "ended_on", "2024-05-10");
    CHECK_V (PROJ_PLACEMENT, "PL1", "end_reason", "CARPL");
    s_push ("E24", "2024-05-10",
            "\"placement_started\":{\"placement_id\":\"PL2\",\"period_id\":\"PC1\","
            "\"placement_type\":\"U1\",\"in_area\":true,\"distance_miles\":0.1,"
            "\"long_term\":true}");
    CHECK_V (PROJ_PLACEMENT, "PL2", "distance_miles", "0.1");
    s_push ("E24b", "2024-05-11",
            "\"placement_started\":{\"placement_id\":\"PL3\",\"period_id\":\"PC9\","
            "\"distance_miles\":0.30000000000000004}");
    CHECK_V (PROJ_PLACEMENT, "PL3", "distance_miles", "0.30000000000000004");
    s_push ("E25", "2024-04-02",
            "\"legal_status_changed\":{\"period_id\":\"PC1\",\"legal_status\":\"C2\"}");
    CHECK_V (PROJ_LEGAL_STATUS, "E25", "legal_status", "C2");
    CHECK_V (PROJ_LEGAL_STATUS, "E25", "from_on", "2024-04-02");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "legal_status", "V2");
    s_push ("E26", "2024-03-10",
            "\"conference_scheduled\":{\"conference_id\":\"K4\",\"kind\":\"cla_review\","
            "\"planned_on\":\"2024-03-27\"}");
    s_push ("E27", "2024-03-27",
            "\"cla_review_held\":{\"conference_id\":\"K4\",\"period_id\":\"PC1\"}");
    CHECK_V (PROJ_MEETING, "K4", "kind", "cla_review");
    CHECK_V (PROJ_MEETING, "K4", "period_id", "PC1");
    CHECK_V (PROJ_BOOKING, "K4", "held_on", "2024-03-27");
    s_push ("E27b", "2024-04-27", "\"cla_review_held\":{\"period_id\":\"PC1\"}");
    CHECK_V (PROJ_MEETING, "E27b", "kind", "cla_review"); //  no booking id: keyed by event
    s_push ("E28", "2024-03-25", "\"health_assessment\":{\"kind\":\"initial\"}");
    CHECK_V (PROJ_HEALTH, "E28", "kind", "initial");
    CHECK_V (PROJ_HEALTH, "E28", "done_on", "2024-03-25");
    s_push ("E28b", "2024-09-25", "\"health_assessment\":{\"kind\":\"review\"}");
    CHECK_V (PROJ_HEALTH, "E28b", "kind", "review");
    s_push ("E29", "2024-03-28", "\"pep_completed\":{}");
    CHECK_V (PROJ_PEP, "E29", "done_on", "2024-03-28");
    s_push ("E30", "2024-04-12",
            "\"missing_started\":{\"episode_id\":\"M1\",\"away_from_placement\":false}");
    CHECK_V (PROJ_MISSING, "M1", "started_on", "2024-04-12");
    CHECK_V (PROJ_MISSING, "M1", "away_from_placement", "false");
    s_push ("E31", "2024-04-13",
            "\"missing_ended\":{\"episode_id\":\"M1\",\"hours_missing\":16.5}");
    CHECK_V (PROJ_MISSING, "M1", "ended_on", "2024-04-13");
    CHECK_V (PROJ_MISSING, "M1", "hours_missing", "16.5");
    s_push ("E32", "2024-04-15", "\"return_interview\":{\"episode_id\":\"M1\",\"accepted\":true}");
    CHECK_V (PROJ_MISSING, "M1", "rhi_on", "2024-04-15");
    CHECK_V (PROJ_MISSING, "M1", "rhi_accepted", "true");
    CHECK_V (PROJ_MISSING, "M1", "started_on", "2024-04-12");
    s_push ("E33", "2024-09-30",
            "\"period_of_care_ended\":{\"period_id\":\"PC1\",\"reason_ceased\":\"E13\"}");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "ended_on", "2024-09-30");
    CHECK_V (PROJ_CARE_PERIOD, "PC1", "reason_ceased", "E13");
    CHECK_V (PROJ_PLACEMENT, "PL2", "ended_on", "2024-09-30"); //  open placement ended
    CHECK_V (PROJ_PLACEMENT, "PL1", "ended_on", "2024-05-10"); //  already ended: kept
    CHECK_NULL (PROJ_PLACEMENT, "PL3", "ended_on");            //  another period

    s_push ("E34", "2024-05-02", "\"adm_decision\":{}");
    s_push ("E35", "2024-07-11", "\"placement_order\":{}");
    s_push ("E36", "2024-09-05", "\"adoption_match\":{}");
    s_push ("E37", "2024-10-01", "\"placed_for_adoption\":{\"placement_id\":\"PL9\"}");
    s_push ("E38", "2025-02-14", "\"adoption_order\":{}");
    CHECK_V (PROJ_ADOPTION, "C1", "adm_on", "2024-05-02");
    CHECK_V (PROJ_ADOPTION, "C1", "placement_order_on", "2024-07-11");
    CHECK_V (PROJ_ADOPTION, "C1", "matched_on", "2024-09-05");
    CHECK_V (PROJ_ADOPTION, "C1", "placed_on", "2024-10-01");
    CHECK_V (PROJ_ADOPTION, "C1", "placement_id", "PL9");
    CHECK_V (PROJ_ADOPTION, "C1", "adopted_on", "2025-02-14");
    CHECK_INT (s_count ("C1", PROJ_ADOPTION), 1);

    s_push ("E39", "2024-06-03",
            "\"care_leaver_contact\":{\"in_touch\":true,\"accommodation_suitable\":false,"
            "\"activity\":\"F1\"}");
    CHECK_V (PROJ_CARE_LEAVER, "E39", "contact_on", "2024-06-03");
    CHECK_V (PROJ_CARE_LEAVER, "E39", "in_touch", "true");
    CHECK_V (PROJ_CARE_LEAVER, "E39", "accommodation_suitable", "false");
    CHECK_V (PROJ_CARE_LEAVER, "E39", "activity", "F1");
    s_push ("E40", "2024-06-10", "\"pathway_plan_reviewed\":{}");
    CHECK_V (PROJ_MEETING, "E40", "kind", "pathway_review");
    CHECK_V (PROJ_MEETING, "E40", "held_on", "2024-06-10");

    //  Allocation spells: one open at a time, the child carries the current worker.
    s_push ("E41", "2024-01-05",
            "\"worker_allocated\":{\"allocated_worker_id\":\"W7\",\"allocated_team_id\":\"T1\"}");
    CHECK_V (PROJ_ALLOCATION, "E41", "worker_id", "W7");
    CHECK_V (PROJ_ALLOCATION, "E41", "team_id", "T1");
    CHECK_V (PROJ_ALLOCATION, "E41", "allocated_on", "2024-01-05");
    CHECK_NULL (PROJ_ALLOCATION, "E41", "ended_on");
    CHECK_V (PROJ_CHILD, "C1", "worker_id", "W7");
    CHECK_V (PROJ_CHILD, "C1", "team_id", "T1");
    CHECK_V (PROJ_CHILD, "C1", "allocated_on", "2024-01-05");
    s_push ("E42", "2024-03-05",
            "\"worker_allocated\":{\"allocated_worker_id\":\"W8\",\"allocated_team_id\":\"T2\"}");
    CHECK_V (PROJ_ALLOCATION, "E41", "ended_on", "2024-03-05");
    CHECK_NULL (PROJ_ALLOCATION, "E42", "ended_on");
    CHECK_V (PROJ_CHILD, "C1", "worker_id", "W8");
    CHECK_V (PROJ_CHILD, "C1", "team_id", "T2");
    s_push ("E43", "2024-07-01", "\"worker_unallocated\":{\"previous_worker_id\":\"W8\"}");
    CHECK_V (PROJ_ALLOCATION, "E42", "ended_on", "2024-07-01");
    CHECK_V (PROJ_ALLOCATION, "E41", "ended_on", "2024-03-05");
    CHECK_NULL (PROJ_CHILD, "C1", "worker_id");
    CHECK_NULL (PROJ_CHILD, "C1", "team_id");
    CHECK_NULL (PROJ_CHILD, "C1", "allocated_on");
    CHECK (
        !case_child_find_open (case_store_child (g_store, LA, "C1"), PROJ_ALLOCATION, "ended_on"));

    s_push ("E44", "2024-03-15",
            "\"team_id\":\"T9\",\"worker_id\":\"W8\",\"case_audit_completed\":{\"grade\":"
            "\"good\",\"auditor_id\":\"W2\"}");
    CHECK_V (PROJ_AUDIT, "E44", "audited_on", "2024-03-15");
    CHECK_V (PROJ_AUDIT, "E44", "grade", "good");
    CHECK_V (PROJ_AUDIT, "E44", "auditor_id", "W2");
    CHECK_V (PROJ_AUDIT, "E44", "team_id", "T9");
    CHECK_V (PROJ_AUDIT, "E44", "worker_id", "W8");

    s_push ("E45", "2024-06-28", "\"referral_closed\":{\"referral_id\":\"R1\",\"reason\":\"RC1\"}");
    CHECK_V (PROJ_REFERRAL, "R1", "closed_on", "2024-06-28");
    CHECK_V (PROJ_REFERRAL, "R1", "closure_reason", "RC1");

    //  Closing, then reopening by a contact, closing again, reopening by a referral.
    s_push ("E46", "2024-12-02", "\"case_closed\":{\"reason\":\"RC1\"}");
    CHECK_V (PROJ_CHILD, "C1", "closed_on", "2024-12-02");
    CHECK_V (PROJ_CHILD, "C1", "close_reason", "RC1");
    s_push ("E47", "2025-01-10", "\"contact_received\":{\"contact_id\":\"CT2\"}");
    CHECK_NULL (PROJ_CHILD, "C1", "closed_on");
    CHECK_NULL (PROJ_CHILD, "C1", "close_reason");
    CHECK_V (PROJ_CHILD, "C1", "date_of_birth", "2016-05-14"); //  the rest stays
    s_push ("E48", "2025-02-02", "\"case_closed\":{\"reason\":\"RC2\"}");
    CHECK_V (PROJ_CHILD, "C1", "close_reason", "RC2");
    s_push ("E49", "2025-03-01", "\"referral_received\":{\"referral_id\":\"R2\"}");
    CHECK_NULL (PROJ_CHILD, "C1", "closed_on");

    //  A child never registered still gets its child row (the store is lenient).
    char *line = ev ("E90", "C9", "2024-02-02", "\"contact_received\":{\"contact_id\":\"CT9\"}");
    it_list_add (&g_history, line);
    CHECK_INT (it_apply (g_store, line), 0);
    CHECK_STR (V ("C9", PROJ_CONTACT, "CT9", "received_on"), "2024-02-02");
    CHECK (V ("C9", PROJ_CHILD, "C9", "registered_on") == NULL);
    CHECK_INT (s_count ("C9", PROJ_CHILD), 1);

    //  Every payload but the retraction wrote something.
    bool seen[64] = {false};
    for (size_t i = 0; i < g_history.count; i++) {
        Journey__V1__Event *event = it_parse (g_history.lines[i]);
        seen[event->payload_case] = true;
        journey__v1__event__free_unpacked (event, NULL);
    }
    int payloads = 0;
    for (int c = JOURNEY__V1__EVENT__PAYLOAD_CHILD_REGISTERED;
         c < JOURNEY__V1__EVENT__PAYLOAD_RETRACTION; c++)
        payloads += seen[c];
    CHECK_INT (payloads, 41);

    CHECK_INT (case_store_event_count (g_store), g_history.count);
    CHECK_INT (case_store_child_count (g_store), 2);
    CHECK (case_store_child (g_store, LA, "C2") == NULL);
    CHECK (case_store_child (g_store, "873", "C1") == NULL);
    case_store_destroy (&g_store);
    CHECK (g_store == NULL);
}

//  --- Idempotency and event info ---------------------------------------------------------

static void test_idempotency (void)
{
    case_store_t *store = case_store_new ();
    char *e1 = ev ("E1", "C1", "2024-01-05", "\"referral_received\":{\"referral_id\":\"R1\"}");
    char *e1_changed =
        ev ("E1", "C1", "2024-01-06", "\"referral_received\":{\"referral_id\":\"R1\"}");
    char *e1_other_la = strdup (e1);
    memcpy (strstr (e1_other_la, "\"872\""), "\"873\"", 5);
    CHECK_INT (s_check (store, e1), CASE_EVENT_NEW);
    CHECK_INT (it_apply (store, e1), 0);
    CHECK_INT (s_check (store, e1), CASE_EVENT_DUPLICATE);
    CHECK_INT (s_check (store, e1_changed), CASE_EVENT_CONFLICT);
    CHECK_INT (s_check (store, e1_other_la), CASE_EVENT_NEW); //  ids are per authority
    CHECK_INT (it_apply (store, e1), 0);                      //  again: nothing changes
    CHECK_INT (it_apply (store, e1_changed), -1);             //  a conflict is never applied
    CHECK_INT (case_store_event_count (store), 1);
    const case_event_info_t *info = case_store_event (store, LA, "E1");
    CHECK (info != NULL);
    if (info) {
        CHECK_STR (info->child_id, "C1");
        CHECK_INT (info->payload_case, JOURNEY__V1__EVENT__PAYLOAD_REFERRAL_RECEIVED);
        CHECK (!info->superseded && !info->retracted);
        CHECK_DATE (info->occurred_on, "2024-01-05");
    }
    CHECK (case_store_event (store, LA, "E2") == NULL);
    CHECK (case_store_event (store, "873", "E1") == NULL);
    g_store = store;
    CHECK_STR (V ("C1", PROJ_REFERRAL, "R1", "received_on"), "2024-01-05");

    //  No la_code or child_id: cannot be applied.
    Journey__V1__Event bare = JOURNEY__V1__EVENT__INIT;
    uint8_t hash[CASE_HASH_SIZE] = {0};
    bare.event_id = "X";
    CHECK_INT (case_store_apply (store, &bare, NULL, 0, hash), -1);
    bare.la_code = LA;
    CHECK_INT (case_store_apply (store, &bare, NULL, 0, hash), -1);

    //  Long identifiers (beyond the stack key buffers).
    char long_id[600];
    memset (long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = 0;
    char rest[800];
    snprintf (rest, sizeof rest, "\"contact_received\":{\"contact_id\":\"%s\"}", long_id);
    char *long_event = ev (long_id, long_id, "2024-01-07", rest);
    CHECK_INT (it_apply (store, long_event), 0);
    CHECK_INT (s_check (store, long_event), CASE_EVENT_DUPLICATE);
    CHECK_STR (V (long_id, PROJ_CONTACT, long_id, "received_on"), "2024-01-07");
    CHECK (case_store_event (store, LA, long_id) != NULL);
    free (long_event);
    free (e1);
    free (e1_changed);
    free (e1_other_la);
    case_store_destroy (&store);
}

//  --- Corrections and retractions --------------------------------------------------------

typedef struct {
    const char *id;
    const char *date; //  NULL: 2024-01-05
    const char *rest;
} s_item_t;

//  Applies `events` one by one to one store and builds the effective history alongside (a
//  correction takes its target's place, a retraction removes it), then checks the rows equal
//  those of a fresh store built from that history.
static void s_check_against_scratch (const char *what, const char *child_id, const s_item_t *items,
                                     size_t count, case_store_t **out)
{
    case_store_t *store = case_store_new ();
    it_list_t effective = {0}, ids = {0};
    for (size_t i = 0; i < count; i++) {
        char *line =
            ev (items[i].id, child_id, items[i].date ? items[i].date : "2024-01-05", items[i].rest);
        CHECK_INT (it_apply (store, line), 0);
        Journey__V1__Event *event = it_parse (line);
        const char *target = event->supersedes;
        if (event->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION)
            target = event->retraction->retracts;
        size_t at = effective.count;
        for (size_t k = 0; target && k < ids.count; k++)
            if (strcmp (ids.lines[k], target) == 0)
                at = k;
        if (event->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION) {
            if (at < effective.count) {
                free (effective.lines[at]);
                free (ids.lines[at]);
                memmove (effective.lines + at, effective.lines + at + 1,
                         (effective.count - at - 1) * sizeof (char *));
                memmove (ids.lines + at, ids.lines + at + 1,
                         (ids.count - at - 1) * sizeof (char *));
                effective.count--;
                ids.count--;
            }
            free (line);
        } else if (at < effective.count) {
            free (effective.lines[at]);
            free (ids.lines[at]);
            effective.lines[at] = line;
            ids.lines[at] = strdup (event->event_id);
        } else {
            it_list_add (&effective, line);
            it_list_add (&ids, strdup (event->event_id));
        }
        journey__v1__event__free_unpacked (event, NULL);

        //  After every step, not only at the end.
        case_store_t *scratch = s_build (&effective);
        it_list_t children = {0};
        it_list_add (&children, strdup (child_id));
        char *a = s_dump (store, &children), *b = s_dump (scratch, &children);
        CHECK (s_same (a, b, what));
        free (a);
        free (b);
        it_list_free (&children);
        case_store_destroy (&scratch);
    }
    it_list_free (&effective);
    it_list_free (&ids);
    if (out)
        *out = store;
    else
        case_store_destroy (&store);
}

static void test_corrections (void)
{
    //  A corrected referral date, in place.
    const s_item_t referral[] = {
        {"E1", NULL, "\"child_registered\":{\"sex\":\"F\"}"},
        {"E2", NULL, "\"referral_received\":{\"referral_id\":\"R1\",\"referral_source\":\"1A\"}"},
        {"E3", NULL, "\"assessment_started\":{\"assessment_id\":\"A1\",\"referral_id\":\"R1\"}"},
        {"E4", NULL,
         "\"supersedes\":\"E2\",\"referral_received\":{\"referral_id\":\"R1\","
         "\"referral_source\":\"1B\"}"},
        //  a correction of the correction keeps the position
        {"E5", NULL,
         "\"supersedes\":\"E4\",\"referral_received\":{\"referral_id\":\"R1\","
         "\"referral_source\":\"1C\"}"},
    };
    case_store_t *store = NULL;
    s_check_against_scratch ("referral", "C1", referral, 5, &store);
    g_store = store;
    CHECK_STR (V ("C1", PROJ_REFERRAL, "R1", "referral_source"), "1C");
    CHECK_INT (s_count ("C1", PROJ_REFERRAL), 1);
    const case_event_info_t *info = case_store_event (store, LA, "E2");
    CHECK (info && info->superseded && !info->retracted);
    info = case_store_event (store, LA, "E4");
    CHECK (info && info->superseded);
    info = case_store_event (store, LA, "E5");
    CHECK (info && !info->superseded);
    case_store_destroy (&store);

    //  A corrected plan start, and a corrected key: the old row goes.
    const s_item_t plan[] = {
        {"E1", NULL, "\"cp_plan_started\":{\"plan_id\":\"P1\",\"category\":\"NEG\"}"},
        {"E2", NULL, "\"core_group_held\":{\"plan_id\":\"P1\"}"},
        {"E3", NULL,
         "\"supersedes\":\"E1\",\"cp_plan_started\":{\"plan_id\":\"P1\","
         "\"category\":\"EMO\"}"},
        {"E4", NULL, "\"supersedes\":\"E2\",\"core_group_held\":{\"plan_id\":\"P2\"}"},
        {"E5", NULL, "\"supersedes\":\"E3\",\"cp_plan_started\":{\"plan_id\":\"P7\"}"},
    };
    s_check_against_scratch ("plan", "C1", plan, 5, &store);
    g_store = store;
    CHECK_STR (V ("C1", PROJ_CP_PLAN, "P7", "started_on"), "2024-01-05");
    CHECK_STR (V ("C1", PROJ_CP_PLAN, "P1", "started_on"), "(no row)");
    CHECK_INT (s_count ("C1", PROJ_MEETING), 1);
    CHECK_STR (V ("C1", PROJ_MEETING, "E4", "plan_id"), "P2");
    case_store_destroy (&store);

    //  Retracting a plan end reopens the plan; retracting a correction removes the record.
    const s_item_t retract[] = {
        {"E1", NULL, "\"cp_plan_started\":{\"plan_id\":\"P1\"}"},
        {"E2", NULL, "\"cp_plan_ended\":{\"plan_id\":\"P1\",\"reason\":\"RC7\"}"},
        {"E3", NULL, "\"retraction\":{\"retracts\":\"E2\",\"reason\":\"wrong child\"}"},
        {"E4", NULL, "\"worker_allocated\":{\"allocated_worker_id\":\"W1\"}"},
        {"E5", NULL, "\"worker_allocated\":{\"allocated_worker_id\":\"W2\"}"},
        {"E6", NULL, "\"supersedes\":\"E5\",\"worker_allocated\":{\"allocated_worker_id\":\"W3\"}"},
        {"E7", NULL, "\"retraction\":{\"retracts\":\"E6\"}"},
        {"E8", NULL, "\"case_closed\":{\"reason\":\"RC1\"}"},
        {"E9", NULL, "\"retraction\":{\"retracts\":\"E8\"}"},
        {"E10", NULL, "\"retraction\":{\"retracts\":\"E404\"}"},
    };
    s_check_against_scratch ("retract", "C1", retract, 10, &store);
    g_store = store;
    CHECK (V ("C1", PROJ_CP_PLAN, "P1", "ended_on") == NULL);
    CHECK (V ("C1", PROJ_CP_PLAN, "P1", "end_reason") == NULL);
    CHECK (case_child_find_open (case_store_child (store, LA, "C1"), PROJ_CP_PLAN, "ended_on") ==
           case_child_find (case_store_child (store, LA, "C1"), PROJ_CP_PLAN, "P1"));
    CHECK_STR (V ("C1", PROJ_CHILD, "C1", "worker_id"), "W1"); //  E5/E6 gone: W1's spell open
    CHECK (V ("C1", PROJ_ALLOCATION, "E4", "ended_on") == NULL);
    CHECK_INT (s_count ("C1", PROJ_ALLOCATION), 1);
    CHECK (V ("C1", PROJ_CHILD, "C1", "closed_on") == NULL);
    info = case_store_event (store, LA, "E2");
    CHECK (info && info->retracted);
    info = case_store_event (store, LA, "E6");
    CHECK (info && info->retracted);
    info = case_store_event (store, LA, "E3");
    CHECK (info && info->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION);
    case_store_destroy (&store);

    //  The whole every-payload history, with a correction and a retraction at every position
    //  of a few kinds, against scratch.
    s_item_t *items = calloc (g_history.count + 8, sizeof (s_item_t));
    size_t n = 0;
    for (size_t i = 0; i < g_history.count; i++) {
        Journey__V1__Event *event = it_parse (g_history.lines[i]);
        if (strcmp (event->child_id, "C1") == 0) {
            //  ev() rewrites the common fields: keep the payload and what follows "source".
            const char *rest = strstr (g_history.lines[i], "\"source\":\"lcs\",") + 15;
            char *copy = strdup (rest);
            copy[strlen (copy) - 1] = 0;
            items[n].id = strdup (event->event_id);
            items[n].rest = copy;
            items[n].date = strdup (event->occurred_on);
            n++;
        }
        journey__v1__event__free_unpacked (event, NULL);
    }
    items[n++] = (s_item_t){strdup ("X1"), NULL,
                            strdup ("\"supersedes\":\"E22\",\"placement_started\":"
                                    "{\"placement_id\":\"PL1\",\"period_id\":"
                                    "\"PC1\",\"distance_miles\":99}")};
    items[n++] = (s_item_t){strdup ("X2"), NULL, strdup ("\"retraction\":{\"retracts\":\"E42\"}")};
    items[n++] = (s_item_t){strdup ("X3"), NULL, strdup ("\"retraction\":{\"retracts\":\"E33\"}")};
    items[n++] = (s_item_t){strdup ("X4"), NULL,
                            strdup ("\"supersedes\":\"E10\",\"icpc_held\":{"
                                    "\"conference_id\":\"K1\",\"plan_made\":"
                                    "false}")};
    items[n++] = (s_item_t){strdup ("X5"), NULL, strdup ("\"retraction\":{\"retracts\":\"E46\"}")};
    for (size_t i = n - 5; i < n; i++)
        items[i].date = strdup ("2025-06-01");
    s_check_against_scratch ("every payload", "C1", items, n, &store);
    g_store = store;
    CHECK_STR (V ("C1", PROJ_PLACEMENT, "PL1", "distance_miles"), "99");
    CHECK (V ("C1", PROJ_PLACEMENT, "PL2", "ended_on") == NULL); //  period end retracted
    CHECK (V ("C1", PROJ_CARE_PERIOD, "PC1", "ended_on") == NULL);
    CHECK_STR (V ("C1", PROJ_ALLOCATION, "E41", "ended_on"), "2024-07-01"); //  by the unallocation
    CHECK_STR (V ("C1", PROJ_MEETING, "K1", "plan_made"), "false");
    CHECK_STR (V ("C1", PROJ_BOOKING, "K1", "held_on"), "2025-06-01"); //  the correction held it
    case_store_destroy (&store);
    for (size_t i = 0; i < n; i++) {
        free ((char *) items[i].id);
        free ((char *) items[i].rest);
        free ((char *) items[i].date);
    }
    free (items);
}

//  A correction that moves an event to another child: gone from one, there in the other.
static void test_correction_other_child (void)
{
    case_store_t *store = case_store_new ();
    char *lines[] = {
        ev ("E1", "C1", "2024-01-05", "\"referral_received\":{\"referral_id\":\"R1\"}"),
        ev ("E2", "C2", "2024-01-05",
            "\"supersedes\":\"E1\",\"referral_received\":{\"referral_id\":\"R1\"}"),
    };
    CHECK_INT (it_apply (store, lines[0]), 0);
    case_store_clear_dirty (store);
    CHECK_INT (it_apply (store, lines[1]), 0);
    g_store = store;
    CHECK_STR (V ("C1", PROJ_REFERRAL, "R1", "received_on"), "(no row)");
    CHECK_STR (V ("C2", PROJ_REFERRAL, "R1", "received_on"), "2024-01-05");
    CHECK_INT (s_count ("C1", PROJ_CHILD), 0);
    free (lines[0]);
    free (lines[1]);
    case_store_destroy (&store);
}

//  --- Dirty and rebuilt bookkeeping -------------------------------------------------------

typedef struct {
    int rows;
    char seen[4096];
} s_visits_t;

static void s_row_visitor (void *arg, const char *la_code, const char *child_id, proj_table_t table,
                           case_row_t *row)
{
    s_visits_t *visits = arg;
    visits->rows++;
    size_t used = strlen (visits->seen);
    snprintf (visits->seen + used, sizeof visits->seen - used, "%s/%s/%s/%s;", la_code, child_id,
              projection_table (table)->name, case_row_key (row));
}

static void s_child_visitor (void *arg, const char *la_code, const char *child_id)
{
    s_visits_t *visits = arg;
    visits->rows++;
    size_t used = strlen (visits->seen);
    snprintf (visits->seen + used, sizeof visits->seen - used, "%s/%s;", la_code, child_id);
}

static void s_visit (case_store_t *store, s_visits_t *dirty, s_visits_t *rebuilt)
{
    memset (dirty, 0, sizeof *dirty);
    memset (rebuilt, 0, sizeof *rebuilt);
    case_store_each_dirty (store, s_row_visitor, dirty);
    case_store_each_rebuilt (store, s_child_visitor, rebuilt);
}

static void test_dirty (void)
{
    case_store_t *store = case_store_new ();
    s_visits_t dirty, rebuilt;
    char *e1 = ev ("E1", "C1", "2024-01-05", "\"referral_received\":{\"referral_id\":\"R1\"}");
    char *e2 = ev ("E2", "C2", "2024-01-05", "\"contact_received\":{\"contact_id\":\"CT1\"}");
    char *e3 = ev ("E3", "C1", "2024-01-06", "\"contact_received\":{\"contact_id\":\"CT2\"}");
    char *e4 = ev ("E4", "C1", "2024-01-04",
                   "\"supersedes\":\"E1\",\"referral_received\":{\"referral_id\":\"R1\"}");
    char *e5 = ev ("E5", "C1", "2024-01-07", "\"case_closed\":{}");
    CHECK_INT (it_apply (store, e1), 0);
    CHECK_INT (it_apply (store, e2), 0);
    s_visit (store, &dirty, &rebuilt);
    //  table by table: child rows first, then contact, then referral
    CHECK_STR (dirty.seen,
               "872/C1/child/C1;872/C2/child/C2;872/C2/contact/CT1;872/C1/referral/R1;");
    CHECK_INT (rebuilt.rows, 0);
    case_store_clear_dirty (store);
    s_visit (store, &dirty, &rebuilt);
    CHECK_INT (dirty.rows, 0);

    //  A new event: only the rows it changed (the child row's reopening changes nothing).
    CHECK_INT (it_apply (store, e3), 0);
    s_visit (store, &dirty, &rebuilt);
    CHECK_STR (dirty.seen, "872/C1/contact/CT2;");
    CHECK_INT (rebuilt.rows, 0);
    case_store_clear_dirty (store);

    //  A correction: the child rebuilt, every row of it dirty; the other child untouched.
    CHECK_INT (it_apply (store, e4), 0);
    s_visit (store, &dirty, &rebuilt);
    CHECK_STR (dirty.seen, "872/C1/child/C1;872/C1/contact/CT2;872/C1/referral/R1;");
    CHECK_STR (rebuilt.seen, "872/C1;");
    g_store = store;
    CHECK_STR (V ("C1", PROJ_REFERRAL, "R1", "received_on"), "2024-01-04");
    case_store_clear_dirty (store);
    s_visit (store, &dirty, &rebuilt);
    CHECK_INT (dirty.rows + rebuilt.rows, 0);

    //  A change to an existing row marks it (and a closure adds its case_closure row).
    CHECK_INT (it_apply (store, e5), 0);
    s_visit (store, &dirty, &rebuilt);
    CHECK_STR (dirty.seen, "872/C1/child/C1;872/C1/case_closure/E5;");
    case_store_clear_dirty (store);
    //  A duplicate marks nothing.
    CHECK_INT (it_apply (store, e5), 0);
    s_visit (store, &dirty, &rebuilt);
    CHECK_INT (dirty.rows + rebuilt.rows, 0);
    free (e1);
    free (e2);
    free (e3);
    free (e4);
    free (e5);
    case_store_destroy (&store);
}

//  --- Incremental equals from scratch, on a random history ---------------------------------

static uint64_t s_rng = 88172645463325252ULL;
static uint32_t s_rand (uint32_t n)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t) (s_rng % n);
}

//  The template with its two "%u" replaced by a and b.
static void s_fill (char *out, size_t size, const char *template, uint32_t a, uint32_t b)
{
    size_t used = 0;
    int which = 0;
    for (const char *at = template; *at && used + 12 < size; at++) {
        if (at[0] == '%' && at[1] == 'u') {
            used += (size_t) snprintf (out + used, size - used, "%u", which++ ? b : a);
            at++;
        } else
            out[used++] = *at;
    }
    out[used] = 0;
}

static void test_random_histories (void)
{
    static const char *templates[] = {
        "\"child_registered\":{\"date_of_birth\":\"2015-0%u-1%u\",\"sex\":\"M\"}",
        "\"contact_received\":{\"contact_id\":\"CT%u\",\"contact_source\":\"1%u\"}",
        "\"contact_decided\":{\"contact_id\":\"CT%u\",\"outcome\":\"nfa%u\"}",
        "\"referral_received\":{\"referral_id\":\"R%u\",\"referral_source\":\"%u\"}",
        "\"referral_closed\":{\"referral_id\":\"R%u\",\"reason\":\"RC%u\"}",
        "\"cp_plan_started\":{\"plan_id\":\"P%u\",\"category\":\"N%u\"}",
        "\"cp_plan_ended\":{\"plan_id\":\"P%u\",\"reason\":\"RC%u\"}",
        "\"period_of_care_started\":{\"period_id\":\"PC%u\",\"legal_status\":\"C%u\"}",
        "\"placement_started\":{\"placement_id\":\"PL%u\",\"period_id\":\"PC%u\"}",
        "\"period_of_care_ended\":{\"period_id\":\"PC%u\",\"reason_ceased\":\"E%u\"}",
        "\"worker_allocated\":{\"allocated_worker_id\":\"W%u\",\"allocated_team_id\":\"T%u\"}",
        "\"worker_unallocated\":{\"previous_worker_id\":\"W%u%u\"}",
        "\"case_closed\":{\"reason\":\"RC%u%u\"}",
        "\"conference_scheduled\":{\"conference_id\":\"K%u\",\"kind\":\"rcpc\",\"cancels\":\"K%"
        "u\"}",
        "\"rcpc_held\":{\"conference_id\":\"K%u\",\"plan_id\":\"P%u\"}",
        "\"child_visited\":{\"seen\":true,\"context\":\"cp%u%u\"}",
        "\"strategy_discussion\":{\"strategy_id\":\"SD%u\",\"s47_started\":true,\"s47_id\":\"S%"
        "u\"}",
    };
    const size_t kinds = sizeof templates / sizeof templates[0];
    enum { CHILDREN = 12, EVENTS = 1500 };
    case_store_t *store = case_store_new ();
    it_list_t effective = {0}, ids = {0}, children = {0};
    for (int c = 0; c < CHILDREN; c++) {
        char id[16];
        snprintf (id, sizeof id, "K%02d", c);
        it_list_add (&children, strdup (id));
    }
    bool ok = true;
    for (int i = 0; i < EVENTS; i++) {
        char id[16], rest[256], date[16];
        snprintf (id, sizeof id, "R%d", i);
        snprintf (date, sizeof date, "2024-%02u-%02u", 1 + s_rand (12), 1 + s_rand (28));
        const char *child = children.lines[s_rand (CHILDREN)];
        uint32_t roll = s_rand (100);
        size_t target = effective.count ? s_rand ((uint32_t) effective.count) : 0;
        char *line;
        bool retraction = false;
        if (roll < 10 && effective.count) {
            //  a correction of a random effective event, with new content, on its child
            Journey__V1__Event *old = it_parse (effective.lines[target]);
            snprintf (rest, sizeof rest, "\"supersedes\":\"%s\",", ids.lines[target]);
            size_t used = strlen (rest);
            s_fill (rest + used, sizeof rest - used, templates[s_rand ((uint32_t) kinds)],
                    s_rand (4), s_rand (4));
            line = ev (id, old->child_id, date, rest);
            journey__v1__event__free_unpacked (old, NULL);
            free (effective.lines[target]);
            free (ids.lines[target]);
            effective.lines[target] = line;
            ids.lines[target] = strdup (id);
        } else if (roll < 15 && effective.count) {
            Journey__V1__Event *old = it_parse (effective.lines[target]);
            snprintf (rest, sizeof rest, "\"retraction\":{\"retracts\":\"%s\"}", ids.lines[target]);
            line = ev (id, old->child_id, date, rest);
            retraction = true;
            journey__v1__event__free_unpacked (old, NULL);
            free (effective.lines[target]);
            free (ids.lines[target]);
            memmove (effective.lines + target, effective.lines + target + 1,
                     (effective.count - target - 1) * sizeof (char *));
            memmove (ids.lines + target, ids.lines + target + 1,
                     (ids.count - target - 1) * sizeof (char *));
            effective.count--;
            ids.count--;
        } else {
            s_fill (rest, sizeof rest, templates[s_rand ((uint32_t) kinds)], s_rand (4),
                    s_rand (4));
            line = ev (id, child, date, rest);
            it_list_add (&effective, line);
            it_list_add (&ids, strdup (id));
        }
        if (it_apply (store, line) != 0)
            ok = false;
        if (retraction)
            free (line); //  not part of the effective history
        if (s_rand (10) == 0)
            case_store_clear_dirty (store); //  commits happen at random points
        if (i % 250 == 249 || i == EVENTS - 1) {
            case_store_t *scratch = s_build (&effective);
            char *a = s_dump (store, &children), *b = s_dump (scratch, &children);
            if (!s_same (a, b, "random history"))
                ok = false;
            free (a);
            free (b);
            case_store_destroy (&scratch);
        }
    }
    CHECK (ok);
    CHECK_INT (case_store_event_count (store), EVENTS);
    it_list_free (&effective);
    it_list_free (&ids);
    it_list_free (&children);
    case_store_destroy (&store);
}

//  The every-payload history applied in chunks (with commits between) equals one go.
static void test_chunked (void)
{
    case_store_t *one = s_build (&g_history);
    for (size_t chunk = 1; chunk <= 7; chunk += 3) {
        case_store_t *store = case_store_new ();
        for (size_t i = 0; i < g_history.count; i++) {
            CHECK_INT (it_apply (store, g_history.lines[i]), 0);
            if (i % chunk == 0)
                case_store_clear_dirty (store);
        }
        it_list_t children = {0};
        it_list_add (&children, strdup ("C1"));
        it_list_add (&children, strdup ("C9"));
        char *a = s_dump (store, &children), *b = s_dump (one, &children);
        CHECK (s_same (a, b, "chunked"));
        free (a);
        free (b);
        it_list_free (&children);
        case_store_destroy (&store);
    }
    case_store_destroy (&one);
}

//  --- Speed --------------------------------------------------------------------------------

static double s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void bench (const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        fprintf (stderr, "cannot open %s\n", path);
        jy_test_failures++;
        return;
    }
    size_t count = 0, capacity = 1 << 20;
    Journey__V1__Event **events = malloc (capacity * sizeof *events);
    uint8_t **packed = malloc (capacity * sizeof *packed);
    size_t *sizes = malloc (capacity * sizeof *sizes);
    uint8_t (*hashes)[CASE_HASH_SIZE] = malloc (capacity * CASE_HASH_SIZE);
    char *line = NULL;
    size_t line_size = 0;
    ssize_t length;
    while ((length = getline (&line, &line_size, file)) > 0) {
        if (count == capacity) {
            capacity *= 2;
            events = realloc (events, capacity * sizeof *events);
            packed = realloc (packed, capacity * sizeof *packed);
            sizes = realloc (sizes, capacity * sizeof *sizes);
            hashes = realloc (hashes, capacity * CASE_HASH_SIZE);
        }
        char err[256];
        events[count] = jy_json_parse_event (line, (size_t) length, err, sizeof err);
        if (!events[count])
            continue;
        sizes[count] = journey__v1__event__get_packed_size (events[count]);
        packed[count] = malloc (sizes[count] + 1);
        journey__v1__event__pack (events[count], packed[count]);
        crypto_hash_sha256 (hashes[count], packed[count], sizes[count]);
        count++;
    }
    free (line);
    fclose (file);

    case_store_t *store = case_store_new ();
    double start = s_now ();
    size_t failed = 0;
    for (size_t i = 0; i < count; i++)
        failed += case_store_apply (store, events[i], packed[i], sizes[i], hashes[i]) != 0;
    double seconds = s_now () - start;
    printf ("bench: applied %zu events (%zu children) in %.3f s: %.0f events/s\n", count,
            case_store_child_count (store), seconds, (double) count / seconds);
    CHECK_INT (failed, 0);
    start = s_now ();
    case_store_clear_dirty (store);
    printf ("bench: clear_dirty %.3f s\n", s_now () - start);
    case_store_destroy (&store);
    for (size_t i = 0; i < count; i++) {
        journey__v1__event__free_unpacked (events[i], NULL);
        free (packed[i]);
    }
    free (events);
    free (packed);
    free (sizes);
    free (hashes);
}

int main (void)
{
    if (sodium_init () < 0)
        return 1;
    test_every_payload ();
    test_idempotency ();
    test_corrections ();
    test_correction_other_child ();
    test_dirty ();
    test_chunked ();
    test_random_histories ();
    const char *bench_file = getenv ("JOURNEY_CASE_STORE_BENCH");
    if (bench_file && *bench_file)
        bench (bench_file);
    it_list_free (&g_history);
    return jy_test_summary ("test_case_store");
}
