/*  chain: the tamper-evident record of a dispute's steps.

    Each step carries the hash of the step before it, and its own hash covers every field of
    the step plus that previous hash, so changing any stored step (or taking one out) breaks
    the chain at that step. The hash is SHA-256 (libsodium crypto_hash_sha256), written as 64
    lower-case hex digits, over the canonical encoding:

        for each of: "journey.dispute_step.v1", la_code, dispute_id, n, verb, by_user, role, at,
                     stage_from, stage_to, text, detail, prev_hash
            the field's length in bytes (decimal), ':', the field's bytes, '\n'

    Numbers are decimal without leading zeros; `at` is RFC 3339 UTC to the millisecond
    ("2025-07-01T08:00:00.000Z", jy_clock_format_ms). The first step's prev_hash is
    CHAIN_GENESIS, 64 zeros. The length prefix makes the encoding unambiguous whatever the
    text holds.

    chain_verifier_t walks stored steps in (dispute, n) order and names every broken link.
*/
#ifndef JOURNEY_ESCALATION_CHAIN_H_INCLUDED
#define JOURNEY_ESCALATION_CHAIN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAIN_HASH_SIZE 65 //  64 hex digits and the terminator
#define CHAIN_GENESIS   "0000000000000000000000000000000000000000000000000000000000000000"

//  One step's fields as stored (strings never NULL; "" when empty).
typedef struct {
    const char *la_code;
    uint64_t dispute_id;
    uint32_t n;
    const char *verb;
    const char *by_user;
    const char *role;
    const char *at; //  RFC 3339 UTC with milliseconds
    int stage_from;
    int stage_to;
    const char *text;
    const char *detail;
    const char *prev_hash;
} chain_step_t;

//  The step's hash into hex (CHAIN_HASH_SIZE bytes).
void chain_hash (const chain_step_t *step, char *hex);

typedef struct _chain_verifier_t chain_verifier_t;

chain_verifier_t *chain_verifier_new (void);
void chain_verifier_destroy (chain_verifier_t **self_p);
//  Start a dispute: the step count and last hash its own row records (its head).
void chain_verifier_dispute (chain_verifier_t *self, uint64_t dispute_id, uint32_t step_count,
                             const char *last_hash);
//  The next stored step of the current dispute, with the hash stored beside it. Steps come in
//  n order.
void chain_verifier_step (chain_verifier_t *self, const chain_step_t *step, const char *hash);
//  Steps stored for a dispute that has no row (a dispute deleted from under its steps).
void chain_verifier_orphan (chain_verifier_t *self, uint64_t dispute_id);
//  Finish the current dispute (checks that its head was reached).
void chain_verifier_end (chain_verifier_t *self);

//  What was found: broken links, e.g. "dispute 3 step 2: hash mismatch", in the order met.
size_t chain_verifier_broken_count (chain_verifier_t *self);
const char *chain_verifier_broken (chain_verifier_t *self, size_t index);
uint32_t chain_verifier_disputes (chain_verifier_t *self);
uint32_t chain_verifier_steps (chain_verifier_t *self);

#endif
