/*  derive: a child's deadlines from the child's case records (derive.h; docs/clocks.md gives
    every clock's start, what meets it and what cancels it, and the choices made here).

    Shape: the records that can meet a clock (meetings, visits, health assessments, PEPs,
    assessments, open bookings) go into sorted indexes of (kind, link, date) once per child;
    each clock then finds what meets it with a binary search, so a child with hundreds of
    visits costs O(n log n), never a scan per visit. Chained clocks (RCPCs, reviews, visits,
    RHAs) collect the dates of their meetings in order and walk them link by link.

    The rules every deadline shares (s_emit):
    - a record dated before a clock's start does not meet it; met on the due date is on time;
    - a clock ends at the earliest of: met, its scope ending (plan, period, placement,
      referral, s47 without ICPC) and the case closing; met wins a tie, and a scope ending
      on the same day as the case closing gives the scope's reason;
    - the case closing cancels only the clocks that started on or before closed_on (a contact
      received after a closure still needs its decision); every closure counts, the case's
      current one and any before a reopening (projection.case_closure), each ending what started
      on or before it;
    - a chain starts no further link on or after its scope's end or the case's closure.
*/
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

//  --- The child and the deadline list ------------------------------------------------------

tl_child_t *tl_child_new (const char *la_code, const char *child_id)
{
    assert (la_code && child_id);
    tl_child_t *self = calloc (1, sizeof *self);
    assert (self);
    self->la_code = strdup (la_code);
    self->child_id = strdup (child_id);
    assert (self->la_code && self->child_id);
    self->date_of_birth = JY_DATE_INVALID;
    self->closed_on = JY_DATE_INVALID;
    return self;
}

//  Frees each listed string of every element, then the array.
#define S_FREE_ARRAY(array, count, ...)                                                            \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (count); i_++) {                                                  \
            char *strings_[] = {__VA_ARGS__};                                                      \
            for (size_t s_ = 0; s_ < sizeof strings_ / sizeof strings_[0]; s_++)                   \
                free (strings_[s_]);                                                               \
        }                                                                                          \
        free (array);                                                                              \
    } while (0)

void tl_child_destroy (tl_child_t **self_p)
{
    assert (self_p);
    tl_child_t *self = *self_p;
    if (!self)
        return;
    S_FREE_ARRAY (self->contacts, self->n_contacts, self->contacts[i_].id);
    S_FREE_ARRAY (self->referrals, self->n_referrals, self->referrals[i_].id);
    S_FREE_ARRAY (self->assessments, self->n_assessments, self->assessments[i_].id,
                  self->assessments[i_].referral_id);
    S_FREE_ARRAY (self->strategies, self->n_strategies, self->strategies[i_].id,
                  self->strategies[i_].referral_id, self->strategies[i_].s47_id);
    S_FREE_ARRAY (self->s47s, self->n_s47s, self->s47s[i_].id, self->s47s[i_].strategy_id);
    S_FREE_ARRAY (self->bookings, self->n_bookings, self->bookings[i_].id, self->bookings[i_].kind);
    S_FREE_ARRAY (self->meetings, self->n_meetings, self->meetings[i_].id, self->meetings[i_].kind,
                  self->meetings[i_].conference_id, self->meetings[i_].s47_id,
                  self->meetings[i_].plan_id, self->meetings[i_].period_id);
    S_FREE_ARRAY (self->cp_plans, self->n_cp_plans, self->cp_plans[i_].id);
    S_FREE_ARRAY (self->cin_plans, self->n_cin_plans, self->cin_plans[i_].id);
    S_FREE_ARRAY (self->visits, self->n_visits, self->visits[i_].id, self->visits[i_].context);
    S_FREE_ARRAY (self->periods, self->n_periods, self->periods[i_].id);
    S_FREE_ARRAY (self->placements, self->n_placements, self->placements[i_].id,
                  self->placements[i_].period_id);
    S_FREE_ARRAY (self->health, self->n_health, self->health[i_].id, self->health[i_].kind);
    S_FREE_ARRAY (self->peps, self->n_peps, self->peps[i_].id);
    S_FREE_ARRAY (self->missing, self->n_missing, self->missing[i_].id);
    S_FREE_ARRAY (self->allocations, self->n_allocations, self->allocations[i_].id,
                  self->allocations[i_].team_id, self->allocations[i_].worker_id);
    free (self->closures);
    free (self->la_code);
    free (self->child_id);
    free (self->team_id);
    free (self->worker_id);
    free (self);
    *self_p = NULL;
}

