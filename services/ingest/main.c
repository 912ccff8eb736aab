/*  journey-ingestd: accepts event batches from the case management system, commits events and
    the case projection, acks after commit, and publishes the committed event feed.
*/
#include "ingest_server.h"

int main (int argc, char **argv)
{
    return jy_service_main (ingest_server_def (), argc, argv);
}
