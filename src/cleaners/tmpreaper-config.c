/* SPDX-License-Identifier: MIT */
/* What Debian's daily tmpreaper job is set to do on this machine, read
 * from its files rather than assumed: whether tmpreaper is installed and
 * its job there and executable, the job's gates and the first reason it
 * does not clean, and the command it runs (tmpreaper-job.c interprets the
 * script), read the way tmpreaper reads its arguments. Without the job the
 * settings of /etc/tmpreaper.conf are still read, so that `check` can say
 * what enabling it would clean. --mtime with the job's own --ctime is a
 * usage error, so such a job cleans nothing. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleaners.h"
#include "cron.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "tmpreaper-args.h"
#include "tmpreaper-job.h"
#include "tmpreaper.h"

#define CRON_JOB "/etc/cron.daily/tmpreaper"
#define CONF "/etc/tmpreaper.conf"
#define BINARY "/usr/sbin/tmpreaper"

void tmpreaper_config_done(tmpreaper_config *c) {
        source_ref_done(&c->disabled_by);
        source_ref_done(&c->age_source);
        source_ref_done(&c->dirs_source);
        source_ref_done(&c->all_source);
        source_ref_done(&c->cron_daemon_source);
        strv_free_n(c->dirs, c->n_dirs);
        for (size_t i = 0; i < c->n_protect; i++) {
                free(c->protect[i]);
                source_ref_done(&c->protect_sources[i]);
                if (c->protect_compiled)
                        tmpreaper_pattern_done(&c->protect_compiled[i]);
        }
        free(c->protect);
        free(c->protect_compiled);
        free(c->protect_sources);
        strv_free_n(c->argv, c->n_argv);
        strv_free_n(c->skip_mounts, c->n_skip_mounts);
        strv_free_n(c->resolved_dirs, c->n_dirs);
        *c = (tmpreaper_config) {};
}

/* Every --protect pattern is matched against every path and every
 * directory above it: expanded and normalized once. */
