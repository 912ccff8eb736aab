/*  The test harness's own rules (tests/jy_test.h): a test fails when a check failed, and also
    when it ran no check at all; a scenario that fails is named.
*/
#include "jy_test.h"

static void s_scenario_that_checks (void)
{
    jy_test_checks++;
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

    CHECK_INT (none, 1);
    CHECK_INT (checks_after_none, 0);
    CHECK_INT (failures_after_none, 0);
    CHECK_INT (passed, 0);
    CHECK_INT (failed, 1);
    return jy_test_summary ("unit.jy_test");
}
