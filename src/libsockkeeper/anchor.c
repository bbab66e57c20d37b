/* SPDX-License-Identifier: MIT */
/* Where the anchor hard link lives, and the three things done with it:
 * create, check, link back. Every directory is reached from a verified fd
 * without following a symlink, is one that nobody but root or we could
 * have put there, and is removed only by the (dev, ino) recorded when it
 * was found. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "anchor.h"
#include "dirhandles.h"
#include "macro.h"
#include "path-util.h"
#include "socket-alive.h"
#include "string-hash.h"
#include "unix-diag.h"

/* Our directories beside sockets: this prefix and a random tail, so that
 * nobody can take the name first; found again by owner and mode, never by
 * the name alone. */
#define DIR_PREFIX ".sockkeeper-anchors-"
#define DIR_MODE 0700
#define NEW_DIR_ATTEMPTS 16
/* How far above the socket's directory to look for a place. */
#define MAX_ANCESTORS 32

static char *fd_path(int fd) {
        char p[64], buf[PATH_MAX];
        ssize_t n;

        snprintf(p, sizeof(p), "/proc/self/fd/%i", fd);
        n = readlink(p, buf, sizeof(buf) - 1);
        if (n <= 0)
                return strdup("?");
        buf[n] = '\0';
        return strdup(buf);
}

/* A listing of the directory DIR_FD (O_PATH will do), on an fd of its own. */
static DIR *list_dir(int dir_fd) {
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (fd < 0)
                return NULL;
        d = fdopendir(fd);
        if (!d)
                safe_close(fd);
        return d;
}

static void anchor_name(char buf[static 80], uint64_t key, inode_id id) {
        snprintf(buf, 80, "%016" PRIx64 "-%" PRIx64 "-%" PRIx64 ".sock", key, (uint64_t) id.dev, (uint64_t) id.ino);
}

static bool name_has_key(const char *name, uint64_t key) {
        char prefix[18];

        snprintf(prefix, sizeof(prefix), "%016" PRIx64 "-", key);
        return strncmp(name, prefix, 17) == 0 && has_suffix(name, ".sock");
}

/* One directory that may hold anchors: the state directory, or one of
 * ours beside the socket. */
typedef struct place {
        int dir_fd;
        int parent_fd;       /* -EBADF: not ours to remove */
        char *dir_name;
        inode_id dir_id;
        bool fresh;          /* just made by us */
} place;

typedef struct places {
        place *p;
        size_t n;
        unix_bound *live;    /* the bound sockets, asked once when needed */
        size_t n_live;
        int live_known;      /* 0 not asked, 1 known, negative: cannot tell */
        int fd_limit;        /* -EMFILE or -ENFILE: an open failed so, and the place went unseen */
} places;

/* Out of fds, every place fails alike, and a failed open only skips a
 * place: remembered, so that the error says so rather than that no place
 * is on the socket's filesystem. Returns R. */
static int note_fd_limit(places *ps, int r) {
        if (r == -EMFILE || r == -ENFILE)
                ps->fd_limit = r;
        return r;
}

static void place_done(place *p) {
        safe_close(p->dir_fd);
        safe_close(p->parent_fd);
        free(p->dir_name);
        *p = (place) { .dir_fd = -EBADF, .parent_fd = -EBADF };
}

static void places_done(places *ps) {
        for (size_t i = 0; i < ps->n; i++)
                place_done(&ps->p[i]);
        free(ps->p);
        free(ps->live);
}

