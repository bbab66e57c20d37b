/* SPDX-License-Identifier: MIT */
/* The tmpfiles.d reader and evaluator against what systemd-tmpfiles 252
 * does: the grammar and its quirks, specifiers, rejected and duplicate
 * lines, the age X lines inherit, the directory tree and its overrides,
 * and what --clean does with a path. The differential integration test
 * checks the same against the real binary; these pin each rule down. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "tmpfiles.h"

#define HOUR (3600 * USEC_PER_SEC)
#define DAY (24 * HOUR)
#define NOW (1700000000 * USEC_PER_SEC)


/* TEXT parsed as one file "t.conf" under ROOT (NULL: the running system). */
static void parse(tmpfiles_config *c, const char *root, const char *text, warnings *w) {
        *c = (tmpfiles_config) {};
        *w = (warnings) {};
        check_int(tmpfiles_config_set_root(c, root), ==, 0);
        check_int(tmpfiles_config_parse(c, "t.conf", text, strlen(text), collect_warning, w), ==, 0);
}

static const tmpfiles_item *find(const tmpfiles_config *c, char type, const char *path) {
        for (size_t i = 0; i < c->n_items; i++)
                if (c->items[i].type == type && streq(c->items[i].path, path))
                        return c->items + i;
        return NULL;
}

/* ROOT/REL, with its parent directories made. */
static char *root_path(const char *root, const char *rel) {
        char *p;

        check(asprintf(&p, "%s/%s", root, rel) >= 0);
        for (char *slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                check(mkdir(p, 0755) >= 0 || errno == EEXIST);
                *slash = '/';
        }
        return p;
}

static void put(const char *root, const char *rel, const char *text) {
        char *p = root_path(root, rel);

        write_file(p, text);
        free(p);
}

