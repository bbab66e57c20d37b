/* SPDX-License-Identifier: MIT */
#pragma once

/* --format=nagios of check and scan: one status line with performance
 * data, and the exit status that monitoring plugins (Nagios, Icinga,
 * monitoring-plugins' guidelines) define. */

#include <stdbool.h>
#include <stdio.h>

#include "risk.h"

enum {
        NAGIOS_OK = 0,
        NAGIOS_WARNING = 1,
        NAGIOS_CRITICAL = 2,
        NAGIOS_UNKNOWN = 3,     /* also for usage errors in this mode */
};

/* "OK", "WARNING", ... */
const char *nagios_state_to_string(int state);
/* The worse of A and B as monitoring-plugins' max_state_alt() orders
 * them: CRITICAL, WARNING, UNKNOWN, OK. */
int nagios_worse(int a, int b);

/* Whether ARGV (a verb's) asks for --format=nagios before any "--": its
 * usage errors then exit with NAGIOS_UNKNOWN. */
bool nagios_requested(int argc, char *argv[]);
/* "SOCKKEEPER UNKNOWN - WHAT" on stdout; returns NAGIOS_UNKNOWN. */
int nagios_unknown(const char *what);

/* How many names a status line lists before "and N more". */
#define NAGIOS_MAX_LISTED 5
/* NAME for a status line: escaped as every name shown to people (cescape:
 * \n, \t, \xNN), and the '|' that would start the performance data as
 * \x7c. */
void nagios_put_name(FILE *f, const char *name);

/* check's reports, gathered one by one, then one line. */
typedef struct nagios_check {
        unsigned count[RISK_ERROR + 1];
        char **listed[RISK_ERROR + 1];  /* per rating, up to NAGIOS_MAX_LISTED "PATH (WHY)" */
        bool oom;
} nagios_check;

void nagios_check_add(nagios_check *c, const risk_report *r);
/* A path that could not be rated at all (counted as an error). */
void nagios_check_add_failed(nagios_check *c, const char *path);
/* Prints the line; returns the exit status. */
int nagios_check_print(nagios_check *c);
void nagios_check_done(nagios_check *c);
