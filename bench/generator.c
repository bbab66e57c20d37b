/* SPDX-License-Identifier: MIT */
/* bench/generator: how long sockkeeper-generator takes, side by side with
 * `cat` of the same unit files and drop-ins (the I/O floor: no generator
 * can read its input faster), over (a) this machine's real unit tree and
 * (b) 10,000 synthetic annotated units. Whole processes, interleaved
 * runs, medians. It prints numbers; it is not a pass/fail test. */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "unit-file.h"

#define TARGET_RATIO 2.0
#define TARGET_REAL_MS 10.0

typedef struct result {
        const char *name;
        size_t n_files;
        uint64_t gen, cat, base;
        bench_ratio ratio;      /* generator / baseline */
} result;

/* Every regular file (or symlink to one) the generator may read: the
 * search directories and their drop-in directories. */
static int collect_files(char **dirs, size_t n_dirs, char ***files, size_t *n) {
        for (size_t i = 0; i < n_dirs; i++) {
                DIR *d = opendir(dirs[i]);
                struct dirent *de;

                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        _cleanup_free_ char *p = NULL;
                        struct stat st;

                        if (de->d_name[0] == '.' || asprintf(&p, "%s/%s", dirs[i], de->d_name) < 0)
                                continue;
                        if (stat(p, &st) < 0)
                                continue;
                        if (S_ISREG(st.st_mode) && st.st_size > 0) {
                                if (strv_push(files, n, TAKE_PTR(p)) < 0)
                                        return -ENOMEM;
                        } else if (S_ISDIR(st.st_mode) && strlen(de->d_name) > 2 &&
                                   streq(de->d_name + strlen(de->d_name) - 2, ".d")) {
                                char *sub[] = { p };
                                if (collect_files(sub, 1, files, n) < 0)
                                        return -ENOMEM;
                        }
                }
                closedir(d);
        }
        return 0;
}

static int make_synthetic(const char *dir, unsigned n) {
        _cleanup_free_ char *units = NULL;

        if (asprintf(&units, "%s/units", dir) < 0 || mkdir(units, 0755) < 0)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;
                FILE *f;

                /* Mostly plain services, some annotated, some socket units
                 * under /tmp, some with a drop-in: a busy machine's mix. */
                if (asprintf(&p, "%s/bench-%05u.%s", units, i, i % 10 == 9 ? "socket" : "service") < 0)
                        return -ENOMEM;
                f = fopen(p, "we");
                if (!f)
                        return negative_errno();
                fprintf(f, "[Unit]\nDescription=Synthetic unit %u\nAfter=network.target\n\n", i);
                if (i % 10 == 9)
                        fprintf(f, "[Socket]\nListenStream=/tmp/bench-%u.sock\nSocketMode=0660\n", i);
                else
                        fprintf(f, "[Service]\nExecStart=/usr/bin/bench-daemon --id=%u\nRestart=on-failure\n"
                                   "User=bench\n\n[X-SockKeeper]\nSocket=/tmp/bench/%u.sock\nOnLoss=restart\n",
                                i, i);
                fprintf(f, "\n[Install]\nWantedBy=multi-user.target\n");
                if (fclose(f) != 0)
                        return -EIO;
        }
        return 0;
}

/* Each run of a generator writes into a directory of its own. */
typedef struct outputs {
        const char *dir;
        const bench_cmd *cat;
} outputs;

static int fresh_output(bench_cmd *c, unsigned round, void *userdata) {
        const outputs *out = userdata;
        char *dest = c->argv[1]; /* argv[1..3]: one PATH_MAX buffer */

        if (c == out->cat)
                return 0;
        snprintf(dest, PATH_MAX, "%s/%u%s", out->dir, round, c->baseline ? "-baseline" : "");
        if (mkdir(dest, 0755) < 0)
                return log_error_errno(errno, "mkdir %s", dest);
        return 0;
}

static int measure(result *res, char *gen_path, const char *base_path, char **cat_files, size_t n_files,
                   unsigned runs) {
        _cleanup_free_ char **cat_argv = calloc(n_files + 2, sizeof(char *));
        char out[] = "/tmp/sk-bench-gen-out-XXXXXX", dest[2][PATH_MAX];
        char *gen_argv[] = { gen_path, dest[0], dest[0], dest[0], NULL };
        char *base_argv[] = { (char *) base_path, dest[1], dest[1], dest[1], NULL };
        bench_cmd cmds[3] = {};
        size_t n = 0;
        int r;

        if (!cat_argv || !mkdtemp(out))
                return -ENOMEM;
        cat_argv[0] = (char *) "/bin/cat";
        memcpy(cat_argv + 1, cat_files, n_files * sizeof(char *));

        cmds[n++] = (bench_cmd) { .name = gen_path, .argv = gen_argv };
        if (base_path)
                cmds[n++] = (bench_cmd) { .name = base_path, .argv = base_argv, .baseline = true };
        /* The floor is timed whatever it exits with. */
        cmds[n++] = (bench_cmd) { .name = "cat", .argv = cat_argv, .max_status = 255 };
        r = bench_interleave(cmds, n, runs, fresh_output, &(outputs) { .dir = out, .cat = &cmds[n - 1] });
        bench_rm_rf(out);
        if (r >= 0) {
                res->n_files = n_files;
                res->gen = cmds[0].median;
                res->cat = cmds[n - 1].median;
                if (base_path) {
                        res->base = cmds[1].median;
                        res->ratio = cmds[1].ratio;
                }
        }
        bench_cmds_done(cmds, n);
        return r;
}