//  Spell a is later than spell b: allocated later; on the same day, still open longer; then by id
//  (the same answer whatever order the rows came in).
static bool s_spell_later (const tl_allocation_t *a, const tl_allocation_t *b)
{
    if (a->allocated_on != b->allocated_on)
        return a->allocated_on > b->allocated_on;
    jy_date_t a_end = a->ended_on == JY_DATE_INVALID ? INT32_MAX : a->ended_on;
    jy_date_t b_end = b->ended_on == JY_DATE_INVALID ? INT32_MAX : b->ended_on;
    if (a_end != b_end)
        return a_end > b_end;
    return strcmp (a->id ? a->id : "", b->id ? b->id : "") > 0;
}

void tl_child_allocation_on (const tl_child_t *child, jy_date_t on, const char **team_id,
                             const char **worker_id)
{
    assert (child && team_id && worker_id);
    const tl_allocation_t *before = NULL, *after = NULL;
    for (size_t i = 0; i < child->n_allocations; i++) {
        const tl_allocation_t *spell = &child->allocations[i];
        if (spell->allocated_on == JY_DATE_INVALID)
            continue;
        if (on != JY_DATE_INVALID && spell->allocated_on <= on) {
            if (!before || s_spell_later (spell, before))
                before = spell;
        } else if (!after || s_spell_later (after, spell))
            after = spell;
    }
    const tl_allocation_t *spell = before ? before : after;
    *team_id = spell ? spell->team_id : child->team_id;
    *worker_id = spell ? spell->worker_id : child->worker_id;
}

void tl_deadlines_init (tl_deadlines_t *list)
{
    assert (list);
    list->items = NULL;
    list->count = 0;
    list->capacity = 0;
}

void tl_deadlines_clear (tl_deadlines_t *list)
{
    assert (list);
    free (list->items);
    tl_deadlines_init (list);
}

static tl_deadline_t *s_deadlines_append (tl_deadlines_t *list)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 16;
        list->items = realloc (list->items, list->capacity * sizeof *list->items);
        assert (list->items);
    }
    tl_deadline_t *deadline = &list->items[list->count++];
    memset (deadline, 0, sizeof *deadline);
    return deadline;
}

static int s_deadline_compare (const void *a, const void *b)
{
    const tl_deadline_t *x = a, *y = b;
    if (x->clock != y->clock)
        return x->clock < y->clock ? -1 : 1;
    return strcmp (x->anchor, y->anchor);
}

//  --- Sorted indexes of (kind, link, date) -------------------------------------------------

//  The words the indexes use for records that have no kind of their own.
#define S_KIND_ANY      "#any"
#define S_KIND_PEP      "#pep"
#define S_KIND_CURRENT  "current" //  assessments: not legacy initial
#define S_KIND_LEGACY   "legacy"
#define S_KIND_PLAN     "plan"
#define S_KIND_S47      "s47"
#define S_KIND_STRATEGY "strategy"

typedef struct {
    const char *kind; //  never NULL ("" for a record without one)
    const char *link; //  the record it names (plan, period, s47, referral); NULL: none
    jy_date_t on;
    const char *id; //  breaks ties so that the order never depends on arrival
    const void *record;
} s_entry_t;

typedef struct {
    s_entry_t *items;
    size_t count, capacity;
} s_index_t;

static const char *s_text (const char *text)
{
    return text ? text : "";
}

static void s_index_add (s_index_t *index, const char *kind, const char *link, jy_date_t on,
                         const char *id, const void *record)
{
    if (on == JY_DATE_INVALID)
        return;
    if (index->count == index->capacity) {
        index->capacity = index->capacity ? index->capacity * 2 : 16;
        index->items = realloc (index->items, index->capacity * sizeof *index->items);
        assert (index->items);
    }
    index->items[index->count++] = (s_entry_t){s_text (kind), link, on, s_text (id), record};
}

//  Kind, then link (none first), then date, then id.
static int s_entry_compare (const s_entry_t *x, const s_entry_t *y)
{
    int order = strcmp (x->kind, y->kind);
    if (order)
        return order;
    if (!x->link != !y->link)
        return x->link ? 1 : -1;
    if (x->link && (order = strcmp (x->link, y->link)))
        return order;
    if (x->on != y->on)
        return x->on < y->on ? -1 : 1;
    return strcmp (x->id, y->id);
}

static int s_entry_qsort (const void *a, const void *b)
{
    return s_entry_compare (a, b);
}

static void s_index_sort (s_index_t *index)
{
    if (index->count > 1)
        qsort (index->items, index->count, sizeof *index->items, s_entry_qsort);
}

static void s_index_free (s_index_t *index)
{
    free (index->items);
    memset (index, 0, sizeof *index);
}

static bool s_entry_in_group (const s_entry_t *entry, const char *kind, const char *link)
{
    if (strcmp (entry->kind, kind) != 0 || !entry->link != !link)
        return false;
    return !link || strcmp (entry->link, link) == 0;
}

