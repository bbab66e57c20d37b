/* SPDX-License-Identifier: MIT */
#pragma once

/* Where `sockkeeper migrate` moves a socket: the RuntimeDirectory= name
 * derived from the unit, and the new path of each old one. */

#include <stdbool.h>

/* The RuntimeDirectory= name for UNIT ("foo.service" -> "foo"). For a
 * template or an instance with PER_INSTANCE, "%i" joins the prefix
 * ("foo@.service" -> "foo-%i"), so that instances do not share one.
 * Unit-name escapes (\x2d) become their character when it is one of
 * [A-Za-z0-9._-], other characters '_'. -EINVAL for an invalid name. */
int migrate_runtime_name(const char *unit, bool per_instance, char **ret);

/* The new path of OLD, written for a unit file: "%t/NAME/" + OLD's file
 * name. -EINVAL when OLD is not an absolute path with a file name, has a
 * ".." component, or its file name holds a specifier that expands to a
 * path; -ENAMETOOLONG when the result cannot fit in sun_path, with %t as
 * long as it can be for SCOPE_USER (/run/user/UID) or "/run". */
int migrate_map_path(const char *old, const char *name, bool user, char **ret);

/* The file name of PATH (after its last '/'). */
const char *migrate_basename(const char *path);

/* PATH starts with a path specifier of the runtime directory (%t) or is
 * under /run or /var/run (or RUNTIME_DIR, when set): no cleaner ages it. */
bool migrate_path_is_runtime(const char *path, const char *runtime_dir);

/* TEXT with the unit specifiers %i and %I (and "%%") expanded for INSTANCE,
 * for files that do not know them (tmpfiles.d). -EINVAL when another
 * unit-only specifier is left. */
int migrate_expand_instance(const char *text, const char *instance, char **ret);
