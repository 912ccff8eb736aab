/*  generator: a synthetic authority, child by child.

    Each child is simulated from its first contact through the stages of the journey (contact,
    referral, assessment, section 47, conferences, CP and CIN plans, care, care leaving), each
    stage a function that emits its events and returns the day it ended. The proportions and
    timescales are the one table s_journey below, loosely on the national figures in DOMAIN.md.

    Events are kept compact (codes as pointers to static strings, ids as numbers) and formatted
    only on output. A child's events are sorted by (day, order of generation), which keeps cause
    before effect on the same day, then given a worker and a recorded_at that never goes
    backwards for the child. The whole history is then sorted by occurred_on, recorded_at.

    Memory: when a history has more than S_MAX_HELD events, it is written in windows of days,
    each window regenerating every child (cheap, and identical each time since nothing depends
    on the window) and keeping only its own days.
*/
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"

typedef struct {
    const char *code;
    int weight;
} s_weight_t;

typedef struct {
    int min, max;
} s_range_t;

#define S_MAX_WEIGHTS 28

//  ---------------------------------------------------------------------------------------------
//  The journey: every proportion and timescale the generator uses.
//  Probabilities are of the stage before; wd = working days; ranges are inclusive.

static const struct {
    //  Children, at first contact
    double unborn;             //  registered before birth, with an expected date of birth
    s_range_t unborn_due_days; //  expected birth after that first contact
    int age_weight[4];         //  age bands 0-4, 5-9, 10-15, 16-17
    int sex_weight[3];         //  M, F, U
    int unborn_sex_weight[3];  //  sex is mostly not known before birth
    double disability;         //  a few per cent
    double uasc;               //  unaccompanied asylum-seeking children, 1-3%
    s_range_t uasc_age;
    double uasc_male;
    s_weight_t ethnicity[S_MAX_WEIGHTS];
    s_weight_t uasc_ethnicity[S_MAX_WEIGHTS];

    //  Contacts and decisions
    s_weight_t contact_source[S_MAX_WEIGHTS];
    double first_contact_referral;  //  about a third of contacts become referrals
    double unborn_referral;         //  pre-birth contacts (midwives) are mostly accepted
    double repeat_contact_referral; //  a known child's later contact is accepted more often
    double contact_early_help;      //  of contacts not referred (the rest nfa / information)
    double contact_information;
    s_range_t decision_wd; //  in time: within 1 working day
    double decision_late;
    s_range_t decision_late_wd;
    double recontact_after_contact; //  another contact after one that was not referred
    int recontact_after_contact_mean_days;
    double recontact_after_close; //  a new contact after a case closes: re-referrals ~20%
    int recontact_after_close_mean_days;
    //  A child who has had a CP plan comes back more often, and more often to a plan: about
    //  23% of plans nationally are a second or later one.
    double after_cp_recontact;
    double after_cp_referral;

    //  Referral and assessment
    s_range_t allocation_days;     //  referral to an allocated worker
    s_range_t assessment_start_wd; //  referral to assessment started
    s_range_t assessment_in_time_wd;
    double assessment_late; //  ~15% beyond 45 working days
    s_range_t assessment_late_wd;
    int outcome_weight[4];      //  without s47: nfa, early_help, cin, cla
    int baby_outcome_weight[4]; //  the same under 1: babies are the largest group entering care

    //  Strategy discussions and section 47 enquiries
    double strategy_without_s47; //  strategy discussion deciding against an enquiry
    double s47;                  //  ~ a fifth of referrals
    double unborn_s47;           //  pre-birth referrals are more often about risk of harm
    s_range_t strategy_wd;       //  referral to strategy discussion
    s_range_t s47_wd;            //  strategy discussion to s47 completed
    double icpc;                 //  ~40% of s47s go to conference
    int icpc_due_wd;             //  15 working days from the strategy discussion
    double icpc_late;            //  ~20% beyond it
    double cp_plan;              //  ~85% of ICPCs make a plan
    double no_plan_cin;          //  s47 without a plan, then a CIN plan
    double after_cp_s47;         //  s47 and ICPC for a child who has had a CP plan
    double after_cp_icpc;
    s_weight_t abuse[8];

    //  Child protection plans
    s_range_t cp_plan_months;
    double cp_plan_long; //  plans lasting 2 years or more (4.4% of ended nationally; some are cut
                         //  short)
    s_range_t cp_plan_long_months;
    int rcpc_first_months;         //  3 months from the ICPC
    int rcpc_then_months;          //  then 6-monthly
    s_range_t core_group_first_wd; //  in time: within 10 working days of the ICPC
    double core_group_late;
    s_range_t core_group_late_wd;
    s_range_t core_group_every_wd;
    s_range_t cp_visit_wd; //  in time: every 10 working days
    double cp_visit_late;
    s_range_t cp_visit_late_wd;
    int cp_end_weight[3]; //  then: CIN plan, care, case closed

    //  Bookings of conferences and reviews
    s_range_t booking_lead_days; //  booked this long before the due date
    s_range_t booking_early_wd;  //  planned this long before the due date
    double booking_drift;        //  planned after the due date (~10%)
    s_range_t booking_drift_wd;
    double rebooking; //  replaced by a later booking
    s_range_t rebooking_shift_wd;

    //  Child in need plans
    s_range_t cin_plan_months;
    int cin_review_first_months; //  3 months
    int cin_review_then_months;  //  then 6-monthly
    s_range_t cin_visit_days;

    //  Care
    s_weight_t legal_status[S_MAX_WEIGHTS];
    s_range_t c1_to_c2_months; //  interim to full care order (care proceedings ~26 weeks)
    s_range_t emergency_days;  //  police protection / EPO to interim care order
    s_range_t remand_days;
    s_weight_t need[S_MAX_WEIGHTS];
    s_weight_t placement_young[S_MAX_WEIGHTS]; //  under 10
    s_weight_t placement_teen[S_MAX_WEIGHTS];  //  10-15
    s_weight_t placement_older[S_MAX_WEIGHTS]; //  16-17
    double long_term_other;                    //  long-term flag on placements other than U1 / U4
    double in_area;
    s_range_t in_area_tenths; //  distance in tenths of a mile
    double far;               //  of placements out of area: over 20 miles
    s_range_t near_tenths;
    s_range_t far_tenths;
    int move_mean_days;         //  mean time between placement moves until settled
    int settled_after_days;     //  days in care after which moves become rare
    int settled_move_mean_days; //  then: ~68% of children looked after 2.5 years or more have
                                //  been in the same placement for 2 years
    s_weight_t move_reason[S_MAX_WEIGHTS];
    int care_length_weight[3]; //  short, medium, until 18
    s_range_t care_short_months;
    s_range_t care_medium_months;
    double older_until_18; //  of children coming into care at 16-17
    s_weight_t ceased_short[S_MAX_WEIGHTS];
    s_weight_t ceased_medium[S_MAX_WEIGHTS];
    s_weight_t ceased_adult[S_MAX_WEIGHTS];
    double care_then_cin; //  a CIN plan after going home
    double adoption;      //  of children 0-3 on a care order
    s_range_t adm_months; //  care to ADM decision
    s_range_t placement_order_months;
    s_range_t match_months;
    s_range_t placed_days; //  match to placed for adoption
    s_range_t adoption_order_months;
    double adoption_with_carers; //  A5 (current foster carers) rather than A6
    s_weight_t adoption_ceased[S_MAX_WEIGHTS];
    int cla_review_first_wd;          //  20 working days
    int cla_review_second_months;     //  3 months
    int cla_review_then_months;       //  then 6-monthly
    s_range_t cla_visit_first_days;   //  within 7 days of a placement starting
    s_range_t cla_visit_days;         //  every 6 weeks
    s_range_t cla_visit_settled_days; //  every 3 months after a year in a long-term placement
    double cla_visit_late;
    s_range_t cla_visit_late_days;
    s_range_t iha_in_time_wd; //  IHA within 20 working days
    double iha_late;
    s_range_t iha_late_wd;
    int rha_under5_months;
    int rha_months;
    double rha_late;
    s_range_t rha_late_days;
    int pep_min_age;
    s_range_t pep_in_time_wd; //  within 20 working days
    double pep_late;
    s_range_t pep_late_wd;
    int pep_every_months; //  termly
    int missing_min_age;
    double missing_child;  //  children 11+ in care who go missing at all
    int missing_mean_days; //  between episodes
    double missing_absent; //  "absent" rather than missing
    s_range_t missing_hours;
    double rhi_in_time; //  return interview within 72 hours
    s_range_t rhi_in_time_days;
    s_range_t rhi_late_days;
    double rhi_declined;

    //  Care leavers
    int pathway_min_age; //  pathway plans from 16
    int pathway_every_months;
    int leaver_until_age; //  care leaver services to 21
    s_range_t leaver_contact_days;
    double leaver_in_touch;
    double leaver_suitable;
    double leaver_visit; //  a contact that is a visit
    s_weight_t activity[S_MAX_WEIGHTS];

    //  Workforce and quality assurance
    //  Case-holding workers: one for so many children a year (a child's open case lasts some
    //  months on average), so that open cases per worker land near the English average (about
    //  17; timeliness/caseload/threshold is 20). Team 1 is the front door, besides them.
    int children_a_year_per_worker;
    s_range_t workers_per_team;
    double unallocated_spell; //  a referral left without a worker for a while
    s_range_t unallocated_days;
    double audit; //  referrals given a single case audit
    s_weight_t audit_grade[8];

    //  Recording: days from occurred_on to recorded_at
    int record_lag_weight[4]; //  same day, 1-2 days, 3-7 days, 8-20 days
} s_journey = {
    .unborn = 0.03,
    .unborn_due_days = {30, 200},
    .age_weight = {30, 27, 33, 10},
    .sex_weight = {51, 48, 1},
    .unborn_sex_weight = {10, 10, 80},
    .disability = 0.04,
    .uasc = 0.01,
    .uasc_age = {14, 17},
    .uasc_male = 0.92,
    .ethnicity = {{"WBRI", 640}, {"WIRI", 5},  {"WIRT", 3},  {"WOTH", 55}, {"WROM", 7},
                  {"MWBC", 25},  {"MWBA", 10}, {"MWAS", 12}, {"MOTH", 30}, {"AIND", 10},
                  {"APKN", 25},  {"ABAN", 10}, {"AOTH", 20}, {"BCRB", 12}, {"BAFR", 40},
                  {"BOTH", 10},  {"CHNE", 3},  {"OOTH", 30}, {"REFU", 3},  {"NOBT", 50}},
    .uasc_ethnicity = {{"BAFR", 35}, {"AOTH", 30}, {"OOTH", 25}, {"WOTH", 5}, {"NOBT", 5}},

    .contact_source = {{"1A", 60}, {"1B", 15}, {"1C", 10}, {"1D", 15}, {"2A", 190}, {"2B", 20},
                       {"3A", 20}, {"3B", 25}, {"3C", 10}, {"3D", 20}, {"3E", 25},  {"3F", 40},
                       {"4", 20},  {"5A", 20}, {"5B", 40}, {"5C", 20}, {"5D", 20},  {"6", 300},
                       {"7", 10},  {"8", 40},  {"9", 10},  {"10", 10}},
    .first_contact_referral = 0.30,
    .unborn_referral = 0.70,
    .repeat_contact_referral = 0.60,
    .contact_early_help = 0.35,
    .contact_information = 0.15,
    .decision_wd = {0, 1},
    .decision_late = 0.08,
    .decision_late_wd = {2, 5},
    .recontact_after_contact = 0.35,
    .recontact_after_contact_mean_days = 180,
    .recontact_after_close = 0.60,
    .recontact_after_close_mean_days = 150,
    .after_cp_recontact = 0.70,
    .after_cp_referral = 0.85,

    .allocation_days = {0, 3},
    .assessment_start_wd = {0, 3},
    .assessment_in_time_wd = {10, 45},
    .assessment_late = 0.15,
    .assessment_late_wd = {46, 90},
    .outcome_weight = {38, 22, 34, 6},
    .baby_outcome_weight = {25, 10, 40, 25},

    .strategy_without_s47 = 0.04,
    .s47 = 0.20,
    .after_cp_s47 = 0.60,
    .after_cp_icpc = 0.70,
    .unborn_s47 = 0.45,
    .strategy_wd = {0, 3},
    .s47_wd = {3, 10},
    .icpc = 0.40,
    .icpc_due_wd = 15,
    .icpc_late = 0.20,
    .cp_plan = 0.85,
    .no_plan_cin = 0.50,
    .abuse = {{"NEG", 48}, {"EMO", 38}, {"PHY", 7}, {"SAB", 4}, {"MUL", 3}},

    .cp_plan_months = {3, 18},
    .cp_plan_long = 0.065,
    .cp_plan_long_months = {24, 36},
    .rcpc_first_months = 3,
    .rcpc_then_months = 6,
    .core_group_first_wd = {5, 10},
    .core_group_late = 0.15,
    .core_group_late_wd = {11, 20},
    .core_group_every_wd = {20, 30},
    .cp_visit_wd = {5, 10},
    .cp_visit_late = 0.12,
    .cp_visit_late_wd = {11, 20},
    .cp_end_weight = {52, 15, 33},

    .booking_lead_days = {10, 35},
    .booking_early_wd = {0, 5},
    .booking_drift = 0.10,
    .booking_drift_wd = {1, 15},
    .rebooking = 0.08,
    .rebooking_shift_wd = {-3, 10},

    .cin_plan_months = {3, 15},
    .cin_review_first_months = 3,
    .cin_review_then_months = 6,
    .cin_visit_days = {20, 35},

    .legal_status = {{"C1", 45}, {"V2", 42}, {"L1", 5}, {"L2", 5}, {"J1", 2}, {"C2", 1}},
    .c1_to_c2_months = {5, 12},
    .emergency_days = {1, 8},
    .remand_days = {14, 90},
    .need = {{"N1", 650},
             {"N2", 30},
             {"N3", 30},
             {"N4", 80},
             {"N5", 130},
             {"N6", 20},
             {"N7", 3},
             {"N8", 57}},
    .placement_young = {{"U6", 45},
                        {"U4", 15},
                        {"U3", 12},
                        {"U1", 8},
                        {"U5", 4},
                        {"U2", 2},
                        {"P1", 6},
                        {"R3", 2},
                        {"K2", 4},
                        {"Z1", 2}},
    .placement_teen = {{"U6", 36},
                       {"U4", 16},
                       {"U3", 8},
                       {"U1", 5},
                       {"K2", 22},
                       {"P1", 5},
                       {"S1", 2},
                       {"K1", 1},
                       {"R2", 1},
                       {"Z1", 2},
                       {"T4", 2}},
    .placement_older = {{"H5", 32},
                        {"U6", 20},
                        {"U4", 8},
                        {"U3", 5},
                        {"K2", 18},
                        {"P2", 8},
                        {"P1", 3},
                        {"P3", 1},
                        {"R5", 1},
                        {"K1", 1},
                        {"T0", 1},
                        {"Z1", 2}},
    .long_term_other = 0.10,
    .in_area = 0.60,
    .in_area_tenths = {5, 120},
    .far = 0.40,
    .near_tenths = {50, 200},
    .far_tenths = {201, 1800},
    .move_mean_days = 500,
    .settled_after_days = 270,
    .settled_move_mean_days = 4000,
    .move_reason = {{"CARPL", 40},
                    {"CLOSE", 3},
                    {"ALLEG", 3},
                    {"STAND", 3},
                    {"APPRR", 1},
                    {"CREQB", 15},
                    {"CREQO", 10},
                    {"CHILD", 8},
                    {"LAREQ", 8},
                    {"PLACE", 2},
                    {"CUSTOD", 1},
                    {"OTHER", 6}},
    .care_length_weight = {35, 35, 30},
    .care_short_months = {1, 6},
    .care_medium_months = {7, 30},
    .older_until_18 = 0.70,
    .ceased_short = {{"E4A", 60},
                     {"E4B", 10},
                     {"E13", 8},
                     {"E41", 6},
                     {"E3", 3},
                     {"E16", 1},
                     {"E8", 4},
                     {"E45", 4},
                     {"E47", 4}},
    .ceased_medium = {{"E4A", 32},
                      {"E4B", 5},
                      {"E13", 5},
                      {"E41", 10},
                      {"E45", 15},
                      {"E46", 5},
                      {"E47", 14},
                      {"E48", 3},
                      {"E3", 3},
                      {"E8", 4},
                      {"E2", 1}},
    .ceased_adult = {{"E17", 20}, {"E5", 42}, {"E6", 22}, {"E8", 10}, {"E7", 4}, {"E9", 2}},
    .care_then_cin = 0.30,
    .adoption = 0.80,
    .adm_months = {3, 8},
    .placement_order_months = {2, 6},
    .match_months = {2, 8},
    .placed_days = {7, 60},
    .adoption_order_months = {5, 12},
    .adoption_with_carers = 0.20,
    .adoption_ceased = {{"E11", 85}, {"E12", 15}},
    .cla_review_first_wd = 20,
    .cla_review_second_months = 3,
    .cla_review_then_months = 6,
    .cla_visit_first_days = {1, 7},
    .cla_visit_days = {28, 42},
    .cla_visit_settled_days = {60, 90},
    .cla_visit_late = 0.10,
    .cla_visit_late_days = {43, 70},
    .iha_in_time_wd = {5, 20},
    .iha_late = 0.30,
    .iha_late_wd = {21, 60},
    .rha_under5_months = 6,
    .rha_months = 12,
    .rha_late = 0.15,
    .rha_late_days = {1, 60},
    .pep_min_age = 4,
    .pep_in_time_wd = {5, 20},
    .pep_late = 0.20,
    .pep_late_wd = {21, 45},
    .pep_every_months = 4,
    .missing_min_age = 11,
    .missing_child = 0.25,
    .missing_mean_days = 90,
    .missing_absent = 0.20,
    .missing_hours = {2, 96},
    .rhi_in_time = 0.80,
    .rhi_in_time_days = {0, 3},
    .rhi_late_days = {4, 12},
    .rhi_declined = 0.15,

    .pathway_min_age = 16,
    .pathway_every_months = 6,
    .leaver_until_age = 21,
    .leaver_contact_days = {42, 100},
    .leaver_in_touch = 0.90,
    .leaver_suitable = 0.96,
    .leaver_visit = 0.50,
    .activity = {{"F1", 7},
                 {"P1", 1},
                 {"F2", 20},
                 {"P2", 3},
                 {"F4", 5},
                 {"P4", 1},
                 {"F5", 12},
                 {"P5", 6},
                 {"G4", 8},
                 {"G5", 18},
                 {"G6", 10}},

    .children_a_year_per_worker = 36,
    .workers_per_team = {5, 8},
    .unallocated_spell = 0.08,
    .unallocated_days = {5, 40},
    .audit = 0.08,
    .audit_grade = {{"outstanding", 5},
                    {"good", 40},
                    {"requires_improvement", 42},
                    {"inadequate", 13}},

    .record_lag_weight = {70, 20, 8, 2},
};

