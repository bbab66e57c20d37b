/* SPDX-License-Identifier: MIT */
#pragma once

/* The [X-SockKeeper] section of a unit and its drop-ins (see
 * sockkeeper.annotations(5)), read from a loaded unit_file: Socket= (may
 * repeat, space-separated, systemd quoting, empty resets), Protect= and
 * OnLoss=. Read by sockkeeper-generator. */

#include <stdbool.h>
#include <stddef.h>

#include "unit-file.h"

#define ANNOTATION_SECTION "X-SockKeeper"

/* What the guard does when a socket's path and its anchor are both gone:
 * OnLoss= of the annotation, --on-loss= of `sockkeeper guard`. */
typedef enum on_loss {
        ON_LOSS_DEFAULT,        /* restart for socket units, relink-only otherwise */
        ON_LOSS_RELINK_ONLY,
        ON_LOSS_RESTART,
} on_loss;

typedef struct annotation_socket {
        char *path;                     /* unquoted; specifiers not yet expanded */
        const unit_setting *source;     /* points into the unit_file */
} annotation_socket;

typedef struct annotation {
        bool present;           /* the section has at least one usable setting */
        int protect;            /* -1 unset, 0 no, 1 yes */
        on_loss on_loss;
        annotation_socket *sockets;
        size_t n_sockets;
} annotation;

/* Fills RET from U's settings, in the order systemd applies them. Unknown
 * keys and bad values are passed to WARN with their file and line, and
 * left out. RET stays valid as long as U does. Returns 0 or -ENOMEM. */
int annotation_parse(const unit_file *u, unit_warn_fn warn, void *userdata, annotation *ret);
void annotation_done(annotation *a);

const char *on_loss_to_string(on_loss o);
/* "relink-only" or "restart" (the only values that can be asked for);
 * -EINVAL otherwise. */
int on_loss_from_string(const char *s);
