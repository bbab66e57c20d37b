/* SPDX-License-Identifier: MIT */
#pragma once

/* The tmpfiles.d reader's rules for its table of lines. */

#include <stdbool.h>

#include "tmpfiles.h"

/* I, a line about to be added to C, is one that tmpfiles ignores as a
 * "Duplicate line": an earlier line owns its path with other settings. */
bool tmpfiles_item_is_duplicate(const tmpfiles_config *c, const tmpfiles_item *i);

/* Gives every X line of C the age of its directory line, as
 * read_config_file() does at the end of every file. */
int tmpfiles_inherit_x_ages(tmpfiles_config *c);
