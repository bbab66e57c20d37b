/* SPDX-License-Identifier: MIT */
/* Unit names: which strings systemd 252 takes for a unit name (the rules
 * of unit_name_is_valid() in unit-name.c of 252, for the types it knows),
 * templates and their instances, and the unescaping of a name's parts.
 * The unit reader, the generator, migrate and the guard all ask here, so
 * that a name one of them accepts is a name to all of them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "unit-name.h"
#include "unquote.h"

static const char *const unit_types[] = {
        "service", "mount", "swap", "socket", "target", "device", "automount", "timer", "path", "slice", "scope",
};

const char *unit_name_suffix(const char *name) {
        const char *dot = strrchr(name, '.');

        if (!dot)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(dot + 1, unit_types[i]))
                        return dot;
        return NULL;
}

bool unit_name_is_valid(const char *name) {
        const char *suffix, *at;
        size_t len;

        if (!name || !name[0])
                return false;
        len = strlen(name);
        if (len > UNIT_NAME_MAX)
                return false;
        suffix = unit_name_suffix(name);
        if (!suffix || suffix == name)
                return false;
        for (const char *p = name; p < suffix; p++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:-_.\\@", *p))
                        return false;
        at = strchr(name, '@');
        if (at && (at == name || memchr(at + 1, '@', (size_t) (suffix - at - 1))))
                return false;
        return true;
}

int unit_name_default_service(const char *name, char **ret) {
        char *s;

        if (unit_name_suffix(name))
                s = strdup(name);
        else if (asprintf(&s, "%s.service", name) < 0)
                s = NULL;
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

bool unit_name_is_template(const char *name) {
        const char *at = strchr(name, '@');
        return at && at[1] == '.';
}

bool unit_name_is_instance(const char *name) {
        const char *at = strchr(name, '@');
        return at && at[1] != '.';
}

void unit_name_split(const char *name, unit_name_parts *ret) {
        const char *dot = strrchr(name, '.'), *at = strchr(name, '@');
        unit_name_parts p = { .stem_len = dot ? (size_t) (dot - name) : strlen(name) };

        if (at && (size_t) (at - name) < p.stem_len) {
                p.prefix_len = (size_t) (at - name);
                p.instance = at + 1;
                p.instance_len = p.stem_len - p.prefix_len - 1;
        } else
                p.prefix_len = p.stem_len;
        *ret = p;
}

char *unit_name_template(const char *name) {
        const char *at = strchr(name, '@'), *suffix = unit_name_suffix(name);
        char *s;

        if (!at || !suffix || asprintf(&s, "%.*s%s", (int) (at - name + 1), name, suffix) < 0)
                return NULL;
        return s;
}

int unit_name_to_instance(const char *name, char **ret) {
        const char *at = strchr(name, '@'), *suffix = unit_name_suffix(name);

        if (!at || !suffix || suffix <= at + 1) {
                *ret = NULL;
                return 0;
        }
        *ret = strndup(at + 1, (size_t) (suffix - at - 1));
        return *ret ? 1 : -ENOMEM;
}

char *unit_name_with_instance(const char *template, const char *instance) {
        const char *at = strchr(template, '@'), *suffix = unit_name_suffix(template);
        char *s;

        if (!at || !suffix || asprintf(&s, "%.*s%s%s", (int) (at - template + 1), template, instance, suffix) < 0)
                return NULL;
        return s;
}

int unit_name_unescape(const char *s, size_t len, char **ret) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '-')
                        *o++ = '/';
                else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
                         unhexchar(s[i + 2]) >= 0 && unhexchar(s[i + 3]) >= 0) {
                        char c = (char) (unhexchar(s[i + 2]) << 4 | unhexchar(s[i + 3]));

                        if (c == 0) {
                                free(out);
                                return -EINVAL;
                        }
                        *o++ = c;
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = 0;
        *ret = out;
        return 0;
}
