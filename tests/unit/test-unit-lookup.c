/* SPDX-License-Identifier: MIT */
/* Where units are found: the name map and its enumeration with .wants
 * instances, the map of a few names looked up one by one (which must
 * answer as the full one does), and whether a unit is masked or pulled
 * in. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "tap.h"
#include "test-util.h"
#include "unit-file.h"
#include "unit-lookup.h"

#define SYS "/usr/lib/systemd/system"
#define ETC "/etc/systemd/system"
#define RUN "/run/systemd/system"

TEST(enumerate_with_wants_instances) {
        char *root = scratch_unit_root();
        unit_lookup lp;
        warnings w = {};
        char **l;
        size_t n;

        put_file(root, SYS "/getty@.service", "[Service]\n");
        put_file(root, SYS "/a.service", "[Service]\n");
        put_file(root, ETC "/a.service", "[Service]\n");
        put_symlink(root, ETC "/getty.target.wants/getty@tty1.service", SYS "/getty@.service");
        put_symlink(root, SYS "/sockets.target.requires/x@y.socket", "../x@.socket");
        put_symlink(root, ETC "/masked.service", "/dev/null");
        put_file(root, ETC "/not-a-unit.txt", "");
        check_int(unit_lookup_init(&lp, root, collect_warning, &w), ==, 0);
        check_int(unit_enumerate(&lp, &l, &n), ==, 5);
        check_streq(l[0], "a.service");
        check_streq(l[1], "getty@.service");
        check_streq(l[2], "getty@tty1.service");
        check_streq(l[3], "masked.service");
        check_streq(l[4], "x@y.socket");
        strv_free_n(l, n);
        unit_lookup_done(&lp);
        rm_rf(root);
}

/* A tree with every kind of entry: files shadowing each other, masks,
 * alias chains and loops, an invalid alias, a linked file, templates,
 * and names that are directories or FIFOs. */
static char *mixed_tree(void) {
        char *root = scratch_unit_root();

        put_file(root, SYS "/plain.service", "[Service]\n");
        put_file(root, ETC "/plain.service", "[Service]\nA=etc\n");
        put_file(root, SYS "/c.service", "[Service]\n");
        put_symlink(root, SYS "/b.service", "c.service");
        put_symlink(root, ETC "/a.service", "../../../usr/lib/systemd/system/b.service");
        put_symlink(root, ETC "/m.service", "/dev/null");
        put_file(root, SYS "/m.service", "[Service]\n");
        put_file(root, RUN "/e.service", "");
        put_symlink(root, ETC "/x.service", "y.service");
        put_symlink(root, ETC "/y.service", "x.service");
        put_symlink(root, ETC "/bad.service", "c.socket");
        put_file(root, SYS "/bad.service", "[Service]\nA=shadowed-by-an-invalid-alias\n");
        put_file(root, "/opt/l/linked.service", "[Service]\n");
        put_symlink(root, ETC "/linked.service", "/opt/l/linked.service");
        put_file(root, SYS "/getty@.service", "[Service]\n");
        put_file(root, SYS "/getty@tty2.service", "[Service]\n");
        put_symlink(root, ETC "/tty@.service", SYS "/getty@.service");
        mkdir_p(scratch_path(root, "etc/systemd/system/dir.service"));
        put_file(root, SYS "/dir.service", "[Service]\n");
        return root;
}

