/*  jy_codes: the code lists, one table each, in the order and words of the specifications.

    Sources: DfE "Children looked after return (SSDA903)" guide and "Children in need census"
    guide, current at 2024-25. Lookup is a linear scan: the longest list has under 30 codes,
    and a scan with strcmp beats any index at that size.
*/
#include <string.h>

#include "journey/jy_codes.h"

typedef struct {
    const char *code;
    const char *description;
} s_code_t;

//  CIN census / SSDA903 ethnicity (the DfE's 2001-census-based extended codes).
static const s_code_t s_ethnicity[] = {
    {"WBRI", "White British"},
    {"WIRI", "White Irish"},
    {"WIRT", "Traveller of Irish heritage"},
    {"WOTH", "Any other White background"},
    {"WROM", "Gypsy/Roma"},
    {"MWBC", "White and Black Caribbean"},
    {"MWBA", "White and Black African"},
    {"MWAS", "White and Asian"},
    {"MOTH", "Any other mixed background"},
    {"AIND", "Indian"},
    {"APKN", "Pakistani"},
    {"ABAN", "Bangladeshi"},
    {"AOTH", "Any other Asian background"},
    {"BCRB", "Caribbean"},
    {"BAFR", "African"},
    {"BOTH", "Any other Black background"},
    {"CHNE", "Chinese"},
    {"OOTH", "Any other ethnic group"},
    {"REFU", "Refused"},
    {"NOBT", "Information not yet obtained"},
};

//  Journey's sex codes (the returns use 1/2 and, in the census, 0/9; M/F/U map onto them).
static const s_code_t s_sex[] = {
    {"M", "Male"},
    {"F", "Female"},
    {"U", "Unknown or not recorded"},
};

//  SSDA903 legal status.
static const s_code_t s_legal_status[] = {
    {"C1", "Interim care order"},
    {"C2", "Full care order"},
    {"D1", "Freeing order granted"},
    {"E1", "Placement order granted"},
    {"J1", "Remanded to the care of the local authority (LASPO 2012 s104)"},
    {"J2", "Placed in local authority accommodation under PACE 1984, including secure "
           "accommodation"},
    {"J3", "Sentenced to a youth rehabilitation order with residence or intensive fostering "
           "requirement"},
    {"L1", "Under police protection and in local authority accommodation"},
    {"L2", "Emergency protection order (EPO)"},
    {"L3", "Under child assessment order and in local authority accommodation"},
    {"V2", "Single period of accommodation under section 20 (Children Act 1989)"},
    {"V3", "Accommodated under an agreed series of short-term breaks, when individual episodes "
           "of care are recorded"},
    {"V4", "Accommodated under an agreed series of short-term breaks, when agreements are "
           "recorded (not individual episodes of care)"},
};

//  SSDA903 placement type.
static const s_code_t s_placement_type[] = {
    {"A3", "Placed for adoption with parental/guardian consent with current foster carer(s)"},
    {"A4", "Placed for adoption with parental/guardian consent not with current foster "
           "carer(s)"},
    {"A5", "Placed for adoption with placement order with current foster carer(s)"},
    {"A6", "Placed for adoption with placement order not with current foster carer(s)"},
    {"H5", "Semi-independent living accommodation not subject to children's homes regulations"},
    {"K1", "Secure children's homes"},
    {"K2", "Children's homes subject to Children's Homes Regulations"},
    {"P1", "Placed with own parent(s) or other person(s) with parental responsibility"},
    {"P2", "Independent living, e.g. in a flat, lodgings, bedsit, B&B or with friends, with or "
           "without formal support"},
    {"P3", "Residential employment"},
    {"R1", "Residential care home"},
    {"R2", "NHS/health trust or other establishment providing medical or nursing care"},
    {"R3", "Family centre or mother and baby unit"},
    {"R5", "Young offender institution (YOI)"},
    {"S1", "All residential schools, except where dual-registered as a school and children's "
           "home"},
    {"T0", "All types of temporary move"},
    {"T1", "Temporary periods in hospital"},
    {"T2", "Temporary absences of the child on holiday"},
    {"T3", "Temporary accommodation whilst normal foster carer(s) is/are on holiday"},
    {"T4", "Temporary accommodation of seven days or less, for any reason, not covered by codes "
           "T1 to T3"},
    {"U1", "Foster placement with relative(s) or friend(s) - long term fostering"},
    {"U2", "Foster placement with relative(s) or friend(s) who is/are also an approved "
           "adopter(s) - fostering for adoption/concurrent planning"},
    {"U3", "Foster placement with relative(s) or friend(s) who is/are not long-term or "
           "fostering for adoption/concurrent planning"},
    {"U4", "Foster placement with other foster carer(s) - long term fostering"},
    {"U5", "Foster placement with other foster carer(s) who is/are also an approved adopter(s) "
           "- fostering for adoption/concurrent planning"},
    {"U6", "Foster placement with other foster carer(s) - not long term or fostering for "
           "adoption/concurrent planning"},
    {"Z1", "Other placements (listed on a schedule sent to DfE with the annual submission)"},
};

