/* SPDX-License-Identifier: MIT */
#pragma once

/* sockkeeper heal: heal.c plans and reports, heal-act.c acts (a signal
 * through a pidfd, a user's service manager) and checks by connecting. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan-collect.h"
#include "unit-bus.h"

typedef enum heal_action {
        HEAL_NONE,              /* nothing heal may do: the command is for the admin */
        HEAL_SIGNAL,            /* SIGUSR1 to a tmux server */
        HEAL_RESTART,           /* a unit, over D-Bus */
} heal_action;

typedef enum heal_result {
        HEAL_PLANNED,           /* --dry-run */
        HEAL_DECLINED,          /* the question was answered no */
        HEAL_DONE,
        HEAL_SKIPPED,           /* the unit is not active: left alone */
        HEAL_FAILED,
        HEAL_NOTHING,           /* HEAL_NONE: nothing done */
} heal_result;

typedef struct heal_item {
        const scan_entry *e;
        char *shown;                    /* its path escaped, for people (cescape()) */
        heal_action action;
        const process_info *holder;     /* acted on or reported; NULL: no process we can see */
        char *unit;
        bool user_unit;                 /* of the manager of USER, not the system's */
        uid_t user;
        char *user_name;                /* for systemctl -M NAME@ */
        char **stop;                    /* a socket unit's running services, stopped first */
        size_t n_stop;
        char *command;                  /* what an admin would run */
        char *reason;                   /* why nothing is done, what it would take */
        heal_result result;
        char *error;
        bool reachable;
} heal_item;

/* heal-act.c */
/* PID runs tmux, by its executable (/proc/PID/exe), not by its name. */
bool process_is_tmux(pid_t pid);
/* Sends SIGUSR1 to PID once it is pinned by a pidfd and seen to hold
 * socket INO and to run tmux still: never to a reused PID. */
int heal_signal_tmux(pid_t pid, uint32_t ino, char **ret_why);
/* The socket unit listening on PATH of the manager of user UID, reached
 * as that user (its bus, else its private socket), with the services it
 * triggers that run now. -ENOENT when none; -EHOSTUNREACH when that
 * manager cannot be reached, *RET_WHY saying why. */
int heal_user_socket_unit(uid_t uid, const char *path, char **ret_unit, char ***ret_running, size_t *ret_n_running,
                          char **ret_why);
/* unit_bus_restart() of UNIT of the manager of user UID, as that user. */
int heal_user_restart(uid_t uid, const char *unit, uint64_t stop_wait_usec, char **ret_why);
/* A client of TYPE (SOCK_STREAM...) can connect to PATH now. */
bool heal_connects(const char *path, int type);
