/* SPDX-License-Identifier: MIT */
/* migrate's naming and rewriting: the runtime directory name derived from
 * a unit, the new path of an old one, and socket paths found and replaced
 * inside raw unit-file values without touching the rest. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "migrate-map.h"
#include "sockpath-text.h"
#include "tap.h"

/* What the helpers return lives until the test's process ends; the
 * list keeps the leak checker content. */
static char *kept[64];
static size_t n_kept;

static char *keep(char *s) {
        check(n_kept < ELEMENTSOF(kept));
        kept[n_kept++] = s;
        return s;
}

static void free_kept(void) {
        while (n_kept > 0)
                free(kept[--n_kept]);
}

static char *name(const char *unit, bool per_instance) {
        char *s = NULL;
        int r = migrate_runtime_name(unit, per_instance, &s);

        return r < 0 ? NULL : keep(s);
}

TEST(runtime_names) {
        check_streq(name("foo.service", false), "foo");
        check_streq(name("foo-bar.service", true), "foo-bar");
        check_streq(name("foo@.service", true), "foo-%i");
        check_streq(name("foo@bar.service", true), "foo-%i");
        check_streq(name("foo@.service", false), "foo");
        /* Unit-name escapes: '-' comes back, '/' does not. */
        check_streq(name("my\\x2dapp.service", false), "my-app");
        check_streq(name("a\\x2fb.service", false), "a_b");
        check_streq(name("a:b.service", false), "a_b");
        check_streq(name(".hidden.service", false), "_hidden");
        check(!name("not-a-unit", false));
        check(!name("", false));
        free_kept();
}

static char *mapped(const char *old, const char *dir, bool user, int *ret_r) {
        char *s = NULL;

        *ret_r = migrate_map_path(old, dir, user, &s);
        return *ret_r < 0 ? NULL : keep(s);
}

TEST(new_paths) {
        int r;

        check_streq(mapped("/tmp/foo.sock", "foo", false, &r), "%t/foo/foo.sock");
        check_streq(mapped("/var/tmp/dyn/api.socket", "dyn", false, &r), "%t/dyn/api.socket");
        check_streq(mapped("/tmp/app-%i.sock", "app-%i", false, &r), "%t/app-%i/app-%i.sock");
        check(!mapped("relative.sock", "x", false, &r));
        check_int(r, ==, -EINVAL);
        check(!mapped("/tmp/../etc/x.sock", "x", false, &r));
        check_int(r, ==, -EINVAL);
        check(!mapped("/tmp/", "x", false, &r));
        check_int(r, ==, -EINVAL);
        check(!mapped("/tmp/%h.sock", "x", false, &r));
        check_int(r, ==, -EINVAL);
        /* 107 bytes at most, with %t as long as it gets. */
        {
                char old[120] = "/tmp/";
                memset(old + 5, 'a', 90);
                strcpy(old + 95, ".sock");
                check(mapped(old, "d", false, &r)); /* /run/d/ + 95 = 102 */
                check(!mapped(old, "d", true, &r)); /* /run/user/4294967295/d/ + 95 */
                check_int(r, ==, -ENAMETOOLONG);
        }
        free_kept();
}

TEST(runtime_locations) {
        check(migrate_path_is_runtime("/run/foo.sock", NULL));
        check(migrate_path_is_runtime("/var/run/foo/x.sock", NULL));
        check(migrate_path_is_runtime("%t/foo/x.sock", NULL));
        check(migrate_path_is_runtime("/home/u/rt/x.sock", "/home/u/rt"));
        check(!migrate_path_is_runtime("/running/x.sock", NULL));
        check(!migrate_path_is_runtime("/tmp/x.sock", "/run/user/1000"));
}

TEST(instance_expansion) {
        char *s = NULL;

        check_int(migrate_expand_instance("/tmp/a-%i.sock %t/a-%i/x %%", "web\\x2d1", &s), ==, 0);
        check_streq(s, "/tmp/a-web\\x2d1.sock %t/a-web\\x2d1/x %%");
        free(s);
        check_int(migrate_expand_instance("/tmp/%I.sock", "a\\x2db", &s), ==, 0);
        check_streq(s, "/tmp/a-b.sock");
        free(s);
        check_int(migrate_expand_instance("/tmp/%n.sock", "x", &s), ==, -EINVAL);
}

static char *found(const char *value) {
        sockpath_span *spans = NULL;
        char *buf = calloc(1, 1024);
        int n = sockpath_find(value, &spans);

        check(n >= 0 && buf);
        for (int i = 0; i < n; i++) {
                strcat(buf, i ? "|" : "");
                strncat(buf, value + spans[i].start, spans[i].len);
        }
        free(spans);
        return keep(buf);
}

TEST(finding_paths) {
        check_streq(found("/usr/bin/d --listen /tmp/a.sock"), "/usr/bin/d|/tmp/a.sock");
        check_streq(found("--socket=/tmp/a.sock,mode=0600"), "/tmp/a.sock");
        check_streq(found("\"SOCK=unix:///tmp/a b.sock\""), "/tmp/a");
        check_streq(found("x/tmp/a.sock"), "");
        check_streq(found("'/tmp/a-%i.sock'"), "/tmp/a-%i.sock");
        check_streq(found("a / b"), "");
        check(sockpath_looks_like_socket("/tmp/a.sock"));
        check(sockpath_looks_like_socket("/tmp/a.socket"));
        check(sockpath_looks_like_socket("/tmp/mysockdir"));
        check(sockpath_looks_like_socket("/tmp/A.SOCK"));
        check(!sockpath_looks_like_socket("/tmp/socks/a.pid"));
        free_kept();
}

TEST(replacing_paths) {
        char *s = NULL;

        check_int(sockpath_replace("/bin/d -l /tmp/a.sock -c /tmp/a.sock.conf", "/tmp/a.sock", "%t/d/a.sock", &s),
                  ==, 1);
        check_streq(s, "/bin/d -l %t/d/a.sock -c /tmp/a.sock.conf");
        free(s);
        check_int(sockpath_replace("\"A=/tmp/a.sock\" B=unix:/tmp/a.sock", "/tmp/a.sock", "%t/x", &s), ==, 2);
        check_streq(s, "\"A=%t/x\" B=unix:%t/x");
        free(s);
        s = NULL;
        check_int(sockpath_replace("/var/tmp/a.sock", "/tmp/a.sock", "%t/x", &s), ==, 0);
        check(!s);
}

TAP_MAIN(T(runtime_names),
         T(new_paths),
         T(runtime_locations),
         T(instance_expansion),
         T(finding_paths),
         T(replacing_paths))
