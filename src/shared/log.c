/* SPDX-License-Identifier: MIT */
/* The one log of the tools, the guard and the generator: each message is
 * formatted once, into one line, and written with one write() to the
 * target chosen at start. Tools run by hand print "sockkeeper: ..." on
 * stderr. The generator runs before the journal, so it writes kmsg records
 * as systemd's own generators do, where the journal picks them up later
 * (the console when /dev/kmsg cannot be opened, or when
 * SYSTEMD_LOG_TARGET=console says so). The guard under systemd sends
 * journal entries with fields an admin can select on. Formatting needs no
 * memory for a line of usual length, so that "out of memory" itself can
 * be said. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "parse-util.h"

/* Records of the console and kmsg targets are cut at systemd's LINE_MAX,
 * as systemd's own log cuts them: one bad unit line of a megabyte must
 * not become a megabyte on the boot console. */
#define RECORD_TEXT_MAX 2047

static const char *program = "sockkeeper";
static log_target target = LOG_TARGET_STDERR;
static int max_level = LOG_DEBUG;
static int kmsg_fd = -EBADF;
static log_journal_sendv_fn journal_sendv;
/* The text of the first error, for log_first_error(). */
static char first_error[RECORD_TEXT_MAX + 1];

void log_set_program(const char *name) {
        program = name;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_target(log_target t) {
        target = t;
}

log_target log_get_target(void) {
        return target;
}

static int level_from_string(const char *s) {
        static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };
        unsigned long v;

        for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return i;
        if (parse_unsigned(s, LOG_DEBUG, &v) < 0)
                return -EINVAL;
        return (int) v;
}

void log_parse_environment(void) {
        const char *level = getenv("SYSTEMD_LOG_LEVEL"), *t = getenv("SYSTEMD_LOG_TARGET");

        if (level) {
                int l = level_from_string(level);
                if (l >= 0)
                        max_level = l;
        }
        if (t && (streq(t, "console") || streq(t, "console-prefixed")))
                target = LOG_TARGET_CONSOLE;
}

void log_open(void) {
        if (target != LOG_TARGET_KMSG || kmsg_fd >= 0)
                return;
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (kmsg_fd < 0)
                target = LOG_TARGET_CONSOLE;
}

void log_close(void) {
        kmsg_fd = safe_close(kmsg_fd);
}

void log_open_journal(log_journal_sendv_fn sendv) {
        journal_sendv = sendv;
        target = LOG_TARGET_JOURNAL;
}

bool log_stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        int n = 0;

        /* "DEV:INO", both decimal, as systemd sets it. */
        if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
}

/* A line being built: in BUF while it fits, then on the heap. When memory
 * runs out, it keeps what it has. */
typedef struct log_line {
        char buf[4096];
        char *heap;
        char *s;
        size_t len, size;
} log_line;

static void line_init(log_line *l) {
        l->heap = NULL;
        l->s = l->buf;
        l->s[0] = '\0';
        l->len = 0;
        l->size = sizeof(l->buf);
}

static void line_done(log_line *l) {
        free(l->heap);
}

_printf_(2, 0) static void line_vappendf(log_line *l, const char *fmt, va_list ap) {
        va_list aq;
        size_t need;
        char *bigger;
        int n;

        va_copy(aq, ap);
        n = vsnprintf(l->s + l->len, l->size - l->len, fmt, aq);
        va_end(aq);
        if (n < 0) {
                l->s[l->len] = '\0';
                return;
        }
        if ((size_t) n < l->size - l->len) {
                l->len += (size_t) n;
                return;
        }
        need = l->len + (size_t) n + 1;
        bigger = l->heap ? realloc(l->heap, need) : malloc(need);
        if (!bigger) {
                l->len = l->size - 1; /* what fitted */
                return;
        }
        if (!l->heap)
                memcpy(bigger, l->buf, l->len);
        l->heap = l->s = bigger;
        l->size = need;
        vsnprintf(l->s + l->len, l->size - l->len, fmt, ap);
        l->len += (size_t) n;
}

