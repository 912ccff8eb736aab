/*  journey-ingestd: accepts event batches from the case management system.

    So far the daemon is the shared service skeleton (common/include/journey/jy_service.h): it
    answers Status and, on a simulated clock, ClockSet on its request socket.
*/
#include "journey/journey.h"

int main (int argc, char **argv)
{
    static const jy_service_def_t service = {
        .name = "ingest",
        .program = "journey-ingestd",
    };
    return jy_service_main (&service, argc, argv);
}