static int help(void) {
        printf("Usage: generator [--units N] [--runs N] [--json] [--baseline=GENERATOR]\n"
               "\n"
               "Times sockkeeper-generator over this machine's unit tree and over N\n"
               "(default 10000) synthetic annotated units, against cat(1) of the same\n"
               "files, each run R times (default 21), interleaved; prints medians and\n"
               "their ratio.\n"
               "\n" BENCH_BASELINE_HELP
               "Here BINARY is another build's sockkeeper-generator, e.g.\n"
               "  generator --baseline=../old/build/generator/sockkeeper-generator\n");
        return 0;
}

int main(int argc, char *argv[]) {
        char tmp[] = "/tmp/sk-bench-gen-XXXXXX";
        char *gen = (char *) GENERATOR_BINARY;
        bench_options o = { .count = 10000, .runs = 21 };
        result res[2] = { { .name = "real unit tree" }, { .name = "synthetic units" } };
        char **dirs = NULL, **files = NULL, **sfiles = NULL;
        size_t n_dirs = 0, n_files = 0, n_sfiles = 0;
        _cleanup_free_ char *sdir = NULL;
        int r;

        log_set_program("bench/generator");
        r = bench_parse_options(argc, argv, "units", help, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        const unsigned n_units = o.count, runs = o.runs;
        const bool json = o.json;

        /* (a) The real tree: the search path as the generator sees it. */
        unsetenv("SYSTEMD_UNIT_PATH");
        if (unit_search_path(&dirs, &n_dirs) < 0 || collect_files(dirs, n_dirs, &files, &n_files) < 0)
                return log_error_errno(ENOMEM, "listing units"), 1;
        r = measure(&res[0], gen, o.baseline, files, n_files, runs);
        if (r < 0)
                return 1;

        /* (b) Synthetic units, with the tmpfiles.d of this machine. */
        if (!mkdtemp(tmp) || make_synthetic(tmp, n_units) < 0 || asprintf(&sdir, "%s/units", tmp) < 0)
                return log_error_errno(errno ?: EIO, "making synthetic units"), 1;
        setenv("SYSTEMD_UNIT_PATH", sdir, 1);
        {
                char *one[] = { sdir };
                if (collect_files(one, 1, &sfiles, &n_sfiles) < 0)
                        return log_error_errno(ENOMEM, "listing units"), 1;
        }
        r = measure(&res[1], gen, o.baseline, sfiles, n_sfiles, runs);
        bench_rm_rf(tmp);
        if (r < 0)
                return 1;

        if (json) {
                json_writer w;

                json_init(&w, stdout, true);
                json_begin_object(&w);
                json_pair_uint(&w, "runs", runs);
                if (o.baseline)
                        json_pair_string(&w, "baseline", o.baseline);
                json_key(&w, "trees");
                json_begin_array(&w);
                for (size_t i = 0; i < ELEMENTSOF(res); i++) {
                        json_begin_object(&w);
                        json_pair_string(&w, "tree", res[i].name);
                        json_pair_uint(&w, "files", res[i].n_files);
                        json_pair_uint(&w, "generator_median_us", res[i].gen);
                        json_pair_uint(&w, "cat_median_us", res[i].cat);
                        json_pair_double(&w, "ratio", (double) res[i].gen / (double) res[i].cat);
                        if (o.baseline) {
                                json_pair_uint(&w, "baseline_median_us", res[i].base);
                                bench_json_ratio(&w, "ratio_baseline", &res[i].ratio);
                        }
                        json_end_object(&w);
                }
                json_end_array(&w);
                json_end_object(&w);
                json_finish(&w);
        } else {
                printf("bench/generator: %u interleaved runs of each, medians of whole-process wall time\n", runs);
                for (size_t i = 0; i < ELEMENTSOF(res); i++) {
                        double ratio = (double) res[i].gen / (double) res[i].cat;

                        printf("  %-16s %6zu files  generator %8.2f ms  cat %8.2f ms  ratio %5.2f [<= %.1f] %s",
                               res[i].name, res[i].n_files, (double) res[i].gen / 1000, (double) res[i].cat / 1000,
                               ratio, TARGET_RATIO, ratio <= TARGET_RATIO ? "PASS" : "MISS");
                        if (i == 0)
                                printf("; [< %.0f ms] %s", TARGET_REAL_MS,
                                       (double) res[i].gen / 1000 < TARGET_REAL_MS ? "PASS" : "MISS");
                        printf("\n");
                        if (o.baseline) {
                                printf("  %30s baseline  %8.2f ms\n", "", (double) res[i].base / 1000);
                                bench_print_ratio(57, "                               ratio generator / baseline",
                                                  &res[i].ratio);
                        }
                }
                if (o.baseline)
                        printf("  baseline: %s\n", o.baseline);
        }
        strv_free_n(dirs, n_dirs);
        strv_free_n(files, n_files);
        strv_free_n(sfiles, n_sfiles);
        return 0;
}
