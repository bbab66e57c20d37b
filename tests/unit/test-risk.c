/* SPDX-License-Identifier: MIT */
/* The risk classifier against a fixture root: tmpfiles.d lines with the
 * clean timer on and off, a tmpreaper cron job, a find job in cron.d and
 * a tmpfs in fstab. Each path is checked for its rating, the kinds of its
 * reasons and the youngest age at which something deletes it; and the
 * classifier is checked for what it is told: the path as given, made
 * canonical once, and the sockets to compare it with. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include "macro.h"
#include "risk.h"
#include "shared-tmp.h"
#include "tap.h"
#include "test-util.h"

#define TIMER "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer"
#define TIMER_WANTS "/usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer"

/* A machine as a distribution would set it up: /tmp and /var/tmp aged by
 * tmpfiles.d, one socket excluded; Debian's tmpreaper job switched on,
 * with --all, for /var/tmp; a cron job that cleans /tmp/cache; a tmpfs
 * at /srv/ram. */
static char *fixture_root(bool timer) {
        char *root = scratch_dir(), *tmp;

        put_file(root, "/etc/tmpfiles.d/base.conf",
                 "d /tmp 1777 root root 10d\n"
                 "x /tmp/keep.sock\n"
                 "d /var/tmp 1777 root root 30d\n");
        if (timer) {
                put_file(root, TIMER, "[Timer]\nOnBootSec=15min\n");
                put_symlink(root, TIMER_WANTS, "../systemd-tmpfiles-clean.timer");
        }
        put_file_mode(root, "/usr/sbin/tmpreaper", "#!/bin/sh\n", 0755);
        put_file_mode(root, "/usr/sbin/cron", "#!/bin/sh\n", 0755);
        put_file_mode(root, "/etc/cron.daily/tmpreaper", "#!/bin/sh\ntmpreaper --all 3d /var/tmp/.\n", 0755);
        put_file(root, "/etc/cron.d/cleanup", "0 * * * * root find /tmp/cache -mmin +90 -delete\n");
        put_file(root, "/etc/fstab", "tmpfs /srv/ram tmpfs defaults 0 0\n");

        check(asprintf(&tmp, "%s/tmp", root) >= 0);
        check(mkdir(tmp, 0755) >= 0);
        check(chmod(tmp, 01777) >= 0);
        free(tmp);
        return root;
}

static void load(risk_machine *m, const char *root) {
        warnings w = {};

        check_int(risk_machine_load_offline(m, root, collect_warning, &w), ==, 0);
        if (w.count > 0)
                printf("# %s\n", w.text);
        check_int(w.count, ==, 0);
}

static void print_report(const risk_report *r) {
        printf("# %s: %s\n", r->path, risk_rating_to_string(r->rating));
        for (size_t i = 0; i < r->n_reasons; i++)
                printf("#   %-8s %-18s %s [%s]\n", risk_rating_to_string(r->reasons[i].rating), r->reasons[i].kind,
                       r->reasons[i].text, strempty(r->reasons[i].source));
}

/* The reason of KIND, or NULL. */
static const risk_reason *reason(const risk_report *r, const char *kind) {
        for (size_t i = 0; i < r->n_reasons; i++)
                if (streq(r->reasons[i].kind, kind))
                        return &r->reasons[i];
        return NULL;
}

/* R's reasons are exactly the KINDS, in this order. */
static void check_kinds(const risk_report *r, const char *const *kinds) {
        size_t n = 0;

        for (; kinds[n]; n++) {
                check(n < r->n_reasons);
                check_streq(r->reasons[n].kind, kinds[n]);
        }
        check_int(r->n_reasons, ==, n);
}

#define KINDS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void classify(risk_machine *m, const char *path, risk_report *r) {
        *r = (risk_report) {};
        check_int(risk_classify(m, path, r), ==, 0);
        print_report(r);
        check_streq(r->path, path);
}

