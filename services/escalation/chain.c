/*  chain: the hash chain of dispute steps (chain.h). */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"

#define S_TAG         "journey.dispute_step.v1"
#define S_BROKEN_SIZE 160
#define S_BROKEN_MAX  10000 //  beyond this many, one line says how many more

static void s_field (crypto_hash_sha256_state *state, const char *bytes, size_t length)
{
    char prefix[32];
    int size = snprintf (prefix, sizeof prefix, "%zu:", length);
    crypto_hash_sha256_update (state, (const unsigned char *) prefix, (unsigned long long) size);
    crypto_hash_sha256_update (state, (const unsigned char *) bytes, length);
    crypto_hash_sha256_update (state, (const unsigned char *) "\n", 1);
}

static void s_text (crypto_hash_sha256_state *state, const char *text)
{
    assert (text);
    s_field (state, text, strlen (text));
}

static void s_number (crypto_hash_sha256_state *state, int64_t number)
{
    char text[32];
    int size = snprintf (text, sizeof text, "%" PRId64, number);
    s_field (state, text, (size_t) size);
}

void chain_hash (const chain_step_t *step, char *hex)
{
    assert (step);
    assert (hex);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init (&state);
    s_text (&state, S_TAG);
    s_text (&state, step->la_code);
    s_number (&state, (int64_t) step->dispute_id);
    s_number (&state, step->n);
    s_text (&state, step->verb);
    s_text (&state, step->by_user);
    s_text (&state, step->role);
    s_text (&state, step->at);
    s_number (&state, step->stage_from);
    s_number (&state, step->stage_to);
    s_text (&state, step->text);
    s_text (&state, step->detail);
    s_text (&state, step->prev_hash);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final (&state, digest);
    sodium_bin2hex (hex, CHAIN_HASH_SIZE, digest, sizeof digest);
}

//  --- Verifying ---------------------------------------------------------------------------------

struct _chain_verifier_t {
    char **broken;
    size_t broken_count, broken_capacity;
    size_t broken_dropped;
    char more[64]; //  the line saying how many were dropped
    uint32_t disputes, steps;
    //  The dispute being walked.
    bool open;
    uint64_t dispute_id;
    uint32_t recorded_count;             //  its row's step_count
    char recorded_head[CHAIN_HASH_SIZE]; //  its row's last_hash
    uint32_t next_n;                     //  the step expected next
    bool after_gap;                      //  the step before next_n is missing
    char last_hash[CHAIN_HASH_SIZE];     //  the stored hash of step next_n - 1
};

static void s_broken (chain_verifier_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void s_broken (chain_verifier_t *self, const char *format, ...)
{
    if (self->broken_count == S_BROKEN_MAX) {
        self->broken_dropped++;
        return;
    }
    if (self->broken_count == self->broken_capacity) {
        self->broken_capacity = self->broken_capacity ? self->broken_capacity * 2 : 16;
        self->broken = realloc (self->broken, self->broken_capacity * sizeof (char *));
        assert (self->broken);
    }
    char *line = malloc (S_BROKEN_SIZE);
    assert (line);
    va_list args;
    va_start (args, format);
    vsnprintf (line, S_BROKEN_SIZE, format, args);
    va_end (args);
    self->broken[self->broken_count++] = line;
}

chain_verifier_t *chain_verifier_new (void)
{
    chain_verifier_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

void chain_verifier_destroy (chain_verifier_t **self_p)
{
    assert (self_p);
    chain_verifier_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->broken_count; i++)
        free (self->broken[i]);
    free (self->broken);
    free (self);
    *self_p = NULL;
}

void chain_verifier_dispute (chain_verifier_t *self, uint64_t dispute_id, uint32_t step_count,
                             const char *last_hash)
{
    assert (self);
    assert (last_hash);
    if (self->open)
        chain_verifier_end (self);
    self->open = true;
    self->disputes++;
    self->dispute_id = dispute_id;
    self->recorded_count = step_count;
    snprintf (self->recorded_head, sizeof self->recorded_head, "%s", last_hash);
    self->next_n = 1;
    self->after_gap = false;
    snprintf (self->last_hash, sizeof self->last_hash, "%s", CHAIN_GENESIS);
}

void chain_verifier_step (chain_verifier_t *self, const chain_step_t *step, const char *hash)
{
    assert (self);
    assert (self->open);
    assert (step && hash);
    assert (step->dispute_id == self->dispute_id);
    if (step->n < self->next_n)
        return; //  the caller sends each step once, in order
    self->steps++;
    uint64_t id = self->dispute_id;
    for (; self->next_n < step->n; self->next_n++) {
        s_broken (self, "dispute %" PRIu64 " step %" PRIu32 ": step missing", id, self->next_n);
        self->after_gap = true;
    }
    char computed[CHAIN_HASH_SIZE];
    chain_hash (step, computed);
    if (strcmp (computed, hash) != 0)
        s_broken (self, "dispute %" PRIu64 " step %" PRIu32 ": hash mismatch", id, step->n);
    if (step->n == 1) {
        if (strcmp (step->prev_hash, CHAIN_GENESIS) != 0)
            s_broken (
                self,
                "dispute %" PRIu64 " step 1: prev_hash is not the start of a chain (64 zeros)", id);
    } else if (!self->after_gap && strcmp (step->prev_hash, self->last_hash) != 0)
        s_broken (self,
                  "dispute %" PRIu64 " step %" PRIu32 ": prev_hash does not match step %" PRIu32,
                  id, step->n, step->n - 1);
    if (step->n > self->recorded_count)
        s_broken (self,
                  "dispute %" PRIu64 " step %" PRIu32 ": beyond the %" PRIu32
                  " steps the dispute records",
                  id, step->n, self->recorded_count);
    snprintf (self->last_hash, sizeof self->last_hash, "%s", hash);
    self->next_n = step->n + 1;
    self->after_gap = false;
}

void chain_verifier_orphan (chain_verifier_t *self, uint64_t dispute_id)
{
    assert (self);
    s_broken (self, "dispute %" PRIu64 ": steps stored for a dispute that does not exist",
              dispute_id);
}

void chain_verifier_end (chain_verifier_t *self)
{
    assert (self);
    if (!self->open)
        return;
    self->open = false;
    uint64_t id = self->dispute_id;
    uint32_t last = self->next_n - 1;
    for (uint32_t n = self->next_n; n <= self->recorded_count; n++)
        s_broken (self, "dispute %" PRIu64 " step %" PRIu32 ": step missing", id, n);
    //  The head the dispute row records must be the last step: a rewritten tail shows here.
    if (last == self->recorded_count && last > 0 &&
        strcmp (self->last_hash, self->recorded_head) != 0)
        s_broken (self,
                  "dispute %" PRIu64 " step %" PRIu32
                  ": hash does not match the head the dispute records",
                  id, last);
}

size_t chain_verifier_broken_count (chain_verifier_t *self)
{
    assert (self);
    return self->broken_count + (self->broken_dropped ? 1 : 0);
}

const char *chain_verifier_broken (chain_verifier_t *self, size_t index)
{
    assert (self);
    if (index < self->broken_count)
        return self->broken[index];
    assert (index == self->broken_count && self->broken_dropped);
    snprintf (self->more, sizeof self->more, "... and %zu more", self->broken_dropped);
    return self->more;
}

uint32_t chain_verifier_disputes (chain_verifier_t *self)
{
    assert (self);
    return self->disputes;
}

uint32_t chain_verifier_steps (chain_verifier_t *self)
{
    assert (self);
    return self->steps;
}
