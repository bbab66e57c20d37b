/* SPDX-License-Identifier: MIT */
/* Socket paths as the programs are given them: the canonical form that
 * gets bound, the forms that are refused and why, the address built from
 * it. The path helpers underneath are test-path-util.c's. */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "socket-path.h"
#include "tap.h"

/* PATH's canonical form, or NULL with *RET_PROBLEM and *RET_ERROR set. */
static char *canonical(const char *path, socket_path_problem *ret_problem, int *ret_error) {
        char *c = NULL;
        socket_path_problem problem = SOCKET_PATH_OK;
        int r = socket_path_canonical(path, &c, &problem);

        if (ret_problem)
                *ret_problem = problem;
        if (ret_error)
                *ret_error = r;
        check(r < 0 ? c == NULL : c != NULL);
        return c;
}

TEST(doubled_slashes_and_dots_collapse) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "/tmp/a.sock", "/tmp/a.sock" },
                { "/tmp//a.sock", "/tmp/a.sock" },
                { "//tmp///skt//a.sock", "/tmp/skt/a.sock" },
                { "/tmp/./a.sock", "/tmp/a.sock" },
                { "/./tmp/././skt/.//a.sock", "/tmp/skt/a.sock" },
                { "/x.sock", "/x.sock" },
                { "/tmp/..a/a..b/...", "/tmp/..a/a..b/..." }, /* names, not ".." */
                { "/tmp/.hidden.sock", "/tmp/.hidden.sock" },
                { "@abstract//name/./x", "@abstract//name/./x" }, /* no file: bytes as given */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *c = canonical(cases[i].in, NULL, NULL);

                check_streq(c, cases[i].out);
                free(c);
        }
        /* Checking alone needs no output. */
        check_int(socket_path_canonical("/tmp//a.sock", NULL, NULL), ==, 0);
}

TEST(dotdot_directories_and_bad_names_are_refused) {
        static const struct {
                const char *in;
                socket_path_problem problem;
        } cases[] = {
                { "/tmp/../etc/a.sock", SOCKET_PATH_DOTDOT },
                { "/tmp/skt/..", SOCKET_PATH_DOTDOT },
                { "/../a.sock", SOCKET_PATH_DOTDOT },
                { "/tmp/../", SOCKET_PATH_DOTDOT },
                { "/tmp/a.sock/", SOCKET_PATH_DIRECTORY },
                { "/tmp/skt//", SOCKET_PATH_DIRECTORY },
                { "/tmp/skt/.", SOCKET_PATH_DIRECTORY },
                { "/", SOCKET_PATH_DIRECTORY },
                { "//", SOCKET_PATH_DIRECTORY },
                { "/.", SOCKET_PATH_DIRECTORY },
                { "relative.sock", SOCKET_PATH_RELATIVE },
                { "./a.sock", SOCKET_PATH_RELATIVE },
                { "", SOCKET_PATH_EMPTY },
                { "@", SOCKET_PATH_EMPTY },
                { "/tmp/a\nb.sock", SOCKET_PATH_CONTROL },
                { "@a\x7f", SOCKET_PATH_CONTROL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                socket_path_problem problem;
                int r;

                check(!canonical(cases[i].in, &problem, &r));
                check_int(r, ==, -EINVAL);
                check_int(problem, ==, cases[i].problem);
                check(strlen(socket_path_problem_to_string(problem)) > 0);
        }
        check_int(socket_path_canonical(NULL, NULL, NULL), ==, -EINVAL);
        check(strstr(socket_path_problem_to_string(SOCKET_PATH_DOTDOT), "'..'"));
        check(strstr(socket_path_problem_to_string(SOCKET_PATH_DIRECTORY), "directory"));
}

TEST(length_counts_the_canonical_form) {
        char path[300], *c;
        socket_path_problem problem;
        int r;

        /* 107 bytes fit; 108 do not. */
        memset(path, 'a', sizeof(path));
        path[0] = '/';
        path[107] = '\0';
        c = canonical(path, NULL, NULL);
        check_int(strlen(c), ==, 107);
        free(c);
        path[107] = 'a';
        path[108] = '\0';
        check(!canonical(path, &problem, &r));
        check_int(r, ==, -ENAMETOOLONG);
        check_int(problem, ==, SOCKET_PATH_TOO_LONG);

        /* What is bound is what must fit: "//" that collapses does not count. */
        memset(path, 'a', sizeof(path));
        memcpy(path, "/tmp////////", 12);
        path[107 + 7] = '\0'; /* 7 of the 8 slashes collapse */
        c = canonical(path, NULL, NULL);
        check_int(strlen(c), ==, 107);
        free(c);

        /* An abstract name: '@' stands for the leading NUL, 108 in all. */
        memset(path, 'x', sizeof(path));
        path[0] = '@';
        path[108] = '\0';
        c = canonical(path, NULL, NULL);
        free(c);
        path[108] = 'x';
        path[109] = '\0';
        check(!canonical(path, &problem, &r));
        check_int(r, ==, -ENAMETOOLONG);
}

TEST(addresses) {
        struct sockaddr_un sa;
        socklen_t len;
        char abs108[110];

        check_int(socket_path_to_addr("/run/a.sock", &sa, &len), ==, 0);
        check_streq(sa.sun_path, "/run/a.sock");
        check_int(len, ==, offsetof(struct sockaddr_un, sun_path) + strlen("/run/a.sock") + 1);
        check_int(socket_path_to_addr("@name", &sa, &len), ==, 0);
        check_int(sa.sun_path[0], ==, 0);
        check(memcmp(sa.sun_path + 1, "name", 4) == 0);
        check_int(len, ==, offsetof(struct sockaddr_un, sun_path) + 5);
        memset(abs108, 'x', 109);
        abs108[0] = '@';
        abs108[109] = '\0';
        check_int(socket_path_to_addr(abs108, &sa, &len), ==, -ENAMETOOLONG);
        abs108[108] = '\0';
        check_int(socket_path_to_addr(abs108, &sa, &len), ==, 0);

        /* Only a canonical name: another string would be bound otherwise. */
        check_int(socket_path_to_addr("/run//a.sock", &sa, &len), ==, -EINVAL);
        check_int(socket_path_to_addr("/run/../a.sock", &sa, &len), ==, -EINVAL);
        check_int(socket_path_to_addr("rel", &sa, &len), ==, -EINVAL);
}

TAP_MAIN(T(doubled_slashes_and_dots_collapse),
         T(dotdot_directories_and_bad_names_are_refused),
         T(length_counts_the_canonical_form),
         T(addresses))