/* A root with what specifiers and names are resolved from. */
static char *fixture_root(void) {
        char *dir = scratch_dir();

        put(dir, "etc/machine-id", "0123456789ABCDEF0123456789abcdef\n");
        put(dir, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        put(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsvc:x:990:991::/:/usr/sbin/nologin\n");
        put(dir, "etc/group", "root:x:0:\nsvcgrp:x:991:\n");
        return dir;
}

static tmpfiles_file file_aged(mode_t mode, uint64_t age) {
        uint64_t t = NOW - age;
        return (tmpfiles_file) { .mode = mode, .atime_usec = t, .btime_usec = t, .ctime_usec = t, .mtime_usec = t };
}

static void check_same_verdict(const tmpfiles_verdict *a, const tmpfiles_verdict *b) {
        check_int(a->fate, ==, b->fate);
        check(a->rule == b->rule);
        check_streq(a->why, b->why);
        check_int(a->age_usec, ==, b->age_usec);
        check_int(a->expired, ==, b->expired);
        check_int(a->expires_usec, ==, b->expires_usec);
}

/* Every evaluation is made twice: from scratch, and through the plan of
 * the directory the path is in (as the classifier does for the many
 * sockets of one directory), and of another directory (which must fall
 * back to the whole evaluation). Both must agree. */
static tmpfiles_verdict eval(const tmpfiles_config *c, const char *path, const tmpfiles_file *f) {
        _cleanup_free_ char *dir = NULL;
        tmpfiles_verdict v, planned;
        tmpfiles_plan *plan = NULL;
        const char *slash = strrchr(path, '/');

        check_int(tmpfiles_evaluate(c, path, f, NOW, &v), ==, 0);
        if (slash && slash != path && slash[1]) {
                dir = strndup(path, (size_t) (slash - path));
                check(dir);
                check_int(tmpfiles_plan_dir(c, dir, &plan), ==, 0);
                check_int(tmpfiles_evaluate_in(c, plan, path, f, NOW, &planned), ==, 0);
                check_same_verdict(&v, &planned);
                tmpfiles_plan_free(plan);
        }
        check_int(tmpfiles_plan_dir(c, "/elsewhere", &plan), ==, 0);
        check_int(tmpfiles_evaluate_in(c, plan, path, f, NOW, &planned), ==, 0);
        check_same_verdict(&v, &planned);
        tmpfiles_plan_free(plan);
        return v;
}

/* ---- the grammar ---- */

TEST(fields_and_defaults) {
        tmpfiles_config c;
        warnings w;
        const tmpfiles_item *i;

        parse(&c, NULL,
              "# comment\n"
              "  \t\n"
              "d /tmp 1777 root root 10d\n"
              "D /var/tmp/x - - - ~1h\n"
              "x /tmp/*.sock\n"
              "q /srv//data/./ - - - -\n",
              &w);
        check_int(w.count, ==, 0);
        check_int(c.n_items, ==, 4);
        i = find(&c, 'd', "/tmp");
        check(i && i->has_age && i->age_usec == 10 * DAY && i->age_by == TMPFILES_AGE_BY_DEFAULT);
        check_int(i->line, ==, 3);
        check_streq(i->source, "t.conf");
        check_int(i->settings.mode, ==, 01777);
        check(i->settings.mode_set && i->settings.uid_set && i->settings.uid == 0);
        i = find(&c, 'D', "/var/tmp/x");
        check(i && i->age_spares_first_level && i->age_usec == HOUR);
        check_int(i->settings.mode, ==, 0755); /* the directory default, kept for comparisons */
        i = find(&c, 'x', "/tmp/*.sock");
        check(i && i->glob && !i->has_age);
        check(find(&c, 'q', "/srv/data") && !find(&c, 'q', "/srv/data")->has_age);
        tmpfiles_config_done(&c);
}

TEST(ages) {
        static const struct {
                const char *age;
                uint64_t usec; /* 0: rejected */
        } cases[] = {
                { "10d", 10 * DAY },
                { "\"1h 30min\"", HOUR + 30 * 60 * USEC_PER_SEC },
                { "1h30m", HOUR + 30 * 60 * USEC_PER_SEC },
                { "1.5h", HOUR + 30 * 60 * USEC_PER_SEC },
                { ".5h", 30 * 60 * USEC_PER_SEC },
                { "90", 90 * USEC_PER_SEC },
                { "2w", 14 * DAY },
                { "1M", 2629800 * USEC_PER_SEC },
                { "1y", 31557600 * USEC_PER_SEC },
                { "5ms", 5 * USEC_PER_MSEC },
                { "7us", 7 },
                { "infinity", UINT64_MAX },
                { "\"1 2\"", 3 * USEC_PER_SEC },
                { "+5s", 5 * USEC_PER_SEC },
                { "0", 0 + 1 }, /* zero, marked below */
                { "1x", 0 },
                { "3.", 0 },
                { "-1d", 0 },
                { "1.2.3", 0 },
                { "~", 0 },
                { "~~1d", 0 },
                { "am:~1d", 0 },
        };

        for (size_t n = 0; n < ELEMENTSOF(cases); n++) {
                char line[128];
                tmpfiles_config c;
                warnings w;

                snprintf(line, sizeof(line), "d /tmp - - - %s\n", cases[n].age);
                parse(&c, NULL, line, &w);
                if (cases[n].usec == 0) {
                        if (c.n_items != 0)
                                printf("# %s was taken\n", cases[n].age);
                        check_int(c.n_items, ==, 0);
                        check(strstr(w.text, "t.conf:1: bad age"));
                } else {
                        check_int(c.n_items, ==, 1);
                        check_int(c.items[0].age_usec, ==, streq(cases[n].age, "0") ? 0 : cases[n].usec);
                }
                tmpfiles_config_done(&c);
        }
}

TEST(age_by) {
        tmpfiles_config c;
        warnings w;

        parse(&c, NULL,
              "d /a - - - am:1d\n"
              "d /b - - - A:1d\n"
              "d /c - - - ~bM:1d\n"
              "d /d - - - xyz:1d\n"
              "d /e - - - :1d\n",
              &w);
        check_int(c.n_items, ==, 3);
        /* The side not named keeps its default: abcm for files, ABM for directories. */
        check_int(find(&c, 'd', "/a")->age_by,
                  ==, TMPFILES_AGE_BY_ATIME | TMPFILES_AGE_BY_MTIME | (TMPFILES_AGE_BY_DEFAULT & 0xf0));
        check_int(find(&c, 'd', "/b")->age_by, ==, 0xf | TMPFILES_AGE_BY_DIR_ATIME);
        check(find(&c, 'd', "/c")->age_spares_first_level);
        check_int(find(&c, 'd', "/c")->age_by, ==, TMPFILES_AGE_BY_BTIME | TMPFILES_AGE_BY_DIR_MTIME);
        check(strstr(w.text, "t.conf:4: bad age-by letters 'xyz'"));
        check(strstr(w.text, "t.conf:5: bad age-by letters ''"));
        tmpfiles_config_done(&c);
}

/* The fields are unquoted, and a backslash takes the next character as it
 * is: "\x41" is "x41", not "A" (tmpfiles 252 does not C-unescape them). */
TEST(quotes_and_backslashes) {
        tmpfiles_config c;
        warnings w;

        parse(&c, NULL,
              "x /tmp/esc\\x41\n"
              "x \"/tmp/sp ace\"\n"
              "x '/tmp/q\"uote'\n"
              "x /tmp/back\\ slash\n"
              "x /tmp/\"mid\"dle\n"
              "x \"/tmp/open\n"
              "x /tmp/trailing\\\n"
              "\"\" /tmp/empty-type\n"
              "x\n",
              &w);
        check(find(&c, 'x', "/tmp/escx41"));
        check(find(&c, 'x', "/tmp/sp ace"));
        check(find(&c, 'x', "/tmp/q\"uote"));
        check(find(&c, 'x', "/tmp/back slash"));
        check(find(&c, 'x', "/tmp/middle"));
        check_int(c.n_items, ==, 5);
        check(strstr(w.text, "t.conf:6: unbalanced quotes"));
        check(strstr(w.text, "t.conf:7: unbalanced quotes"));
        check(strstr(w.text, "t.conf:8: empty line type"));
        check(strstr(w.text, "t.conf:9: a line needs a type and a path"));
        tmpfiles_config_done(&c);
}

TEST(type_checks) {
        char *root = fixture_root();
        tmpfiles_config c;
        warnings w;

        parse(&c, root,
              "Y /tmp/unknown\n"
              "d? /tmp/badmod\n"
              "d!! /tmp/twice\n"
              "w /tmp/noarg\n"
              "c /dev/x - - - - 1\n"
              "b /dev/y - - - - 1:2\n"
              "h /tmp/attr - - - - +z\n"
              "h /tmp/attr-set - - - - =\n"
              "f~ /tmp/b64 - - - - !!!\n"
              "f~ /tmp/b64ok - - - - aGVsbG8=\n"
              "L~ /tmp/l - - - - aGVsbG8=\n"
              "C /tmp/c - - - - relative\n"
              "C /tmp/c-missing - - - - /nonexistent\n"
              "C /tmp/c-there - - - - /etc/passwd\n"
              "f^ /tmp/cred - - - - name\n"
              "f^ /tmp/cred-none\n"
              "f /tmp/mode 0999\n"
              "f /tmp/mode2 10000\n"
              "f /tmp/mode3 +644\n"
              "f /tmp/mode4 ~:0644\n"
              "d relative/path\n",
              &w);
        check(strstr(w.text, "t.conf:1: unknown line type 'Y'"));
        check(strstr(w.text, "t.conf:2: unknown or repeated modifier in 'd?'"));
        check(strstr(w.text, "t.conf:3: unknown or repeated modifier in 'd!!'"));
        check(strstr(w.text, "t.conf:4: a 'w' line needs an argument"));
        check(strstr(w.text, "t.conf:5: device number '1' is not MAJOR:MINOR"));
        check(find(&c, 'b', "/dev/y") && find(&c, 'b', "/dev/y")->settings.devnum == makedev(1, 2));
        check(strstr(w.text, "t.conf:7: bad file attributes '+z'"));
        check(find(&c, 'h', "/tmp/attr-set"));
        check(strstr(w.text, "t.conf:9: the argument '!!!' is not valid base64"));
        check(find(&c, 'f', "/tmp/b64ok") && find(&c, 'f', "/tmp/b64ok")->settings.argument_size == 5);
        check(strstr(w.text, "t.conf:11: '~' (base64) does not apply to 'L' lines"));
        check(strstr(w.text, "t.conf:12: the source 'relative' to copy is not an absolute path"));
        check(!find(&c, 'C', "/tmp/c-missing")); /* skipped quietly, as tmpfiles does */
        check(find(&c, 'C', "/tmp/c-there"));
        check(!find(&c, 'f', "/tmp/cred")); /* the clean service has no credentials */
        check(strstr(w.text, "t.conf:16: '^' without a credential name"));
        check(strstr(w.text, "t.conf:17: bad mode '0999'"));
        check(strstr(w.text, "t.conf:18: bad mode '10000'"));
        check(strstr(w.text, "t.conf:19: bad mode '+644'"));
        check(find(&c, 'f', "/tmp/mode4") && find(&c, 'f', "/tmp/mode4")->settings.mode_masked);
        check(strstr(w.text, "t.conf:21: path 'relative/path' is not absolute"));
        check_int(c.n_items, ==, 5);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

/* Each user name and specifier is looked up once per configuration:
 * files read once, whatever changes in them later in the same run; a
 * new root starts afresh. */
TEST(lookups_once_per_configuration) {
        const char *b = "d /b/%m 0755 svc - -\n", *cc = "d /c/%m 0755 svc - -\n";
        char *root = fixture_root();
        tmpfiles_config c;
        warnings w;

        parse(&c, root, "d /a/%m 0755 svc svcgrp -\n", &w);
        put(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsvc:x:1990:991::/:/usr/sbin/nologin\n");
        put(root, "etc/machine-id", "fedcba9876543210fedcba9876543210\n");
        check_int(tmpfiles_config_parse(&c, "u.conf", b, strlen(b), collect_warning, &w), ==, 0);
        check_int(w.count, ==, 0);
        check_int(find(&c, 'd', "/a/0123456789abcdef0123456789abcdef")->settings.uid, ==, 990);
        check_int(find(&c, 'd', "/b/0123456789abcdef0123456789abcdef")->settings.uid, ==, 990);
        /* The same root set again: looked up anew. */
        check_int(tmpfiles_config_set_root(&c, root), ==, 0);
        check_int(tmpfiles_config_parse(&c, "v.conf", cc, strlen(cc), collect_warning, &w), ==, 0);
        check_int(find(&c, 'd', "/c/fedcba9876543210fedcba9876543210")->settings.uid, ==, 1990);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

TEST(users_and_groups_under_root) {
        char *root = fixture_root();
        tmpfiles_config c;
        warnings w;

        parse(&c, root,
              "d /a 0755 svc svcgrp -\n"
              "d /b 0755 :root :0 -\n"
              "d /c 0755 nosuch - -\n"
              "d /d 0755 - nosuch -\n"
              "d /e 0755 65535 - -\n"
              "d /f 0755 4294967295 - -\n"
              "d /g 0755 0123 - -\n",
              &w);
        check_int(find(&c, 'd', "/a")->settings.uid, ==, 990);
        check_int(find(&c, 'd', "/a")->settings.gid, ==, 991);
        check(find(&c, 'd', "/b")->settings.uid_on_create && find(&c, 'd', "/b")->settings.gid_on_create);
        for (unsigned line = 3; line <= 7; line++) {
                char want[64];
                snprintf(want, sizeof(want), "t.conf:%u: unknown ", line);
                check(strstr(w.text, want));
        }
        check_int(c.n_items, ==, 2);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

TEST(specifiers) {
        char *root = fixture_root(), want[512];
        tmpfiles_config c;
        warnings w;

        parse(&c, root,
              "x /s/%m\n"
              "x /s/%o-%w-%B\n"
              "x /s/%u-%U-%g-%G-%h\n"
              "x %T/t\n"
              "x %V/v\n"
              "x /s/100%%\n"
              "x /s/%-dash-%\n"
              "x /s/%A\n"
              "x /s/%q\n"
              "x /var/run/legacy\n"
              "d %t/run-dir\n",
              &w);
        check(find(&c, 'x', "/s/0123456789abcdef0123456789abcdef")); /* lower case, as sd_id128 prints */
        check(find(&c, 'x', "/s/debian-12-"));                        /* an absent key is empty */
        check(find(&c, 'x', "/s/root-0-root-0-/root"));
        check(find(&c, 'x', "/tmp/t"));
        check(find(&c, 'x', "/var/tmp/v"));
        check(find(&c, 'x', "/s/100%"));
        check(find(&c, 'x', "/s/%-dash-%"));
        check(strstr(w.text, "t.conf:8: cannot expand the specifiers"));
        check(strstr(w.text, "t.conf:9: cannot expand the specifiers"));
        check(find(&c, 'x', "/run/legacy"));
        /* 252 puts the root in front of %t, and then again in front of it all. */
        snprintf(want, sizeof(want), "%s/run/run-dir", root);
        check(find(&c, 'd', want));
        tmpfiles_config_done(&c);
        rm_rf(root);
}

TEST(unresolvable_specifier_skips) {
        char *root = scratch_dir(); /* no machine-id, no os-release */
        tmpfiles_config c;
        warnings w;

        parse(&c, root, "x /s/%m\nx /s/%o\nx /s/%b\n", &w);
        check_int(c.n_items, ==, 1);
        check(strstr(w.text, "t.conf:1: a specifier in path"));
        check(strstr(w.text, "t.conf:2: a specifier in"));
        check(c.items[0].path[0] == '/' && strlen(c.items[0].path) == 3 + 32);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

TEST(argument_specifiers_and_escapes) {
        tmpfiles_config c;
        warnings w;

        parse(&c, NULL,
              "f /a - - - - %Z\n"
              "f /b - - - - \\x25Z\n"
              "f /c - - - - bad\\q\n"
              "L /d\n"
              "z /e - - - - %Z\n",
              &w);
        check(strstr(w.text, "t.conf:1: cannot expand the specifiers"));
        check(strstr(w.text, "t.conf:2: cannot expand the specifiers")); /* \x25 is a % */
        check(strstr(w.text, "t.conf:3: bad escape"));
        check_streq(find(&c, 'L', "/d")->settings.argument, "/usr/share/factory/d");
        check(find(&c, 'z', "/e")); /* z ignores its argument */
        tmpfiles_config_done(&c);
}

/* '!' lines: not read by --clean, so not checked either; kept, marked. */
TEST(boot_only_lines) {
        tmpfiles_config c;
        warnings w;

        parse(&c, NULL, "D! /tmp/b 0755 nosuchuser - 1d\nx! /tmp/x\nd! relative\n", &w);
        check_int(w.count, ==, 0);
        check_int(c.n_items, ==, 2);
        check(find(&c, 'D', "/tmp/b")->boot_only && find(&c, 'D', "/tmp/b")->has_age);
        check(find(&c, 'x', "/tmp/x")->boot_only);
        tmpfiles_config_done(&c);
}

TEST(duplicates) {
        tmpfiles_config c;
        warnings w;

        parse(&c, NULL,
              "d /a 0755 - - -\n"
              "d /a 0700 - - 1h\n"  /* conflicts: ignored */
              "d /a 0755 - - -\n"   /* the same again: kept */
              "x /a\n"              /* a glob line: another table */
              "X /a\n"              /* same settings as the x: kept */
              "e /a - - - 1d\n"     /* conflicts with the x */
              "z /a 0644\n"         /* does not own its path */
              "w+ /w - - - - 1\n"
              "w+ /w - - - - 2\n"
              "w /w - - - - 3\n"
              "d! /a 0700 - - 1h\n" /* boot-only lines are not compared */
              "f /f\n"
              "d /f\n"              /* different default mode: a conflict */
              "z /a 0600\n"         /* two that do not own it do not conflict */
              "w+ /v - - - - 1\n"
              "w /v - - - - 2\n",   /* only "w+" on both sides piles up */
              &w);
        check(strstr(w.text, "t.conf:2: duplicate line for '/a' with other settings, ignoring"));
        check(strstr(w.text, "t.conf:6: duplicate line"));
        check(strstr(w.text, "t.conf:10: duplicate line"));
        check(strstr(w.text, "t.conf:13: duplicate line"));
        check(strstr(w.text, "t.conf:16: duplicate line"));
        check_int(w.count, ==, 5);
        check_int(c.n_items, ==, 11);
        tmpfiles_config_done(&c);
}

/* After each file, an X line takes the age of the d line for its path, or
 * of the first enclosing one in table order; its own age is overwritten,
 * its age-by is not. */
TEST(x_lines_inherit_an_age) {
        tmpfiles_config c;
        warnings w;
        const tmpfiles_item *x;

        parse(&c, NULL,
              "d /tmp 1777 root root 1d\n"
              "X /tmp/plain\n"
              "X /tmp/own - - - am:5h\n"
              "d /tmp/inner - - - 2h\n"
              "X /tmp/inner/x\n"
              "d /srv/exact - - - 3h\n"
              "X /srv/exact\n"
              "X /opt/none\n",
              &w);
        x = find(&c, 'X', "/tmp/plain");
        check(x->has_age && x->age_usec == DAY && x->age_by == TMPFILES_AGE_BY_DEFAULT);
        x = find(&c, 'X', "/tmp/own");
        check(x->age_usec == DAY);
        check_int(x->age_by & 0xf, ==, TMPFILES_AGE_BY_ATIME | TMPFILES_AGE_BY_MTIME);
        /* /tmp comes first in the table, so it wins over the closer /tmp/inner. */
        check_int(find(&c, 'X', "/tmp/inner/x")->age_usec, ==, DAY);
        check_int(find(&c, 'X', "/srv/exact")->age_usec, ==, 3 * HOUR);
        check(!find(&c, 'X', "/opt/none")->has_age);
        tmpfiles_config_done(&c);

        /* In the other order the closer line is found first. */
        parse(&c, NULL, "d /tmp/inner - - - 2h\nd /tmp - - - 1d\nX /tmp/inner/x\n", &w);
        check_int(find(&c, 'X', "/tmp/inner/x")->age_usec, ==, 2 * HOUR);
        tmpfiles_config_done(&c);
}

/* ---- the tree ---- */

TEST(load_directories_and_overrides) {
        char *root = scratch_dir(), *p;
        tmpfiles_config c = {};
        warnings w = {};

        put(root, "usr/lib/tmpfiles.d/a.conf", "x /from-usr-a\n");
        put(root, "etc/tmpfiles.d/a.conf", "x /from-etc-a\n");
        put(root, "run/tmpfiles.d/b.conf", "x /from-run-b\n");
        put(root, "usr/lib/tmpfiles.d/b.conf", "x /from-usr-b\n");
        put(root, "usr/local/lib/tmpfiles.d/c.conf", "x /from-local-c\n");
        put(root, "lib/tmpfiles.d/d.conf", "x /from-lib-d\n");
        put(root, "usr/lib/tmpfiles.d/e.conf", "x /masked\n");
        put(root, "usr/lib/tmpfiles.d/.hidden.conf", "x /hidden\n");
        put(root, "usr/lib/tmpfiles.d/f.txt", "x /not-conf\n");
        p = root_path(root, "etc/tmpfiles.d/e.conf");
        check(symlink("/dev/null", p) >= 0);
        free(p);
        p = root_path(root, "etc/tmpfiles.d/0-dir.conf");
        check(mkdir(p, 0755) >= 0);
        free(p);

        check_int(tmpfiles_config_load(&c, root, collect_warning, &w), ==, 0);
        check_int(c.n_items, ==, 4);
        check_streq(c.items[0].path, "/from-etc-a"); /* sorted by name across directories */
        check_streq(c.items[0].source, "/etc/tmpfiles.d/a.conf");
        check_streq(c.items[1].path, "/from-run-b");
        check_streq(c.items[2].path, "/from-local-c");
        check_streq(c.items[3].path, "/from-lib-d");
        check_streq(c.items[3].source, "/lib/tmpfiles.d/d.conf");
        check(strstr(w.text, "/etc/tmpfiles.d/0-dir.conf:0: "));
        check_int(w.count, ==, 1);
        check_streq(c.root, root);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

/* Directories are resolved inside the root and read once: a /lib that
 * links to usr/lib adds nothing. */
TEST(load_resolves_directory_links) {
        char *root = scratch_dir(), *p;
        tmpfiles_config c = {};
        warnings w = {};

        put(root, "usr/lib/tmpfiles.d/a.conf", "x /a\n");
        p = root_path(root, "lib");
        check(symlink("/usr/lib", p) >= 0);
        free(p);
        check_int(tmpfiles_config_load(&c, root, collect_warning, &w), ==, 0);
        check_int(c.n_items, ==, 1);
        check_int(c.n_files, ==, 1);
        check_streq(c.files[0], "/usr/lib/tmpfiles.d/a.conf");
        tmpfiles_config_done(&c);
        rm_rf(root);
}

/* Each file that is no configuration is named and skipped, without
 * waiting on a FIFO or reading a device or a huge file into memory, and
 * the others are read; symlinks resolve inside the root. */
TEST(load_skips_what_is_no_configuration_file) {
        char *root = scratch_dir(), *p;
        tmpfiles_config c = {};
        warnings w = {};
        bool device;
        int fd;

        put(root, "usr/lib/tmpfiles.d/a.conf", "x /a\n");
        put(root, "etc/tmpfiles.d/z.conf", "x /z\n");
        put(root, "srv/only-in-root.conf", "x /linked\n");
        p = root_path(root, "etc/tmpfiles.d/linked.conf");
        check(symlink("/srv/only-in-root.conf", p) >= 0);
        free(p);
        p = root_path(root, "etc/tmpfiles.d/fifo.conf");
        check(mkfifo(p, 0644) >= 0);
        free(p);
        p = root_path(root, "etc/tmpfiles.d/big.conf");
        sparse_file(p, 17 * 1024 * 1024);
        free(p);
        /* ln -s /dev/zero: the root's own /dev/zero, where one can be made
         * and opened (not as an unprivileged user, not on a nodev mount). */
        p = root_path(root, "dev/zero");
        device = mknod(p, S_IFCHR | 0666, makedev(1, 5)) >= 0 && (fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0;
        if (device)
                close(fd);
        free(p);
        if (device) {
                p = root_path(root, "etc/tmpfiles.d/zero.conf");
                check(symlink("/dev/zero", p) >= 0);
                free(p);
        }

        alarm(20); /* a reader that waits on the FIFO fails here */
        check_int(tmpfiles_config_load(&c, root, collect_warning, &w), ==, 0);
        alarm(0);
        check(strstr(w.text, "/etc/tmpfiles.d/fifo.conf:0: cannot read: not a regular file, ignoring\n"));
        check(strstr(w.text, "/etc/tmpfiles.d/big.conf:0: cannot read: larger than 16 MiB, ignoring\n"));
        if (device)
                check(strstr(w.text, "/etc/tmpfiles.d/zero.conf:0: cannot read: not a regular file, ignoring\n"));
        check_int(w.count, ==, device ? 3 : 2);
        check_int(c.n_items, ==, 3);
        check(find(&c, 'x', "/a") && find(&c, 'x', "/z") && find(&c, 'x', "/linked"));
        tmpfiles_config_done(&c);
        rm_rf(root);
}

/* The files specifiers and user names come from are read the same way: a
 * FIFO in their place is an error for that line, not a wait. */
TEST(specifier_files_that_are_fifos) {
        char *root = scratch_dir(), *p;
        tmpfiles_config c;
        warnings w;

        p = root_path(root, "etc/machine-id");
        check(mkfifo(p, 0644) >= 0);
        free(p);
        p = root_path(root, "etc/passwd");
        check(mkfifo(p, 0644) >= 0);
        free(p);
        alarm(20);
        parse(&c, root, "d /run/%m 0755 - - -\nd /b 0755 svc - -\nx /kept\n", &w);
        alarm(0);
        check(strstr(w.text, "t.conf:1: "));
        check(strstr(w.text, "t.conf:2: unknown user 'svc'"));
        check_int(c.n_items, ==, 1);
        tmpfiles_config_done(&c);
        rm_rf(root);
}

/* ---- the evaluator ---- */

TEST(uncovered_and_aged) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFSOCK | 0755, 2 * DAY);
        tmpfiles_verdict v;

        parse(&c, NULL, "d /tmp 1777 root root 1d\n", &w);
        v = eval(&c, "/run/x.sock", &f);
        check_int(v.fate, ==, TMPFILES_UNCOVERED);
        check(!v.rule);
        v = eval(&c, "/tmp", &f);
        check_int(v.fate, ==, TMPFILES_UNCOVERED);
        v = eval(&c, "//tmp/./x.sock", &f);
        check_int(v.fate, ==, TMPFILES_AGED);
        check(v.rule == c.items && v.expired && v.age_usec == DAY);
        check_int(v.expires_usec, ==, NOW - 2 * DAY + DAY + 1);
        f = file_aged(S_IFSOCK | 0755, HOUR);
        v = eval(&c, "/tmp/x.sock", &f);
        check(v.fate == TMPFILES_AGED && !v.expired);
        check_int(v.expires_usec, ==, NOW - HOUR + DAY + 1);
        v = eval(&c, "/tmp/x.sock", NULL);
        check(v.fate == TMPFILES_AGED && !v.expired && v.expires_usec == NOW + DAY);
        check_int(tmpfiles_evaluate(&c, "relative", NULL, NOW, &v), ==, -EINVAL);
        tmpfiles_config_done(&c);
}

/* Old only when every timestamp the age-by picks is older; an unknown
 * btime (0) holds nothing back; directories use the upper-case letters. */
TEST(age_by_timestamps) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * DAY), d = file_aged(S_IFDIR | 0755, 2 * DAY);

        parse(&c, NULL, "d /tmp - - - 1d\nd /var/tmp - - - am:1d\nd /srv - - - aC:1d\n", &w);
        f.ctime_usec = NOW;
        check(!eval(&c, "/tmp/f", &f).expired);         /* c counts for files by default */
        check(eval(&c, "/var/tmp/f", &f).expired);      /* not with am */
        f.btime_usec = 0;
        f.ctime_usec = NOW - 2 * DAY;
        check(eval(&c, "/tmp/f", &f).expired);
        d.ctime_usec = NOW;
        check(eval(&c, "/tmp/d", &d).expired);          /* C does not count for directories by default */
        check(!eval(&c, "/srv/d", &d).expired);         /* unless asked for */
        d.btime_usec = NOW;
        check(!eval(&c, "/var/tmp/d", &d).expired);     /* am leaves directories at ABM */
        f.mtime_usec = NOW;
        check(!eval(&c, "/var/tmp/f", &f).expired);
        check(eval(&c, "/srv/f", &f).expired);          /* a only for files */
        tmpfiles_config_done(&c);
}

TEST(exclusions) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFSOCK | 0755, 2 * DAY);
        tmpfiles_verdict v;

        parse(&c, NULL,
              "d /tmp 1777 root root 1d\n"
              "x /tmp/x.sock\n"
              "X /tmp/X\n"
              "x /tmp/glob-*\n"
              "x /tmp/g/*.sock\n"
              "x /tmp/br{a,b}\n"
              "f /tmp/own\n"
              "r /tmp/r\n"
              "d /tmp/noage\n"
              "x! /tmp/boot\n",
              &w);
        v = eval(&c, "/tmp/x.sock", &f);
        check(v.fate == TMPFILES_PROTECTED && streq(v.why, "excluded by x") && v.rule == c.items + 1);
        /* X keeps /tmp's walk out, but cleans inside itself, with the age it
         * took from /tmp and its own (default) age-by. */
        check_streq(eval(&c, "/tmp/X", &f).why, "excluded by X");
        v = eval(&c, "/tmp/X/inside.sock", &f);
        check(v.fate == TMPFILES_AGED && v.expired && v.rule == c.items + 2 && v.age_usec == DAY);
        f.ctime_usec = NOW;
        check(!eval(&c, "/tmp/X/inside.sock", &f).expired);
        f.ctime_usec = NOW - 2 * DAY;
        check_streq(eval(&c, "/tmp/glob-1/deep/s", &f).why, "excluded by x");
        check_streq(eval(&c, "/tmp/g/a.sock", &f).why, "excluded by x");
        check(eval(&c, "/tmp/g/.a.sock", &f).fate == TMPFILES_AGED); /* FNM_PERIOD */
        check(eval(&c, "/tmp/g/sub/a.sock", &f).fate == TMPFILES_AGED); /* FNM_PATHNAME */
        check(eval(&c, "/tmp/bra", &f).fate == TMPFILES_AGED);          /* no braces in fnmatch() */
        check_streq(eval(&c, "/tmp/own", &f).why, "own entry");
        check_streq(eval(&c, "/tmp/r", &f).why, "own entry");
        check_streq(eval(&c, "/tmp/noage/s", &f).why, "own entry");
        check(eval(&c, "/tmp/boot", &f).fate == TMPFILES_AGED);
        tmpfiles_config_done(&c);
}

TEST(the_file_itself) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFSOCK | 01755, 2 * DAY);

        parse(&c, NULL, "d /tmp 1777 root root 1d\n", &w);
        check_streq(eval(&c, "/tmp/s", &f).why, "sticky bit");
        f.mode = S_IFDIR | 01777; /* the sticky bit means something else on directories */
        check(eval(&c, "/tmp/d", &f).fate == TMPFILES_AGED);
        f.mode = S_IFSOCK | 0755;
        f.live_socket = true;
        check_streq(eval(&c, "/tmp/s", &f).why, "live socket");
        f.live_socket = false;
        f.mode = S_IFCHR | 0600;
        check_streq(eval(&c, "/tmp/null", &f).why, "device node");
        f.mode = S_IFIFO | 0600;
        check(eval(&c, "/tmp/fifo", &f).fate == TMPFILES_AGED);
        f.mode = S_IFSOCK | 0755;
        f.mount_point = true;
        check_streq(eval(&c, "/tmp/s", &f).why, "mount point");
        tmpfiles_config_done(&c);
}

TEST(mounts_on_the_way) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * DAY);

        parse(&c, NULL, "d /tmp 1777 root root 1d\n", &w);
        f.mount_root = "/tmp/m";
        check_streq(eval(&c, "/tmp/m/x", &f).why, "mount point");
        f.mount_root = "/";
        check(eval(&c, "/tmp/m/x", &f).fate == TMPFILES_AGED);
        f.mount_root = "/tmp"; /* the cleaned directory is the mount: its top is special */
        check_streq(eval(&c, "/tmp/.journal", &f).why, "journal or quota file");
        check_streq(eval(&c, "/tmp/aquota.group", &f).why, "journal or quota file");
        check(eval(&c, "/tmp/sub/.journal", &f).fate == TMPFILES_AGED);
        f.uid = 1000;
        check(eval(&c, "/tmp/.journal", &f).fate == TMPFILES_AGED);
        f.uid = 0;
        f.mode = S_IFDIR | 0700;
        check_streq(eval(&c, "/tmp/lost+found", &f).why, "lost+found");
        f.mode = S_IFREG | 0644;
        check_streq(eval(&c, "/tmp/lost+found/x", &f).why, "lost+found");
        f.mount_root = NULL;
        check(eval(&c, "/tmp/lost+found/x", &f).fate == TMPFILES_AGED);
        tmpfiles_config_done(&c);
}

