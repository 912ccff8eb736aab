/*  The daemon skeleton, driven as a client would: a real journey-timelinessd process on the
    fixture's database, real sockets. Status and ClockSet on a simulated clock, refusals on a system
   clock, unreadable and unknown requests answered with codes, an oversized frame survived, a
   frame of 16 MB of empty submessages refused within the unpack budget (the daemon's peak
   memory read from /proc), bad configuration refused with the key named, and SIGTERM giving a
   clean exit 0.
*/
#include "journey/journey.h"
#include "jy_test.h"
#include "jy_test_daemon.h"

static char s_dir[256];
static char s_endpoint[320];

//  Start the daemon with extra arguments (NULL-ended); its log in s_dir/log_name.
static pid_t s_spawn (const char *log_name, const char *const *args)
{
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/%s", s_dir, log_name);
    return jy_test_daemon_start ("timeliness/journey-timelinessd", log_path, args);
}

static jy_envelope_t *s_ask (zsock_t *dealer, jy_envelope_t *request)
{
    return jy_test_ask (dealer, request, 5000);
}

static jy_envelope_t *s_status (zsock_t *dealer)
{
    Journey__V1__StatusRequest status_request = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.message_id = "status-1";
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request.status_request = &status_request;
    return s_ask (dealer, &request);
}

static jy_envelope_t *s_clock_set (zsock_t *dealer, const char *date)
{
    Journey__V1__ClockSet set = JOURNEY__V1__CLOCK_SET__INIT;
    set.date = (char *) date;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    request.clock_set = &set;
    return s_ask (dealer, &request);
}

static const char *s_reply_code (jy_envelope_t *reply)
{
    if (!reply || reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY)
        return "(no reply)";
    return reply->reply->code ? reply->reply->code : "(ok)";
}

static void s_test_simulated (void)
{
    const char *args[] = {"--simulated-clock", "--date", "2025-01-06", NULL};
    pid_t pid = s_spawn ("simulated.log", args);
    zsock_t *dealer = zsock_new_dealer (s_endpoint);
    zsock_set_linger (dealer, 0);

    jy_envelope_t *reply = s_status (dealer);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY);
    if (reply && reply->status_reply) {
        CHECK_STR (reply->status_reply->service, "journey-timelinessd");
        CHECK_STR (reply->status_reply->clock_mode, "simulated");
        CHECK_STR (reply->status_reply->today, "2025-01-06");
        CHECK_STR (reply->message_id, "status-1");
        CHECK (reply->status_reply->healthy);
    }
    jy_envelope_free (&reply);

    reply = s_clock_set (dealer, "2025-02-03");
    CHECK (reply && reply->reply && reply->reply->ok);
    jy_envelope_free (&reply);
    reply = s_status (dealer);
    CHECK_STR (reply && reply->status_reply ? reply->status_reply->today : NULL, "2025-02-03");
    jy_envelope_free (&reply);

    reply = s_clock_set (dealer, "2025-02-30");
    CHECK_STR (s_reply_code (reply), "bad_date");
    jy_envelope_free (&reply);

    //  Garbage: answered with a code, the daemon carries on.
    zstr_send (dealer, "this is not an envelope");
    reply = jy_test_receive (dealer, 5000);
    CHECK_STR (s_reply_code (reply), "bad_frame");
    jy_envelope_free (&reply);

    //  An envelope whose payload is a field number this build does not know (99).
    uint8_t unknown[] = {0x10, 0x01, 0x9a, 0x06, 0x02, 0x08, 0x01};
    zframe_t *frame = zframe_new (unknown, sizeof unknown);
    zframe_send (&frame, dealer, 0);
    reply = jy_test_receive (dealer, 5000);
    CHECK_STR (s_reply_code (reply), "unknown_request");
    jy_envelope_free (&reply);

    //  A frame over the cap (set to 4096 bytes below): libzmq drops the connection before
    //  allocating; the daemon lives on and a new connection is answered.
    size_t big_size = 64 * 1024;
    uint8_t *big = (uint8_t *) calloc (1, big_size);
    frame = zframe_new (big, big_size);
    zframe_send (&frame, dealer, 0);
    free (big);
    zsock_destroy (&dealer);
    dealer = zsock_new_dealer (s_endpoint);
    zsock_set_linger (dealer, 0);
    reply = s_status (dealer);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY);
    jy_envelope_free (&reply);
    zsock_destroy (&dealer);

    CHECK_INT (jy_test_daemon_stop (pid, 10000), 0);
}

