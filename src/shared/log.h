/* SPDX-License-Identifier: MIT */
#pragma once

/* The one log of the tools, the guard and the generator. A message goes to
 * the target chosen at start:
 *
 *   LOG_TARGET_STDERR   "PROGRAM: message" on stderr: the tools, run by hand
 *   LOG_TARGET_CONSOLE  "message" on stderr, as systemd's console target
 *   LOG_TARGET_KMSG     "<PRI>IDENT[PID]: message" records in /dev/kmsg, as
 *                       systemd's generators log before there is a journal
 *   LOG_TARGET_JOURNAL  journal entries with fields (log_open_journal())
 *
 * IDENT is the program's name up to its first blank: "sockkeeper" for
 * "sockkeeper guard". Messages above the maximum level (by default none)
 * are dropped. The _errno forms append ": strerror(ERROR)" (none for 0)
 * and return -abs(ERROR), so that a caller can "return log_error_errno(r,
 * ...)". */

#include <stdbool.h>
#include <sys/uio.h>
#include <syslog.h>

#include "macro.h"

typedef enum log_target {
        LOG_TARGET_STDERR,
        LOG_TARGET_CONSOLE,
        LOG_TARGET_KMSG,
        LOG_TARGET_JOURNAL,
} log_target;

/* "sockkeeper guard": the prefix of stderr lines, and the identifier. */
void log_set_program(const char *name);
void log_set_max_level(int level);
int log_get_max_level(void);
/* STDERR, CONSOLE or KMSG; log_open() then opens /dev/kmsg. */
void log_set_target(log_target target);
log_target log_get_target(void);
/* SYSTEMD_LOG_LEVEL (systemd's names, "debug" ... "emerg", or a number)
 * and SYSTEMD_LOG_TARGET, as systemd's programs read them: "console" and
 * "console-prefixed" choose the console; any other target keeps the one
 * set (for a generator, kmsg: journal* has no journal that early). */
void log_parse_environment(void);
/* For the kmsg target: opens /dev/kmsg, and falls back to the console
 * when it cannot (a container, an unprivileged test). */
void log_open(void);
void log_close(void);

/* The journal target, with entries sent by SENDV (sd_journal_sendv). The
 * program that wants the journal passes it in, so that this log, and the
 * generator that links it, do not need libsystemd. When sending fails,
 * the entry goes to stderr as "<PRI>message", which systemd also keeps. */
typedef int (*log_journal_sendv_fn)(const struct iovec *iov, int n);
void log_open_journal(log_journal_sendv_fn sendv);
/* Whether stderr is the stream that systemd connected to the journal
 * ($JOURNAL_STREAM names its device and inode), as systemd's own log
 * decides to send entries instead: output redirected elsewhere by the
 * service's ExecStart= stays plain text. */
bool log_stderr_is_journal(void);

/* Logs at LEVEL (LOG_ERR ... LOG_DEBUG). The caller's file, line and
 * function become the journal's CODE_FILE=, CODE_LINE= and CODE_FUNC=. */
#define log_full_errno(level, error, ...) \
        log_full_errno_at(__FILE__, __LINE__, __func__, (level), (error), __VA_ARGS__)
_printf_(6, 7) int log_full_errno_at(const char *file, int line, const char *func, int level, int error,
                                     const char *fmt, ...);

#define log_full(level, ...) ((void) log_full_errno((level), 0, __VA_ARGS__))
#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, (error), __VA_ARGS__)

/* An event about a socket PATH of UNIT (either may be NULL). In the
 * journal, ACTION, PATH and UNIT become SOCKKEEPER_ACTION=,
 * SOCKKEEPER_PATH= and SOCKKEEPER_UNIT=, fields an admin (or a test) can
 * select on; elsewhere the line is "PATH: message [action=ACTION
 * unit=UNIT]", where a script finds them. */
#define log_event(level, path, unit, action, ...) \
        log_event_at(__FILE__, __LINE__, __func__, (level), NULL, (path), (unit), (action), __VA_ARGS__)
/* An event with a MESSAGE_ID= in the journal (32 lowercase hex digits, as
 * `systemd-id128 new` gives them), whose catalog entry explains it. */
#define log_event_id(level, message_id, path, unit, action, ...) \
        log_event_at(__FILE__, __LINE__, __func__, (level), (message_id), (path), (unit), (action), __VA_ARGS__)
_printf_(9, 10) void log_event_at(const char *file, int line, const char *func, int level, const char *message_id,
                                  const char *path, const char *unit, const char *action, const char *fmt, ...);

/* The text of the first error (LOG_ERR or worse) written to stderr, without
 * the program's prefix, or NULL: for a program that must also say it
 * elsewhere (a monitoring plugin's one line on stdout). */
const char *log_first_error(void);

/* A warning about FILE:LINE (LINE 0: the whole file) from a configuration
 * reader, as "FILE:LINE: MESSAGE". Its signature fits the readers'
 * warning callbacks (tmpfiles_warn_fn, unit_warn_fn). */
void log_file_warning(const char *file, unsigned line, const char *message, void *userdata);
