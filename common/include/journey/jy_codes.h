/*  jy_codes: the DfE code lists that events carry, and Journey's own small vocabularies.

    One static table per list in jy_codes.c, each code with its description as the DfE
    specification words it (SSDA903 children looked after return, CIN census), so a reader can
    check them side by side. Codes are case-sensitive: "wbri" is not WBRI.
*/
#ifndef JY_CODES_H_INCLUDED
#define JY_CODES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    JY_CODES_ETHNICITY = 0,        //  CIN census / SSDA903 ethnicity
    JY_CODES_SEX,                  //  M, F, U
    JY_CODES_LEGAL_STATUS,         //  SSDA903 legal status
    JY_CODES_PLACEMENT_TYPE,       //  SSDA903 placement type
    JY_CODES_REASON_CEASED,        //  SSDA903 reason episode ceased
    JY_CODES_PLACEMENT_CHANGE,     //  SSDA903 reason for placement change
    JY_CODES_CATEGORY_OF_NEED,     //  CIN census / SSDA903 category of need
    JY_CODES_CATEGORY_OF_ABUSE,    //  CIN census initial category of abuse
    JY_CODES_REFERRAL_SOURCE,      //  CIN census referral source
    JY_CODES_CIN_CLOSURE,          //  CIN census reason for closure
    JY_CODES_CARE_LEAVER_ACTIVITY, // SSDA903 care leaver activity
    JY_CODES_CONTACT_OUTCOME,      //  Journey: contact decision outcome
    JY_CODES_AUDIT_GRADE,          //  Journey: single case audit grade
    JY_CODES_VISIT_CONTEXT,        //  Journey: why a child was visited
    JY_CODES__COUNT
} jy_code_list_t;

//  True when code is in the list (exact, case-sensitive). False for NULL, "" or a list out
//  of range.
bool jy_code_valid (jy_code_list_t list, const char *code);

//  The code's description, or NULL when it is not in the list.
const char *jy_code_description (jy_code_list_t list, const char *code);

//  Number of codes in the list (0 for a list out of range).
size_t jy_code_count (jy_code_list_t list);

//  The index-th code in specification order, or NULL when out of range.
const char *jy_code_at (jy_code_list_t list, size_t index);

//  The list's name, e.g. "SSDA903 legal status"; NULL for a list out of range.
const char *jy_code_list_name (jy_code_list_t list);

#endif
