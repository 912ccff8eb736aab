/*  journey-timelinessd: keeps one deadline per open clock and raises alerts.

    So far the daemon is the shared service skeleton (common/include/journey/jy_service.h): it
    answers Status and, on a simulated clock, ClockSet on its request socket.
*/
#include "journey/journey.h"

int main (int argc, char **argv)
{
    static const jy_service_def_t service = {
        .name = "timeliness",
        .program = "journey-timelinessd",
    };
    return jy_service_main (&service, argc, argv);
}
