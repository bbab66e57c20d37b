/* SPDX-License-Identifier: MIT */
/* Who holds which socket: the socket:[N] links of /proc/PID/fd, cgroup
 * paths to systemd units (system, user, scopes, hybrid hierarchies), the
 * /proc walk itself, on a fake tree and on the live one with a socket
 * this test holds, and the system unit that the guard would restart. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "socket-owners.h"
#include "tap.h"
#include "test-util.h"
#include "unix-diag.h"

TEST(socket_links) {
        uint32_t ino = 0;

        check_int(parse_socket_link("socket:[123]", &ino), ==, 0);
        check_int(ino, ==, 123);
        check_int(parse_socket_link("socket:[4294967295]", &ino), ==, 0);
        check_int(ino, ==, 4294967295u);
        check_int(parse_socket_link("socket:[4294967296]", &ino), ==, -ERANGE);
        check_int(parse_socket_link("socket:[]", &ino), ==, -EINVAL);
        check_int(parse_socket_link("socket:[12", &ino), ==, -EINVAL);
        check_int(parse_socket_link("socket:[12]x", &ino), ==, -EINVAL);
        check_int(parse_socket_link("socket:[-1]", &ino), ==, -EINVAL);
        check_int(parse_socket_link("pipe:[123]", &ino), ==, -EINVAL);
        check_int(parse_socket_link("/tmp/socket:[1]", &ino), ==, -EINVAL);
        check_int(parse_socket_link("anon_inode:[eventpoll]", &ino), ==, -EINVAL);
        check_int(ino, ==, 4294967295u); /* untouched by failures */
}

static void expect_unit(const char *path, const char *unit, const char *manager) {
        char *u = NULL, *m = NULL;

        check_int(cgroup_path_unit(path, &u, &m), ==, 0);
        check_streq(u, unit);
        if (manager)
                check_streq(m, manager);
        else
                check(!m);
        free(u);
        free(m);
}

static void expect_no_unit(const char *path) {
        char *u = (char *) "untouched", *m = (char *) "untouched";

        check_int(cgroup_path_unit(path, &u, &m), ==, -ENOENT);
        check_streq(u, "untouched");
        check_streq(m, "untouched");
}

TEST(cgroup_units) {
        expect_unit("/system.slice/legacyd.service", "legacyd.service", NULL);
        expect_unit("/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service", NULL);
        /* Delegated subtrees below a unit still belong to it. */
        expect_unit("/system.slice/docker.service/payload/x", "docker.service", NULL);
        expect_unit("/init.scope", "init.scope", NULL);
        expect_unit("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", NULL);
        /* User units: the one inside the user's manager, and that manager. */
        expect_unit("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "foo.service",
                    "user@1000.service");
        expect_unit("/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-x-123.scope",
                    "app-gnome-x-123.scope", "user@1000.service");
        expect_unit("/user.slice/user-1000.slice/user@1000.service/init.scope", "init.scope", "user@1000.service");
        /* The manager itself, with nothing below it. */
        expect_unit("/user.slice/user-1000.slice/user@1000.service", "user@1000.service", NULL);
        expect_unit("/machine.slice/machine-web.scope/payload/system.slice/x.service", "machine-web.scope", NULL);
        expect_no_unit("/");
        expect_no_unit("");
        expect_no_unit("/system.slice");
        expect_no_unit("/lxc.payload.c1/system.slice/x.service");
        expect_no_unit("/process_api/46c0c97f");
}

TEST(cgroup_files) {
        char *p = NULL;

        /* Unified. */
        check_int(cgroup_file_path("0::/system.slice/a.service\n", &p), ==, 0);
        check_streq(p, "/system.slice/a.service");
        free(p);
        /* Hybrid: units in name=systemd, the unified line only "/". */
        check_int(cgroup_file_path("12:memory:/system.slice/a.service\n1:name=systemd:/system.slice/a.service\n0::/\n",
                                   &p),
                  ==, 0);
        check_streq(p, "/system.slice/a.service");
        free(p);
        /* Legacy, no unified line at all; no trailing newline. */
        check_int(cgroup_file_path("3:cpu:/\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope", &p), ==, 0);
        check_streq(p, "/user.slice/user-1000.slice/session-2.scope");
        free(p);
        /* Another controller's path is never taken for systemd's. */
        p = NULL;
        check_int(cgroup_file_path("4:memory:/system.slice/a.service\n", &p), ==, -ENOENT);
        check(!p);
        check_int(cgroup_file_path("", &p), ==, -ENOENT);
        /* A name=systemd2 or similar hierarchy is not systemd's. */
        check_int(cgroup_file_path("1:name=systemdx:/a.service\n", &p), ==, -ENOENT);
}

