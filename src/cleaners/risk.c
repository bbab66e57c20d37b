/* SPDX-License-Identifier: MIT */
/* The risk classifier: looks at one path the way each cleaner on this
 * machine would, and at what the path is (owner, listener, location), and
 * turns every finding into a reason with a rating and a source, and the
 * reasons into advice. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-util.h"
#include "risk-internal.h"
#include "risk.h"
#include "socket-path.h"
#include "strv.h"

const char *risk_rating_to_string(risk_rating r) {
        static const char *const names[] = {
                [RISK_OK] = "ok",
                [RISK_CAUTION] = "caution",
                [RISK_RISKY] = "risky",
                [RISK_ERROR] = "error",
        };
        return (size_t) r < ELEMENTSOF(names) ? names[r] : NULL;
}

/* A reason, with TEXT and SRC (both taken, and NULL when not told). */
int risk_reason_push(report_ctx *x, risk_rating rating, const char *kind, char *text, char *src) {
        risk_report *r = &x->r;

        /* A path gets about ten reasons: room for them at once. */
        if (GREEDY_REALLOC(r->reasons, x->allocated, r->n_reasons + 1, 16) < 0) {
                free(text);
                free(src);
                return -ENOMEM;
        }
        r->reasons[r->n_reasons++] = (risk_reason) {
                .rating = rating,
                .kind = kind,
                .text = text,
                .source = src,
        };
        if (rating > r->rating)
                r->rating = rating;
        return 0;
}

int risk_reason_add(report_ctx *x, risk_rating rating, const char *kind, const char *source, const char *fmt, ...) {
        char *text = NULL, *src = NULL;
        va_list ap;

        if (risk_told(x, rating)) {
                int n;

                /* Most texts are fixed: no formatting to do. */
                if (!strchr(fmt, '%'))
                        n = (text = strdup(fmt)) ? 0 : -1;
                else {
                        va_start(ap, fmt);
                        n = vasprintf_quick(&text, fmt, ap);
                        va_end(ap);
                }
                if (n < 0)
                        return -ENOMEM;
                if (source && !(src = strdup(source))) {
                        free(text);
                        return -ENOMEM;
                }
        }
        return risk_reason_push(x, rating, kind, text, src);
}

/* "10d", "1d 12h", "1h 30min": days at most, as configurations write ages
 * (a "10d" line should read back as 10d, not 1w 3d). */
static const char *format_age(uint64_t usec, char *buf, size_t size) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "d", 24 * USEC_PER_HOUR }, { "h", USEC_PER_HOUR },
                { "min", USEC_PER_MINUTE },      { "s", USEC_PER_SEC },       { "ms", USEC_PER_MSEC },
                { "us", 1 },
        };
        size_t used = 0;
        int parts = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && usec > 0 && parts < 2; i++) {
                if (usec < units[i].usec)
                        continue;
                used += (size_t) snprintf(buf + used, size - used, "%s%" PRIu64 "%s", parts ? " " : "",
                                          usec / units[i].usec, units[i].suffix);
                usec %= units[i].usec;
                parts++;
                if (used >= size)
                        break;
        }
        if (!parts)
                snprintf(buf, size, "0");
        return buf;
}

static char *item_source(const tmpfiles_item *i) {
        return i ? source_ref_to_string(&(source_ref) { .file = i->source, .line = i->line }) : NULL;
}

void risk_report_done(risk_report *r) {
        for (size_t i = 0; i < r->n_reasons; i++) {
                free(r->reasons[i].text);
                free(r->reasons[i].source);
        }
        strv_free_n(r->advice, r->n_advice);
        free(r->reasons);
        free(r->path);
        *r = (risk_report) {};
}

/* The name is usable as a socket address at all (the library's own check,
 * with the why of each refusal): its canonical form, the one every
 * cleaner is asked about, or NULL with the reason why there is none. */
