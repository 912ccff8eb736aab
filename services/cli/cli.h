/*  The journey command-line tool: shared context and helpers for its commands. */
#ifndef JOURNEY_CLI_H_INCLUDED
#define JOURNEY_CLI_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include "journey/journey.h"
#include "cli_options.h"

//  Exit statuses: 0 done, 1 failed (or, for push, something was rejected), 2 usage error.
#define CLI_OK    0
#define CLI_FAIL  1
#define CLI_USAGE 2

typedef struct {
    jy_config_t *config; //  deployment file over the defaults, environment overriding
    bool json;           //  --json: machine-readable output on stdout
} cli_t;

typedef int (cli_command_fn) (cli_t *cli, int argc, char **argv);

//  Commands: argv[0] is the command name itself.
int cmd_migrate (cli_t *cli, int argc, char **argv);
int cmd_status (cli_t *cli, int argc, char **argv);
int cmd_calendar (cli_t *cli, int argc, char **argv);
int cmd_clock (cli_t *cli, int argc, char **argv);
int cmd_generate (cli_t *cli, int argc, char **argv);
int cmd_push (cli_t *cli, int argc, char **argv);
int cmd_report (cli_t *cli, int argc, char **argv);
int cmd_deadlines (cli_t *cli, int argc, char **argv);
int cmd_alerts (cli_t *cli, int argc, char **argv);
int cmd_dispute (cli_t *cli, int argc, char **argv);
int cmd_keygen (cli_t *cli, int argc, char **argv);

//  Print "journey: <message>" on stderr and return CLI_USAGE.
int cli_usage (const char *format, ...) __attribute__ ((format (printf, 1, 2)));
//  Print "journey: <message>" on stderr and return CLI_FAIL.
int cli_fail (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  Print a JSON value on stdout followed by a newline, and release it.
void cli_print_json (json_t *value);

//  Connect with the named URL key (e.g. "database/admin_url"), waiting up to max_wait_ms.
//  NULL with a message on stderr when it cannot.
jy_db_t *cli_connect (cli_t *cli, const char *url_key, int64_t max_wait_ms);

//  The working-day calendar: built-in bank holidays, configured closures and, when the admin
//  database answers within a second, imported bank holidays. NULL with a message on stderr.
jy_calendar_t *cli_calendar (cli_t *cli);

//  Parse a date argument, naming the argument in the error. 0, or CLI_USAGE after printing.
int cli_parse_date (const char *what, const char *text, jy_date_t *date);

//  The request endpoints of the daemons named in configuration, as (service, endpoint) pairs.
typedef struct {
    const char *service;  //  "ingest", "timeliness", "escalation", "reporting"
    const char *endpoint; //  e.g. "ipc:///.../ingest.sock" or "tcp://127.0.0.1:7301"
} cli_endpoint_t;
//  Fills up to max entries; returns how many daemons have an endpoint configured.
size_t cli_daemon_endpoints (cli_t *cli, cli_endpoint_t *endpoints, size_t max);

//  What became of a request to one daemon.
typedef enum {
    CLI_STATE_ANSWERED,    //  it answered
    CLI_STATE_NOT_RUNNING, //  nothing listening at its endpoint, or no answer in time
    CLI_STATE_REFUSED,     //  it refused the handshake (CURVE at one end only, or the key)
    CLI_STATE_ERROR        //  this end failed: bad endpoint, bad reply, interrupted
} cli_state_t;

#define CLI_MAX_DAEMONS 8
//  Send a request envelope to several endpoints at once (count <= 8) and wait up to timeout_ms
//  for their replies: replies[i], or NULL with whys[i] saying why and states[i] (states may be
//  NULL). Nothing listening or a refused handshake ends that endpoint's wait at once.
void cli_request_each (const char *const *endpoints, size_t count, const jy_envelope_t *request,
                       int timeout_ms, jy_envelope_t **replies, const char **whys,
                       cli_state_t *states);
//  The same to the daemons cli_daemon_endpoints listed.
void cli_ask_daemons (const cli_endpoint_t *daemons, size_t count, const jy_envelope_t *request,
                      int timeout_ms, jy_envelope_t **replies, const char **whys,
                      cli_state_t *states);
//  Make request a Status request (body is its storage).
void cli_status_request (jy_envelope_t *request, Journey__V1__StatusRequest *body);
//  The same to one endpoint: the reply, or NULL with *why set.
jy_envelope_t *cli_request (const char *endpoint, const jy_envelope_t *request, int timeout_ms,
                            const char **why);

//  What a client socket's connection says (cli_link_event), so that a refused handshake or
//  nothing listening is said at once rather than waited out (docs/security.md).
typedef enum {
    CLI_LINK_OTHER,         //  nothing to act on
    CLI_LINK_CONNECTED,     //  the transport connected (the handshake follows)
    CLI_LINK_NOT_LISTENING, //  the connection was refused: nothing listens there
    CLI_LINK_REFUSED        //  the handshake failed: CURVE at one end only, or the key refused
} cli_link_t;
//  A PAIR socket receiving sock's connection events (zmq_socket_monitor), made before sock
//  connects. Close both with cli_link_close.
zsock_t *cli_link_monitor (zsock_t *sock);
//  Stop monitoring *sock_p, then destroy the monitor and the socket (either may be NULL). In
//  that order because libzmq raises an event by a blocking send to the monitor: one raised
//  after the monitor socket is gone, and before monitoring stops, would hang the process.
void cli_link_close (zsock_t **sock_p, zsock_t **monitor_p);
//  Read one event from a link monitor; for NOT_LISTENING and REFUSED, the sentence in why
//  ("nothing is listening at ENDPOINT", "the daemon at ENDPOINT refused the handshake: ...").
//  A handshake that breaks without a reason (a CURVE daemon dropping a plain client, but also a
//  daemon killed mid-handshake) is REFUSED only when the next attempt breaks too; libzmq says
//  "retried" once after any broken handshake, so nothing listens only when it says so twice.
typedef struct {
    int handshakes_broken; //  in a row
    bool retried;          //  libzmq has said "retried" since the last broken handshake
} cli_link_state_t;
cli_link_t cli_link_event (zsock_t *monitor, const char *endpoint, cli_link_state_t *state,
                           char *why, size_t size);

#endif
