/* SPDX-License-Identifier: MIT */
/* The listing of bound AF_UNIX sockets through sock_diag, checked against
 * sockets this test binds: stream and datagram, listening or not, named
 * or abstract, in our network namespace and in another one. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "inode-id.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "unix-diag.h"

static const unix_socket_info *find_socket(const unix_socket_info *s, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(s[i].name, name))
                        return &s[i];
        return NULL;
}

TEST(unix_diag_lists_our_sockets) {
        char *dir = scratch_dir(), *listening = scratch_path(dir, "sock/l.sock"),
             *quiet = scratch_path(dir, "sock/q.sock"), abstract[64], abstract_dgram[64], *ab, *abd;
        int fl, fq, fa, fd;
        unix_socket_info *s = NULL;
        size_t n = 0;
        const unix_socket_info *i;
        struct stat st;
        unix_bound *ids = NULL;
        size_t n_ids = 0;
        bool found = false;
        int r;

        snprintf(abstract, sizeof(abstract), "sk-test-%d-a", (int) getpid());
        snprintf(abstract_dgram, sizeof(abstract_dgram), "sk-test-%d-d", (int) getpid());
        fl = bind_unix(SOCK_STREAM, listening, false, true);
        fq = bind_unix(SOCK_STREAM, quiet, false, false);
        fa = bind_unix(SOCK_STREAM, abstract, true, true);
        fd = bind_unix(SOCK_DGRAM, abstract_dgram, true, false);

        r = unix_diag_list(UNIX_DIAG_OWN_NETNS, &s, &n, NULL);
        if (r == -EOPNOTSUPP)
                skip("no unix_diag in this kernel");
        check_int(r, ==, 0);

        i = find_socket(s, n, listening);
        check(i);
        check(i->listening);
        check_int(i->type, ==, SOCK_STREAM);
        check(i->has_vfs);
        check(lstat(listening, &st) >= 0);
        /* The kernel reports the file's inode in 32 bits. */
        check_int(i->vfs.ino, ==, (uint32_t) st.st_ino);
        check(unix_diag_matches(i->vfs, inode_id_of(&st)));
        check(fstat(fl, &st) >= 0);
        check_int(i->sock_ino, ==, (uint32_t) st.st_ino);
        check(!i->other_netns);
        check(stat("/proc/self/ns/net", &st) >= 0);
        check_int(i->netns, ==, st.st_ino);

        i = find_socket(s, n, quiet);
        check(i);
        check(!i->listening);
        check(i->has_vfs);
        check(lstat(quiet, &st) >= 0);
        check(unix_diag_matches(i->vfs, inode_id_of(&st)));

        check(asprintf(&ab, "@%s", abstract) >= 0);
        i = find_socket(s, n, ab);
        check(i);
        check(i->listening);
        check(!i->has_vfs);
        check(asprintf(&abd, "@%s", abstract_dgram) >= 0);
        i = find_socket(s, n, abd);
        check(i);
        check_int(i->type, ==, SOCK_DGRAM);
        check(!i->listening);

        /* The library's list of bound files agrees. */
        check_int(unix_diag_bound_all(&ids, &n_ids, NULL), ==, 0);
        check(lstat(listening, &st) >= 0);
        for (size_t k = 0; k < n_ids; k++)
                found |= unix_diag_matches(ids[k].vfs, inode_id_of(&st));
        check(found);

        free(ids);
        free(ab);
        free(abd);
        unix_socket_info_free_many(s, n);
        close(fl);
        close(fq);
        close(fa);
        close(fd);
        rm_rf(dir);
}

static ino_t netns_of(pid_t pid) {
        char p[64];
        struct stat st;

        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int) pid);
        check(stat(p, &st) >= 0);
        return st.st_ino;
}

/* A listener that another network namespace holds on a file of ours:
 * listed, with the namespace it lives in, by its file's (dev, ino). */
