/*  ladder and policy: the shipped defaults are DOMAIN.md's ladder and permissions; every
    setting can change them; a wrong setting is refused naming its key; policies match alerts
    by kind and clock prefix and make the raise they say.
*/
#include "jy_test.h"
#include "escalation_test.h"
#include "ladder.h"
#include "policy.h"

#define RAISE         JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE
#define RESPOND       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESPOND
#define ESCALATE      JOURNEY__V1__DISPUTE_COMMAND__VERB__ESCALATE
#define RESOLVE       JOURNEY__V1__DISPUTE_COMMAND__VERB__RESOLVE
#define WITHDRAW      JOURNEY__V1__DISPUTE_COMMAND__VERB__WITHDRAW
#define REFER_CAFCASS JOURNEY__V1__DISPUTE_COMMAND__VERB__REFER_CAFCASS
#define COMMENT       JOURNEY__V1__DISPUTE_COMMAND__VERB__COMMENT
#define SHOW          JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW
#define LIST          JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST
#define VERIFY        JOURNEY__V1__DISPUTE_COMMAND__VERB__VERIFY

static void s_defaults (void)
{
    jy_config_t *config = et_config (NULL);
    ladder_t *ladder = ladder_new (config);
    CHECK (ladder != NULL);
    if (!ladder) {
        fprintf (stderr, "%s\n", jy_config_error (config));
        jy_config_destroy (&config);
        return;
    }
    CHECK_INT (ladder_top (ladder), 4);
    CHECK_STR (ladder_stage_name (ladder, 1), "informal");
    CHECK_STR (ladder_stage_name (ladder, 3), "head of service");
    CHECK_STR (ladder_stage_name (ladder, 4), "director of children's social care");
    CHECK_STR (ladder_answerable (ladder, 1), "team-manager social-worker advanced-practitioner");
    CHECK_STR (ladder_answerable (ladder, 4), "director");
    for (int stage = 1; stage <= 4; stage++)
        CHECK_INT (ladder_response_days (ladder, stage), 5);
    CHECK_INT (ladder_overall_limit_days (ladder), 20);
    CHECK_INT (ladder_warn_days (ladder), 1);
    CHECK_INT (ladder_safety_stage (ladder), 4);
    //  A stage the ladder no longer has reads as the top.
    CHECK_STR (ladder_answerable (ladder, 7), "director");

    CHECK (ladder_role_known (ladder, "iro"));
    CHECK (ladder_role_known (ladder, "head-of-service"));
    CHECK (!ladder_role_known (ladder, "system"));
    CHECK (!ladder_role_known (ladder, "IRO"));
    CHECK (!ladder_role_known (ladder, NULL));
    CHECK (ladder_category_known (ladder, "reviews"));
    CHECK (!ladder_category_known (ladder, "gossip"));

    //  Raise: IROs and CP chairs only.
    CHECK (ladder_allows (ladder, RAISE, "iro", NULL, 0));
    CHECK (ladder_allows (ladder, RAISE, "cp-chair", NULL, 0));
    CHECK (!ladder_allows (ladder, RAISE, "social-worker", NULL, 0));
    //  Respond: the roles answerable at the dispute's stage.
    CHECK (ladder_allows (ladder, RESPOND, "team-manager", "iro", 1));
    CHECK (ladder_allows (ladder, RESPOND, "social-worker", "iro", 1));
    CHECK (!ladder_allows (ladder, RESPOND, "team-manager", "iro", 2));
    CHECK (ladder_allows (ladder, RESPOND, "service-manager", "iro", 2));
    CHECK (ladder_allows (ladder, RESPOND, "director", "iro", 4));
    CHECK (!ladder_allows (ladder, RESPOND, "iro", "iro", 1));
    //  Escalate, resolve, withdraw: the raising role.
    for (ladder_verb_t verb = ESCALATE; verb <= WITHDRAW; verb++) {
        CHECK (ladder_allows (ladder, verb, "iro", "iro", 2));
        CHECK (ladder_allows (ladder, verb, "cp-chair", "cp-chair", 2));
        CHECK (!ladder_allows (ladder, verb, "cp-chair", "iro", 2));
        CHECK (!ladder_allows (ladder, verb, "director", "iro", 4));
    }
    //  Cafcass: IROs only.
    CHECK (ladder_allows (ladder, REFER_CAFCASS, "iro", "iro", 1));
    CHECK (ladder_allows (ladder, REFER_CAFCASS, "iro", "cp-chair", 1));
    CHECK (!ladder_allows (ladder, REFER_CAFCASS, "cp-chair", "cp-chair", 1));
    //  Comment: any known role; show, list, verify: anyone, without an identity.
    CHECK (ladder_allows (ladder, COMMENT, "director", "iro", 1));
    CHECK (!ladder_allows (ladder, COMMENT, "stranger", "iro", 1));
    CHECK (ladder_needs_identity (ladder, COMMENT));
    CHECK (!ladder_needs_identity (ladder, SHOW));
    CHECK (!ladder_needs_identity (ladder, LIST));
    CHECK (!ladder_needs_identity (ladder, VERIFY));
    CHECK (ladder_allows (ladder, SHOW, NULL, "iro", 1));
    CHECK_STR (ladder_allowed_text (ladder, RAISE), "iro cp-chair");
    CHECK_STR (ladder_verb_name (REFER_CAFCASS), "refer-cafcass");
    CHECK (ladder_verb_name (0) == NULL);
    CHECK (ladder_verb_name (99) == NULL);

    //  The shipped policies.
    policy_set_t *policies = policy_set_new (config, ladder);
    CHECK (policies != NULL);
    CHECK_INT (policies ? policy_set_count (policies) : 0, 2);
    if (policies && policy_set_count (policies) == 2) {
        const policy_t *cla = policy_set_get (policies, 0);
        CHECK_STR (cla->name, "cla_review_overdue");
        CHECK_INT (cla->kind, JOURNEY__V1__ALERT__KIND__OVERDUE_BY);
        CHECK_STR (cla->clock_prefix, "cla_review");
        CHECK_STR (cla->role, "iro");
        CHECK_STR (cla->category, "reviews");
        CHECK_INT (cla->stage, 1);
        CHECK_STR (policy_set_get (policies, 1)->role, "cp-chair");
    }
    policy_set_destroy (&policies);
    CHECK (policies == NULL);
    ladder_destroy (&ladder);
    CHECK (ladder == NULL);
    jy_config_destroy (&config);
}

