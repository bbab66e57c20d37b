/* SPDX-License-Identifier: MIT */
/* What reading tmpfiles.d looks up, remembered for the configuration:
 * users and groups resolved as systemd-tmpfiles resolves them, and the
 * specifiers' values (tmpfiles-specifier.c fills those). */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "tmpfiles-lookups.h"

tmpfiles_lookups *tmpfiles_lookups_of(tmpfiles_config *c) {
        if (!c->lookups)
                c->lookups = calloc(1, sizeof(*c->lookups));
        return c->lookups;
}

void tmpfiles_lookups_free(tmpfiles_lookups *l) {
        if (!l)
                return;
        for (size_t i = 0; i < ELEMENTSOF(l->specifier); i++)
                free(l->specifier[i].value);
        for (size_t i = 0; i < l->n_ids; i++)
                free(l->ids[i].name);
        free(l->ids);
        free(l);
}

/* NAME's id in ROOT's /etc/passwd or /etc/group, read without NSS, the way
 * tmpfiles resolves names under --root. */
static int name_to_id_offline(const char *root, const char *file, const char *name, uint32_t *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = strlen(name);
        int r;

        r = root_read_file(root, file, &text, NULL);
        if (r < 0)
                return r;
        for (char *line = text, *eol; *line; line = *eol ? eol + 1 : eol) {
                char *id, *end, saved;
                unsigned u;
                int k;

                eol = strchrnul(line, '\n');
                if (strncmp(line, name, len) != 0 || line[len] != ':')
                        continue;
                id = strchr(line + len + 1, ':'); /* past the password field */
                if (!id || id > eol)
                        continue;
                id++;
                end = id + strcspn(id, ":\n");
                saved = *end;
                *end = '\0';
                k = safe_atou(id, 10, true, &u);
                *end = saved;
                if (k < 0)
                        continue;
                *ret = u;
                return 0;
        }
        return -ESRCH;
}

/* find_uid()/find_gid(): a number, "root", then NSS for the running system
 * or the root's files under --root. Names NSS does not know make the line
 * invalid. */
static int resolve_id_uncached(const tmpfiles_config *c, const char *name, bool group, uint32_t *ret) {
        const char *nobody = group ? "nogroup" : "nobody";

        if (parse_uid(name, ret) >= 0)
                return 0;
        if (!root_is_live(c->root)) {
                if (streq(name, "root")) {
                        *ret = 0;
                        return 0;
                }
                return name_to_id_offline(c->root, group ? "/etc/group" : "/etc/passwd", name, ret);
        }
        if (streq(name, "root") || streq(name, "0")) {
                *ret = 0;
                return 0;
        }
        if (streq(name, nobody) || streq(name, "65534")) {
                *ret = 65534;
                return 0;
        }
        if (group) {
                struct group *g = getgrnam(name);
                if (!g)
                        return -ESRCH;
                *ret = g->gr_gid;
        } else {
                struct passwd *pw = getpwnam(name);
                if (!pw)
                        return -ESRCH;
                *ret = pw->pw_uid;
        }
        return 0;
}

/* Each name once per configuration: NSS reads /etc/passwd or /etc/group
 * again for every call, and the same few names fill many lines. */
int tmpfiles_resolve_id(tmpfiles_config *c, const char *name, bool group, uint32_t *ret) {
        tmpfiles_lookups *l = tmpfiles_lookups_of(c);
        struct tmpfiles_id *e;
        uint32_t id = 0;
        int r;

        for (size_t i = 0; l && i < l->n_ids; i++)
                if (l->ids[i].group == group && streq(l->ids[i].name, name)) {
                        if (l->ids[i].r >= 0)
                                *ret = l->ids[i].id;
                        return l->ids[i].r;
                }
        r = resolve_id_uncached(c, name, group, &id);
        if (r == -ENOMEM || !l || GREEDY_REALLOC(l->ids, l->allocated_ids, l->n_ids + 1, 16) < 0)
                goto done;
        e = &l->ids[l->n_ids];
        *e = (struct tmpfiles_id) { .name = strdup(name), .group = group, .r = r, .id = id };
        if (e->name)
                l->n_ids++;
done:
        if (r >= 0)
                *ret = id;
        return r;
}
