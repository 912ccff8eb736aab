/*  What the escalation tests share: configuration over the shipped defaults, and commands. */
#ifndef JOURNEY_ESCALATION_TEST_H_INCLUDED
#define JOURNEY_ESCALATION_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "journey/journey.h"

//  deploy/journey.cfg under an optional deployment file holding text (NULL: defaults only).
//  Aborts when the test's own text does not load.
static inline jy_config_t *et_config (const char *text)
{
    char path[64] = "";
    if (text) {
        snprintf (path, sizeof path, "/tmp/jy-escalation-test-%d.cfg", (int) getpid ());
        FILE *file = fopen (path, "w");
        if (!file)
            abort ();
        fputs (text, file);
        fclose (file);
    }
    char err[512];
    jy_config_t *config =
        jy_config_load (text ? path : NULL, jy_config_default_defaults_path (), err, sizeof err);
    if (text)
        unlink (path);
    if (!config) {
        fprintf (stderr, "test configuration does not load: %s\n", err);
        abort ();
    }
    return config;
}

//  A command on the stack: verb, who acts, and the dispute (0 for none).
static inline Journey__V1__DisputeCommand et_command (Journey__V1__DisputeCommand__Verb verb,
                                                      const char *by_user, const char *role,
                                                      uint64_t dispute_id)
{
    Journey__V1__DisputeCommand command = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    command.has_verb = true;
    command.verb = verb;
    command.by_user = (char *) by_user;
    command.role = (char *) role;
    if (dispute_id) {
        command.has_dispute_id = true;
        command.dispute_id = dispute_id;
    }
    return command;
}

#endif
