/* SPDX-License-Identifier: MIT */
/* The --root option of every command that takes one: one check, and one
 * way of saying what is wrong with the directory given. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "log.h"
#include "macro.h"

/* What is wrong with ARG as a root directory, or NULL. The root itself is
 * the admin's choice and may be a symlink. */
static const char *root_problem(const char *arg) {
        struct stat st;

        if (arg[0] != '/')
                return "not an absolute path";
        if (stat(arg, &st) < 0)
                switch (errno) {
                case ENOENT:
                        return lstat(arg, &st) >= 0 ? "a dangling symlink" : "does not exist";
                case ELOOP:
                        return "too many levels of symbolic links";
                case ENOTDIR:
                        return "not a directory"; /* a file on the way */
                default:
                        return strerror(errno);
                }
        if (!S_ISDIR(st.st_mode))
                return "not a directory";
        return NULL;
}

int parse_root_option(const char *arg, char **ret) {
        const char *problem = root_problem(arg);
        char *root;

        if (!*arg) {
                cli_usage_error("--root needs a directory");
                return -EINVAL;
        }
        if (problem) {
                cli_usage_error("--root %s: %s", arg, problem);
                return -EINVAL;
        }
        root = strdup(arg);
        if (!root)
                return log_error_errno(ENOMEM, "--root");
        for (size_t n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
                root[n - 1] = '\0';
        free(*ret);
        *ret = root;
        return 0;
}
