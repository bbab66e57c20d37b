/* SPDX-License-Identifier: MIT */
/* tmpreaper 1.6.17's command line, read the way it reads it (getopt_long
 * with permutation, its option table, the <time> kept in 32 bits), and its
 * --protect patterns matched the way it matches them: glob(3) with braces,
 * once, leading dots explicit. Used for Debian's cron job and for
 * tmpreaper commands in any other cron file. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "shell.h"
#include "strv.h"
#include "tmpreaper-args.h"

#define MAX_BRACE_ALTERNATIVES 1024

/* ---- the command line ---- */

int tmpreaper_parse_time(const char *s, uint64_t *ret_usec) {
        const char *p = s;
        uint64_t n = 0, unit;
        bool digits = false, negative = false;

        /* sscanf("%ld"): blanks, a sign, decimal digits; the rest is ignored. */
        while (isspace((unsigned char) *p))
                p++;
        if (*p == '+' || *p == '-')
                negative = *p++ == '-';
        for (; isdigit((unsigned char) *p); p++) {
                n = n * 10 + (uint64_t) (*p - '0');
                digits = true;
        }
        if (!digits)
                return -EINVAL;
        if (negative)
                n = -n;
        /* The unit is the last character of the whole argument. */
        switch (s[strlen(s) - 1]) {
        case 'd':
        case 'D':
                unit = 86400;
                break;
        case 'm':
        case 'M':
                unit = 60;
                break;
        case 's':
        case 'S':
                unit = 1;
                break;
        default: /* 'h', or anything else: hours */
                unit = 3600;
                break;
        }
        /* Kept in 32 bits: "49711d" is 63104 seconds. */
        *ret_usec = ((n * unit) & UINT32_MAX) * USEC_PER_SEC;
        return 0;
}