/* A deeper line governs what is below it: the outer walk stops at its path. */
TEST(nested_lines) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * HOUR);
        tmpfiles_verdict v;

        parse(&c, NULL, "d /tmp 1777 root root 10d\nd /tmp/a 0755 root root 1h\nd /tmp/b - - - -\n", &w);
        v = eval(&c, "/tmp/a/x", &f);
        check(v.fate == TMPFILES_AGED && v.expired && v.rule == c.items + 1);
        v = eval(&c, "/tmp/a", &f);
        check(v.fate == TMPFILES_PROTECTED && streq(v.why, "own entry") && v.rule == c.items + 1);
        check_streq(eval(&c, "/tmp/b/x", &f).why, "own entry");
        tmpfiles_config_done(&c);
}

TEST(first_level_spared) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * DAY), d = file_aged(S_IFDIR | 0755, 2 * DAY);
        tmpfiles_verdict v;

        parse(&c, NULL, "d /tmp - - - ~1d\n", &w);
        v = eval(&c, "/tmp/x", &f);
        check(v.fate == TMPFILES_PROTECTED && streq(v.why, "first level spared by ~") && v.rule == c.items);
        check_streq(eval(&c, "/tmp/d", &d).why, "first level spared by ~");
        check(eval(&c, "/tmp/d/x", &f).expired);
        check_streq(eval(&c, "/tmp/x", NULL).why, "first level spared by ~");
        tmpfiles_config_done(&c);
}