TEST(unix_diag_lists_other_netns) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "ns.sock"), *host_path = scratch_path(dir, "host.sock");
        unix_socket_info *s = NULL;
        const unix_socket_info *i;
        bool complete = false;
        struct stat st;
        size_t n = 0;
        pid_t server, host_server;

        require_root();
        server = serve_with(path, geteuid(), SERVE_NETNS);
        /* One of ours too: the machine may have no other. */
        host_server = serve_with(host_path, geteuid(), 0);
        check_int(netns_of(server), !=, netns_of(getpid()));

        /* Our own namespace alone does not have it. */
        check_int(unix_diag_list(UNIX_DIAG_OWN_NETNS, &s, &n, &complete), ==, 0);
        check(!find_socket(s, n, path));
        check(complete);
        unix_socket_info_free_many(s, n);

        check_int(unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, &complete), ==, 0);
        check(complete); /* root enters every namespace */
        i = find_socket(s, n, path);
        check(i);
        check(i->other_netns);
        check(i->listening);
        check_int(i->netns, ==, netns_of(server));
        check(lstat(path, &st) >= 0);
        check(i->has_vfs && unix_diag_matches(i->vfs, inode_id_of(&st)));
        /* The host's sockets come too, and first. */
        check(n > 0 && !s[0].other_netns);
        unix_socket_info_free_many(s, n);

        /* The others alone. */
        check_int(unix_diag_list(UNIX_DIAG_OTHER_NETNS, &s, &n, &complete), ==, 0);
        check(find_socket(s, n, path));
        for (size_t k = 0; k < n; k++)
                check(s[k].other_netns);
        unix_socket_info_free_many(s, n);

        stop_server(server);
        stop_server(host_server);
        free(host_path);
        rm_rf(dir);
}

/* Sockets opened and closed as fast as a child can, elsewhere in the
 * machine: what a busy machine does while we dump. */
static pid_t churn(void) {
        pid_t pid = fork();

        check(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;) {
                        int fds[64];

                        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                                fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                                if (fds[i] >= 0)
                                        close(fds[i]);
                }
        }
        return pid;
}

/* A dump comes in batches that the kernel resumes by position, so a
 * socket closed elsewhere meanwhile can make one dump skip a socket that
 * lives. What the keepers take for dead (an anchor nobody is bound to, a
 * socket file without a socket) must not be one of those: none of many
 * bound sockets goes missing however the machine churns. */
TEST(live_sockets_are_never_missed) {
        enum { N = 1500 };
        char *dir = scratch_dir();
        struct rlimit rl;
        int *fds = calloc(N, sizeof(int));
        inode_id *ids = calloc(N, sizeof(inode_id));
        pid_t churners[2];
        unsigned list_misses = 0;

        check(fds && ids);
        check(getrlimit(RLIMIT_NOFILE, &rl) == 0);
        if (rl.rlim_max < N + 64)
                skip("RLIMIT_NOFILE too low for the test's sockets");
        rl.rlim_cur = rl.rlim_max;
        check(setrlimit(RLIMIT_NOFILE, &rl) == 0);
        for (int i = 0; i < N; i++) {
                char path[108];
                struct stat st;

                snprintf(path, sizeof(path), "%s/s%d.sock", dir, i);
                fds[i] = bind_unix(SOCK_STREAM, path, false, true);
                check(lstat(path, &st) == 0);
                ids[i] = inode_id_of(&st);
        }
        for (size_t c = 0; c < ELEMENTSOF(churners); c++)
                churners[c] = churn();

        for (int round = 0; round < 40; round++) {
                unix_bound *b = NULL;
                size_t n = 0;
                bool *seen = calloc(N, sizeof(bool));

                check(seen);
                check_int(unix_diag_bound_all(&b, &n, NULL), ==, 0);
                for (size_t k = 0; k < n; k++)
                        for (int i = 0; i < N; i++)
                                if (!seen[i] && unix_diag_matches(b[k].vfs, ids[i])) {
                                        seen[i] = true;
                                        break;
                                }
                /* The list may still skip one while others close; what
                 * it misses, the look at that one file must find, since
                 * that is what a caller asks before it acts on a miss. */
                for (int i = 0; i < N; i++)
                        if (!seen[i]) {
                                printf("# round %d: socket %d missing from the list\n", round, i);
                                list_misses++;
                                check_int(unix_diag_find_bound(ids[i], NULL, NULL, NULL), ==, 1);
                        }
                free(seen);
                free(b);
                /* And one by one, the last ones (the dump's later batches). */
                for (int i = N - 5; i < N; i++)
                        check_int(unix_diag_find_bound(ids[i], NULL, NULL, NULL), ==, 1);
        }

        printf("# %u list misses in 40 rounds, each found by the exact look\n", list_misses);
        for (size_t c = 0; c < ELEMENTSOF(churners); c++)
                stop_server(churners[c]);
        for (int i = 0; i < N; i++)
                close(fds[i]);
        free(fds);
        free(ids);
        rm_rf(dir);
}

