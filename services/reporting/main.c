/*  journey-reportingd: builds the safeguarding board pack (HTML with charts, CSV, JSON) on
    request and on a schedule, reading through the read-only reporting role (docs/reporting.md).
*/
#include "reporting_server.h"

int main (int argc, char **argv)
{
    return jy_service_main (reporting_server_def (), argc, argv);
}
