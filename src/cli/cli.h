/* SPDX-License-Identifier: MIT */
#pragma once

#include "json.h"
#include "macro.h"
#include "risk.h"

/* EX_USAGE: a command line that cannot be run, for every command. */
#define CLI_EXIT_USAGE 64

/* Long-option values every command shares, above any command's own. */
enum {
        ARG_VERSION = 0x1000,
        ARG_NO_PAGER,
        ARG_JSON,
};

/* How a command prints what it found: --json= chooses among these; a
 * command that has more forms adds them here. */
typedef enum output_mode {
        OUTPUT_TEXT,            /* for people: lines or a table */
        OUTPUT_JSON_PRETTY,     /* --json, --json=pretty: indented */
        OUTPUT_JSON_SHORT,      /* --json=short: one line */
} output_mode;

static inline bool output_mode_is_json(output_mode m) {
        return m == OUTPUT_JSON_PRETTY || m == OUTPUT_JSON_SHORT;
}

/* The command being run, NULL for none: messages then read
 * "sockkeeper COMMAND: message". Also turns getopt's own messages off,
 * for cli_option_error(). */
void cli_set_verb(const char *name);
/* Logs the message, then "Try 'sockkeeper COMMAND --help'.", and returns
 * CLI_EXIT_USAGE. */
_printf_(1, 2) int cli_usage_error(const char *fmt, ...);
/* Only the "Try ..." line, after usage errors logged one by one; returns
 * CLI_EXIT_USAGE. */
int cli_usage_hint(void);
/* For getopt_long()'s '?' (unknown option) and ':' (a value missing; the
 * option string starts with ':') results C: says which option, as
 * cli_usage_error(), and returns CLI_EXIT_USAGE. */
int cli_option_error(char *argv[], int c);
/* The same without the "Try ..." line, for a parser that adds it later. */
void cli_log_option_error(char *argv[], int c);
/* Prints "sockkeeper VERSION" and returns 0. */
int cli_version(void);
/* --json[=ARG]: NULL and "pretty" pretty, "short" one line, "off" text.
 * 0, or -EINVAL after reporting a usage error as cli_usage_error(). */
int parse_json_option(const char *arg, output_mode *mode);

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
 * (freeing what was there), or says what is wrong, as a usage error
 * ("--root ARG: does not exist"), and returns -EINVAL. */
int parse_root_option(const char *arg, char **ret);

/* ARG of OPTION ("--unit") as the name of a unit that can run: "foo" is
 * foo.service, as systemctl reads it; an invalid name or a template is
 * refused. 0 and the name in *RET, or logs what is wrong (without the
 * "Try ..." line) and returns -EINVAL (-ENOMEM when out of memory). */
int parse_unit_option(const char *option, const char *arg, char **ret);

/* ARG of OPTION ("--output") as a file to write: an absolute path without
 * "..", whose last component names a file ("/dir/" does not). 0, or logs
 * what is wrong (without the "Try ..." line) and returns -EINVAL
 * (-ENOMEM when out of memory). */
int check_output_file_option(const char *option, const char *arg);

/* ARG of OPTION ("--format") as the index of one of the N NAMES (NULL
 * entries skipped); else says which it takes, as cli_usage_error()
 * ("--format: 'x' is none of a, b"), and returns -EINVAL. */
int parse_choice(const char *option, const char *arg, const char *const *names, size_t n);

/* One reason of the classifier as a JSON object: rating, kind, text and
 * source, the same in check's and scan's output. */
void json_risk_reason(json_writer *w, const risk_reason *x);
