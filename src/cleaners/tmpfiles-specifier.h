/* SPDX-License-Identifier: MIT */
#pragma once

/* Specifiers in tmpfiles.d lines, for the tmpfiles.d reader. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* systemd's specifier_printf() over TEXT with tmpfiles' specifiers, ROOT's
 * files read for %m, %o and friends (ROOT NULL: the running system): %%
 * is %, a known letter expands, an unknown letter or digit is -EBADSLT,
 * anything else stays as it is. -ENAMETOOLONG past MAX bytes. LOOKUPS
 * (may be NULL) remembers the values for ROOT. */
struct tmpfiles_lookups;
int tmpfiles_specifier_printf(struct tmpfiles_lookups *lookups, const char *root, const char *text, size_t max,
                              char **ret);

/* R is an error after which tmpfiles skips the line as "not resolvable
 * here" (ERRNO_IS_NOINFO: a root without /etc/machine-id...) rather than
 * rejecting it as invalid. */
bool tmpfiles_specifier_is_noinfo(int r);