//  ---------------------------------------------------------------------------------------------
//  Events: the payloads in events.proto's order, and the compact form they are kept in.

typedef enum {
    K_CHILD_REGISTERED,
    K_CONTACT_RECEIVED,
    K_CONTACT_DECIDED,
    K_REFERRAL_RECEIVED,
    K_REFERRAL_CLOSED,
    K_ASSESSMENT_STARTED,
    K_ASSESSMENT_COMPLETED,
    K_STRATEGY_DISCUSSION,
    K_S47_COMPLETED,
    K_CONFERENCE_SCHEDULED,
    K_ICPC_HELD,
    K_CP_PLAN_STARTED,
    K_CP_PLAN_ENDED,
    K_RCPC_HELD,
    K_CORE_GROUP_HELD,
    K_CIN_PLAN_STARTED,
    K_CIN_PLAN_REVIEWED,
    K_CIN_PLAN_ENDED,
    K_CHILD_VISITED,
    K_PERIOD_OF_CARE_STARTED,
    K_PERIOD_OF_CARE_ENDED,
    K_PLACEMENT_STARTED,
    K_PLACEMENT_ENDED,
    K_LEGAL_STATUS_CHANGED,
    K_CLA_REVIEW_HELD,
    K_HEALTH_ASSESSMENT,
    K_PEP_COMPLETED,
    K_MISSING_STARTED,
    K_MISSING_ENDED,
    K_RETURN_INTERVIEW,
    K_ADM_DECISION,
    K_PLACEMENT_ORDER,
    K_ADOPTION_MATCH,
    K_PLACED_FOR_ADOPTION,
    K_ADOPTION_ORDER,
    K_CARE_LEAVER_CONTACT,
    K_PATHWAY_PLAN_REVIEWED,
    K_WORKER_ALLOCATED,
    K_WORKER_UNALLOCATED,
    K_CASE_AUDIT_COMPLETED,
    K_CASE_CLOSED,
    K__COUNT
} s_kind_t;

