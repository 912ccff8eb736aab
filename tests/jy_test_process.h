/*  A child process's exit and a log's lines, for tests/jy_test_daemon.h (which tests include:
    it starts, asks and stops the daemons). Nothing here needs ZeroMQ.
*/
#ifndef JY_TEST_PROCESS_H_INCLUDED
#define JY_TEST_PROCESS_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

//  The child's exit status once it exits, polling its exit (not a timer) up to max_turns times
//  20 ms apart; 128 + signal when a signal ended it; -1 when it is still running.
static inline int jy_test_wait_exit (pid_t pid, int max_turns)
{
    for (int turn = 0; turn < max_turns; turn++) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid)
            return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
        nanosleep (&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    return -1;
}

//  Whether a line of the file contains text (for a daemon's log).
static inline bool jy_test_file_contains (const char *path, const char *text)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return false;
    char line[2048];
    bool found = false;
    while (!found && fgets (line, sizeof line, file))
        found = strstr (line, text) != NULL;
    fclose (file);
    return found;
}

#endif