//  Position of the first entry of (kind, link) dated on or after from; index->count if none.
static size_t s_index_first (const s_index_t *index, const char *kind, const char *link,
                             jy_date_t from)
{
    s_entry_t key = {kind, link, from, "", NULL};
    size_t low = 0, high = index->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (s_entry_compare (&index->items[middle], &key) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < index->count && s_entry_in_group (&index->items[low], kind, link))
        return low;
    return index->count;
}

//  The first entry of (kind, link) dated on or after from, or NULL.
static const s_entry_t *s_index_find (const s_index_t *index, const char *kind, const char *link,
                                      jy_date_t from)
{
    size_t at = s_index_first (index, kind, link, from);
    return at < index->count ? &index->items[at] : NULL;
}

static jy_date_t s_entry_date (const s_entry_t *entry)
{
    return entry ? entry->on : JY_DATE_INVALID;
}

static jy_date_t s_earliest (jy_date_t a, jy_date_t b)
{
    if (a == JY_DATE_INVALID)
        return b;
    if (b == JY_DATE_INVALID)
        return a;
    return a < b ? a : b;
}

//  --- Dated lists for chains -----------------------------------------------------------------

typedef struct {
    jy_date_t on;
    const char *id;
} s_dated_t;

typedef struct {
    s_dated_t *items;
    size_t count, capacity;
} s_dates_t;

static void s_dates_push (s_dates_t *dates, jy_date_t on, const char *id)
{
    if (dates->count == dates->capacity) {
        dates->capacity = dates->capacity ? dates->capacity * 2 : 16;
        dates->items = realloc (dates->items, dates->capacity * sizeof *dates->items);
        assert (dates->items);
    }
    dates->items[dates->count++] = (s_dated_t){on, id};
}

//  Appends the entries of (kind, link) dated from..until (until JY_DATE_INVALID: no end).
static void s_dates_collect (s_dates_t *dates, const s_index_t *index, const char *kind,
                             const char *link, jy_date_t from, jy_date_t until)
{
    for (size_t at = s_index_first (index, kind, link, from); at < index->count; at++) {
        const s_entry_t *entry = &index->items[at];
        if (!s_entry_in_group (entry, kind, link) ||
            (until != JY_DATE_INVALID && entry->on > until))
            break;
        s_dates_push (dates, entry->on, entry->id);
    }
}

static int s_dated_compare (const void *a, const void *b)
{
    const s_dated_t *x = a, *y = b;
    if (x->on != y->on)
        return x->on < y->on ? -1 : 1;
    return strcmp (x->id, y->id);
}

//  In date order, one per day (two meetings on one day are one meeting recorded twice).
static void s_dates_finish (s_dates_t *dates)
{
    if (dates->count < 2)
        return;
    qsort (dates->items, dates->count, sizeof *dates->items, s_dated_compare);
    size_t kept = 1;
    for (size_t i = 1; i < dates->count; i++)
        if (dates->items[i].on != dates->items[kept - 1].on)
            dates->items[kept++] = dates->items[i];
    dates->count = kept;
}

//  --- Deriving -------------------------------------------------------------------------------

typedef struct {
    tl_clocks_t *clocks;
    jy_calendar_t *calendar;
    const tl_child_t *child;
    tl_deadlines_t *out;
    int rc;
    s_index_t meetings_by_plan;   //  (kind, plan_id, held_on)
    s_index_t meetings_by_period; //  (kind, period_id, held_on)
    s_index_t meetings_by_s47;    //  (kind, s47_id, held_on)
    s_index_t meetings_by_date;   //  (kind, -, held_on)
    s_index_t seen_visits;        //  (context, -, visited_on): visits where the child was seen
    s_index_t health;             //  (kind and "*", -, done_on), PEPs as ("pep", -, done_on)
    s_index_t assessments;        //  ("current" | "legacy", referral_id, date completed)
    s_index_t open_bookings;      //  (kind, -, planned_on): neither held nor cancelled
    s_index_t records;            //  CP plans by id and start; s47s by id and strategy
    s_dates_t dates;              //  scratch for chains
} s_derive_t;

//  One deadline's facts, for s_emit.
typedef struct {
    tl_clock_id_t clock;
    const char *anchor;
    jy_date_t start;
    bool use_alt;             //  the rule's limit_alt
    jy_date_t met_on;         //  the earliest record that meets it, on or after start
    jy_date_t scope_end;      //  its plan, period, ... ended (JY_DATE_INVALID: none)
    const char *scope_reason; //  the cancel reason when the scope ends first
    const char *planned_kind; //  the booking kind that would meet it, or NULL
} s_link_t;

