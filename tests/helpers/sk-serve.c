/* SPDX-License-Identifier: MIT */
/* sk-serve: the server that the integration tests point real cleaners at.
 * It listens on a path with a keeper (background thread or event loop) or
 * without one, the way an ordinary daemon does, and answers each connection
 * with one line naming its pid, a random id of its accept loop and its fd,
 * so that a test can prove that the ORIGINAL loop still serves after a
 * cleaner struck. Keeper events are printed to stdout, one per line. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "sockkeeper.h"

typedef enum serve_mode {
        MODE_THREAD,
        MODE_LOOP,
        MODE_NONE,
} serve_mode;

typedef struct options {
        const char *path;
        serve_mode mode;
        bool relative;
        const char *anchor_dir;
        bool no_relink;
        uint64_t poll_usec;    /* 0: inotify */
        uint64_t refresh_usec; /* UINT64_MAX: the library's default */
} options;

typedef struct server {
        sk_keeper *keeper;
        int fd;
        char loop_id[17];
        unsigned conn;
        atomic_bool stopping;
        atomic_bool failed;
} server;

static void sk_keeper_freep(sk_keeper **k) {
        sk_keeper_free(*k);
}

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        server *s = userdata;

        switch (ev->type) {
        case SK_EVENT_REBOUND:
                /* The whole point of rebind: the caller's fd number stays. */
                if (ev->rebound.fd != s->fd) {
                        fprintf(stderr, "sk-serve: rebound onto fd %d, expected %d\n", ev->rebound.fd, s->fd);
                        s->failed = true;
                }
                printf("EVENT rebound old_ino=%" PRIu64 " new_ino=%" PRIu64 " fd=%d\n",
                       ev->rebound.old_ino, ev->rebound.new_ino, ev->rebound.fd);
                break;
        case SK_EVENT_CONFLICT:
                printf("EVENT conflict kind=%s\n", sk_conflict_kind_to_string(ev->conflict.kind));
                break;
        case SK_EVENT_ERROR:
                printf("EVENT error op=%s errno=%d\n", ev->error.operation, ev->error.error);
                break;
        default:
                printf("EVENT %s\n", sk_event_type_to_string(ev->type));
                break;
        }
}

static void reply(server *s, int c) {
        char line[128];
        int n = snprintf(line, sizeof(line), "served pid=%d loop=%s fd=%d conn=%u\n",
                         (int) getpid(), s->loop_id, s->fd, ++s->conn);

        /* A client that hung up early must not kill us with SIGPIPE. */
        (void) send(c, line, (size_t) n, MSG_NOSIGNAL);
        safe_close(c);
}

/* The daemon's own blocking accept loop, as in thread and none modes. */
static void *accept_main(void *userdata) {
        server *s = userdata;

        while (!s->stopping) {
                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

                if (c >= 0) {
                        reply(s, c);
                        continue;
                }
                /* EINVAL: a rebind shut the old socket down under us, and
                 * the same fd number now holds the new one. */
                if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED)
                        continue;
                fprintf(stderr, "sk-serve: accept: %m\n");
                s->failed = true;
                break;
        }
        return NULL;
}

/* The event-loop mode: one poll() over the signals, the keeper and the
 * listening socket. poll() names fds by number, so after a rebind the same
 * entry already watches the new socket; an epoll user would re-add it. */
static int run_loop(server *s, int sig_fd) {
        struct pollfd p[] = {
                { .fd = sig_fd, .events = POLLIN },
                { .fd = sk_keeper_get_event_fd(s->keeper), .events = POLLIN },
                { .fd = s->fd, .events = POLLIN },
        };

        if (fcntl(s->fd, F_SETFL, O_NONBLOCK) < 0)
                return negative_errno();

        for (;;) {
                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (p[0].revents)
                        return 0;
                if (p[1].revents) {
                        int r = sk_keeper_process(s->keeper);
                        if (r < 0)
                                return r;
                }
                if (p[2].revents)
                        for (;;) {
                                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
                                if (c < 0) {
                                        if (errno == EAGAIN || errno == EINVAL || errno == ECONNABORTED)
                                                break;
                                        return negative_errno();
                                }
                                reply(s, c);
                        }
        }
}

static int bind_plain(const char *path, bool relative) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *name = path;

        if (relative) {
                char *slash;

                dir = strdup(path);
                if (!dir)
                        return -ENOMEM;
                slash = strrchr(dir, '/');
                if (!slash || slash == dir)
                        return -EINVAL;
                *slash = '\0';
                if (chdir(dir) < 0)
                        return negative_errno();
                name = slash + 1;
        }
        if (strlen(name) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, name);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

