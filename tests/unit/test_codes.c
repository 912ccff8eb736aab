/*  jy_codes: the DfE code lists. Known codes are valid with a description, anything else is
    not, matching is exact, and no list repeats a code. */
#include "journey/jy_codes.h"
#include "jy_test.h"

//  Every code the brief lists, per list, written out independently of jy_codes.c.
static const char *s_expected[JY_CODES__COUNT] = {
    [JY_CODES_ETHNICITY] = "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH "
                           "BCRB BAFR BOTH CHNE OOTH REFU NOBT",
    [JY_CODES_SEX] = "M F U",
    [JY_CODES_LEGAL_STATUS] = "C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V2 V3 V4",
    [JY_CODES_PLACEMENT_TYPE] = "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 "
                                "U1 U2 U3 U4 U5 U6 Z1",
    [JY_CODES_REASON_CEASED] = "E11 E12 E13 E14 E15 E16 E17 E2 E3 E41 E45 E46 E47 E48 E4A E4B "
                               "E5 E6 E7 E8 E9 X1",
    [JY_CODES_PLACEMENT_CHANGE] =
        "CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER",
    [JY_CODES_CATEGORY_OF_NEED] = "N1 N2 N3 N4 N5 N6 N7 N8",
    [JY_CODES_CATEGORY_OF_ABUSE] = "NEG PHY SAB EMO MUL",
    [JY_CODES_REFERRAL_SOURCE] = "1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10",
    [JY_CODES_CIN_CLOSURE] = "RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9",
    [JY_CODES_CARE_LEAVER_ACTIVITY] = "F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0",
    [JY_CODES_CONTACT_OUTCOME] = "referral early_help nfa information",
    [JY_CODES_AUDIT_GRADE] = "outstanding good requires_improvement inadequate",
    [JY_CODES_VISIT_CONTEXT] = "cp cin cla care_leaver",
};

//  Each expected code is valid and described; the list holds exactly these, in this order.
static void s_check_list (jy_code_list_t list)
{
    char buf[512];
    snprintf (buf, sizeof (buf), "%s", s_expected[list]);
    size_t n = 0;
    for (char *save = NULL, *code = strtok_r (buf, " ", &save); code;
         code = strtok_r (NULL, " ", &save), n++) {
        if (!jy_code_valid (list, code))
            fprintf (stderr, "list %d: %s not valid\n", (int) list, code);
        CHECK (jy_code_valid (list, code));
        const char *description = jy_code_description (list, code);
        CHECK (description && strlen (description) > 2);
        CHECK_STR (jy_code_at (list, n), code);
    }
    CHECK_INT (jy_code_count (list), n);
    CHECK (jy_code_at (list, n) == NULL);
    const char *name = jy_code_list_name (list);
    CHECK (name && *name);
}

//  No code appears twice, and every code is described.
static void s_check_unique (jy_code_list_t list)
{
    size_t count = jy_code_count (list);
    CHECK (count > 0);
    for (size_t i = 0; i < count; i++) {
        const char *a = jy_code_at (list, i);
        CHECK (a && *a);
        CHECK (jy_code_description (list, a) != NULL);
        for (size_t j = i + 1; j < count; j++)
            if (strcmp (a, jy_code_at (list, j)) == 0) {
                fprintf (stderr, "list %d: %s twice\n", (int) list, a);
                CHECK (0);
            }
    }
}

int main (void)
{
    for (int list = 0; list < JY_CODES__COUNT; list++) {
        s_check_list ((jy_code_list_t) list);
        s_check_unique ((jy_code_list_t) list);
    }

    //  Descriptions as the specifications word them.
    CHECK_STR (jy_code_description (JY_CODES_ETHNICITY, "WBRI"), "White British");
    CHECK_STR (jy_code_description (JY_CODES_LEGAL_STATUS, "C2"), "Full care order");
    CHECK_STR (jy_code_description (JY_CODES_CATEGORY_OF_NEED, "N1"), "Abuse or neglect");
    CHECK_STR (jy_code_description (JY_CODES_REFERRAL_SOURCE, "6"), "Police");
    CHECK_STR (jy_code_list_name (JY_CODES_LEGAL_STATUS), "SSDA903 legal status");

    //  Unknown, NULL and empty codes are invalid.
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, "XXXX"));
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, NULL));
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, ""));
    CHECK (!jy_code_valid (JY_CODES_LEGAL_STATUS, "C3"));
    CHECK (!jy_code_valid (JY_CODES_PLACEMENT_TYPE, "U7"));
    CHECK (!jy_code_valid (JY_CODES_REASON_CEASED, "E1"));
    CHECK (!jy_code_valid (JY_CODES_REASON_CEASED, "E4"));
    CHECK (!jy_code_valid (JY_CODES_CATEGORY_OF_NEED, "N0"));
    CHECK (!jy_code_valid (JY_CODES_CATEGORY_OF_NEED, "N9"));
    CHECK (!jy_code_valid (JY_CODES_REFERRAL_SOURCE, "11"));
    CHECK (!jy_code_valid (JY_CODES_CIN_CLOSURE, "RC10"));
    CHECK (jy_code_description (JY_CODES_SEX, "X") == NULL);
    CHECK (jy_code_description (JY_CODES_SEX, NULL) == NULL);

    //  Exact match: case, prefixes and padding all matter.
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, "wbri"));
    CHECK (!jy_code_valid (JY_CODES_SEX, "m"));
    CHECK (!jy_code_valid (JY_CODES_CONTACT_OUTCOME, "NFA"));
    CHECK (!jy_code_valid (JY_CODES_AUDIT_GRADE, "Good"));
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, "WBR"));
    CHECK (!jy_code_valid (JY_CODES_ETHNICITY, "WBRI "));
    CHECK (!jy_code_valid (JY_CODES_REFERRAL_SOURCE, "1"));

    //  A code belongs to its own list only.
    CHECK (jy_code_valid (JY_CODES_PLACEMENT_TYPE, "P1"));
    CHECK (jy_code_valid (JY_CODES_CARE_LEAVER_ACTIVITY, "P1"));
    CHECK (!jy_code_valid (JY_CODES_LEGAL_STATUS, "P1"));

    //  Lists out of range answer nothing.
    CHECK (!jy_code_valid (JY_CODES__COUNT, "M"));
    CHECK_INT (jy_code_count (JY_CODES__COUNT), 0);
    CHECK (jy_code_at (JY_CODES__COUNT, 0) == NULL);
    CHECK (jy_code_list_name (JY_CODES__COUNT) == NULL);

    return jy_test_summary ("test_codes");
}
