/* SPDX-License-Identifier: MIT */
/* The machine that the risk classifier judges paths against, read once
 * per run: every cleaner's configuration under the root, the clean
 * timer, the mounts, the bound sockets and who asks; and the directories
 * that hold checked paths, each looked at once as paths come. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "risk.h"
#include "strv.h"

static bool mount_id_of(const char *full, uint64_t *ret) {
        struct statx stx;

        if (statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
                return false;
        *ret = stx.stx_mnt_id;
        return true;
}

/* The deepest mount point at or above PATH (root-relative), found by
 * walking up until the mount id changes: tmpfiles never crosses into
 * another mount, so a mount between an aging line and the path stops it. */
static char *mount_root_of(const char *root, const char *path) {
        _cleanup_free_ char *cur = strdup(path);
        uint64_t id, parent_id;

        if (!cur)
                return NULL;
        for (;;) {
                _cleanup_free_ char *full = path_join_root(root, cur), *up = NULL;

                if (!full)
                        return NULL;
                if (mount_id_of(full, &id))
                        break;
                if (streq(cur, "/"))
                        return NULL;
                up = path_parent(cur); /* a path that does not exist yet: start above it */
                free(cur);
                cur = TAKE_PTR(up);
        }
        while (!streq(cur, "/")) {
                _cleanup_free_ char *up = path_parent(cur), *up_full = NULL;

                up_full = up ? path_join_root(root, up) : NULL;
                if (!up_full || !mount_id_of(up_full, &parent_id) || parent_id != id)
                        break;
                free(cur);
                cur = TAKE_PTR(up);
        }
        return TAKE_PTR(cur);
}

/* By name, then by place in the list. */
static int cmp_by_name(const void *a, const void *b) {
        const unix_socket_info *x = *(const unix_socket_info *const *) a, *y = *(const unix_socket_info *const *) b;
        int d = strcmp(x->name, y->name);

        return d ? d : (x > y) - (x < y);
}

/* By file as unix_diag_matches() compares them, then by place in the list. */
static int cmp_by_vfs(const void *a, const void *b) {
        const unix_socket_info *x = *(const unix_socket_info *const *) a, *y = *(const unix_socket_info *const *) b;
        uint32_t i = (uint32_t) x->vfs.ino, j = (uint32_t) y->vfs.ino;

        if (x->vfs.dev != y->vfs.dev)
                return x->vfs.dev < y->vfs.dev ? -1 : 1;
        if (i != j)
                return i < j ? -1 : 1;
        return (x > y) - (x < y);
}

static void drop_socket_index(risk_machine *m) {
        free(m->sockets_by_name);
        free(m->sockets_by_vfs);
        m->sockets_by_name = m->sockets_by_vfs = NULL;
        m->n_sockets_by_name = m->n_sockets_by_vfs = 0;
}

static int machine_load(risk_machine *m, const char *root, bool sockets, tmpfiles_warn_fn warn, void *userdata) {
        const char *rt;
        int r;

        *m = (risk_machine) {
                .root = strdup(root),
                .uid = geteuid(),
                .now_usec = now_usec(CLOCK_REALTIME),
                .texts_from = RISK_OK,
                .advice = true,
                .processes = { .proc = "/proc" },
        };
        if (!m->root)
                return -ENOMEM;

        r = tmpfiles_config_load(&m->tmpfiles, root, warn, userdata);
        if (r < 0)
                return r;
        r = tmpreaper_config_load(&m->tmpreaper, root);
        if (r < 0)
                return r;
        r = cron_cleaners_load(&m->cron, &m->n_cron, root);
        if (r < 0)
                return r;
        (void) unit_dirs_warn_unreadable(root, warn, userdata);
        m->timer = tmpfiles_clean_timer_state(root, &m->timer_source);
        m->mounts_known = tmpfs_table_load(&m->mounts, root) >= 0;

        /* tmpfiles tells live sockets by the bind string in /proc/net/unix,
         * which under --root carries the root prefix too: the same list
         * serves both. It sees only its own network namespace's. */
        m->sockets_known = sockets && unix_diag_list(UNIX_DIAG_OWN_NETNS, &m->sockets, &m->n_sockets, NULL) >= 0;

        rt = getenv("XDG_RUNTIME_DIR");
        if (streq(root, "/") && rt && rt[0] == '/') {
                m->runtime_dir = strdup(rt);
                if (!m->runtime_dir)
                        return -ENOMEM;
        }
        return 0;
}