/* A connection accepted on a listener carries the listener's file too
 * (the kernel copies the path): the socket to ask about later is the
 * listener, which outlives them, never one of its connections. */
TEST(identify_names_the_listener_not_its_connections) {
        enum { N = 32 };
        char *dir = scratch_dir(), *path = scratch_path(dir, "l.sock");
        int listener, clients[N], accepted[N];
        unix_sock_ref ref;
        struct stat st;

        listener = bind_unix(SOCK_STREAM, path, false, true);
        check(listener >= 0);
        for (size_t i = 0; i < N; i++) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };

                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
                clients[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                check(clients[i] >= 0);
                check(connect(clients[i], (struct sockaddr *) &sa, sizeof(sa)) >= 0);
                accepted[i] = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                check(accepted[i] >= 0);
        }
        check(lstat(path, &st) >= 0);
        check_int(unix_diag_identify(inode_id_of(&st), timespec_to_usec(&st.st_ctim), &ref), ==, 1);
        for (size_t i = 0; i < N; i++) {
                close(accepted[i]);
                close(clients[i]);
        }
        check_int(unix_diag_ref_bound(&ref, inode_id_of(&st)), ==, 1);
        close(listener);
        check_int(unix_diag_ref_bound(&ref, inode_id_of(&st)), ==, 0);

        /* And a listener closed while a connection it accepted lives on
         * holds its file no more. */
        check(unlink(path) >= 0);
        listener = bind_unix(SOCK_STREAM, path, false, true);
        check(listener >= 0);
        {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };

                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
                clients[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                check(connect(clients[0], (struct sockaddr *) &sa, sizeof(sa)) >= 0);
                accepted[0] = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                check(accepted[0] >= 0);
        }
        check(lstat(path, &st) >= 0);
        check_int(unix_diag_find_bound(inode_id_of(&st), NULL, NULL, NULL), ==, 1);
        close(listener);
        check_int(unix_diag_find_bound(inode_id_of(&st), NULL, NULL, NULL), ==, 0);
        close(accepted[0]);
        close(clients[0]);
        free(path);
        rm_rf(dir);
}

/* In a child with a /proc of its own mounted hidepid=invisible (as
 * ProtectProc=invisible makes it), and without CAP_SYS_PTRACE unless
 * KEEP_PTRACE: whether unix_diag_list() of every namespace says it saw
 * them all. 1, 0, or -1 when the child could not set that up. */
