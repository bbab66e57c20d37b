/* SPDX-License-Identifier: MIT */
/* The specifier tables of units and tmpfiles.d, and the unit specifier
 * expansion of the system manager (specifier.c and unit-printf.c of
 * systemd 252), for the paths of [X-SockKeeper] annotations and socket
 * units. Only what a path of a system unit can use is expanded; the
 * host's names and IDs are refused, because a generator that read them
 * would give different globs on another machine from the same tree. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "specifier.h"
#include "unit-name.h"

const char specifier_tmpfiles[] = "abBCgGhHlLmoStTuUvVwW%";
const char specifier_tmpfiles_absolute[] = "hCLStTV";
const char specifier_unit_glob[sizeof(SPECIFIER_UNIT_GLOB)] = SPECIFIER_UNIT_GLOB;
const char specifier_unit_path[] = "dEfsyY";

/* LEN bytes of S; with GLOB, each glob character escaped, so that the
 * text matches only itself in a glob. */
static void put(FILE *f, const char *s, size_t len, bool glob) {
        for (size_t i = 0; i < len && s[i]; i++) {
                if (glob && strchr(GLOB_SPECIAL, s[i]))
                        fputc('\\', f);
                fputc(s[i], f);
        }
}

char *glob_escape(const char *s) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        put(f, s, strlen(s), true);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int put_unescaped(FILE *f, const char *s, size_t len, bool glob) {
        _cleanup_free_ char *u = NULL;
        int r = unit_name_unescape(s, len, &u);

        if (r < 0)
                return r;
        put(f, u, strlen(u), glob);
        return 0;
}

const char *specifier_system_value(char c) {
        static const struct {
                char c;
                const char *value;
        } fixed[] = {
                /* The system manager's directories and user (unit-printf.c, specifier.c). */
                { 't', "/run" }, { 'S', "/var/lib" }, { 'C', "/var/cache" }, { 'L', "/var/log" },
                { 'E', "/etc" }, { 'T', "/tmp" },     { 'V', "/var/tmp" },   { 'h', "/root" },
                { 'u', "root" }, { 'U', "0" },        { 'g', "root" },       { 'G', "0" },
                { 's', "/bin/sh" }, { '%', "%" },
        };

        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                if (fixed[i].c == c)
                        return fixed[i].value;
        return NULL;
}

/* One specifier C of unit NAME (split into P) into F. TEMPLATE: the
 * instance is unknown, and F gets a glob. */
static int expand_one(FILE *f, const char *name, const unit_name_parts *p, bool template, char c) {
        const char *dash, *value = specifier_system_value(c);

        if (value) {
                put(f, value, strlen(value), template);
                return 0;
        }
        switch (c) {
        case 'n':
                if (template) {
                        put(f, name, p->prefix_len + 1, true); /* "prefix@" */
                        fputc('*', f);
                        put(f, name + p->stem_len, strlen(name + p->stem_len), true);
                } else
                        fputs(name, f);
                return 0;
        case 'N':
                if (template) {
                        put(f, name, p->prefix_len + 1, true);
                        fputc('*', f);
                } else
                        fprintf(f, "%.*s", (int) p->stem_len, name);
                return 0;
        case 'p':
                put(f, name, p->prefix_len, template);
                return 0;
        case 'P':
                return put_unescaped(f, name, p->prefix_len, template);
        case 'i':
        case 'I':
                if (template)
                        fputc('*', f);
                else if (c == 'i')
                        fprintf(f, "%.*s", (int) p->instance_len, strempty(p->instance));
                else
                        return put_unescaped(f, strempty(p->instance), p->instance_len, false);
                return 0;
        case 'j':
        case 'J':
                /* The last dash-separated part of the prefix. */
                dash = memrchr(name, '-', p->prefix_len);
                dash = dash ? dash + 1 : name;
                if (c == 'j')
                        put(f, dash, p->prefix_len - (size_t) (dash - name), template);
                else
                        return put_unescaped(f, dash, p->prefix_len - (size_t) (dash - name), template);
                return 0;
        case 'f':
                /* "/" and the unescaped instance (or prefix): slashes, so no glob. */
                if (template)
                        return -EINVAL;
                fputc('/', f);
                if (p->instance)
                        return put_unescaped(f, p->instance, p->instance_len, false);
                return put_unescaped(f, name, p->prefix_len, false);
        default:
                return -EINVAL;
        }
}

int specifier_expand_unit(const char *text, const char *name, char **ret, char *ret_bad) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        unit_name_parts p;
        bool template;
        FILE *f;
        int r = 0;

        unit_name_split(name, &p);
        template = p.instance && p.instance_len == 0;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (const char *s = text; *s; s++) {
                if (*s != '%') {
                        put(f, s, 1, template);
                        continue;
                }
                s++;
                if (!*s || (r = expand_one(f, name, &p, template, *s)) < 0) {
                        if (ret_bad)
                                *ret_bad = *s;
                        r = r < 0 ? r : -EINVAL;
                        break;
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}
