/* SPDX-License-Identifier: MIT */
/* What one run of systemd-tmpfiles --clean (252) does with one path: which
 * lines clean a directory above it (clean_item()), how dir_cleanup() walks
 * down from each such directory, what stops the walk on the way (another
 * line's path, an x or X glob, a mount, the depth limit), what spares the
 * path itself (sticky bit, live socket, device, the first level of a "~"
 * age), and whether it is old enough by the line's age-by. */

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-util.h"
#include "macro.h"
#include "tmpfiles.h"

/* dir_cleanup() starts with this many levels to descend. */
#define MAX_DEPTH 256

typedef struct outcome {
        tmpfiles_fate fate; /* AGED or PROTECTED */
        const tmpfiles_item *rule;
        const char *why;
        bool expired;
        uint64_t expires_usec;
        uint64_t age_usec;
        size_t level; /* of the directory the cleaning line starts from */
} outcome;

/* The path cut into its prefixes: prefix[0] is "/", prefix[n] the path. */
typedef struct prefixes {
        char **prefix;
        size_t n;
} prefixes;

static void prefixes_done(prefixes *p) {
        for (size_t i = 0; p->prefix && i <= p->n; i++)
                free(p->prefix[i]);
        free(p->prefix);
}

/* Doubled slashes and "." parts go, as tmpfiles' own paths have none; the
 * caller's PATH is compared with them as strings. */
static int split_path(const char *path, prefixes *ret) {
        _cleanup_free_ char *clean = malloc(strlen(path) + 2);
        size_t len = 0, n = 0;

        if (!clean)
                return -ENOMEM;
        if (path[0] != '/')
                return -EINVAL;
        for (const char *p = path; *p;) {
                size_t k;

                p += strspn(p, "/");
                k = strcspn(p, "/");
                if (k == 0 || (k == 1 && p[0] == '.')) {
                        p += k;
                        continue;
                }
                clean[len++] = '/';
                memcpy(clean + len, p, k);
                len += k;
                p += k;
                n++;
        }
        clean[len] = 0;
        ret->n = n;
        ret->prefix = calloc(n + 1, sizeof(char *));
        if (!ret->prefix)
                return -ENOMEM;
        ret->prefix[0] = strdup("/");
        for (size_t i = 1, at = 0; i <= n; i++) {
                at += 1 + strcspn(clean + at + 1, "/");
                ret->prefix[i] = strndup(clean, at);
        }
        for (size_t i = 0; i <= n; i++)
                if (!ret->prefix[i])
                        return -ENOMEM;
        return 0;
}