static int complete_behind_hidepid(bool keep_ptrace) {
        pid_t pid = fork();
        int status;

        check(pid >= 0);
        if (pid == 0) {
                unix_socket_info *s = NULL;
                bool complete = false;
                size_t n = 0;

                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") < 0)
                        _exit(3);
                if (!keep_ptrace) {
                        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
                        struct __user_cap_data_struct d[2] = {};

                        if (syscall(SYS_capget, &h, d) < 0)
                                _exit(3);
                        d[CAP_SYS_PTRACE / 32].effective &= ~(1U << (CAP_SYS_PTRACE % 32));
                        if (syscall(SYS_capset, &h, d) < 0)
                                _exit(3);
                }
                if (unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, &complete) < 0)
                        _exit(3);
                unix_socket_info_free_many(s, n);
                _exit(complete ? 1 : 0);
        }
        check(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
        return WEXITSTATUS(status) == 3 ? -1 : WEXITSTATUS(status);
}

/* ProtectProc=invisible hides from a process the ones it may not ptrace:
 * with CAP_SYS_PTRACE it still sees every process, and every namespace
 * (the guard's unit has both); without, it must say what it missed. */
TEST(hidden_proc_is_seen_through_with_cap_sys_ptrace) {
        int r;

        require_root();
        r = complete_behind_hidepid(true);
        if (r < 0)
                skip("cannot mount a /proc of our own here");
        check_int(r, ==, 1);
        check_int(complete_behind_hidepid(false), ==, 0);
}

/* A socket in another network namespace (a guard under
 * PrivateNetwork=yes has every socket it keeps in one) is identified and
 * asked about by number too, not by a dump of every namespace. */
TEST(socket_in_another_namespace_asked_about_by_number) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "ns.sock");
        unix_sock_ref ref;
        struct stat st;
        pid_t server;

        require_root();
        server = serve_with(path, geteuid(), SERVE_NETNS);
        check(lstat(path, &st) >= 0);
        check_int(unix_diag_identify(inode_id_of(&st), timespec_to_usec(&st.st_ctim), &ref), ==, 1);
        check(ref.pid > 0);
        check_int(ref.netns, ==, netns_of(server));
        check_int(unix_diag_ref_bound(&ref, inode_id_of(&st)), ==, 1);
        stop_server(server);
        /* Its namespace went with its last process: out of reach, never
         * taken for "gone" by a look into another one. */
        check_int(unix_diag_ref_bound(&ref, inode_id_of(&st)), <, 0);
        free(path);
        rm_rf(dir);
}

/* A daemon restarts, and its new socket file gets the inode number of the
 * old one (the filesystem reuses it at once): the socket identified is
 * the new one, never the closed one that a table made a moment ago
 * remembers. */
TEST(inode_number_reused_names_the_new_socket) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "r.sock");
        bool reused = false;

        for (int i = 0; i < 500 && !reused; i++) {
                int old_fd = bind_unix(SOCK_STREAM, path, false, true), new_fd;
                unix_sock_ref ref;
                struct stat a, b;

                check(old_fd >= 0);
                check(lstat(path, &a) >= 0);
                check_int(unix_diag_identify(inode_id_of(&a), timespec_to_usec(&a.st_ctim), &ref), ==, 1);
                close(old_fd);
                check(unlink(path) >= 0);
                new_fd = bind_unix(SOCK_STREAM, path, false, true);
                check(new_fd >= 0);
                check(lstat(path, &b) >= 0);
                if (inode_id_eq(inode_id_of(&a), inode_id_of(&b))) {
                        reused = true;
                        check_int(unix_diag_identify(inode_id_of(&b), timespec_to_usec(&b.st_ctim), &ref), ==, 1);
                        check_int(unix_diag_ref_bound(&ref, inode_id_of(&b)), ==, 1);
                }
                close(new_fd);
                check(unlink(path) >= 0);
        }
        free(path);
        rm_rf(dir);
        if (!reused)
                skip("this filesystem gave no inode number twice in a row");
}

TAP_MAIN(T(unix_diag_lists_our_sockets), T(unix_diag_lists_other_netns), T(live_sockets_are_never_missed),
         T(identify_names_the_listener_not_its_connections), T(hidden_proc_is_seen_through_with_cap_sys_ptrace),
         T(socket_in_another_namespace_asked_about_by_number),
         T(inode_number_reused_names_the_new_socket))