//  SSDA903 reason episode ceased.
static const s_code_t s_reason_ceased[] = {
    {"E11", "Adopted - application for an adoption order unopposed"},
    {"E12", "Adopted - consent dispensed with by the court"},
    {"E13", "Left care to live with parent(s), relative(s), or other person(s) with no parental "
            "responsibility"},
    {"E14", "Accommodation on remand ended"},
    {"E15", "Age assessment determined child is aged 18 or over and E5, E6 and E7 do not apply"},
    {"E16", "Child moved abroad"},
    {"E17", "Aged 18 (or over) and remained with current carers (inc under staying put "
            "arrangements)"},
    {"E2", "Died"},
    {"E3", "Care taken over by another local authority in the UK"},
    {"E41", "Residence order (or, from 22 April 2014, a child arrangement order) granted"},
    {"E45", "Special guardianship order made to former foster carer(s), who was/are a "
            "relative(s) or friend(s)"},
    {"E46", "Special guardianship order made to former foster carer(s), other than relative(s) "
            "or friend(s)"},
    {"E47", "Special guardianship order made to carer(s), other than former foster carer(s), "
            "who was/are a relative(s) or friend(s)"},
    {"E48", "Special guardianship order made to carer(s), other than former foster carer(s), "
            "other than relative(s) or friend(s)"},
    {"E4A", "Returned home to live with parent(s), relative(s), or other person(s) with "
            "parental responsibility as part of the care planning process"},
    {"E4B", "Returned home to live with parent(s), relative(s), or other person(s) with "
            "parental responsibility which was not part of the current care planning process"},
    {"E5", "Moved into independent living arrangement and no longer looked after: supportive "
           "accommodation providing formalised advice/support arrangements"},
    {"E6", "Moved into independent living arrangement and no longer looked after: "
           "accommodation providing no formalised advice/support arrangements"},
    {"E7", "Transferred to residential care funded by adult social care services"},
    {"E8", "Period of being looked after ended for any other reason"},
    {"E9", "Sentenced to custody"},
    {"X1", "Episode ceases, and new episode begins on same day, for any reason"},
};

//  SSDA903 reason for placement change.
static const s_code_t s_placement_change[] = {
    {"CARPL", "Change to/implementation of care plan"},
    {"CLOSE", "Resignation/closure of provision"},
    {"ALLEG", "Allegation (s47)"},
    {"STAND", "Standards of care concern"},
    {"APPRR", "Approval removed"},
    {"CREQB", "Carer(s) requests placement end due to child's behaviour"},
    {"CREQO", "Carer(s) requests placement end other than due to child's behaviour"},
    {"CHILD", "Child requests placement end"},
    {"LAREQ", "Responsible/area authority requests placement end"},
    {"PLACE", "Change in the status of placement only"},
    {"CUSTOD", "Custody arrangement"},
    {"OTHER", "Other"},
};

//  CIN census / SSDA903 category of need.
static const s_code_t s_category_of_need[] = {
    {"N1", "Abuse or neglect"},
    {"N2", "Child's disability"},
    {"N3", "Parental illness or disability"},
    {"N4", "Family in acute stress"},
    {"N5", "Family dysfunction"},
    {"N6", "Socially unacceptable behaviour"},
    {"N7", "Low income"},
    {"N8", "Absent parenting"},
};

//  CIN census initial (and latest) category of abuse for a child protection plan.
static const s_code_t s_category_of_abuse[] = {
    {"NEG", "Neglect"},
    {"PHY", "Physical abuse"},
    {"SAB", "Sexual abuse"},
    {"EMO", "Emotional abuse"},
    {"MUL", "Multiple (not recommended at national level)"},
};

//  CIN census source of referral.
static const s_code_t s_referral_source[] = {
    {"1A", "Individual - family member/relative/carer"},
    {"1B", "Individual - acquaintance (including neighbours and child minders)"},
    {"1C", "Individual - self"},
    {"1D", "Individual - other"},
    {"2A", "Schools"},
    {"2B", "Education services"},
    {"3A", "Health services - GP"},
    {"3B", "Health services - health visitor"},
    {"3C", "Health services - school nurse"},
    {"3D", "Health services - other primary health services"},
    {"3E", "Health services - A&E (emergency department)"},
    {"3F", "Health services - other"},
    {"4", "Housing"},
    {"5A", "LA services - social care, e.g. adults social care"},
    {"5B", "LA services - other internal"},
    {"5C", "LA services - external, e.g. from another LA's adult social care"},
    {"5D", "LA services - early help"},
    {"6", "Police"},
    {"7", "Other legal agency"},
    {"8", "Other"},
    {"9", "Anonymous"},
    {"10", "Unknown"},
};

//  CIN census reason for closure.
static const s_code_t s_cin_closure[] = {
    {"RC1", "Adopted"},
    {"RC2", "Died"},
    {"RC3", "Child arrangements order (previously residence order)"},
    {"RC4", "Special guardianship order"},
    {"RC5", "Transferred to services of another local authority"},
    {"RC6", "Transferred to adult social care services"},
    {"RC7", "Services ceased for any other reason, including child no longer in need"},
    {"RC8", "Case closed after assessment, no further action"},
    {"RC9", "Case closed after assessment, referred to early help"},
};

