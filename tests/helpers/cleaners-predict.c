/* SPDX-License-Identifier: MIT */
/* The prediction side of the differential tests against the real cleaners:
 * reads the cleaner configuration of a root the way `sockkeeper check`
 * does and prints, one JSON object per line, what it expects for each
 * path. The tests run the real tmpreaper afterwards and compare.
 *
 *   cleaners-predict --root R PATH...      one line per path
 *   cleaners-predict --root R --config     the tmpreaper job as understood
 *   cleaners-predict --root R --cron       the cron cleaners found
 *   cleaners-predict --root R --timer      systemd-tmpfiles-clean.timer
 *   cleaners-predict --root R --tmpfs PATH...
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleaners.h"
#include "cron.h"
#include "tmpreaper.h"
#include "json.h"
#include "macro.h"

static void json_source(json_writer *w, const char *key, const source_ref *s) {
        json_key(w, key);
        if (!s || !s->file) {
                json_null(w);
                return;
        }
        json_begin_object(w);
        json_key(w, "file");
        json_string(w, s->file);
        json_key(w, "line");
        json_uint(w, s->line);
        json_end_object(w);
}

static void json_opt_string(json_writer *w, const char *key, const char *s) {
        json_key(w, key);
        if (s)
                json_string(w, s);
        else
                json_null(w);
}

static void print_config(const tmpreaper_config *c) {
        json_writer w;

        json_init(&w, stdout, false);
        json_begin_object(&w);
        json_key(&w, "installed");
        json_bool(&w, c->installed);
        json_key(&w, "cron_job");
        json_bool(&w, c->cron_job);
        json_key(&w, "cron_daemon");
        json_bool(&w, c->cron_daemon);
        json_key(&w, "runs");
        json_bool(&w, c->runs);
        json_opt_string(&w, "disabled_reason", c->disabled_reason);
        json_source(&w, "disabled_by", &c->disabled_by);
        json_key(&w, "age_us");
        json_uint(&w, c->age_usec);
        json_source(&w, "age_source", &c->age_source);
        json_key(&w, "dirs");
        json_begin_array(&w);
        for (size_t i = 0; i < c->n_dirs; i++)
                json_string(&w, c->dirs[i]);
        json_end_array(&w);
        json_source(&w, "dirs_source", &c->dirs_source);
        json_key(&w, "protect");
        json_begin_array(&w);
        for (size_t i = 0; i < c->n_protect; i++) {
                json_begin_object(&w);
                json_key(&w, "pattern");
                json_string(&w, c->protect[i]);
                json_source(&w, "source", &c->protect_sources[i]);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "all");
        json_bool(&w, c->all);
        json_source(&w, "all_source", &c->all_source);
        json_key(&w, "symlinks");
        json_bool(&w, c->symlinks);
        json_key(&w, "force");
        json_bool(&w, c->force);
        json_key(&w, "mtime");
        json_bool(&w, c->mtime);
        json_key(&w, "mtime_dir");
        json_bool(&w, c->mtime_dir);
        json_key(&w, "ctime");
        json_bool(&w, c->ctime);
        json_key(&w, "argv");
        json_begin_array(&w);
        for (size_t i = 0; i < c->n_argv; i++)
                json_string(&w, c->argv[i]);
        json_end_array(&w);
        json_end_object(&w);
        json_finish(&w);
}

static void print_verdict(const char *path, const tmpreaper_verdict *v) {
        json_writer w;

        json_init(&w, stdout, false);
        json_begin_object(&w);
        json_key(&w, "path");
        json_string(&w, path);
        json_key(&w, "reaches");
        json_bool(&w, v->reaches);
        json_key(&w, "deletes");
        json_bool(&w, v->deletes);
        json_opt_string(&w, "protected_by", v->protected_by);
        json_source(&w, "protected_source", v->protected_source);
        json_opt_string(&w, "kept_because", v->kept_because);
        json_key(&w, "age_us");
        json_uint(&w, v->age_usec);
        json_opt_string(&w, "age_by", v->age_by);
        json_end_object(&w);
        json_finish(&w);
}

static int print_cron(const char *root) {
        cron_cleaner *c = NULL;
        size_t n = 0;
        int r = cron_cleaners_load(&c, &n, root);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_writer w;

                json_init(&w, stdout, false);
                json_begin_object(&w);
                json_key(&w, "dir");
                json_string(&w, c[i].dir);
                json_opt_string(&w, "pattern", c[i].pattern);
                json_key(&w, "tool");
                json_string(&w, c[i].tool);
                json_key(&w, "sockets");
                json_bool(&w, c[i].sockets);
                json_key(&w, "recursive");
                json_bool(&w, c[i].recursive);
                json_key(&w, "age_us");
                json_uint(&w, c[i].age_usec);
                json_opt_string(&w, "age_by", c[i].age_by);
                json_opt_string(&w, "schedule", c[i].schedule);
                json_source(&w, "source", &c[i].source);
                json_key(&w, "command");
                json_string(&w, c[i].command);
                json_end_object(&w);
                json_finish(&w);
        }
        cron_cleaners_free(c, n);
        return 0;
}

static const char *timer_name(timer_state t) {
        switch (t) {
        case TIMER_ABSENT:
                return "absent";
        case TIMER_DISABLED:
                return "disabled";
        case TIMER_ENABLED:
                return "enabled";
        case TIMER_MASKED:
                return "masked";
        }
        return "?";
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "config", no_argument, NULL, 'c' },
                { "cron", no_argument, NULL, 'C' },
                { "timer", no_argument, NULL, 't' },
                { "tmpfs", no_argument, NULL, 'm' },
                {},
        };
        _cleanup_(tmpreaper_config_done) tmpreaper_config c = {};
        const char *root = "/";
        int mode = 0, opt, r;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case 'r':
                        root = optarg;
                        break;
                case 'c':
                case 'C':
                case 't':
                case 'm':
                        mode = opt;
                        break;
                default:
                        return 3;
                }

        if (mode == 'C') {
                r = print_cron(root);
                if (r < 0)
                        fprintf(stderr, "cleaners-predict: cron: %s\n", strerror(-r));
                return r < 0 ? 1 : 0;
        }
        if (mode == 't') {
                _cleanup_(source_ref_done) source_ref s = {};
                timer_state t = tmpfiles_clean_timer_state(root, &s);

                printf("{\"state\":\"%s\",\"source\":\"%s\"}\n", timer_name(t), strempty(s.file));
                return 0;
        }
        if (mode == 'm') {
                for (int i = optind; i < argc; i++) {
                        _cleanup_(source_ref_done) source_ref s = {};
                        json_writer w;

                        r = path_on_tmpfs(root, argv[i], &s);
                        json_init(&w, stdout, false);
                        json_begin_object(&w);
                        json_key(&w, "path");
                        json_string(&w, argv[i]);
                        json_key(&w, "tmpfs");
                        json_int(&w, r);
                        json_source(&w, "source", &s);
                        json_end_object(&w);
                        json_finish(&w);
                }
                return 0;
        }

        r = tmpreaper_config_load(&c, root);
        if (r < 0) {
                fprintf(stderr, "cleaners-predict: loading tmpreaper's configuration: %s\n", strerror(-r));
                return 1;
        }
        if (mode == 'c') {
                print_config(&c);
                return 0;
        }
        for (int i = optind; i < argc; i++) {
                tmpreaper_verdict v;

                r = tmpreaper_evaluate_at(&c, root, argv[i], &v);
                if (r < 0) {
                        fprintf(stderr, "cleaners-predict: %s: %s\n", argv[i], strerror(-r));
                        return 1;
                }
                print_verdict(argv[i], &v);
        }
        return 0;
}
