/* SPDX-License-Identifier: MIT */
/* The unit-file reader against fixture roots: fragments, masks, aliases,
 * templates, drop-in directories and their overrides, the line grammar
 * and list resets. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "tap.h"
#include "test-util.h"
#include "unit-file.h"

#define SYS "/usr/lib/systemd/system"
#define ETC "/etc/systemd/system"
#define RUN "/run/systemd/system"

static void load(const char *root, const char *name, unit_file *u, warnings *w) {
        unit_lookup lp;

        check_int(unit_lookup_init(&lp, root, collect_warning, w), ==, 0);
        check_int(unit_file_load(&lp, name, u), ==, 0);
        unit_lookup_done(&lp);
}

static const char *value(const unit_file *u, const char *section, const char *key) {
        const unit_setting *s = unit_file_last(u, section, key);
        return s ? s->value : NULL;
}

TEST(env_path_is_used_for_loading) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, "/mine/x.service", "[Service]\nA=mine\n");
        put_file(root, ETC "/x.service", "[Service]\nA=etc\n");
        check(setenv("SYSTEMD_UNIT_PATH", "/mine", 1) == 0);
        load(root, "x.service", &u, &w);
        check_streq(u.fragment, "/mine/x.service");
        check_streq(value(&u, "Service", "A"), "mine");
        unit_file_done(&u);

        /* Without the trailing ':' the default directories are not read. */
        put_file(root, ETC "/only-etc.service", "[Service]\n");
        load(root, "only-etc.service", &u, &w);
        check_int(u.state, ==, UNIT_NOT_FOUND);
        unit_file_done(&u);
        check(setenv("SYSTEMD_UNIT_PATH", "/mine:", 1) == 0);
        load(root, "only-etc.service", &u, &w);
        check_int(u.state, ==, UNIT_FOUND);
        unit_file_done(&u);
        rm_rf(root);
}

TEST(etc_overrides_vendor) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo.service", "[Service]\nExecStart=/vendor\nOnlyVendor=1\n");
        put_file(root, ETC "/foo.service", "[Service]\nExecStart=/admin\n");
        load(root, "foo.service", &u, &w);
        check_int(u.state, ==, UNIT_FOUND);
        check_streq(u.fragment, ETC "/foo.service");
        check_streq(value(&u, "Service", "ExecStart"), "/admin");
        check(!value(&u, "Service", "OnlyVendor"));
        check_int(w.count, ==, 0);
        unit_file_done(&u);
        rm_rf(root);
}

TEST(masked) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/m.service", "[Service]\nA=1\n");
        put_symlink(root, ETC "/m.service", "/dev/null");
        put_file(root, SYS "/m.service.d/x.conf", "[Service]\nB=1\n");
        put_file(root, SYS "/e.service", "");

        load(root, "m.service", &u, &w);
        check_int(u.state, ==, UNIT_MASKED);
        check_streq(u.fragment, ETC "/m.service");
        check_int(u.n_settings, ==, 0);
        check_int(u.n_dropins, ==, 0);
        unit_file_done(&u);

        load(root, "e.service", &u, &w);
        check_int(u.state, ==, UNIT_MASKED);
        unit_file_done(&u);

        load(root, "none.service", &u, &w);
        check_int(u.state, ==, UNIT_NOT_FOUND);
        check(!u.fragment);
        unit_file_done(&u);
        rm_rf(root);
}

TEST(alias_chain) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/c.service", "[Service]\nA=c\n");
        put_symlink(root, SYS "/b.service", SYS "/c.service");
        put_symlink(root, ETC "/a.service", "../../../usr/lib/systemd/system/b.service");
        put_file(root, ETC "/b.service.d/10-b.conf", "[Service]\nB=b\n");
        /* A link out of the search path is a linked unit file, not an alias. */
        put_file(root, "/opt/l/linked.service", "[Service]\nL=1\n");
        put_symlink(root, ETC "/linked.service", "/opt/l/linked.service");

        load(root, "a.service", &u, &w);
        check_int(u.state, ==, UNIT_FOUND);
        check_streq(u.fragment, SYS "/c.service");
        check_int(u.n_names, ==, 3);
        check_streq(u.names[0], "a.service");
        check_streq(u.names[1], "b.service");
        check_streq(u.names[2], "c.service");
        check_streq(value(&u, "Service", "A"), "c");
        check_streq(value(&u, "Service", "B"), "b");
        unit_file_done(&u);

        /* The aliases of a fragment are its names too, with their drop-ins. */
        load(root, "c.service", &u, &w);
        check_int(u.n_names, ==, 3);
        check_streq(value(&u, "Service", "B"), "b");
        unit_file_done(&u);

        load(root, "linked.service", &u, &w);
        check_streq(u.fragment, ETC "/linked.service");
        check_streq(value(&u, "Service", "L"), "1");
        check_int(u.n_names, ==, 1);
        unit_file_done(&u);
        check_int(w.count, ==, 0);
        rm_rf(root);
}

