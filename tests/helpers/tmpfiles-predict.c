/* SPDX-License-Identifier: MIT */
/* tmpfiles-predict: the evaluator's side of the differential test against
 * the real systemd-tmpfiles. `tmpfiles-predict --root R PATH...` reads the
 * tmpfiles.d tree under R, looks at R+PATH the way dir_cleanup() does
 * (statx without following symlinks, the mount flag, the bind names in
 * /proc/net/unix), and prints what one `systemd-tmpfiles --root=R --clean`
 * will do with each path, one JSON object per line. Warnings about the
 * configuration go to stderr as "file:line: message". */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "macro.h"
#include "strv.h"
#include "tmpfiles.h"

typedef struct names {
        char **name;
        size_t n;
} names;

static void names_done(names *s) {
        strv_free_n(s->name, s->n);
}

/* load_unix_sockets(): the bind name is what follows the first ':' by 37
 * characters and one more word; only absolute names count. */
static int read_unix_names(names *ret) {
        FILE *f = fopen("/proc/net/unix", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        bool header = true;

        if (!f)
                return negative_errno();
        while ((len = getline(&line, &cap, f)) > 0) {
                char *p = strchr(line, ':');

                if (line[len - 1] == '\n')
                        line[len - 1] = 0;
                if (header || !p || strlen(p) < 37) {
                        header = false;
                        continue;
                }
                p += 37;
                p += strspn(p, " \t\n\r");
                p += strcspn(p, " \t\n\r");
                p += strspn(p, " \t\n\r");
                if (p[0] != '/')
                        continue;
                if (strv_extend(&ret->name, &ret->n, p) < 0) {
                        fclose(f);
                        return -ENOMEM;
                }
        }
        fclose(f);
        return 0;
}

static bool listed(const names *s, const char *path) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->name[i], path))
                        return true;
        return false;
}

static uint64_t ts_usec(const struct statx_timestamp *t) {
        return t->tv_sec < 0 ? 0 : (uint64_t) t->tv_sec * USEC_PER_SEC + t->tv_nsec / NSEC_PER_USEC;
}

static bool is_mount_root(const char *full) {
        struct statx sx;

        return statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &sx) >= 0 &&
               (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The deepest mount point from PATH up to the root, root-relative; NULL
 * when the mount is above the root, which no cleaning line can cross. */
static char *mount_root_of(const char *root, const char *path) {
        _cleanup_free_ char *rel = strdup(path);

        if (!rel)
                return NULL;
        for (;;) {
                _cleanup_free_ char *full = NULL;
                char *slash;

                if (asprintf(&full, "%s%s", root, rel[1] || !root[0] ? rel : "") < 0)
                        return NULL;
                if (is_mount_root(full))
                        return TAKE_PTR(rel);
                if (!rel[1])
                        return NULL;
                slash = strrchr(rel, '/');
                slash[slash == rel ? 1 : 0] = 0;
        }
}

static void on_warning(const char *file, unsigned line, const char *message, void *userdata) {
        fprintf(stderr, "%s:%u: %s\n", file, line, message);
}

static const char *fate_name(tmpfiles_fate fate) {
        return fate == TMPFILES_AGED ? "aged" : fate == TMPFILES_PROTECTED ? "protected" : "uncovered";
}

static void print_verdict(const char *path, const tmpfiles_verdict *v, bool exists) {
        json_writer w;

        json_init(&w, stdout, false);
        json_begin_object(&w);
        json_key(&w, "path");
        json_string(&w, path);
        json_key(&w, "exists");
        json_bool(&w, exists);
        json_key(&w, "fate");
        json_string(&w, fate_name(v->fate));
        json_key(&w, "expired");
        json_bool(&w, v->expired);
        json_key(&w, "why");
        json_string(&w, v->why);
        json_key(&w, "rule");
        if (v->rule) {
                _cleanup_free_ char *rule = NULL;
                if (asprintf(&rule, "%s:%u", v->rule->source, v->rule->line) < 0)
                        rule = NULL;
                json_string(&w, rule ?: "?");
        } else
                json_null(&w);
        json_key(&w, "age_usec");
        json_uint(&w, v->age_usec);
        json_key(&w, "expires_usec");
        json_uint(&w, v->expires_usec);
        json_end_object(&w);
        json_finish(&w);
}

static int predict(const tmpfiles_config *c, const char *root, const names *live, const char *path, uint64_t now) {
        _cleanup_free_ char *full = NULL, *mount = NULL;
        tmpfiles_verdict v;
        tmpfiles_file f;
        struct statx sx;
        bool exists;
        int r;

        if (asprintf(&full, "%s%s", root, path) < 0)
                return -ENOMEM;
        exists = statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                       STATX_TYPE | STATX_MODE | STATX_UID | STATX_ATIME | STATX_MTIME | STATX_CTIME | STATX_BTIME,
                       &sx) >= 0;
        if (!exists && errno != ENOENT)
                return negative_errno();
        if (exists) {
                mount = mount_root_of(root, path);
                f = (tmpfiles_file) {
                        .mode = sx.stx_mode,
                        .uid = sx.stx_uid,
                        .atime_usec = ts_usec(&sx.stx_atime),
                        .btime_usec = (sx.stx_mask & STATX_BTIME) ? ts_usec(&sx.stx_btime) : 0,
                        .ctime_usec = ts_usec(&sx.stx_ctime),
                        .mtime_usec = ts_usec(&sx.stx_mtime),
                        .mount_point = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                                       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT),
                        .live_socket = S_ISSOCK(sx.stx_mode) && listed(live, full),
                        .mount_root = mount,
                };
        }
        r = tmpfiles_evaluate(c, path, exists ? &f : NULL, now, &v);
        if (r < 0)
                return r;
        print_verdict(path, &v, exists);
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "now", required_argument, NULL, 'n' },
                {}
        };
        _cleanup_(tmpfiles_config_done) tmpfiles_config c = {};
        _cleanup_(names_done) names live = {};
        const char *root = "";
        uint64_t now = now_usec(CLOCK_REALTIME);
        int opt, r;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (opt == 'r')
                        root = streq(optarg, "/") ? "" : optarg;
                else if (opt == 'n')
                        now = strtoull(optarg, NULL, 10);
                else {
                        fprintf(stderr, "usage: tmpfiles-predict [--root DIR] [--now USEC] PATH...\n");
                        return 2;
                }
        }
        r = tmpfiles_config_load(&c, root, on_warning, NULL);
        if (r < 0) {
                fprintf(stderr, "tmpfiles-predict: reading tmpfiles.d: %s\n", strerror(-r));
                return 1;
        }
        r = read_unix_names(&live);
        if (r < 0) {
                fprintf(stderr, "tmpfiles-predict: /proc/net/unix: %s\n", strerror(-r));
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                r = predict(&c, root, &live, argv[i], now);
                if (r < 0) {
                        fprintf(stderr, "tmpfiles-predict: %s: %s\n", argv[i], strerror(-r));
                        return 1;
                }
        }
        return 0;
}