/* e and X clean each directory their glob matches (with braces, as glob()
 * expands them); x, d and the like clean their literal path. */
TEST(which_lines_clean) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * HOUR);

        parse(&c, NULL,
              "e /var/cache/{a,b}* - - - 1h\n"
              "x /var/lib/x - - - 1h\n"
              "X /var/lib/X* - - - 1h\n"
              "C /var/lib/c - - - 1h /etc/passwd\n"
              "L /var/lib/l - - - 1h /x\n"
              "f /var/lib/f - - - 1h\n"
              "e /var/lib/inf - - - infinity\n",
              &w);
        check(eval(&c, "/var/cache/a1/x", &f).expired);
        check(eval(&c, "/var/cache/b/x", &f).expired);
        check(eval(&c, "/var/cache/c/x", &f).fate == TMPFILES_UNCOVERED);
        check(eval(&c, "/var/lib/x/y", &f).expired);
        check(eval(&c, "/var/lib/X1/y", &f).expired);
        check(eval(&c, "/var/lib/c/y", &f).expired);
        check(eval(&c, "/var/lib/l/y", &f).fate == TMPFILES_UNCOVERED);
        check(eval(&c, "/var/lib/f/y", &f).fate == TMPFILES_UNCOVERED);
        check(eval(&c, "/var/lib/inf/y", &f).fate == TMPFILES_UNCOVERED);
        tmpfiles_config_done(&c);
}

