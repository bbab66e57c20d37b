/* SPDX-License-Identifier: MIT */
/* find(1)'s command line read for what it deletes: the starting points
 * after the options, and whether a file, or a socket, can reach a deleting
 * action through the expression's operators. */

#include <stdio.h>
#include <string.h>

#include "find-expr.h"
#include "macro.h"
#include "tap.h"

#define DAY (86400 * USEC_PER_SEC)

/* ARGS split at blanks (none of them has one), as find's argv. */
static find_deletes read_find(const char *args, bool piped_to_rm) {
        char buf[512], *argv[64], *save = NULL;
        size_t n = 0;
        find_deletes d;

        snprintf(buf, sizeof(buf), "%s", args);
        for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
                argv[n++] = w;
        check_int(find_argv_read(argv, n, piped_to_rm, &d), ==, 0);
        printf("# find %s: deletes=%d sockets=%d paths=%zu+%zu age=%llu\n", args, d.deletes, d.sockets,
               d.first_path, d.n_paths, (unsigned long long) d.age_usec);
        return d;
}

TEST(starting_points) {
        find_deletes d = read_find("-H -D tree -O2 /a /b -delete", false);

        check(d.deletes && d.sockets);
        check_int(d.first_path, ==, 4);
        check_int(d.n_paths, ==, 2);
        d = read_find("/a ( -type f ) -delete", false);
        check_int(d.n_paths, ==, 1);
        d = read_find("-delete", false);
        check(d.deletes);
        check_int(d.n_paths, ==, 0);
}

TEST(sockets_through_the_operators) {
        find_deletes d;

        d = read_find("/a -type f -delete", false);
        check(d.deletes && !d.sockets);
        d = read_find("/a ! -type d -delete", false);
        check(d.deletes && d.sockets);
        d = read_find("/a -type f -delete -o -type s -print", false);
        check(d.deletes && !d.sockets);
        d = read_find("/a -type f -delete -o -type s -print", true);
        check(d.deletes && d.sockets); /* the print goes to rm */
        d = read_find("/a -empty -delete", false);
        check(d.deletes && !d.sockets); /* only files and directories are empty */
        d = read_find("/a -type s , -false -delete", false);
        check(!d.deletes);
}

TEST(deleting_actions) {
        find_deletes d;

        d = read_find("/a -exec rm -f {} ;", false);
        check(d.deletes && d.sockets);
        d = read_find("/a -exec /bin/unlink {} +", false);
        check(d.deletes);
        d = read_find("/a -ok rm {} ;", false);
        check(!d.deletes); /* -ok asks on a terminal that cron has not got */
        d = read_find("/a -exec ls {} ;", false);
        check(!d.deletes);
        d = read_find("/a -print0", false);
        check(!d.deletes);
        d = read_find("/a -type f", true);
        check(d.deletes && !d.sockets); /* no action: find prints, to rm */
        check(command_removes("/usr/bin/rm") && command_removes("unlink") && !command_removes("rmdir"));
}

TEST(ages_that_bound_every_deletion) {
        find_deletes d;

        d = read_find("/a -mtime +2 -delete", false);
        check_int(d.age_usec, ==, 3 * DAY);
        check_streq(d.age_by, "mtime");
        d = read_find("/a -amin +30 -delete", false);
        check_int(d.age_usec, ==, 30 * USEC_PER_MINUTE);
        check_streq(d.age_by, "atime");
        d = read_find("/a ! -mtime +2 -delete", false);
        check_int(d.age_usec, ==, 0);
        check(!d.age_by);
        d = read_find("/a -type f -o -mtime +2 -delete", false);
        check_int(d.age_usec, ==, 0);
}

/* An expression that cannot be read counts when it names a deleting
 * action, sockets included. */
TEST(unreadable_expressions) {
        find_deletes d;

        d = read_find("/a ( -type f -delete", false);
        check(d.deletes && d.sockets);
        check_int(d.age_usec, ==, 0);
        d = read_find("/a ( -type f -print", false);
        check(!d.deletes);
}

TAP_MAIN(T(starting_points), T(sockets_through_the_operators), T(deleting_actions), T(ages_that_bound_every_deletion),
         T(unreadable_expressions))
