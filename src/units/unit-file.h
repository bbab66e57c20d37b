/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit files read the way the systemd 252 system manager reads them: its
 * search path (or SYSTEMD_UNIT_PATH), the first fragment of a name, masks,
 * alias symlinks, templates, drop-in directories with their overrides,
 * and the .wants/.requires instances. Everything is read relative to a
 * root directory ("/" or a fixture tree), so tests need no privileges.
 * Values are kept raw: no unquoting, no specifiers. */

#include <stdbool.h>
#include <stddef.h>

/* Called for every line or file that cannot be used. FILE is root-relative,
 * LINE 0 for a whole file. Reading goes on with the rest. */
typedef void (*unit_warn_fn)(const char *file, unsigned line, const char *message, void *userdata);

/* Formats a warning about FILE:LINE and hands it to WARN (if any). */
void unit_warnf(unit_warn_fn warn, void *userdata, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

typedef struct unit_setting {
        char *section;          /* without brackets */
        char *key;
        char *value;            /* raw, whitespace-stripped; "" for an empty assignment */
        char *file;             /* root-relative */
        unsigned line;          /* 1-based; a continued line counts as its last physical line, as in
                                 * systemd's messages */
} unit_setting;

typedef enum unit_load_state {
        UNIT_NOT_FOUND,         /* no fragment; drop-ins are still read, as systemd does */
        UNIT_FOUND,
        UNIT_MASKED,            /* a symlink to /dev/null or an empty file; nothing else is read */
} unit_load_state;

typedef struct unit_file {
        char *name;             /* as asked */
        unit_load_state state;
        char *fragment;         /* root-relative path of the file read (for a linked unit file, the
                                 * symlink in the search path); for a masked unit the mask itself */
        char **names;           /* the name, then the other names it goes by (alias targets and
                                 * aliases of the same fragment), sorted; drop-ins of all are read */
        size_t n_names;
        char **dropins;         /* root-relative, in the order applied; masked ones left out */
        size_t n_dropins;
        unit_setting *settings; /* fragment first, then each drop-in, in file order */
        size_t n_settings;
} unit_file;

typedef struct unit_map_entry unit_map_entry;

typedef struct unit_lookup {
        char *root;             /* NULL for "/" */
        char **dirs;            /* the search path, root-relative, highest precedence first */
        size_t n_dirs;
        unit_warn_fn warn;
        void *userdata;

        /* The name map built once by unit_lookup_init(): every unit name found
         * in the search path, first occurrence winning, sorted by name. */
        unit_map_entry *map;
        size_t n_map;

        /* The drop-in directories ("DIR/NAME.d") that exist, sorted: most
         * units have none, and looking for each one costs a failed open. */
        char **dropin_dirs;
        size_t n_dropin_dirs;
} unit_lookup;

/* The system manager's search path, root-relative, as `systemd-analyze
 * unit-paths` prints it on Debian 12 (with /lib/systemd/system, since 252
 * is built with split-usr there). With SYSTEMD_UNIT_PATH set, its
 * directories; a trailing ':' (an empty last entry) appends the default
 * list. */
int unit_search_path(char ***ret, size_t *ret_n);

/* The same rules with DEFAULTS in place of the system manager's list: the
 * user manager's search path is built on it (user-unit-path.h). */
int unit_search_path_with(const char *const *defaults, size_t n_defaults, char ***ret, size_t *ret_n);

/* Sets up LP for ROOT (NULL or "/" for the running system): the search
 * path and the name map. WARN may be NULL. */
int unit_lookup_init(unit_lookup *lp, const char *root, unit_warn_fn warn, void *userdata);
/* The same over the search path DIRS (root-relative), which LP takes
 * over, also on failure. */
int unit_lookup_init_dirs(unit_lookup *lp, const char *root, char **dirs, size_t n_dirs, unit_warn_fn warn,
                          void *userdata);
void unit_lookup_done(unit_lookup *lp);

/* true for a valid unit name with a known type suffix: plain ("foo.service"),
 * template ("foo@.service") or instance ("foo@bar.service"). */
bool unit_name_is_valid(const char *name);

/* Loads NAME: the fragment (for an instance with no fragment of its own,
 * its template's), its drop-ins, and the settings of all of them. Returns
 * 0 and fills RET (state says found, masked or not found), -EINVAL for an
 * invalid name, -ENOMEM. */
int unit_file_load(const unit_lookup *lp, const char *name, unit_file *ret);

/* Parses TEXT as one unit file named FILE, appending to U's settings. For
 * tests and the fuzzer; unit_file_load() uses it. */
int unit_file_parse(unit_file *u, const char *file, const char *text, size_t size, unit_warn_fn warn,
                    void *userdata);

void unit_file_done(unit_file *u);

enum {
        /* systemd's list semantics: an empty assignment drops the values before it. */
        UNIT_VALUES_RESET_ON_EMPTY = 1 << 0,
};

/* The settings of KEY in SECTION, fragment then drop-ins, in order. RET
 * points into U (NULL when there are none); returns the count or -ENOMEM.
 * With UNIT_VALUES_RESET_ON_EMPTY the empty assignments and what came
 * before the last one are left out. */
int unit_file_values(const unit_file *u, const char *section, const char *key, unsigned flags,
                     const unit_setting ***ret);

/* The last setting of KEY in SECTION (the one that wins for a single-value
 * setting), or NULL. */
const unit_setting *unit_file_last(const unit_file *u, const char *section, const char *key);

/* Every unit name in the search path (first occurrence wins), plus the
 * instances that symlinks in *.wants/ and *.requires/ directories pull in,
 * sorted and unique. Returns the count. */
int unit_enumerate(const unit_lookup *lp, char ***ret, size_t *ret_n);
