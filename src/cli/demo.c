/* SPDX-License-Identifier: MIT */
/* sockkeeper demo: a live show of the keeper's layers. A keeper and an
 * ordinary blocking accept loop run in this process; the main thread plays
 * the client and the cleaner. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "sockkeeper.h"
#include "cli.h"

#define DEMO_WAIT_USEC (3 * USEC_PER_SEC)

static volatile sig_atomic_t interrupted;

typedef struct demo {
        sk_keeper *keeper;
        int fd;
        pthread_t server;
        atomic_bool stopping;
        atomic_int served;
        atomic_int accept_wakeups;
        atomic_int relinks;
        atomic_int rebinds;
        atomic_uint_fast64_t last_event_usec;
} demo;

static void on_sigint(int sig) {
        interrupted = 1;
}

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        demo *d = userdata;

        switch (ev->type) {
        case SK_EVENT_RELINKED:
                d->last_event_usec = ev->relinked.usec;
                d->relinks++;
                break;
        case SK_EVENT_REBOUND:
                d->last_event_usec = ev->rebound.usec;
                d->rebinds++;
                break;
        case SK_EVENT_CONFLICT:
                printf("   keeper: conflict, a %s is at the path; leaving it alone\n",
                       sk_conflict_kind_to_string(ev->conflict.kind));
                break;
        case SK_EVENT_ERROR:
                printf("   keeper: %s failed: %s (retrying)\n", ev->error.operation, strerror(ev->error.error));
                break;
        default:
                break;
        }
}

/* The daemon's own accept loop; it knows nothing of the keeper except
 * that accept() may return EINVAL once after a rebind. */
static void *server_main(void *userdata) {
        demo *d = userdata;

        while (!d->stopping) {
                char reply[128];
                struct stat st;
                int c = accept4(d->fd, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0) {
                        if (errno == EINVAL && !d->stopping)
                                d->accept_wakeups++;
                        if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED)
                                continue;
                        break;
                }
                d->served++;
                snprintf(reply, sizeof(reply), "served by fd %d, connection %d, socket inode %" PRIu64 "\n",
                         d->fd, d->served,
                         fstatat(AT_FDCWD, sk_keeper_get_path(d->keeper), &st, AT_SYMLINK_NOFOLLOW) >= 0 ? (uint64_t) st.st_ino : 0);
                (void) !write(c, reply, strlen(reply));
                close(c);
        }
        return NULL;
}

/* Connects until it works or the deadline passes, returning how long it
 * took, and the server's reply in BUF. */
static int connect_until(const char *path, uint64_t deadline_usec, char *buf, size_t size, uint64_t *ret_usec) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        uint64_t start = now_usec(CLOCK_MONOTONIC);

        strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
        while (!interrupted) {
                _cleanup_close_ int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                ssize_t n;

                if (c < 0)
                        return negative_errno();
                if (connect(c, (struct sockaddr *) &sa, sizeof(sa)) >= 0) {
                        *ret_usec = now_usec(CLOCK_MONOTONIC) - start;
                        n = read(c, buf, size - 1);
                        buf[n > 0 ? n : 0] = '\0';
                        buf[strcspn(buf, "\n")] = '\0';
                        return 0;
                }
                if (now_usec(CLOCK_MONOTONIC) - start > deadline_usec)
                        return negative_errno();
                usleep(20);
        }
        return -EINTR;
}

/* The client can connect a moment before the keeper's callback has run;
 * wait for it before counting. */
static void wait_for_count(atomic_int *counter, int value) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + DEMO_WAIT_USEC;

        while (*counter < value && !interrupted && now_usec(CLOCK_MONOTONIC) < deadline)
                usleep(100);
}

static int help(void) {
        printf("Usage: sockkeeper demo [PATH]\n"
               "\n"
               "Binds a kept socket (default /tmp/sockkeeper-demo-PID.sock), connects\n"
               "a client, deletes the path as a cleaner would and shows the relink,\n"
               "then deletes the anchor too and shows the rebind.\n"
               "\n"
               "  -h --help     show this help\n"
               "  -V --version  show the version\n"
               "\n"
               "Exit status: 0 all three steps went through, 1 a step did not, 64 usage,\n"
               "130 interrupted by SIGINT or SIGTERM.\n");
        return 0;
}