//  The anchor as given, or when too long for the deadline its start and a hash of the whole,
//  so that it stays unique and stable.
static void s_anchor (char *anchor, size_t size, const char *format, ...)
{
    char full[512];
    va_list args;
    va_start (args, format);
    int length = vsnprintf (full, sizeof full, format, args);
    va_end (args);
    if (length >= 0 && (size_t) length < size) {
        memcpy (anchor, full, (size_t) length + 1);
        return;
    }
    uint64_t hash = 14695981039346656037ULL; //  FNV-1a
    for (const char *p = full; *p; p++) {
        hash ^= (unsigned char) *p;
        hash *= 1099511628211ULL;
    }
    assert (size > 18);
    size_t keep = size - 18;
    snprintf (anchor, size, "%.*s#%016llx", (int) keep, full, (unsigned long long) hash);
}

//  The first closure of the case on or after `from` (the one that ends what started that day),
//  from every closure recorded, so that a case reopened since keeps what its closure ended;
//  JY_DATE_INVALID when none.
static jy_date_t s_closed_from (const tl_child_t *child, jy_date_t from)
{
    jy_date_t closed = child->closed_on != JY_DATE_INVALID && child->closed_on >= from
                           ? child->closed_on
                           : JY_DATE_INVALID;
    for (size_t i = 0; i < child->n_closures; i++)
        if (child->closures[i] >= from)
            closed = s_earliest (closed, child->closures[i]);
    return closed;
}

static void s_emit (s_derive_t *self, const s_link_t *link)
{
    const tl_clock_rule_t *rule = tl_clocks_rule (self->clocks, link->clock);
    if (!rule->enabled || link->start == JY_DATE_INVALID)
        return;
    jy_date_t due;
    if (tl_clocks_due (self->clocks, self->calendar, link->clock, link->start, link->use_alt,
                       &due) != 0) {
        self->rc = -1;
        return;
    }
    tl_deadline_t *deadline = s_deadlines_append (self->out);
    deadline->clock = link->clock;
    s_anchor (deadline->anchor, sizeof deadline->anchor, "%s", link->anchor);
    deadline->started_on = link->start;
    deadline->due_on = due;
    deadline->end = TL_END_NONE;
    deadline->met_on = JY_DATE_INVALID;
    deadline->cancelled_on = JY_DATE_INVALID;
    deadline->planned_on = JY_DATE_INVALID;

    jy_date_t ended = s_earliest (link->scope_end, s_closed_from (self->child, link->start));
    jy_date_t met = link->met_on != JY_DATE_INVALID && link->met_on >= link->start
                        ? link->met_on
                        : JY_DATE_INVALID;
    if (met != JY_DATE_INVALID && (ended == JY_DATE_INVALID || met <= ended)) {
        deadline->end = TL_END_MET;
        deadline->met_on = met;
        if (met > due && jy_calendar_working_days_between (self->calendar, due, met,
                                                           &deadline->late_working_days) != 0)
            self->rc = -1;
        //  A working-day clock is met in time when at most its limit of working days passed
        //  from the start to the day met, as the DfE counts: due is the limit-th working day,
        //  so met after it with no working day between (a Saturday after a Friday due date) is
        //  in time. Other units compare dates.
        bool working_days =
            rule->unit == TL_UNIT_WORKING_DAYS && !(link->use_alt && rule->limit_alt > 0);
        deadline->met_in_time =
            met <= due || (working_days && met > due && deadline->late_working_days == 0);
    } else if (ended != JY_DATE_INVALID) {
        deadline->end = TL_END_CANCELLED;
        deadline->cancelled_on = ended;
        deadline->cancel_reason = ended == link->scope_end ? link->scope_reason : "case_closed";
    } else if (link->planned_kind) {
        //  Strictly after the start: a booking for the start day is the meeting that started
        //  this link (a chained clock), left open when the CMS did not say it was held.
        const s_entry_t *booking =
            s_index_find (&self->open_bookings, link->planned_kind, NULL, link->start + 1);
        deadline->planned_on = s_entry_date (booking);
    }
}

//  A chain of links: from the origin (or the first date) to the first date, then from each
//  date to the next, while the scope lasts.
typedef struct {
    tl_clock_id_t first, second, later; //  the clock of link 0, link 1 and the rest
    const char *scope_id;               //  anchors "<scope>", then "<scope>/<n>"
    bool from_origin;                   //  link 0 starts at origin; else at the first date
    jy_date_t origin;
    bool anchor_by_id; //  anchor each link by the record that started it
    jy_date_t scope_end;
    const char *scope_reason;
    const char *planned_kind;
    jy_date_t alt_from; //  links starting on or after it use limit_alt
} s_chain_t;