static const char *s_kind_names[K__COUNT] = {
    "child_registered",
    "contact_received",
    "contact_decided",
    "referral_received",
    "referral_closed",
    "assessment_started",
    "assessment_completed",
    "strategy_discussion",
    "s47_completed",
    "conference_scheduled",
    "icpc_held",
    "cp_plan_started",
    "cp_plan_ended",
    "rcpc_held",
    "core_group_held",
    "cin_plan_started",
    "cin_plan_reviewed",
    "cin_plan_ended",
    "child_visited",
    "period_of_care_started",
    "period_of_care_ended",
    "placement_started",
    "placement_ended",
    "legal_status_changed",
    "cla_review_held",
    "health_assessment",
    "pep_completed",
    "missing_started",
    "missing_ended",
    "return_interview",
    "adm_decision",
    "placement_order",
    "adoption_match",
    "placed_for_adoption",
    "adoption_order",
    "care_leaver_contact",
    "pathway_plan_reviewed",
    "worker_allocated",
    "worker_unallocated",
    "case_audit_completed",
    "case_closed",
};

//  Identifiers handed out in order of generation, "<la>-<prefix><n>".
typedef enum {
    ID_CONTACT,
    ID_REFERRAL,
    ID_ASSESSMENT,
    ID_STRATEGY,
    ID_S47,
    ID_CONFERENCE,
    ID_CP_PLAN,
    ID_CIN_PLAN,
    ID_PERIOD,
    ID_PLACEMENT,
    ID_EPISODE,
    ID__COUNT
} s_id_kind_t;

static const char *s_id_prefix[ID__COUNT] = {"CT", "R",  "A",  "SD", "S", "CF",
                                             "CP", "CN", "PC", "PL", "M"};

//  Meaning of the flag bits, per payload (a bit that is not set means false or absent).
#define F_1 0x01
#define F_2 0x02
#define F_3 0x04
#define F_4 0x08

typedef struct {
    jy_date_t on;     //  occurred_on
    jy_date_t date;   //  date_of_birth / expected_date_of_birth / planned_on
    int64_t recorded; //  recorded_at, seconds since 1970-01-01 UTC
    uint32_t child;   //  1-based
    uint32_t seq;     //  order of generation within the child
    uint32_t id1, id2, id3;
    int32_t tenths;    //  distance_miles / hours_missing, in tenths
    const char *code1; //  static strings only
    const char *code2;
    int16_t worker; //  0-based worker, -1 none
    int16_t team;   //  0-based team, -1 none
    uint8_t kind;
    uint8_t flags;
} s_event_t;

//  ---------------------------------------------------------------------------------------------
//  Random numbers: xoshiro256** seeded through splitmix64; one stream per child.

typedef struct {
    uint64_t s[4];
} s_rng_t;