/* A fake /proc: PID/fd links and the files process_info_load reads. */
static void fake_proc(const char *proc) {
        char path[4096];
        static const struct {
                const char *pid, *fd, *target;
        } links[] = {
                { "100", "3", "socket:[500]" }, { "100", "4", "socket:[500]" }, { "100", "5", "pipe:[9]" },
                { "100", "7", "/dev/null" },    { "200", "9", "socket:[500]" }, { "200", "3", "socket:[42]" },
                { "300", "0", "socket:[7]" },
        };
        FILE *f;

        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                snprintf(path, sizeof(path), "%s/%s", proc, links[i].pid);
                (void) mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s/%s/fd", proc, links[i].pid);
                (void) mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s/%s/fd/%s", proc, links[i].pid, links[i].fd);
                check(symlink(links[i].target, path) == 0);
        }
        /* Not processes: ignored. */
        snprintf(path, sizeof(path), "%s/self", proc);
        check(symlink("100", path) == 0);
        snprintf(path, sizeof(path), "%s/sys", proc);
        check(mkdir(path, 0755) == 0);
        /* A process without an fd directory (a kernel thread's is empty). */
        snprintf(path, sizeof(path), "%s/2", proc);
        check(mkdir(path, 0755) == 0);

        snprintf(path, sizeof(path), "%s/200/comm", proc);
        write_file(path, "legacyd\n");
        snprintf(path, sizeof(path), "%s/200/cmdline", proc);
        f = fopen(path, "w");
        check(f);
        /* NUL-separated, with the trailing NUL the kernel writes. */
        check(fwrite("/usr/sbin/legacyd\0--socket\0/tmp/l.sock\0", 1, 39, f) == 39);
        check(fclose(f) == 0);
        snprintf(path, sizeof(path), "%s/200/cgroup", proc);
        write_file(path, "0::/user.slice/user-1000.slice/user@1000.service/app.slice/legacyd.service\n");
}

TEST(fake_proc_walk) {
        _cleanup_free_ char *dir = scratch_dir(), *proc = NULL;
        socket_owners o = {};
        const socket_holder *h;
        process_info p = {};
        size_t n;

        check(dir);
        check(asprintf(&proc, "%s/proc", dir) > 0);
        check(mkdir(proc, 0755) == 0);
        fake_proc(proc);

        check_int(socket_owners_load(&o, proc), ==, 0);
        check_int(o.n, ==, 4); /* 500 by 100 (twice, once counted) and 200; 42; 7 */
        h = socket_owners_find(&o, 500, &n);
        check(h);
        check_int(n, ==, 2);
        check_int(h[0].pid, ==, 100);
        check_int(h[0].fd, ==, 3);
        check_int(h[1].pid, ==, 200);
        check_int(h[1].fd, ==, 9);
        h = socket_owners_find(&o, 42, &n);
        check(h && n == 1 && h->pid == 200);
        h = socket_owners_find(&o, 7, &n);
        check(h && n == 1 && h->pid == 300 && h->fd == 0);
        check(!socket_owners_find(&o, 9, &n) && n == 0);
        check(!socket_owners_find(&o, 501, &n) && n == 0);
        check(!socket_owners_find(&o, 0, &n) && n == 0);
        socket_owners_done(&o);

        /* Asked again of one process: */
        check_int(process_holds_socket(proc, 200, 500), ==, 1);
        check_int(process_holds_socket(proc, 200, 42), ==, 1);
        check_int(process_holds_socket(proc, 100, 42), ==, 0);
        check_int(process_holds_socket(proc, 100, 9), ==, 0); /* pipe:[9] is no socket */
        check_int(process_holds_socket(proc, 300, 7), ==, 1);
        check_int(process_holds_socket(proc, 400, 7), ==, -ESRCH);

        check_int(process_info_load(&p, proc, 200), ==, 0);
        check_int(p.pid, ==, 200);
        check_streq(p.comm, "legacyd");
        check_streq(p.cmdline, "/usr/sbin/legacyd --socket /tmp/l.sock");
        check_streq(p.unit, "legacyd.service");
        check_streq(p.manager, "user@1000.service");
        process_info_done(&p);

        /* Gone (or never there): nothing known, no failure. */
        check_int(process_info_load(&p, proc, 300), ==, 0);
        check(!p.comm && !p.cmdline && !p.unit && !p.manager);
        process_info_done(&p);

        rm_rf(dir);
}

TEST(live_proc_finds_our_socket) {
        socket_owners o = {};
        const socket_holder *h;
        process_info p = {};
        struct stat st;
        size_t n;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        check(fstat(fd, &st) == 0);
        check_int(socket_owners_load(&o, "/proc"), ==, 0);
        h = socket_owners_find(&o, (uint32_t) st.st_ino, &n);
        check(h);
        check_int(n, ==, 1);
        check_int(h->pid, ==, getpid());
        check_int(h->fd, ==, fd);
        socket_owners_done(&o);

        check_int(process_info_load(&p, "/proc", getpid()), ==, 0);
        check_streq(p.comm, "test-socket-own"); /* comm keeps 15 bytes */
        check(p.cmdline && strstr(p.cmdline, "test-socket-owners"));
        process_info_done(&p);
        close(fd);
}