static const char *last_component(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* A cheap no before fnmatch(): the characters up to the first special one
 * must match as they are. */
static bool literal_head_matches(const char *pattern, const char *name, const char *special) {
        size_t k = strcspn(pattern, special);
        return strncmp(pattern, name, k) == 0;
}

/* find_glob(): fnmatch(FNM_PATHNAME | FNM_PERIOD), with no braces. */
static bool glob_line_matches(const char *pattern, const char *name) {
        return literal_head_matches(pattern, name, "*?[\\") && fnmatch(pattern, name, FNM_PATHNAME | FNM_PERIOD) == 0;
}

/* glibc's next_brace_sub(): the ',' or '}' that ends the alternative at P,
 * past nested braces and escapes; NULL when there is none. */
static const char *next_brace_sub(const char *p) {
        unsigned depth = 0;

        for (; *p; p++) {
                if (*p == '\\' && p[1] != 0)
                        p++;
                else if (*p == '{')
                        depth++;
                else if (*p == '}' && depth > 0)
                        depth--;
                else if ((*p == '}' || *p == ',') && depth == 0)
                        return p;
        }
        return NULL;
}

/* glob() with GLOB_BRACE, as e and X lines expand: NAME is a match if one
 * brace alternative matches it; a malformed brace is a plain character. */
static bool brace_glob_matches(const char *pattern, const char *name, unsigned budget) {
        const char *open = pattern, *end;

        while (*open && *open != '{')
                open += *open == '\\' && open[1] ? 2 : 1;
        if (*open == 0 || budget == 0)
                return glob_line_matches(pattern, name);
        for (end = next_brace_sub(open + 1); end && *end != '}'; end = next_brace_sub(end + 1))
                ;
        if (!end)
                return glob_line_matches(pattern, name);
        if (!literal_head_matches(pattern, name, "*?[\\{"))
                return false;

        for (const char *alt = open + 1;;) {
                const char *stop = next_brace_sub(alt);
                size_t head = open - pattern, k = stop - alt;
                _cleanup_free_ char *one = malloc(head + k + strlen(end + 1) + 1);

                if (!one)
                        return false;
                memcpy(one, pattern, head);
                memcpy(one + head, alt, k);
                strcpy(one + head + k, end + 1);
                if (brace_glob_matches(one, name, budget - 1))
                        return true;
                if (*stop == '}')
                        return false;
                alt = stop + 1;
        }
}

static int compare_plain(const void *a, const void *b) {
        const tmpfiles_item *x = *(const tmpfiles_item *const *) a, *y = *(const tmpfiles_item *const *) b;
        int r = strcmp(x->path, y->path);

        /* Ties in file order: the first line for a path is the one that counts. */
        return r ? r : (x < y ? -1 : x > y);
}

static size_t count_slashes(const char *s) {
        size_t n = 0;

        for (; (s = strchr(s, '/')); s++)
                n++;
        return n;
}

/* With FNM_PATHNAME only a '/' of the pattern matches a '/': a match has
 * as many as the pattern, unless a bracket or an escape makes that hard
 * to tell. */
static struct tmpfiles_glob_key glob_key(const char *pattern) {
        return (struct tmpfiles_glob_key) {
                .head = strcspn(pattern, "*?[\\"),
                .slashes = strpbrk(pattern, "[\\") ? -1 : (int) count_slashes(pattern),
        };
}

int tmpfiles_config_index(tmpfiles_config *c) {
        const tmpfiles_item **plain = calloc(c->n_items + 1, sizeof(*plain));
        const tmpfiles_item **globs = calloc(c->n_items + 1, sizeof(*globs));
        struct tmpfiles_glob_key *keys = calloc(c->n_items + 1, sizeof(*keys));
        size_t n_plain = 0, n_globs = 0;

        if (!plain || !globs || !keys) {
                free(plain);
                free(globs);
                free(keys);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_items; i++) {
                const tmpfiles_item *it = c->items + i;

                if (it->boot_only)
                        continue;
                if (tmpfiles_type_is_glob(it->type)) {
                        keys[n_globs] = glob_key(it->path);
                        globs[n_globs++] = it;
                } else
                        plain[n_plain++] = it;
        }
        qsort(plain, n_plain, sizeof(*plain), compare_plain);

        free(c->plain);
        free(c->globs);
        free(c->glob_keys);
        c->plain = plain;
        c->n_plain = n_plain;
        c->globs = globs;
        c->n_globs = n_globs;
        c->glob_keys = keys;
        return 0;
}

/* The first plain line for PATH, by binary search in the index. */
static const tmpfiles_item *plain_line(const tmpfiles_config *c, const char *path) {
        size_t lo = 0, hi = c->n_plain;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strcmp(c->plain[mid]->path, path) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < c->n_plain && streq(c->plain[lo]->path, path) ? c->plain[lo] : NULL;
}

/* What stops dir_cleanup() at PATH: "a separate entry exists" for a line of
 * any type at exactly this path, "a separate glob exists" for a glob line
 * that matches it. Plain lines are looked up first, as tmpfiles does. It
 * runs for every level of every path checked, hence the index. */
static const tmpfiles_item *claim(const tmpfiles_config *c, const char *path, const char **ret_why) {
        const tmpfiles_item *plain = plain_line(c, path);
        int slashes;

        if (plain) {
                *ret_why = "own entry";
                return plain;
        }
        slashes = (int) count_slashes(path);
        for (size_t i = 0; i < c->n_globs; i++) {
                const tmpfiles_item *it = c->globs[i];
                const struct tmpfiles_glob_key *key = &c->glob_keys[i];

                /* glob_line_matches(), with its quick no made ready. */
                if ((key->slashes >= 0 && key->slashes != slashes) || strncmp(it->path, path, key->head) != 0 ||
                    fnmatch(it->path, path, FNM_PATHNAME | FNM_PERIOD) != 0)
                        continue;
                *ret_why = it->type == 'x' ? "excluded by x" : it->type == 'X' ? "excluded by X" : "own entry";
                return it;
        }
        return NULL;
}

/* needs_cleanup(): old only when every timestamp the age-by picks is older
 * than now minus the age. An unknown btime is 0, so it never holds a file
 * back. */
static void judge_age(const tmpfiles_item *i, const tmpfiles_file *f, uint64_t now, outcome *o) {
        bool is_dir = S_ISDIR(f->mode);
        unsigned bits = is_dir ? (i->age_by >> 4) & 0xf : i->age_by & 0xf;
        const uint64_t ts[4] = { f->atime_usec, f->btime_usec, f->ctime_usec, f->mtime_usec };
        uint64_t cutoff = now - i->age_usec, latest = 0;

        o->expired = true;
        for (unsigned b = 0; b < 4; b++) {
                if (!(bits & (1U << b)))
                        continue;
                if (ts[b] >= cutoff)
                        o->expired = false;
                if (ts[b] > latest)
                        latest = ts[b];
        }
        o->expires_usec = latest > UINT64_MAX - i->age_usec - 1 ? UINT64_MAX : latest + i->age_usec + 1;
}

static outcome protected_by(const tmpfiles_item *rule, const char *why, size_t level) {
        return (outcome) { .fate = TMPFILES_PROTECTED, .rule = rule, .why = why, .level = level };
}

typedef struct walk_ctx {
        const char *const *prefix;    /* prefix[0] is "/", prefix[n] the path */
        size_t n;
        const tmpfiles_item *const *claims; /* per level: the line that stops a walk there */
        const char *const *claim_why;
        const tmpfiles_file *f;
        ssize_t mount_level; /* the deepest mount at or above the path; -1 if unknown */
        uint64_t now;
} walk_ctx;

/* The path itself, once the walk from level J has reached it. */
static outcome judge_path(const walk_ctx *w, const tmpfiles_item *i, size_t j) {
        const tmpfiles_file *f = w->f;
        size_t depth = w->n - j;
        bool top = depth == 1, mount_top = top && w->mount_level == (ssize_t) j;
        const char *name = last_component(w->prefix[w->n]);
        outcome o = { .fate = TMPFILES_AGED, .rule = i, .why = "aged", .age_usec = i->age_usec, .level = j };

        if (f && S_ISDIR(f->mode)) {
                if (mount_top && streq(name, "lost+found") && f->uid == 0)
                        return protected_by(NULL, "lost+found", j);
        } else if (f) {
                if (f->mode & S_ISVTX)
                        return protected_by(NULL, "sticky bit", j);
                if (mount_top && S_ISREG(f->mode) && f->uid == 0 &&
                    (streq(name, ".journal") || streq(name, "aquota.user") || streq(name, "aquota.group")))
                        return protected_by(NULL, "journal or quota file", j);
                if (S_ISSOCK(f->mode) && f->live_socket)
                        return protected_by(NULL, "live socket", j);
                if (S_ISCHR(f->mode) || S_ISBLK(f->mode))
                        return protected_by(NULL, "device node", j);
        }
        if (top && i->age_spares_first_level)
                return protected_by(i, "first level spared by ~", j);
        if (f)
                judge_age(i, f, w->now, &o);
        else
                o.expires_usec = w->now > UINT64_MAX - i->age_usec ? UINT64_MAX : w->now + i->age_usec;
        return o;
}

/* dir_cleanup() from the directory at level J down to the path. */
static outcome walk(const walk_ctx *w, const tmpfiles_item *i, size_t j) {
        for (size_t k = j + 1; k <= w->n; k++) {
                size_t depth = k - j;

                if ((ssize_t) k == w->mount_level || (k == w->n && w->f && w->f->mount_point))
                        return protected_by(NULL, "mount point", j);
                if (w->claims[k])
                        return protected_by(w->claims[k], w->claim_why[k], j);
                if (k == w->n)
                        break;
                /* An intermediate directory: its owner is unknown, and
                 * lost+found is root's in practice. */
                if (depth == 1 && w->mount_level == (ssize_t) j && streq(last_component(w->prefix[k]), "lost+found"))
                        return protected_by(NULL, "lost+found", j);
                if (depth > MAX_DEPTH)
                        return protected_by(NULL, "too deep", j);
        }
        return judge_path(w, i, j);
}

/* The levels whose directory the line I cleans (clean_item()): its own path
 * for d, D, v, q, Q, x and C, each glob match for e and X. */
static bool cleans_level(const tmpfiles_item *i, const prefixes *p, size_t j) {
        if (tmpfiles_type_is(i->type, "dDvqQxC"))
                return streq(i->path, p->prefix[j]);
        if (tmpfiles_type_is(i->type, "eX"))
                return brace_glob_matches(i->path, p->prefix[j], 16);
        return false;
}

/* Of two outcomes, the one that tells what happens: deletion by any line
 * beats protection; an expired line beats one that waits; the sooner the
 * better; else the protection nearest the path. */
static bool better(const outcome *a, const outcome *b) {
        if (a->fate != b->fate)
                return a->fate == TMPFILES_AGED;
        if (a->fate == TMPFILES_AGED) {
                if (a->expired != b->expired)
                        return a->expired;
                return a->expires_usec < b->expires_usec;
        }
        return a->level > b->level;
}

typedef struct plan_cleaner {
        const tmpfiles_item *item;
        size_t level;
} plan_cleaner;

/* What a run of --clean makes of any entry of one directory, worked out
 * once for all of them: the directory's levels, the lines that stop a
 * walk at each, and the aging lines that clean one of them. */
struct tmpfiles_plan {
        prefixes p;                     /* prefix[p.n] is the directory */
        const tmpfiles_item **claims;   /* per level (claims[0] unused) */
        const char **claim_why;
        plan_cleaner *cleaners;         /* in file order, then by level */
        size_t n_cleaners;
        const tmpfiles_item *boot;      /* a '!' line that would clean a level, were it not boot-only */
};

void tmpfiles_plan_free(tmpfiles_plan *plan) {
        if (!plan)
                return;
        prefixes_done(&plan->p);
        free(plan->claims);
        free(plan->claim_why);
        free(plan->cleaners);
        free(plan);
}

int tmpfiles_plan_dir(const tmpfiles_config *c, const char *dir, tmpfiles_plan **ret) {
        tmpfiles_plan *plan;
        size_t allocated = 0;
        int r;

        if (!c || !dir || !ret)
                return -EINVAL;
        plan = calloc(1, sizeof(*plan));
        if (!plan)
                return -ENOMEM;
        r = split_path(dir, &plan->p);
        if (r < 0)
                goto fail;
        r = -ENOMEM;
        plan->claims = calloc(plan->p.n + 1, sizeof(*plan->claims));
        plan->claim_why = calloc(plan->p.n + 1, sizeof(*plan->claim_why));
        if (!plan->claims || !plan->claim_why)
                goto fail;
        for (size_t k = 1; k <= plan->p.n; k++)
                plan->claims[k] = claim(c, plan->p.prefix[k], &plan->claim_why[k]);

        for (size_t n = 0; n < c->n_items; n++) {
                const tmpfiles_item *i = c->items + n;

                if (!i->has_age)
                        continue;
                for (size_t j = 0; j <= plan->p.n; j++) {
                        if (!cleans_level(i, &plan->p, j))
                                continue;
                        if (i->boot_only) {
                                if (!plan->boot)
                                        plan->boot = i;
                                break;
                        }
                        if (GREEDY_REALLOC(plan->cleaners, allocated, plan->n_cleaners + 1, 8) < 0)
                                goto fail;
                        plan->cleaners[plan->n_cleaners++] = (plan_cleaner) { .item = i, .level = j };
                }
        }
        *ret = plan;
        return 0;
fail:
        tmpfiles_plan_free(plan);
        return r;
}

/* The level of PATH among W's prefixes, or -1. */
static ssize_t level_of(const walk_ctx *w, const char *path) {
        for (size_t k = 0; path && k <= w->n; k++)
                if (streq(w->prefix[k], path))
                        return (ssize_t) k;
        return -1;
}

/* The mount root as tmpfiles' own paths look: cleaned as split_path()
 * cleans them, and compared with the levels. */
static int mount_level(const walk_ctx *w, const char *mount_root, ssize_t *ret) {
        _cleanup_(prefixes_done) prefixes mount = {};
        int r;

        if (mount_root[0] == '/' && !strstr(mount_root, "//") && !strstr(mount_root, "/./") &&
            !has_suffix(mount_root, "/.") && (streq(mount_root, "/") || !has_suffix(mount_root, "/"))) {
                *ret = level_of(w, mount_root);
                return 0;
        }
        r = split_path(mount_root, &mount);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                *ret = level_of(w, mount.prefix[mount.n]);
        return 0;
}

static void evaluate(const tmpfiles_plan *plan, const walk_ctx *w, tmpfiles_verdict *ret) {
        outcome best = {};
        bool any = false;

        for (size_t n = 0; n < plan->n_cleaners; n++) {
                const tmpfiles_item *i = plan->cleaners[n].item;
                outcome o;

                /* clean_item_instance() does nothing while now < age. */
                if (w->now < i->age_usec)
                        continue;
                o = walk(w, i, plan->cleaners[n].level);
                if (!any || better(&o, &best))
                        best = o;
                any = true;
        }
        if (!any) {
                *ret = plan->boot ? (tmpfiles_verdict) { .fate = TMPFILES_PROTECTED, .rule = plan->boot,
                                                         .why = "boot-only line" }
                                  : (tmpfiles_verdict) { .fate = TMPFILES_UNCOVERED, .why = "no aging line" };
                return;
        }
        *ret = (tmpfiles_verdict) {
                .fate = best.fate,
                .rule = best.rule,
                .why = best.why,
                .age_usec = best.fate == TMPFILES_AGED ? best.age_usec : 0,
                .expired = best.fate == TMPFILES_AGED && w->f && best.expired,
                .expires_usec = best.fate == TMPFILES_AGED ? best.expires_usec : 0,
        };
}

/* PATH's name in PLAN's directory, or NULL when PATH is not an entry of
 * it as split_path() would cut it. */
static const char *entry_name(const tmpfiles_plan *plan, const char *path) {
        const char *dir = plan->p.prefix[plan->p.n], *name;
        size_t len = plan->p.n == 0 ? 0 : strlen(dir);

        if (strncmp(path, dir, len) != 0 || path[len] != '/')
                return NULL;
        name = path + len + 1;
        if (!*name || strchr(name, '/') || streq(name, "."))
                return NULL;
        return name;
}

int tmpfiles_evaluate_in(const tmpfiles_config *c, const tmpfiles_plan *plan, const char *path,
                         const tmpfiles_file *f, uint64_t now_usec, tmpfiles_verdict *ret) {
        const tmpfiles_item *claims_small[32], **claims = claims_small;
        const char *why_small[32], **why = why_small;
        const char *prefix_small[32], **prefix = prefix_small;
        size_t n = plan->p.n + 1;
        walk_ctx w;
        int r = 0;

        if (!c || !path || !ret)
                return -EINVAL;
        if (!entry_name(plan, path))
                return tmpfiles_evaluate(c, path, f, now_usec, ret);
        if (n + 1 > ELEMENTSOF(claims_small)) {
                claims = calloc(n + 1, sizeof(*claims));
                why = calloc(n + 1, sizeof(*why));
                prefix = calloc(n + 1, sizeof(*prefix));
                if (!claims || !why || !prefix) {
                        r = -ENOMEM;
                        goto finish;
                }
        }
        for (size_t k = 0; k < n; k++) {
                prefix[k] = plan->p.prefix[k];
                claims[k] = plan->claims[k];
                why[k] = plan->claim_why[k];
        }
        prefix[n] = path;
        why[n] = NULL;
        claims[n] = claim(c, path, &why[n]);

        w = (walk_ctx) { .prefix = prefix, .n = n, .claims = claims, .claim_why = why, .f = f, .mount_level = -1,
                         .now = now_usec };
        if (f && f->mount_root) {
                r = mount_level(&w, f->mount_root, &w.mount_level);
                if (r < 0)
                        goto finish;
        }
        if (f && f->mount_point)
                w.mount_level = (ssize_t) n;
        evaluate(plan, &w, ret);
finish:
        if (claims != claims_small) {
                free(claims);
                free(why);
                free(prefix);
        }
        return r;
}

int tmpfiles_evaluate(const tmpfiles_config *c, const char *path, const tmpfiles_file *f, uint64_t now_usec,
                      tmpfiles_verdict *ret) {
        _cleanup_(prefixes_done) prefixes p = {};
        tmpfiles_plan *plan = NULL;
        int r;

        if (!c || !path || !ret)
                return -EINVAL;
        r = split_path(path, &p);
        if (r < 0)
                return r;
        if (p.n == 0) {
                /* "/" itself: no directory above it to clean it. */
                *ret = (tmpfiles_verdict) { .fate = TMPFILES_UNCOVERED, .why = "no aging line" };
                return 0;
        }
        r = tmpfiles_plan_dir(c, p.prefix[p.n - 1], &plan);
        if (r < 0)
                return r;
        r = tmpfiles_evaluate_in(c, plan, p.prefix[p.n], f, now_usec, ret);
        tmpfiles_plan_free(plan);
        return r;
}
