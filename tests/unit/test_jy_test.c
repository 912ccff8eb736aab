/*  The test harness's own rules (tests/jy_test.h): a test fails when a check failed, and also
    when it ran no check at all; a scenario that fails is named.
*/
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_process.h"

static void s_scenario_that_checks (void)
{
    jy_test_checks++;
}

static void s_scenario_that_fails (void)
{
    jy_test_checks++;
    jy_test_failures++;
}

//  What a scenario that fails writes to stderr, in path; the failure is taken back, so that
//  this test itself can still pass.
static void s_run_failing_scenario (const char *path)
{
    fflush (stderr);
    int saved = dup (2);
    if (saved < 0 || !freopen (path, "w", stderr))
        abort ();
    JY_TEST_SCENARIO (s_scenario_that_fails);
    fflush (stderr);
    if (dup2 (saved, 2) < 0)
        abort ();
    close (saved);
    jy_test_failures--;
    jy_test_checks--;
}

int main (void)
{
    //  No check yet: the summary is a failure, whatever else.
    int none = jy_test_summary ("a test with no check");
    int checks_after_none = jy_test_checks, failures_after_none = jy_test_failures;

    //  One check that passed: success.
    JY_TEST_SCENARIO (s_scenario_that_checks);
    int passed = jy_test_summary ("a test whose one check passed");

    //  A failed check: failure (counted by hand, so that this test itself can still pass).
    jy_test_failures++;
    int failed = jy_test_summary ("a test with a failed check");
    jy_test_failures--;

    //  A scenario that fails is named.
    char path[64];
    snprintf (path, sizeof path, "/tmp/jy-test-scenario-%d.err", (int) getpid ());
    s_run_failing_scenario (path);

    CHECK (jy_test_file_contains (path, "scenario s_scenario_that_fails: 1 checks failed"));
    remove (path);
    CHECK_INT (none, 1);
    CHECK_INT (checks_after_none, 0);
    CHECK_INT (failures_after_none, 0);
    CHECK_INT (passed, 0);
    CHECK_INT (failed, 1);
    return jy_test_summary ("unit.jy_test");
}
