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
         T(prefix_and_type_dropins), T(dropin_override_and_mask), T(unreadable_dropin),
         T(dropins_that_are_no_regular_files), T(links_resolve_inside_the_root),
         T(continuation_and_whitespace), T(malformed_lines), T(list_reset), T(invalid_names))