static void s_chain (s_derive_t *self, const s_chain_t *chain, const s_dates_t *dates)
{
    const s_dated_t *date = dates->items;
    size_t links = chain->from_origin ? dates->count + 1 : dates->count;
    jy_date_t first_start = chain->from_origin ? chain->origin : dates->count ? date[0].on : 0;
    jy_date_t stop = s_earliest (chain->scope_end, s_closed_from (self->child, first_start));

    for (size_t i = 0; i < links; i++) {
        //  Link i starts at start_at and is met by the date at met_at.
        size_t met_at = chain->from_origin ? i : i + 1;
        jy_date_t start = chain->from_origin && i == 0 ? chain->origin : date[met_at - 1].on;
        if (!(chain->from_origin && i == 0) && stop != JY_DATE_INVALID && start >= stop)
            break;
        char anchor[sizeof ((tl_deadline_t *) 0)->anchor];
        if (chain->anchor_by_id)
            s_anchor (anchor, sizeof anchor, "%s", date[met_at - 1].id);
        else if (chain->from_origin)
            s_anchor (anchor, sizeof anchor, i ? "%s/%zu" : "%s", chain->scope_id, i);
        else
            s_anchor (anchor, sizeof anchor, "%s/%zu", chain->scope_id, i + 1);
        s_link_t link = {
            .clock = i == 0   ? chain->first
                     : i == 1 ? chain->second
                              : chain->later,
            .anchor = anchor,
            .start = start,
            .use_alt = chain->alt_from != JY_DATE_INVALID && start >= chain->alt_from,
            .met_on = met_at < dates->count ? date[met_at].on : JY_DATE_INVALID,
            .scope_end = chain->scope_end,
            .scope_reason = chain->scope_reason,
            .planned_kind = chain->planned_kind,
        };
        s_emit (self, &link);
        if (link.met_on == JY_DATE_INVALID)
            break;
    }
}

//  The dates of the meetings of a kind for a plan or period: those naming it (on or after its
//  start), and those naming none held while it ran.
static void s_scope_meetings (s_derive_t *self, const s_index_t *index, const char *kind,
                              const char *scope_id, jy_date_t started_on, jy_date_t ended_on)
{
    self->dates.count = 0;
    s_dates_collect (&self->dates, index, kind, scope_id, started_on, JY_DATE_INVALID);
    s_dates_collect (&self->dates, index, kind, NULL, started_on, ended_on);
    s_dates_finish (&self->dates);
}

//  --- The clocks, in clocks.h's order --------------------------------------------------------

static void s_contact_decision (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_contacts; i++) {
        const tl_contact_t *contact = &self->child->contacts[i];
        s_emit (self, &(s_link_t){.clock = TL_CLOCK_CONTACT_DECISION,
                                  .anchor = contact->id,
                                  .start = contact->received_on,
                                  .met_on = contact->decided_on,
                                  .scope_end = JY_DATE_INVALID});
    }
}

//  Assessment and legacy initial: the earliest assessment of the kind done for the referral.
static void s_assessment (s_derive_t *self, tl_clock_id_t clock, const char *kind)
{
    for (size_t i = 0; i < self->child->n_referrals; i++) {
        const tl_referral_t *referral = &self->child->referrals[i];
        const s_entry_t *done =
            s_index_find (&self->assessments, kind, referral->id, referral->received_on);
        s_emit (self, &(s_link_t){.clock = clock,
                                  .anchor = referral->id,
                                  .start = referral->received_on,
                                  .met_on = s_entry_date (done),
                                  .scope_end = referral->closed_on,
                                  .scope_reason = "referral_closed"});
    }
}

static const tl_s47_t *s_s47_of (s_derive_t *self, const tl_strategy_t *strategy)
{
    const s_entry_t *entry =
        strategy->s47_id
            ? s_index_find (&self->records, S_KIND_S47, strategy->s47_id, INT32_MIN + 1)
            : s_index_find (&self->records, S_KIND_STRATEGY, strategy->id, INT32_MIN + 1);
    return entry ? entry->record : NULL;
}

static void s_icpc (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_strategies; i++) {
        const tl_strategy_t *strategy = &self->child->strategies[i];
        if (strategy->s47_started != 1)
            continue;
        const tl_s47_t *s47 = s_s47_of (self, strategy);
        const char *s47_id = strategy->s47_id ? strategy->s47_id : s47 ? s47->id : NULL;
        jy_date_t start = strategy->held_on;
        //  The ICPC of this enquiry, else one naming no enquiry; with the enquiry unknown,
        //  any ICPC.
        const s_entry_t *icpc = NULL;
        if (s47_id) {
            icpc = s_index_find (&self->meetings_by_s47, "icpc", s47_id, start);
            if (!icpc)
                icpc = s_index_find (&self->meetings_by_s47, "icpc", NULL, start);
        } else
            icpc = s_index_find (&self->meetings_by_date, "icpc", NULL, start);
        bool no_icpc = s47 && s47->icpc_required == 0 && s47->completed_on != JY_DATE_INVALID;
        s_emit (self, &(s_link_t){.clock = TL_CLOCK_ICPC,
                                  .anchor = strategy->id,
                                  .start = start,
                                  .met_on = s_entry_date (icpc),
                                  .scope_end = no_icpc ? s47->completed_on : JY_DATE_INVALID,
                                  .scope_reason = "s47_no_icpc",
                                  .planned_kind = "icpc"});
    }
}