//  The process's peak resident memory in kB (VmHWM), or -1.
static long s_peak_kb (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    long kb = -1;
    while (file && fgets (line, sizeof line, file))
        if (sscanf (line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (file)
        fclose (file);
    return kb;
}

//  16 MB of empty events in one EventBatch, under a 16 MiB frame cap (the old default): two
//  bytes each on the wire, a whole Event each in memory. Unbounded, unpacking it took over a
//  gigabyte; within the budget it is refused at once with a code naming the limit.
static void s_test_flood (void)
{
    setenv ("JOURNEY_TIMELINESS_MAX_FRAME_BYTES", "16777216", 1);
    const char *args[] = {"--simulated-clock", "--date", "2025-01-06", NULL};
    pid_t pid = s_spawn ("flood.log", args);
    zsock_t *dealer = zsock_new_dealer (s_endpoint);
    zsock_set_linger (dealer, 0);
    jy_envelope_t *reply = s_status (dealer);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY);
    jy_envelope_free (&reply);
    long before_kb = s_peak_kb (pid);

    size_t count = 8 * 1000 * 1000, size = 0;
    uint8_t *flood = (uint8_t *) malloc (2 * count + 16);
    assert (flood);
    flood[size++] = (10 << 3) | 2; //  event_batch
    for (size_t length = 2 * count;; length >>= 7) {
        flood[size++] = (uint8_t) ((length & 0x7f) | (length >= 0x80 ? 0x80 : 0));
        if (length < 0x80)
            break;
    }
    for (size_t i = 0; i < count; i++) {
        flood[size++] = (2 << 3) | 2; //  events, zero length
        flood[size++] = 0;
    }
    zframe_t *frame = zframe_new (flood, size);
    free (flood);
    CHECK_INT (zframe_send (&frame, dealer, 0), 0);
    reply = jy_test_receive (dealer, 30000);
    CHECK_STR (s_reply_code (reply), "too_large");
    CHECK (reply && reply->reply && reply->reply->message &&
           strstr (reply->reply->message, "timeliness/max_unpack_bytes = 67108864 bytes"));
    jy_envelope_free (&reply);

    //  Answered right after, on the same connection.
    reply = s_status (dealer);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY);
    jy_envelope_free (&reply);
    long peak_kb = s_peak_kb (pid);
    printf ("  journey-timelinessd peak memory: %ld kB before the flood, %ld kB after\n", before_kb,
            peak_kb);
    CHECK (peak_kb > 0 && peak_kb < 200 * 1024);
    zsock_destroy (&dealer);
    CHECK_INT (jy_test_daemon_stop (pid, 10000), 0);
    setenv ("JOURNEY_TIMELINESS_MAX_FRAME_BYTES", "4096", 1);
}

static void s_test_system_clock_refuses (void)
{
    const char *args[] = {NULL};
    pid_t pid = s_spawn ("system.log", args);
    zsock_t *dealer = zsock_new_dealer (s_endpoint);
    zsock_set_linger (dealer, 0);
    jy_envelope_t *reply = s_clock_set (dealer, "2025-02-03");
    CHECK_STR (s_reply_code (reply), "clock_not_simulated");
    jy_envelope_free (&reply);
    reply = s_status (dealer);
    CHECK_STR (reply && reply->status_reply ? reply->status_reply->clock_mode : NULL, "system");
    jy_envelope_free (&reply);
    zsock_destroy (&dealer);
    CHECK_INT (jy_test_daemon_stop (pid, 10000), 0);
}

static bool s_log_contains (const char *log_name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", s_dir, log_name);
    return jy_test_file_contains (path, text);
}

static void s_test_bad_configuration (void)
{
    const char *none[] = {NULL};
    setenv ("JOURNEY_LOG_LEVEL", "loud", 1);
    pid_t pid = s_spawn ("badlevel.log", none);
    CHECK_INT (jy_test_wait_exit (pid, 500), 1);
    CHECK (s_log_contains ("badlevel.log", "environment JOURNEY_LOG_LEVEL: log/level"));
    unsetenv ("JOURNEY_LOG_LEVEL");

    setenv ("JOURNEY_LA_TIMEZONE", "Mars/Olympus", 1);
    pid = s_spawn ("badzone.log", none);
    CHECK_INT (jy_test_wait_exit (pid, 500), 1);
    CHECK (s_log_contains ("badzone.log", "la/timezone"));
    unsetenv ("JOURNEY_LA_TIMEZONE");

    const char *bad_date[] = {"--simulated-clock", "--date", "2025-13-01", NULL};
    pid = s_spawn ("baddate.log", bad_date);
    CHECK_INT (jy_test_wait_exit (pid, 500), 1);
    CHECK (s_log_contains ("baddate.log", "--date"));

    const char *missing[] = {"-c", "/nonexistent/journey.cfg", NULL};
    pid = s_spawn ("missing.log", missing);
    CHECK_INT (jy_test_wait_exit (pid, 500), 1);
    CHECK (s_log_contains ("missing.log", "/nonexistent/journey.cfg"));
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR"))
        return 77;
    snprintf (s_dir, sizeof s_dir, "/tmp/jy-daemon-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);
    snprintf (s_endpoint, sizeof s_endpoint, "ipc://%s/timeliness.ipc", s_dir);
    setenv ("JOURNEY_TIMELINESS_REQUEST", s_endpoint, 1);
    setenv ("JOURNEY_TIMELINESS_MAX_FRAME_BYTES", "4096", 1);
    //  journey-timelinessd works on the fixture's database (healthy means connected); its feeds
    //  on sockets of its own, so that it meets no other test's daemons.
    char endpoint[320];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/alerts.ipc", s_dir);
    setenv ("JOURNEY_TIMELINESS_FEED", endpoint, 1);
    snprintf (endpoint, sizeof endpoint, "ipc://%s/events.ipc", s_dir);
    setenv ("JOURNEY_TIMELINESS_EVENTS", endpoint, 1);

    JY_TEST_SCENARIO (s_test_simulated);
    JY_TEST_SCENARIO (s_test_flood);
    JY_TEST_SCENARIO (s_test_system_clock_refuses);
    JY_TEST_SCENARIO (s_test_bad_configuration);

    if (jy_test_failures == 0) { //  kept on failure: the daemon's logs are there
        char command[300];
        snprintf (command, sizeof command, "rm -rf %s", s_dir);
        CHECK_INT (system (command), 0);
    } else
        fprintf (stderr, "files kept in %s\n", s_dir);
    return jy_test_summary ("test_daemon");
}