int risk_machine_load(risk_machine *m, const char *root, tmpfiles_warn_fn warn, void *userdata) {
        return machine_load(m, root, true, warn, userdata);
}

int risk_machine_load_offline(risk_machine *m, const char *root, tmpfiles_warn_fn warn, void *userdata) {
        return machine_load(m, root, false, warn, userdata);
}

void risk_machine_done(risk_machine *m) {
        tmpfiles_config_done(&m->tmpfiles);
        tmpreaper_config_done(&m->tmpreaper);
        tmpreaper_stat_memo_done(&m->tmpreaper_stats);
        cron_cleaners_free(m->cron, m->n_cron);
        source_ref_done(&m->timer_source);
        tmpfs_table_done(&m->mounts);
        unix_socket_info_free_many(m->sockets, m->n_sockets);
        drop_socket_index(m);
        socket_owners_done(&m->owners);
        process_cache_done(&m->processes);
        netns_names_done(&m->netns_names);
        for (size_t i = 0; i < m->n_dirs; i++) {
                free(m->dirs[i].path);
                free(m->dirs[i].mount_root);
                tmpfiles_plan_free(m->dirs[i].tmpfiles);
                source_ref_done(&m->dirs[i].tmpfs_source);
                safe_close(m->dirs[i].fd);
                strv_free_n(m->dirs[i].names, m->dirs[i].n_names);
        }
        free(m->dirs);
        free(m->views);
        free(m->places);
        free(m->runtime_dir);
        free(m->root);
        *m = (risk_machine) {};
}

int risk_machine_load_other_netns(risk_machine *m) {
        unix_socket_info *s = NULL, *p;
        size_t n = 0;
        bool complete = false;

        if (!m->sockets_known || m->other_netns_loaded)
                return 0;
        m->other_netns_loaded = true;
        if (unix_diag_list(UNIX_DIAG_OTHER_NETNS, &s, &n, &complete) < 0)
                return 0; /* out of reach as a whole: netns_complete stays false */
        if (n > 0) {
                drop_socket_index(m); /* it points into the list that moves */
                p = reallocarray(m->sockets, m->n_sockets + n, sizeof(*p));
                if (!p) {
                        unix_socket_info_free_many(s, n);
                        return -ENOMEM;
                }
                memcpy(p + m->n_sockets, s, n * sizeof(*s));
                m->sockets = p;
                m->n_sockets += n;
        }
        free(s); /* the names moved */
        m->netns_complete = complete;
        return 0;
}

/* Read once, even when that fails. */
const socket_owners *risk_machine_owners(risk_machine *m) {
        if (!m->owners_loaded) {
                m->owners_loaded = true;
                m->owners_error = socket_owners_load(&m->owners, "/proc");
        }
        return m->owners_error < 0 ? NULL : &m->owners;
}

const netns_names *risk_machine_netns_names(risk_machine *m) {
        if (!m->netns_names_loaded) {
                m->netns_names_loaded = true;
                (void) netns_names_load(&m->netns_names, "/run/netns");
        }
        return &m->netns_names;
}

#define DIR_FDS_MAX 64