static void s_changed (void)
{
    //  A three-stage ladder of its own: replaces the defaults' stages whole.
    jy_config_t *config = et_config ("escalation\n"
                                     "    ladder\n"
                                     "        1\n"
                                     "            name = \"team\"\n"
                                     "            answerable = \"team-manager\"\n"
                                     "            response_days = 3\n"
                                     "        2\n"
                                     "            name = \"service\"\n"
                                     "            answerable = \"service-manager director\"\n"
                                     "        3\n"
                                     "            name = \"top\"\n"
                                     "            answerable = \"director\"\n"
                                     "            response_days = 10\n"
                                     "    warn_days = 0\n"
                                     "    roles\n"
                                     "        show = \"any\"\n"
                                     "        resolve = \"raiser director\"\n"
                                     "    policy\n"
                                     "        off\n"
                                     "            enabled = 0\n"
                                     "            kind = \"overdue\"\n"
                                     "            clock = \"icpc\"\n"
                                     "            role = \"cp-chair\"\n"
                                     "            category = \"practice\"\n");
    setenv ("JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS", "7", 1);
    ladder_t *ladder = ladder_new (config);
    CHECK (ladder != NULL);
    if (ladder) {
        CHECK_INT (ladder_top (ladder), 3);
        CHECK_INT (ladder_response_days (ladder, 1), 3);
        CHECK_INT (ladder_response_days (ladder, 2), 7);
        CHECK_INT (ladder_response_days (ladder, 3), 10);
        CHECK_INT (ladder_warn_days (ladder), 0);
        //  safety_stage "top" (the default) follows this ladder.
        CHECK_INT (ladder_safety_stage (ladder), 3);
        CHECK (ladder_allows (ladder, RESPOND, "director", "iro", 2));
        CHECK (ladder_needs_identity (ladder, SHOW));
        CHECK (!ladder_allows (ladder, SHOW, "stranger", "iro", 2));
        CHECK (ladder_allows (ladder, RESOLVE, "director", "iro", 1));
        CHECK (ladder_allows (ladder, RESOLVE, "iro", "iro", 1));
        //  Roles of verbs not set here are the defaults'.
        CHECK (ladder_allows (ladder, RAISE, "cp-chair", NULL, 0));
        policy_set_t *policies = policy_set_new (config, ladder);
        CHECK_INT (policies ? policy_set_count (policies) : 99, 0);
        policy_set_destroy (&policies);
    }
    unsetenv ("JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS");
    ladder_destroy (&ladder);
    jy_config_destroy (&config);
}

