/* SPDX-License-Identifier: MIT */
#pragma once

/* Specifiers in tmpfiles.d lines, for the tmpfiles.d reader. */

#include <stdbool.h>
#include <stddef.h>

/* systemd's specifier_printf() over TEXT with tmpfiles' specifiers, ROOT's
 * files read for %m, %o and friends (ROOT NULL: the running system): %%
 * is %, a known letter expands, an unknown letter or digit is -EBADSLT,
 * anything else stays as it is. -ENAMETOOLONG past MAX bytes. */
int tmpfiles_specifier_printf(const char *root, const char *text, size_t max, char **ret);

/* R is an error after which tmpfiles skips the line as "not resolvable
 * here" (ERRNO_IS_NOINFO: a root without /etc/machine-id...) rather than
 * rejecting it as invalid. */
bool tmpfiles_specifier_is_noinfo(int r);
