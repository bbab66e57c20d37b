/* SPDX-License-Identifier: MIT */
#pragma once

/* What the planner of `sockkeeper migrate` shares between its two files:
 * migrate-plan.c reads the units and decides where each socket goes, and
 * migrate-files.c writes the files that make the move. */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"
#include "migrate.h"
#include "parse-util.h"
#include "risk.h"
#include "unit-file.h"
#include "unit-name.h"
#include "unit-sockets.h"

/* What the planner read: the unit search path, the service and its
 * socket units, the cleaners' configuration, and every socket path found. */
typedef struct migrate_context {
        const migrate_options *o;
        unit_lookup lp;
        risk_machine risk;
        bool risk_loaded;
        const char *runtime_dir;        /* $XDG_RUNTIME_DIR, for --user */
        unit_file service;
        unit_file *sockets;             /* the socket units found */
        size_t n_sockets;
        unit_socket_refs refs;
} migrate_context;

/* Small lookups both files make; here, so that migrate-files.c needs
 * nothing from migrate-plan.c, which calls it. */

/* The socket of P at PATH (as the units write it), or NULL. */
static inline migrate_socket *migrate_socket_of(migrate_plan *p, const char *path) {
        for (size_t i = 0; i < p->n_sockets; i++)
                if (streq(p->sockets[i].old_path, path))
                        return &p->sockets[i];
        return NULL;
}

/* U's last KEY= in [Service], when it is a true boolean, or NULL. */
static inline const unit_setting *migrate_service_flag(const unit_file *u, const char *key) {
        const unit_setting *s = unit_file_last(u, "Service", key);
        return s && parse_boolean(s->value) > 0 ? s : NULL;
}

/* Whether PATH uses %i or %I, which differ between instances. */
static inline bool migrate_has_instance_specifier(const char *path) {
        for (const char *p = path; (p = strchr(p, '%')); p += 2) {
                if (p[1] == 'i' || p[1] == 'I')
                        return true;
                if (!p[1])
                        break;
        }
        return false;
}

static inline bool migrate_name_is_template_or_instance(const char *name) {
        return unit_name_is_template(name) || unit_name_is_instance(name);
}

/* migrate-files.c: the drop-ins and tmpfiles.d lines that make P's moves
 * (it has some), added to P->files, and what the admin does then, to
 * P->notes. */
int migrate_make_files(migrate_context *c, migrate_plan *p);
int migrate_make_notes(migrate_context *c, migrate_plan *p);