char *risk_check_name(report_ctx *x, const char *path) {
        _cleanup_free_ char *canonical = NULL;
        socket_path_problem problem;
        int k = socket_path_canonical(path, &canonical, &problem);

        if (k == -ENOMEM) {
                risk_reason_add(x, RISK_ERROR, "name", NULL, "out of memory while checking the name");
                return NULL;
        }
        switch (problem) {
        case SOCKET_PATH_OK:
                if (path[0] != '@')
                        return TAKE_PTR(canonical);
                risk_reason_add(x, RISK_OK, "abstract", NULL,
                           "an abstract socket name: there is no file, so no cleaner can delete it");
                return NULL;
        case SOCKET_PATH_RELATIVE:
                risk_reason_add(x, RISK_ERROR, "name", NULL,
                           "not an absolute path: a relative bind makes the socket invisible to tmpfiles' "
                           "liveness check, and clients cannot rely on it");
                return NULL;
        case SOCKET_PATH_TOO_LONG:
                risk_reason_add(x, RISK_ERROR, "length", NULL,
                           "%zu bytes: longer than the %zu that fit in sun_path, so bind() and connect() fail",
                           strlen(path), (size_t) SOCKET_PATH_MAX);
                return NULL;
        default:
                risk_reason_add(x, RISK_ERROR, "name", NULL, "the path %s", socket_path_problem_to_string(problem));
                return NULL;
        }
}

/* Runtime directories are where sockets belong: emptied at boot, aged by
 * no cleaner. A directory of the socket's own under /run (/run/NAME/, what
 * RuntimeDirectory= makes, or a user's /run/user/UID/) is ok; a socket
 * directly in /run or /run/user shares it with everything else there. */
void risk_check_location(const risk_machine *m, report_ctx *x, const char *path) {
        const char *rest = NULL, *slash;

        if (m->runtime_dir && path_is_under(m->runtime_dir, path)) {
                risk_reason_add(x, RISK_OK, "runtime-dir", NULL,
                           "under $XDG_RUNTIME_DIR (%s): private to its user and aged by no cleaner",
                           m->runtime_dir);
                return;
        }
        if (path_is_under("/run", path))
                rest = path + strlen("/run/");
        else if (path_is_under("/var/run", path))
                rest = path + strlen("/var/run/");
        if (!rest)
                return;

        slash = strchr(rest, '/');
        if (slash && strncmp(rest, "user/", 5) == 0)
                slash = strchr(rest + 5, '/');
        if (!slash)
                risk_reason_add(x, RISK_CAUTION, "run", NULL,
                           "directly in %.*s: emptied at boot and not aged, but shared with everything else there; "
                           "a directory of the service's own (RuntimeDirectory=) keeps it apart from others",
                           (int) (strrchr(path, '/') - path), path);
        else if (strncmp(rest, "user/", 5) == 0)
                risk_reason_add(x, RISK_OK, "runtime-dir", NULL,
                           "under %.*s, a user's runtime directory: private to its user and aged by no cleaner",
                           (int) (slash - path + 1), path);
        else
                risk_reason_add(x, RISK_OK, "run", NULL,
                           "in %.*s, a directory of its own under /run: emptied at boot and aged by no cleaner",
                           (int) (slash - path + 1), path);
}