TEST(alias_loop_and_invalid) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_symlink(root, ETC "/x.service", "y.service");
        put_symlink(root, ETC "/y.service", "x.service");
        put_symlink(root, ETC "/bad.service", "c.socket");
        put_file(root, ETC "/c.socket", "[Socket]\n");
        load(root, "x.service", &u, &w);
        check_int(u.state, ==, UNIT_NOT_FOUND);
        check(strstr(w.text, "too many levels"));
        check(strstr(w.text, ETC "/bad.service:0: invalid alias"));
        unit_file_done(&u);
        rm_rf(root);
}

TEST(template_and_instance_dropins) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/getty@.service", "[Service]\nExecStart=/sbin/agetty %I\n");
        put_file(root, SYS "/getty@tty2.service", "[Service]\nExecStart=/own\n");
        put_file(root, ETC "/getty@.service.d/10-all.conf", "[Service]\nAll=1\n");
        put_file(root, ETC "/getty@tty1.service.d/20-one.conf", "[Service]\nOne=1\n");

        load(root, "getty@tty1.service", &u, &w);
        check_int(u.state, ==, UNIT_FOUND);
        check_streq(u.fragment, SYS "/getty@.service");
        check_int(u.n_names, ==, 1);
        check_int(u.n_dropins, ==, 2);
        check_streq(u.dropins[0], ETC "/getty@.service.d/10-all.conf");
        check_streq(u.dropins[1], ETC "/getty@tty1.service.d/20-one.conf");
        check_streq(value(&u, "Service", "ExecStart"), "/sbin/agetty %I");
        unit_file_done(&u);

        load(root, "getty@tty2.service", &u, &w);
        check_streq(u.fragment, SYS "/getty@tty2.service");
        check_int(u.n_dropins, ==, 1);
        check(!value(&u, "Service", "One"));
        unit_file_done(&u);
        rm_rf(root);
}

TEST(prefix_and_type_dropins) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo-bar-baz.service", "[Service]\nA=0\n");
        put_file(root, SYS "/foo-.service.d/10.conf", "[Service]\nA=10\n");
        put_file(root, ETC "/foo-bar-.service.d/20.conf", "[Service]\nA=20\n");
        put_file(root, RUN "/foo-bar-baz.service.d/30.conf", "[Service]\nA=30\n");
        put_file(root, SYS "/service.d/05.conf", "[Service]\nA=5\n");
        put_file(root, SYS "/socket.d/01.conf", "[Socket]\nA=1\n");
        put_file(root, SYS "/foo-baz.service.d/40.conf", "[Service]\nA=40\n");

        load(root, "foo-bar-baz.service", &u, &w);
        check_int(u.n_dropins, ==, 4);
        check_streq(u.dropins[0], SYS "/service.d/05.conf");
        check_streq(u.dropins[1], SYS "/foo-.service.d/10.conf");
        check_streq(u.dropins[2], ETC "/foo-bar-.service.d/20.conf");
        check_streq(u.dropins[3], RUN "/foo-bar-baz.service.d/30.conf");
        check_streq(value(&u, "Service", "A"), "30");
        unit_file_done(&u);

        /* Instances: foo-x@y.service reads foo-@y.service.d, foo-@.service.d and foo-.service.d. */
        put_file(root, SYS "/foo-x@.service", "[Service]\n");
        put_file(root, SYS "/foo-@.service.d/50.conf", "[Service]\nT=1\n");
        put_file(root, SYS "/foo-@y.service.d/60.conf", "[Service]\nI=1\n");
        load(root, "foo-x@y.service", &u, &w);
        check_int(u.n_dropins, ==, 4);
        check_streq(u.dropins[1], SYS "/foo-.service.d/10.conf"); /* through the template foo-x@.service */
        check_streq(u.dropins[2], SYS "/foo-@.service.d/50.conf");
        check_streq(u.dropins[3], SYS "/foo-@y.service.d/60.conf");
        unit_file_done(&u);
        rm_rf(root);
}