static void s_core_group (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_meetings; i++) {
        const tl_meeting_t *icpc = &self->child->meetings[i];
        if (!icpc->kind || strcmp (icpc->kind, "icpc") != 0 || icpc->plan_made != 1)
            continue;
        jy_date_t start = icpc->held_on;
        //  The plan it made: the one it names, else a CP plan starting that day.
        const s_entry_t *plan_entry =
            icpc->plan_id ? s_index_find (&self->records, S_KIND_PLAN, icpc->plan_id, INT32_MIN + 1)
                          : s_index_find (&self->records, S_KIND_PLAN, NULL, start);
        if (plan_entry && !icpc->plan_id && plan_entry->on != start)
            plan_entry = NULL;
        const tl_plan_t *plan = plan_entry ? plan_entry->record : NULL;
        const char *plan_id = icpc->plan_id ? icpc->plan_id : plan ? plan->id : NULL;
        jy_date_t met;
        if (plan_id)
            met = s_earliest (
                s_entry_date (s_index_find (&self->meetings_by_plan, "core_group", plan_id, start)),
                s_entry_date (s_index_find (&self->meetings_by_plan, "core_group", NULL, start)));
        else
            met = s_entry_date (s_index_find (&self->meetings_by_date, "core_group", NULL, start));
        s_emit (self, &(s_link_t){.clock = TL_CLOCK_CORE_GROUP,
                                  .anchor = icpc->id,
                                  .start = start,
                                  .met_on = met,
                                  .scope_end = plan ? plan->ended_on : JY_DATE_INVALID,
                                  .scope_reason = "plan_ended",
                                  .planned_kind = "core_group"});
    }
}

//  RCPCs and CIN reviews: per plan, the first review from the plan's start, then each next.
static void s_plan_reviews (s_derive_t *self, const tl_plan_t *plans, size_t n_plans,
                            const char *kind, tl_clock_id_t first, tl_clock_id_t later)
{
    for (size_t i = 0; i < n_plans; i++) {
        const tl_plan_t *plan = &plans[i];
        if (plan->started_on == JY_DATE_INVALID)
            continue;
        s_scope_meetings (self, &self->meetings_by_plan, kind, plan->id, plan->started_on,
                          plan->ended_on);
        s_chain (self,
                 &(s_chain_t){first, later, later, plan->id, true, plan->started_on, false,
                              plan->ended_on, "plan_ended", kind, JY_DATE_INVALID},
                 &self->dates);
    }
}

static void s_cp_visit (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_cp_plans; i++) {
        const tl_plan_t *plan = &self->child->cp_plans[i];
        if (plan->started_on == JY_DATE_INVALID)
            continue;
        self->dates.count = 0;
        s_dates_collect (&self->dates, &self->seen_visits, "cp", NULL, plan->started_on,
                         plan->ended_on);
        s_dates_finish (&self->dates);
        s_chain (self,
                 &(s_chain_t){TL_CLOCK_CP_VISIT, TL_CLOCK_CP_VISIT, TL_CLOCK_CP_VISIT, plan->id,
                              true, plan->started_on, false, plan->ended_on, "plan_ended", NULL,
                              JY_DATE_INVALID},
                 &self->dates);
    }
}

static void s_cla_review (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_periods; i++) {
        const tl_period_t *period = &self->child->periods[i];
        if (period->started_on == JY_DATE_INVALID)
            continue;
        s_scope_meetings (self, &self->meetings_by_period, "cla_review", period->id,
                          period->started_on, period->ended_on);
        s_chain (self,
                 &(s_chain_t){TL_CLOCK_CLA_REVIEW_FIRST, TL_CLOCK_CLA_REVIEW_SECOND,
                              TL_CLOCK_CLA_REVIEW, period->id, true, period->started_on, false,
                              period->ended_on, "period_ended", "cla_review", JY_DATE_INVALID},
                 &self->dates);
    }
}

