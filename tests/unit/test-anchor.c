/* SPDX-License-Identifier: MIT */
/* Where anchors go, attacked by another user: a directory of the socket's
 * path swapped for a symlink between the keeper's steps, anchor directory
 * names taken first or planted as symlinks, and what keepers that were
 * killed left behind. The attacker is user nobody; the socket trees are on
 * a tmpfs of their own, as /tmp is on Fedora, Arch and Debian 13, so that
 * the state directory is on another filesystem and anchors must live
 * beside the sockets. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define WAIT_MS 3000

/* A tmpfs at DIR/t with MODE, in a mount namespace of this test's own. */
static char *tmpfs_in(const char *dir, const char *mode) {
        char *t = scratch_path(dir, "t"), opts[64];

        require_root();
        check(chmod(dir, 0755) >= 0); /* for nobody, the attacker */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                skip("cannot make a private mount namespace here");
        check(mkdir(t, 0755) >= 0);
        snprintf(opts, sizeof(opts), "mode=%s", mode);
        check(mount("tmpfs", t, "tmpfs", 0, opts) >= 0);
        return t;
}

/* Runs FN as user nobody in a child, as the attacker would. */
static void as_nobody(void (*fn)(const char *arg), const char *arg) {
        int status;
        pid_t pid = fork();

        check(pid >= 0);
        if (pid == 0) {
                if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(2);
                fn(arg);
                _exit(0);
        }
        check(waitpid(pid, &status, 0) == pid);
        check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static char anchor_found[4096];
static ino_t anchor_ino;

static int find_link(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        if (flag == FTW_F && S_ISSOCK(st->st_mode) && st->st_ino == anchor_ino && strstr(p, "/.sockkeeper-anchors-"))
                snprintf(anchor_found, sizeof(anchor_found), "%s", p);
        return 0;
}

/* The anchor of the socket inode INO under TREE, or NULL; the string
 * lasts until the next call. */
static char *find_anchor(const char *tree, ino_t ino) {
        anchor_found[0] = '\0';
        anchor_ino = ino;
        check(nftw(tree, find_link, 16, FTW_PHYS) >= 0);
        return anchor_found[0] ? anchor_found : NULL;
}

static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        check(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static char *swap_dir, *swap_moved, *swap_target;

static void swap_for_symlink(const char *unused) {
        if (rename(swap_dir, swap_moved) < 0 || symlink(swap_target, swap_dir) < 0)
                _exit(1);
}

TEST(ancestor_swapped_for_symlink_is_never_followed) {
        char *dir = scratch_dir(), *t = tmpfs_in(dir, "1777"), *bob, *sock_dir, *path, *victim, *victim_anchors;
        char *anchor, first_anchor[4096];
        recorder rec = {};
        sk_keeper *k;
        pid_t server;
        ino_t ino;

        /* bob's directory in a sticky world-writable one, and a directory
         * that only root can write, holding what looks like an anchor
         * directory of ours. */
        bob = scratch_path(t, "bob");
        sock_dir = scratch_path(t, "bob/sock");
        path = scratch_path(t, "bob/sock/s.sock");
        victim = scratch_path(t, "victim");
        victim_anchors = scratch_path(t, "victim/.sockkeeper-anchors-0");
        check(mkdir(bob, 0755) >= 0 && chown(bob, NOBODY, NOBODY) >= 0);
        check(mkdir(sock_dir, 0755) >= 0 && chown(sock_dir, NOBODY, NOBODY) >= 0);
        check(mkdir(victim, 0755) >= 0 && mkdir(victim_anchors, 0700) >= 0);

        server = serve_as(path, NOBODY);
        ino = ino_of(path);
        k = keeper_at(path, &rec);
        check_int(sk_keeper_attach(k), ==, 0);
        check(rec.mask & SK_EVENT_ATTACHED);
        anchor = find_anchor(t, ino);
        check(anchor);
        snprintf(first_anchor, sizeof(first_anchor), "%s", anchor);

        /* bob swaps his directory for a symlink into root's; a cleaner
         * takes the anchor's directory, so the keeper places it again. */
        swap_dir = bob;
        swap_moved = scratch_path(t, "bob-moved");
        swap_target = victim;
        as_nobody(swap_for_symlink, NULL);
        anchor = find_anchor(t, ino);
        check(anchor);
        *strrchr(anchor, '/') = '\0';
        rm_rf(anchor);
        for (int i = 0; i < 100 && !find_anchor(t, ino); i++)
                pump(k, ~0, 20);
        anchor = find_anchor(t, ino);
        check(anchor);
        check(strncmp(anchor, victim, strlen(victim)) != 0);
        check_int(count_entries(victim_anchors), ==, 0);
        check_int(count_entries(victim), ==, 1);
        /* Never in a directory that bob can write, either. */
        check(strncmp(first_anchor, bob, strlen(bob)) != 0);
        check(strncmp(anchor, scratch_path(t, "bob-moved"), strlen(bob)) != 0);

        /* Stopping removes what the keeper made, and nothing it did not. */
        sk_keeper_free(k);
        check(!find_anchor(t, ino));
        check(access(victim_anchors, F_OK) >= 0);
        check_int(count_entries(victim), ==, 1);
        stop_server(server);
        check(umount2(t, MNT_DETACH) >= 0);
        rm_rf(dir);
}

static char *plant_dir, *plant_link;

static void plant_names(const char *unused) {
        if (mkdir(plant_dir, 0700) < 0 || symlink("/etc", plant_link) < 0)
                _exit(1);
}

TEST(anchor_names_taken_first_are_passed_by) {
        char *dir = scratch_dir(), *t = tmpfs_in(dir, "1777"), *path;
        char *anchor;
        recorder rec = {};
        sk_keeper *k;
        pid_t server;
        ino_t ino;

        /* bob takes the names a keeper used to choose, before it starts. */
        plant_dir = scratch_path(t, ".sockkeeper-anchors-0");
        plant_link = scratch_path(t, ".sockkeeper-anchors-1");
        as_nobody(plant_names, NULL);

        path = scratch_path(t, "s.sock");
        server = serve_as(path, geteuid());
        ino = ino_of(path);
        k = keeper_at(path, &rec);
        check_int(sk_keeper_attach(k), ==, 0);
        check_int(rec.mask & SK_EVENT_ERROR, ==, 0);
        anchor = find_anchor(t, ino);
        check(anchor);
        check_streq(sk_keeper_get_anchor_path(k), anchor);
        check(strncmp(anchor, plant_dir, strlen(plant_dir)) != 0);
        check_int(count_entries(plant_dir), ==, 0);

        /* And relink works. */
        check(unlink(path) >= 0);
        check(pump(k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(ino_of(path), ==, ino);
        check_int(served_pid(path), ==, server);
        sk_keeper_free(k);
        stop_server(server);
        check(umount2(t, MNT_DETACH) >= 0);
        rm_rf(dir);
}

TEST(no_safe_place_is_said_once) {
        char *dir = scratch_dir(), *t = tmpfs_in(dir, "0777"), *path;
        recorder rec = {};
        sk_keeper *k;
        pid_t server;

        /* World-writable without the sticky bit: anybody could rename or
         * replace a directory of ours there. No anchor, then. */
        path = scratch_path(t, "s.sock");
        server = serve_as(path, geteuid());
        k = keeper_at(path, &rec);
        check_int(sk_keeper_set_refresh_interval(k, 50 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_attach(k), ==, 0);
        check(!sk_keeper_get_anchor_path(k));
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 1);
        check_int(rec.error, ==, EXDEV);
        check_streq(rec.error_op, "find a safe anchor directory on the socket's filesystem");
        check_int(count_entries(t), ==, 1);

        /* Said once, however often it tries; the other layers go on. */
        pump(k, SK_EVENT_LOST, 2500);
        check_int(recorder_count(&rec, SK_EVENT_ERROR), ==, 1);
        check_int(recorder_count(&rec, SK_EVENT_REFRESHED), >=, 5);
        check_int(count_entries(t), ==, 1);
        sk_keeper_free(k);
        stop_server(server);
        check(umount2(t, MNT_DETACH) >= 0);
        rm_rf(dir);
}

TEST(what_killed_keepers_left_is_swept) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        char *stale_empty = scratch_path(dir, "sock/.sockkeeper-anchors-0");
        char *stale_dead = scratch_path(dir, ".sockkeeper-anchors-dead");
        char *dead_sock = scratch_path(dir, ".sockkeeper-anchors-dead/x.sock");
        char *in_use = scratch_path(dir, ".sockkeeper-anchors-used");
        recorder rec = {};
        sk_keeper *k;
        pid_t dead;
        int lock;

        /* Left by keepers killed with SIGKILL: an empty directory beside
         * the socket, one with the anchor of a socket nobody holds, and
         * one that another keeper still uses (it holds a lock on it). */
        check(mkdir(stale_empty, 0700) >= 0);
        check(mkdir(stale_dead, 0700) >= 0);
        dead = serve_as(dead_sock, geteuid());
        stop_server(dead);
        check(mkdir(in_use, 0700) >= 0);
        lock = open(in_use, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        check(lock >= 0 && flock(lock, LOCK_SH) >= 0);

        k = keeper_at(path, &rec);
        check_int(sk_keeper_bind(k), ==, 0);
        check(sk_keeper_get_anchor_path(k));
        check(access(stale_empty, F_OK) < 0 && errno == ENOENT);
        check(access(stale_dead, F_OK) < 0 && errno == ENOENT);
        check(access(in_use, F_OK) >= 0);
        sk_keeper_free(k);
        close(lock);
        rm_rf(dir);
}

TAP_MAIN(T(ancestor_swapped_for_symlink_is_never_followed),
         T(anchor_names_taken_first_are_passed_by),
         T(no_safe_place_is_said_once),
         T(what_killed_keepers_left_is_swept))