_printf_(2, 3) static void line_appendf(log_line *l, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        line_vappendf(l, fmt, ap);
        va_end(ap);
}

static void line_truncate(log_line *l, size_t len) {
        if (l->len > len) {
                l->len = len;
                l->s[len] = '\0';
        }
}

static void write_stderr(const char *s, size_t len) {
        /* stderr is unbuffered: one fwrite() is one write(). */
        (void) fwrite(s, 1, len, stderr);
}

/* The part of a message that every target shows: "PATH: " and the
 * message with its error. */
_printf_(4, 0) static void format_text(log_line *l, const char *path, int error, const char *fmt, va_list ap) {
        if (path) {
                /* Escaped: a newline in a path must not start a second
                 * record, nor an ESC drive the terminal. */
                char stack[1024];
                size_t len = strlen(path);
                _cleanup_free_ char *heap = NULL;

                if (CESCAPE_SIZE(len) <= sizeof(stack)) {
                        cescape_into(stack, path);
                        line_appendf(l, "%s: ", stack);
                } else {
                        heap = cescape(path);
                        line_appendf(l, "%s: ", heap ?: path);
                }
        }
        line_vappendf(l, fmt, ap);
        if (error)
                line_appendf(l, ": %s", strerror(abs(error)));
}

static size_t ident_len(void) {
        return strcspn(program, " \t");
}

/* Where a message was logged, for the journal. */
typedef struct log_location {
        const char *file;
        int line;
        const char *func;
} log_location;

/* A journal entry; false when it could not be sent. */
static bool send_journal(const log_location *at, int level, const char *message, bool event, const char *message_id,
                         const char *path, const char *unit, const char *action) {
        _cleanup_free_ char *prio = NULL, *ident = NULL, *id = NULL, *p = NULL, *u = NULL, *a = NULL, *file = NULL,
                            *line = NULL, *func = NULL;
        struct iovec iov[10];
        int n = 0;

        if (!journal_sendv)
                return false;
        iov[n++] = (struct iovec) { .iov_base = (char *) message, .iov_len = strlen(message) };
        if (asprintf(&prio, "PRIORITY=%i", level) < 0 ||
            asprintf(&ident, "SYSLOG_IDENTIFIER=%.*s", (int) ident_len(), program) < 0)
                return false;
        iov[n++] = (struct iovec) { .iov_base = prio, .iov_len = strlen(prio) };
        iov[n++] = (struct iovec) { .iov_base = ident, .iov_len = strlen(ident) };
        if (message_id) {
                if (asprintf(&id, "MESSAGE_ID=%s", message_id) < 0)
                        return false;
                iov[n++] = (struct iovec) { .iov_base = id, .iov_len = strlen(id) };
        }
        if (event && path) {
                if (asprintf(&p, "SOCKKEEPER_PATH=%s", path) < 0)
                        return false;
                iov[n++] = (struct iovec) { .iov_base = p, .iov_len = strlen(p) };
        }
        if (event && unit) {
                if (asprintf(&u, "SOCKKEEPER_UNIT=%s", unit) < 0)
                        return false;
                iov[n++] = (struct iovec) { .iov_base = u, .iov_len = strlen(u) };
        }
        if (event && action) {
                if (asprintf(&a, "SOCKKEEPER_ACTION=%s", action) < 0)
                        return false;
                iov[n++] = (struct iovec) { .iov_base = a, .iov_len = strlen(a) };
        }
        /* As sd_journal_send() adds them: where in the code. */
        if (asprintf(&file, "CODE_FILE=%s", at->file) < 0 || asprintf(&line, "CODE_LINE=%i", at->line) < 0 ||
            asprintf(&func, "CODE_FUNC=%s", at->func) < 0)
                return false;
        iov[n++] = (struct iovec) { .iov_base = file, .iov_len = strlen(file) };
        iov[n++] = (struct iovec) { .iov_base = line, .iov_len = strlen(line) };
        iov[n++] = (struct iovec) { .iov_base = func, .iov_len = strlen(func) };
        return journal_sendv(iov, n) >= 0;
}

