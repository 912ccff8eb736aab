/*  journey-escalationd: runs IRO and CP chair disputes up the ladder.

    So far the daemon is the shared service skeleton (common/include/journey/jy_service.h): it
    answers Status and, on a simulated clock, ClockSet on its request socket.
*/
#include "journey/journey.h"

int main (int argc, char **argv)
{
    static const jy_service_def_t service = {
        .name = "escalation",
        .program = "journey-escalationd",
    };
    return jy_service_main (&service, argc, argv);
}