/* Many paths share a directory, so it is looked at once. */
const dir_facts *risk_machine_dir_facts(risk_machine *m, const char *dir) {
        _cleanup_free_ char *full = NULL;
        dir_facts facts = {}, *d;

        /* Paths come in runs of one directory: the latest first. */
        if (m->n_dirs > 0 && streq(m->dirs[m->last_dir].path, dir))
                return &m->dirs[m->last_dir];
        for (size_t i = 0; i < m->n_dirs; i++)
                if (streq(m->dirs[i].path, dir)) {
                        m->last_dir = i;
                        return &m->dirs[i];
                }

        facts = (dir_facts) { .path = strdup(dir), .fd = -EBADF };
        if (!facts.path)
                return NULL;
        full = path_join_root(m->root, dir);
        facts.exists = full && stat(full, &facts.st) >= 0;
        /* Its entries are looked at by name from here: a path walk of one
         * component each. A few dozen are kept open, not one per path. */
        if (facts.exists && S_ISDIR(facts.st.st_mode) && m->n_dirs < DIR_FDS_MAX)
                facts.fd = open(full, O_PATH | O_DIRECTORY | O_CLOEXEC);
        facts.mount_root = mount_root_of(m->root, dir);
        (void) tmpfiles_plan_dir(&m->tmpfiles, dir, &facts.tmpfiles);
        facts.tmpfs = m->mounts_known ? tmpfs_table_lookup(&m->mounts, dir, &facts.tmpfs_source) : -ENOENT;
        d = reallocarray(m->dirs, m->n_dirs + 1, sizeof(*d));
        if (!d) {
                free(facts.path);
                free(facts.mount_root);
                tmpfiles_plan_free(facts.tmpfiles);
                source_ref_done(&facts.tmpfs_source);
                safe_close(facts.fd);
                return NULL;
        }
        m->dirs = d;
        m->dirs[m->n_dirs] = facts;
        m->last_dir = m->n_dirs;
        return &m->dirs[m->n_dirs++];
}

/* Built the first time, and again after the list grew. Without memory
 * for it, the list is searched from end to end. */
static void index_sockets(risk_machine *m) {
        if (m->sockets_by_name || m->n_sockets == 0)
                return;
        m->sockets_by_name = malloc(m->n_sockets * sizeof(*m->sockets_by_name));
        m->sockets_by_vfs = malloc(m->n_sockets * sizeof(*m->sockets_by_vfs));
        if (!m->sockets_by_name || !m->sockets_by_vfs) {
                drop_socket_index(m);
                return;
        }
        for (size_t i = 0; i < m->n_sockets; i++) {
                if (m->sockets[i].name)
                        m->sockets_by_name[m->n_sockets_by_name++] = &m->sockets[i];
                if (m->sockets[i].has_vfs)
                        m->sockets_by_vfs[m->n_sockets_by_vfs++] = &m->sockets[i];
        }
        qsort(m->sockets_by_name, m->n_sockets_by_name, sizeof(*m->sockets_by_name), cmp_by_name);
        qsort(m->sockets_by_vfs, m->n_sockets_by_vfs, sizeof(*m->sockets_by_vfs), cmp_by_vfs);
}

/* After this many entries of one directory asked about, reading it once
 * costs less than a statx() for each name that is not there. */
#define DIR_LIST_AFTER 16

static void list_dir(dir_facts *d) {
        _cleanup_close_ int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *dir;

        if (fd < 0 || !(dir = fdopendir(fd)))
                return; /* not ours to read (search permission only): statx() it is */
        fd = -EBADF;
        while ((de = readdir(dir)))
                if (strv_extend(&d->names, &d->n_names, de->d_name) < 0) {
                        strv_free_n(d->names, d->n_names);
                        d->names = NULL;
                        d->n_names = 0;
                        closedir(dir);
                        return;
                }
        closedir(dir);
        if (d->n_names > 1)
                qsort(d->names, d->n_names, sizeof(*d->names), strv_cmp);
        d->listed = true;
}

bool risk_machine_dir_may_have(risk_machine *m, const dir_facts *d, const char *name) {
        dir_facts *own = &m->dirs[d - m->dirs];

        if (own->fd < 0)
                return true;
        if (!own->listed && ++own->looked_up == DIR_LIST_AFTER)
                list_dir(own);
        return !own->listed || (own->n_names > 0 && bsearch(&name, own->names, own->n_names,
                                                              sizeof(*own->names), strv_cmp));
}

risk_sockets risk_machine_sockets(risk_machine *m) {
        if (m->sockets_known)
                index_sockets(m);
        return (risk_sockets) {
                .list = m->sockets,
                .n = m->n_sockets,
                .known = m->sockets_known,
                .by_name = m->sockets_by_name,
                .n_by_name = m->n_sockets_by_name,
                .by_vfs = m->sockets_by_vfs,
                .n_by_vfs = m->n_sockets_by_vfs,
        };
}
