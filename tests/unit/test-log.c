/* SPDX-License-Identifier: MIT */
/* The one log: each target's line as the tools, the generator and the
 * guard write it (stderr with the program's name, the console without,
 * "[action=...]" on events), the level filter and SYSTEMD_LOG_LEVEL/
 * SYSTEMD_LOG_TARGET, the console's cut at systemd's LINE_MAX, journal
 * entries and their fields through a stand-in for sd_journal_sendv(), and
 * stderr when the journal refuses. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "tap.h"

/* stderr from here on goes to a memfd; captured() returns what came. */
static int capture_fd = -1;

static void capture_stderr(void) {
        capture_fd = memfd_create("stderr", MFD_CLOEXEC);
        check(capture_fd >= 0);
        check(dup2(capture_fd, STDERR_FILENO) == STDERR_FILENO);
}

static char *captured(void) {
        off_t size = lseek(capture_fd, 0, SEEK_END);
        char *s = calloc(1, (size_t) size + 1);

        check(s);
        check(pread(capture_fd, s, (size_t) size, 0) == size);
        check(ftruncate(capture_fd, 0) == 0);
        check(lseek(STDERR_FILENO, 0, SEEK_SET) == 0);
        return s;
}

static void expect_captured(const char *want) {
        char *got = captured();

        check_streq(got, want);
        free(got);
}

TEST(stderr_lines) {
        capture_stderr();
        log_set_program("sockkeeper");
        log_error("%s: not a regular file", "/etc/x");
        expect_captured("sockkeeper: /etc/x: not a regular file\n");

        errno = EBADF;
        check_int(log_error_errno(ENOENT, "reading %s", "/proc"), ==, -ENOENT);
        check_int(errno, ==, EBADF); /* logging leaves errno alone */
        check_int(log_error_errno(-EACCES, "x"), ==, -EACCES);
        check_int(log_warning_errno(0, "no error"), ==, 0);
        expect_captured("sockkeeper: reading /proc: No such file or directory\n"
                        "sockkeeper: x: Permission denied\n"
                        "sockkeeper: no error\n");

        log_file_warning("/etc/tmpfiles.d/a.conf", 3, "bad line", NULL);
        log_file_warning("/etc/tmpfiles.d/b.conf", 0, "cannot read", NULL);
        expect_captured("sockkeeper: /etc/tmpfiles.d/a.conf:3: bad line\n"
                        "sockkeeper: /etc/tmpfiles.d/b.conf: cannot read\n");
}

TEST(events_on_stderr) {
        capture_stderr();
        log_set_program("sockkeeper guard");
        log_event(LOG_NOTICE, "/tmp/a.sock", "a.socket", "relinked", "removed; linked back after %d us", 12);
        log_event(LOG_INFO, NULL, NULL, "start", "guarding %d paths", 2);
        log_event(LOG_DEBUG, "/tmp/b.sock", NULL, NULL, "no action");
        expect_captured("sockkeeper guard: /tmp/a.sock: removed; linked back after 12 us [action=relinked unit=a.socket]\n"
                        "sockkeeper guard: guarding 2 paths [action=start]\n"
                        "sockkeeper guard: /tmp/b.sock: no action [action=-]\n");
}

TEST(long_lines) {
        char *big = malloc(10001), *want = malloc(10100);

        check(big && want);
        memset(big, 'x', 10000);
        big[10000] = '\0';
        capture_stderr();

        /* A tool says all of it. */
        log_error("%s", big);
        snprintf(want, 10100, "sockkeeper: %s\n", big);
        expect_captured(want);

        /* The console cuts at systemd's LINE_MAX. */
        log_set_target(LOG_TARGET_CONSOLE);
        log_error_errno(EIO, "%s", big);
        snprintf(want, 10100, "%.2047s\n", big);
        expect_captured(want);
        log_error_errno(EIO, "%.2040s", big);
        snprintf(want, 10100, "%.2040s: Input\n", big); /* 2047 in all */
        expect_captured(want);
        free(big);
        free(want);
}