TEST(cleaners_of_a_root) {
        char *root = fixture_root(true);
        risk_machine m = {};
        risk_report r;

        load(&m, root);

        /* Aged by tmpfiles (10d) and cleaned by find every hour (90 min):
         * the find job is what a keeper must outpace. */
        classify(&m, "/tmp/cache/app.sock", &r);
        check_int(r.rating, ==, RISK_RISKY);
        check_kinds(&r, KINDS("missing", "tmpfiles-age", "cron"));
        check_int(reason(&r, "tmpfiles-age")->rating, ==, RISK_RISKY);
        check_streq(reason(&r, "tmpfiles-age")->source, "/etc/tmpfiles.d/base.conf:1");
        check_streq(reason(&r, "cron")->source, "/etc/cron.d/cleanup:1");
        check_int(r.shortest_age_usec, ==, 90 * USEC_PER_MINUTE);
        check(r.tmpfiles_evaluated && r.tmpfiles.fate == TMPFILES_AGED);
        check(r.n_advice > 0);
        risk_report_done(&r);

        /* Excluded by its x line; the world-writable /tmp is still a
         * place where anyone can take the name. */
        classify(&m, "/tmp/keep.sock", &r);
        check_int(r.rating, ==, RISK_CAUTION);
        check_kinds(&r, KINDS("missing", "squatting", "tmpfiles-exclusion"));
        check_streq(reason(&r, "tmpfiles-exclusion")->source, "/etc/tmpfiles.d/base.conf:2");
        check_int(r.shortest_age_usec, ==, 0);
        risk_report_done(&r);

        /* tmpfiles (30d) and tmpreaper --all (3d). */
        classify(&m, "/var/tmp/app.sock", &r);
        check_int(r.rating, ==, RISK_RISKY);
        check_kinds(&r, KINDS("missing", "tmpfiles-age", "tmpreaper"));
        check_int(reason(&r, "tmpreaper")->rating, ==, RISK_RISKY);
        check_streq(reason(&r, "tmpreaper")->source, "/etc/cron.daily/tmpreaper:2");
        check(r.tmpreaper_evaluated && r.tmpreaper_runs && r.tmpreaper.deletes);
        check_int(r.shortest_age_usec, ==, 3 * USEC_PER_DAY);
        risk_report_done(&r);

        /* A tmpfs that no cleaner ages. */
        classify(&m, "/srv/ram/app.sock", &r);
        check_int(r.rating, ==, RISK_OK);
        check_kinds(&r, KINDS("missing", "tmpfiles-none", "tmpfs"));
        check_streq(reason(&r, "tmpfs")->source, "/etc/fstab:1");
        check_int(r.shortest_age_usec, ==, 0);
        check_int(r.n_advice, ==, 0);
        risk_report_done(&r);

        /* A directory of its own under /run, an API tmpfs. */
        classify(&m, "/run/app/app.sock", &r);
        check_int(r.rating, ==, RISK_OK);
        check_kinds(&r, KINDS("run", "missing", "tmpfiles-none", "tmpfs"));
        check_streq(reason(&r, "tmpfs")->source, "/run");
        risk_report_done(&r);

        /* Names that no file stands for, or that cannot work. */
        classify(&m, "@app", &r);
        check_int(r.rating, ==, RISK_OK);
        check_kinds(&r, KINDS("abstract"));
        risk_report_done(&r);
        classify(&m, "app.sock", &r);
        check_int(r.rating, ==, RISK_ERROR);
        check_kinds(&r, KINDS("name"));
        risk_report_done(&r);

        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* Without the clean timer a tmpfiles.d line deletes only when somebody
 * runs systemd-tmpfiles --clean: a caution, and its age still counts. */
TEST(timer_off) {
        char *root = fixture_root(false);
        risk_machine m = {};
        risk_report r;

        load(&m, root);
        check_int(m.timer, ==, TIMER_ABSENT);
        classify(&m, "/tmp/app.sock", &r);
        check_int(r.rating, ==, RISK_CAUTION);
        check_kinds(&r, KINDS("missing", "squatting", "tmpfiles-age"));
        check_int(reason(&r, "tmpfiles-age")->rating, ==, RISK_CAUTION);
        check(strstr(reason(&r, "tmpfiles-age")->text, "systemd-tmpfiles-clean.timer"));
        check_int(r.shortest_age_usec, ==, 10 * USEC_PER_DAY);
        risk_report_done(&r);
        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* Every cleaner is asked about the canonical name, the one a keeper
 * binds; the report names the path as it was given. A name with "//" is
 * where it would be without: directly in /run, not in a directory of its
 * own. */
TEST(judged_by_the_canonical_name) {
        char *root = fixture_root(true);
        risk_machine m = {};
        risk_report r, canonical;

        load(&m, root);
        classify(&m, "/run//app.sock", &r);
        check_int(r.rating, ==, RISK_CAUTION);
        check_int(reason(&r, "run")->rating, ==, RISK_CAUTION);
        check(strstr(reason(&r, "run")->text, "directly in /run"));
        classify(&m, "/run/app.sock", &canonical);
        check_int(r.n_reasons, ==, canonical.n_reasons);
        for (size_t i = 0; i < r.n_reasons; i++) {
                check_streq(r.reasons[i].kind, canonical.reasons[i].kind);
                check_int(r.reasons[i].rating, ==, canonical.reasons[i].rating);
        }
        risk_report_done(&r);
        risk_report_done(&canonical);

        classify(&m, "/tmp/./cache//app.sock", &r);
        check_int(r.rating, ==, RISK_RISKY);
        check_kinds(&r, KINDS("missing", "tmpfiles-age", "cron"));
        check_int(r.shortest_age_usec, ==, 90 * USEC_PER_MINUTE);
        risk_report_done(&r);

        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* The sockets a path is compared with are what the caller says: the
 * machine's own (none known offline), or a list of its choosing. */
TEST(sockets_as_told) {
        char *root = fixture_root(true), *name;
        risk_machine m = {};
        risk_report r;
        unix_socket_info listener = { .sock_ino = 4242, .type = SOCK_STREAM, .listening = true };
        risk_sockets told = { .list = &listener, .n = 1, .known = true };
        risk_sockets none = { .known = true };

        load(&m, root);
        check(!risk_machine_sockets(&m).known);

        /* Offline nobody knows what listens: not judged. */
        classify(&m, "/tmp/cache/app.sock", &r);
        check(!reason(&r, "orphaned") && !reason(&r, "listener"));
        risk_report_done(&r);

        /* A listener bound at the name, whose file is gone. */
        check(asprintf(&name, "%s/tmp/cache/app.sock", root) >= 0);
        listener.name = name;
        r = (risk_report) {};
        check_int(risk_classify_found(&m, "/tmp/cache/app.sock", NULL, &told, &r), ==, 0);
        print_report(&r);
        check_int(reason(&r, "orphaned")->rating, ==, RISK_RISKY);
        check(strstr(r.advice[0], "restart the service"));
        risk_report_done(&r);

        /* Known, and nothing listens: the machine's list is not looked at. */
        r = (risk_report) {};
        check_int(risk_classify_found(&m, "/tmp/cache/app.sock", NULL, &none, &r), ==, 0);
        check(!reason(&r, "orphaned"));
        risk_report_done(&r);

        free(name);
        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* A directory is looked at once however many paths it holds; what is
 * learnt is the machine's, which is why classifying takes it not const. */
TEST(directories_looked_at_once) {
        char *root = fixture_root(true);
        risk_machine m = {};
        risk_report r;

        load(&m, root);
        check_int(m.n_dirs, ==, 0);
        for (int i = 0; i < 3; i++) {
                char path[64];

                snprintf(path, sizeof(path), "/tmp/s%d.sock", i);
                classify(&m, path, &r);
                check(reason(&r, "squatting"));
                risk_report_done(&r);
        }
        check_int(m.n_dirs, ==, 1);
        check_streq(m.dirs[0].path, "/tmp");
        check(m.dirs[0].exists && (m.dirs[0].st.st_mode & 07777) == 01777);
        classify(&m, "/var/tmp/x.sock", &r);
        risk_report_done(&r);
        check_int(m.n_dirs, ==, 2);
        check_streq(risk_machine_dir_facts(&m, "/tmp")->path, "/tmp");
        check_int(m.n_dirs, ==, 2);

        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* A socket file at REL under ROOT, bound and closed: its inode. */
static inode_id socket_file(const char *root, const char *rel) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s%s", root, rel);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
        close(fd);
        check(lstat(sa.sun_path, &st) == 0);
        return inode_id_of(&st);
}

static unix_socket_info fake_socket(const char *root, const char *rel, bool listening, bool other_netns,
                                    const inode_id *vfs) {
        static uint32_t next_ino = 7000;
        unix_socket_info s = {
                .sock_ino = next_ino++,
                .type = SOCK_STREAM,
                .listening = listening,
                .other_netns = other_netns,
                .netns = other_netns ? 4026599999 : 4026531840,
                .has_vfs = vfs != NULL,
                .vfs = vfs ? *vfs : (inode_id) {},
        };

        check(asprintf(&s.name, "%s%s", root, rel) >= 0);
        return s;
}

/* The machine's sockets are looked up through an index by name and by
 * file; a caller's own short list is searched from end to end. Both must
 * find the same listeners, in every case the classifier tells apart. */
TEST(indexed_sockets_answer_as_the_list_does) {
        char *root = fixture_root(true);
        static const char *const paths[] = {
                "/tmp/live.sock", "/tmp/ns.sock", "/tmp/moved.sock", "/tmp/gone.sock", "/tmp/taken.sock",
                "/tmp/twice.sock", "/tmp/stale.sock", "/tmp/none.sock",
        };
        risk_machine m = {};
        inode_id live, ns, moved, taken, twice, other;
        unix_socket_info *list;
        size_t n = 0;

        load(&m, root);
        live = socket_file(root, "/tmp/live.sock");
        ns = socket_file(root, "/tmp/ns.sock");
        moved = socket_file(root, "/tmp/moved.sock");
        taken = socket_file(root, "/tmp/taken.sock");
        twice = socket_file(root, "/tmp/twice.sock");
        other = socket_file(root, "/tmp/other.sock");
        (void) socket_file(root, "/tmp/stale.sock");

        list = calloc(16, sizeof(*list));
        check(list);
        list[n++] = fake_socket(root, "/tmp/live.sock", false, false, &live); /* bound, not listening */
        list[n++] = fake_socket(root, "/tmp/live.sock", true, false, &live);
        list[n++] = fake_socket(root, "/elsewhere/ns.sock", true, true, &ns);
        list[n++] = fake_socket(root, "/tmp/ns.sock", true, true, &other); /* the same name, another netns */
        list[n++] = fake_socket(root, "/tmp/moved-from.sock", true, false, &moved);
        list[n++] = fake_socket(root, "/tmp/gone.sock", true, false, NULL);
        list[n++] = fake_socket(root, "/tmp/taken.sock", true, false, &other);
        list[n++] = fake_socket(root, "/tmp/twice.sock", true, false, &other);
        list[n++] = fake_socket(root, "/tmp/twice.sock", true, false, &twice);
        (void) taken;
        m.sockets = list;
        m.n_sockets = n;
        m.sockets_known = m.other_netns_loaded = m.netns_complete = true;

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                risk_sockets indexed = risk_machine_sockets(&m);
                risk_sockets linear = { .list = m.sockets, .n = m.n_sockets, .known = true };
                risk_report a = {}, b = {};
                struct statx stx;
                char *full;
                bool found;

                check(indexed.by_name && indexed.by_vfs);
                check(asprintf(&full, "%s%s", root, paths[i]) >= 0);
                found = statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, &stx) == 0;
                check_int(risk_classify_found(&m, paths[i], found ? &stx : NULL, &indexed, &a), ==, 0);
                check_int(risk_classify_found(&m, paths[i], found ? &stx : NULL, &linear, &b), ==, 0);
                print_report(&a);
                check_int(a.rating, ==, b.rating);
                check_int(a.n_reasons, ==, b.n_reasons);
                for (size_t k = 0; k < a.n_reasons; k++) {
                        check_streq(a.reasons[k].kind, b.reasons[k].kind);
                        check_streq(a.reasons[k].text, b.reasons[k].text);
                }
                risk_report_done(&a);
                risk_report_done(&b);
                free(full);
        }
        /* Each case was met. */
        {
                static const char *const kinds[] = { "listener", "netns", "renamed", "orphaned", "hijacked",
                                                     "listener", "stale", "missing" };

                for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                        risk_report r = {};

                        classify(&m, paths[i], &r);
                        check(reason(&r, kinds[i]));
                        risk_report_done(&r);
                }
        }
        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

/* Shared directories: the usual ones by name, whatever the root holds,
 * and any other world-writable sticky one on the way up, by its mode. */
TEST(shared_tmp_directories) {
        char *root = fixture_root(true), *dir;
        risk_machine m = {};
        const char *found = NULL;

        load(&m, root);
        check_int(shared_tmp_dir(&m, "/tmp/a.sock", &found), ==, 1);
        check_streq(found, "/tmp");
        check_int(shared_tmp_dir(&m, "/var/tmp/deep/er/a.sock", &found), ==, 1); /* not in the root */
        check_streq(found, "/var/tmp");
        check_int(shared_tmp_dir(&m, "/dev/shm/a.sock", NULL), ==, 1);
        check_int(shared_tmp_dir(&m, "/tmpfoo/a.sock", NULL), ==, 0);
        check_int(shared_tmp_dir(&m, "/run/a.sock", NULL), ==, 0);

        /* World-writable alone, or sticky alone, is not shared. */
        check(asprintf(&dir, "%s/srv", root) >= 0);
        check(mkdir(dir, 0755) >= 0);
        free(dir);
        check(asprintf(&dir, "%s/srv/drop", root) >= 0);
        check(mkdir(dir, 0755) >= 0);
        check(chmod(dir, 01777) >= 0);
        free(dir);
        check(asprintf(&dir, "%s/srv/open", root) >= 0);
        check(mkdir(dir, 0755) >= 0);
        check(chmod(dir, 0777) >= 0);
        free(dir);
        check_int(shared_tmp_dir(&m, "/srv/drop/a.sock", &found), ==, 1);
        check_streq(found, "/srv/drop");
        /* ... below it too, where nothing exists yet. */
        check_int(shared_tmp_dir(&m, "/srv/drop/not/yet/a.sock", &found), ==, 1);
        check_streq(found, "/srv/drop");
        check_int(shared_tmp_dir(&m, "/srv/open/a.sock", NULL), ==, 0);
        check_int(shared_tmp_dir(&m, "/srv/a.sock", NULL), ==, 0);

        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

TEST(source_strings) {
        char *t;

        check(!source_ref_to_string(NULL));
        check(!source_ref_to_string(&(source_ref) { .line = 3 }));
        check_streq(t = source_ref_to_string(&(source_ref) { .file = (char *) "/etc/a.conf" }), "/etc/a.conf");
        free(t);
        check_streq(t = source_ref_to_string(&(source_ref) { .file = (char *) "/etc/a.conf", .line = 7 }),
                    "/etc/a.conf:7");
        free(t);
        check_streq(t = source_ref_to_string(&(source_ref) { .file = (char *) "x", .line = 4294967295U }),
                    "x:4294967295");
        free(t);
}

/* Many paths of one directory: after a few, the directory is read once
 * and a name it does not have needs no look of its own; the answers are
 * the same as for the first ones. */
TEST(many_paths_of_one_directory) {
        char *root = fixture_root(true);
        risk_machine m = {};

        load(&m, root);
        for (unsigned i = 0; i < 40; i++)
                if (i % 3 == 0) {
                        char rel[64];

                        snprintf(rel, sizeof(rel), "/tmp/s%u.sock", i);
                        (void) socket_file(root, rel);
                }
        for (unsigned i = 0; i < 40; i++) {
                risk_report r = {};
                char path[64];

                snprintf(path, sizeof(path), "/tmp/s%u.sock", i);
                classify(&m, path, &r);
                if (i % 3 == 0)
                        check(reason(&r, "owner") && !reason(&r, "missing"));
                else
                        check(reason(&r, "missing") && !reason(&r, "owner"));
                risk_report_done(&r);
        }
        check(m.n_dirs == 1 && m.dirs[0].listed);
        risk_machine_done(&m);
        rm_rf(root);
        free(root);
}

TAP_MAIN(T(cleaners_of_a_root), T(source_strings), T(many_paths_of_one_directory), T(timer_off), T(judged_by_the_canonical_name), T(sockets_as_told),
         T(directories_looked_at_once), T(indexed_sockets_answer_as_the_list_does), T(shared_tmp_directories))