enum { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

static const struct {
        const char *name;
        int has_arg;
        char id;
} long_options[] = {
        { "help", ARG_NONE, 'h' },          { "test", ARG_NONE, 't' },      { "verbose", ARG_OPTIONAL, 'v' },
        { "force", ARG_NONE, 'f' },         { "ctime", ARG_NONE, 'c' },     { "mtime", ARG_NONE, 'm' },
        { "mtime-dirs", ARG_NONE, 'M' },    { "symlinks", ARG_NONE, 's' },  { "all", ARG_NONE, 'a' },
        { "protect", ARG_REQUIRED, 'p' },   { "delay", ARG_OPTIONAL, 'd' }, { "showdeleted", ARG_NONE, 'S' },
        { "runtime", ARG_REQUIRED, 'T' },
};

/* tmpreaper's getopt string, as its usage and behaviour show it. */
static int short_has_arg(char c) {
        switch (c) {
        case 'h':
        case 't':
        case 'f':
        case 'c':
        case 'm':
        case 'M':
        case 's':
        case 'a':
        case 'V':
                return ARG_NONE;
        case 'v':
        case 'd':
                return ARG_OPTIONAL;
        case 'T':
        case 'p':
                return ARG_REQUIRED;
        default:
                return -1;
        }
}

void tmpreaper_args_done(tmpreaper_args *a) {
        free(a->protect_args);
        free(a->protect);
        free(a->dir_args);
        *a = (tmpreaper_args) {};
}

static int args_fail(tmpreaper_args *a, const char *error, size_t arg) {
        if (a->ok) {
                a->ok = false;
                a->error = error;
                a->error_arg = arg;
        }
        return 0;
}

static int args_option(tmpreaper_args *a, char id, const char *value, size_t arg) {
        switch (id) {
        case 'h':
                return args_fail(a, "--help: tmpreaper prints its usage and exits", arg);
        case 't':
                a->test = true;
                return args_fail(a, "--test: tmpreaper only pretends", arg);
        case 'f':
                a->force = true;
                return 0;
        case 'c':
                a->ctime = true;
                return a->mtime ? args_fail(a, "--ctime conflicts with --mtime: tmpreaper exits", arg) : 0;
        case 'm':
                a->mtime = true;
                return a->ctime ? args_fail(a, "--mtime conflicts with --ctime: tmpreaper exits", arg) : 0;
        case 'M':
                a->mtime_dir = true;
                return 0;
        case 's':
                a->symlinks = true;
                return 0;
        case 'a':
                a->all = true;
                a->all_arg = arg;
                return 0;
        case 'p': {
                size_t *pa = reallocarray(a->protect_args, a->n_protect + 1, sizeof(*pa));
                const char **pp;

                if (!pa)
                        return -ENOMEM;
                a->protect_args = pa;
                pp = reallocarray(a->protect, a->n_protect + 1, sizeof(*pp));
                if (!pp)
                        return -ENOMEM;
                a->protect = pp;
                pa[a->n_protect] = arg;
                pp[a->n_protect] = value;
                a->n_protect++;
                return 0;
        }
        default: /* -v, -d, -T, -V, --showdeleted: nothing that changes what goes */
                return 0;
        }
}

int tmpreaper_args_parse(char *const *argv, size_t n, tmpreaper_args *ret) {
        tmpreaper_args a = { .ok = true, .time_arg = SIZE_MAX };
        size_t *positional = calloc(n + 1, sizeof(size_t)), n_pos = 0;
        bool options = true;
        int r = 0;

        if (!positional)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const char *s = argv[i];

                if (options && streq(s, "--")) {
                        options = false;
                        continue;
                }
                if (!options || s[0] != '-' || s[1] == '\0') {
                        positional[n_pos++] = i; /* getopt_long permutes: operands may come anywhere */
                        continue;
                }
                if (s[1] == '-') {
                        const char *name = s + 2, *eq = strchr(name, '=');
                        size_t len = eq ? (size_t) (eq - name) : strlen(name);
                        int match = -1, matches = 0;

                        for (size_t k = 0; k < ELEMENTSOF(long_options); k++) {
                                if (strncmp(long_options[k].name, name, len) != 0)
                                        continue;
                                if (strlen(long_options[k].name) == len) {
                                        match = (int) k;
                                        matches = 1;
                                        break;
                                }
                                match = (int) k;
                                matches++;
                        }
                        if (matches == 0)
                                r = args_fail(&a, "an unrecognized option: tmpreaper prints its usage and exits", i);
                        else if (matches > 1)
                                r = args_fail(&a, "an ambiguous option: tmpreaper prints its usage and exits", i);
                        else if (long_options[match].has_arg == ARG_NONE && eq)
                                r = args_fail(&a, "an option that takes no argument got one: tmpreaper exits", i);
                        else if (long_options[match].has_arg == ARG_REQUIRED && !eq) {
                                if (i + 1 >= n)
                                        r = args_fail(&a, "an option lacks its argument: tmpreaper exits", i);
                                else {
                                        r = args_option(&a, long_options[match].id, argv[i + 1], i + 1);
                                        i++;
                                }
                        } else
                                r = args_option(&a, long_options[match].id, eq ? eq + 1 : NULL, i);
                        continue;
                }
                for (const char *c = s + 1; *c && r >= 0; c++) {
                        int has = short_has_arg(*c);

                        if (has < 0) {
                                r = args_fail(&a, "an invalid option: tmpreaper prints its usage and exits", i);
                                break;
                        }
                        if (has == ARG_NONE) {
                                r = args_option(&a, *c, NULL, i);
                                continue;
                        }
                        if (c[1]) {
                                r = args_option(&a, *c, c + 1, i);
                                break;
                        }
                        if (has == ARG_REQUIRED) {
                                if (i + 1 >= n)
                                        r = args_fail(&a, "an option lacks its argument: tmpreaper exits", i);
                                else {
                                        r = args_option(&a, *c, argv[i + 1], i + 1);
                                        i++;
                                }
                        } else
                                r = args_option(&a, *c, NULL, i);
                        break;
                }
        }
        if (r < 0) {
                free(positional);
                tmpreaper_args_done(&a);
                return r;
        }

        if (n_pos < 2)
                args_fail(&a, "no <time> and <dirs>: tmpreaper prints its usage and exits", n);
        if (n_pos >= 1) {
                a.time_arg = positional[0];
                if (tmpreaper_parse_time(argv[positional[0]], &a.grace_usec) < 0)
                        args_fail(&a, "a bad time argument: tmpreaper exits", positional[0]);
        }
        if (n_pos >= 2) {
                a.dir_args = malloc((n_pos - 1) * sizeof(size_t));
                if (!a.dir_args) {
                        free(positional);
                        tmpreaper_args_done(&a);
                        return -ENOMEM;
                }
                memcpy(a.dir_args, positional + 1, (n_pos - 1) * sizeof(size_t));
                a.n_dirs = n_pos - 1;
        }
        free(positional);
        *ret = a;
        return 0;
}

/* ---- --protect patterns ---- */

/* The '}' that closes the '{' at P, or NULL; glob(3)'s next_brace_sub(). */
static const char *brace_close(const char *p) {
        int depth = 0;

        for (p++; *p; p++) {
                if (*p == '\\' && p[1])
                        p++;
                else if (*p == '{')
                        depth++;
                else if (*p == '}' && depth-- == 0)
                        return p;
        }
        return NULL;
}