static uint64_t s_splitmix64 (uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void s_rng_seed (s_rng_t *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t mixed = s_splitmix64 (&x) ^ (stream * 0xD1342543DE82EF95ull);
    for (int i = 0; i < 4; i++)
        rng->s[i] = s_splitmix64 (&mixed);
}

static inline uint64_t s_rotl (uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t s_next (s_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = s_rotl (s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl (s[3], 45);
    return result;
}

//  Uniform in [0, 1): exact in double, so comparisons are the same on every machine.
static double s_unit (s_rng_t *rng)
{
    return (double) (s_next (rng) >> 11) * 0x1.0p-53;
}

static bool s_chance (s_rng_t *rng, double p)
{
    return s_unit (rng) < p;
}

static int s_between (s_rng_t *rng, int min, int max)
{
    assert (max >= min);
    return min + (int) (s_next (rng) % (uint64_t) (max - min + 1));
}

static int s_in (s_rng_t *rng, s_range_t range)
{
    return s_between (rng, range.min, range.max);
}

//  Natural log by series, without libm: the same bits on every machine.
static double s_ln (double x)
{
    assert (x > 0);
    int exponent = 0;
    while (x >= 2) {
        x /= 2;
        exponent++;
    }
    while (x < 1) {
        x *= 2;
        exponent--;
    }
    //  ln x = 2 atanh ((x - 1) / (x + 1)), |y| <= 1/3 here
    double y = (x - 1) / (x + 1), y2 = y * y, term = y, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= y2;
    }
    return 2 * sum + exponent * 0.69314718055994530942;
}

//  Exponentially distributed whole days with the given mean: gaps between independent events.
static int s_exp_days (s_rng_t *rng, int mean)
{
    double days = -s_ln (1 - s_unit (rng)) * mean;
    return days > 20 * 366 ? 20 * 366 : (int) days;
}

static const char *s_pick (s_rng_t *rng, const s_weight_t *table)
{
    int total = 0;
    for (const s_weight_t *w = table; w->code; w++)
        total += w->weight;
    assert (total > 0);
    int r = s_between (rng, 0, total - 1);
    for (const s_weight_t *w = table; w->code; w++)
        if ((r -= w->weight) < 0)
            return w->code;
    assert (false);
    return NULL;
}

static int s_pick_index (s_rng_t *rng, const int *weights, int count)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        total += weights[i];
    int r = s_between (rng, 0, total - 1);
    for (int i = 0; i < count; i++)
        if ((r -= weights[i]) < 0)
            return i;
    return count - 1;
}

//  ---------------------------------------------------------------------------------------------
//  The generator

#ifndef S_MAX_HELD                   //  (a test build may lower it to exercise the windows)
#define S_MAX_HELD (2 * 1000 * 1000) //  events held in memory at once (~150 MB)
#endif
#define S_MAX_SEGMENTS 64    //  placements tracked per period of care for visits
#define S_MAX_WORKERS  30000 //  worker ids are int16_t in the events held

struct _generator_t {
    generator_params_t params;
    jy_calendar_t *calendar;
    jy_date_t start;  //  first day of the history
    int teams;        //  team 0 is the front door; the others hold cases
    int workers;      //  numbered team by team
    int16_t *team_of; //  each worker's team
    int *team_first, *team_size;
    uint32_t next_id[ID__COUNT];

    s_event_t *child_events; //  the child being simulated
    size_t child_count, child_alloc;

    s_event_t *events; //  held for the window being written
    size_t count, alloc;
    jy_date_t from, to; //  the window
    size_t limit;       //  stop holding beyond this (the history is then written in windows)
    bool overflow;
    uint32_t *per_day; //  events per day of the history, when counting

    uint64_t written;
};

//  The simulation of one child.
typedef struct {
    generator_t *gen;
    s_rng_t rng;
    uint32_t child;
    jy_date_t dob; //  or the expected date of birth
    jy_date_t eighteen;
    jy_date_t horizon; //  the history's last day
    bool uasc;
    bool adopted;     //  an adopted child's record ends here (a new identity follows adoption)
    bool had_cp_plan; //  a later referral more often leads to another plan
    int worker, team; //  the worker allocated to the open case
} s_child_t;

bool generator_end_valid (jy_date_t end, int years)
{
    //  Children born up to 18 years before the start; milestones up to 21 years after the end.
    jy_date_t start = jy_date_add_months (end, -12 * years);
    return start >= jy_date_from_ymd (1995, 1, 1) && end <= jy_date_from_ymd (2075, 12, 31);
}

generator_t *generator_new (const generator_params_t *params)
{
    assert (params);
    assert (strlen (params->la_code) == 3);
    assert (params->children >= 1 && params->children <= GENERATOR_MAX_CHILDREN);
    assert (params->years >= 1 && params->years <= GENERATOR_MAX_YEARS);
    assert (generator_end_valid (params->end, params->years));

    generator_t *self = calloc (1, sizeof (generator_t));
    assert (self);
    self->params = *params;
    self->calendar = jy_calendar_new ();
    assert (self->calendar);
    self->start = jy_date_add_months (params->end, -12 * params->years) + 1;

    //  The workforce comes from stream 0; children use streams 1..N.
    s_rng_t rng;
    s_rng_seed (&rng, params->seed, 0);
    //  Workers for the children a year, in teams of workers_per_team after the front door.
    double a_year = (double) params->children / params->years;
    int holding = (int) (a_year / s_journey.children_a_year_per_worker + 0.5);
    holding = holding < 1 ? 1 : holding > S_MAX_WORKERS ? S_MAX_WORKERS : holding;
    int most_teams = 2 + holding / s_journey.workers_per_team.min;
    self->team_first = calloc ((size_t) most_teams, sizeof (int));
    self->team_size = calloc ((size_t) most_teams, sizeof (int));
    self->team_of =
        calloc ((size_t) (holding + 2 * s_journey.workers_per_team.max), sizeof (int16_t));
    assert (self->team_first && self->team_size && self->team_of);
    while (self->teams < 2 || self->workers - self->team_size[0] < holding) {
        int team = self->teams++;
        self->team_first[team] = self->workers;
        self->team_size[team] = s_in (&rng, s_journey.workers_per_team);
        for (int i = 0; i < self->team_size[team]; i++)
            self->team_of[self->workers++] = (int16_t) team;
    }
    return self;
}

void generator_destroy (generator_t **self_p)
{
    assert (self_p);
    generator_t *self = *self_p;
    if (!self)
        return;
    jy_calendar_destroy (&self->calendar);
    free (self->team_of);
    free (self->team_first);
    free (self->team_size);
    free (self->child_events);
    free (self->events);
    free (self->per_day);
    free (self);
    *self_p = NULL;
}

uint64_t generator_event_count (generator_t *self)
{
    assert (self);
    return self->written;
}

//  ---------------------------------------------------------------------------------------------
//  Helpers for the simulation

static s_event_t *s_emit (s_child_t *c, jy_date_t on, s_kind_t kind)
{
    generator_t *gen = c->gen;
    if (gen->child_count == gen->child_alloc) {
        gen->child_alloc = gen->child_alloc ? gen->child_alloc * 2 : 256;
        gen->child_events = realloc (gen->child_events, gen->child_alloc * sizeof (s_event_t));
        assert (gen->child_events);
    }
    s_event_t *event = &gen->child_events[gen->child_count];
    memset (event, 0, sizeof (*event));
    event->on = on;
    event->kind = (uint8_t) kind;
    event->child = c->child;
    event->seq = (uint32_t) gen->child_count++;
    event->worker = -1;
    event->team = -1;
    return event;
}

static uint32_t s_new_id (s_child_t *c, s_id_kind_t kind)
{
    return ++c->gen->next_id[kind];
}

//  WORKDAY(from, n); dates stay well inside the calendar (generator_end_valid).
static jy_date_t s_wd (s_child_t *c, jy_date_t from, int n)
{
    jy_date_t result;
    int rc = jy_calendar_add_working_days (c->gen->calendar, from, n, &result);
    assert (rc == 0);
    (void) rc;
    return result;
}

static jy_date_t s_months (jy_date_t from, int months)
{
    return jy_date_add_months (from, months);
}

static int s_age (s_child_t *c, jy_date_t on)
{
    return on < c->dob ? -1 : jy_date_age_years (c->dob, on);
}

static jy_date_t s_max (jy_date_t a, jy_date_t b)
{
    return a > b ? a : b;
}

static jy_date_t s_min (jy_date_t a, jy_date_t b)
{
    return a < b ? a : b;
}

static void s_visit (s_child_t *c, jy_date_t on, const char *context)
{
    s_event_t *event = s_emit (c, on, K_CHILD_VISITED);
    event->code1 = context;
    //  An unborn baby is not seen (the visit is to the mother); young children are not seen
    //  alone.
    int age = s_age (c, on);
    if (age >= 0 && s_chance (&c->rng, 0.95)) {
        event->flags |= F_1;
        if (age >= 5 && s_chance (&c->rng, 0.70))
            event->flags |= F_2;
    }
}

//  Book a conference or review due on `due`, on `booked_on`; returns the day it is held (the
//  final planned date) and its conference id. Most are planned on or before the due date; some
//  drift after it; some bookings are replaced by another, but never on or after `before`, the
//  earliest day the plan or period it belongs to may end.
static jy_date_t s_book (s_child_t *c, const char *kind, jy_date_t booked_on, jy_date_t due,
                         double drift, jy_date_t before, uint32_t *conference_id)
{
    s_rng_t *rng = &c->rng;
    jy_date_t planned = s_chance (rng, drift)
                            ? s_wd (c, due, s_in (rng, s_journey.booking_drift_wd))
                            : s_wd (c, due, -s_in (rng, s_journey.booking_early_wd));
    if (planned <= booked_on)
        planned = s_wd (c, booked_on, 1);
    uint32_t id = s_new_id (c, ID_CONFERENCE);
    s_event_t *event = s_emit (c, booked_on, K_CONFERENCE_SCHEDULED);
    event->id1 = id;
    event->code1 = kind;
    event->date = planned;

    if (s_chance (rng, s_journey.rebooking) && planned - booked_on >= 2) {
        jy_date_t rebooked_on = booked_on + s_between (rng, 1, planned - booked_on - 1);
        if (rebooked_on >= before) {
            //  The plan or period may have ended by then: nothing is rebooked after it.
            *conference_id = id;
            return planned;
        }
        jy_date_t moved = s_wd (c, planned, s_in (rng, s_journey.rebooking_shift_wd));
        if (moved <= rebooked_on)
            moved = s_wd (c, rebooked_on, 1);
        uint32_t replacement = s_new_id (c, ID_CONFERENCE);
        event = s_emit (c, rebooked_on, K_CONFERENCE_SCHEDULED);
        event->id1 = replacement;
        event->code1 = kind;
        event->date = moved;
        event->id2 = id;
        id = replacement;
        planned = moved;
    }
    *conference_id = id;
    return planned;
}

//  The booking date for a meeting due on `due` after `previous`.
static jy_date_t s_booking_day (s_child_t *c, jy_date_t previous, jy_date_t due)
{
    jy_date_t booked = due - s_in (&c->rng, s_journey.booking_lead_days);
    return booked <= previous ? previous + 1 : booked;
}

//  ---------------------------------------------------------------------------------------------
//  The stages. Each returns the day it ended: after the horizon when it was still open then.

typedef enum { NEXT_CLOSE, NEXT_CP, NEXT_CIN, NEXT_CARE, NEXT_LEAVER } s_next_t;

//  A child protection plan from the ICPC on `start`.
static jy_date_t s_cp_plan (s_child_t *c, jy_date_t start, uint32_t plan, s_next_t *next)
{
    s_rng_t *rng = &c->rng;
    int months = s_chance (rng, s_journey.cp_plan_long) ? s_in (rng, s_journey.cp_plan_long_months)
                                                        : s_in (rng, s_journey.cp_plan_months);
    jy_date_t target = s_months (start, months);
    jy_date_t ends = 0; //  0 while open at the horizon
    const char *reason = "no_longer_at_risk";

    //  Reviews: the plan ends at the first RCPC on or after its target length.
    jy_date_t previous = start, due = s_months (start, s_journey.rcpc_first_months);
    for (;;) {
        if (due >= c->eighteen) {
            ends = c->eighteen - 1;
            reason = "reached_18";
            break;
        }
        if (due > c->horizon)
            break;
        uint32_t conference;
        jy_date_t held = s_book (c, "rcpc", s_booking_day (c, previous, due), due,
                                 s_journey.booking_drift, c->eighteen - 1, &conference);
        if (held >= c->eighteen) {
            ends = c->eighteen - 1;
            reason = "reached_18";
            break;
        }
        bool continues = held < target;
        s_event_t *event = s_emit (c, held, K_RCPC_HELD);
        event->id1 = conference;
        event->id2 = plan;
        event->flags = continues ? F_1 : 0;
        if (!continues) {
            ends = held;
            break;
        }
        previous = held;
        due = s_months (held, s_journey.rcpc_then_months);
    }
    if (ends && ends < start)
        ends = start; //  never before the plan's own start (the ICPC prevents it; belt and braces)
    jy_date_t until = ends ? ends : c->horizon + 1;

    //  Core groups: the first within 10 working days, then every 4-6 weeks.
    jy_date_t meeting = s_chance (rng, s_journey.core_group_late)
                            ? s_wd (c, start, s_in (rng, s_journey.core_group_late_wd))
                            : s_wd (c, start, s_in (rng, s_journey.core_group_first_wd));
    while (meeting < until && meeting <= c->horizon) {
        s_emit (c, meeting, K_CORE_GROUP_HELD)->id1 = plan;
        meeting = s_wd (c, meeting, s_in (rng, s_journey.core_group_every_wd));
    }
    //  Visits every 10 working days, some late.
    for (jy_date_t visit = start;;) {
        visit = s_chance (rng, s_journey.cp_visit_late)
                    ? s_wd (c, visit, s_in (rng, s_journey.cp_visit_late_wd))
                    : s_wd (c, visit, s_in (rng, s_journey.cp_visit_wd));
        if (visit >= until || visit > c->horizon)
            break;
        s_visit (c, visit, "cp");
    }
    if (!ends)
        return until;
    s_event_t *event = s_emit (c, ends, K_CP_PLAN_ENDED);
    event->id1 = plan;
    int then = s_pick_index (rng, s_journey.cp_end_weight, 3);
    if (ends >= s_months (c->eighteen, -6))
        then = 2;
    *next = then == 0 ? NEXT_CIN : then == 1 ? NEXT_CARE : NEXT_CLOSE;
    if (*next == NEXT_CARE)
        reason = "child_looked_after";
    else if (*next == NEXT_CIN)
        reason = "step_down_to_cin";
    event->code1 = reason;
    return ends;
}

//  A child in need plan from `start`.
static jy_date_t s_cin_plan (s_child_t *c, jy_date_t start)
{
    s_rng_t *rng = &c->rng;
    jy_date_t target =
        s_min (s_months (start, s_in (rng, s_journey.cin_plan_months)), c->eighteen - 1);
    if (target <= start)
        return start;
    uint32_t plan = s_new_id (c, ID_CIN_PLAN);
    s_emit (c, start, K_CIN_PLAN_STARTED)->id1 = plan;

    jy_date_t ends = target, previous = start;
    jy_date_t due = s_months (start, s_journey.cin_review_first_months);
    while (due < target) {
        if (due > c->horizon) {
            ends = 0;
            break;
        }
        uint32_t conference;
        jy_date_t held = s_book (c, "cin_review", s_booking_day (c, previous, due), due,
                                 s_journey.booking_drift, target, &conference);
        if (held >= c->eighteen)
            break;
        if (held > c->horizon) {
            ends = 0;
            break;
        }
        s_emit (c, held, K_CIN_PLAN_REVIEWED)->id1 = plan;
        previous = held;
        if (held >= target) {
            ends = held; //  the review decided to end the plan
            break;
        }
        due = s_months (held, s_journey.cin_review_then_months);
    }
    jy_date_t until = ends ? ends : c->horizon + 1;
    for (jy_date_t visit = start + s_in (rng, s_journey.cin_visit_days);
         visit < until && visit <= c->horizon; visit += s_in (rng, s_journey.cin_visit_days))
        s_visit (c, visit, "cin");
    if (!ends)
        return until;
    s_event_t *event = s_emit (c, ends, K_CIN_PLAN_ENDED);
    event->id1 = plan;
    event->code1 = "no_longer_in_need";
    return ends;
}

static jy_date_t s_placement (s_child_t *c, jy_date_t on, uint32_t period, const char *type,
                              uint32_t *placement, bool *long_term)
{
    s_rng_t *rng = &c->rng;
    int age = s_age (c, on);
    if (!type)
        type = s_pick (rng, age < 10   ? s_journey.placement_young
                            : age < 16 ? s_journey.placement_teen
                                       : s_journey.placement_older);
    *placement = s_new_id (c, ID_PLACEMENT);
    s_event_t *event = s_emit (c, on, K_PLACEMENT_STARTED);
    event->id1 = *placement;
    event->id2 = period;
    event->code1 = type;
    bool in_area = s_chance (rng, s_journey.in_area);
    event->tenths = in_area                         ? s_in (rng, s_journey.in_area_tenths)
                    : s_chance (rng, s_journey.far) ? s_in (rng, s_journey.far_tenths)
                                                    : s_in (rng, s_journey.near_tenths);
    *long_term = strcmp (type, "U1") == 0 || strcmp (type, "U4") == 0 || type[0] == 'A' ||
                 s_chance (rng, s_journey.long_term_other);
    event->flags = (in_area ? F_1 : 0) | (*long_term ? F_2 : 0);
    return on;
}

//  Statutory reviews, visits, health, education, missing episodes and pathway plans while in
//  care from `start` to `ends` (exclusive), placements starting on segment[0..segments).
static void s_care_activity (s_child_t *c, uint32_t period, jy_date_t start, jy_date_t ends,
                             const jy_date_t *segment, const bool *segment_long, int segments)
{
    s_rng_t *rng = &c->rng;
    jy_date_t until = s_min (ends, c->horizon + 1);

    //  CLA reviews: 20 working days, 3 months, then 6-monthly.
    jy_date_t previous = start, due = s_wd (c, start, s_journey.cla_review_first_wd);
    for (int review = 0; due < until; review++) {
        uint32_t conference;
        jy_date_t held = s_book (c, "cla_review", s_booking_day (c, previous, due), due,
                                 s_journey.booking_drift, until, &conference);
        if (held >= until)
            break;
        s_event_t *event = s_emit (c, held, K_CLA_REVIEW_HELD);
        event->id1 = conference;
        event->id2 = period;
        previous = held;
        due = s_months (held, review == 0 ? s_journey.cla_review_second_months
                                          : s_journey.cla_review_then_months);
    }
    //  Visits: within 7 days of each placement, then every 6 weeks (3 months once settled).
    for (int i = 0; i < segments; i++) {
        jy_date_t segment_end = i + 1 < segments ? segment[i + 1] : until;
        jy_date_t visit = segment[i] + s_in (rng, s_journey.cla_visit_first_days);
        while (visit < segment_end) {
            s_visit (c, visit, "cla");
            if (s_chance (rng, s_journey.cla_visit_late))
                visit += s_in (rng, s_journey.cla_visit_late_days);
            else if (segment_long[i] && visit - segment[i] > 365)
                visit += s_in (rng, s_journey.cla_visit_settled_days);
            else
                visit += s_in (rng, s_journey.cla_visit_days);
        }
    }
    //  Health: an initial assessment within 20 working days, then reviews.
    jy_date_t health = s_chance (rng, s_journey.iha_late)
                           ? s_wd (c, start, s_in (rng, s_journey.iha_late_wd))
                           : s_wd (c, start, s_in (rng, s_journey.iha_in_time_wd));
    for (bool initial = true; health < until; initial = false) {
        s_emit (c, health, K_HEALTH_ASSESSMENT)->code1 = initial ? "initial" : "review";
        int every = s_age (c, health) < 5 ? s_journey.rha_under5_months : s_journey.rha_months;
        health = s_months (health, every);
        if (s_chance (rng, s_journey.rha_late))
            health += s_in (rng, s_journey.rha_late_days);
    }
    //  Personal education plans for children of school age: within 20 working days, termly.
    if (s_age (c, start) >= s_journey.pep_min_age) {
        jy_date_t pep = s_chance (rng, s_journey.pep_late)
                            ? s_wd (c, start, s_in (rng, s_journey.pep_late_wd))
                            : s_wd (c, start, s_in (rng, s_journey.pep_in_time_wd));
        for (; pep < until; pep = s_months (pep, s_journey.pep_every_months))
            s_emit (c, pep, K_PEP_COMPLETED);
    }
    //  Missing episodes, each followed by a return home interview, all within the period.
    if (s_age (c, until - 1) >= s_journey.missing_min_age &&
        s_chance (rng, s_journey.missing_child)) {
        jy_date_t missing = start + 3 + s_exp_days (rng, s_journey.missing_mean_days);
        while (missing + 20 < until) {
            if (s_age (c, missing) < s_journey.missing_min_age) {
                missing += 30;
                continue;
            }
            uint32_t episode = s_new_id (c, ID_EPISODE);
            s_event_t *event = s_emit (c, missing, K_MISSING_STARTED);
            event->id1 = episode;
            event->flags = s_chance (rng, s_journey.missing_absent) ? F_1 : 0;
            int hours = s_in (rng, s_journey.missing_hours);
            jy_date_t found = missing + s_between (rng, hours / 24, (hours + 23) / 24);
            event = s_emit (c, found, K_MISSING_ENDED);
            event->id1 = episode;
            event->tenths = hours * 10 + s_between (rng, 0, 9);
            jy_date_t interview = found + (s_chance (rng, s_journey.rhi_in_time)
                                               ? s_in (rng, s_journey.rhi_in_time_days)
                                               : s_in (rng, s_journey.rhi_late_days));
            event = s_emit (c, interview, K_RETURN_INTERVIEW);
            event->id1 = episode;
            event->flags = s_chance (rng, s_journey.rhi_declined) ? 0 : F_1;
            missing = interview + 1 + s_exp_days (rng, s_journey.missing_mean_days);
        }
    }
    //  Pathway plans from 16, reviewed 6-monthly.
    jy_date_t sixteen = s_months (c->dob, 12 * s_journey.pathway_min_age);
    for (jy_date_t review = s_months (s_max (start, sixteen), s_journey.pathway_every_months);
         review < until; review = s_months (review, s_journey.pathway_every_months))
        s_emit (c, review, K_PATHWAY_PLAN_REVIEWED);
}

static const char *s_closure_for_ceased (const char *ceased)
{
    if (strcmp (ceased, "E11") == 0 || strcmp (ceased, "E12") == 0)
        return "RC1";
    if (strcmp (ceased, "E2") == 0)
        return "RC2";
    if (strcmp (ceased, "E41") == 0)
        return "RC3";
    if (strncmp (ceased, "E4", 2) == 0 && ceased[2] >= '5' && ceased[2] <= '8')
        return "RC4";
    if (strcmp (ceased, "E3") == 0)
        return "RC5";
    if (strcmp (ceased, "E7") == 0)
        return "RC6";
    return "RC7";
}

//  A period of care from `start`.
static jy_date_t s_care (s_child_t *c, jy_date_t start, s_next_t *next, const char **closure)
{
    s_rng_t *rng = &c->rng;
    if (start < c->dob)
        start = c->dob + s_between (rng, 0, 2); //  an unborn baby comes into care at birth
    *next = NEXT_CLOSE;
    if (start > c->horizon || start >= c->eighteen - 7)
        return start;
    int age = s_age (c, start);
    const char *legal = c->uasc ? "V2" : s_pick (rng, s_journey.legal_status);
    const char *need = c->uasc ? "N8" : s_pick (rng, s_journey.need);
    uint32_t period = s_new_id (c, ID_PERIOD);
    s_event_t *event = s_emit (c, start, K_PERIOD_OF_CARE_STARTED);
    event->id1 = period;
    event->code1 = legal;
    event->code2 = need;

    //  How the period will end.
    enum { SHORT, MEDIUM, ADULT, ADOPTION, REMAND } path;
    if (strcmp (legal, "J1") == 0)
        path = REMAND;
    else if (age <= 3 && legal[0] == 'C' && s_chance (rng, s_journey.adoption))
        path = ADOPTION;
    else if (c->uasc || (age >= 16 && s_chance (rng, s_journey.older_until_18)))
        path = ADULT;
    else
        path = (int) s_pick_index (rng, s_journey.care_length_weight, 3);
    jy_date_t ends = 0, adm = 0, order = 0, match = 0, placed = 0;
    const char *ceased;
    switch (path) {
    case REMAND:
        ends = start + s_in (rng, s_journey.remand_days);
        ceased = "E14";
        break;
    case SHORT:
        ends = s_months (start, s_in (rng, s_journey.care_short_months));
        ceased = s_pick (rng, s_journey.ceased_short);
        break;
    case MEDIUM:
        ends = s_months (start, s_in (rng, s_journey.care_medium_months));
        ceased = s_pick (rng, s_journey.ceased_medium);
        break;
    case ADOPTION:
        adm = s_months (start, s_in (rng, s_journey.adm_months));
        order = s_months (adm, s_in (rng, s_journey.placement_order_months));
        match = s_months (order, s_in (rng, s_journey.match_months));
        placed = match + s_in (rng, s_journey.placed_days);
        ends = s_months (placed, s_in (rng, s_journey.adoption_order_months));
        ceased = s_pick (rng, s_journey.adoption_ceased);
        break;
    default:
        ends = c->eighteen;
        ceased = s_pick (rng, s_journey.ceased_adult);
        break;
    }
    if (ends >= c->eighteen) {
        ends = c->eighteen;
        path = ADULT;
        ceased = s_pick (rng, s_journey.ceased_adult);
    }
    jy_date_t until = s_min (ends, c->horizon + 1);

    //  Legal status: interim to full care order; emergency protection to an interim order.
    if (strcmp (legal, "C1") == 0) {
        jy_date_t full = s_months (start, s_in (rng, s_journey.c1_to_c2_months));
        if (full < until && (path != ADOPTION || full < order)) {
            event = s_emit (c, full, K_LEGAL_STATUS_CHANGED);
            event->id1 = period;
            event->code1 = "C2";
        }
    } else if (legal[0] == 'L') {
        jy_date_t interim = start + s_in (rng, s_journey.emergency_days);
        if (interim < until) {
            event = s_emit (c, interim, K_LEGAL_STATUS_CHANGED);
            event->id1 = period;
            event->code1 = s_chance (rng, 0.6) ? "C1" : "V2";
        }
    }
    if (path == ADOPTION) {
        if (adm < until)
            s_emit (c, adm, K_ADM_DECISION);
        if (order < until) {
            s_emit (c, order, K_PLACEMENT_ORDER);
            event = s_emit (c, order, K_LEGAL_STATUS_CHANGED);
            event->id1 = period;
            event->code1 = "E1";
        }
        if (match < until)
            s_emit (c, match, K_ADOPTION_MATCH);
    }

    //  Placements: moves now and then; the adoptive placement last.
    jy_date_t segment[S_MAX_SEGMENTS];
    bool segment_long[S_MAX_SEGMENTS];
    int segments = 0;
    uint32_t placement;
    segment[segments] = s_placement (c, start, period, NULL, &placement, &segment_long[segments]);
    segments++;
    jy_date_t boundary = path == ADOPTION ? placed : ends;
    for (jy_date_t move = start;;) {
        //  Moves come often until the child has settled, rarely after.
        jy_date_t settled = start + s_journey.settled_after_days;
        if (move < settled) {
            move += 7 + s_exp_days (rng, s_journey.move_mean_days);
            if (move >= settled)
                move = settled + s_exp_days (rng, s_journey.settled_move_mean_days);
        } else
            move += 7 + s_exp_days (rng, s_journey.settled_move_mean_days);
        if (move >= boundary || move > c->horizon)
            break;
        event = s_emit (c, move, K_PLACEMENT_ENDED);
        event->id1 = placement;
        event->code1 = s_pick (rng, s_journey.move_reason);
        jy_date_t at = s_placement (c, move, period, NULL, &placement, &segment_long[segments]);
        if (segments < S_MAX_SEGMENTS - 1)
            segment[segments++] = at;
    }
    if (path == ADOPTION && placed < until) {
        event = s_emit (c, placed, K_PLACEMENT_ENDED);
        event->id1 = placement;
        event->code1 = "CARPL";
        const char *type = s_chance (rng, s_journey.adoption_with_carers) ? "A5" : "A6";
        segment[segments] =
            s_placement (c, placed, period, type, &placement, &segment_long[segments]);
        segments++;
        s_emit (c, placed, K_PLACED_FOR_ADOPTION)->id1 = placement;
    }
    s_care_activity (c, period, start, ends, segment, segment_long, segments);
    if (ends > c->horizon)
        return ends;

    if (path == ADOPTION) {
        s_emit (c, ends, K_ADOPTION_ORDER);
        c->adopted = true;
    }
    event = s_emit (c, ends, K_PLACEMENT_ENDED);
    event->id1 = placement;
    event->code1 = "CARPL";
    event = s_emit (c, ends, K_PERIOD_OF_CARE_ENDED);
    event->id1 = period;
    event->code1 = ceased;
    *closure = s_closure_for_ceased (ceased);
    if (path == ADULT && strcmp (ceased, "E7") != 0)
        *next = NEXT_LEAVER;
    else if ((path == SHORT || path == MEDIUM) && strcmp (*closure, "RC7") == 0 &&
             s_chance (rng, s_journey.care_then_cin))
        *next = NEXT_CIN;
    return ends;
}

//  Care leaving services from 18 to 21.
static jy_date_t s_care_leaver (s_child_t *c, jy_date_t from)
{
    s_rng_t *rng = &c->rng;
    jy_date_t until = s_months (c->dob, 12 * s_journey.leaver_until_age);
    jy_date_t stop = s_min (until, c->horizon + 1);
    for (jy_date_t on = from + s_in (rng, s_journey.leaver_contact_days); on < stop;
         on += s_in (rng, s_journey.leaver_contact_days)) {
        s_event_t *event = s_emit (c, on, K_CARE_LEAVER_CONTACT);
        if (s_chance (rng, s_journey.leaver_in_touch)) {
            event->flags = F_1 | F_2 | (s_chance (rng, s_journey.leaver_suitable) ? F_3 : 0);
            event->code1 = s_pick (rng, s_journey.activity);
            if (s_chance (rng, s_journey.leaver_visit))
                s_visit (c, on, "care_leaver");
        } else
            event->code1 = "0";
    }
    for (jy_date_t review = s_months (from, s_journey.pathway_every_months); review < stop;
         review = s_months (review, s_journey.pathway_every_months))
        s_emit (c, review, K_PATHWAY_PLAN_REVIEWED);
    return until;
}

//  A referral received on `referred`: assessment, s47 and what follows, to the case closing.
//  Returns the day the case closed.
static jy_date_t s_referral (s_child_t *c, jy_date_t referred, uint32_t referral)
{
    s_rng_t *rng = &c->rng;
    generator_t *gen = c->gen;

    //  Allocation to a worker in a case-holding team (team 0 is the front door), any of them
    //  alike, so that caseloads spread evenly whatever the team sizes.
    c->worker = s_between (rng, gen->team_first[1], gen->workers - 1);
    c->team = gen->team_of[c->worker];
    jy_date_t allocated = referred + s_in (rng, s_journey.allocation_days);
    s_event_t *event = s_emit (c, allocated, K_WORKER_ALLOCATED);
    event->id1 = (uint32_t) c->worker;
    event->id2 = (uint32_t) c->team;

    //  Assessment.
    uint32_t assessment = s_new_id (c, ID_ASSESSMENT);
    jy_date_t assessed_from = s_wd (c, referred, s_in (rng, s_journey.assessment_start_wd));
    event = s_emit (c, assessed_from, K_ASSESSMENT_STARTED);
    event->id1 = assessment;
    event->id2 = referral;
    jy_date_t assessed = s_chance (rng, s_journey.assessment_late)
                             ? s_wd (c, referred, s_in (rng, s_journey.assessment_late_wd))
                             : s_wd (c, referred, s_in (rng, s_journey.assessment_in_time_wd));
    assessed = s_max (assessed, assessed_from);
    jy_date_t latest = s_max (assessed, allocated);

    //  Section 47: strategy discussion, enquiry, ICPC, plan.
    s_next_t next = NEXT_CLOSE;
    jy_date_t next_from = assessed;
    uint32_t cp_plan = 0;
    const char *outcome = NULL;
    if (c->uasc) {
        outcome = "cla";
        next = NEXT_CARE;
        next_from = referred;
    } else if (s_chance (rng, c->had_cp_plan      ? s_journey.after_cp_s47
                              : c->dob > referred ? s_journey.unborn_s47
                                                  : s_journey.s47)) {
        outcome = "s47";
        jy_date_t strategy_on = s_wd (c, referred, s_in (rng, s_journey.strategy_wd));
        uint32_t s47 = s_new_id (c, ID_S47);
        event = s_emit (c, strategy_on, K_STRATEGY_DISCUSSION);
        event->id1 = s_new_id (c, ID_STRATEGY);
        event->id2 = referral;
        event->id3 = s47;
        event->flags = F_1;
        jy_date_t enquired = s_wd (c, strategy_on, s_in (rng, s_journey.s47_wd));
        bool icpc = s_chance (rng, c->had_cp_plan ? s_journey.after_cp_icpc : s_journey.icpc);
        event = s_emit (c, enquired, K_S47_COMPLETED);
        event->id1 = s47;
        event->flags = icpc ? F_1 : 0;
        event->code1 = icpc ? "icpc" : "no_icpc";
        latest = s_max (latest, enquired);
        next = s_chance (rng, s_journey.no_plan_cin) ? NEXT_CIN : NEXT_CLOSE;
        next_from = s_max (assessed, enquired);
        if (icpc) {
            uint32_t conference;
            jy_date_t due = s_wd (c, strategy_on, s_journey.icpc_due_wd);
            jy_date_t held = s_book (c, "icpc", enquired, due, s_journey.icpc_late, c->eighteen - 1,
                                     &conference);
            //  No plan from a conference on or after the day before the 18th birthday: the
            //  plan would end (reached_18) before it started. The draws are made all the
            //  same, so that the rest of the child's history is unchanged.
            bool plan_made = s_chance (rng, s_journey.cp_plan) && held < c->eighteen - 1;
            const char *category = s_pick (rng, s_journey.abuse);
            event = s_emit (c, held, K_ICPC_HELD);
            event->id1 = conference;
            event->id2 = s47;
            event->flags = plan_made ? F_1 : 0;
            event->code1 = plan_made ? category : NULL;
            latest = s_max (latest, held);
            if (plan_made) {
                uint32_t plan = s_new_id (c, ID_CP_PLAN);
                event = s_emit (c, held, K_CP_PLAN_STARTED);
                event->id1 = plan;
                event->id2 = conference;
                event->code1 = category;
                next = NEXT_CP;
                next_from = held;
                cp_plan = plan;
                c->had_cp_plan = true;
            } else
                next_from = s_max (next_from, held);
        }
    } else {
        if (s_chance (rng, s_journey.strategy_without_s47)) {
            event = s_emit (c, s_wd (c, referred, s_in (rng, s_journey.strategy_wd)),
                            K_STRATEGY_DISCUSSION);
            event->id1 = s_new_id (c, ID_STRATEGY);
            event->id2 = referral;
        }
        static const char *outcomes[4] = {"nfa", "early_help", "cin", "cla"};
        bool baby = s_age (c, assessed) < 1;
        outcome = outcomes[s_pick_index (
            rng, baby ? s_journey.baby_outcome_weight : s_journey.outcome_weight, 4)];
        next = outcome[1] == 'i' ? NEXT_CIN : outcome[1] == 'l' ? NEXT_CARE : NEXT_CLOSE;
    }
    event = s_emit (c, assessed, K_ASSESSMENT_COMPLETED);
    event->id1 = assessment;
    event->code1 = outcome;

    //  What follows, stage after stage.
    const char *closure = strcmp (outcome, "nfa") == 0          ? "RC8"
                          : strcmp (outcome, "early_help") == 0 ? "RC9"
                                                                : "RC7";
    jy_date_t at = next_from;
    while (next != NEXT_CLOSE && at <= c->horizon) {
        s_next_t then = NEXT_CLOSE;
        switch (next) {
        case NEXT_CP:
            at = s_cp_plan (c, at, cp_plan, &then);
            closure = "RC7";
            break;
        case NEXT_CIN:
            at = s_cin_plan (c, at);
            closure = "RC7";
            break;
        case NEXT_CARE:
            at = s_care (c, at, &then, &closure);
            break;
        case NEXT_LEAVER:
            at = s_care_leaver (c, at);
            closure = "RC7";
            break;
        default:
            break;
        }
        next = then;
    }
    jy_date_t closed = s_max (at, latest);

    //  Along the way (dropped with the rest when after the horizon): a spell without a
    //  worker, a case audit.
    bool has_worker = true;
    if (closed - referred > 40 && s_chance (rng, s_journey.unallocated_spell)) {
        jy_date_t left = s_between (rng, referred + 10, closed - 20);
        event = s_emit (c, left, K_WORKER_UNALLOCATED);
        event->id1 = (uint32_t) c->worker;
        jy_date_t back = left + s_in (rng, s_journey.unallocated_days);
        has_worker = back < closed;
        if (has_worker) {
            c->worker = gen->team_first[c->team] + s_between (rng, 0, gen->team_size[c->team] - 1);
            event = s_emit (c, back, K_WORKER_ALLOCATED);
            event->id1 = (uint32_t) c->worker;
            event->id2 = (uint32_t) c->team;
        }
    }
    if (closed - referred > 30 && s_chance (rng, s_journey.audit)) {
        event = s_emit (c, s_between (rng, referred + 20, closed - 1), K_CASE_AUDIT_COMPLETED);
        event->code1 = s_pick (rng, s_journey.audit_grade);
        event->id1 = (uint32_t) s_between (rng, 0, gen->workers - 1);
    }
    if (closed > c->horizon)
        return closed;
    event = s_emit (c, closed, K_REFERRAL_CLOSED);
    event->id1 = referral;
    event->code1 = closure;
    //  Closing the case ends the worker's allocation: a later contact that goes no further
    //  reopens the case's record (ingest.child.closed_on) but gives it no worker.
    if (has_worker)
        s_emit (c, closed, K_WORKER_UNALLOCATED)->id1 = (uint32_t) c->worker;
    s_emit (c, closed, K_CASE_CLOSED)->code1 = closure;
    return closed;
}

//  One child's whole history.
static void s_child (generator_t *self, uint32_t child)
{
    s_child_t context = {
        .gen = self, .child = child, .horizon = self->params.end, .worker = -1, .team = -1};
    s_child_t *c = &context;
    s_rng_t *rng = &c->rng;
    s_rng_seed (rng, self->params.seed, child);

    jy_date_t first = self->start + s_between (rng, 0, self->params.end - self->start);
    bool unborn = s_chance (rng, s_journey.unborn);
    c->uasc = !unborn && s_chance (rng, s_journey.uasc);
    static const char *sexes[3] = {"M", "F", "U"};
    const char *sex;
    const char *ethnicity;
    if (unborn) {
        c->dob = first + s_in (rng, s_journey.unborn_due_days);
        sex = sexes[s_pick_index (rng, s_journey.unborn_sex_weight, 3)];
        ethnicity = s_pick (rng, s_journey.ethnicity);
    } else if (c->uasc) {
        int age = s_in (rng, s_journey.uasc_age);
        c->dob = first - age * 365 - s_between (rng, 1, 364);
        sex = s_chance (rng, s_journey.uasc_male) ? "M" : "F";
        ethnicity = s_pick (rng, s_journey.uasc_ethnicity);
    } else {
        static const int band_min[4] = {0, 5, 10, 16}, band_max[4] = {4, 9, 15, 17};
        int band = s_pick_index (rng, s_journey.age_weight, 4);
        int age = s_between (rng, band_min[band], band_max[band]);
        c->dob = first - age * 365 - s_between (rng, 1, 364);
        sex = sexes[s_pick_index (rng, s_journey.sex_weight, 3)];
        ethnicity = s_pick (rng, s_journey.ethnicity);
    }
    c->eighteen = s_months (c->dob, 12 * 18);

    s_event_t *event = s_emit (c, first, K_CHILD_REGISTERED);
    event->date = c->dob;
    event->code1 = sex;
    event->code2 = ethnicity;
    event->flags =
        (unborn ? F_1 : 0) | (s_chance (rng, s_journey.disability) ? F_2 : 0) | (c->uasc ? F_3 : 0);

    bool known = false; //  referred before: later contacts are accepted more often
    for (jy_date_t contacted = first; contacted <= c->horizon && contacted < c->eighteen - 30;) {
        uint32_t contact = s_new_id (c, ID_CONTACT);
        const char *source = c->uasc ? "5C" : s_pick (rng, s_journey.contact_source);
        event = s_emit (c, contacted, K_CONTACT_RECEIVED);
        event->id1 = contact;
        event->code1 = source;
        //  The front door takes the contact.
        event->team = 0;
        event->worker = (int16_t) s_between (rng, 0, self->team_size[0] - 1);

        jy_date_t decided = s_chance (rng, s_journey.decision_late)
                                ? s_wd (c, contacted, s_in (rng, s_journey.decision_late_wd))
                                : s_wd (c, contacted, s_in (rng, s_journey.decision_wd));
        double accepted = c->had_cp_plan       ? s_journey.after_cp_referral
                          : known              ? s_journey.repeat_contact_referral
                          : c->dob > contacted ? s_journey.unborn_referral
                                               : s_journey.first_contact_referral;
        bool referred = c->uasc || s_chance (rng, accepted);
        const char *outcome = "referral";
        if (!referred) {
            double r = s_unit (rng);
            outcome = r < s_journey.contact_early_help ? "early_help"
                      : r < s_journey.contact_early_help + s_journey.contact_information
                          ? "information"
                          : "nfa";
        }
        event = s_emit (c, decided, K_CONTACT_DECIDED);
        event->id1 = contact;
        event->code1 = outcome;

        jy_date_t after = decided;
        double again = s_journey.recontact_after_contact;
        int mean = s_journey.recontact_after_contact_mean_days;
        if (referred) {
            uint32_t referral = s_new_id (c, ID_REFERRAL);
            event = s_emit (c, decided, K_REFERRAL_RECEIVED);
            event->id1 = referral;
            event->id2 = contact;
            event->code1 = source;
            after = s_referral (c, decided, referral);
            known = true;
            again = c->had_cp_plan ? s_journey.after_cp_recontact : s_journey.recontact_after_close;
            mean = s_journey.recontact_after_close_mean_days;
        }
        if (after > c->horizon || c->adopted || !s_chance (rng, again))
            break;
        contacted = after + 1 + s_exp_days (rng, mean);
        c->uasc = false; //  a later contact is about a child already here
    }
}

//  ---------------------------------------------------------------------------------------------
//  Ordering and output

static int s_compare_in_child (const void *a, const void *b)
{
    const s_event_t *x = a, *y = b;
    if (x->on != y->on)
        return x->on < y->on ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int s_compare (const void *a, const void *b)
{
    const s_event_t *x = a, *y = b;
    if (x->on != y->on)
        return x->on < y->on ? -1 : 1;
    if (x->recorded != y->recorded)
        return x->recorded < y->recorded ? -1 : 1;
    if (x->child != y->child)
        return x->child < y->child ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

//  Put a child's events in order, give each the worker holding the case and a recorded_at
//  that never goes backwards, and keep those in the window.
static void s_finish_child (generator_t *self, s_rng_t *rng)
{
    qsort (self->child_events, self->child_count, sizeof (s_event_t), s_compare_in_child);
    int16_t worker = -1, team = -1;
    int64_t previous = INT64_MIN;
    //  22:59:59 UTC is still the end day in London, in summer time too.
    int64_t last = (int64_t) self->params.end * 86400 + 22 * 3600 + 3599;
    for (size_t i = 0; i < self->child_count; i++) {
        s_event_t *event = &self->child_events[i];
        if (event->on > self->params.end)
            break;
        switch (event->kind) {
        case K_CONTACT_RECEIVED:
            worker = event->worker;
            team = event->team;
            break;
        case K_WORKER_ALLOCATED:
            worker = (int16_t) event->id1;
            team = (int16_t) event->id2;
            break;
        case K_WORKER_UNALLOCATED:
            worker = -1;
            break;
        default:
            break;
        }
        event->worker = worker;
        event->team = team;
        if (event->kind == K_CASE_CLOSED)
            worker = team = -1;

        static const int lag_min[4] = {0, 1, 3, 8}, lag_max[4] = {0, 2, 7, 20};
        int band = s_pick_index (rng, s_journey.record_lag_weight, 4);
        int64_t recorded =
            ((int64_t) event->on + s_between (rng, lag_min[band], lag_max[band])) * 86400 +
            s_between (rng, 8 * 3600, 19 * 3600 - 1);
        if (recorded <= previous)
            recorded = previous + 1;
        if (recorded > last)
            recorded = last;
        event->recorded = previous = recorded;

        if (self->per_day)
            self->per_day[event->on - self->start]++;
        if (event->on < self->from || event->on > self->to || self->overflow)
            continue;
        if (self->count == self->limit) {
            self->overflow = true;
            continue;
        }
        if (self->count == self->alloc) {
            self->alloc = self->alloc ? self->alloc * 2 : 65536;
            self->events = realloc (self->events, self->alloc * sizeof (s_event_t));
            assert (self->events);
        }
        self->events[self->count++] = *event;
    }
}

//  Simulate every child, holding the events on days from..to.
static void s_generate (generator_t *self, jy_date_t from, jy_date_t to)
{
    memset (self->next_id, 0, sizeof (self->next_id));
    self->from = from;
    self->to = to;
    self->count = 0;
    self->overflow = false;
    for (uint32_t child = 1; child <= self->params.children; child++) {
        self->child_count = 0;
        s_child (self, child);
        //  The recording lags come from their own stream, so they never shift the journey.
        s_rng_t rng;
        s_rng_seed (&rng, self->params.seed ^ 0x5245434F52444544ull, child);
        s_finish_child (self, &rng);
    }
}

//  A line being formatted.
typedef struct {
    char *p;
    const char *la;
    bool first; //  no comma before the next field
    char buf[1024];
} s_line_t;

static void s_raw (s_line_t *line, const char *text)
{
    size_t length = strlen (text);
    assert (line->p + length < line->buf + sizeof (line->buf) - 64);
    memcpy (line->p, text, length);
    line->p += length;
}

static void s_key (s_line_t *line, const char *key)
{
    if (!line->first)
        *line->p++ = ',';
    line->first = false;
    *line->p++ = '"';
    s_raw (line, key);
    *line->p++ = '"';
    *line->p++ = ':';
}

static void s_uint (s_line_t *line, uint64_t value)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char) ('0' + value % 10);
    while ((value /= 10));
    while (n)
        *line->p++ = digits[--n];
}

static void s_digits (s_line_t *line, int value, int width)
{
    for (int i = width - 1; i >= 0; i--, value /= 10)
        line->p[i] = (char) ('0' + value % 10);
    line->p += width;
}

//  Codes and reasons are our own static strings: letters, digits and underscores only, so
//  they need no escaping.
static void s_string (s_line_t *line, const char *key, const char *value)
{
    if (!value)
        return;
    s_key (line, key);
    *line->p++ = '"';
    s_raw (line, value);
    *line->p++ = '"';
}

static void s_id (s_line_t *line, const char *key, const char *prefix, uint32_t id)
{
    if (!id)
        return;
    s_key (line, key);
    *line->p++ = '"';
    s_raw (line, line->la);
    *line->p++ = '-';
    s_raw (line, prefix);
    s_uint (line, id);
    *line->p++ = '"';
}

static void s_ref (s_line_t *line, const char *key, s_id_kind_t kind, uint32_t id)
{
    s_id (line, key, s_id_prefix[kind], id);
}

static void s_bool (s_line_t *line, const char *key, bool value)
{
    s_key (line, key);
    s_raw (line, value ? "true" : "false");
}

static void s_date (s_line_t *line, const char *key, jy_date_t date)
{
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    s_key (line, key);
    *line->p++ = '"';
    s_digits (line, year, 4);
    *line->p++ = '-';
    s_digits (line, month, 2);
    *line->p++ = '-';
    s_digits (line, day, 2);
    *line->p++ = '"';
}

static void s_timestamp (s_line_t *line, const char *key, int64_t seconds)
{
    s_date (line, key, (jy_date_t) (seconds / 86400));
    line->p--; //  reopen the string
    int second = (int) (seconds % 86400);
    *line->p++ = 'T';
    s_digits (line, second / 3600, 2);
    *line->p++ = ':';
    s_digits (line, second / 60 % 60, 2);
    *line->p++ = ':';
    s_digits (line, second % 60, 2);
    s_raw (line, "Z\"");
}

static void s_tenths (s_line_t *line, const char *key, int32_t tenths)
{
    s_key (line, key);
    s_uint (line, (uint64_t) (tenths / 10));
    *line->p++ = '.';
    *line->p++ = (char) ('0' + tenths % 10);
}

static void s_worker (s_line_t *line, const char *key, int worker)
{
    s_id (line, key, "W", (uint32_t) worker + 1);
}

static void s_team (s_line_t *line, const char *key, int team)
{
    s_id (line, key, "T", (uint32_t) team + 1);
}

static void s_payload (s_line_t *line, const s_event_t *e)
{
    bool f1 = e->flags & F_1, f2 = e->flags & F_2, f3 = e->flags & F_3;
    switch ((s_kind_t) e->kind) {
    case K_CHILD_REGISTERED:
        s_date (line, f1 ? "expected_date_of_birth" : "date_of_birth", e->date);
        if (f1)
            s_bool (line, "unborn", true);
        s_string (line, "sex", e->code1);
        s_string (line, "ethnicity", e->code2);
        s_bool (line, "disability", f2);
        s_bool (line, "uasc", f3);
        break;
    case K_CONTACT_RECEIVED:
        s_ref (line, "contact_id", ID_CONTACT, e->id1);
        s_string (line, "contact_source", e->code1);
        break;
    case K_CONTACT_DECIDED:
        s_ref (line, "contact_id", ID_CONTACT, e->id1);
        s_string (line, "outcome", e->code1);
        break;
    case K_REFERRAL_RECEIVED:
        s_ref (line, "referral_id", ID_REFERRAL, e->id1);
        s_ref (line, "contact_id", ID_CONTACT, e->id2);
        s_string (line, "referral_source", e->code1);
        break;
    case K_REFERRAL_CLOSED:
        s_ref (line, "referral_id", ID_REFERRAL, e->id1);
        s_string (line, "reason", e->code1);
        break;
    case K_ASSESSMENT_STARTED:
        s_ref (line, "assessment_id", ID_ASSESSMENT, e->id1);
        s_ref (line, "referral_id", ID_REFERRAL, e->id2);
        break;
    case K_ASSESSMENT_COMPLETED:
        s_ref (line, "assessment_id", ID_ASSESSMENT, e->id1);
        s_string (line, "outcome", e->code1);
        break;
    case K_STRATEGY_DISCUSSION:
        s_ref (line, "strategy_id", ID_STRATEGY, e->id1);
        s_ref (line, "referral_id", ID_REFERRAL, e->id2);
        s_bool (line, "s47_started", f1);
        s_ref (line, "s47_id", ID_S47, e->id3);
        break;
    case K_S47_COMPLETED:
        s_ref (line, "s47_id", ID_S47, e->id1);
        s_bool (line, "icpc_required", f1);
        s_string (line, "outcome", e->code1);
        break;
    case K_CONFERENCE_SCHEDULED:
        s_ref (line, "conference_id", ID_CONFERENCE, e->id1);
        s_string (line, "kind", e->code1);
        s_date (line, "planned_on", e->date);
        s_ref (line, "cancels", ID_CONFERENCE, e->id2);
        break;
    case K_ICPC_HELD:
        s_ref (line, "conference_id", ID_CONFERENCE, e->id1);
        s_ref (line, "s47_id", ID_S47, e->id2);
        s_bool (line, "plan_made", f1);
        s_string (line, "category", e->code1);
        break;
    case K_CP_PLAN_STARTED:
        s_ref (line, "plan_id", ID_CP_PLAN, e->id1);
        s_ref (line, "conference_id", ID_CONFERENCE, e->id2);
        s_string (line, "category", e->code1);
        break;
    case K_CP_PLAN_ENDED:
        s_ref (line, "plan_id", ID_CP_PLAN, e->id1);
        s_string (line, "reason", e->code1);
        break;
    case K_RCPC_HELD:
        s_ref (line, "conference_id", ID_CONFERENCE, e->id1);
        s_ref (line, "plan_id", ID_CP_PLAN, e->id2);
        s_bool (line, "plan_continues", f1);
        break;
    case K_CORE_GROUP_HELD:
        s_ref (line, "plan_id", ID_CP_PLAN, e->id1);
        break;
    case K_CIN_PLAN_STARTED:
    case K_CIN_PLAN_REVIEWED:
        s_ref (line, "plan_id", ID_CIN_PLAN, e->id1);
        break;
    case K_CIN_PLAN_ENDED:
        s_ref (line, "plan_id", ID_CIN_PLAN, e->id1);
        s_string (line, "reason", e->code1);
        break;
    case K_CHILD_VISITED:
        s_bool (line, "seen", f1);
        s_bool (line, "seen_alone", f2);
        s_string (line, "context", e->code1);
        break;
    case K_PERIOD_OF_CARE_STARTED:
        s_ref (line, "period_id", ID_PERIOD, e->id1);
        s_string (line, "legal_status", e->code1);
        s_string (line, "category_of_need", e->code2);
        break;
    case K_PERIOD_OF_CARE_ENDED:
        s_ref (line, "period_id", ID_PERIOD, e->id1);
        s_string (line, "reason_ceased", e->code1);
        break;
    case K_PLACEMENT_STARTED:
        s_ref (line, "placement_id", ID_PLACEMENT, e->id1);
        s_ref (line, "period_id", ID_PERIOD, e->id2);
        s_string (line, "placement_type", e->code1);
        s_bool (line, "in_area", f1);
        s_tenths (line, "distance_miles", e->tenths);
        s_bool (line, "long_term", f2);
        break;
    case K_PLACEMENT_ENDED:
        s_ref (line, "placement_id", ID_PLACEMENT, e->id1);
        s_string (line, "reason", e->code1);
        break;
    case K_LEGAL_STATUS_CHANGED:
        s_ref (line, "period_id", ID_PERIOD, e->id1);
        s_string (line, "legal_status", e->code1);
        break;
    case K_CLA_REVIEW_HELD:
        s_ref (line, "conference_id", ID_CONFERENCE, e->id1);
        s_ref (line, "period_id", ID_PERIOD, e->id2);
        break;
    case K_HEALTH_ASSESSMENT:
        s_string (line, "kind", e->code1);
        break;
    case K_MISSING_STARTED:
        s_ref (line, "episode_id", ID_EPISODE, e->id1);
        s_bool (line, "away_from_placement", f1);
        break;
    case K_MISSING_ENDED:
        s_ref (line, "episode_id", ID_EPISODE, e->id1);
        s_tenths (line, "hours_missing", e->tenths);
        break;
    case K_RETURN_INTERVIEW:
        s_ref (line, "episode_id", ID_EPISODE, e->id1);
        s_bool (line, "accepted", f1);
        break;
    case K_PLACED_FOR_ADOPTION:
        s_ref (line, "placement_id", ID_PLACEMENT, e->id1);
        break;
    case K_CARE_LEAVER_CONTACT:
        s_bool (line, "in_touch", f1);
        if (f2)
            s_bool (line, "accommodation_suitable", f3);
        s_string (line, "activity", e->code1);
        break;
    case K_WORKER_ALLOCATED:
        s_worker (line, "allocated_worker_id", (int) e->id1);
        s_team (line, "allocated_team_id", (int) e->id2);
        break;
    case K_WORKER_UNALLOCATED:
        s_worker (line, "previous_worker_id", (int) e->id1);
        break;
    case K_CASE_AUDIT_COMPLETED:
        s_string (line, "grade", e->code1);
        s_worker (line, "auditor_id", (int) e->id1);
        break;
    case K_CASE_CLOSED:
        s_string (line, "reason", e->code1);
        break;
    case K_PEP_COMPLETED:
    case K_ADM_DECISION:
    case K_PLACEMENT_ORDER:
    case K_ADOPTION_MATCH:
    case K_ADOPTION_ORDER:
    case K_PATHWAY_PLAN_REVIEWED:
    case K__COUNT:
        break;
    }
}

//  Sort the held events and write them. 0 or -1.
static int s_write_held (generator_t *self, FILE *out)
{
    qsort (self->events, self->count, sizeof (s_event_t), s_compare);
    s_line_t line = {.la = self->params.la_code};
    for (size_t i = 0; i < self->count; i++) {
        const s_event_t *e = &self->events[i];
        line.p = line.buf;
        line.first = true;
        *line.p++ = '{';
        s_id (&line, "event_id", "E", (uint32_t) (++self->written));
        s_string (&line, "la_code", self->params.la_code);
        s_id (&line, "child_id", "C", e->child);
        s_date (&line, "occurred_on", e->on);
        s_timestamp (&line, "recorded_at", e->recorded);
        s_string (&line, "source", "generator");
        if (e->worker >= 0)
            s_worker (&line, "worker_id", e->worker);
        if (e->team >= 0)
            s_team (&line, "team_id", e->team);
        s_key (&line, s_kind_names[e->kind]);
        *line.p++ = '{';
        line.first = true;
        s_payload (&line, e);
        s_raw (&line, "}}\n");
        if (fwrite (line.buf, 1, (size_t) (line.p - line.buf), out) != (size_t) (line.p - line.buf))
            return -1;
    }
    return 0;
}

int generator_write (generator_t *self, FILE *out)
{
    assert (self);
    assert (out);
    self->written = 0;
    jy_date_t days = self->params.end - self->start + 1;
    free (self->per_day);
    self->per_day = calloc ((size_t) days, sizeof (uint32_t));
    assert (self->per_day);

    //  Usually everything fits: one pass. Otherwise the per-day counts from that pass cut the
    //  history into windows that do.
    self->limit = S_MAX_HELD;
    s_generate (self, self->start, self->params.end);
    uint32_t *per_day = self->per_day;
    self->per_day = NULL;
    int rc = 0;
    if (!self->overflow)
        rc = s_write_held (self, out);
    else {
        jy_date_t from = self->start;
        while (rc == 0 && from <= self->params.end) {
            //  As many days as fit, and at least one whatever its size.
            jy_date_t to = from;
            size_t held = per_day[from - self->start];
            while (to < self->params.end && held + per_day[to + 1 - self->start] <= S_MAX_HELD)
                held += per_day[++to - self->start];
            self->limit = SIZE_MAX; //  one day can be held whatever its size
            s_generate (self, from, to);
            rc = s_write_held (self, out);
            from = to + 1;
        }
    }
    free (per_day);
    free (self->events);
    self->events = NULL;
    self->count = self->alloc = 0;
    if (rc == 0 && fflush (out) != 0)
        rc = -1;
    return rc;
}
