/*  case_store: the case state of every child, in memory (case_store.h is the design).

    Layout, chosen for loading a million events in a few seconds:
    - events and children live in open-addressing hash tables keyed by la_code + id;
    - event records, their keys and packed bytes come from a chunked arena freed only with the
      store (events are never forgotten: idempotency needs them for ever);
    - a row is one allocation holding its column offsets and a small arena for the key and
      values (a value that grows moves the row's text to a bigger buffer, compacting it);
    - each child keeps its effective history as an array of event records; a correction takes
      its target's slot, a retraction empties it, and a rebuild replays the slots in order.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store.h"

//  --- Hashing and the hash tables -----------------------------------------------------------

static uint64_t s_hash (const char *data, size_t size)
{
    uint64_t h = 14695981039346656037ULL; //  FNV-1a
    for (size_t i = 0; i < size; i++) {
        h ^= (unsigned char) data[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

typedef struct {
    uint64_t h;
    const char *key; //  owned by the item
    uint32_t key_size;
    void *item;
} s_slot_t;

typedef struct {
    s_slot_t *slots;
    size_t capacity; //  a power of two
    size_t count;
} s_map_t;

static void s_map_init (s_map_t *map, size_t capacity)
{
    map->slots = calloc (capacity, sizeof (s_slot_t));
    assert (map->slots);
    map->capacity = capacity;
    map->count = 0;
}

static void *s_map_get (s_map_t *map, const char *key, uint32_t key_size, uint64_t h)
{
    size_t mask = map->capacity - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        s_slot_t *slot = &map->slots[i];
        if (!slot->item)
            return NULL;
        if (slot->h == h && slot->key_size == key_size && memcmp (slot->key, key, key_size) == 0)
            return slot->item;
    }
}

static void s_map_insert (s_map_t *map, const char *key, uint32_t key_size, uint64_t h, void *item);

static void s_map_grow (s_map_t *map)
{
    s_map_t bigger;
    s_map_init (&bigger, map->capacity * 2);
    for (size_t i = 0; i < map->capacity; i++)
        if (map->slots[i].item)
            s_map_insert (&bigger, map->slots[i].key, map->slots[i].key_size, map->slots[i].h,
                          map->slots[i].item);
    free (map->slots);
    *map = bigger;
}

//  The key must not be there yet.
static void s_map_insert (s_map_t *map, const char *key, uint32_t key_size, uint64_t h, void *item)
{
    if ((map->count + 1) * 10 > map->capacity * 7)
        s_map_grow (map);
    size_t mask = map->capacity - 1;
    size_t i = h & mask;
    while (map->slots[i].item)
        i = (i + 1) & mask;
    map->slots[i] = (s_slot_t){h, key, key_size, item};
    map->count++;
}

//  "la_code\0id" into buf (or a malloc'd buffer when it does not fit: *heap set).
static char *s_make_key (char *buf, size_t size, const char *la_code, const char *id,
                         uint32_t *key_size, bool *heap)
{
    size_t la = strlen (la_code), length = la + 1 + strlen (id);
    *heap = length + 1 > size;
    char *key = *heap ? malloc (length + 1) : buf;
    assert (key);
    memcpy (key, la_code, la + 1);
    memcpy (key + la + 1, id, length - la);
    *key_size = (uint32_t) length;
    return key;
}

//  --- The arena of event records --------------------------------------------------------------

typedef struct _s_chunk_t {
    struct _s_chunk_t *next;
    size_t used, size;
    _Alignas(16) char data[];
} s_chunk_t;

#define CHUNK_SIZE (1u << 20)

//  --- Structures ------------------------------------------------------------------------------

typedef struct {
    case_event_info_t info; //  first: case_store_event returns it
    uint64_t h;
    const char *key; //  la_code\0event_id
    uint32_t key_size;
    int32_t slot; //  position in its child's history, or -1
    case_child_t *child;
    const uint8_t *packed;
    size_t packed_size;
    uint8_t hash[CASE_HASH_SIZE];
} s_event_t;

struct _case_row_t {
    case_row_t *next; //  in creation order within its child and table
    uint32_t key_hash;
    uint8_t table;
    bool dirty;
    bool persisted;          //  committed to the database (set at the clear after commit)
    uint32_t used, capacity; //  of text
    char *text;              //  the key at 0, then values; points at local or a heap buffer
    uint32_t values[PROJ_MAX_COLUMNS]; //  offset + 1 into text; 0 is NULL
    char local[];
};

//  A table's rows of one child by key hash, contiguous: finding a key scans this array
//  instead of chasing row pointers through memory.
typedef struct {
    uint32_t *hashes;
    case_row_t **rows;
    uint32_t count, capacity;
} s_index_t;

struct _case_child_t {
    case_store_t *store;
    const char *la_code; //  both in key
    const char *child_id;
    char *key;
    uint32_t key_size;
    uint64_t h;
    case_row_t *first[PROJ__COUNT];
    case_row_t *last[PROJ__COUNT];
    s_index_t index[PROJ__COUNT];
    s_event_t **history; //  slots in position order; NULL where retracted
    uint32_t history_size, history_capacity;
    bool listed;  //  in store->changed
    bool rebuilt; //  since the last clear
};

struct _case_store_t {
    s_map_t events;
    s_map_t children;
    s_chunk_t *arena;
    case_child_t **changed; //  children with dirty rows since the last clear
    size_t changed_count, changed_capacity;
};

static void *s_arena_alloc (case_store_t *self, size_t size)
{
    size = (size + 15) & ~(size_t) 15;
    s_chunk_t *chunk = self->arena;
    if (!chunk || chunk->used + size > chunk->size) {
        size_t capacity = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        chunk = malloc (sizeof (s_chunk_t) + capacity);
        assert (chunk);
        chunk->next = self->arena;
        chunk->used = 0;
        chunk->size = capacity;
        self->arena = chunk;
    }
    void *memory = chunk->data + chunk->used;
    chunk->used += size;
    return memory;
}

//  --- Store --------------------------------------------------------------------------------

case_store_t *case_store_new (void)
{
    case_store_t *self = calloc (1, sizeof *self);
    assert (self);
    s_map_init (&self->events, 1024);
    s_map_init (&self->children, 256);
    return self;
}

static void s_rows_free (case_child_t *child)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        case_row_t *row = child->first[t];
        while (row) {
            case_row_t *next = row->next;
            if (row->text != row->local)
                free (row->text);
            free (row);
            row = next;
        }
        child->first[t] = child->last[t] = NULL;
        child->index[t].count = 0;
    }
}

static void s_index_free (case_child_t *child)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        free (child->index[t].hashes);
        free (child->index[t].rows);
    }
}

void case_store_destroy (case_store_t **self_p)
{
    assert (self_p);
    case_store_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->children.capacity; i++) {
        case_child_t *child = self->children.slots[i].item;
        if (child) {
            s_rows_free (child);
            s_index_free (child);
            free (child->history);
            free (child->key);
            free (child);
        }
    }
    free (self->children.slots);
    free (self->events.slots);
    while (self->arena) {
        s_chunk_t *next = self->arena->next;
        free (self->arena);
        self->arena = next;
    }
    free (self->changed);
    free (self);
    *self_p = NULL;
}

//  The entry of map under (la_code, id), or NULL.
static void *s_map_find (s_map_t *map, const char *la_code, const char *id)
{
    char buf[256];
    uint32_t key_size;
    bool heap;
    char *key = s_make_key (buf, sizeof buf, la_code, id, &key_size, &heap);
    void *found = s_map_get (map, key, key_size, s_hash (key, key_size));
    if (heap)
        free (key);
    return found;
}

static s_event_t *s_event_lookup (case_store_t *self, const char *la_code, const char *event_id)
{
    return (s_event_t *) s_map_find (&self->events, la_code, event_id);
}

case_event_check_t case_store_check_event (case_store_t *self, const char *la_code,
                                           const char *event_id, const uint8_t *hash)
{
    assert (self && la_code && event_id && hash);
    s_event_t *event = s_event_lookup (self, la_code, event_id);
    if (!event)
        return CASE_EVENT_NEW;
    return memcmp (event->hash, hash, CASE_HASH_SIZE) == 0 ? CASE_EVENT_DUPLICATE
                                                           : CASE_EVENT_CONFLICT;
}

const case_event_info_t *case_store_event (case_store_t *self, const char *la_code,
                                           const char *event_id)
{
    assert (self);
    if (!la_code || !event_id)
        return NULL;
    s_event_t *event = s_event_lookup (self, la_code, event_id);
    return event ? &event->info : NULL;
}

size_t case_store_event_count (case_store_t *self)
{
    assert (self);
    return self->events.count;
}

size_t case_store_child_count (case_store_t *self)
{
    assert (self);
    return self->children.count;
}

//  --- Children -----------------------------------------------------------------------------

case_child_t *case_store_child (case_store_t *self, const char *la_code, const char *child_id)
{
    assert (self);
    if (!la_code || !child_id)
        return NULL;
    return (case_child_t *) s_map_find (&self->children, la_code, child_id);
}

static case_child_t *s_child_require (case_store_t *self, const char *la_code, const char *child_id)
{
    char buf[256];
    uint32_t key_size;
    bool heap;
    char *key = s_make_key (buf, sizeof buf, la_code, child_id, &key_size, &heap);
    uint64_t h = s_hash (key, key_size);
    case_child_t *child = s_map_get (&self->children, key, key_size, h);
    if (!child) {
        child = calloc (1, sizeof *child);
        assert (child);
        child->store = self;
        child->key = heap ? key : malloc (key_size + 1);
        assert (child->key);
        if (!heap)
            memcpy (child->key, key, key_size + 1);
        heap = false; //  the child owns it now
        child->key_size = key_size;
        child->h = h;
        child->la_code = child->key;
        child->child_id = child->key + strlen (la_code) + 1;
        s_map_insert (&self->children, child->key, key_size, h, child);
    }
    if (heap)
        free (key);
    return child;
}

static void s_child_list (case_child_t *child)
{
    if (child->listed)
        return;
    case_store_t *self = child->store;
    if (self->changed_count == self->changed_capacity) {
        self->changed_capacity = self->changed_capacity ? self->changed_capacity * 2 : 256;
        self->changed = realloc (self->changed, self->changed_capacity * sizeof *self->changed);
        assert (self->changed);
    }
    self->changed[self->changed_count++] = child;
    child->listed = true;
}

//  --- Rows ---------------------------------------------------------------------------------

static uint32_t s_key_hash (const char *key)
{
    return (uint32_t) s_hash (key, strlen (key));
}

case_row_t *case_child_find (case_child_t *child, proj_table_t table, const char *key)
{
    if (!child || !key || table < 0 || table >= PROJ__COUNT)
        return NULL;
    uint32_t h = s_key_hash (key);
    const s_index_t *index = &child->index[table];
    for (uint32_t i = 0; i < index->count; i++)
        if (index->hashes[i] == h && strcmp (index->rows[i]->text, key) == 0)
            return index->rows[i];
    return NULL;
}

case_row_t *case_child_upsert (case_child_t *child, proj_table_t table, const char *key)
{
    assert (child && key && table >= 0 && table < PROJ__COUNT);
    case_row_t *row = case_child_find (child, table, key);
    if (row)
        return row;
    size_t key_size = strlen (key) + 1;
    int columns = projection_table (table)->column_count;
    //  Room for the key and about a date per column: most rows never grow.
    size_t capacity = key_size + 12 * (size_t) columns;
    row = malloc (sizeof *row + capacity);
    assert (row);
    row->next = NULL;
    row->key_hash = s_key_hash (key);
    row->table = (uint8_t) table;
    row->dirty = true;
    row->persisted = false;
    row->text = row->local;
    row->capacity = (uint32_t) capacity;
    row->used = (uint32_t) key_size;
    memcpy (row->text, key, key_size);
    memset (row->values, 0, sizeof row->values);
    s_index_t *index = &child->index[table];
    if (index->count == index->capacity) {
        index->capacity = index->capacity ? index->capacity * 2 : 4;
        index->hashes = realloc (index->hashes, index->capacity * sizeof (uint32_t));
        index->rows = realloc (index->rows, index->capacity * sizeof (case_row_t *));
        assert (index->hashes && index->rows);
    }
    index->hashes[index->count] = row->key_hash;
    index->rows[index->count++] = row;
    if (child->last[table])
        child->last[table]->next = row;
    else
        child->first[table] = row;
    child->last[table] = row;
    return row;
}

case_row_t *case_child_first (case_child_t *child, proj_table_t table)
{
    if (!child || table < 0 || table >= PROJ__COUNT)
        return NULL;
    return child->first[table];
}

case_row_t *case_row_next (case_row_t *row)
{
    return row ? row->next : NULL;
}

const char *case_row_key (case_row_t *row)
{
    assert (row);
    return row->text;
}

const char *case_row_value (case_row_t *row, int column)
{
    assert (row);
    if (column < 0 || column >= projection_table (row->table)->column_count)
        return NULL;
    uint32_t offset = row->values[column];
    return offset ? row->text + offset - 1 : NULL;
}

case_row_t *case_child_find_open (case_child_t *child, proj_table_t table, const char *column)
{
    if (!child || table < 0 || table >= PROJ__COUNT)
        return NULL;
    int index = projection_column (table, column);
    if (index < 0)
        return NULL;
    for (case_row_t *row = child->first[table]; row; row = row->next)
        if (!row->values[index])
            return row;
    return NULL;
}

const char *case_row_get (case_row_t *row, const char *column)
{
    assert (row);
    return case_row_value (row, projection_column (row->table, column));
}

jy_date_t case_row_date (case_row_t *row, const char *column)
{
    const char *text = case_row_get (row, column);
    jy_date_t date = JY_DATE_INVALID;
    if (text)
        jy_date_parse (text, &date);
    return date;
}

bool case_row_bool (case_row_t *row, const char *column)
{
    const char *text = case_row_get (row, column);
    return text && strcmp (text, "true") == 0;
}

void case_row_set (case_row_t *row, int column, const char *value)
{
    assert (row);
    int columns = projection_table (row->table)->column_count;
    assert (column >= 0 && column < columns);
    uint32_t offset = row->values[column];
    const char *old = offset ? row->text + offset - 1 : NULL;
    if (!value) {
        if (old) {
            row->values[column] = 0;
            row->dirty = true;
        }
        return;
    }
    if (old && strcmp (old, value) == 0)
        return; //  no change, nothing to write
    size_t size = strlen (value) + 1;
    row->dirty = true;
    if (old && strlen (old) + 1 >= size) {
        memmove (row->text + offset - 1, value, size);
        return;
    }
    if (row->used + size > row->capacity) {
        //  Move to a bigger buffer holding only live text (the value may be in the old one).
        size_t live = strlen (row->text) + 1 + size;
        for (int c = 0; c < columns; c++)
            if (row->values[c] && c != column)
                live += strlen (row->text + row->values[c] - 1) + 1;
        size_t capacity = live * 2;
        char *text = malloc (capacity);
        assert (text);
        size_t used = strlen (row->text) + 1;
        memcpy (text, row->text, used);
        for (int c = 0; c < columns; c++) {
            if (row->values[c] && c != column) {
                const char *at = row->text + row->values[c] - 1;
                size_t length = strlen (at) + 1;
                memcpy (text + used, at, length);
                row->values[c] = (uint32_t) used + 1;
                used += length;
            }
        }
        memcpy (text + used, value, size);
        row->values[column] = (uint32_t) used + 1;
        used += size;
        if (row->text != row->local)
            free (row->text);
        row->text = text;
        row->capacity = (uint32_t) capacity;
        row->used = (uint32_t) used;
        return;
    }
    memcpy (row->text + row->used, value, size);
    row->values[column] = row->used + 1;
    row->used += (uint32_t) size;
}

//  --- Applying events -----------------------------------------------------------------------

static void s_history_append (case_child_t *child, s_event_t *event)
{
    if (child->history_size == child->history_capacity) {
        child->history_capacity = child->history_capacity ? child->history_capacity * 2 : 8;
        child->history = realloc (child->history, child->history_capacity * sizeof (s_event_t *));
        assert (child->history);
    }
    event->slot = (int32_t) child->history_size;
    child->history[child->history_size++] = event;
}

//  Drop the child's rows and replay its effective history: the same rows as applying that
//  history to an empty store, all dirty, and the child marked for deletion before writing.
static void s_rebuild (case_child_t *child)
{
    s_rows_free (child);
    for (uint32_t i = 0; i < child->history_size; i++) {
        s_event_t *event = child->history[i];
        if (!event)
            continue;
        Journey__V1__Event *unpacked =
            journey__v1__event__unpack (NULL, event->packed_size, event->packed);
        if (!unpacked || !unpacked->child_id) {
            //  The bytes were accepted with the event: bad ones are the caller's mistake.
            if (unpacked)
                journey__v1__event__free_unpacked (unpacked, NULL);
            continue;
        }
        projection_apply (child, unpacked);
        journey__v1__event__free_unpacked (unpacked, NULL);
    }
    child->rebuilt = true;
    s_child_list (child);
}

//  A retraction: the target leaves its child's history (with whatever correction holds its
//  position now), and that child is rebuilt.
static void s_retract (s_event_t *target)
{
    if (target->info.retracted)
        return;
    target->info.retracted = true;
    if (target->slot < 0)
        return;
    case_child_t *child = target->child;
    s_event_t *occupant = child->history[target->slot];
    if (!occupant)
        return;
    occupant->info.retracted = true;
    child->history[target->slot] = NULL;
    s_rebuild (child);
}

int case_store_apply (case_store_t *self, const Journey__V1__Event *event, const uint8_t *packed,
                      size_t packed_size, const uint8_t *hash)
{
    assert (self && event && hash && (packed || packed_size == 0));
    if (!event->la_code || !event->child_id || !event->event_id)
        return -1;

    char buf[256];
    uint32_t key_size;
    bool heap;
    char *key = s_make_key (buf, sizeof buf, event->la_code, event->event_id, &key_size, &heap);
    uint64_t h = s_hash (key, key_size);
    s_event_t *known = s_map_get (&self->events, key, key_size, h);
    if (known) {
        //  Applying an event twice changes nothing; a different event under its id is refused.
        if (heap)
            free (key);
        return memcmp (known->hash, hash, CASE_HASH_SIZE) == 0 ? 0 : -1;
    }

    //  Without the caller's bytes, pack them here: a rebuild replays from bytes.
    bool pack_here = !packed || packed_size == 0;
    if (pack_here)
        packed_size = journey__v1__event__get_packed_size (event);
    case_child_t *child = s_child_require (self, event->la_code, event->child_id);
    s_event_t *record = s_arena_alloc (self, sizeof *record + key_size + 1 + packed_size);
    char *record_key = (char *) (record + 1);
    memcpy (record_key, key, key_size + 1);
    if (heap)
        free (key);
    uint8_t *record_packed = (uint8_t *) record_key + key_size + 1;
    if (pack_here)
        journey__v1__event__pack (event, record_packed);
    else
        memcpy (record_packed, packed, packed_size);
    record->info.child_id = child->child_id;
    record->info.payload_case = (int) event->payload_case;
    record->info.superseded = false;
    record->info.retracted = false;
    record->info.occurred_on = JY_DATE_INVALID;
    if (event->occurred_on)
        jy_date_parse (event->occurred_on, &record->info.occurred_on);
    record->h = h;
    record->key = record_key;
    record->key_size = key_size;
    record->slot = -1;
    record->child = child;
    record->packed = record_packed;
    record->packed_size = packed_size;
    memcpy (record->hash, hash, CASE_HASH_SIZE);
    s_map_insert (&self->events, record_key, key_size, h, record);

    if (event->payload_case == JOURNEY__V1__EVENT__PAYLOAD_RETRACTION) {
        const char *retracts = event->retraction ? event->retraction->retracts : NULL;
        s_event_t *target = retracts ? s_event_lookup (self, event->la_code, retracts) : NULL;
        if (target && target != record)
            s_retract (target);
        return 0;
    }

    s_event_t *target = event->supersedes && *event->supersedes
                            ? s_event_lookup (self, event->la_code, event->supersedes)
                            : NULL;
    if (target && target != record) {
        target->info.superseded = true;
        if (target->slot >= 0 && !target->info.retracted) {
            //  The correction takes the target's position (a correction of a correction keeps
            //  it), replacing whatever holds it now.
            case_child_t *owner = target->child;
            s_event_t *occupant = owner->history[target->slot];
            if (occupant && occupant != target)
                occupant->info.superseded = true;
            if (owner == child) {
                record->slot = target->slot;
                child->history[record->slot] = record;
                s_rebuild (child);
                return 0;
            }
            //  Moved to another child: gone from the first, new for the second.
            owner->history[target->slot] = NULL;
            s_rebuild (owner);
        }
    }
    s_history_append (child, record);
    projection_apply (child, event);
    s_child_list (child);
    return 0;
}

//  --- Changes since the last commit ----------------------------------------------------------

void case_store_each_dirty (case_store_t *self, case_row_visitor_fn *visitor, void *arg)
{
    assert (self && visitor);
    for (int t = 0; t < PROJ__COUNT; t++)
        for (size_t i = 0; i < self->changed_count; i++) {
            case_child_t *child = self->changed[i];
            for (case_row_t *row = child->first[t]; row; row = row->next)
                if (row->dirty)
                    visitor (arg, child->la_code, child->child_id, (proj_table_t) t, row);
        }
}

void case_store_each_rebuilt (case_store_t *self, case_child_visitor_fn *visitor, void *arg)
{
    assert (self && visitor);
    for (size_t i = 0; i < self->changed_count; i++)
        if (self->changed[i]->rebuilt)
            visitor (arg, self->changed[i]->la_code, self->changed[i]->child_id);
}

bool case_row_persisted (case_row_t *row)
{
    assert (row);
    return row->persisted;
}

void case_store_clear_dirty (case_store_t *self)
{
    assert (self);
    for (size_t i = 0; i < self->changed_count; i++) {
        case_child_t *child = self->changed[i];
        for (int t = 0; t < PROJ__COUNT; t++)
            for (case_row_t *row = child->first[t]; row; row = row->next) {
                if (row->dirty)
                    row->persisted = true;
                row->dirty = false;
            }
        child->listed = false;
        child->rebuilt = false;
    }
    self->changed_count = 0;
}