//  A setting that must be refused, with the key in the message.
static void s_refused (const char *text, const char *env_key, const char *env_value,
                       const char *expected)
{
    jy_config_t *config = et_config (text);
    if (env_key)
        setenv (env_key, env_value, 1);
    ladder_t *ladder = ladder_new (config);
    policy_set_t *policies = ladder ? policy_set_new (config, ladder) : NULL;
    CHECK (ladder == NULL || policies == NULL);
    if (!strstr (jy_config_error (config), expected)) {
        jy_test_failures++;
        fprintf (stderr, "expected an error containing \"%s\", got \"%s\"\n", expected,
                 jy_config_error (config));
    }
    jy_test_checks++;
    if (env_key)
        unsetenv (env_key);
    policy_set_destroy (&policies);
    ladder_destroy (&ladder);
    jy_config_destroy (&config);
}

static void s_errors (void)
{
    s_refused (NULL, "JOURNEY_ESCALATION_LADDER_2_RESPONSE_DAYS", "0",
               "escalation/ladder/2/response_days: \"0\" is not a whole number in 1..250");
    s_refused (NULL, "JOURNEY_ESCALATION_LADDER_1_ANSWERABLE", "team-manager boss",
               "escalation/ladder/1/answerable: \"boss\" is not a role in escalation/known_roles");
    s_refused (NULL, "JOURNEY_ESCALATION_SAFETY_STAGE", "5",
               "escalation/safety_stage: \"5\" is not a whole number in 1..4");
    s_refused (NULL, "JOURNEY_ESCALATION_SAFETY_STAGE", "bottom",
               "escalation/safety_stage: \"bottom\" is not a whole number in 1..4");
    s_refused (NULL, "JOURNEY_ESCALATION_ROLES_REFER_CAFCASS", "iro judge",
               "escalation/roles/refer-cafcass: \"judge\" is not a role");
    s_refused (NULL, "JOURNEY_ESCALATION_ROLES_RAISE", "raiser",
               "escalation/roles/raise: raise cannot be given to");
    s_refused (NULL, "JOURNEY_ESCALATION_KNOWN_ROLES", "iro system", "\"system\" is reserved");
    s_refused (NULL, "JOURNEY_ESCALATION_KNOWN_ROLES", "iro Head_Of",
               "escalation/known_roles: \"Head_Of\" is not a name");
    s_refused (NULL, "JOURNEY_ESCALATION_POLICY_CLA_REVIEW_OVERDUE_KIND", "late",
               "escalation/policy/cla_review_overdue/kind: \"late\" is not an alert kind "
               "(due_soon, drifted, due_today, overdue, overdue_by");
    s_refused (NULL, "JOURNEY_ESCALATION_POLICY_CLA_REVIEW_OVERDUE_ROLE", "director",
               "escalation/policy/cla_review_overdue/role: \"director\" is not a role that may "
               "raise");
    s_refused (NULL, "JOURNEY_ESCALATION_POLICY_CP_REVIEW_OVERDUE_CATEGORY", "gossip",
               "escalation/policy/cp_review_overdue/category: \"gossip\" is not one of");
    s_refused ("escalation\n    ladder\n        1\n            name = \"a\"\n"
               "            answerable = \"director\"\n        3\n            name = \"b\"\n"
               "            answerable = \"director\"\n",
               NULL, NULL, "escalation/ladder/3: stages are numbered 1, 2, ... in order");
    //  A stage's keys not in the deployment's ladder are the default stage's of the same
    //  number; a fifth stage has none.
    s_refused ("escalation\n    ladder\n        1\n            name = \"a\"\n"
               "        2\n            name = \"b\"\n        3\n            name = \"c\"\n"
               "        4\n            name = \"d\"\n"
               "        5\n            answerable = \"director\"\n",
               NULL, NULL, "escalation/ladder/5/name: a stage needs a name");
}

