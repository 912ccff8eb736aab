/*  projection_writer: persist the case store's changes in the caller's transaction
    (projection_writer.h).

    Rows the database has never seen (created since the last commit, or the rows of a rebuilt
    child, deleted first) go in by COPY, the fastest bulk write; rows it has, and an event
    changed, travel as PostgreSQL text arrays, one per column, unnest'ed into one INSERT ... ON
    CONFLICT per table, prepared once per connection. Either way one round trip per table whatever
    the number of rows, and no SQL text built from data (identifiers come only from
    projection.c's static table).
*/
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "projection_writer.h"

//  --- SQL, built once from the static table ----------------------------------------------------

static char *s_upsert_sql[PROJ__COUNT];
static char *s_upsert_name[PROJ__COUNT]; //  prepared statements' names
static char *s_copy_sql[PROJ__COUNT];
static char *s_delete_sql;
static pthread_once_t s_sql_built = PTHREAD_ONCE_INIT;

static bool s_one_per_child (const proj_table_def_t *def)
{
    return strcmp (def->key, "child_id") == 0;
}

static void s_build_sql (void)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        const proj_table_def_t *def = projection_table ((proj_table_t) t);
        bool keyed = !s_one_per_child (def);
        jy_sql_text_t sql = {0}, names = {0}, params = {0}, select = {0}, update = {0};
        jy_sql_text_str (&names, "la_code, child_id");
        jy_sql_text_str (&params, "$1::text[], $2::text[]");
        jy_sql_text_str (&select, "v.la_code, v.child_id");
        int param = 3;
        if (keyed) {
            jy_sql_text_printf (&names, ", %s", def->key);
            jy_sql_text_printf (&params, ", $%d::text[]", param++);
            jy_sql_text_printf (&select, ", v.%s", def->key);
        }
        for (int c = 0; c < def->column_count; c++) {
            const proj_column_t *column = &def->columns[c];
            jy_sql_text_printf (&names, ", %s", column->name);
            jy_sql_text_printf (&params, ", $%d::text[]", param++);
            jy_sql_text_printf (&select, ", v.%s::%s", column->name, column->type);
            jy_sql_text_printf (&update, "%s%s = EXCLUDED.%s", c ? ", " : "", column->name,
                                column->name);
        }
        jy_sql_text_printf (&sql, "INSERT INTO ingest.%s (", def->name);
        jy_sql_text_str (&sql, names.data);
        jy_sql_text_str (&sql, ") SELECT ");
        jy_sql_text_str (&sql, select.data);
        jy_sql_text_str (&sql, " FROM unnest(");
        jy_sql_text_str (&sql, params.data);
        jy_sql_text_str (&sql, ") AS v(");
        jy_sql_text_str (&sql, names.data);
        jy_sql_text_printf (&sql, ") ON CONFLICT (la_code, child_id%s%s) DO ", keyed ? ", " : "",
                            keyed ? def->key : "");
        if (def->column_count) {
            jy_sql_text_str (&sql, "UPDATE SET ");
            jy_sql_text_str (&sql, update.data);
        } else
            jy_sql_text_str (&sql, "NOTHING");
        s_upsert_sql[t] = sql.data;
        jy_sql_text_t name = {0};
        jy_sql_text_printf (&name, "ingest_upsert_%s", def->name);
        s_upsert_name[t] = name.data;
        jy_sql_text_t copy = {0};
        jy_sql_text_printf (&copy, "COPY ingest.%s (", def->name);
        jy_sql_text_str (&copy, names.data);
        jy_sql_text_str (&copy, ") FROM STDIN");
        s_copy_sql[t] = copy.data;
        free (names.data);
        free (params.data);
        free (select.data);
        free (update.data);
    }
    //  Every table's rows of the rebuilt children in one statement: data-modifying WITH
    //  clauses run whether or not anything reads them.
    jy_sql_text_t sql = {0};
    jy_sql_text_str (&sql, "WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(la_code, "
                           "child_id))");
    for (int t = 0; t < PROJ__COUNT; t++)
        jy_sql_text_printf (&sql,
                            ", d%d AS (DELETE FROM ingest.%s t USING k WHERE t.la_code = k.la_code "
                            "AND t.child_id = k.child_id)",
                            t, projection_table ((proj_table_t) t)->name);
    jy_sql_text_str (&sql, " SELECT 1");
    s_delete_sql = sql.data;
}

//  --- Serialising ---------------------------------------------------------------------------

#define MAX_ARRAYS (3 + PROJ_MAX_COLUMNS)

//  One statement of a plan: the rebuilt children's delete (two arrays), one table's COPY of new
//  rows (copy), or one table's upsert of changed rows (arrays).
typedef enum { S_OP_DELETE, S_OP_COPY, S_OP_UPSERT } s_op_kind_t;

typedef struct {
    s_op_kind_t kind;
    int table;
    int array_count;
    jy_sql_text_t arrays[MAX_ARRAYS];
    jy_sql_text_t copy;
} s_op_t;

struct _projection_plan_t {
    s_op_t *ops;
    size_t count, capacity; //  ops[count..capacity) keep their buffers for reuse
};

