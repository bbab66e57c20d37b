/* SPDX-License-Identifier: MIT */
/* The classification of one path: each check of risk.c and the listeners
 * of risk-listeners.c in turn, then the advice that the reasons call
 * for. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "risk-internal.h"
#include "risk.h"
#include "socket-path.h"
#include "strv.h"

#define add_advice(x, ...) strv_pushf(&(x)->r.advice, &(x)->r.n_advice, __VA_ARGS__)

/* A snippet name for tmpfiles-snippet --install from the path: its file
 * name without ".sock", in the characters that command accepts. */
static void snippet_name(const char *path, char *buf, size_t size) {
        const char *base = strrchr(path, '/') + 1;
        size_t n = strlen(base), k = 0;

        if (n > 5 && streq(base + n - 5, ".sock"))
                n -= 5;
        for (size_t i = 0; i < n && k + 1 < size; i++) {
                char c = base[i];
                buf[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                           c == '.' || c == '_' || c == '@' || c == '-' ? c : '-';
        }
        buf[k] = '\0';
        if (k == 0)
                snprintf(buf, size, "socket");
}

static void advise(report_ctx *x, const char *path) {
        risk_report *r = &x->r;
        char name[64];
        bool tmpfiles = false, others = false, orphaned = false, in_runtime_dir = false, squatting = false;
        bool hidden = false, placed = false;

        if (r->rating < RISK_CAUTION)
                return;
        for (size_t i = 0; i < r->n_reasons; i++) {
                const char *k = r->reasons[i].kind;

                in_runtime_dir |= r->reasons[i].rating == RISK_OK && (streq(k, "runtime-dir") || streq(k, "run"));
                squatting |= streq(k, "squatting");
                if (r->reasons[i].rating < RISK_CAUTION)
                        continue;
                /* An x line protects a renamed socket too: it needs no liveness check. */
                tmpfiles |= strncmp(k, "tmpfiles-", 9) == 0 || streq(k, "renamed");
                others |= streq(k, "tmpreaper") || streq(k, "cron");
                orphaned |= streq(k, "orphaned") || streq(k, "hijacked");
                /* Caution that only root can lift: no reason to move. */
                hidden |= streq(k, "holder-hidden");
                placed |= !streq(k, "holder-hidden");
        }
        /* Only what this release can do: guard and migrate come later. */
        if (orphaned)
                add_advice(x, "restart the service that listens on it: until it binds again, no client reaches it");
        snippet_name(path, name, sizeof(name));
        if (tmpfiles)
                add_advice(x, "exclude it from tmpfiles: sockkeeper tmpfiles-snippet --install --name %s %s", name,
                           path);
        if (others)
                add_advice(x, "keep it alive whatever deletes it: link the daemon with libsockkeeper(3)");
        if (hidden)
                add_advice(x, "run this as root to see where its file is: only root can look into the mount "
                              "namespace of its holder");
        if (hidden && !placed)
                return;
        /* Already in a runtime directory of its own (not a world-writable
         * one such as /run/lock): moving is no remedy. */
        if (in_runtime_dir && !squatting)
                return;
        add_advice(x, "move it where no cleaner looks: /run/NAME/ with RuntimeDirectory= for a system service, "
                      "$XDG_RUNTIME_DIR for a user's");
}

/* FULL is PATH under the root when the caller has joined them already,
 * else NULL: the join is made only for a name worth looking at. */
static int classify(risk_machine *m, const char *path, const char *full, const struct statx *found,
                    const risk_sockets *sockets, risk_report *ret) {
        report_ctx x = { .r = { .rating = RISK_OK }, .texts_from = m->texts_from };
        _cleanup_free_ char *joined = NULL, *canonical = NULL, *parent = NULL;
        struct stat st = {};
        tmpfiles_file f = {};
        bool exists = found;

        x.r.path = strdup(path);
        if (!x.r.path)
                return -ENOMEM;

        /* Every cleaner is asked about the canonical form, the one the
         * library binds; the file and the listeners are looked up by the
         * name as given, which is what a socket is bound with. */
        canonical = risk_check_name(&x, path);
        if (canonical) {
                const dir_facts *dir;

                if (!full)
                        full = joined = path_join_root(m->root, path);
                parent = path_parent(canonical);
                if (!full || !parent) {
                        risk_report_done(&x.r);
                        return -ENOMEM;
                }
                dir = risk_machine_dir_facts(m, parent);
                if (exists)
                        risk_facts_from_statx(found, &st, &f);

                risk_check_location(m, &x, canonical);
                risk_check_file(m, &x, dir, &st, exists);
                risk_check_tmpfiles(m, &x, canonical, dir, &f, exists, risk_listed_live(sockets, full));
                risk_check_tmpreaper(m, &x, canonical, &st, exists);
                risk_check_cron(m, &x, canonical);
                risk_check_tmpfs(m, &x, canonical, dir);
                risk_check_listeners(m, sockets, &x, canonical, full, &st, exists);
                if (m->advice)
                        advise(&x, path);
        }

        *ret = x.r;
        return 0;
}

int risk_classify_found(risk_machine *m, const char *path, const struct statx *found, const risk_sockets *sockets,
                        risk_report *ret) {
        return classify(m, path, NULL, found, sockets, ret);
}

/* statx() of FULL, PATH under the root: by its name in the directory's
 * kept fd where PATH is canonical, and not at all where the directory is
 * missing. */
static bool look_at(risk_machine *m, const char *path, const char *full, struct statx *ret) {
        _cleanup_free_ char *canonical = NULL, *parent = NULL;
        const dir_facts *dir;

        if (socket_path_canonical(path, &canonical, NULL) < 0 || !streq(canonical, path) ||
            !(parent = path_parent(canonical)) || !(dir = risk_machine_dir_facts(m, parent)))
                return statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, ret) >= 0;
        if (!dir->exists)
                return false;
        if (dir->fd < 0)
                return statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, ret) >= 0;
        return risk_machine_dir_may_have(m, dir, strrchr(canonical, '/') + 1) &&
               statx(dir->fd, strrchr(canonical, '/') + 1, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, ret) >= 0;
}

int risk_classify(risk_machine *m, const char *path, risk_report *ret) {
        _cleanup_free_ char *full = path[0] == '/' ? path_join_root(m->root, path) : NULL;
        risk_sockets sockets = risk_machine_sockets(m);
        struct statx stx;
        bool found;

        if (path[0] == '/' && !full)
                return -ENOMEM;
        found = full && look_at(m, path, full, &stx);
        /* A socket file: whether it is alive may depend on the other
         * network namespaces, listed the first time it does. */
        if (found && S_ISSOCK(stx.stx_mode) && !m->other_netns_loaded) {
                int r = risk_machine_load_other_netns(m);
                if (r < 0)
                        return r;
                sockets = risk_machine_sockets(m);
        }
        return classify(m, path, full, found ? &stx : NULL, &sockets, ret);
}
