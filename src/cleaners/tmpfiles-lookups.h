/* SPDX-License-Identifier: MIT */
#pragma once

/* What reading tmpfiles.d looks up, each once per configuration however
 * many lines ask: the values of specifiers (ids and names read from
 * files, uname), and users' and groups' ids (NSS for the running system,
 * the root's own files under --root). NSS reads /etc/passwd or /etc/group
 * again for every call. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmpfiles.h"

typedef struct tmpfiles_lookups {
        struct {
                bool known;
                int r;
                char *value;
        } specifier[128];
        struct tmpfiles_id {
                char *name;
                bool group;
                int r;
                uint32_t id;
        } *ids;
        size_t n_ids, allocated_ids;
} tmpfiles_lookups;

/* C's lookups, made when first asked for; NULL without memory (then
 * nothing is remembered). They are for C's root: setting another drops
 * them. */
tmpfiles_lookups *tmpfiles_lookups_of(tmpfiles_config *c);
void tmpfiles_lookups_free(tmpfiles_lookups *l);

/* find_uid()/find_gid() of NAME (a user, or with GROUP a group): 0 and
 * *RET, -ESRCH for a name nobody knows. */
int tmpfiles_resolve_id(tmpfiles_config *c, const char *name, bool group, uint32_t *ret);