void risk_check_file(const risk_machine *m, report_ctx *x, const dir_facts *dir, const struct stat *st,
                     bool exists) {
        bool ours = exists && st->st_uid == m->uid;

        if (!exists)
                risk_reason_add(x, RISK_OK, "missing", NULL, "nothing is at the path now");
        else if (S_ISSOCK(st->st_mode))
                risk_reason_add(x, RISK_OK, "owner", NULL, "a socket, owner %u:%u, mode %04o", (unsigned) st->st_uid,
                           (unsigned) st->st_gid, (unsigned) (st->st_mode & 07777));
        else if (S_ISLNK(st->st_mode))
                risk_reason_add(x, RISK_CAUTION, "symlink", NULL,
                           "a symlink: clients follow it, sockkeeper never does");
        else
                risk_reason_add(x, RISK_ERROR, "not-a-socket", NULL, "a %s is at the path, not a socket: bind() fails",
                           S_ISDIR(st->st_mode) ? "directory" : S_ISREG(st->st_mode) ? "regular file" : "special file");

        /* Anyone may create names in a world-writable directory: while the
         * socket is missing, or if it is someone else's, the name is up for
         * grabs. (The sticky bit only protects existing files.) */
        if (dir && dir->exists && (dir->st.st_mode & S_IWOTH) && !ours)
                risk_reason_add(x, RISK_CAUTION, "squatting", NULL,
                           "the directory is world-writable (mode %04o): while the socket is missing, any user "
                           "can take the name, and sockkeeper never takes a path from its owner",
                           (unsigned) (dir->st.st_mode & 07777));
}

/* What is at the path, from the statx() of risk_classify() or of a caller
 * that looked already: the stat the checks read, and the birth time and
 * mount-root flag that tmpfiles' age and mount rules need. */
void risk_facts_from_statx(const struct statx *stx, struct stat *st, tmpfiles_file *f) {
        stat_from_statx(stx, st);
        *f = (tmpfiles_file) {
                .mode = st->st_mode,
                .uid = st->st_uid,
                .atime_usec = timespec_to_usec(&st->st_atim),
                .ctime_usec = timespec_to_usec(&st->st_ctim),
                .mtime_usec = timespec_to_usec(&st->st_mtim),
                .mount_point = stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT &&
                               stx->stx_attributes & STATX_ATTR_MOUNT_ROOT,
        };
        if (stx->stx_mask & STATX_BTIME)
                f->btime_usec = (uint64_t) stx->stx_btime.tv_sec * USEC_PER_SEC + stx->stx_btime.tv_nsec / 1000;
}

static const char *timer_words(timer_state t) {
        switch (t) {
        case TIMER_ABSENT:
                return "there is no systemd-tmpfiles-clean.timer in the system unit directories";
        case TIMER_DISABLED:
                return "systemd-tmpfiles-clean.timer is not enabled";
        case TIMER_MASKED:
                return "systemd-tmpfiles-clean.timer is masked";
        default:
                return "";
        }
}

/* A cleaner found deletes the path once it is AGE_USEC old: the youngest
 * such age is how fresh a keeper must keep it. */
static void note_age(risk_report *r, uint64_t age_usec) {
        if (age_usec && (!r->shortest_age_usec || age_usec < r->shortest_age_usec))
                r->shortest_age_usec = age_usec;
}

/* The directory's plan does most of the work, shared by its entries. */
static int evaluate_tmpfiles(const risk_machine *m, const dir_facts *dir, const char *path, const tmpfiles_file *f,
                             tmpfiles_verdict *ret) {
        if (dir && dir->tmpfiles)
                return tmpfiles_evaluate_in(&m->tmpfiles, dir->tmpfiles, path, f, m->now_usec, ret);
        return tmpfiles_evaluate(&m->tmpfiles, path, f, m->now_usec, ret);
}

/* LISTED_LIVE: /proc/net/unix of tmpfiles' namespace lists the path as
 * given, the string a live socket was bound with. */
