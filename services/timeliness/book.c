/*  book: every running deadline in memory, and the alert rules (book.h).

    Deadlines sit in one array of small fixed-size entries (the sweep walks it), found by id
    through an open-addressing index of array slots; removal moves the last entry into the
    hole. A child's strings (LA, child, team, worker) are kept once per child, not per
    deadline. Each entry carries its trigger dates, worked out when it is put, so that the
    sweep compares integers only.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"

#define S_KIND_SOON       JOURNEY__V1__ALERT__KIND__DUE_SOON
#define S_KIND_DRIFTED    JOURNEY__V1__ALERT__KIND__DRIFTED
#define S_KIND_TODAY      JOURNEY__V1__ALERT__KIND__DUE_TODAY
#define S_KIND_OVERDUE    JOURNEY__V1__ALERT__KIND__OVERDUE
#define S_KIND_OVERDUE_BY JOURNEY__V1__ALERT__KIND__OVERDUE_BY

static const char *const s_state_names[TL_STATE_COUNT] = {"open", "missed", "met_on_time",
                                                          "met_late", "cancelled"};

const char *tl_state_name (tl_state_t state)
{
    assert (state < TL_STATE_COUNT);
    return s_state_names[state];
}

tl_state_t tl_state_lookup (const char *name)
{
    for (int state = 0; name && state < TL_STATE_COUNT; state++)
        if (strcmp (s_state_names[state], name) == 0)
            return (tl_state_t) state;
    return TL_STATE_COUNT;
}

bool tl_state_running (tl_state_t state)
{
    return state == TL_STATE_OPEN || state == TL_STATE_MISSED;
}

//  A deadline's dates that decide its alerts (JY_DATE_INVALID: never).
typedef struct {
    jy_date_t soon_on;       //  DUE_SOON
    jy_date_t due_on;        //  DUE_TODAY; OVERDUE the day after
    jy_date_t overdue_by_on; //  OVERDUE_BY
    jy_date_t planned_on;    //  DRIFTED when after due_on
} s_triggers_t;

//  The chain, in order, with each kind's trigger.
#define S_CHAIN 4

static void s_chain (const s_triggers_t *triggers, int kinds[S_CHAIN], jy_date_t on[S_CHAIN])
{
    kinds[0] = S_KIND_SOON;
    on[0] = triggers->soon_on;
    kinds[1] = S_KIND_TODAY;
    on[1] = triggers->due_on;
    kinds[2] = S_KIND_OVERDUE;
    on[2] = triggers->due_on + 1;
    kinds[3] = S_KIND_OVERDUE_BY;
    on[3] = triggers->overdue_by_on;
}

//  The rules (book.h) on today: new state and alerts; returns the kinds raised now.
static uint32_t s_evaluate (const s_triggers_t *triggers, jy_date_t today, uint32_t *alerts,
                            tl_state_t *state)
{
    *state = today > triggers->due_on ? TL_STATE_MISSED : TL_STATE_OPEN;
    uint32_t raised = 0;
    int kinds[S_CHAIN];
    jy_date_t on[S_CHAIN];
    s_chain (triggers, kinds, on);
    for (int k = S_CHAIN - 1; k >= 0; k--) {
        if (on[k] == JY_DATE_INVALID || on[k] > today)
            continue;
        //  The latest kind whose day has come: raised once; it and the earlier ones are done.
        if (!(*alerts & TL_ALERT_BIT (kinds[k]))) {
            raised |= TL_ALERT_BIT (kinds[k]);
            for (int earlier = 0; earlier <= k; earlier++)
                *alerts |= TL_ALERT_BIT (kinds[earlier]);
        }
        break;
    }
    if (triggers->planned_on != JY_DATE_INVALID && triggers->planned_on > triggers->due_on &&
        today <= triggers->due_on && !(*alerts & TL_ALERT_BIT (S_KIND_DRIFTED))) {
        raised |= TL_ALERT_BIT (S_KIND_DRIFTED);
        *alerts |= TL_ALERT_BIT (S_KIND_DRIFTED);
    }
    return raised;
}

//  --- The book ------------------------------------------------------------------------------

typedef struct {
    char *la_code, *child_id, *team_id, *worker_id;
} s_child_t;

//  40 bytes: a million deadlines take 40 MB.
typedef struct {
    int64_t id;
    uint32_t child; //  index into children
    uint8_t clock;
    uint8_t state;
    uint16_t alerts;
    jy_date_t started_on, due_on, planned_on;
    jy_date_t soon_on, overdue_by_on;
} s_entry_t;

struct _tl_book_t {
    tl_clocks_t *clocks;     //  not ours
    jy_calendar_t *calendar; //  not ours
    int overdue_by;
    s_entry_t *entries;
    size_t count, capacity;
    uint32_t *index; //  slot + 1 per bucket, 0 when empty; linear probing
    size_t buckets;  //  a power of two, at least twice count
    int bucket_bits; //  log2 (buckets)
    s_child_t *children;
    size_t child_count, child_capacity;
    zhashx_t *child_index; //  "la_code\x1fchild_id" -> child + 1
};

tl_book_t *tl_book_new (tl_clocks_t *clocks, jy_calendar_t *calendar, int overdue_by)
{
    assert (clocks);
    assert (calendar);
    assert (overdue_by >= 0);
    tl_book_t *self = calloc (1, sizeof *self);
    assert (self);
    self->clocks = clocks;
    self->calendar = calendar;
    self->overdue_by = overdue_by;
    self->child_index = zhashx_new ();
    assert (self->child_index);
    return self;
}

static void s_children_free (tl_book_t *self)
{
    for (size_t i = 0; i < self->child_count; i++) {
        free (self->children[i].la_code);
        free (self->children[i].child_id);
        free (self->children[i].team_id);
        free (self->children[i].worker_id);
    }
    self->child_count = 0;
    zhashx_purge (self->child_index);
}

void tl_book_destroy (tl_book_t **self_p)
{
    assert (self_p);
    tl_book_t *self = *self_p;
    if (!self)
        return;
    s_children_free (self);
    free (self->children);
    zhashx_destroy (&self->child_index);
    free (self->entries);
    free (self->index);
    free (self);
    *self_p = NULL;
}

static s_triggers_t s_triggers (tl_book_t *self, tl_clock_id_t clock, jy_date_t due_on,
                                jy_date_t planned_on)
{
    s_triggers_t triggers = {JY_DATE_INVALID, due_on, JY_DATE_INVALID, planned_on};
    int lead = tl_clocks_rule (self->clocks, clock)->lead_working_days;
    //  Outside the calendar's years (1990-2100) a trigger is simply never reached.
    if (lead > 0 &&
        jy_calendar_add_working_days (self->calendar, due_on, -lead, &triggers.soon_on) != 0)
        triggers.soon_on = JY_DATE_INVALID;
    if (jy_calendar_add_working_days (self->calendar, due_on, self->overdue_by + 1,
                                      &triggers.overdue_by_on) != 0)
        triggers.overdue_by_on = JY_DATE_INVALID;
    return triggers;
}

uint32_t tl_book_evaluate (tl_book_t *self, tl_clock_id_t clock, jy_date_t due_on,
                           jy_date_t planned_on, jy_date_t today, uint32_t *alerts,
                           tl_state_t *state)
{
    assert (self);
    assert (alerts);
    assert (state);
    assert (clock < TL_CLOCK_COUNT);
    s_triggers_t triggers = s_triggers (self, clock, due_on, planned_on);
    return s_evaluate (&triggers, today, alerts, state);
}

//  --- The index by id --------------------------------------------------------------------------

//  Fibonacci hashing: the top bits of id times 2^64 / phi spread consecutive ids evenly.
static size_t s_bucket (const tl_book_t *self, int64_t id)
{
    uint64_t hash = (uint64_t) id * UINT64_C (0x9E3779B97F4A7C15);
    return (size_t) (hash >> (64 - self->bucket_bits));
}

//  The bucket holding id, or the empty bucket where it would go.
static size_t s_find (const tl_book_t *self, int64_t id)
{
    size_t bucket = s_bucket (self, id);
    while (self->index[bucket] && self->entries[self->index[bucket] - 1].id != id)
        bucket = (bucket + 1) & (self->buckets - 1);
    return bucket;
}

static void s_rehash (tl_book_t *self, size_t buckets)
{
    free (self->index);
    self->buckets = buckets;
    self->bucket_bits = 0;
    while (((size_t) 1 << self->bucket_bits) < buckets)
        self->bucket_bits++;
    self->index = calloc (buckets, sizeof *self->index);
    assert (self->index);
    for (size_t slot = 0; slot < self->count; slot++)
        self->index[s_find (self, self->entries[slot].id)] = (uint32_t) slot + 1;
}

//  Empty a bucket, moving later members of its run back so that every lookup still finds them
//  (deletion for linear probing without tombstones).
static void s_unindex (tl_book_t *self, size_t hole)
{
    size_t mask = self->buckets - 1;
    self->index[hole] = 0;
    for (size_t next = (hole + 1) & mask; self->index[next]; next = (next + 1) & mask) {
        size_t home = s_bucket (self, self->entries[self->index[next] - 1].id);
        //  It may move to the hole unless its home lies cyclically in (hole, next].
        bool stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (!stays) {
            self->index[hole] = self->index[next];
            self->index[next] = 0;
            hole = next;
        }
    }
}

//  --- Children --------------------------------------------------------------------------------

static char *s_strdup_or_null (const char *text)
{
    if (!text)
        return NULL;
    char *copy = strdup (text);
    assert (copy);
    return copy;
}

static bool s_same (const char *a, const char *b)
{
    return a == b || (a && b && strcmp (a, b) == 0);
}

//  The child's index, added when new; its allocation updated to the latest put.
static uint32_t s_child (tl_book_t *self, const tl_book_deadline_t *deadline)
{
    char key[256];
    snprintf (key, sizeof key, "%s\x1f%s", deadline->la_code, deadline->child_id);
    uintptr_t found = (uintptr_t) zhashx_lookup (self->child_index, key);
    if (found) {
        s_child_t *child = &self->children[found - 1];
        if (!s_same (child->team_id, deadline->team_id)) {
            free (child->team_id);
            child->team_id = s_strdup_or_null (deadline->team_id);
        }
        if (!s_same (child->worker_id, deadline->worker_id)) {
            free (child->worker_id);
            child->worker_id = s_strdup_or_null (deadline->worker_id);
        }
        return (uint32_t) (found - 1);
    }
    if (self->child_count == self->child_capacity) {
        self->child_capacity = self->child_capacity ? self->child_capacity * 2 : 1024;
        self->children = realloc (self->children, self->child_capacity * sizeof (s_child_t));
        assert (self->children);
    }
    s_child_t *child = &self->children[self->child_count];
    child->la_code = s_strdup_or_null (deadline->la_code);
    child->child_id = s_strdup_or_null (deadline->child_id);
    child->team_id = s_strdup_or_null (deadline->team_id);
    child->worker_id = s_strdup_or_null (deadline->worker_id);
    self->child_count++;
    zhashx_insert (self->child_index, key, (void *) (uintptr_t) self->child_count);
    return (uint32_t) (self->child_count - 1);
}

//  --- Deadlines -------------------------------------------------------------------------------

void tl_book_put (tl_book_t *self, const tl_book_deadline_t *deadline)
{
    assert (self);
    assert (deadline);
    assert (deadline->la_code && deadline->child_id);
    assert (deadline->clock < TL_CLOCK_COUNT);
    assert (tl_state_running (deadline->state));
    if (self->count + 1 > self->buckets / 2)
        s_rehash (self, self->buckets ? self->buckets * 2 : 1024);
    size_t bucket = s_find (self, deadline->id);
    size_t slot;
    if (self->index[bucket])
        slot = self->index[bucket] - 1;
    else {
        if (self->count == self->capacity) {
            self->capacity = self->capacity ? self->capacity * 2 : 1024;
            self->entries = realloc (self->entries, self->capacity * sizeof (s_entry_t));
            assert (self->entries);
        }
        slot = self->count++;
        self->index[bucket] = (uint32_t) slot + 1;
    }
    s_triggers_t triggers =
        s_triggers (self, deadline->clock, deadline->due_on, deadline->planned_on);
    self->entries[slot] = (s_entry_t){
        .id = deadline->id,
        .child = s_child (self, deadline),
        .clock = (uint8_t) deadline->clock,
        .state = (uint8_t) deadline->state,
        .alerts = (uint16_t) deadline->alerts,
        .started_on = deadline->started_on,
        .due_on = deadline->due_on,
        .planned_on = deadline->planned_on,
        .soon_on = triggers.soon_on,
        .overdue_by_on = triggers.overdue_by_on,
    };
}

void tl_book_remove (tl_book_t *self, int64_t id)
{
    assert (self);
    if (!self->count)
        return;
    size_t bucket = s_find (self, id);
    if (!self->index[bucket])
        return;
    size_t slot = self->index[bucket] - 1;
    s_unindex (self, bucket);
    size_t last = self->count - 1;
    if (slot != last) {
        //  The last entry fills the hole; its bucket points at its new slot.
        self->entries[slot] = self->entries[last];
        self->index[s_find (self, self->entries[slot].id)] = (uint32_t) slot + 1;
    }
    self->count--;
}

static void s_view (const tl_book_t *self, const s_entry_t *entry, tl_book_deadline_t *deadline)
{
    const s_child_t *child = &self->children[entry->child];
    *deadline = (tl_book_deadline_t){
        .id = entry->id,
        .la_code = child->la_code,
        .child_id = child->child_id,
        .team_id = child->team_id,
        .worker_id = child->worker_id,
        .clock = (tl_clock_id_t) entry->clock,
        .started_on = entry->started_on,
        .due_on = entry->due_on,
        .planned_on = entry->planned_on,
        .state = (tl_state_t) entry->state,
        .alerts = entry->alerts,
    };
}

bool tl_book_get (tl_book_t *self, int64_t id, tl_book_deadline_t *deadline)
{
    assert (self);
    assert (deadline);
    if (!self->count)
        return false;
    size_t bucket = s_find (self, id);
    if (!self->index[bucket])
        return false;
    s_view (self, &self->entries[self->index[bucket] - 1], deadline);
    return true;
}

size_t tl_book_count (tl_book_t *self)
{
    assert (self);
    return self->count;
}

void tl_book_clear (tl_book_t *self)
{
    assert (self);
    self->count = 0;
    if (self->index)
        memset (self->index, 0, self->buckets * sizeof *self->index);
    s_children_free (self);
}

size_t tl_book_sweep (tl_book_t *self, jy_date_t today, tl_book_change_fn *change, void *arg)
{
    assert (self);
    size_t changed = 0;
    for (size_t slot = 0; slot < self->count; slot++) {
        s_entry_t *entry = &self->entries[slot];
        s_triggers_t triggers = {entry->soon_on, entry->due_on, entry->overdue_by_on,
                                 entry->planned_on};
        uint32_t alerts = entry->alerts;
        tl_state_t state;
        uint32_t raised = s_evaluate (&triggers, today, &alerts, &state);
        if (alerts == entry->alerts && state == (tl_state_t) entry->state)
            continue;
        entry->alerts = (uint16_t) alerts;
        entry->state = (uint8_t) state;
        changed++;
        if (change) {
            tl_book_deadline_t deadline;
            s_view (self, entry, &deadline);
            change (arg, &deadline, raised);
        }
    }
    return changed;
}