TEST(level_and_environment) {
        capture_stderr();
        log_set_program("sockkeeper-generator");
        log_set_target(LOG_TARGET_KMSG);
        log_set_max_level(LOG_INFO);
        check(setenv("SYSTEMD_LOG_TARGET", "console", 1) == 0);
        check(setenv("SYSTEMD_LOG_LEVEL", "warning", 1) == 0);
        log_parse_environment();
        log_open();
        check_int(log_get_max_level(), ==, LOG_WARNING);
        log_debug("dropped");
        log_info("dropped");
        log_warning("%s:%u: kept, ignoring.", "a.service", 7u);
        check_int(log_error_errno(EINVAL, "dropped or not, the error comes back"), ==, -EINVAL);
        expect_captured("a.service:7: kept, ignoring.\n"
                        "dropped or not, the error comes back: Invalid argument\n");

        check(setenv("SYSTEMD_LOG_LEVEL", "7", 1) == 0);
        log_parse_environment();
        check_int(log_get_max_level(), ==, LOG_DEBUG);
        check(setenv("SYSTEMD_LOG_LEVEL", "loud", 1) == 0);
        log_parse_environment();
        check_int(log_get_max_level(), ==, LOG_DEBUG); /* kept */
        check(setenv("SYSTEMD_LOG_LEVEL", "8", 1) == 0);
        log_parse_environment();
        check_int(log_get_max_level(), ==, LOG_DEBUG);
        check(setenv("SYSTEMD_LOG_LEVEL", "err", 1) == 0);
        log_parse_environment();
        check_int(log_get_max_level(), ==, LOG_ERR);
        log_close();
}

/* What the stand-in journal received, one entry. */
static char entry[4096];
static int journal_result;

static int fake_sendv(const struct iovec *iov, int n) {
        size_t len = 0;

        for (int i = 0; i < n; i++)
                len += (size_t) snprintf(entry + len, sizeof(entry) - len, "%.*s|", (int) iov[i].iov_len,
                                         (const char *) iov[i].iov_base);
        return journal_result;
}

TEST(journal_fields) {
        int line;

        capture_stderr();
        log_set_program("sockkeeper guard");
        log_open_journal(fake_sendv);

        line = __LINE__ + 1;
        log_event(LOG_WARNING, "/tmp/a.sock", "a.socket", "lost", "removed together with its anchor");
        {
                char want[1024];

                snprintf(want, sizeof(want),
                         "MESSAGE=/tmp/a.sock: removed together with its anchor|PRIORITY=4|"
                         "SYSLOG_IDENTIFIER=sockkeeper|SOCKKEEPER_PATH=/tmp/a.sock|SOCKKEEPER_UNIT=a.socket|"
                         "SOCKKEEPER_ACTION=lost|CODE_FILE=%s|CODE_LINE=%d|CODE_FUNC=test_journal_fields|",
                         __FILE__, line);
                check_streq(entry, want);
        }

        line = __LINE__ + 1;
        log_event_id(LOG_ERR, "5724832246c042b78aaefedc3c437864", "/tmp/a.sock", "a.socket", "give-up", "giving up");
        {
                char want[1024];

                snprintf(want, sizeof(want),
                         "MESSAGE=/tmp/a.sock: giving up|PRIORITY=3|SYSLOG_IDENTIFIER=sockkeeper|"
                         "MESSAGE_ID=5724832246c042b78aaefedc3c437864|SOCKKEEPER_PATH=/tmp/a.sock|"
                         "SOCKKEEPER_UNIT=a.socket|SOCKKEEPER_ACTION=give-up|CODE_FILE=%s|CODE_LINE=%d|"
                         "CODE_FUNC=test_journal_fields|",
                         __FILE__, line);
                check_streq(entry, want);
        }

        line = __LINE__ + 1;
        log_error_errno(ENOENT, "cannot start");
        {
                char want[1024];

                snprintf(want, sizeof(want),
                         "MESSAGE=cannot start: No such file or directory|PRIORITY=3|SYSLOG_IDENTIFIER=sockkeeper|"
                         "CODE_FILE=%s|CODE_LINE=%d|CODE_FUNC=test_journal_fields|",
                         __FILE__, line);
                check_streq(entry, want);
        }
        expect_captured(""); /* nothing on stderr while the journal takes it */

        /* A journal that refuses: stderr, with the priority systemd reads. */
        journal_result = -ECONNREFUSED;
        log_event(LOG_NOTICE, "/tmp/a.sock", "a.socket", "relinked", "linked back");
        log_error("plain");
        expect_captured("<5>/tmp/a.sock: linked back\n"
                        "<3>plain\n");
}

TAP_MAIN(T(stderr_lines),
         T(events_on_stderr),
         T(long_lines),
         T(level_and_environment),
         T(journal_fields))