TEST(names_map_answers_as_the_full_map) {
        static const char *const names[] = {
                "plain.service", "a.service", "b.service", "c.service", "m.service", "e.service",
                "x.service", "bad.service", "linked.service", "getty@tty1.service", "getty@tty2.service",
                "tty@ttyS0.service", "dir.service", "none.service", "none@i.service",
        };
        char *root = mixed_tree();
        unit_lookup full, few;
        warnings wf = {}, wn = {};

        check_int(unit_lookup_init(&full, root, collect_warning, &wf), ==, 0);
        check_int(unit_lookup_init_names(&few, root, names, ELEMENTSOF(names), collect_warning, &wn), ==, 0);
        check(full.listed);
        check(!few.listed);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const unit_map_entry *a, *b;
                unit_file ua, ub;

                check_int(unit_lookup_find(&full, names[i], NULL, NULL, &a), ==, 0);
                check_int(unit_lookup_find(&few, names[i], NULL, NULL, &b), ==, 0);
                printf("# %s: %s / %s\n", names[i], a ? a->path : "-", b ? b->path : "-");
                check(!a == !b);
                if (a) {
                        check_streq(a->path, b->path);
                        check_int(a->kind, ==, b->kind);
                }
                check_int(unit_file_load(&full, names[i], &ua), ==, 0);
                check_int(unit_file_load(&few, names[i], &ub), ==, 0);
                check_int(ua.state, ==, ub.state);
                check(!ua.fragment == !ub.fragment);
                if (ua.fragment)
                        check_streq(ua.fragment, ub.fragment);
                check_int(ua.n_settings, ==, ub.n_settings);
                unit_file_done(&ua);
                unit_file_done(&ub);
        }
        check(strstr(wn.text, "too many levels"));
        check(strstr(wn.text, ETC "/bad.service:0: invalid alias"));
        unit_lookup_done(&full);
        unit_lookup_done(&few);
        rm_rf(root);
}

TEST(names_map_is_no_enumeration) {
        static const char *const names[] = { "plain.service" };
        char *root = mixed_tree();
        unit_lookup few;
        char **l;
        size_t n;

        check_int(unit_lookup_init_names(&few, root, names, 1, NULL, NULL), ==, 0);
        check_int(unit_enumerate(&few, &l, &n), ==, -EINVAL);
        unit_lookup_done(&few);
        rm_rf(root);
}

static unit_enablement enablement(const char *root, const char *name, const char *preferred, char **source) {
        unit_lookup lp;
        unit_enablement e;

        check_int(unit_lookup_init_names(&lp, root, &name, 1, NULL, NULL), ==, 0);
        free(*source);
        check_int(unit_lookup_enablement(&lp, name, preferred, &e, source), ==, 0);
        unit_lookup_done(&lp);
        return e;
}

TEST(enablement) {
        char *root = scratch_unit_root(), *src = NULL;

        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_ABSENT);
        check(!src);
        put_file(root, SYS "/t.timer", "[Timer]\n");
        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_DISABLED);
        check_streq(src, SYS "/t.timer");

        /* Any .wants/ or .requires/ pulls it in; the preferred target's is named. */
        put_symlink(root, ETC "/multi-user.target.requires/t.timer", SYS "/t.timer");
        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_ENABLED);
        check_streq(src, ETC "/multi-user.target.requires/t.timer");
        put_symlink(root, SYS "/timers.target.wants/t.timer", "../t.timer");
        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_ENABLED);
        check_streq(src, SYS "/timers.target.wants/t.timer");

        /* Masked whatever pulls it in: by a link, or by an empty file. */
        put_file(root, RUN "/t.timer", "");
        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_MASKED);
        check_streq(src, RUN "/t.timer");
        put_symlink(root, ETC "/t.timer", "/dev/null");
        check_int(enablement(root, "t.timer", "timers.target", &src), ==, UNIT_ENABLEMENT_MASKED);
        check_streq(src, ETC "/t.timer");

        /* An instance without a file of its own: its template's. */
        put_file(root, SYS "/w@.service", "[Service]\n");
        check_int(enablement(root, "w@1.service", "multi-user.target", &src), ==, UNIT_ENABLEMENT_DISABLED);
        check_streq(src, SYS "/w@.service");
        put_symlink(root, ETC "/multi-user.target.wants/w@1.service", SYS "/w@.service");
        check_int(enablement(root, "w@1.service", "multi-user.target", &src), ==, UNIT_ENABLEMENT_ENABLED);
        check_streq(src, ETC "/multi-user.target.wants/w@1.service");
        free(src);
        rm_rf(root);
}

TAP_MAIN(T(enumerate_with_wants_instances), T(names_map_answers_as_the_full_map), T(names_map_is_no_enumeration), T(enablement))
