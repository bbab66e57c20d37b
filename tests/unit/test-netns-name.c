/* SPDX-License-Identifier: MIT */
/* Network namespaces named for people: the labels, and the names that
 * `ip netns` keeps under /run/netns, told from files that only look like
 * them. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "netns-name.h"
#include "tap.h"
#include "test-util.h"

TEST(labels) {
        char *s;

        check_streq(s = netns_label(4026531833, false, NULL), "host");
        free(s);
        /* Ours is "host" even when /run/netns names it. */
        check_streq(s = netns_label(4026531833, false, "blue"), "host");
        free(s);
        check_streq(s = netns_label(4026532891, true, NULL), "4026532891");
        free(s);
        check_streq(s = netns_label(4026532891, true, "blue"), "4026532891:blue");
        free(s);
}

TEST(missing_directory_is_no_names) {
        char *dir = scratch_dir(), *missing = scratch_path(dir, "netns");
        netns_names n = { .n = 99 };

        check_int(netns_names_load(&n, missing), ==, 0);
        check_int(n.n, ==, 0);
        check(!netns_names_find(&n, 1));
        netns_names_done(&n);
        rm_rf(dir);
}

/* What `ip netns add blue` leaves: an empty file with the namespace
 * bind-mounted on it. An empty file alone (a failed mount), a symlink to
 * a namespace and a directory are no names. */
TEST(bind_mounted_namespaces_are_named) {
        char *dir = scratch_dir(), *blue = scratch_path(dir, "blue"), *link = scratch_path(dir, "link");
        netns_names n = {};
        struct stat st;

        require_root();
        /* Our own mount namespace: nothing leaks to the machine's. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                skip("cannot make a private mount namespace");
        put_file(dir, "/blue", "");
        put_file(dir, "/empty", "");
        check(mkdir(scratch_path(dir, "dir"), 0755) >= 0);
        check(symlink("/proc/self/ns/net", link) >= 0);
        check(mount("/proc/self/ns/net", blue, NULL, MS_BIND, NULL) >= 0);
        check(stat("/proc/self/ns/net", &st) >= 0);

        check_int(netns_names_load(&n, dir), ==, 0);
        check_int(n.n, ==, 1);
        check_streq(netns_names_find(&n, st.st_ino), "blue");
        check(!netns_names_find(&n, st.st_ino + 1));
        netns_names_done(&n);

        check(umount2(blue, MNT_DETACH) >= 0);
        rm_rf(dir);
}

TAP_MAIN(T(labels), T(missing_directory_is_no_names), T(bind_mounted_namespaces_are_named))