projection_plan_t *projection_plan_new (void)
{
    projection_plan_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

void projection_plan_destroy (projection_plan_t **self_p)
{
    assert (self_p);
    projection_plan_t *self = *self_p;
    if (!self)
        return;
    for (size_t o = 0; o < self->capacity; o++) {
        for (int a = 0; a < MAX_ARRAYS; a++)
            free (self->ops[o].arrays[a].data);
        free (self->ops[o].copy.data);
    }
    free (self->ops);
    free (self);
    *self_p = NULL;
}

size_t projection_plan_size (projection_plan_t *self)
{
    assert (self);
    return self->count;
}

//  A new op at the end of the plan, its buffers emptied.
static s_op_t *s_plan_add (projection_plan_t *plan, s_op_kind_t kind, int table, int array_count)
{
    if (plan->count == plan->capacity) {
        size_t capacity = plan->capacity ? plan->capacity * 2 : 16;
        plan->ops = realloc (plan->ops, capacity * sizeof *plan->ops);
        assert (plan->ops);
        memset (plan->ops + plan->capacity, 0, (capacity - plan->capacity) * sizeof *plan->ops);
        plan->capacity = capacity;
    }
    s_op_t *op = &plan->ops[plan->count++];
    op->kind = kind;
    op->table = table;
    op->array_count = array_count;
    op->copy.size = 0;
    for (int a = 0; a < array_count; a++)
        jy_sql_text_array_open (&op->arrays[a]);
    return op;
}

typedef struct {
    projection_plan_t *plan;
    int table;     //  whose rows copy and upsert collect, or -1
    size_t copy;   //  this table's COPY op (an index: the plan grows), or SIZE_MAX until a new
                   //  row shows up
    size_t upsert; //  this table's upsert op, or SIZE_MAX
} s_writer_t;

static int s_array_count (const proj_table_def_t *def)
{
    return 2 + (s_one_per_child (def) ? 0 : 1) + def->column_count;
}

static void s_visit_row (void *arg, const char *la_code, const char *child_id, proj_table_t table,
                         case_row_t *row)
{
    s_writer_t *writer = arg;
    if ((int) table != writer->table) {
        writer->table = (int) table;
        writer->copy = writer->upsert = SIZE_MAX;
    }
    const proj_table_def_t *def = projection_table (table);
    if (!case_row_persisted (row)) {
        if (writer->copy == SIZE_MAX) {
            s_plan_add (writer->plan, S_OP_COPY, (int) table, 0);
            writer->copy = writer->plan->count - 1;
        }
        jy_sql_text_t *copy = &writer->plan->ops[writer->copy].copy;
        jy_sql_text_copy_text (copy, la_code, false);
        jy_sql_text_copy_text (copy, child_id, def->column_count == 0 && s_one_per_child (def));
        if (!s_one_per_child (def))
            jy_sql_text_copy_text (copy, case_row_key (row), def->column_count == 0);
        for (int c = 0; c < def->column_count; c++)
            jy_sql_text_copy_text (copy, case_row_value (row, c), c == def->column_count - 1);
        return;
    }
    if (writer->upsert == SIZE_MAX) {
        s_plan_add (writer->plan, S_OP_UPSERT, (int) table, s_array_count (def));
        writer->upsert = writer->plan->count - 1;
    }
    jy_sql_text_t *arrays = writer->plan->ops[writer->upsert].arrays;
    int a = 0;
    jy_sql_text_array_text (&arrays[a++], la_code);
    jy_sql_text_array_text (&arrays[a++], child_id);
    if (!s_one_per_child (def))
        jy_sql_text_array_text (&arrays[a++], case_row_key (row));
    for (int c = 0; c < def->column_count; c++)
        jy_sql_text_array_text (&arrays[a++], case_row_value (row, c));
}

static void s_visit_rebuilt (void *arg, const char *la_code, const char *child_id)
{
    s_op_t *op = arg;
    jy_sql_text_array_text (&op->arrays[0], la_code);
    jy_sql_text_array_text (&op->arrays[1], child_id);
}

void projection_serialise (case_store_t *store, projection_plan_t *plan)
{
    assert (store && plan);
    plan->count = 0;
    s_op_t *delete = s_plan_add (plan, S_OP_DELETE, -1, 2);
    case_store_each_rebuilt (store, s_visit_rebuilt, delete);
    if (delete->arrays[0].size == 1)
        plan->count = 0; //  nobody rebuilt
    s_writer_t writer = {.plan = plan, .table = -1, .copy = SIZE_MAX, .upsert = SIZE_MAX};
    case_store_each_dirty (store, s_visit_row, &writer);
    //  Arrays are closed here so that the plan is complete: executing it writes nothing.
    for (size_t o = 0; o < plan->count; o++)
        for (int a = 0; a < plan->ops[o].array_count; a++)
            jy_sql_text_array_close (&plan->ops[o].arrays[a]);
}

//  --- Executing --------------------------------------------------------------------------------

int projection_execute (jy_db_t *db, projection_plan_t *plan)
{
    assert (db && plan);
    pthread_once (&s_sql_built, s_build_sql);
    for (size_t o = 0; o < plan->count; o++) {
        s_op_t *op = &plan->ops[o];
        int rc;
        if (op->kind == S_OP_COPY)
            rc = jy_db_copy_in (db, s_copy_sql[op->table], op->copy.data, op->copy.size);
        else {
            const char *params[MAX_ARRAYS];
            for (int a = 0; a < op->array_count; a++)
                params[a] = op->arrays[a].data;
            //  Prepared: the same statements run for every batch.
            if (op->kind == S_OP_DELETE)
                rc = jy_db_exec_prepared (db, "ingest_delete_rebuilt", s_delete_sql,
                                          op->array_count, params);
            else
                rc = jy_db_exec_prepared (db, s_upsert_name[op->table], s_upsert_sql[op->table],
                                          op->array_count, params);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

int projection_write (jy_db_t *db, case_store_t *store)
{
    assert (db && store);
    projection_plan_t *plan = projection_plan_new ();
    projection_serialise (store, plan);
    int rc = projection_execute (db, plan);
    projection_plan_destroy (&plan);
    return rc;
}
