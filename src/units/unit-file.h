/* SPDX-License-Identifier: MIT */
#pragma once

/* Unit files read the way the systemd 252 system manager reads them: the
 * line grammar, the fragment that unit-lookup.h finds under each of the
 * unit's names, and the drop-in directories with their overrides.
 * Everything is read relative to the lookup's root. Values are kept raw:
 * no unquoting, no specifiers. */

#include <stdbool.h>
#include <stddef.h>

#include "unit-lookup.h"

typedef struct unit_setting {
        char *section;          /* without brackets */
        char *key;
        char *value;            /* raw, whitespace-stripped; "" for an empty assignment */
        char *file;             /* root-relative */
        unsigned line;          /* 1-based; a continued line counts as its last physical line, as in
                                 * systemd's messages */
} unit_setting;

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
