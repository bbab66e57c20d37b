/* SPDX-License-Identifier: MIT */
#pragma once

/* --from-file=FILE: further arguments read from FILE, one per line, for
 * lists too long for a command line or a unit file's ExecStart=. */

#include <getopt.h>

#define ARGV_FILE_OPTION "from-file"
/* Sizes past which a file is refused rather than read. */
#define ARGV_FILE_MAX (64u * 1024u * 1024u)
#define ARGV_FILE_LINE_MAX 4096u

typedef struct expanded_argv {
        int argc;
        char **argv;            /* NULL-terminated, owned */
} expanded_argv;

void expanded_argv_done(expanded_argv *a);

/* Copies ARGV into RET, with each --from-file=FILE (or --from-file FILE)
 * replaced by the arguments FILE holds: one per line, exactly as written
 * (no quoting, no trimming); empty and blank lines, and lines starting
 * with '#', are skipped. SHORTOPTS and OPTIONS are the caller's getopt
 * tables, so that the value of another option, or what follows "--", is
 * never taken for --from-file. A FILE written "-PATH" may be missing, and
 * then stands for no arguments. A missing or unreadable file, one larger
 * than ARGV_FILE_MAX, a line longer than ARGV_FILE_LINE_MAX or holding a
 * NUL byte, and --from-file inside such a file are logged ("FILE:LINE:
 * ...") and give -EINVAL, a usage error; -ENOMEM otherwise. */
int argv_expand_from_files(int argc, char *argv[], const char *shortopts, const struct option *options,
                           expanded_argv *ret);
