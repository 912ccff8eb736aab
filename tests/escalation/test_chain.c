/*  chain: the hash is SHA-256 of the documented encoding (recomputed here independently);
    every field changes it; the verifier passes an intact chain and names each kind of broken
    link: a changed step, a prev_hash that does not follow, a missing step, a rewritten tail,
    steps beyond the recorded head, orphan steps.
*/
#include <sodium.h>

#include "jy_test.h"
#include "chain.h"

//  The encoding as docs/escalation.md states it, built separately from chain.c.
static void s_expected_hash (const char *const *fields, size_t count, char *hex)
{
    char buffer[4096];
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
        used += (size_t) snprintf (buffer + used, sizeof buffer - used, "%zu:%s\n",
                                   strlen (fields[i]), fields[i]);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, (const unsigned char *) buffer, used);
    sodium_bin2hex (hex, CHAIN_HASH_SIZE, digest, sizeof digest);
}

static chain_step_t s_step (uint64_t dispute_id, uint32_t n, const char *prev_hash)
{
    chain_step_t step = {
        .la_code = "872",
        .dispute_id = dispute_id,
        .n = n,
        .verb = n == 1 ? "raise" : "comment",
        .by_user = "iro-7",
        .role = "iro",
        .at = "2025-07-01T08:00:00.000Z",
        .stage_from = n == 1 ? 0 : 1,
        .stage_to = 1,
        .text = "the plan has no date\nfor the review",
        .detail = n == 1 ? "child_id=C1\ncategory=reviews" : "",
        .prev_hash = prev_hash,
    };
    return step;
}

static void s_hash (void)
{
    chain_step_t step = s_step (12, 1, CHAIN_GENESIS);
    char hash[CHAIN_HASH_SIZE], expected[CHAIN_HASH_SIZE];
    chain_hash (&step, hash);
    const char *fields[] = {"journey.dispute_step.v1",
                            "872",
                            "12",
                            "1",
                            "raise",
                            "iro-7",
                            "iro",
                            "2025-07-01T08:00:00.000Z",
                            "0",
                            "1",
                            "the plan has no date\nfor the review",
                            "child_id=C1\ncategory=reviews",
                            CHAIN_GENESIS};
    s_expected_hash (fields, sizeof fields / sizeof fields[0], expected);
    CHECK_STR (hash, expected);
    CHECK_INT (strlen (hash), 64);

    //  Every field is covered.
    char other[CHAIN_HASH_SIZE];
    chain_step_t changed;
#define S_CHANGES(field, value)                                                                    \
    changed = step;                                                                                \
    changed.field = value;                                                                         \
    chain_hash (&changed, other);                                                                  \
    CHECK (strcmp (other, hash) != 0)
    S_CHANGES (la_code, "873");
    S_CHANGES (dispute_id, 13);
    S_CHANGES (n, 2);
    S_CHANGES (verb, "respond");
    S_CHANGES (by_user, "iro-8");
    S_CHANGES (role, "cp-chair");
    S_CHANGES (at, "2025-07-01T08:00:00.001Z");
    S_CHANGES (stage_from, 1);
    S_CHANGES (stage_to, 2);
    S_CHANGES (text, "the plan has no date\nfor the review.");
    S_CHANGES (detail, "child_id=C1\ncategory=practice");
    S_CHANGES (prev_hash, "1000000000000000000000000000000000000000000000000000000000000000");
    //  The length prefix keeps fields apart: moving a character between two is a change.
    changed = step;
    changed.by_user = "iro-";
    changed.role = "7iro";
    chain_hash (&changed, other);
    CHECK (strcmp (other, hash) != 0);
    chain_hash (&step, other);
    CHECK_STR (other, hash); //  and it is a function of the fields alone
}

//  A chain of count steps for a dispute, hashes in hashes[1..count].
static void s_build (uint64_t id, uint32_t count, chain_step_t *steps,
                     char hashes[][CHAIN_HASH_SIZE])
{
    for (uint32_t n = 1; n <= count; n++) {
        steps[n] = s_step (id, n, n == 1 ? CHAIN_GENESIS : hashes[n - 1]);
        chain_hash (&steps[n], hashes[n]);
    }
}

