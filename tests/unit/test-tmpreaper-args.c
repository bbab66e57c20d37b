/* SPDX-License-Identifier: MIT */
/* tmpreaper's command line read the way tmpreaper 1.6.17 reads it (the
 * <time> argument, getopt_long with permutation) and its --protect
 * patterns matched the way glob(3) matches them. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "tmpreaper-args.h"

TEST(time_argument_like_tmpreaper) {
        static const struct {
                const char *in;
                int64_t seconds; /* -1: rejected */
        } cases[] = {
                /* Each measured with tmpreaper --test --verbose=2. */
                { "7", 7 * 3600 },
                { "7d", 7 * 86400 },
                { "7D", 7 * 86400 },
                { "7m", 420 },
                { "7M", 420 },
                { "7s", 7 },
                { "1w", 3600 },
                { "1.5d", 86400 },
                { "3h5d", 3 * 86400 },
                { "7d ", 7 * 3600 },
                { " 7d", 7 * 86400 },
                { "+3d", 3 * 86400 },
                { "0x10d", 0 },
                { "4294967297s", 1 },
                { "49711d", 63104 },
                { "abc", -1 },
                { "", -1 },
                { "d7", -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t usec = 0;
                int r = tmpreaper_parse_time(cases[i].in, &usec);

                printf("# '%s'\n", cases[i].in);
                if (cases[i].seconds < 0)
                        check_int(r, ==, -EINVAL);
                else {
                        check_int(r, ==, 0);
                        check_int(usec, ==, (uint64_t) cases[i].seconds * USEC_PER_SEC);
                }
        }
}

static tmpreaper_args parse(const char *const *argv) {
        tmpreaper_args a;
        size_t n = 0;

        while (argv[n])
                n++;
        check_int(tmpreaper_args_parse((char *const *) argv, n, &a), ==, 0);
        return a;
}

TEST(arguments_like_getopt_long) {
        tmpreaper_args a;

        a = parse((const char *const[]) { "--mtime-d", "-sa", "--protect=x", "-p", "y", "1d", "--ctime", "/tmp/.",
                                          "/var/tmp", NULL });
        check(a.ok);
        check(a.mtime_dir && a.symlinks && a.all && a.ctime && !a.mtime);
        check_int(a.all_arg, ==, 1);
        check_int(a.n_protect, ==, 2);
        check_streq(a.protect[0], "x");
        check_streq(a.protect[1], "y");
        check_int(a.protect_args[1], ==, 4);
        check_int(a.time_arg, ==, 5);
        check_int(a.n_dirs, ==, 2);
        check_int(a.dir_args[1], ==, 8);
        tmpreaper_args_done(&a);

        /* --protect takes the next word even when it looks like a time. */
        a = parse((const char *const[]) { "--protect", "1d", "/tmp/.", NULL });
        check(!a.ok && strstr(a.error, "usage"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "--mt", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "ambiguous"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "-q", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "invalid"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "--nodirs", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "unrecognized"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "-m", "-c", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "conflicts"));
        check_int(a.error_arg, ==, 1);
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "1d", "--", "-odd-dir", NULL });
        check(a.ok);
        check_int(a.n_dirs, ==, 1);
        check_int(a.dir_args[0], ==, 2);
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "bad", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "time"));
        tmpreaper_args_done(&a);
}

TEST(protect_patterns_like_glob) {
        /* glob(3) with GLOB_BRACE, as tmpreaper calls it. */
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X0-lock", false));
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix", true));
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix/X0", false));
        check(!tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix/a/b", false));
        check(!tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-other", false));
        /* nested braces, as in tmpreaper's manual */
        check(tmpreaper_pattern_matches(".ICE-{unix{/*,}}", ".ICE-unix", true));
        check(tmpreaper_pattern_matches(".ICE-{unix{/*,}}", ".ICE-unix/1", false));
        /* a lone brace is literal; {a} expands to a */
        check(tmpreaper_pattern_matches("/tmp/a{b", "/tmp/a{b", false));
        check(tmpreaper_pattern_matches("/tmp/{a}", "/tmp/a", false));
        /* a leading dot is never matched by a wildcard */
        check(!tmpreaper_pattern_matches("/tmp/*", "/tmp/.hidden", false));
        check(!tmpreaper_pattern_matches("/tmp/?hidden", "/tmp/.hidden", false));
        check(tmpreaper_pattern_matches("/tmp/.*", "/tmp/.hidden", false));
        /* escapes, character classes, "." and "//" */
        check(tmpreaper_pattern_matches("/tmp/q\\?x", "/tmp/q?x", false));
        check(!tmpreaper_pattern_matches("/tmp/q\\?x", "/tmp/qax", false));
        check(tmpreaper_pattern_matches("/tmp/[a-c]x", "/tmp/bx", false));
        check(tmpreaper_pattern_matches("/tmp/./a//b", "/tmp/a/b", false));
        /* "dir/" names a directory only */
        check(tmpreaper_pattern_matches("/tmp/d/", "/tmp/d", true));
        check(!tmpreaper_pattern_matches("/tmp/d/", "/tmp/d", false));
        /* absolute and relative never meet */
        check(!tmpreaper_pattern_matches("tmp/x", "/tmp/x", false));
}

TAP_MAIN(T(time_argument_like_tmpreaper), T(arguments_like_getopt_long), T(protect_patterns_like_glob))