static int setup_keeper(server *s, const options *o) {
        int r;

        r = sk_keeper_new(&s->keeper, o->path);
        if (r < 0)
                return r;
        (void) sk_keeper_set_event_callback(s->keeper, on_event, s);
        if (o->anchor_dir && (r = sk_keeper_set_anchor_dir(s->keeper, o->anchor_dir)) < 0)
                return r;
        if (o->no_relink && (r = sk_keeper_set_relink(s->keeper, false)) < 0)
                return r;
        if (o->poll_usec && (r = sk_keeper_set_detection(s->keeper, SK_DETECT_POLL, o->poll_usec)) < 0)
                return r;
        if (o->refresh_usec != UINT64_MAX && (r = sk_keeper_set_refresh_interval(s->keeper, o->refresh_usec)) < 0)
                return r;
        r = sk_keeper_bind(s->keeper);
        if (r < 0)
                return r;
        s->fd = sk_keeper_get_fd(s->keeper);
        return 0;
}

static int parse_usec(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_options(int argc, char *argv[], options *o) {
        static const struct option longopts[] = {
                { "path", required_argument, NULL, 'p' },
                { "mode", required_argument, NULL, 'm' },
                { "relative", no_argument, NULL, 'R' },
                { "anchor-dir", required_argument, NULL, 'a' },
                { "no-relink", no_argument, NULL, 'n' },
                { "poll", required_argument, NULL, 'P' },
                { "refresh", required_argument, NULL, 'r' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) >= 0)
                switch (c) {
                case 'p':
                        o->path = optarg;
                        break;
                case 'm':
                        if (streq(optarg, "thread"))
                                o->mode = MODE_THREAD;
                        else if (streq(optarg, "loop"))
                                o->mode = MODE_LOOP;
                        else if (streq(optarg, "none"))
                                o->mode = MODE_NONE;
                        else
                                return -EINVAL;
                        break;
                case 'R':
                        o->relative = true;
                        break;
                case 'a':
                        o->anchor_dir = optarg;
                        break;
                case 'n':
                        o->no_relink = true;
                        break;
                case 'P':
                        if (parse_usec(optarg, &o->poll_usec) < 0)
                                return -EINVAL;
                        break;
                case 'r':
                        if (parse_usec(optarg, &o->refresh_usec) < 0)
                                return -EINVAL;
                        break;
                default:
                        return -EINVAL;
                }

        if (!o->path || optind < argc || (o->relative && o->mode != MODE_NONE))
                return -EINVAL;
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(sk_keeper_freep) sk_keeper *keeper = NULL;
        _cleanup_close_ int sig_fd = -EBADF, plain_fd = -EBADF;
        options o = { .mode = MODE_THREAD, .refresh_usec = UINT64_MAX };
        server s = { .fd = -EBADF };
        struct signalfd_siginfo si;
        pthread_t accept_thread;
        uint64_t token;
        sigset_t mask;
        int r;

        if (parse_options(argc, argv, &o) < 0) {
                fprintf(stderr,
                        "Usage: sk-serve --path P [--mode thread|loop|none] [--relative] [--anchor-dir D]\n"
                        "                [--no-relink] [--poll USEC] [--refresh USEC]\n"
                        "--relative needs --mode none.\n");
                return 64;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        /* Blocked before any thread exists, so that only the signalfd sees them. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sig_fd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
                fprintf(stderr, "sk-serve: signalfd: %m\n");
                return 1;
        }
        if (getrandom(&token, sizeof(token), 0) != sizeof(token)) {
                fprintf(stderr, "sk-serve: getrandom: %m\n");
                return 1;
        }
        snprintf(s.loop_id, sizeof(s.loop_id), "%016" PRIx64, token);

        if (o.mode == MODE_NONE) {
                plain_fd = bind_plain(o.path, o.relative);
                r = plain_fd;
                s.fd = plain_fd;
        } else {
                r = setup_keeper(&s, &o);
                keeper = s.keeper;
        }
        if (r < 0) {
                fprintf(stderr, "sk-serve: listening on %s: %s\n", o.path, strerror(-r));
                return 1;
        }

        if (o.mode == MODE_THREAD && (r = sk_keeper_start(keeper)) < 0) {
                fprintf(stderr, "sk-serve: starting the keeper thread: %s\n", strerror(-r));
                return 1;
        }
        if (o.mode != MODE_LOOP && (r = -pthread_create(&accept_thread, NULL, accept_main, &s)) < 0) {
                fprintf(stderr, "sk-serve: starting the accept loop: %s\n", strerror(-r));
                return 1;
        }

        printf("READY fd=%d anchor=%s\n", s.fd, keeper && sk_keeper_get_anchor_path(keeper) ?
                                                        sk_keeper_get_anchor_path(keeper) : "-");

        if (o.mode == MODE_LOOP) {
                r = run_loop(&s, sig_fd);
                if (r < 0) {
                        fprintf(stderr, "sk-serve: event loop: %s\n", strerror(-r));
                        return 1;
                }
        } else {
                while (read(sig_fd, &si, sizeof(si)) < 0 && errno == EINTR)
                        ;
                /* Keeper first, so that no rebind races the shutdown. */
                (void) sk_keeper_stop(keeper);
                s.stopping = true;
                (void) shutdown(s.fd, SHUT_RDWR); /* wakes the blocked accept() */
                pthread_join(accept_thread, NULL);
        }
        return s.failed ? 1 : 0;
}