static int compile_protect(tmpreaper_config *c) {
        c->protect_compiled = calloc(c->n_protect + 1, sizeof(*c->protect_compiled));
        if (!c->protect_compiled)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_protect; i++) {
                int r = tmpreaper_pattern_compile(c->protect[i], &c->protect_compiled[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The dirs resolved the way tmpreaper sees them (cron.daily runs from
 * "/"), once for every evaluation. */
static int resolve_dirs(tmpreaper_config *c) {
        c->resolved_dirs = calloc(c->n_dirs + 1, sizeof(char *));
        if (!c->resolved_dirs)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_dirs; i++) {
                _cleanup_free_ char *abs = NULL;

                if (asprintf(&abs, "%s%s", c->dirs[i][0] == '/' ? "" : "/", c->dirs[i]) < 0)
                        return -ENOMEM;
                c->resolved_dirs[i] = path_normalize(abs);
                if (!c->resolved_dirs[i])
                        return -ENOMEM;
        }
        return 0;
}

static int disable(tmpreaper_config *c, const char *reason, const char *file, unsigned line) {
        if (!c->runs)
                return 0; /* the first reason is the one that stops it */
        c->runs = false;
        c->disabled_reason = reason;
        return source_ref_set(&c->disabled_by, file, line);
}

/* On the live system, the mounts below each cleaned directory: tmpreaper
 * does not step onto another file system, bind mounts included. */
static int find_skip_mounts(tmpreaper_config *c) {
        _cleanup_free_ char *text = NULL;
        mount_entry *m = NULL;
        size_t n = 0;
        int r;

        if (root_read_file(NULL, "/proc/self/mountinfo", &text, NULL) < 0)
                return 0;
        r = mountinfo_parse(text, &m, &n);
        if (r < 0)
                return r;
        for (size_t d = 0; d < c->n_dirs && r >= 0; d++) {
                const char *dn = c->resolved_dirs[d];

                for (size_t i = 0; i < n && r >= 0; i++) {
                        bool dup = false;

                        if (!path_below(dn, m[i].where))
                                continue;
                        for (size_t k = 0; k < c->n_skip_mounts; k++)
                                dup |= streq(c->skip_mounts[k], m[i].where);
                        if (!dup)
                                r = strv_extend(&c->skip_mounts, &c->n_skip_mounts, m[i].where);
                }
        }
        mount_entries_free(m, n);
        return r;
}

static int fill_from_args(tmpreaper_config *c, tmpreaper_job *j) {
        _cleanup_(tmpreaper_args_done) tmpreaper_args a = {};
        char **argv;
        int r;

        /* tmpreaper's own argv: what follows the program name. */
        argv = calloc(j->n_argv + 1, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        for (size_t i = 0; i < j->n_argv; i++)
                argv[i] = j->argv[i].text;
        r = tmpreaper_args_parse(argv, j->n_argv, &a);
        free(argv);
        if (r < 0)
                return r;

        for (size_t i = 0; i < j->n_argv; i++) {
                r = strv_extend(&c->argv, &c->n_argv, j->argv[i].text);
                if (r < 0)
                        return r;
        }
        if (!a.ok) {
                const source_ref *s = a.error_arg < j->n_argv ? &j->argv[a.error_arg].source : NULL;

                r = disable(c, a.error, s ? s->file : CRON_JOB, s ? s->line : 0);
                if (r < 0)
                        return r;
        }
        c->all = a.all;
        c->symlinks = a.symlinks;
        c->force = a.force;
        c->mtime = a.mtime;
        c->mtime_dir = a.mtime_dir;
        c->ctime = a.ctime;
        if (a.all && (r = source_ref_set(&c->all_source, j->argv[a.all_arg].source.file,
                                         j->argv[a.all_arg].source.line)) < 0)
                return r;
        if (a.time_arg != SIZE_MAX) {
                c->age_usec = a.grace_usec;
                r = source_ref_set(&c->age_source, j->argv[a.time_arg].source.file, j->argv[a.time_arg].source.line);
                if (r < 0)
                        return r;
        }
        if (a.n_dirs > 0) {
                r = source_ref_set(&c->dirs_source, j->argv[a.dir_args[0]].source.file,
                                   j->argv[a.dir_args[0]].source.line);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < a.n_dirs; i++) {
                r = strv_extend(&c->dirs, &c->n_dirs, j->argv[a.dir_args[i]].text);
                if (r < 0)
                        return r;
        }
        c->protect_sources = calloc(a.n_protect + 1, sizeof(source_ref));
        if (!c->protect_sources)
                return -ENOMEM;
        for (size_t i = 0; i < a.n_protect; i++) {
                const source_ref *s = &j->argv[a.protect_args[i]].source;

                r = strv_extend(&c->protect, &c->n_protect, a.protect[i]);
                if (r < 0)
                        return r;
                r = source_ref_set(&c->protect_sources[i], s->file, s->line);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Without its cron job tmpreaper never runs on its own; the settings are
 * still read, so that "check" can say what enabling it would clean. */
static int fill_without_job(tmpreaper_config *c, tmpreaper_job *j) {
        const shell_var *v;
        int r;

        r = tmpreaper_job_source(j, CONF);
        if (r < 0)
                return r;
        v = shell_vars_get(&j->vars, "TMPREAPER_DIRS");
        if (v && v->value[0]) {
                _cleanup_free_ char *copy = strdup(v->value);
                char *save = NULL;

                if (!copy)
                        return -ENOMEM;
                for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
                        if ((r = strv_extend(&c->dirs, &c->n_dirs, w)) < 0)
                                return r;
                r = source_ref_set(&c->dirs_source, v->source.file, v->source.line);
        } else {
                r = strv_extend(&c->dirs, &c->n_dirs, "/tmp/.");
        }
        if (r < 0)
                return r;
        v = shell_vars_get(&j->vars, "TMPREAPER_TIME");
        if (!v || tmpreaper_parse_time(v->value, &c->age_usec) < 0)
                c->age_usec = 7 * USEC_PER_DAY;
        else
                r = source_ref_set(&c->age_source, v->source.file, v->source.line);
        /* The options Debian's job always passes. */
        c->symlinks = c->mtime_dir = c->ctime = true;
        return r;
}

int tmpreaper_config_load(tmpreaper_config *ret, const char *root) {
        _cleanup_(tmpreaper_config_done) tmpreaper_config c = {};
        _cleanup_free_ char *text = NULL;
        _cleanup_(tmpreaper_job_done) tmpreaper_job j = { .root = root };
        struct stat st;
        int r;

        c.runs = true;
        c.installed = root_file_test(root, "-x", BINARY) > 0;
        r = cron_daemon_find(root, &c.cron_daemon_source);
        if (r < 0)
                return r;
        c.cron_daemon = r > 0;

        r = root_lstat(root, CRON_JOB, &st) >= 0 ? root_read_file(root, CRON_JOB, &text, NULL) : -ENOENT;
        if (r == -ENOMEM)
                return r;
        c.cron_job = r >= 0;

        if (!c.cron_job) {
                r = disable(&c, "there is no " CRON_JOB, CRON_JOB, 0);
                if (r >= 0)
                        r = fill_without_job(&c, &j);
        } else {
                if (!c.installed)
                        r = disable(&c, "tmpreaper is not installed (" BINARY ")", BINARY, 0);
                else if (!(st.st_mode & 0111))
                        /* run-parts runs only executables: chmod -x is a
                         * common way to switch a daily job off. */
                        r = disable(&c, CRON_JOB " is not executable: run-parts skips it", CRON_JOB, 0);
                if (r >= 0)
                        r = tmpreaper_job_interpret(&j, text, CRON_JOB);
                if (r >= 0 && j.exit_reason)
                        r = disable(&c, j.exit_reason, j.exit_source.file, j.exit_source.line);
                if (r >= 0 && !j.found_command)
                        r = disable(&c, "no tmpreaper command found in " CRON_JOB, CRON_JOB, 0);
                if (r >= 0 && j.found_command)
                        r = fill_from_args(&c, &j);
        }
        if (r >= 0)
                r = resolve_dirs(&c);
        if (r >= 0)
                r = compile_protect(&c);
        if (r >= 0 && (!root || streq(root, "/")))
                r = find_skip_mounts(&c);
        if (r < 0)
                return r;
        *ret = c;
        c = (tmpreaper_config) {};
        return 0;
}