/* Processes come and go while /proc is read: one that exits between the
 * open of its fd directory and the listing is gone, never an error. */
TEST(exiting_processes_are_no_error) {
        enum { CHURNERS = 4, ROUNDS = 3000 };
        pid_t churners[CHURNERS];

        for (int c = 0; c < CHURNERS; c++) {
                churners[c] = fork();
                check(churners[c] >= 0);
                if (churners[c] == 0) {
                        /* Gone with the test, even when a check ends it. */
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        for (;;) {
                                pid_t child = fork();

                                if (child == 0) {
                                        usleep(20 + (unsigned) getpid() % 200);
                                        _exit(0);
                                }
                                if (child > 0)
                                        (void) waitpid(child, NULL, 0);
                        }
                }
        }
        for (int round = 0; round < ROUNDS; round++) {
                socket_owners o = {};
                int r = socket_owners_load(&o, "/proc");

                if (r < 0)
                        printf("# round %d: %s\n", round, strerror(-r));
                check_int(r, ==, 0);
                socket_owners_done(&o);
        }
        for (int c = 0; c < CHURNERS; c++) {
                (void) kill(churners[c], SIGKILL);
                (void) waitpid(churners[c], NULL, 0);
        }
}

/* A process in another network namespace shares our /proc: its socket,
 * as sock_diag of its namespace numbers it, is found with it as holder. */
TEST(holder_in_other_netns) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "ns.sock");
        socket_owners o = {};
        unix_socket_info *s = NULL;
        const unix_socket_info *mine = NULL;
        const socket_holder *h;
        process_cache cache = { .proc = "/proc" };
        const process_info *p;
        size_t n = 0, n_holders;
        pid_t server;

        require_root();
        server = serve_with(path, geteuid(), SERVE_NETNS);
        check_int(unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, NULL), ==, 0);
        for (size_t i = 0; i < n; i++)
                if (s[i].name && streq(s[i].name, path))
                        mine = &s[i];
        check(mine && mine->other_netns);

        check_int(socket_owners_load(&o, "/proc"), ==, 0);
        h = socket_owners_find(&o, mine->sock_ino, &n_holders);
        check_int(n_holders, ==, 1);
        check_int(h->pid, ==, server);
        check_int(socket_owners_service(&o, &cache, mine->sock_ino, &p), ==, 0);
        check_int(p->pid, ==, server);
        check_streq(p->comm, "test-socket-own"); /* the forked test process */

        process_cache_done(&cache);
        socket_owners_done(&o);
        unix_socket_info_free_many(s, n);
        stop_server(server);
        rm_rf(dir);
}

/* Many sockets of one holder cost one read of its process: what is read
 * first is what stays. The holder that names a service is the first that
 * is no manager. */
TEST(process_cache_reads_each_process_once) {
        _cleanup_free_ char *dir = scratch_dir(), *proc = NULL;
        process_cache cache = {};
        socket_owners o = {};
        const process_info *p, *again;
        char path[4096];

        check(asprintf(&proc, "%s/proc", dir) > 0);
        check(mkdir(proc, 0755) == 0);
        fake_proc(proc);
        cache.proc = proc;
        /* 100 and 200 both hold 500; 100 is a manager. */
        snprintf(path, sizeof(path), "%s/100/comm", proc);
        write_file(path, "systemd\n");
        check_int(socket_owners_load(&o, proc), ==, 0);

        check_int(socket_owners_service(&o, &cache, 500, &p), ==, 0);
        check_int(p->pid, ==, 200);
        check_streq(p->comm, "legacyd");
        snprintf(path, sizeof(path), "%s/200/comm", proc);
        write_file(path, "changed\n");
        check_int(process_cache_get(&cache, 200, &again), ==, 0);
        check(again == p);
        check_streq(again->comm, "legacyd");
        /* Only a manager holds it: the manager names it. */
        check_int(process_cache_get(&cache, 100, &p), ==, 0);
        check(process_is_manager(p));
        check_int(socket_owners_service(&o, &cache, 7, &p), ==, 0);
        check_int(p->pid, ==, 300);
        check_int(socket_owners_service(&o, &cache, 9999, &p), ==, -ENOENT);
        check_int(cache.n, ==, 3);
        for (size_t i = 1; i < cache.n; i++)
                check(cache.v[i - 1]->pid < cache.v[i]->pid);

        process_cache_done(&cache);
        socket_owners_done(&o);
        rm_rf(dir);
}