static void s_verify (void)
{
    chain_step_t steps[8];
    char hashes[8][CHAIN_HASH_SIZE];
    s_build (5, 4, steps, hashes);

    //  Intact.
    chain_verifier_t *verifier = chain_verifier_new ();
    chain_verifier_dispute (verifier, 5, 4, hashes[4]);
    for (uint32_t n = 1; n <= 4; n++)
        chain_verifier_step (verifier, &steps[n], hashes[n]);
    chain_verifier_end (verifier);
    CHECK_INT (chain_verifier_broken_count (verifier), 0);
    CHECK_INT (chain_verifier_disputes (verifier), 1);
    CHECK_INT (chain_verifier_steps (verifier), 4);
    chain_verifier_destroy (&verifier);
    CHECK (verifier == NULL);

    //  Step 2's text changed in place: its hash no longer matches, and only that link.
    verifier = chain_verifier_new ();
    chain_verifier_dispute (verifier, 5, 4, hashes[4]);
    for (uint32_t n = 1; n <= 4; n++) {
        chain_step_t step = steps[n];
        if (n == 2)
            step.text = "nothing to see";
        chain_verifier_step (verifier, &step, hashes[n]);
    }
    chain_verifier_end (verifier);
    CHECK_INT (chain_verifier_broken_count (verifier), 1);
    CHECK_STR (chain_verifier_broken (verifier, 0), "dispute 5 step 2: hash mismatch");
    chain_verifier_destroy (&verifier);

    //  Step 2 changed and its hash recomputed to hide it: step 3 no longer follows.
    verifier = chain_verifier_new ();
    chain_verifier_dispute (verifier, 5, 4, hashes[4]);
    for (uint32_t n = 1; n <= 4; n++) {
        chain_step_t step = steps[n];
        char hash[CHAIN_HASH_SIZE];
        snprintf (hash, sizeof hash, "%s", hashes[n]);
        if (n == 2) {
            step.by_user = "someone-else";
            chain_hash (&step, hash);
        }
        chain_verifier_step (verifier, &step, hash);
    }
    chain_verifier_end (verifier);
    CHECK_INT (chain_verifier_broken_count (verifier), 1);
    CHECK_STR (chain_verifier_broken (verifier, 0),
               "dispute 5 step 3: prev_hash does not match step 2");
    chain_verifier_destroy (&verifier);

    //  Step 3 deleted; the last step deleted; a first step that is not the start.
    verifier = chain_verifier_new ();
    chain_verifier_dispute (verifier, 5, 4, hashes[4]);
    chain_verifier_step (verifier, &steps[1], hashes[1]);
    chain_verifier_step (verifier, &steps[2], hashes[2]);
    chain_verifier_step (verifier, &steps[4], hashes[4]);
    chain_verifier_dispute (verifier, 6, 2, "ff");
    chain_step_t first = s_step (6, 1, hashes[1]);
    char first_hash[CHAIN_HASH_SIZE];
    chain_hash (&first, first_hash);
    chain_verifier_step (verifier, &first, first_hash);
    chain_verifier_end (verifier);
    CHECK_INT (chain_verifier_broken_count (verifier), 3);
    CHECK_STR (chain_verifier_broken (verifier, 0), "dispute 5 step 3: step missing");
    CHECK_STR (chain_verifier_broken (verifier, 1),
               "dispute 6 step 1: prev_hash is not the start of a chain (64 zeros)");
    CHECK_STR (chain_verifier_broken (verifier, 2), "dispute 6 step 2: step missing");
    CHECK_INT (chain_verifier_disputes (verifier), 2);
    CHECK_INT (chain_verifier_steps (verifier), 4);
    chain_verifier_destroy (&verifier);

    //  A whole tail rewritten consistently still differs from the head the dispute records;
    //  a step the dispute does not count; steps without a dispute.
    verifier = chain_verifier_new ();
    chain_verifier_dispute (verifier, 5, 3, hashes[2]);
    for (uint32_t n = 1; n <= 3; n++)
        chain_verifier_step (verifier, &steps[n], hashes[n]);
    chain_verifier_end (verifier);
    chain_verifier_dispute (verifier, 5, 3, hashes[3]);
    for (uint32_t n = 1; n <= 4; n++)
        chain_verifier_step (verifier, &steps[n], hashes[n]);
    chain_verifier_orphan (verifier, 9);
    chain_verifier_end (verifier);
    CHECK_INT (chain_verifier_broken_count (verifier), 3);
    CHECK_STR (chain_verifier_broken (verifier, 0),
               "dispute 5 step 3: hash does not match the head the dispute records");
    CHECK_STR (chain_verifier_broken (verifier, 1),
               "dispute 5 step 4: beyond the 3 steps the dispute records");
    CHECK_STR (chain_verifier_broken (verifier, 2),
               "dispute 9: steps stored for a dispute that does not exist");
    chain_verifier_destroy (&verifier);
}

int main (void)
{
    if (sodium_init () < 0)
        return 1;
    s_hash ();
    s_verify ();
    return jy_test_summary ("test_chain");
}