//  SSDA903 care leaver main activity.
static const s_code_t s_care_leaver_activity[] = {
    {"F1", "Full time in higher education"},
    {"P1", "Part time in higher education"},
    {"F2", "Full time in education other than higher education"},
    {"P2", "Part time in education other than higher education"},
    {"F4", "Full time in an apprenticeship"},
    {"P4", "Part time in an apprenticeship"},
    {"F5", "Full time in training or employment (not an apprenticeship)"},
    {"P5", "Part time in training or employment (not an apprenticeship)"},
    {"G4", "Not in education, employment or training - illness or disability"},
    {"G5", "Not in education, employment or training - other reasons"},
    {"G6", "Not in education, employment or training - pregnancy or parenting"},
    {"0", "Local authority not in touch with the young person"},
};

//  Journey: what a contact led to (docs/events.md).
static const s_code_t s_contact_outcome[] = {
    {"referral", "Accepted as a referral to children's social care"},
    {"early_help", "Passed to early help"},
    {"nfa", "No further action"},
    {"information", "Information and advice only"},
};

//  Journey: single case audit grades (Ofsted's judgement scale).
static const s_code_t s_audit_grade[] = {
    {"outstanding", "Outstanding"},
    {"good", "Good"},
    {"requires_improvement", "Requires improvement"},
    {"inadequate", "Inadequate"},
};

//  Journey: the plan or status under which a child was visited.
static const s_code_t s_visit_context[] = {
    {"cp", "Child protection plan visit"},
    {"cin", "Child in need plan visit"},
    {"cla", "Looked-after child statutory visit"},
    {"care_leaver", "Care leaver contact visit"},
};

#define S_LIST(name, table)                                                                        \
    {                                                                                              \
        name, table, sizeof (table) / sizeof (table[0])                                            \
    }

static const struct {
    const char *name;
    const s_code_t *codes;
    size_t count;
} s_lists[JY_CODES__COUNT] = {
    [JY_CODES_ETHNICITY] = S_LIST ("CIN census / SSDA903 ethnicity", s_ethnicity),
    [JY_CODES_SEX] = S_LIST ("sex", s_sex),
    [JY_CODES_LEGAL_STATUS] = S_LIST ("SSDA903 legal status", s_legal_status),
    [JY_CODES_PLACEMENT_TYPE] = S_LIST ("SSDA903 placement type", s_placement_type),
    [JY_CODES_REASON_CEASED] = S_LIST ("SSDA903 reason episode ceased", s_reason_ceased),
    [JY_CODES_PLACEMENT_CHANGE] =
        S_LIST ("SSDA903 reason for placement change", s_placement_change),
    [JY_CODES_CATEGORY_OF_NEED] =
        S_LIST ("CIN census / SSDA903 category of need", s_category_of_need),
    [JY_CODES_CATEGORY_OF_ABUSE] = S_LIST ("CIN census category of abuse", s_category_of_abuse),
    [JY_CODES_REFERRAL_SOURCE] = S_LIST ("CIN census referral source", s_referral_source),
    [JY_CODES_CIN_CLOSURE] = S_LIST ("CIN census reason for closure", s_cin_closure),
    [JY_CODES_CARE_LEAVER_ACTIVITY] =
        S_LIST ("SSDA903 care leaver activity", s_care_leaver_activity),
    [JY_CODES_CONTACT_OUTCOME] = S_LIST ("contact outcome", s_contact_outcome),
    [JY_CODES_AUDIT_GRADE] = S_LIST ("audit grade", s_audit_grade),
    [JY_CODES_VISIT_CONTEXT] = S_LIST ("visit context", s_visit_context),
};

static const s_code_t *s_find (jy_code_list_t list, const char *code)
{
    if ((unsigned) list >= JY_CODES__COUNT || !code || !*code)
        return NULL;
    for (size_t i = 0; i < s_lists[list].count; i++)
        if (strcmp (s_lists[list].codes[i].code, code) == 0)
            return &s_lists[list].codes[i];
    return NULL;
}

bool jy_code_valid (jy_code_list_t list, const char *code)
{
    return s_find (list, code) != NULL;
}

const char *jy_code_description (jy_code_list_t list, const char *code)
{
    const s_code_t *entry = s_find (list, code);
    return entry ? entry->description : NULL;
}

size_t jy_code_count (jy_code_list_t list)
{
    return (unsigned) list < JY_CODES__COUNT ? s_lists[list].count : 0;
}

const char *jy_code_at (jy_code_list_t list, size_t index)
{
    if ((unsigned) list >= JY_CODES__COUNT || index >= s_lists[list].count)
        return NULL;
    return s_lists[list].codes[index].code;
}

const char *jy_code_list_name (jy_code_list_t list)
{
    return (unsigned) list < JY_CODES__COUNT ? s_lists[list].name : NULL;
}