void risk_check_tmpfiles(const risk_machine *m, report_ctx *x, const char *path, const dir_facts *dir,
                         const tmpfiles_file *found, bool exists, bool listed_live) {
        risk_report *r = &x->r;
        tmpfiles_verdict now, unprotected;
        tmpfiles_file f;
        _cleanup_free_ char *src = NULL, *timer_src = NULL, *own_mount = NULL;
        char age[32], when[64] = "";
        bool enabled = m->timer == TIMER_ENABLED;

        f = exists ? *found : (tmpfiles_file) { .mode = S_IFSOCK };
        f.live_socket = listed_live;
        /* The path's own mount only if it is a mount point itself; its
         * directory's otherwise (shared by many paths). */
        if (exists && f.mount_point)
                f.mount_root = own_mount = strdup(path);
        else
                f.mount_root = dir ? dir->mount_root : NULL;
        if (evaluate_tmpfiles(m, dir, path, exists ? &f : NULL, &now) < 0)
                return;
        r->tmpfiles_evaluated = true;
        r->tmpfiles = now;

        /* The same file without the listener: which rule waits behind the
         * liveness check, should the name ever stop matching. */
        unprotected = now;
        if (f.live_socket && now.fate == TMPFILES_PROTECTED) {
                f.live_socket = false;
                if (evaluate_tmpfiles(m, dir, path, &f, &unprotected) < 0)
                        return;
        }

        switch (now.fate) {
        case TMPFILES_UNCOVERED:
                risk_reason_add(x, RISK_OK, "tmpfiles-none", NULL, "no tmpfiles.d line ages this directory");
                return;

        case TMPFILES_AGED:
                note_age(r, now.age_usec);
                if (!risk_told(x, enabled ? RISK_RISKY : RISK_CAUTION)) {
                        risk_reason_push(x, enabled ? RISK_RISKY : RISK_CAUTION, "tmpfiles-age", NULL, NULL);
                        return;
                }
                src = item_source(now.rule);
                format_age(now.age_usec, age, sizeof(age));
                if (exists && now.expired)
                        snprintf(when, sizeof(when), "; it is old enough already");
                else if (exists && now.expires_usec > m->now_usec) {
                        char left[32];
                        snprintf(when, sizeof(when), "; in %s at the earliest",
                                 format_age(now.expires_usec - m->now_usec, left, sizeof(left)));
                }
                if (enabled)
                        risk_reason_add(x, RISK_RISKY, "tmpfiles-age", src,
                                   "systemd-tmpfiles --clean (daily timer) deletes it once it is %s old%s", age,
                                   when);
                else {
                        /* In parentheses the unit file or the mask that
                         * decided, when there is one. */
                        timer_src = source_ref_to_string(&m->timer_source);
                        risk_reason_add(x, RISK_CAUTION, "tmpfiles-age", src,
                                   "a tmpfiles.d line deletes it once it is %s old%s, but %s%s%s%s, so only a "
                                   "manual systemd-tmpfiles --clean does",
                                   age, when, timer_words(m->timer), timer_src ? " (" : "", strempty(timer_src),
                                   timer_src ? ")" : "");
                }
                return;

        case TMPFILES_PROTECTED:
                if (streq(now.why, "live socket") && unprotected.fate == TMPFILES_AGED) {
                        note_age(r, unprotected.age_usec);
                        if (risk_told(x, enabled ? RISK_CAUTION : RISK_OK))
                                src = item_source(unprotected.rule);
                        risk_reason_add(x, enabled ? RISK_CAUTION : RISK_OK, "tmpfiles-live", src,
                                   "a tmpfiles.d line ages it (%s), and tmpfiles spares it only while a socket "
                                   "is listed in /proc/net/unix under exactly this name; a rename, a restart "
                                   "into another network namespace or PrivateTmp= ends that",
                                   format_age(unprotected.age_usec, age, sizeof(age)));
                        return;
                }
                if (risk_told(x, RISK_OK))
                        src = item_source(now.rule);
                risk_reason_add(x, RISK_OK, "tmpfiles-exclusion", src, "systemd-tmpfiles --clean leaves it alone: %s",
                           now.why);
                return;
        }
}