static int places_add(places *ps, place *p) {
        place *n = reallocarray(ps->p, ps->n + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        ps->p = n;
        ps->p[ps->n++] = *p;
        *p = (place) { .dir_fd = -EBADF, .parent_fd = -EBADF };
        return 0;
}

/* Whether a socket is bound to the anchor NAME (inode ID) in DIR_FD; when
 * that cannot be told, yes. One listing serves a whole sweep; an anchor
 * missing from it is asked about on its own before it counts as dead,
 * since the listing may skip a live socket while others close, and what
 * the listing cannot see (a namespace that we may not enter) is asked
 * that way too. */
static bool places_is_bound(places *ps, int dir_fd, const char *name, inode_id id) {
        if (ps->live_known == 0)
                ps->live_known = unix_diag_bound_all(&ps->live, &ps->n_live, NULL) < 0 ? -1 : 1;
        if (ps->live_known < 0)
                return true;
        for (size_t i = 0; i < ps->n_live; i++)
                if (unix_diag_matches(ps->live[i].vfs, id))
                        return true;
        return socket_file_alive(dir_fd, name, id) != 0;
}

/* The state directory's anchors: /var/lib/sockkeeper/anchors for root,
 * $STATE_DIRECTORY/sockkeeper-anchors in a unit with StateDirectory=, the
 * XDG state home for everyone else. Its parent is not ours to create. */
static int open_state_dir(place *ret) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int base_fd = -EBADF, fd = -EBADF;
        const char *e, *sub = "anchors";
        struct stat st;
        int r;

        e = getenv("STATE_DIRECTORY");
        if (e && e[0] == '/') {
                base = strndup(e, strcspn(e, ":")); /* the first of several */
                sub = "sockkeeper-anchors";
        } else if (geteuid() == 0)
                base = strdup("/var/lib/sockkeeper");
        else if ((e = getenv("XDG_STATE_HOME")) && e[0] == '/')
                base = path_join(e, "sockkeeper");
        else if ((e = getenv("HOME")) && e[0] == '/')
                base = path_join(e, ".local/state/sockkeeper");
        else
                return -ENOENT;
        if (!base)
                return -ENOMEM;

        base_fd = fs_open_dir_trusted(base, geteuid() == 0 ? 0755 : 0700);
        if (base_fd < 0)
                return base_fd;
        r = fs_open_private_dir(base_fd, sub, &fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        *ret = (place) {
                .dir_fd = TAKE_FD(fd),
                .parent_fd = -EBADF,
                .dir_id = inode_id_of(&st),
        };
        return 0;
}

/* A directory of ours: our prefix, a real directory, owned by us, 0700. */
static int open_ours(int parent_fd, const char *name, place *ret) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid() || (st.st_mode & 07777) != DIR_MODE)
                return -EPERM;
        *ret = (place) {
                .dir_fd = TAKE_FD(fd),
                .parent_fd = openat(parent_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC),
                .dir_name = strdup(name),
                .dir_id = inode_id_of(&st),
        };
        if (ret->parent_fd < 0 || !ret->dir_name) {
                place_done(ret);
                return -ENOMEM;
        }
        return 0;
}

