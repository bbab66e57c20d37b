/* SPDX-License-Identifier: MIT */
/* Implementation of the unit-test helpers in test-util.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

void record_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        recorder *r = userdata;

        r->mask |= ev->type;
        r->counts[__builtin_ctz((unsigned) ev->type)]++;
        switch (ev->type) {
        case SK_EVENT_CONFLICT:
                r->conflict_kind = ev->conflict.kind;
                break;
        case SK_EVENT_ERROR:
                r->error = ev->error.error;
                snprintf(r->error_op, sizeof(r->error_op), "%s", ev->error.operation);
                break;
        case SK_EVENT_REBOUND:
                r->old_ino = ev->rebound.old_ino;
                r->new_ino = ev->rebound.new_ino;
                check(fcntl(ev->rebound.old_fd, F_GETFD) >= 0);
                break;
        default:
                break;
        }
}

int recorder_count(const recorder *r, sk_event_type type) {
        return r->counts[__builtin_ctz((unsigned) type)];
}

/* Scratch names live until the test process ends; keeping them reachable
 * here keeps LeakSanitizer's report about the code under test. */
static char *scratch_names[256];
static size_t n_scratch_names;

static char *keep(char *s) {
        check(n_scratch_names < ELEMENTSOF(scratch_names));
        scratch_names[n_scratch_names++] = s;
        return s;
}

char *scratch_dir(void) {
        char *d = strdup("/tmp/sk-test-XXXXXX"), *sock, *state;

        check(d && mkdtemp(d));
        sock = scratch_path(d, "sock");
        check(mkdir(sock, 0755) >= 0);
        /* The keepers' state directory, where anchors go when it is on the
         * socket's filesystem: in the scratch tree, never the machine's. */
        state = scratch_path(d, "state");
        check(mkdir(state, 0755) >= 0);
        check(setenv("STATE_DIRECTORY", state, 1) >= 0);
        return keep(d);
}

char *scratch_path(const char *dir, const char *rel) {
        char *p;
        check(asprintf(&p, "%s/%s", dir, rel) >= 0);
        return keep(p);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        /* Tests may leave directories unwritable. Only directories, never
         * anything else: chmod() follows symlinks, and a fixture's link to
         * /usr/lib or /dev/null must not change the host. */
        if (flag == FTW_DP || flag == FTW_DNR)
                (void) chmod(p, 0700);
        (void) remove(p);
        return 0;
}

void rm_rf(const char *path) {
        (void) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int pump(sk_keeper *k, int want, int timeout_ms) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + (uint64_t) timeout_ms * USEC_PER_MSEC;
        int seen = 0;

        while (!(seen & want)) {
                struct pollfd p = { .fd = sk_keeper_get_event_fd(k), .events = POLLIN };
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                int r;

                if (now >= deadline)
                        break;
                r = poll(&p, 1, (int) ((deadline - now) / USEC_PER_MSEC) + 1);
                check(r >= 0);
                if (r == 0)
                        continue;
                r = sk_keeper_process(k);
                check(r >= 0);
                seen |= r;
        }
        return seen;
}

static int connect_fd(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int try_connect(const char *path) {
        int fd = connect_fd(path);
        if (fd < 0)
                return fd;
        close(fd);
        return 0;
}

bool served_by(int listen_fd, const char *path) {
        int c = connect_fd(path), a;

        if (c < 0)
                return false;
        a = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        close(c);
        if (a < 0)
                return false;
        close(a);
        return true;
}

void collect_warning(const char *file, unsigned line, const char *message, void *userdata) {
        warnings *w = userdata;
        size_t n = strlen(w->text);

        snprintf(w->text + n, sizeof(w->text) - n, "%s:%u: %s\n", file, line, message);
        w->count++;
}

int count_open_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        check(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the DIR's own fd */
}

void write_file(const char *path, const char *content) {
        FILE *f = fopen(path, "we");
        check(f);
        check(fputs(content, f) >= 0);
        check(fclose(f) == 0);
}

bool file_has(const char *path, const char *content) {
        char buf[256] = {};
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n >= 0 && strcmp(buf, content) == 0;
}

sk_keeper *keeper_at(const char *path, recorder *rec) {
        sk_keeper *k = NULL;

        check(sk_keeper_new(&k, path) >= 0);
        check(sk_keeper_set_event_callback(k, record_event, rec) >= 0);
        return k;
}