/* The dash prefixes of systemd.unit(5): cut after the last dash that
 * does not end the name, again and again; a dash at the start is none, and
 * dashes in the instance do not count. */
TEST(dash_prefix_edges) {
        static const struct {
                const char *name;
                const char *dirs; /* the drop-ins read, named by letter, in sorted order */
        } cases[] = {
                { "a--b.service", "ABCW" },      /* a--b, a--, a- */
                { "a-b-.service", "CDW" },      /* a-b-, a- */
                { "x-.service", "E" },
                { "-x.service", "F" },          /* not "-" */
                { "a-b@c-d.service", "CGHIJW" }, /* a-b@c-d, a-b@, a-, a-@c-d, a-@ */
                { "a.b-c.service", "K" },       /* a.b-c; "a.b-" has no drop-ins here */
        };
        static const char *const dirs[] = {
                "a--b.service.d/A.conf", "a--.service.d/B.conf", "a-.service.d/C.conf", "a-b-.service.d/D.conf",
                "x-.service.d/E.conf", "-x.service.d/F.conf", "-.service.d/Z.conf",
                "a-b@c-d.service.d/G.conf", "a-b@.service.d/H.conf", "a-@c-d.service.d/I.conf",
                "a-@.service.d/J.conf", "a-b@c-.service.d/Y.conf", "a.b-c.service.d/K.conf",
                "a-@.service.d/W.conf", "a-@c-d.service.d/W.conf", "a-.service.d/W.conf",
        };
        char *root = scratch_unit_root();

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char rel[128];

                snprintf(rel, sizeof(rel), SYS "/%s", dirs[i]);
                put_file(root, rel, "[Service]\n");
        }
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char read[16] = "";
                unit_file u;
                warnings w = {};

                load(root, cases[i].name, &u, &w);
                for (size_t j = 0; j < u.n_dropins && j < sizeof(read) - 1; j++)
                        read[j] = strrchr(u.dropins[j], '/')[1];
                if (!streq(read, cases[i].dirs))
                        printf("# %s: %s\n", cases[i].name, read);
                check_streq(read, cases[i].dirs);
                /* Of one name in several directories, the first in the
                 * order above counts: the template's prefix comes before
                 * the instance's. */
                if (strchr(read, 'W'))
                        check_streq(u.dropins[u.n_dropins - 1], SYS "/a-.service.d/W.conf");
                unit_file_done(&u);
        }
        rm_rf(root);
}

TEST(dropin_override_and_mask) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo.service", "[Service]\n");
        put_file(root, SYS "/foo.service.d/a.conf", "[Service]\nA=vendor\n");
        put_file(root, ETC "/foo.service.d/a.conf", "[Service]\nA=admin\n");
        put_file(root, SYS "/foo.service.d/c.conf", "[Service]\nC=vendor\n");
        put_symlink(root, ETC "/foo.service.d/c.conf", "/dev/null");
        /* A name-specific drop-in, even from /usr/lib, beats the type-wide one in /etc. */
        put_file(root, SYS "/foo.service.d/d.conf", "[Service]\nD=specific\n");
        put_file(root, ETC "/service.d/d.conf", "[Service]\nD=generic\n");
        put_file(root, SYS "/foo.service.d/not-a-conf", "[Service]\nX=1\n");

        load(root, "foo.service", &u, &w);
        check_int(u.n_dropins, ==, 2);
        check_streq(u.dropins[0], ETC "/foo.service.d/a.conf");
        check_streq(u.dropins[1], SYS "/foo.service.d/d.conf");
        check_streq(value(&u, "Service", "A"), "admin");
        check(!value(&u, "Service", "C"));
        check_streq(value(&u, "Service", "D"), "specific");
        check(!value(&u, "Service", "X"));
        unit_file_done(&u);
        rm_rf(root);
}

TEST(unreadable_dropin) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo.service", "[Service]\nA=1\n");
        put_symlink(root, ETC "/foo.service.d/gone.conf", "/nonexistent/gone.conf");
        put_file(root, ETC "/foo.service.d/z.conf", "[Service]\nZ=1\n");
        load(root, "foo.service", &u, &w);
        check(strstr(w.text, ETC "/foo.service.d/gone.conf:0: cannot read"));
        check_streq(value(&u, "Service", "A"), "1");
        check_streq(value(&u, "Service", "Z"), "1");
        unit_file_done(&u);
        rm_rf(root);
}

