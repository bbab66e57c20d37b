/* SPDX-License-Identifier: MIT */
/* The shell reader of the cleaner readers: commands and words, and the
 * expansion of words with the variables the text set. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "shell.h"
#include "tap.h"

static char *expand_one(const char *text, const shell_vars *vars, bool split, size_t want_fields, size_t index) {
        shell_command *cmds = NULL;
        size_t n = 0, nf = 0;
        shell_field *f = NULL;
        char *s;

        check_int(shell_split(text, 1, &cmds, &n), ==, 0);
        check_int(n, ==, 1);
        for (size_t i = 0; i < cmds[0].n_words; i++)
                check_int(shell_expand(&cmds[0].words[i], vars, split, "/f", &f, &nf), >=, 0);
        check_int(nf, ==, want_fields);
        s = strdup(f[index].text);
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);
        return s;
}

TEST(shell_words) {
        shell_vars vars = {};
        source_ref src = { .file = (char *) "/conf", .line = 7 };
        shell_command *cmds = NULL;
        shell_field *f = NULL;
        size_t n = 0, nf = 0;
        char *s;

        check_int(shell_vars_set(&vars, "A", "x  y", &src), ==, 0);
        check_int(shell_vars_set(&vars, "E", "", &src), ==, 0);

        s = expand_one("echo \"$A\" 'l i t' \\$A", &vars, true, 4, 1);
        check_streq(s, "x  y");
        free(s);
        s = expand_one("echo $A", &vars, true, 3, 2);
        check_streq(s, "y");
        free(s);
        s = expand_one("echo ${E:-def} ${E-set} ${U:+no}${A:+yes}", &vars, true, 3, 2);
        check_streq(s, "yes");
        free(s);
        s = expand_one("echo pre$A", &vars, true, 3, 1);
        check_streq(s, "prex");
        free(s);
        /* An empty unquoted expansion is no field; "" is one. */
        s = expand_one("echo $E \"\" $U", &vars, true, 2, 1);
        check_streq(s, "");
        free(s);

        /* Commands: separators, comments, redirections, here-documents. */
        check_int(shell_split("a 1; b 2 && c | d # e f\n"
                              "g 2>/dev/null >>log <in x\n"
                              "cat <<EOF\nrm -rf /tmp/*\nEOF\n"
                              "h 'q;#' \\\n  cont\n",
                              10, &cmds, &n),
                  ==, 0);
        check_int(n, ==, 7);
        check_int(cmds[0].n_words, ==, 2);
        check(!cmds[2].piped == false);
        check(cmds[3].n_words == 1);
        check_int(cmds[4].n_words, ==, 2); /* g x */
        check_int(cmds[4].words[1].line, ==, 11);
        check_int(cmds[5].n_words, ==, 1); /* cat */
        check_int(cmds[6].n_words, ==, 3);
        check_int(cmds[6].words[0].line, ==, 15);
        check_int(cmds[6].words[2].line, ==, 16);
        shell_commands_free(cmds, n);

        /* Sources: a variable alone keeps its own, anything else the word's;
         * unquoted glob characters make a pattern, quoted ones are escaped. */
        check_int(shell_split("x $A \"/q/*\"/* ${A}z", 3, &cmds, &n), ==, 0);
        for (size_t i = 0; i < cmds[0].n_words; i++)
                check_int(shell_expand(&cmds[0].words[i], &vars, true, "/f", &f, &nf), >=, 0);
        check_int(nf, ==, 6); /* x, x, y, /q/x/x, x, yz */
        check_streq(f[1].source.file, "/conf");
        check_int(f[1].source.line, ==, 7);
        check_streq(f[2].text, "y");
        check_streq(f[2].source.file, "/conf");
        check_streq(f[3].text, "/q/*/*");
        check_streq(f[3].pattern, "/q/\\*/*");
        check(!f[1].pattern);
        check_streq(f[5].text, "yz");
        check_streq(f[5].source.file, "/f");
        check_int(f[5].source.line, ==, 3);
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);

        check_int(shell_split("x $(rm -rf /) `cat y`", 1, &cmds, &n), ==, 0);
        f = NULL;
        nf = 0;
        check_int(shell_expand(&cmds[0].words[1], &vars, true, "/f", &f, &nf), ==, 1); /* unknown */
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);
        shell_vars_done(&vars);
}

TAP_MAIN(T(shell_words))