/* Capped: each {a,b} group multiplies the alternatives. */
static int push_alternative(char ***l, size_t *n, char *s) {
        if (*n >= MAX_BRACE_ALTERNATIVES) {
                free(s);
                return -E2BIG;
        }
        return strv_push(l, n, s);
}

static int brace_expand(const char *pattern, char ***out, size_t *n_out) {
        const char *open = NULL, *close;

        for (const char *p = pattern; *p; p++) {
                if (*p == '\\' && p[1])
                        p++;
                else if (*p == '{') {
                        open = p;
                        break;
                }
        }
        if (!open || !(close = brace_close(open)))
                return push_alternative(out, n_out, strdup(pattern));

        for (const char *alt = open + 1;;) {
                const char *end = alt;
                int depth = 0, r;
                char *s;

                for (; end < close; end++) {
                        if (*end == '\\' && end + 1 < close)
                                end++;
                        else if (*end == '{')
                                depth++;
                        else if (*end == '}')
                                depth--;
                        else if (*end == ',' && depth == 0)
                                break;
                }
                if (asprintf(&s, "%.*s%.*s%s", (int) (open - pattern), pattern, (int) (end - alt), alt, close + 1) < 0)
                        return -ENOMEM;
                r = brace_expand(s, out, n_out);
                free(s);
                if (r < 0)
                        return r;
                if (end >= close)
                        return 0;
                alt = end + 1;
        }
}

/* glob(3) without GLOB_PERIOD: component by component, as the shell's
 * pathname expansion. NORMALIZED is the alternative, path_normalize()d. */
static bool glob_matches(const char *normalized, bool dir_only, const char *path, bool is_dir) {
        if (dir_only && !is_dir)
                return false; /* "dir/" names directories only */
        return normalized && (normalized[0] == '/') == (path[0] == '/') && shell_glob_match(normalized, path) == 0;
}

void tmpreaper_pattern_done(tmpreaper_pattern *p) {
        strv_free_n(p->alts, p->n_alts);
        free(p->dir_only);
        *p = (tmpreaper_pattern) {};
}

int tmpreaper_pattern_compile(const char *pattern, tmpreaper_pattern *ret) {
        _cleanup_free_ char *literal = NULL;
        tmpreaper_pattern p = {};
        char **alts = NULL;
        size_t n_alts = 0;

        p.head = strcspn(pattern, "*?[{\\");
        while (p.head > 0 && pattern[p.head - 1] == '/') /* "dir/": a trailing slash names a directory */
                p.head--;
        literal = strndup(pattern, p.head);
        if (!literal)
                return -ENOMEM;
        /* Every alternative starts with the pattern's literal head, so a
         * path without it cannot match. Only for a head that matching
         * would not normalize ("//", "/./"; a shorter head only rejects
         * less). */
        p.head_rejects = !strstr(literal, "//") && !strstr(literal, "/./") && !strstr(literal, "/../");

        if (brace_expand(pattern, &alts, &n_alts) < 0) {
                /* Malformed or too many alternatives: it matches nothing. */
                strv_free_n(alts, n_alts);
                *ret = p;
                return 0;
        }
        p.dir_only = calloc(n_alts + 1, sizeof(bool));
        if (!p.dir_only) {
                strv_free_n(alts, n_alts);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_alts; i++) {
                size_t len = strlen(alts[i]);
                char *norm = path_normalize(alts[i]);

                p.dir_only[i] = len > 1 && alts[i][len - 1] == '/';
                free(alts[i]);
                alts[i] = norm;
        }
        p.alts = alts;
        p.n_alts = n_alts;
        *ret = p;
        return 0;
}

bool tmpreaper_pattern_match(const tmpreaper_pattern *p, const char *pattern, const char *path, bool is_dir) {
        if (p->head_rejects && strncmp(pattern, path, p->head) != 0)
                return false;
        for (size_t i = 0; i < p->n_alts; i++)
                if (glob_matches(p->alts[i], p->dir_only[i], path, is_dir))
                        return true;
        return false;
}

bool tmpreaper_pattern_matches(const char *pattern, const char *path, bool is_dir) {
        _cleanup_(tmpreaper_pattern_done) tmpreaper_pattern p = {};

        return tmpreaper_pattern_compile(pattern, &p) >= 0 && tmpreaper_pattern_match(&p, pattern, path, is_dir);
}