/* A FIFO is refused at once, not waited on; a file too big for a unit is
 * refused; both are named, and the other drop-ins still count. */
TEST(dropins_that_are_no_regular_files) {
        char *root = scratch_unit_root(), *fifo, *big;
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo.service", "[Service]\nA=1\n");
        put_file(root, ETC "/foo.service.d/z.conf", "[Service]\nZ=1\n");
        fifo = scratch_path(root, "etc/systemd/system/foo.service.d/fifo.conf");
        check(mkfifo(fifo, 0644) >= 0);
        big = scratch_path(root, "etc/systemd/system/foo.service.d/big.conf");
        sparse_file(big, 17 * 1024 * 1024);

        alarm(20); /* a reader that waits for a writer fails here, not at meson's timeout */
        load(root, "foo.service", &u, &w);
        alarm(0);
        check(strstr(w.text, ETC "/foo.service.d/fifo.conf:0: cannot read: not a regular file, ignoring"));
        check(strstr(w.text, ETC "/foo.service.d/big.conf:0: cannot read: larger than 16 MiB, ignoring"));
        check_streq(value(&u, "Service", "A"), "1");
        check_streq(value(&u, "Service", "Z"), "1");
        unit_file_done(&u);
        rm_rf(root);
}

/* Under a root, an absolute link target is a file of that root, not of
 * this machine: the root's /srv/x.conf is read, and a /lib -> /usr/lib
 * link does not list this machine's units. */
TEST(links_resolve_inside_the_root) {
        char *root = scratch_unit_root();
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/foo.service", "[Service]\nA=1\n");
        put_file(root, "/srv/only-in-root.conf", "[Service]\nB=from-root\n");
        put_symlink(root, ETC "/foo.service.d/b.conf", "/srv/only-in-root.conf");
        put_symlink(root, "/lib", "/usr/lib");
        load(root, "foo.service", &u, &w);
        check_int(w.count, ==, 0);
        check_streq(value(&u, "Service", "B"), "from-root");
        unit_file_done(&u);

        load(root, "systemd-tmpfiles-clean.timer", &u, &w);
        check_int(u.state, ==, UNIT_NOT_FOUND);
        unit_file_done(&u);
        rm_rf(root);
}

static void parse(unit_file *u, const char *text, warnings *w) {
        *u = (unit_file) {};
        check_int(unit_file_parse(u, "/t.service", text, strlen(text), collect_warning, w), ==, 0);
}

TEST(continuation_and_whitespace) {
        unit_file u;
        warnings w = {};

        parse(&u,
              "\xef\xbb\xbf[Service]\n"
              "  ExecStart = /bin/a \\\n"
              "  --b \\\n"
              "# a comment inside\n"
              "; another\n"
              "  --c\n"
              "Two=x\\\\\n"
              "Quoted=\"a b\"  'c'  \n"
              "\r\n"
              "CRLF=1\r\n",
              &w);
        check_int(w.count, ==, 0);
        check_streq(value(&u, "Service", "ExecStart"), "/bin/a    --b    --c");
        check_int(unit_file_last(&u, "Service", "ExecStart")->line, ==, 6);
        check_streq(value(&u, "Service", "Two"), "x\\\\");
        check_streq(value(&u, "Service", "Quoted"), "\"a b\"  'c'");
        check_streq(value(&u, "Service", "CRLF"), "1");
        check_int(unit_file_last(&u, "Service", "CRLF")->line, ==, 10);
        unit_file_done(&u);
}

/* Where a continuation ends: an odd number of trailing backslashes
 * continues, an even one does not; a comment line inside is skipped, an
 * empty or blank one ends it; a comment line never starts one. */
