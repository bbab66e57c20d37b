/* SPDX-License-Identifier: MIT */
/* Resource faults while healing: EMFILE during a rebind, EACCES on the
 * directory, ENOSPC on a full filesystem. Each must be reported, retried
 * with growing delays, and recovered from once the fault clears, without
 * leaking a single fd. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

/* Pumps for a while and checks that the same error came back several
 * times, i.e. it was retried rather than given up on or spun on. */
static void check_retried(sk_keeper *k, recorder *rec, int error, const char *op) {
        pump(k, SK_EVENT_RELINKED | SK_EVENT_REBOUND, 400);
        check_int(rec->mask & (SK_EVENT_RELINKED | SK_EVENT_REBOUND), ==, 0);
        check_int(rec->error, ==, error);
        check_streq(rec->error_op, op);
        /* 10 ms doubling: about 5 tries in 400 ms; a busy loop would make
         * thousands. */
        check_int(recorder_count(rec, SK_EVENT_ERROR), >=, 3);
        check_int(recorder_count(rec, SK_EVENT_ERROR), <=, 10);
}

TEST(emfile_during_rebind) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct rlimit saved, tight;
        int before, fillers[4], n_fillers = 0;

        check_int(sk_keeper_bind(k), ==, 0);
        before = count_open_fds();
        check(unlink(sk_keeper_get_anchor_path(k)) >= 0);
        check(unlink(path) >= 0);

        check(getrlimit(RLIMIT_NOFILE, &saved) >= 0);
        tight = saved;
        /* Open fds above the limit stay valid; take the few free numbers
         * below it, and no new fd can be had, as in a daemon that ran out.
         * (A limit under 3 would make F_DUPFD fail with EINVAL instead.) */
        tight.rlim_cur = 4;
        check(setrlimit(RLIMIT_NOFILE, &tight) >= 0);
        for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
                fillers[n_fillers++] = fd;
        check(errno == EMFILE);
        check_retried(k, &rec, EMFILE, "duplicate old socket");

        while (n_fillers > 0)
                close(fillers[--n_fillers]);
        check(setrlimit(RLIMIT_NOFILE, &saved) >= 0);
        check(pump(k, SK_EVENT_REBOUND, 3000) & SK_EVENT_REBOUND);
        check(served_by(sk_keeper_get_fd(k), path));
        check_int(count_open_fds(), ==, before);
        sk_keeper_free(k);
        rm_rf(dir);
}

TEST(eacces_on_the_directory) {
        char *dir = scratch_dir(), *sock_dir = scratch_path(dir, "sock"), *path = scratch_path(dir, "sock/s.sock");
        recorder rec = {};
        sk_keeper *k;
        int before;

        if (geteuid() == 0) {
                /* Root ignores directory permissions; be somebody else. */
                check(chown(dir, 65534, 65534) >= 0);
                check(chown(sock_dir, 65534, 65534) >= 0);
                check(setresgid(65534, 65534, 65534) >= 0);
                check(setresuid(65534, 65534, 65534) >= 0);
        }
        k = keeper_at(path, &rec);
        check_int(sk_keeper_bind(k), ==, 0);
        before = count_open_fds();

        check(unlink(path) >= 0);
        check(chmod(sock_dir, 0555) >= 0);
        check_retried(k, &rec, EACCES, "relink anchor");

        check(chmod(sock_dir, 0755) >= 0);
        check(pump(k, SK_EVENT_RELINKED, 3000) & SK_EVENT_RELINKED);
        check(served_by(sk_keeper_get_fd(k), path));
        check_int(count_open_fds(), ==, before);
        sk_keeper_free(k);
        rm_rf(dir);
}

TEST(enospc_on_a_full_filesystem) {
        char *dir = scratch_dir(), *mnt = scratch_path(dir, "mnt"), *sock_dir, *path, name[4096];
        recorder rec = {};
        sk_keeper *k;
        int before, fillers = 0;

        if (geteuid() != 0)
                skip("needs root for a private tmpfs mount");
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                skip("cannot make a private mount namespace here");
        check(mkdir(mnt, 0755) >= 0);
        /* tmpfs counts every hard link against nr_inodes, so link() on
         * a full one fails with ENOSPC: the fault a full disk gives. */
        check(mount("tmpfs", mnt, "tmpfs", 0, "nr_inodes=64,mode=0755") >= 0);
        sock_dir = scratch_path(mnt, "sock");
        path = scratch_path(mnt, "sock/s.sock");
        check(mkdir(sock_dir, 0755) >= 0);

        k = keeper_at(path, &rec);
        check_int(sk_keeper_bind(k), ==, 0);
        check(sk_keeper_get_anchor_path(k));
        before = count_open_fds();

        /* Fill it, delete the socket, and take the freed slot too. */
        for (;; fillers++) {
                int fd;
                snprintf(name, sizeof(name), "%s/fill-%d", mnt, fillers);
                fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                if (fd < 0) {
                        check(errno == ENOSPC);
                        break;
                }
                close(fd);
        }
        check(unlink(path) >= 0);
        snprintf(name, sizeof(name), "%s/fill-%d", mnt, fillers++);
        check(close(open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) >= 0);

        check_retried(k, &rec, ENOSPC, "relink anchor");

        snprintf(name, sizeof(name), "%s/fill-0", mnt);
        check(unlink(name) >= 0);
        check(pump(k, SK_EVENT_RELINKED, 3000) & SK_EVENT_RELINKED);
        check(served_by(sk_keeper_get_fd(k), path));
        check_int(count_open_fds(), ==, before);
        sk_keeper_free(k);
        check(umount2(mnt, MNT_DETACH) >= 0);
        rm_rf(dir);
}

