/* SPDX-License-Identifier: MIT */
/* The directories above the socket: a whole removed chain is made again,
 * level by level, with the modes and owners recorded at start, from the
 * first directory that still exists; directories that a daemon made again
 * itself are used; a symlink in their place is never followed. */

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define WAIT_MS 3000

typedef struct chain {
        char *dir, *g1, *g2, *path;
        uid_t owner;
} chain;

static void make_chain(chain *c) {
        c->dir = scratch_dir();
        c->g1 = scratch_path(c->dir, "g1");
        c->g2 = scratch_path(c->dir, "g1/g2");
        c->path = scratch_path(c->dir, "g1/g2/s.sock");
        c->owner = geteuid() == 0 ? NOBODY : geteuid();
        check(mkdir(c->g1, 0750) >= 0);
        check(mkdir(c->g2, 0755) >= 0);
        check(chmod(c->g2, 02751) >= 0);
        if (geteuid() == 0)
                check(chown(c->g1, c->owner, NOBODY) >= 0);
}

static void check_dir(const char *path, mode_t mode, uid_t uid) {
        struct stat st;

        check(lstat(path, &st) >= 0);
        check(S_ISDIR(st.st_mode));
        check_int(st.st_mode & 07777, ==, mode);
        check_int(st.st_uid, ==, uid);
}

TEST(two_removed_levels_are_made_again) {
        recorder rec = {};
        chain c;
        sk_keeper *k;
        ino_t ino;

        make_chain(&c);
        k = keeper_at(c.path, &rec);
        check_int(sk_keeper_bind(k), ==, 0);
        ino = ino_of(c.path);

        rm_rf(c.g1);
        check(pump(k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(rec.mask & SK_EVENT_PARENT_RESTORED);
        check_dir(c.g1, 0750, c.owner);
        check_dir(c.g2, 02751, geteuid());
        check_int(ino_of(c.path), ==, ino);
        check(served_by(sk_keeper_get_fd(k), c.path));

        /* And again: the chain recorded now is the new one. */
        rm_rf(c.g1);
        check(pump(k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(served_by(sk_keeper_get_fd(k), c.path));
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 0);
        sk_keeper_free(k);
        rm_rf(c.dir);
}

TEST(attached_keeper_follows_a_chain_made_again_by_the_daemon) {
        recorder rec = {};
        chain c;
        sk_keeper *k;
        pid_t first, second;

        make_chain(&c);
        first = serve_as(c.path, geteuid());
        k = keeper_at(c.path, &rec);
        check_int(sk_keeper_attach(k), ==, 0);
        check_int(recorder_count(&rec, SK_EVENT_ATTACHED), ==, 1);

        /* The daemon stops, everything is removed, and it starts again,
         * making its directories (same owners) before the keeper looks. */
        stop_server(first);
        rm_rf(c.g1);
        check(mkdir(c.g1, 0750) >= 0);
        if (geteuid() == 0)
                check(chown(c.g1, c.owner, NOBODY) >= 0);
        check(mkdir(c.g2, 0700) >= 0);
        second = serve_as(c.path, geteuid());
        check(pump(k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 0);
        check_dir(c.g2, 0700, geteuid()); /* theirs, as they made it */

        check(unlink(c.path) >= 0);
        check(pump(k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(served_pid(c.path), ==, second);
        sk_keeper_free(k);
        stop_server(second);
        rm_rf(c.dir);
}

TEST(symlink_in_place_of_a_removed_level_is_not_followed) {
        recorder rec = {};
        chain c;
        sk_keeper *k;
        char *elsewhere;

        make_chain(&c);
        elsewhere = scratch_path(c.dir, "elsewhere");
        check(mkdir(elsewhere, 0755) >= 0);
        k = keeper_at(c.path, &rec);
        check_int(sk_keeper_bind(k), ==, 0);

        rm_rf(c.g1);
        check(symlink(elsewhere, c.g1) >= 0);
        check(pump(k, SK_EVENT_ERROR, WAIT_MS) & SK_EVENT_ERROR);
        check_streq(rec.error_op, "parent directory replaced");
        check(rmdir(elsewhere) >= 0); /* still empty: nothing made there */
        sk_keeper_free(k);
        rm_rf(c.dir);
}

static char *link_path, *link_new, *link_target;

static void repoint_link(void) {
        if (symlink(link_target, link_new) < 0 || rename(link_new, link_path) < 0)
                _exit(1);
}

TEST(symlink_of_another_user_above_the_chain_is_not_followed_again) {
        char *dir = scratch_dir(), *tt, *real_run, *path, *victim;
        recorder rec = {};
        sk_keeper *k;
        pid_t server, pid;
        int status;

        require_root();
        check(chmod(dir, 0755) >= 0);
        /* bob's link in a sticky directory leads to his own directory. */
        tt = scratch_path(dir, "tt");
        check(mkdir(tt, 0755) >= 0 && chmod(tt, 01777) >= 0);
        check(mkdir(scratch_path(dir, "tt/bob"), 0755) >= 0 && chown(scratch_path(dir, "tt/bob"), NOBODY, NOBODY) >= 0);
        check(mkdir(scratch_path(dir, "tt/bob/real"), 0755) >= 0);
        real_run = scratch_path(dir, "tt/bob/real/run");
        check(mkdir(real_run, 0755) >= 0);
        check(chown(scratch_path(dir, "tt/bob/real"), NOBODY, NOBODY) >= 0 && chown(real_run, NOBODY, NOBODY) >= 0);
        link_path = scratch_path(dir, "tt/app");
        check(symlink(scratch_path(dir, "tt/bob/real"), link_path) >= 0 && lchown(link_path, NOBODY, NOBODY) >= 0);
        victim = scratch_path(dir, "victim");
        check(mkdir(victim, 0755) >= 0);

        path = scratch_path(dir, "tt/app/run/app.sock");
        server = serve_as(path, NOBODY);
        k = keeper_at(path, &rec);
        check_int(sk_keeper_attach(k), ==, 0);
        check(rec.mask & SK_EVENT_ATTACHED);

        /* bob points his link at root's directory and removes "run". */
        link_new = scratch_path(dir, "tt/app.new");
        link_target = victim;
        pid = fork();
        check(pid >= 0);
        if (pid == 0) {
                if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(2);
                repoint_link();
                _exit(0);
        }
        check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        stop_server(server);
        rm_rf(real_run);
        pump(k, SK_EVENT_PARENT_RESTORED, 500);
        check_int(rec.mask & SK_EVENT_PARENT_RESTORED, ==, 0);
        check(access(scratch_path(dir, "victim/run"), F_OK) < 0 && errno == ENOENT);
        sk_keeper_free(k);
        rm_rf(dir);
}

TAP_MAIN(T(two_removed_levels_are_made_again),
         T(attached_keeper_follows_a_chain_made_again_by_the_daemon),
         T(symlink_in_place_of_a_removed_level_is_not_followed),
         T(symlink_of_another_user_above_the_chain_is_not_followed_again))