TEST(continuation_edges) {
        unit_file u;
        warnings w = {};

        parse(&u,
              "[S]\n"                          /* 1 */
              "Odd=x\\\\\\\n"            /* 2: three backslashes */
              "y\n"                            /* 3 */
              "Mid=\\x\\\n"                /* 4 */
              "b\n"                            /* 5 */
              "Empty=a \\\n"                 /* 6 */
              "\n"                             /* 7 */
              "Blank=a \\\n"                 /* 8 */
              "   \t\n"                       /* 9 */
              "; c \\\n"                     /* 10: a comment, not continued */
              "Semi=1\n"                       /* 11 */
              "Split=a\\\n"                  /* 12 */
              "  # c \\\n"                   /* 13 */
              "b\\\n"                        /* 14 */
              "\\\n"                         /* 15: only the backslash */
              "c\n"                            /* 16 */
              "Bare\\\n"                     /* 17: the key continues */
              "Key=v\n",                       /* 18 */
              &w);
        check_int(w.count, ==, 0);
        check_streq(value(&u, "S", "Odd"), "x\\\\ y");
        check_int(unit_file_last(&u, "S", "Odd")->line, ==, 3);
        check_streq(value(&u, "S", "Mid"), "\\x b");
        check_streq(value(&u, "S", "Empty"), "a");
        check_int(unit_file_last(&u, "S", "Empty")->line, ==, 7);
        check_streq(value(&u, "S", "Blank"), "a");
        check_int(unit_file_last(&u, "S", "Blank")->line, ==, 9);
        check_streq(value(&u, "S", "Semi"), "1");
        check_int(unit_file_last(&u, "S", "Semi")->line, ==, 11);
        check_streq(value(&u, "S", "Split"), "a b  c");
        check_int(unit_file_last(&u, "S", "Split")->line, ==, 16);
        check_streq(value(&u, "S", "Bare Key"), "v");
        check_int(u.n_settings, ==, 7);
        unit_file_done(&u);

        /* A continuation still open when only comments follow. */
        parse(&u, "[S]\nA=a \\\n# c\n", &w);
        check_int(w.count, ==, 1);
        check(strstr(w.text, "/t.service:3: unterminated line continuation"));
        check_streq(value(&u, "S", "A"), "a");
        check_int(unit_file_last(&u, "S", "A")->line, ==, 3);
        unit_file_done(&u);
}

/* Lines end at \n, \r, \r\n or a NUL; \n\r is two ends. A byte order
 * mark counts only at the start of the file. */
TEST(line_ends) {
        static const char text[] = "[S]\rA=1\n\rB=2\r\nC=3\0D=4\r\rE=5\n\xef\xbb\xbf" "F=6";
        unit_file u = {};
        warnings w = {};

        check_int(unit_file_parse(&u, "/t.service", text, sizeof(text) - 1, collect_warning, &w), ==, 0);
        check_int(w.count, ==, 0);
        check_int(unit_file_last(&u, "S", "A")->line, ==, 2);
        check_int(unit_file_last(&u, "S", "B")->line, ==, 4);
        check_int(unit_file_last(&u, "S", "C")->line, ==, 5);
        check_int(unit_file_last(&u, "S", "D")->line, ==, 6);
        check_int(unit_file_last(&u, "S", "E")->line, ==, 8);
        check_streq(value(&u, "S", "\xef\xbb\xbf" "F"), "6");
        check_int(u.n_settings, ==, 6);
        unit_file_done(&u);
}

/* A line, joined or not, of 1 MiB is read; one byte more is not, and the
 * continuation it was part of is dropped. */
TEST(longest_line) {
        const size_t max = 1024 * 1024;
        char *text = malloc(2 * max + 64), *t;
        unit_file u;
        warnings w = {};

        check(text);
        /* "A=" + x... + "\" (half), then y... (the rest): 1 MiB joined */
        for (size_t extra = 0; extra <= 1; extra++) {
                t = stpcpy(text, "[S]\nA=");
                memset(t, 'x', max / 2 - 3);
                t += max / 2 - 3;
                t = stpcpy(t, "\\\n");
                memset(t, 'y', max / 2 + extra);
                t += max / 2 + extra;
                stpcpy(t, "\nB=1\n");
                parse(&u, text, &w);
                check_int(w.count, ==, extra);
                check(extra ? !value(&u, "S", "A") : strlen(value(&u, "S", "A")) == max - 2);
                check_streq(value(&u, "S", "B"), "1");
                unit_file_done(&u);
                w = (warnings) {};
        }
        /* One line alone. */
        for (size_t extra = 0; extra <= 1; extra++) {
                t = stpcpy(text, "[S]\nA=");
                memset(t, 'x', max - 2 + extra);
                stpcpy(t + max - 2 + extra, "\nB=1\n");
                parse(&u, text, &w);
                check_int(w.count, ==, extra);
                if (extra)
                        check(strstr(w.text, "/t.service:2: line too long"));
                check_int(value(&u, "S", "A") ? 1 : 0, ==, !extra);
                unit_file_done(&u);
                w = (warnings) {};
        }
        free(text);
}

