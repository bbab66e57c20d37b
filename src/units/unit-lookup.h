/* SPDX-License-Identifier: MIT */
#pragma once

/* Where the systemd 252 managers find a unit in a search path
 * (unit-search-path.h): the name map (the first file of a name wins;
 * masks, alias symlinks and linked unit files told apart), the names a
 * unit goes by, and whether it is masked or pulled in by a .wants/ or
 * .requires/ symlink. Everything is read relative to a root directory
 * ("/" or a fixture tree), so tests need no privileges. Reading the
 * files is unit-file.h's. */

#include <stdbool.h>
#include <stddef.h>

#include "unit-search-path.h"

/* Called for every line or file that cannot be used. FILE is root-relative,
 * LINE 0 for a whole file. Reading goes on with the rest. */
typedef void (*unit_warn_fn)(const char *file, unsigned line, const char *message, void *userdata);

/* Formats a warning about FILE:LINE and hands it to WARN (if any). */
void unit_warnf(unit_warn_fn warn, void *userdata, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

typedef enum unit_load_state {
        UNIT_NOT_FOUND,         /* no fragment; drop-ins are still read, as systemd does */
        UNIT_FOUND,
        UNIT_MASKED,            /* a symlink to /dev/null or an empty file; nothing else is read */
} unit_load_state;

typedef enum unit_entry_kind {
        UNIT_ENTRY_FILE,        /* a regular file */
        UNIT_ENTRY_LINKED,      /* a symlink out of the search path: read through it */
        UNIT_ENTRY_MASKED,      /* a symlink to /dev/null */
        UNIT_ENTRY_ALIAS,       /* a symlink to another unit name inside the search path */
} unit_entry_kind;

/* One name of the map: what a search directory holds under it. */
typedef struct unit_map_entry {
        char *name;
        char *path;             /* root-relative, in a search directory */
        char *target;           /* ALIAS: the unit name; LINKED: the root-relative file read */
        unit_entry_kind kind;
        size_t seq;             /* discovery order, for a stable sort */
} unit_map_entry;

typedef struct unit_lookup {
        char *root;             /* NULL for "/" */
        char **dirs;            /* the search path, root-relative, highest precedence first */
        size_t n_dirs;
        unit_warn_fn warn;
        void *userdata;

        /* The name map, sorted by name, first occurrence in the search
         * path winning: of every name in it (listed), or of the names
         * asked for at unit_lookup_init_names() and where they lead. */
        unit_map_entry *map;
        size_t n_map;
        bool listed;
        /* The map's aliases, by index: what is looked through for the other
         * names of each unit (a machine has a few, of thousands of units). */
        size_t *aliases;
        size_t n_aliases;

        /* Listed only: the drop-in directories ("DIR/NAME.d") that exist,
         * sorted: most units have none, and looking for each one costs a
         * failed open. */
        char **dropin_dirs;
        size_t n_dropin_dirs;
} unit_lookup;

/* Sets up LP for ROOT (NULL or "/" for the running system): the system
 * search path and the name map of every unit in it. WARN may be NULL. */
int unit_lookup_init(unit_lookup *lp, const char *root, unit_warn_fn warn, void *userdata);
/* The same over the search path DIRS (root-relative), which LP takes
 * over, also on failure. */
int unit_lookup_init_dirs(unit_lookup *lp, const char *root, char **dirs, size_t n_dirs, unit_warn_fn warn,
                          void *userdata);
/* For a few names asked about once, in a tree as its own PID 1 will see
 * it at boot (`check` asks about two): the search path is
 * unit_search_path_default()'s, and the map holds NAMES and what their
 * aliases and templates lead to, each looked up in every directory rather
 * than by listing them all, which on a real tree costs some hundred times
 * as many system calls. For these names the answers are the same; what is
 * not known is the aliases elsewhere that lead to them, and
 * unit_enumerate() is refused. */
int unit_lookup_init_names(unit_lookup *lp, const char *root, const char *const *names, size_t n_names,
                           unit_warn_fn warn, void *userdata);
void unit_lookup_done(unit_lookup *lp);

/* The entry PID 1 loads for NAME: its alias symlinks followed to a file,
 * a linked file or a mask; for an instance with no entry of its own, its
 * template's. *RET NULL when there is none (or the aliases loop, which is
 * warned about). NAMES, when not NULL, gets NAME, then the names it goes
 * by: the aliases on the way and those leading to the same file (a
 * template's own name is no name of its instance), sorted after NAME.
 * Returns 0 or -ENOMEM. */
int unit_lookup_find(const unit_lookup *lp, const char *name, char ***names, size_t *n_names,
                     const unit_map_entry **ret);

/* Reads PATH (root-relative) whole into *RET (NUL-terminated). One that
 * cannot be read is warned about as SHOWN: 0 with *RET NULL. A FIFO is
 * refused, not waited on. Returns 0 or -ENOMEM. */
int unit_lookup_read(const unit_lookup *lp, const char *shown, const char *path, char **ret, size_t *ret_size);

/* Reads the file of E, an entry that unit_lookup_find() gave: UNIT_FOUND,
 * or UNIT_MASKED for a mask, or for an empty file (or /dev/null reached
 * through some other link), which masks too. *RET as unit_lookup_read()
 * gives it; NULL for a mask. Returns the state or -ENOMEM. */
int unit_lookup_read_entry(const unit_lookup *lp, const unit_map_entry *e, char **ret, size_t *ret_size);

/* Whether the drop-in directory DIR ("DIR/NAME.d", root-relative) can
 * exist: with a listed map, whether it was seen; otherwise it may. */
bool unit_lookup_may_have_dropin_dir(const unit_lookup *lp, const char *dir);

/* Whether TARGET, the text of a drop-in's symlink, is /dev/null: a
 * masked drop-in. */
bool unit_link_is_null(const char *target);

typedef enum unit_enablement {
        UNIT_ENABLEMENT_ABSENT,         /* no fragment */
        UNIT_ENABLEMENT_DISABLED,       /* present, not pulled in */
        UNIT_ENABLEMENT_ENABLED,        /* pulled in by a symlink in some .wants/ or .requires/ directory */
        UNIT_ENABLEMENT_MASKED,         /* it cannot start, whatever pulls it in */
} unit_enablement;

/* Whether NAME would start at boot, as far as its unit files say: the
 * fragment and mask as unit_lookup_find() and unit_lookup_read_entry()
 * judge them, and a NAME symlink in a .wants/ or .requires/ directory of
 * the search path; PREFERRED's (e.g. "timers.target") is looked at first,
 * so that the usual place is the one named. *RET_SOURCE: the deciding
 * file (the mask, the symlink that pulls it in, or the fragment), NULL
 * when absent. Returns 0 or -ENOMEM. */
int unit_lookup_enablement(const unit_lookup *lp, const char *name, const char *preferred, unit_enablement *ret,
                           char **ret_source);

/* Every unit name in the search path (first occurrence wins), plus the
 * instances that symlinks in *.wants/ and *.requires/ directories pull in,
 * sorted and unique. Returns the count; -EINVAL for a map that was not
 * listed. */
int unit_enumerate(const unit_lookup *lp, char ***ret, size_t *ret_n);
