/* SPDX-License-Identifier: MIT */
#pragma once

#include "json.h"
#include "risk.h"

/* Entry points of the subcommands; each returns the process exit status. */
int verb_demo(int argc, char *argv[]);
int verb_guard(int argc, char *argv[]);
int verb_heal(int argc, char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_tmpfiles_snippet(int argc, char *argv[]);
int verb_migrate(int argc, char *argv[]);
int verb_scan(int argc, char *argv[]);

/* Prints why sk_keeper_new()/sk_keeper_bind() refused PATH, in words an
 * admin can act on, and returns the negative error. */
int log_keeper_error(const char *path, int r);
/* For an error that a kernel limit causes (EMFILE, ENFILE, ENOSPC): which
 * limit, and what to raise, as " (...)" to append to the message; "" for
 * any other. */
const char *keeper_limit_hint(int r);

/* Checks --root ARG of VERB: an absolute path to an existing directory
 * (possibly through a symlink). Stores it without trailing slashes in *RET
 * (freeing what was there), or says what is wrong, as
 * "VERB: --root ARG: does not exist", and returns -EINVAL. */
int parse_root_option(const char *verb, const char *arg, char **ret);

/* One reason of the classifier as a JSON object: rating, kind, text and
 * source, the same in check's and scan's output. */
void json_risk_reason(json_writer *w, const risk_reason *x);