void risk_check_tmpreaper(risk_machine *m, report_ctx *x, const char *path, const struct stat *st, bool exists) {
        risk_report *r = &x->r;
        const tmpreaper_config *c = &m->tmpreaper;
        tmpreaper_verdict v;
        _cleanup_free_ char *src = NULL;
        char age[32];

        if (!c->installed)
                return;
        /* What is there now decides (type, owner, the directories on the
         * way); a missing path is judged as the socket it will be. */
        if (exists)
                tmpreaper_evaluate_found(c, &m->tmpreaper_stats, m->root, path, st, &v);
        else
                tmpreaper_evaluate(c, path, true, &v);
        r->tmpreaper_evaluated = true;
        r->tmpreaper = v;
        r->tmpreaper_runs = c->runs;
        if (!v.reaches)
                return;

        if (!c->runs) {
                if (risk_told(x, RISK_OK))
                        src = source_ref_to_string(&c->disabled_by);
                risk_reason_add(x, RISK_OK, "tmpreaper", src, "tmpreaper is installed but its cron job does not clean: %s",
                           strempty(c->disabled_reason));
        } else if (v.protected_by) {
                if (risk_told(x, RISK_OK))
                        src = source_ref_to_string(v.protected_source);
                risk_reason_add(x, RISK_OK, "tmpreaper", src, "tmpreaper's daily job protects it (--protect '%s')",
                           v.protected_by);
        } else if (v.deletes) {
                note_age(r, v.age_usec);
                src = source_ref_to_string(c->all ? &c->all_source : &c->dirs_source);
                risk_reason_add(x, RISK_RISKY, "tmpreaper", src ?: "/etc/cron.daily/tmpreaper",
                           "tmpreaper's daily cron job deletes it once its %s are %s old%s%s",
                           strempty(v.age_by), format_age(v.age_usec, age, sizeof(age)),
                           c->all ? " (--all: sockets too)" : "",
                           c->cron_daemon ? "" : "; no cron daemon runs it on this machine now");
        } else {
                if (risk_told(x, RISK_OK))
                        src = source_ref_to_string(&c->dirs_source);
                risk_reason_add(x, RISK_OK, "tmpreaper", src ?: "/etc/cron.daily/tmpreaper",
                           "tmpreaper's daily cron job reaches it but leaves it alone: %s",
                           v.kept_because ?: "sockets need --all");
        }
}

void risk_check_cron(const risk_machine *m, report_ctx *x, const char *path) {
        risk_report *r = &x->r;
        for (size_t i = 0; i < m->n_cron; i++) {
                const cron_cleaner *c = &m->cron[i];
                _cleanup_free_ char *src = NULL;

                if (!cron_cleaner_covers(c, path))
                        continue;
                if (risk_told(x, c->sockets ? RISK_RISKY : RISK_OK))
                        src = source_ref_to_string(&c->source);
                if (c->sockets) {
                        note_age(r, c->age_usec);
                        risk_reason_add(x, RISK_RISKY, "cron", src, "a cron job deletes under %s, sockets included: %s",
                                   c->dir, c->command);
                } else
                        risk_reason_add(x, RISK_OK, "cron", src, "a cron job cleans %s, but not sockets: %s", c->dir,
                                   c->command);
        }
}

/* The directory's answer holds for its entries, but for a mount point. */
void risk_check_tmpfs(const risk_machine *m, report_ctx *x, const char *path, const dir_facts *dir) {
        _cleanup_(source_ref_done) source_ref src_ref = {};
        _cleanup_free_ char *src = NULL;
        const source_ref *found = &src_ref;
        int k;

        if (!m->mounts_known)
                return;
        if (dir && !tmpfs_table_is_point(&m->mounts, path)) {
                k = dir->tmpfs;
                found = &dir->tmpfs_source;
        } else
                k = tmpfs_table_lookup(&m->mounts, path, risk_told(x, RISK_OK) ? &src_ref : NULL);
        if (k <= 0)
                return;
        if (risk_told(x, RISK_OK))
                src = source_ref_to_string(found);
        risk_reason_add(x, RISK_OK, "tmpfs", src,
                   "on a tmpfs, emptied at every boot: the daemon must create its directory and bind anew "
                   "when it starts");
}
