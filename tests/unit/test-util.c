/* SPDX-License-Identifier: MIT */
/* Implementation of the unit-test helpers in test-util.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
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
static char *scratch_names[1024];
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

void mkdir_p(const char *path) {
        char *p = strdup(path);

        check(p);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        check(mkdir(p, 0755) >= 0 || errno == EEXIST);
                        *s = '/';
                }
        check(mkdir(p, 0755) >= 0 || errno == EEXIST);
        free(p);
}

void write_file(const char *path, const char *content) {
        FILE *f = fopen(path, "we");
        check(f);
        check(fputs(content, f) >= 0);
        check(fclose(f) == 0);
}

char *scratch_unit_root(void) {
        char *root = scratch_dir();

        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        return root;
}

/* ROOT/REL, with the directories above it. */
static char *put_path(const char *root, const char *rel) {
        char *path, *dir;

        check(asprintf(&path, "%s%s", root, rel) >= 0);
        dir = strdup(path);
        check(dir);
        *strrchr(dir, '/') = '\0';
        mkdir_p(dir);
        free(dir);
        return path;
}

void put_file(const char *root, const char *rel, const char *content) {
        put_file_mode(root, rel, content, 0644);
}

void put_file_mode(const char *root, const char *rel, const char *content, mode_t mode) {
        char *path = put_path(root, rel);

        write_file(path, content);
        check(chmod(path, mode) >= 0);
        free(path);
}

void put_symlink(const char *root, const char *rel, const char *target) {
        char *path = put_path(root, rel);

        check(symlink(target, path) >= 0);
        free(path);
}

char *read_text(const char *path) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return NULL;
        check(getdelim(&text, &len, '\0', f) >= 0 || feof(f));
        fclose(f);
        return text;
}

void sparse_file(const char *path, off_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        check(fd >= 0);
        check(ftruncate(fd, size) >= 0);
        close(fd);
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

static const char *serve_path;

static void unlink_on_signal(int sig) {
        (void) unlink(serve_path);
}

pid_t serve_with(const char *path, uid_t uid, int flags) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int p[2];
        pid_t pid;
        char c;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        check(pipe2(p, O_CLOEXEC) >= 0);
        pid = fork();
        check(pid >= 0);
        if (pid == 0) {
                int fd;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                serve_path = path;
                (void) signal(SIGUSR1, unlink_on_signal);
                /* A client that is gone before the answer (a liveness probe
                 * is one) must not kill the server, as in any daemon. */
                (void) signal(SIGPIPE, SIG_IGN);
                if ((flags & SERVE_NETNS) && unshare(CLONE_NEWNET) < 0)
                        _exit(4);
                if (uid != geteuid() && (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
                        _exit(2);
                /* Again: a change of credentials cleared it. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        _exit(3);
                if (!(flags & SERVE_NO_LISTEN) && listen(fd, 16) < 0)
                        _exit(3);
                (void) write(p[1], "r", 1);
                for (;;) {
                        int c2 = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                        pid_t me = getpid();

                        if (c2 < 0) {
                                if (flags & SERVE_NO_LISTEN)
                                        pause();
                                continue;
                        }
                        (void) write(c2, &me, sizeof(me));
                        close(c2);
                }
        }
        close(p[1]);
        check_int(read(p[0], &c, 1), ==, 1);
        close(p[0]);
        return pid;
}

int bind_unix(int type, const char *name, bool abstract, bool listening) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        if (abstract) {
                memcpy(sa.sun_path + 1, name, strlen(name));
                len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
        } else {
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
                len = sizeof(sa);
        }
        check(bind(fd, (struct sockaddr *) &sa, len) >= 0);
        if (listening)
                check(listen(fd, 4) >= 0);
        return fd;
}

pid_t serve_as(const char *path, uid_t uid) {
        return serve_with(path, uid, 0);
}

void stop_server(pid_t pid) {
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

pid_t served_pid(const char *path) {
        pid_t pid = 0;
        int fd = connect_fd(path);

        if (fd < 0)
                return fd;
        check_int(read(fd, &pid, sizeof(pid)), ==, sizeof(pid));
        close(fd);
        return pid;
}

ino_t ino_of(const char *path) {
        struct stat st;

        check(lstat(path, &st) >= 0);
        return st.st_ino;
}

void require_root(void) {
        if (geteuid() != 0)
                skip("needs root, to act as another user");
}

bool wait_gone(const char *path, int timeout_ms) {
        struct stat st;

        for (int i = 0; i < timeout_ms; i++) {
                if (lstat(path, &st) < 0 && errno == ENOENT)
                        return true;
                (void) poll(NULL, 0, 1);
        }
        return false;
}