TEST(boot_only_cleaner) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * DAY);
        tmpfiles_verdict v;

        parse(&c, NULL, "e! /var/cache/k - - - 0\nd /tmp - - - 1d\nD! /tmp/b - - - -\n", &w);
        v = eval(&c, "/var/cache/k/x", &f);
        check(v.fate == TMPFILES_PROTECTED && streq(v.why, "boot-only line") && v.rule == c.items);
        v = eval(&c, "/tmp/b/x", &f); /* the D! line is not there for --clean */
        check(v.fate == TMPFILES_AGED && v.rule == c.items + 1);
        tmpfiles_config_done(&c);
}

/* dir_cleanup() descends 256 levels: a file 257 deep is reached, 258 not. */
TEST(depth_limit) {
        char path[1024] = "/tmp";
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 2 * DAY);

        parse(&c, NULL, "d /tmp - - - 1d\n", &w);
        for (int i = 0; i < 256; i++)
                strcat(path, "/d");
        strcat(path, "/f");
        check(eval(&c, path, &f).expired);
        strcpy(strrchr(path, '/'), "/d/f");
        check_streq(eval(&c, path, &f).why, "too deep");
        tmpfiles_config_done(&c);
}

/* Two lines reach the same path: deletion by either is what happens. */
TEST(two_cleaners) {
        tmpfiles_config c;
        warnings w;
        tmpfiles_file f = file_aged(S_IFREG | 0644, 3 * HOUR);
        tmpfiles_verdict v;

        parse(&c, NULL, "d /tmp - - - ~1d\nx /tmp - - - 2h\n", &w);
        v = eval(&c, "/tmp/x", &f);
        check(v.fate == TMPFILES_AGED && v.expired && v.rule == c.items + 1);
        tmpfiles_config_done(&c);
}

TAP_MAIN(T(fields_and_defaults), T(ages), T(age_by), T(quotes_and_backslashes),
         T(type_checks), T(lookups_once_per_configuration), T(users_and_groups_under_root), T(specifiers),
         T(unresolvable_specifier_skips), T(argument_specifiers_and_escapes), T(boot_only_lines), T(duplicates),
         T(x_lines_inherit_an_age), T(load_directories_and_overrides), T(load_resolves_directory_links),
         T(load_skips_what_is_no_configuration_file), T(specifier_files_that_are_fifos),
         T(uncovered_and_aged), T(age_by_timestamps), T(exclusions), T(the_file_itself), T(mounts_on_the_way),
         T(nested_lines), T(first_level_spared), T(which_lines_clean), T(boot_only_cleaner), T(depth_limit),
         T(two_cleaners))