static void s_cla_visit (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_placements; i++) {
        const tl_placement_t *placement = &self->child->placements[i];
        if (placement->started_on == JY_DATE_INVALID)
            continue;
        self->dates.count = 0;
        s_dates_collect (&self->dates, &self->seen_visits, "cla", NULL, placement->started_on,
                         placement->ended_on);
        s_dates_finish (&self->dates);
        //  A placement meant to last to 18: after its first year, the longer limit.
        jy_date_t year_on = placement->long_term == 1
                                ? jy_date_add_months (placement->started_on, 12)
                                : JY_DATE_INVALID;
        s_chain (self,
                 &(s_chain_t){TL_CLOCK_CLA_VISIT_FIRST, TL_CLOCK_CLA_VISIT, TL_CLOCK_CLA_VISIT,
                              placement->id, true, placement->started_on, false,
                              placement->ended_on, "placement_ended", NULL, year_on},
                 &self->dates);
    }
}

//  IHA and PEP: the first of the kind done on or after the start of care.
static void s_period_first (s_derive_t *self, tl_clock_id_t clock, const char *kind)
{
    for (size_t i = 0; i < self->child->n_periods; i++) {
        const tl_period_t *period = &self->child->periods[i];
        const s_entry_t *done = s_index_find (&self->health, kind, NULL, period->started_on);
        s_emit (self, &(s_link_t){.clock = clock,
                                  .anchor = period->id,
                                  .start = period->started_on,
                                  .met_on = s_entry_date (done),
                                  .scope_end = period->ended_on,
                                  .scope_reason = "period_ended"});
    }
}

//  The first day on which the child is 5 (29 February birthdays: 1 March in common years).
static jy_date_t s_fifth_birthday (jy_date_t date_of_birth)
{
    if (date_of_birth == JY_DATE_INVALID)
        return JY_DATE_INVALID;
    jy_date_t birthday = jy_date_add_months (date_of_birth, 60);
    return jy_date_age_years (date_of_birth, birthday) < 5 ? birthday + 1 : birthday;
}

static void s_rha (s_derive_t *self)
{
    jy_date_t five_on = s_fifth_birthday (self->child->date_of_birth);
    for (size_t i = 0; i < self->child->n_periods; i++) {
        const tl_period_t *period = &self->child->periods[i];
        if (period->started_on == JY_DATE_INVALID)
            continue;
        //  From the first assessment of either kind in the period, then from each review.
        const s_entry_t *first = s_index_find (&self->health, S_KIND_ANY, NULL, period->started_on);
        if (!first || (period->ended_on != JY_DATE_INVALID && first->on > period->ended_on))
            continue;
        self->dates.count = 0;
        s_dates_push (&self->dates, first->on, first->id);
        s_dates_collect (&self->dates, &self->health, "review", NULL, first->on + 1,
                         period->ended_on);
        s_dates_finish (&self->dates);
        s_chain (self,
                 &(s_chain_t){TL_CLOCK_RHA, TL_CLOCK_RHA, TL_CLOCK_RHA, period->id, false,
                              JY_DATE_INVALID, false, period->ended_on, "period_ended", NULL,
                              five_on},
                 &self->dates);
    }
}

static void s_pathway_review (s_derive_t *self)
{
    self->dates.count = 0;
    s_dates_collect (&self->dates, &self->meetings_by_date, "pathway_review", NULL, INT32_MIN + 1,
                     JY_DATE_INVALID);
    s_dates_finish (&self->dates);
    s_chain (self,
             &(s_chain_t){TL_CLOCK_PATHWAY_REVIEW, TL_CLOCK_PATHWAY_REVIEW, TL_CLOCK_PATHWAY_REVIEW,
                          NULL, false, JY_DATE_INVALID, true, JY_DATE_INVALID, NULL,
                          "pathway_review", JY_DATE_INVALID},
             &self->dates);
}

static void s_rhi (s_derive_t *self)
{
    for (size_t i = 0; i < self->child->n_missing; i++) {
        const tl_missing_t *episode = &self->child->missing[i];
        s_emit (self, &(s_link_t){.clock = TL_CLOCK_RHI,
                                  .anchor = episode->id,
                                  .start = episode->ended_on,
                                  .met_on = episode->rhi_on,
                                  .scope_end = JY_DATE_INVALID});
    }
}

//  --- Indexes and the entry point -----------------------------------------------------------

