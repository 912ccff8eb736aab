/*  reporting_server: journey-reportingd's work, behind the service skeleton (jy_service.h).

    A ReportRequest (kind "board-pack", an LA, a period, formats, an output directory) is
    checked at once (a bad one gets a ReportReply with ok false, a code and the field named)
    and handed to the builder thread (builder.h); when the pack is written, the ReportReply
    carries the paths and the headline figures. Schedules (schedule.h) are looked at on every
    change of date and at start. The database is read through database/reporting_url, the
    read-only role; since that role cannot write, each pack made is recorded in the log.
*/
#ifndef RP_REPORTING_SERVER_H_INCLUDED
#define RP_REPORTING_SERVER_H_INCLUDED

#include "journey/journey.h"

//  The jy_service hooks of journey-reportingd.
const jy_service_def_t *reporting_server_def (void);

#endif
