/*  Driving the real programs from a test, the one way every daemon test does it: start a
    program with its log, ask a daemon over its real socket and wait for the answer within a
    bound, wait until a condition holds within a bound, stop a daemon with SIGTERM and read its
    exit. Every wait is bounded (a broken build fails the check, it does not hang the suite) and
    ends as soon as what it waits for happens: no wait stands in for a timer.
*/
#ifndef JY_TEST_DAEMON_H_INCLUDED
#define JY_TEST_DAEMON_H_INCLUDED

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "journey/journey.h"
#include "jy_test_process.h"

#define JY_TEST_TURN_MS 20 //  how often a bounded wait looks again

//  Start argv[0] (a path, or a name looked up in PATH) with argv (NULL-ended), its stdout into
//  out_path and its stderr into log_path (NULL: the test's own). Its pid; aborts when it cannot
//  fork (a broken test machine, not a finding).
static inline pid_t jy_test_spawn (const char *const *argv, const char *out_path,
                                   const char *log_path)
{
    pid_t pid = fork ();
    if (pid < 0)
        abort ();
    if (pid == 0) {
        if (out_path && !freopen (out_path, "w", stdout))
            _exit (126);
        if (log_path && !freopen (log_path, "w", stderr))
            _exit (126);
        execvp (argv[0], (char *const *) argv);
        _exit (127);
    }
    return pid;
}

//  Run argv (NULL-ended) to its end, its stdout and stderr into out_path (NULL: the test's
//  own): its exit status, 128 + signal when a signal ended it.
static inline int jy_test_run (const char *out_path, const char *const *argv)
{
    pid_t pid = fork ();
    if (pid < 0)
        abort ();
    if (pid == 0) {
        if (out_path && (!freopen (out_path, "w", stdout) || dup2 (fileno (stdout), 2) < 0))
            _exit (126);
        execvp (argv[0], (char *const *) argv);
        _exit (127);
    }
    int status;
    if (waitpid (pid, &status, 0) != pid)
        return -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

//  Start the daemon $JOURNEY_SERVICES_DIR/<program> ("ingest/journey-ingestd") with args after
//  its name (NULL-ended; NULL for none), its log (stderr) into log_path. Its pid.
static inline pid_t jy_test_daemon_start (const char *program, const char *log_path,
                                          const char *const *args)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", getenv ("JOURNEY_SERVICES_DIR"), program);
    const char *argv[16] = {path};
    for (int i = 0; args && args[i]; i++) {
        if (i == 14)
            abort (); //  a test passing more is a broken test
        argv[i + 1] = args[i];
    }
    return jy_test_spawn (argv, NULL, log_path);
}

//  The same on the simulated clock, starting at date.
static inline pid_t jy_test_daemon_start_on (const char *program, const char *log_path,
                                             const char *date)
{
    const char *args[] = {"--simulated-clock", "--date", date, NULL};
    return jy_test_daemon_start (program, log_path, args);
}

//  Stop a daemon with SIGTERM and wait up to bound_ms for it to exit: its exit status (0 for a
//  clean stop), 128 + signal when a signal ended it. One still running after the bound is
//  killed (no daemon outlives its test) and -1 returned.
static inline int jy_test_daemon_stop (pid_t pid, int bound_ms)
{
    kill (pid, SIGTERM);
    int status = jy_test_wait_exit (pid, bound_ms / JY_TEST_TURN_MS + 1);
    if (status == -1) {
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
    }
    return status;
}

//  The next envelope on sock within timeout_ms (caller frees it), NULL when none came or it
//  could not be read.
static inline jy_envelope_t *jy_test_receive (zsock_t *sock, int timeout_ms)
{
    zpoller_t *poller = zpoller_new (sock, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    if (!which)
        return NULL;
    jy_wire_status_t status;
    return jy_wire_recv (sock, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
}

//  Send request on dealer and wait up to timeout_ms for the answer (caller frees it), NULL when
//  it could not be sent or no answer came.
static inline jy_envelope_t *jy_test_ask (zsock_t *dealer, jy_envelope_t *request, int timeout_ms)
{
    if (jy_wire_send (dealer, request) != 0)
        return NULL;
    return jy_test_receive (dealer, timeout_ms);
}

//  Wait until holds (arg) is true, asking every JY_TEST_TURN_MS for up to bound_ms: whether it
//  held.
static inline bool jy_test_wait_until (bool (*holds) (void *arg), void *arg, int bound_ms)
{
    for (int waited = 0;; waited += JY_TEST_TURN_MS) {
        if (holds (arg))
            return true;
        if (waited >= bound_ms)
            return false;
        nanosleep (&(struct timespec){0, JY_TEST_TURN_MS * 1000 * 1000}, NULL);
    }
}

//  Wait until the daemon pid has written text into its log at log_path, for up to bound_ms:
//  whether it did. A daemon that exits first ends the wait (its exit is left for the test to
//  collect).
static inline bool jy_test_wait_for_log (pid_t pid, const char *log_path, const char *text,
                                         int bound_ms)
{
    for (int waited = 0;; waited += JY_TEST_TURN_MS) {
        if (jy_test_file_contains (log_path, text))
            return true;
        siginfo_t exited = {0};
        if (waited >= bound_ms ||
            (waitid (P_PID, (id_t) pid, &exited, WEXITED | WNOHANG | WNOWAIT) == 0 &&
             exited.si_pid == pid))
            return jy_test_file_contains (log_path, text);
        nanosleep (&(struct timespec){0, JY_TEST_TURN_MS * 1000 * 1000}, NULL);
    }
}

#endif
