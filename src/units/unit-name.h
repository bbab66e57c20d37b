/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit names as systemd 252 spells them: "prefix.type" (plain),
 * "prefix@.type" (a template) and "prefix@instance.type" (an instance
 * of it), the known types, and the escapes that put a path or any byte
 * into a name ("\x2d" for '-', '-' for '/'). Pure string functions: no
 * file is read. */

#include <stdbool.h>
#include <stddef.h>

/* systemd's UNIT_NAME_MAX: longer names are refused. */
#define UNIT_NAME_MAX 255

/* true for a valid unit name with a known type suffix: plain
 * ("foo.service"), template ("foo@.service") or instance
 * ("foo@bar.service"). */
bool unit_name_is_valid(const char *name);

/* The type suffix of NAME (".service"), when it is one of the known
 * types; NULL otherwise. */
const char *unit_name_suffix(const char *name);

/* NAME as systemctl reads a unit named on a command line: one without a
 * known type suffix is a service ("foo" -> "foo.service", "foo@bar" ->
 * "foo@bar.service", "a.b" -> "a.b.service"); any other is copied. The
 * result need not be valid. 0, or -ENOMEM. */
int unit_name_default_service(const char *name, char **ret);

/* "foo@.service" */
bool unit_name_is_template(const char *name);
/* "foo@bar.service" */
bool unit_name_is_instance(const char *name);

/* The parts of "pre-fix@inst.service". The name need not be valid: the
 * type is whatever follows the last '.', and an '@' after it is no
 * instance separator. */
typedef struct unit_name_parts {
        size_t prefix_len;      /* "pre-fix" */
        const char *instance;   /* "inst" ("" for a template), NULL without an '@' */
        size_t instance_len;
        size_t stem_len;        /* "pre-fix@inst", the name without ".service" */
} unit_name_parts;

void unit_name_split(const char *name, unit_name_parts *ret);

/* "foo@bar.service" -> "foo@.service"; NULL when NAME has no '@' or no
 * known type, or out of memory. */
char *unit_name_template(const char *name);

/* "bar" of "foo@bar.service" into *RET: 1; 0 with *RET NULL for a plain
 * or template name; -ENOMEM. */
int unit_name_to_instance(const char *name, char **ret);

/* "foo@.service" + "bar" -> "foo@bar.service"; NULL as for
 * unit_name_template(). */
char *unit_name_with_instance(const char *template, const char *instance);

/* systemd's unit_name_unescape() of LEN bytes of S: "\xNN" is the byte,
 * '-' is '/'. -EINVAL for an escaped NUL, -ENOMEM. */
int unit_name_unescape(const char *s, size_t len, char **ret);
