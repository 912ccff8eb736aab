/*  projection: the case projection's tables and how each event shapes them.

    Two static tables a reader can see whole (projection.c):
    - the projection tables of the ingest schema, each with its key and columns and their SQL
      types (created by migration 003 and changed by later ones; ingest's tests check this
      table against the migrated database). Other services read them only through the views
      of the projection schema, the contract (migration 010, docs/database.md);
    - the event map: for each event payload, which table(s) it writes, the key it finds or
      creates the row by, and which columns it sets from which fields.
    Every row carries la_code and child_id; the primary key is (la_code, child_id, key).
*/
#ifndef JOURNEY_INGEST_PROJECTION_H_INCLUDED
#define JOURNEY_INGEST_PROJECTION_H_INCLUDED

#include "journey/journey.h"

typedef enum {
    PROJ_CHILD = 0,    //  one row per child: registration, allocation, closure
    PROJ_CONTACT,      //  key contact_id
    PROJ_REFERRAL,     //  key referral_id
    PROJ_ASSESSMENT,   //  key assessment_id
    PROJ_STRATEGY,     //  key strategy_id
    PROJ_S47,          //  key s47_id
    PROJ_BOOKING,      //  key conference_id: conferences and reviews booked (planned_on)
    PROJ_MEETING,      //  key meeting_id (the conference_id, else the event_id): ICPC, RCPC,
                       //  CLA/CIN reviews, core groups, pathway reviews held
    PROJ_CP_PLAN,      //  key plan_id
    PROJ_CIN_PLAN,     //  key plan_id
    PROJ_VISIT,        //  key event_id
    PROJ_CARE_PERIOD,  //  key period_id
    PROJ_LEGAL_STATUS, //  key event_id: legal status from a date
    PROJ_PLACEMENT,    //  key placement_id
    PROJ_HEALTH,       //  key event_id: initial and review health assessments
    PROJ_PEP,          //  key event_id
    PROJ_MISSING,      //  key episode_id, with its return home interview
    PROJ_ADOPTION,     //  one row per child: ADM, placement order, match, placed, order
    PROJ_CARE_LEAVER,  //  key event_id: care leaver contacts
    PROJ_ALLOCATION,   //  key event_id: allocation spells
    PROJ_AUDIT,        //  key event_id
    PROJ_CASE_CLOSURE, //  key event_id: every closure, kept when a contact reopens the case
    PROJ__COUNT
} proj_table_t;

typedef struct {
    const char *name; //  column name
    const char *type; //  SQL type: "text", "date", "boolean", "double precision", "timestamptz"
} proj_column_t;

#define PROJ_MAX_COLUMNS 16

typedef struct {
    proj_table_t id;
    const char *name; //  table name in the ingest schema
    const char *key;  //  key column (after la_code, child_id); "child_id" for one-per-child
    int column_count;
    proj_column_t columns[PROJ_MAX_COLUMNS]; //  excluding la_code, child_id and the key
} proj_table_def_t;

const proj_table_def_t *projection_table (proj_table_t table);
//  The column's index in its table, or -1 (programmer error when used with a constant name).
int projection_column (proj_table_t table, const char *column);

//  Apply one event's effects to its child's rows through the event map (case_store calls this
//  for every event in the child's effective history; a retraction has no map entry).
typedef struct _case_child_t case_child_t;
void projection_apply (case_child_t *child, const Journey__V1__Event *event);

#endif