static void remember_error(int level, const char *text, size_t len) {
        if (level > LOG_ERR || first_error[0])
                return;
        snprintf(first_error, sizeof(first_error), "%.*s", (int) (len > RECORD_TEXT_MAX ? RECORD_TEXT_MAX : len), text);
}

const char *log_first_error(void) {
        return first_error[0] ? first_error : NULL;
}

_printf_(9, 0) static void dispatch(const log_location *at, int level, int error, bool event, const char *message_id,
                                    const char *path, const char *unit, const char *action, const char *fmt,
                                    va_list ap) {
        log_line l;
        size_t text;

        line_init(&l);
        switch (target) {
        case LOG_TARGET_JOURNAL:
                line_appendf(&l, "MESSAGE=");
                text = l.len;
                format_text(&l, path, error, fmt, ap);
                if (!send_journal(at, level, l.s, event, message_id, path, unit, action)) {
                        /* No journal after all: stderr, which systemd also collects. */
                        log_line fallback;

                        line_init(&fallback);
                        line_appendf(&fallback, "<%i>%s\n", level, l.s + text);
                        write_stderr(fallback.s, fallback.len);
                        line_done(&fallback);
                }
                break;

        case LOG_TARGET_KMSG:
                /* One write() is one record. Not dprintf(): glibc's
                 * lseek()s the fd first, which /dev/kmsg refuses. */
                line_appendf(&l, "<%d>%.*s[%d]: ", LOG_DAEMON | level, (int) ident_len(), program, (int) getpid());
                text = l.len;
                format_text(&l, path, error, fmt, ap);
                line_truncate(&l, text + RECORD_TEXT_MAX);
                if (event)
                        line_appendf(&l, " [action=%s%s%s]", action ?: "-", unit ? " unit=" : "", strempty(unit));
                line_appendf(&l, "\n");
                if (kmsg_fd >= 0 && write(kmsg_fd, l.s, l.len) > 0)
                        break;
                write_stderr(l.s + text, l.len - text);
                break;

        case LOG_TARGET_CONSOLE:
                format_text(&l, path, error, fmt, ap);
                line_truncate(&l, RECORD_TEXT_MAX);
                remember_error(level, l.s, l.len);
                if (event)
                        line_appendf(&l, " [action=%s%s%s]", action ?: "-", unit ? " unit=" : "", strempty(unit));
                line_appendf(&l, "\n");
                write_stderr(l.s, l.len);
                break;

        case LOG_TARGET_STDERR:
        default:
                line_appendf(&l, "%s: ", program);
                text = l.len;
                format_text(&l, path, error, fmt, ap);
                remember_error(level, l.s + text, l.len - text);
                /* The action and unit in brackets: what a script can grep for. */
                if (event)
                        line_appendf(&l, " [action=%s%s%s]", action ?: "-", unit ? " unit=" : "", strempty(unit));
                line_appendf(&l, "\n");
                write_stderr(l.s, l.len);
                break;
        }
        line_done(&l);
}

int log_full_errno_at(const char *file, int line, const char *func, int level, int error, const char *fmt, ...) {
        log_location at = { file, line, func };
        int saved = errno;
        va_list ap;

        if (level <= max_level) {
                va_start(ap, fmt);
                dispatch(&at, level, error, false, NULL, NULL, NULL, NULL, fmt, ap);
                va_end(ap);
        }
        errno = saved;
        return -abs(error);
}

void log_event_at(const char *file, int line, const char *func, int level, const char *message_id, const char *path,
                  const char *unit, const char *action, const char *fmt, ...) {
        log_location at = { file, line, func };
        int saved = errno;
        va_list ap;

        if (level <= max_level) {
                va_start(ap, fmt);
                dispatch(&at, level, 0, true, message_id, path, unit, action, fmt, ap);
                va_end(ap);
        }
        errno = saved;
}

void log_file_warning(const char *file, unsigned line, const char *message, void *userdata) {
        if (line)
                log_warning("%s:%u: %s", file, line, message);
        else
                log_warning("%s: %s", file, message);
}
