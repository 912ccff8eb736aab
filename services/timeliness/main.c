/*  journey-timelinessd: keeps one deadline per open clock, warns before a deadline is missed,
    rates KPIs, and publishes the alert feed (timeliness_server.h, docs/timeliness.md).
*/
#include "timeliness_server.h"

int main (int argc, char **argv)
{
    return jy_service_main (timeliness_server_def (), argc, argv);
}