TEST(malformed_lines) {
        unit_file u;
        warnings w = {};
        char *text, *big = malloc(2 * 1024 * 1024 + 1);

        check(big);
        memset(big, 'x', 2 * 1024 * 1024);
        big[2 * 1024 * 1024] = 0;
        check(asprintf(&text,
                       "Early=1\n"              /* 1: outside a section */
                       "[Service]\n"            /* 2 */
                       "no equals here\n"       /* 3 */
                       "Good=1\n"               /* 4 */
                       "=novalue\n"             /* 5 */
                       "Long=%s\n"              /* 6 */
                       "[Broken\n"              /* 7 */
                       "Lost=1\n"               /* 8: no section after a broken header */
                       "[X-SockKeeper]\n"       /* 9 */
                       "Socket=/tmp/a.sock\n"   /* 10 */
                       "Tail=a \\",             /* 11: continuation left open */
                       big) >= 0);
        free(big);
        parse(&u, text, &w);
        free(text);
        check(strstr(w.text, "/t.service:1: assignment outside of a section"));
        check(strstr(w.text, "/t.service:3: missing '='"));
        check(strstr(w.text, "/t.service:5: empty key"));
        check(strstr(w.text, "/t.service:6: line too long"));
        check(strstr(w.text, "/t.service:7: invalid section header"));
        check(strstr(w.text, "/t.service:8: assignment outside of a section"));
        check(strstr(w.text, "/t.service:11: unterminated line continuation"));
        check_int(w.count, ==, 7);
        check_streq(value(&u, "Service", "Good"), "1");
        check(!value(&u, "Service", "Long"));
        check(!unit_file_last(&u, "Service", "Lost"));
        check_streq(value(&u, "X-SockKeeper", "Socket"), "/tmp/a.sock");
        check_int(unit_file_last(&u, "X-SockKeeper", "Socket")->line, ==, 10);
        check_streq(value(&u, "X-SockKeeper", "Tail"), "a");
        unit_file_done(&u);
}

TEST(list_reset) {
        char *root = scratch_unit_root();
        const unit_setting **l;
        unit_file u;
        warnings w = {};

        put_file(root, SYS "/legacyd.service", "[X-SockKeeper]\nSocket=/tmp/a /tmp/b\nSocket=\nSocket=/tmp/c\n");
        put_file(root, ETC "/legacyd.service.d/10.conf", "[X-SockKeeper]\nSocket=/tmp/d\n");
        load(root, "legacyd.service", &u, &w);
        check_int(unit_file_values(&u, "X-SockKeeper", "Socket", UNIT_VALUES_RESET_ON_EMPTY, &l), ==, 2);
        check_streq(l[0]->value, "/tmp/c");
        check_streq(l[1]->value, "/tmp/d");
        check_streq(l[1]->file, ETC "/legacyd.service.d/10.conf");
        check_int(l[1]->line, ==, 2);
        free(l);
        check_int(unit_file_values(&u, "X-SockKeeper", "Socket", 0, &l), ==, 4);
        check_streq(l[1]->value, "");
        free(l);
        check_int(unit_file_values(&u, "X-SockKeeper", "Nothing", 0, &l), ==, 0);
        check(!l);
        unit_file_done(&u);

        put_file(root, RUN "/legacyd.service.d/20.conf", "[X-SockKeeper]\nSocket=\n");
        load(root, "legacyd.service", &u, &w);
        check_int(unit_file_values(&u, "X-SockKeeper", "Socket", UNIT_VALUES_RESET_ON_EMPTY, &l), ==, 0);
        unit_file_done(&u);
        rm_rf(root);
}

TEST(invalid_names) {
        char *root = scratch_unit_root();
        unit_lookup lp;
        unit_file u;

        check_int(unit_lookup_init(&lp, root, NULL, NULL), ==, 0);
        check_int(unit_file_load(&lp, "../x.service", &u), ==, -EINVAL);
        unit_lookup_done(&lp);
        rm_rf(root);
}

TAP_MAIN(T(env_path_is_used_for_loading), T(etc_overrides_vendor),
         T(masked), T(alias_chain), T(alias_loop_and_invalid), T(template_and_instance_dropins),
         T(prefix_and_type_dropins), T(dash_prefix_edges), T(dropin_override_and_mask), T(unreadable_dropin),
         T(dropins_that_are_no_regular_files), T(links_resolve_inside_the_root),
         T(continuation_and_whitespace), T(continuation_edges), T(line_ends), T(longest_line),
         T(malformed_lines), T(list_reset), T(invalid_names))