/* Collects our directories in PARENT_FD. */
static int collect_ours(places *ps, int parent_fd) {
        struct dirent *de;
        DIR *d = list_dir(parent_fd);
        int r = 0;

        if (!d) {
                note_fd_limit(ps, negative_errno());
                return 0;
        }
        while (r >= 0 && (de = readdir(d))) {
                place p;

                if (strncmp(de->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0 ||
                    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                        continue;
                if (note_fd_limit(ps, open_ours(parent_fd, de->d_name, &p)) < 0)
                        continue; /* somebody else's, or a trap: never ours */
                r = places_add(ps, &p);
                if (r < 0)
                        place_done(&p);
        }
        closedir(d);
        return r;
}

/* Makes a new directory of ours in PARENT_FD, under a name nobody could
 * guess; a name that is taken is left alone and another one tried. */
static int make_ours(int parent_fd, place *ret) {
        for (int attempt = 0; attempt < NEW_DIR_ATTEMPTS; attempt++) {
                static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
                char name[sizeof(DIR_PREFIX) + 16];
                uint8_t rnd[12];
                size_t l = strlen(DIR_PREFIX);
                int r;

                if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                        return negative_errno();
                memcpy(name, DIR_PREFIX, l);
                for (size_t i = 0; i < sizeof(rnd); i++)
                        name[l + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
                name[l + sizeof(rnd)] = '\0';

                if (mkdirat(parent_fd, name, DIR_MODE) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return negative_errno();
                }
                r = open_ours(parent_fd, name, ret);
                if (r >= 0 && fchmod(ret->dir_fd, DIR_MODE) >= 0) {
                        ret->fresh = true;
                        return 0;
                }
                if (r >= 0)
                        place_done(ret);
                /* Swapped between mkdir and open by whoever can write the
                 * parent: not ours any more, so not ours to remove either. */
        }
        return -EEXIST;
}

/* Whether the anchor NAME (inode ID) in DIR_FD is an earlier one of the
 * socket path PATH: its key says so, and, where the socket is still
 * bound, so does its bind name (a key can collide; a name cannot). */
static bool earlier_of_path(int dir_fd, const char *name, inode_id id, uint64_t key, const char *path) {
        unix_bound b;
        int r;

        if (!name_has_key(name, key))
                return false;
        r = unix_diag_find_bound(id, path, &b, NULL);
        return r == 0 || (r > 0 && b.name_is_path);
}

/* Removes the anchors in P that no bound socket uses any more (what
 * keepers that crashed or were killed left behind, each keeping a dead
 * inode alive), and those of PATH (KEY) that are not inode KEEP (an
 * earlier socket at the same path; with KEEP NULL, all of them: the
 * anchor is being made elsewhere). */
static void sweep(places *ps, const place *p, uint64_t key, const char *path, const inode_id *keep) {
        struct dirent *de;
        DIR *d = list_dir(p->dir_fd);

        if (!d)
                return;
        while ((de = readdir(d))) {
                struct stat st;
                inode_id id;

                if (!has_suffix(de->d_name, ".sock") ||
                    fstatat(p->dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
                        continue;
                id = inode_id_of(&st);
                if (((!keep || !inode_id_eq(id, *keep)) && earlier_of_path(p->dir_fd, de->d_name, id, key, path)) ||
                    !places_is_bound(ps, p->dir_fd, de->d_name, id))
                        (void) fs_unlink_ours(p->dir_fd, de->d_name, id);
        }
        closedir(d);
}

/* Removes P when it is ours, empty, and nobody holds a lock on it. */
static void remove_if_unused(const place *p) {
        struct stat st;

        if (p->parent_fd < 0 || !p->dir_name)
                return;
        if (flock(p->dir_fd, LOCK_EX | LOCK_NB) < 0)
                return; /* a keeper uses it */
        if (fstatat(p->parent_fd, p->dir_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
            S_ISDIR(st.st_mode) && inode_id_eq(inode_id_of(&st), p->dir_id))
                (void) unlinkat(p->parent_fd, p->dir_name, AT_REMOVEDIR); /* ENOTEMPTY: still used */
        (void) flock(p->dir_fd, LOCK_UN);
}

static bool is_root_dir(const struct stat *st) {
        struct stat root;

        return stat("/", &root) >= 0 && inode_id_eq(inode_id_of(st), inode_id_of(&root));
}

/* The directories where anchors for the socket in SOCKET_DIR_FD may be:
 * the state directory first when it is on the same filesystem, then ours
 * in each safe ancestor on that filesystem, nearest first and never "/",
 * and last ours in the socket's own directory. *RET_PARENTS gets the
 * parents (O_PATH) in which a new directory may be made, in that order. */
static int find_places(places *ps, int socket_dir_fd, int **ret_parents, size_t *ret_n_parents) {
        _cleanup_free_ int *parents = NULL;
        _cleanup_close_ int cur = -EBADF;
        size_t n_parents = 0;
        struct stat sock_st, st;
        place state;
        int r = 0;

        if (fstat(socket_dir_fd, &sock_st) < 0)
                return negative_errno();

        if (note_fd_limit(ps, open_state_dir(&state)) >= 0) {
                if (fstat(state.dir_fd, &st) >= 0 && st.st_dev == sock_st.st_dev) {
                        r = places_add(ps, &state);
                        if (r < 0) {
                                place_done(&state);
                                return r;
                        }
                } else
                        place_done(&state);
        }

        parents = calloc(MAX_ANCESTORS + 1, sizeof(int));
        if (!parents)
                return -ENOMEM;
        cur = openat(socket_dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                note_fd_limit(ps, negative_errno());
        for (int level = 0; cur >= 0 && level < MAX_ANCESTORS; level++) {
                int up;

                up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (up < 0)
                        note_fd_limit(ps, negative_errno());
                if (up < 0 || fstat(up, &st) < 0 || st.st_dev != sock_st.st_dev || is_root_dir(&st) ||
                    inode_id_eq(inode_id_of(&st), inode_id_of(&sock_st))) {
                        safe_close(up);
                        break;
                }
                safe_close(cur);
                cur = up;
                if (!fs_dir_is_safe_parent(&st))
                        continue;
                parents[n_parents] = fcntl(cur, F_DUPFD_CLOEXEC, 3);
                if (parents[n_parents] >= 0)
                        n_parents++;
                else
                        note_fd_limit(ps, negative_errno());
        }
        if (fs_dir_is_safe_parent(&sock_st)) {
                parents[n_parents] = openat(socket_dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parents[n_parents] >= 0)
                        n_parents++;
                else
                        note_fd_limit(ps, negative_errno());
        }

        /* Our directories in each parent: listed once per process; after
         * that, the one that a keeper of ours took there is remembered. */
        for (size_t i = 0; i < n_parents; i++) {
                _cleanup_free_ char *known = NULL;
                place p;

                if (fstat(parents[i], &st) < 0)
                        continue;
                known = dirhandle_note(&st);
                if (known) {
                        if (note_fd_limit(ps, open_ours(parents[i], known, &p)) >= 0 && (r = places_add(ps, &p)) < 0) {
                                place_done(&p);
                                break;
                        }
                } else if (dirhandle_first(&st, DIRHANDLE_SEARCHED)) {
                        r = collect_ours(ps, parents[i]);
                        if (r < 0)
                                break;
                }
        }
        *ret_parents = TAKE_PTR(parents);
        *ret_n_parents = n_parents;
        return r < 0 ? r : 0;
}

static void close_many(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
        free(fds);
}

/* Takes place P for anchor A and links the socket there. */
static int try_place(anchor *a, places *ps, place *p, const anchor_site *site, uint64_t key, inode_id id) {
        struct stat st;
        int r;

        /* Dead anchors are swept once per directory and process: a guard
         * of 10,000 paths does not list its state directory 10,000 times. */
        if (fstat(p->dir_fd, &st) >= 0 && dirhandle_first(&st, DIRHANDLE_SWEPT))
                sweep(ps, p, key, site->socket_path, &id);
        a->key = key;
        a->dir_fd = p->dir_fd;
        a->dir_path = fd_path(p->dir_fd);
        r = anchor_create(a, site->socket_dir_fd, site->socket_name, id);
        if (r < 0) {
                a->dir_fd = -EBADF; /* still P's */
                free(a->dir_path);
                a->dir_path = NULL;
                return r;
        }
        /* One fd per directory for all keepers of the process; its shared
         * flock keeps systemd-tmpfiles out and tells other processes'
         * keepers that it is in use. */
        a->dir_fd = dirhandle_share(TAKE_FD(p->dir_fd), DIRHANDLE_ANCHORS);
        if (p->parent_fd >= 0 && p->dir_name && fstat(p->parent_fd, &st) >= 0)
                dirhandle_set_note(&st, p->dir_name); /* the next keeper needs no listing */
        a->parent_fd = dirhandle_share(TAKE_FD(p->parent_fd), DIRHANDLE_PATH);
        a->dir_name = TAKE_PTR(p->dir_name);
        a->dir_id = p->dir_id;
        return 0;
}

/* An explicit directory: reached by the trusted walk, and already private. */
static int open_override(const char *path, place *ret) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = fs_open_dir_trusted(path, 0);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid() || (st.st_mode & 0077))
                return -EPERM;
        *ret = (place) { .dir_fd = TAKE_FD(fd), .parent_fd = -EBADF, .dir_id = inode_id_of(&st) };
        return 0;
}

static int place_override(anchor *a, const anchor_site *site, uint64_t key, inode_id id) {
        places ps = {};
        place p;
        int r;

        r = open_override(site->override, &p);
        if (r < 0)
                return r;
        r = try_place(a, &ps, &p, site, key, id);
        place_done(&p);
        places_done(&ps);
        return r;
}

int anchor_place(anchor *a, const anchor_site *site, inode_id id) {
        _cleanup_(places_done) places ps = {};
        int *parents = NULL;
        size_t n_parents = 0;
        /* Which socket path the anchor is for, in its name: a keeper
         * started again finds what it anchored before. */
        uint64_t key = string_hash(site->socket_path);
        int r, last = -EXDEV;
        bool placed = false;

        if (site->override)
                return place_override(a, site, key, id);

        r = find_places(&ps, site->socket_dir_fd, &parents, &n_parents);
        if (r < 0) {
                close_many(parents, n_parents);
                return r;
        }

        /* A link that fails (EXDEV across a bind mount of the same
         * filesystem, EROFS in a read-only view such as ProtectSystem=
         * gives) lets the next place try. */
        for (size_t i = 0; i < ps.n && !placed; i++) {
                r = note_fd_limit(&ps, try_place(a, &ps, &ps.p[i], site, key, id));
                if (r >= 0)
                        placed = true;
                else
                        last = r;
        }
        for (size_t i = 0; i < n_parents && !placed; i++) {
                place p;

                r = note_fd_limit(&ps, make_ours(parents[i], &p));
                if (r >= 0) {
                        r = note_fd_limit(&ps, try_place(a, &ps, &p, site, key, id));
                        if (r >= 0)
                                placed = true;
                        else
                                remove_if_unused(&p);
                        place_done(&p);
                }
                if (r < 0)
                        last = r;
        }

        /* What earlier keepers of ours left behind and nobody uses now. */
        for (size_t i = 0; i < ps.n; i++)
                if (ps.p[i].dir_fd >= 0 && ps.p[i].parent_fd >= 0 && flock(ps.p[i].dir_fd, LOCK_EX | LOCK_NB) >= 0) {
                        (void) flock(ps.p[i].dir_fd, LOCK_UN);
                        sweep(&ps, &ps.p[i], key, site->socket_path, NULL);
                        remove_if_unused(&ps.p[i]);
                }
        close_many(parents, n_parents);
        if (!placed && ps.fd_limit < 0)
                return ps.fd_limit;
        return placed ? 0 : (last == -EXDEV || last == -EROFS || last == -EPERM || last == -EACCES ? -EXDEV : last);
}

int anchor_recover(const anchor_site *site, anchor_accept_fn accept, void *userdata, inode_id *ret_id) {
        _cleanup_(places_done) places ps = {};
        int *parents = NULL;
        size_t n_parents = 0;
        uint64_t key = string_hash(site->socket_path);
        int r;

        if (site->override) {
                place p;

                r = open_override(site->override, &p);
                if (r < 0)
                        return 0;
                r = places_add(&ps, &p);
                if (r < 0) {
                        place_done(&p);
                        return r;
                }
        } else {
                r = find_places(&ps, site->socket_dir_fd, &parents, &n_parents);
                close_many(parents, n_parents);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < ps.n; i++) {
                struct dirent *de;
                DIR *d = list_dir(ps.p[i].dir_fd);

                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        struct stat st;
                        unix_bound b;

                        if (!name_has_key(de->d_name, key) ||
                            fstatat(ps.p[i].dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
                                continue;
                        /* Alive, and, where we can see it, bound by this very
                         * path: a key can collide, a name cannot. */
                        r = unix_diag_find_bound(inode_id_of(&st), site->socket_path, &b, NULL);
                        if ((r > 0 && !b.name_is_path) || r < 0 ||
                            (r == 0 && socket_file_alive(ps.p[i].dir_fd, de->d_name, inode_id_of(&st)) <= 0) ||
                            (accept && !accept(&st, userdata)))
                                continue;
                        if (linkat(ps.p[i].dir_fd, de->d_name, site->socket_dir_fd, site->socket_name, 0) < 0)
                                continue;
                        closedir(d);
                        *ret_id = inode_id_of(&st);
                        return 1;
                }
                closedir(d);
        }
        return 0;
}

int anchor_create(anchor *a, int dir_fd, const char *name, inode_id id) {
        struct stat st;

        if (a->dir_fd < 0)
                return -EBADF;

        anchor_name(a->name, a->key, id);
        a->id = id;
        free(a->path);
        a->path = path_join(a->dir_path ?: "?", a->name);
        if (!a->path)
                return -ENOMEM;

        /* No AT_SYMLINK_FOLLOW: a symlink at NAME is linked as itself,
         * and then fails the inode check below. */
        if (linkat(dir_fd, name, a->dir_fd, a->name, 0) < 0 && errno != EEXIST)
                return negative_errno();

        if (fstatat(a->dir_fd, a->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), id)) {
                (void) unlinkat(a->dir_fd, a->name, 0); /* our private dir */
                return -ESTALE;
        }

        a->present = true;
        return 0;
}

bool anchor_is_intact(anchor *a) {
        struct stat st;

        if (a->dir_fd < 0 || !a->present)
                return false;
        if (fstatat(a->dir_fd, a->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), a->id)) {
                a->present = false;
                return false;
        }
        return true;
}

int anchor_restore(anchor *a, int dir_fd, const char *name) {
        if (!anchor_is_intact(a))
                return -ENOENT;
        if (linkat(a->dir_fd, a->name, dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}

void anchor_remove(anchor *a) {
        if (a->dir_fd >= 0 && a->present)
                (void) fs_unlink_ours(a->dir_fd, a->name, a->id);
        a->present = false;
}

void anchor_forget_dir(anchor *a) {
        a->dir_fd = dirhandle_release(a->dir_fd);
        a->parent_fd = dirhandle_release(a->parent_fd);
        free(a->dir_name);
        free(a->dir_path);
        free(a->path);
        a->dir_name = a->dir_path = a->path = NULL;
        a->present = false;
}

void anchor_done(anchor *a) {
        anchor_remove(a);
        /* The last keeper of this process that uses the directory. */
        if (a->dir_fd >= 0 && a->parent_fd >= 0 && dirhandle_refs(a->dir_fd) <= 1) {
                place p = {
                        .dir_fd = a->dir_fd,
                        .parent_fd = a->parent_fd,
                        .dir_name = a->dir_name,
                        .dir_id = a->dir_id,
                };
                remove_if_unused(&p);
        }
        anchor_forget_dir(a);
}