int verb_demo(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        char default_path[64], reply[160], anchor[PATH_MAX];
        struct sigaction sa = { .sa_handler = on_sigint };
        sigset_t all, saved;
        uint64_t usec;
        const char *path;
        demo d = {};
        int c, r, ret = 1;

        while ((c = getopt_long(argc, argv, ":hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case 'V':
                case ARG_VERSION:
                        return cli_version();
                default:
                        return cli_option_error(argv, c);
                }
        if (argc - optind > 1)
                return cli_usage_error("at most one PATH is taken");
        snprintf(default_path, sizeof(default_path), "/tmp/sockkeeper-demo-%d.sock", (int) getpid());
        path = optind < argc ? argv[optind] : default_path;

        /* A live show: each line as it happens, even into a pipe. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        /* No SA_RESTART: a blocking call returns EINTR and we clean up. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        r = sk_keeper_new(&d.keeper, path);
        if (r == -EINVAL || r == -ENAMETOOLONG) {
                /* A PATH that names no socket is a usage error, as for the guard. */
                (void) log_keeper_error(path, r);
                return cli_usage_hint();
        }
        if (r < 0)
                return log_keeper_error(path, r), 1;
        path = sk_keeper_get_path(d.keeper); /* canonical: what is bound */
        sk_keeper_set_event_callback(d.keeper, on_event, &d);
        r = sk_keeper_bind(d.keeper);
        if (r < 0) {
                log_keeper_error(path, r);
                goto out;
        }
        d.fd = sk_keeper_get_fd(d.keeper);
        r = sk_keeper_start(d.keeper);
        if (r < 0) {
                log_error_errno(r, "starting the keeper thread");
                goto out;
        }
        /* Signals go to the main thread, which checks the flag. */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &saved);
        r = -pthread_create(&d.server, NULL, server_main, &d);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0) {
                log_error_errno(r, "starting the accept loop");
                goto out;
        }

        printf("1. Listening on %s (fd %d), kept by libsockkeeper.\n", path, d.fd);
        printf("   Anchor: %s\n", strempty(sk_keeper_get_anchor_path(d.keeper)));
        if (connect_until(path, DEMO_WAIT_USEC, reply, sizeof(reply), &usec) < 0)
                goto fail;
        printf("   client: %s\n", reply);

        printf("2. A cleaner deletes %s ...\n", path);
        if (unlink(path) < 0)
                goto fail;
        if (connect_until(path, DEMO_WAIT_USEC, reply, sizeof(reply), &usec) < 0)
                goto fail;
        wait_for_count(&d.relinks, 1);
        if (interrupted)
                goto fail;
        printf("   relinked: the same inode is back; client connected after %" PRIu64 " us (keeper: %" PRIu64 " us)\n",
               usec, (uint64_t) d.last_event_usec);
        printf("   client: %s\n", reply);

        printf("3. A cleaner deletes the anchor and the path ...\n");
        /* Both at once, as far as the keeper can tell: pause its thread,
         * or it re-creates the anchor between the two unlinks (it does
         * that within microseconds) and simply relinks again. */
        r = sk_keeper_stop(d.keeper);
        if (r < 0) {
                log_error_errno(r, "pausing the keeper");
                goto out;
        }
        snprintf(anchor, sizeof(anchor), "%s", strempty(sk_keeper_get_anchor_path(d.keeper)));
        if (anchor[0] && unlink(anchor) < 0)
                goto fail;
        if (unlink(path) < 0)
                goto fail;
        r = sk_keeper_start(d.keeper);
        if (r < 0) {
                log_error_errno(r, "resuming the keeper");
                goto out;
        }
        if (connect_until(path, DEMO_WAIT_USEC, reply, sizeof(reply), &usec) < 0)
                goto fail;
        wait_for_count(&d.rebinds, 1);
        if (interrupted)
                goto fail;
        if (d.rebinds < 1) {
                log_error("%s: the keeper did not rebind (%d relinks, %d rebinds)", path, (int) d.relinks, (int) d.rebinds);
                goto out;
        }
        printf("   rebound: a new socket on the same fd %d; client connected after %" PRIu64 " us (keeper: %" PRIu64 " us)\n",
               d.fd, usec, (uint64_t) d.last_event_usec);
        printf("   the blocked accept() woke up %d time(s) and went on serving\n", (int) d.accept_wakeups);
        printf("   client: %s\n", reply);

        printf("Summary: %d relink(s), %d rebind(s), %d connection(s) served by one accept loop on fd %d.\n",
               (int) d.relinks, (int) d.rebinds, (int) d.served, d.fd);
        ret = 0;
        goto out;

fail:
        if (interrupted)
                printf("Interrupted.\n");
        else
                log_error_errno(errno ?: ETIMEDOUT, "%s: the demo did not get through", path);
        ret = interrupted ? 130 : 1;
out:
        if (d.server) {
                d.stopping = true;
                (void) shutdown(d.fd, SHUT_RDWR); /* wakes the blocked accept() */
                pthread_join(d.server, NULL);
        }
        sk_keeper_free(d.keeper);
        return ret;
}