/* A fake /proc of processes holding sockets 600 to 605, each PID with its
 * /proc/PID/cgroup text (NULL: gone, no cgroup file). */
static void fake_holders(const char *proc) {
        static const struct {
                const char *pid, *socket, *cgroup;
        } procs[] = {
                /* PID 1 holds every socket unit's fd. */
                { "1", "socket:[600]", "0::/init.scope\n" },
                { "1", "socket:[601]", "0::/init.scope\n" },
                { "1", "socket:[602]", "0::/init.scope\n" },
                /* The guard itself. */
                { "150", "socket:[600]", "0::/system.slice/sockkeeper-guard.service\n" },
                /* A user's unit, and a user's session: not the system manager's. */
                { "210", "socket:[600]", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n" },
                { "210", "socket:[601]", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n" },
                { "220", "socket:[600]", "0::/user.slice/user-1000.slice/session-3.scope\n" },
                { "220", "socket:[601]", "0::/user.slice/user-1000.slice/session-3.scope\n" },
                /* A hybrid hierarchy: the unit is in name=systemd, the
                 * unified line is only "/". */
                { "230", "socket:[600]", "12:memory:/system.slice/legacyd.service\n"
                                         "1:name=systemd:/system.slice/legacyd.service\n0::/\n" },
                { "240", "socket:[600]", "0::/system.slice/later.service\n" },
                /* A container's own hierarchy: its units are not ours. */
                { "250", "socket:[603]", "0::/lxc.payload.c1/system.slice/inner.service\n" },
                /* Gone between the fd walk and the cgroup read: passed
                 * over, for the next holder or for nobody. */
                { "260", "socket:[604]", NULL },
                { "260", "socket:[605]", NULL },
                { "270", "socket:[605]", "0::/system.slice/system-getty.slice/getty@tty1.service\n" },
        };
        char path[4096];

        for (size_t i = 0; i < ELEMENTSOF(procs); i++) {
                snprintf(path, sizeof(path), "%s/%s", proc, procs[i].pid);
                (void) mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s/%s/fd", proc, procs[i].pid);
                (void) mkdir(path, 0755);
                snprintf(path, sizeof(path), "%s/%s/fd/%zu", proc, procs[i].pid, i + 3);
                check(symlink(procs[i].socket, path) == 0);
                if (!procs[i].cgroup)
                        continue;
                snprintf(path, sizeof(path), "%s/%s/cgroup", proc, procs[i].pid);
                write_file(path, procs[i].cgroup);
        }
}

static void expect_system_unit(const socket_owners *o, const char *proc, uint32_t ino, pid_t pid, const char *unit) {
        _cleanup_free_ char *u = NULL;
        pid_t p = 0;

        check_int(socket_owners_system_unit(o, proc, ino, 150, &p, &u), ==, 0);
        check_int(p, ==, pid);
        check_streq(u, unit);
}

static void expect_no_system_unit(const socket_owners *o, const char *proc, uint32_t ino, int error) {
        char *u = (char *) "untouched";
        pid_t p = 7;

        check_int(socket_owners_system_unit(o, proc, ino, 150, &p, &u), ==, error);
        check_streq(u, "untouched");
        check_int(p, ==, 7);
}

TEST(system_unit_of_holders) {
        _cleanup_free_ char *dir = scratch_dir(), *proc = NULL;
        socket_owners o = {};

        check(dir);
        check(asprintf(&proc, "%s/proc", dir) > 0);
        check(mkdir(proc, 0755) == 0);
        fake_holders(proc);
        check_int(socket_owners_load(&o, proc), ==, 0);

        /* PID 1, the guard, a user's unit and a session come first by
         * pid and are passed over; the first system unit is taken, found
         * on a hybrid hierarchy. */
        expect_system_unit(&o, proc, 600, 230, "legacyd.service");
        expect_system_unit(&o, proc, 605, 270, "getty@tty1.service");
        /* Held, but only by processes of users: nothing to restart. */
        expect_no_system_unit(&o, proc, 601, -ENXIO);
        expect_no_system_unit(&o, proc, 603, -ENXIO);
        /* Only PID 1, a process that is gone, nobody. */
        expect_no_system_unit(&o, proc, 602, -ENOENT);
        expect_no_system_unit(&o, proc, 604, -ENOENT);
        expect_no_system_unit(&o, proc, 999, -ENOENT);

        socket_owners_done(&o);
        rm_rf(dir);
}

TAP_MAIN(T(socket_links), T(cgroup_units), T(cgroup_files), T(fake_proc_walk), T(live_proc_finds_our_socket), T(exiting_processes_are_no_error),
         T(holder_in_other_netns), T(process_cache_reads_each_process_once), T(system_unit_of_holders))
