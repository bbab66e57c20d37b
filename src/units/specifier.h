/* SPDX-License-Identifier: MIT */
#pragma once

/* Specifiers (%i, %t, ...) as units and tmpfiles.d know them: which ones
 * tmpfiles expands itself, which ones only a unit knows, and the unit
 * expansion of the system manager, for one unit name. Shared by
 * `sockkeeper tmpfiles-snippet` and sockkeeper-generator, so that both
 * turn a template's paths into the same globs. */

#include <stdbool.h>

/* Specifiers systemd-tmpfiles 252 expands itself. tmpfiles.d(5) lists %A
 * and %M too, but its systemd-tmpfiles fails such a line ("Invalid slot"). */
extern const char specifier_tmpfiles[];
/* Those of them that expand to an absolute path, so a path may start with them. */
extern const char specifier_tmpfiles_absolute[];
/* Unit specifiers that name the unit or its instance: tmpfiles does not
 * know them, and one snippet must cover every instance, so each becomes
 * a '*' glob. %A and %M (the OS image version and ID) join them, as a
 * glob is right wherever tmpfiles lacks them. */
#define SPECIFIER_UNIT_GLOB "iIjJnNpPqAM"
extern const char specifier_unit_glob[sizeof(SPECIFIER_UNIT_GLOB)];
/* Unit specifiers that expand to paths with slashes, which no single glob
 * component can stand for. */
extern const char specifier_unit_path[];

/* The value of specifier C that does not depend on the unit: the system
 * manager's directories and user ("/run" for %t, "root" for %u, "%" for
 * %%), the same for systemd-tmpfiles as the system runs it. NULL for the
 * others. */
const char *specifier_system_value(char c);

/* The characters that make a tmpfiles.d path a glob; a backslash before
 * one makes it match itself. */
#define GLOB_SPECIAL "*?[\\"

/* S as a glob that matches only S. */
char *glob_escape(const char *s);

/* Expands the specifiers of TEXT for unit NAME as the system manager
 * does (%t is /run, %h /root, %i the instance, ...). For a template
 * (NAME "foo@.service"), the result is a glob: what depends on the
 * instance becomes '*' and the glob characters of the rest are escaped:
 * "/tmp/%p-%i[1].sock" of foo@.service is "/tmp/foo-*\\[1].sock".
 * -EINVAL for a specifier it cannot expand here; *RET_BAD is then that
 * character (0 for a lone '%' at the end). */
int specifier_expand_unit(const char *text, const char *name, char **ret, char *ret_bad);