TEST(lasting_anchor_failure_backs_off) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock"), *open_dir = scratch_path(dir, "open");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);

        /* An anchor directory others can write is refused, every time. */
        check(mkdir(open_dir, 0755) >= 0);
        check(chmod(open_dir, 0755) >= 0);
        check_int(sk_keeper_set_anchor_dir(k, open_dir), ==, 0);
        check_int(sk_keeper_bind(k), ==, 0);
        check(sk_keeper_get_anchor_path(k) == NULL);
        check_int(rec.error, ==, EPERM);
        check_streq(rec.error_op, "link anchor");

        /* Said once, not at every retry (1 s, then 2 s). */
        pump(k, SK_EVENT_REBOUND, 2500);
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 1);
        check(sk_keeper_get_anchor_path(k) == NULL);

        /* Without an anchor the keeper still heals, by rebinding. */
        check(unlink(path) >= 0);
        check(pump(k, SK_EVENT_REBOUND, 3000) & SK_EVENT_REBOUND);
        check(served_by(sk_keeper_get_fd(k), path));

        /* It kept trying, backing off: once the directory is private, the
         * anchor is made within the next few seconds. */
        check(chmod(open_dir, 0700) >= 0);
        for (int i = 0; i < 100 && !sk_keeper_get_anchor_path(k); i++)
                pump(k, ~0, 100);
        check(sk_keeper_get_anchor_path(k) != NULL);
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 1);
        sk_keeper_free(k);
        rm_rf(dir);
}

static int highest_open_fd(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int high = 0;

        check(d);
        while ((de = readdir(d)))
                if (atoi(de->d_name) > high)
                        high = atoi(de->d_name);
        closedir(d);
        return high;
}

/* Makes exactly N new fds available: fills every free number up to the
 * highest one in use and sets the limit N above it. Returns the old limit. */
static struct rlimit allow_new_fds(int n, int *fillers, int *n_fillers) {
        struct rlimit saved, tight;
        int high = highest_open_fd();

        check(getrlimit(RLIMIT_NOFILE, &saved) >= 0);
        tight = saved;
        tight.rlim_cur = (rlim_t) high + 1;
        check(setrlimit(RLIMIT_NOFILE, &tight) >= 0);
        for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) {
                check(*n_fillers < 512);
                fillers[(*n_fillers)++] = fd;
        }
        check(errno == EMFILE);
        tight.rlim_cur = (rlim_t) high + 1 + (rlim_t) n;
        check(setrlimit(RLIMIT_NOFILE, &tight) >= 0);
        return saved;
}

TEST(bind_fails_cleanly_at_every_fd_shortage) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        int succeeded_at = -1;

        /* Fail each fd the keeper needs in turn: socket, directories,
         * anchor, epoll, timer, inotify. Every failure must leave nothing
         * behind and allow a second sk_keeper_bind(). */
        for (int n = 0; n < 16 && succeeded_at < 0; n++) {
                recorder rec = {};
                sk_keeper *k = keeper_at(path, &rec);
                int fillers[512], n_fillers = 0, before = count_open_fds(), r;
                struct rlimit saved = allow_new_fds(n, fillers, &n_fillers);
                struct stat st;

                r = sk_keeper_bind(k);
                check(setrlimit(RLIMIT_NOFILE, &saved) >= 0);
                while (n_fillers > 0)
                        close(fillers[--n_fillers]);

                if (r >= 0)
                        succeeded_at = n;
                else {
                        check_int(r, ==, -EMFILE);
                        check(lstat(path, &st) < 0 && errno == ENOENT);
                        check_int(count_open_fds(), ==, before);
                        check_int(sk_keeper_bind(k), ==, 0); /* not -EALREADY */
                }
                check(served_by(sk_keeper_get_fd(k), path));
                sk_keeper_free(k);
                check(lstat(path, &st) < 0 && errno == ENOENT);
                check_int(count_open_fds(), ==, before);
        }
        check(succeeded_at >= 4); /* the loop really hit the failures */
        rm_rf(dir);
}

TAP_MAIN(T(emfile_during_rebind),
         T(lasting_anchor_failure_backs_off),
         T(bind_fails_cleanly_at_every_fd_shortage),
         T(eacces_on_the_directory),
         T(enospc_on_a_full_filesystem))
