/* SPDX-License-Identifier: MIT */
#pragma once

/* Specifiers in tmpfiles.d lines, for the tmpfiles.d reader. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What reading a configuration looks up, each once however many lines
 * ask: the specifiers' values (ids and names read from files, uname) and
 * the users' and groups' ids (NSS, or the root's files). For one root. */
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

void tmpfiles_lookups_free(tmpfiles_lookups *l);

/* systemd's specifier_printf() over TEXT with tmpfiles' specifiers, ROOT's
 * files read for %m, %o and friends (ROOT NULL: the running system): %%
 * is %, a known letter expands, an unknown letter or digit is -EBADSLT,
 * anything else stays as it is. -ENAMETOOLONG past MAX bytes. LOOKUPS
 * (may be NULL) remembers the values for ROOT. */
int tmpfiles_specifier_printf(tmpfiles_lookups *lookups, const char *root, const char *text, size_t max,
                              char **ret);

/* R is an error after which tmpfiles skips the line as "not resolvable
 * here" (ERRNO_IS_NOINFO: a root without /etc/machine-id...) rather than
 * rejecting it as invalid. */
bool tmpfiles_specifier_is_noinfo(int r);