static Journey__V1__Alert s_alert (Journey__V1__Alert__Kind kind, const char *clock)
{
    Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
    alert.has_kind = true;
    alert.kind = kind;
    alert.la_code = "872";
    alert.child_id = "C7";
    alert.clock = (char *) clock;
    alert.due_on = "2025-06-02";
    alert.raised_on = "2025-06-10";
    alert.has_deadline_id = true;
    alert.deadline_id = 41;
    alert.has_overdue_working_days = true;
    alert.overdue_working_days = 6;
    return alert;
}

static void s_matching (void)
{
    jy_config_t *config = et_config (NULL);
    ladder_t *ladder = ladder_new (config);
    policy_set_t *policies = policy_set_new (config, ladder);
    Journey__V1__Alert alert = s_alert (JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "cla_review_second");
    const policy_t *policy = policy_set_match (policies, &alert);
    CHECK_STR (policy ? policy->name : NULL, "cla_review_overdue");
    alert.clock = "rcpc_first";
    policy = policy_set_match (policies, &alert);
    CHECK_STR (policy ? policy->name : NULL, "cp_review_overdue");
    //  Another kind, another clock, no child, no deadline: nothing.
    alert.kind = JOURNEY__V1__ALERT__KIND__OVERDUE;
    CHECK (policy_set_match (policies, &alert) == NULL);
    alert = s_alert (JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "icpc");
    CHECK (policy_set_match (policies, &alert) == NULL);
    alert = s_alert (JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "cla_review");
    alert.child_id = NULL;
    CHECK (policy_set_match (policies, &alert) == NULL);
    alert = s_alert (JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "cla_review");
    alert.has_deadline_id = false;
    CHECK (policy_set_match (policies, &alert) == NULL);

    //  The raise it makes.
    alert = s_alert (JOURNEY__V1__ALERT__KIND__OVERDUE_BY, "cla_review_first");
    policy = policy_set_match (policies, &alert);
    CHECK (policy != NULL);
    if (policy) {
        Journey__V1__DisputeCommand command;
        char text[512];
        policy_command (policy, &alert, 17, &command, text, sizeof text);
        CHECK_INT (command.verb, RAISE);
        CHECK_STR (command.by_user, POLICY_USER);
        CHECK_STR (command.role, "iro");
        CHECK_STR (command.child_id, "C7");
        CHECK_STR (command.category, "reviews");
        CHECK_INT (command.stage, 1);
        CHECK_STR (
            command.text,
            "Raised automatically by policy cla_review_overdue: alert overdue_by on the "
            "cla_review_first deadline due 2025-06-02, overdue by 6 working days (alert 17)");
    }
    policy_set_destroy (&policies);
    ladder_destroy (&ladder);
    jy_config_destroy (&config);
}

int main (void)
{
    if (!getenv ("JOURNEY_DEPLOY_DIR"))
        return 77;
    s_defaults ();
    s_changed ();
    s_errors ();
    s_matching ();
    return jy_test_summary ("test_ladder");
}
