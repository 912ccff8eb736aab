/*  child_records: a set of children's case records in one round trip (child_records.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child_records.h"

#define S_DATES 4
#define S_TEXTS 5

typedef enum {
    S_CHILD,
    S_CONTACT,
    S_REFERRAL,
    S_ASSESSMENT,
    S_STRATEGY,
    S_S47,
    S_BOOKING,
    S_MEETING,
    S_CP_PLAN,
    S_CIN_PLAN,
    S_VISIT,
    S_PERIOD,
    S_PLACEMENT,
    S_HEALTH,
    S_PEP,
    S_MISSING,
    S_ALLOCATION,
    S_CLOSURE,
    S_TABLES
} s_tag_t;

//  What is read of each table, in the order the row's slots hold it: the columns derive.h's
//  structs need and nothing else.
static const struct {
    const char *table;
    const char *id; //  NULL: one row per child
    const char *dates[S_DATES];
    const char *texts[S_TEXTS];
    const char *flag;
} s_tables[S_TABLES] = {
    [S_CHILD] = {"child", NULL, {"date_of_birth", "closed_on"}, {"team_id", "worker_id"}, NULL},
    [S_CONTACT] = {"contact", "contact_id", {"received_on", "decided_on"}, {NULL}, NULL},
    [S_REFERRAL] = {"referral", "referral_id", {"received_on", "closed_on"}, {NULL}, NULL},
    [S_ASSESSMENT] = {"assessment",
                      "assessment_id",
                      {"started_on", "completed_on", "authorised_on"},
                      {"referral_id"},
                      "legacy_initial"},
    [S_STRATEGY] =
        {"strategy", "strategy_id", {"held_on"}, {"referral_id", "s47_id"}, "s47_started"},
    [S_S47] = {"s47", "s47_id", {"started_on", "completed_on"}, {"strategy_id"}, "icpc_required"},
    [S_BOOKING] = {"booking",
                   "conference_id",
                   {"booked_on", "planned_on", "cancelled_on", "held_on"},
                   {"kind"},
                   NULL},
    [S_MEETING] = {"meeting",
                   "meeting_id",
                   {"held_on"},
                   {"kind", "conference_id", "s47_id", "plan_id", "period_id"},
                   "plan_made"},
    [S_CP_PLAN] = {"cp_plan", "plan_id", {"started_on", "ended_on"}, {NULL}, NULL},
    [S_CIN_PLAN] = {"cin_plan", "plan_id", {"started_on", "ended_on"}, {NULL}, NULL},
    [S_VISIT] = {"visit", "event_id", {"visited_on"}, {"context"}, "seen"},
    [S_PERIOD] = {"care_period", "period_id", {"started_on", "ended_on"}, {NULL}, NULL},
    [S_PLACEMENT] =
        {"placement", "placement_id", {"started_on", "ended_on"}, {"period_id"}, "long_term"},
    [S_HEALTH] = {"health", "event_id", {"done_on"}, {"kind"}, NULL},
    [S_PEP] = {"pep", "event_id", {"done_on"}, {NULL}, NULL},
    [S_MISSING] = {"missing", "episode_id", {"started_on", "ended_on", "rhi_on"}, {NULL}, NULL},
    [S_ALLOCATION] =
        {"allocation", "event_id", {"allocated_on", "ended_on"}, {"team_id", "worker_id"}, NULL},
    [S_CLOSURE] = {"case_closure", "event_id", {"closed_on"}, {NULL}, NULL},
};

//  Result columns: tag, la_code, child_id, id, the dates, the texts, the flag.
#define S_COL_TAG   0
#define S_COL_LA    1
#define S_COL_CHILD 2
#define S_COL_ID    3
#define S_COL_DATE  4
#define S_COL_TEXT  (S_COL_DATE + S_DATES)
#define S_COL_FLAG  (S_COL_TEXT + S_TEXTS)

struct _tl_child_records_t {
    jy_sql_text_t sql;
    jy_sql_text_t la_codes, child_ids; //  the keys as array literals
    zhashx_t *index;                   //  "la_code\x1fchild_id" -> index + 1
    size_t (*counts)[S_TABLES];        //  rows per child and table
    size_t counts_capacity;
};

//  The one statement, from the table above.
static void s_build_sql (jy_sql_text_t *sql)
{
    jy_sql_text_str (sql, "WITH k AS (SELECT * FROM unnest ($1::text[], $2::text[])"
                          " AS k (la_code, child_id))");
    for (int tag = 0; tag < S_TABLES; tag++) {
        jy_sql_text_printf (sql, "%s SELECT %d, t.la_code, t.child_id, %s%s::text",
                            tag ? " UNION ALL" : "", tag, s_tables[tag].id ? "t." : "",
                            s_tables[tag].id ? s_tables[tag].id : "NULL");
        for (int d = 0; d < S_DATES; d++)
            jy_sql_text_printf (sql, ", %s%s::date", s_tables[tag].dates[d] ? "t." : "",
                                s_tables[tag].dates[d] ? s_tables[tag].dates[d] : "NULL");
        for (int t = 0; t < S_TEXTS; t++)
            jy_sql_text_printf (sql, ", %s%s::text", s_tables[tag].texts[t] ? "t." : "",
                                s_tables[tag].texts[t] ? s_tables[tag].texts[t] : "NULL");
        jy_sql_text_printf (sql,
                            ", %s%s::boolean FROM projection.%s t JOIN k USING (la_code, child_id)",
                            s_tables[tag].flag ? "t." : "",
                            s_tables[tag].flag ? s_tables[tag].flag : "NULL", s_tables[tag].table);
    }
}

tl_child_records_t *tl_child_records_new (void)
{
    tl_child_records_t *self = calloc (1, sizeof *self);
    assert (self);
    s_build_sql (&self->sql);
    self->index = zhashx_new ();
    assert (self->index);
    return self;
}

const char *tl_child_records_sql (const tl_child_records_t *self)
{
    assert (self);
    return self->sql.data;
}

void tl_child_records_destroy (tl_child_records_t **self_p)
{
    assert (self_p);
    tl_child_records_t *self = *self_p;
    if (!self)
        return;
    jy_sql_text_free (&self->sql);
    jy_sql_text_free (&self->la_codes);
    jy_sql_text_free (&self->child_ids);
    zhashx_destroy (&self->index);
    free (self->counts);
    free (self);
    *self_p = NULL;
}

static char *s_strdup (const char *text)
{
    if (!text)
        return NULL;
    char *copy = strdup (text);
    assert (copy);
    return copy;
}

//  Room for n records of a table in the child's array for it.
static void *s_alloc (size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *array = calloc (n, size);
    assert (array);
    return array;
}

static void s_allocate (tl_child_t *child, const size_t counts[S_TABLES])
{
    child->contacts = s_alloc (counts[S_CONTACT], sizeof (tl_contact_t));
    child->referrals = s_alloc (counts[S_REFERRAL], sizeof (tl_referral_t));
    child->assessments = s_alloc (counts[S_ASSESSMENT], sizeof (tl_assessment_t));
    child->strategies = s_alloc (counts[S_STRATEGY], sizeof (tl_strategy_t));
    child->s47s = s_alloc (counts[S_S47], sizeof (tl_s47_t));
    child->bookings = s_alloc (counts[S_BOOKING], sizeof (tl_booking_t));
    child->meetings = s_alloc (counts[S_MEETING], sizeof (tl_meeting_t));
    child->cp_plans = s_alloc (counts[S_CP_PLAN], sizeof (tl_plan_t));
    child->cin_plans = s_alloc (counts[S_CIN_PLAN], sizeof (tl_plan_t));
    child->visits = s_alloc (counts[S_VISIT], sizeof (tl_visit_t));
    child->periods = s_alloc (counts[S_PERIOD], sizeof (tl_period_t));
    child->placements = s_alloc (counts[S_PLACEMENT], sizeof (tl_placement_t));
    child->health = s_alloc (counts[S_HEALTH], sizeof (tl_health_t));
    child->peps = s_alloc (counts[S_PEP], sizeof (tl_pep_t));
    child->missing = s_alloc (counts[S_MISSING], sizeof (tl_missing_t));
    child->allocations = s_alloc (counts[S_ALLOCATION], sizeof (tl_allocation_t));
    child->closures = s_alloc (counts[S_CLOSURE], sizeof (jy_date_t));
}

//  One row into the child's records (its arrays have room: counted first).
static void s_fill (tl_child_t *child, const PGresult *result, int row, s_tag_t tag)
{
    jy_date_t d[S_DATES];
    const char *t[S_TEXTS];
    for (int i = 0; i < S_DATES; i++)
        d[i] = jy_db_get_date (result, row, S_COL_DATE + i);
    for (int i = 0; i < S_TEXTS; i++)
        t[i] = jy_db_get_text (result, row, S_COL_TEXT + i);
    tl_tristate_t flag = jy_db_get_tristate (result, row, S_COL_FLAG);
    char *id = s_strdup (jy_db_get_text (result, row, S_COL_ID));

    switch (tag) {
    case S_CHILD:
        child->exists = true;
        child->date_of_birth = d[0];
        child->closed_on = d[1];
        child->team_id = s_strdup (t[0]);
        child->worker_id = s_strdup (t[1]);
        free (id);
        break;
    case S_CONTACT:
        child->contacts[child->n_contacts++] = (tl_contact_t){id, d[0], d[1]};
        break;
    case S_REFERRAL:
        child->referrals[child->n_referrals++] = (tl_referral_t){id, d[0], d[1]};
        break;
    case S_ASSESSMENT:
        child->assessments[child->n_assessments++] =
            (tl_assessment_t){id, s_strdup (t[0]), d[0], d[1], d[2], flag};
        break;
    case S_STRATEGY:
        child->strategies[child->n_strategies++] =
            (tl_strategy_t){id, s_strdup (t[0]), d[0], flag, s_strdup (t[1])};
        break;
    case S_S47:
        child->s47s[child->n_s47s++] = (tl_s47_t){id, s_strdup (t[0]), d[0], d[1], flag};
        break;
    case S_BOOKING:
        child->bookings[child->n_bookings++] =
            (tl_booking_t){id, s_strdup (t[0]), d[0], d[1], d[2], d[3]};
        break;
    case S_MEETING:
        child->meetings[child->n_meetings++] = (tl_meeting_t){id,
                                                              s_strdup (t[0]),
                                                              d[0],
                                                              s_strdup (t[1]),
                                                              s_strdup (t[2]),
                                                              s_strdup (t[3]),
                                                              s_strdup (t[4]),
                                                              flag};
        break;
    case S_CP_PLAN:
        child->cp_plans[child->n_cp_plans++] = (tl_plan_t){id, d[0], d[1]};
        break;
    case S_CIN_PLAN:
        child->cin_plans[child->n_cin_plans++] = (tl_plan_t){id, d[0], d[1]};
        break;
    case S_VISIT:
        child->visits[child->n_visits++] = (tl_visit_t){id, d[0], flag, s_strdup (t[0])};
        break;
    case S_PERIOD:
        child->periods[child->n_periods++] = (tl_period_t){id, d[0], d[1]};
        break;
    case S_PLACEMENT:
        child->placements[child->n_placements++] =
            (tl_placement_t){id, s_strdup (t[0]), d[0], d[1], flag};
        break;
    case S_HEALTH:
        child->health[child->n_health++] = (tl_health_t){id, s_strdup (t[0]), d[0]};
        break;
    case S_PEP:
        child->peps[child->n_peps++] = (tl_pep_t){id, d[0]};
        break;
    case S_MISSING:
        child->missing[child->n_missing++] = (tl_missing_t){id, d[0], d[1], d[2]};
        break;
    case S_CLOSURE:
        free (id);
        if (d[0] != JY_DATE_INVALID)
            child->closures[child->n_closures++] = d[0];
        break;
    case S_ALLOCATION:
        child->allocations[child->n_allocations++] =
            (tl_allocation_t){id, d[0], d[1], s_strdup (t[0]), s_strdup (t[1])};
        break;
    default:
        assert (false);
    }
}

//  The child a row belongs to, as an index into the keys; -1 when it is none of them.
static long s_owner (tl_child_records_t *self, const PGresult *result, int row)
{
    char key[256];
    snprintf (key, sizeof key, "%s\x1f%s", PQgetvalue (result, row, S_COL_LA),
              PQgetvalue (result, row, S_COL_CHILD));
    uintptr_t found = (uintptr_t) zhashx_lookup (self->index, key);
    return found ? (long) found - 1 : -1;
}

int tl_child_records_read (tl_child_records_t *self, jy_db_t *db, const tl_child_key_t *keys,
                           size_t count, tl_child_t **children)
{
    assert (self);
    assert (db);
    assert (keys || count == 0);
    if (count == 0)
        return 0;
    zhashx_purge (self->index);
    jy_sql_text_array_open (&self->la_codes);
    jy_sql_text_array_open (&self->child_ids);
    for (size_t i = 0; i < count; i++) {
        jy_sql_text_array_text (&self->la_codes, keys[i].la_code);
        jy_sql_text_array_text (&self->child_ids, keys[i].child_id);
        char key[256];
        snprintf (key, sizeof key, "%s\x1f%s", keys[i].la_code, keys[i].child_id);
        zhashx_insert (self->index, key, (void *) (uintptr_t) (i + 1));
    }
    jy_sql_text_array_close (&self->la_codes);
    jy_sql_text_array_close (&self->child_ids);
    const char *params[2] = {self->la_codes.data, self->child_ids.data};
    PGresult *result =
        jy_db_query_prepared (db, "tl_child_records", self->sql.data, 2, params, true);
    if (!result)
        return -1;

    if (count > self->counts_capacity) {
        free (self->counts);
        self->counts = calloc (count, sizeof *self->counts);
        assert (self->counts);
        self->counts_capacity = count;
    } else
        memset (self->counts, 0, count * sizeof *self->counts);
    int rows = PQntuples (result);
    for (int row = 0; row < rows; row++) {
        long owner = s_owner (self, result, row);
        int32_t tag = jy_db_get_int4 (result, row, S_COL_TAG);
        if (owner >= 0 && tag >= 0 && tag < S_TABLES)
            self->counts[owner][tag]++;
    }
    for (size_t i = 0; i < count; i++) {
        children[i] = tl_child_new (keys[i].la_code, keys[i].child_id);
        s_allocate (children[i], self->counts[i]);
    }
    for (int row = 0; row < rows; row++) {
        long owner = s_owner (self, result, row);
        int32_t tag = jy_db_get_int4 (result, row, S_COL_TAG);
        if (owner >= 0 && tag >= 0 && tag < S_TABLES)
            s_fill (children[owner], result, row, (s_tag_t) tag);
    }
    PQclear (result);
    return 0;
}
