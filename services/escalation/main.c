/*  journey-escalationd: runs IRO and CP chair disputes up the dispute resolution ladder, with
    stage deadlines, auto-escalation, bypass and Cafcass referral, raises disputes from alerts
    by policy, and publishes dispute notices (docs/escalation.md).
*/
#include "escalation_server.h"

int main (int argc, char **argv)
{
    return jy_service_main (escalation_server_def (), argc, argv);
}