static void s_derive_index (s_derive_t *self)
{
    const tl_child_t *child = self->child;
    for (size_t i = 0; i < child->n_meetings; i++) {
        const tl_meeting_t *m = &child->meetings[i];
        s_index_add (&self->meetings_by_plan, m->kind, m->plan_id, m->held_on, m->id, m);
        s_index_add (&self->meetings_by_period, m->kind, m->period_id, m->held_on, m->id, m);
        s_index_add (&self->meetings_by_s47, m->kind, m->s47_id, m->held_on, m->id, m);
        s_index_add (&self->meetings_by_date, m->kind, NULL, m->held_on, m->id, m);
    }
    for (size_t i = 0; i < child->n_visits; i++) {
        const tl_visit_t *v = &child->visits[i];
        if (v->seen == 1)
            s_index_add (&self->seen_visits, v->context, NULL, v->visited_on, v->id, v);
    }
    for (size_t i = 0; i < child->n_health; i++) {
        const tl_health_t *h = &child->health[i];
        s_index_add (&self->health, h->kind, NULL, h->done_on, h->id, h);
        s_index_add (&self->health, S_KIND_ANY, NULL, h->done_on, h->id, h);
    }
    for (size_t i = 0; i < child->n_peps; i++)
        s_index_add (&self->health, S_KIND_PEP, NULL, child->peps[i].done_on, child->peps[i].id,
                     &child->peps[i]);
    for (size_t i = 0; i < child->n_assessments; i++) {
        const tl_assessment_t *a = &child->assessments[i];
        if (!a->referral_id)
            continue;
        jy_date_t done = a->authorised_on != JY_DATE_INVALID ? a->authorised_on : a->completed_on;
        s_index_add (&self->assessments, a->legacy_initial == 1 ? S_KIND_LEGACY : S_KIND_CURRENT,
                     a->referral_id, done, a->id, a);
    }
    for (size_t i = 0; i < child->n_bookings; i++) {
        const tl_booking_t *b = &child->bookings[i];
        if (b->held_on == JY_DATE_INVALID && b->cancelled_on == JY_DATE_INVALID)
            s_index_add (&self->open_bookings, b->kind, NULL, b->planned_on, b->id, b);
    }
    //  Lookups by id carry a date so that they sort; INT32_MIN + 1 stands for "any date".
    for (size_t i = 0; i < child->n_cp_plans; i++) {
        const tl_plan_t *p = &child->cp_plans[i];
        s_index_add (&self->records, S_KIND_PLAN, p->id, INT32_MIN + 1, p->id, p);
        s_index_add (&self->records, S_KIND_PLAN, NULL, p->started_on, p->id, p);
    }
    for (size_t i = 0; i < child->n_s47s; i++) {
        const tl_s47_t *s = &child->s47s[i];
        s_index_add (&self->records, S_KIND_S47, s->id, INT32_MIN + 1, s->id, s);
        if (s->strategy_id)
            s_index_add (&self->records, S_KIND_STRATEGY, s->strategy_id,
                         s->started_on != JY_DATE_INVALID ? s->started_on : INT32_MIN + 1, s->id,
                         s);
    }
    s_index_t *indexes[] = {
        &self->meetings_by_plan, &self->meetings_by_period, &self->meetings_by_s47,
        &self->meetings_by_date, &self->seen_visits,        &self->health,
        &self->assessments,      &self->open_bookings,      &self->records};
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
        s_index_sort (indexes[i]);
}

static void s_derive_free (s_derive_t *self)
{
    s_index_free (&self->meetings_by_plan);
    s_index_free (&self->meetings_by_period);
    s_index_free (&self->meetings_by_s47);
    s_index_free (&self->meetings_by_date);
    s_index_free (&self->seen_visits);
    s_index_free (&self->health);
    s_index_free (&self->assessments);
    s_index_free (&self->open_bookings);
    s_index_free (&self->records);
    free (self->dates.items);
}

int tl_derive (tl_clocks_t *clocks, jy_calendar_t *calendar, const tl_child_t *child,
               tl_deadlines_t *out)
{
    assert (clocks && calendar && child && out);
    if (!child->exists)
        return 0;
    s_derive_t self = {.clocks = clocks, .calendar = calendar, .child = child, .out = out};
    s_derive_index (&self);
    size_t first = out->count;

    s_contact_decision (&self);
    s_assessment (&self, TL_CLOCK_ASSESSMENT, S_KIND_CURRENT);
    s_icpc (&self);
    s_core_group (&self);
    s_plan_reviews (&self, child->cp_plans, child->n_cp_plans, "rcpc", TL_CLOCK_RCPC_FIRST,
                    TL_CLOCK_RCPC);
    s_cp_visit (&self);
    s_plan_reviews (&self, child->cin_plans, child->n_cin_plans, "cin_review",
                    TL_CLOCK_CIN_REVIEW_FIRST, TL_CLOCK_CIN_REVIEW);
    s_cla_review (&self);
    s_cla_visit (&self);
    s_period_first (&self, TL_CLOCK_IHA, "initial");
    s_rha (&self);
    s_period_first (&self, TL_CLOCK_PEP, S_KIND_PEP);
    s_pathway_review (&self);
    s_rhi (&self);
    s_assessment (&self, TL_CLOCK_LEGACY_INITIAL, S_KIND_LEGACY);

    //  By clock and anchor, whatever order the records came in.
    if (out->count - first > 1)
        qsort (out->items + first, out->count - first, sizeof *out->items, s_deadline_compare);
    s_derive_free (&self);
    return self.rc;
}
