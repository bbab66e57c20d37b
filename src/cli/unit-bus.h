/* SPDX-License-Identifier: MIT */
#pragma once

/* A service manager over D-Bus (sd-bus, loaded by libsystemd-dl.c): the
 * restarts that give a socket whose path is lost for good a new one, for
 * the guard and for heal. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct unit_bus unit_bus;

unit_bus *unit_bus_free(unit_bus *b);
/* A manager reached at ADDRESS ("unix:path=..."): through the bus daemon
 * there when BUS_CLIENT, else directly (a manager's private socket). It is
 * connected at first use. A NULL *bus given to the calls below means the
 * system manager, connected then. */
int unit_bus_new_address(unit_bus **ret, const char *address, bool bus_client);

/* Restarts UNIT the way its type needs: a socket unit after stopping the
 * services it triggers (and, with STOP_WAIT_USEC, waiting up to that long
 * for them to be stopped), a service with TryRestartUnit. 1 when a job
 * was queued, 0 when the unit is not active (left alone; *RET_WHY says
 * why), negative on failure with *RET_WHY saying what. */
int unit_bus_restart(unit_bus **bus, const char *unit, uint64_t stop_wait_usec, char **ret_why);

/* The socket unit of the manager that listens on PATH (its Listen=
 * property names it), and the *RET_N_RUNNING services it triggers that
 * are running now, which a restart of the socket stops first (RET_RUNNING
 * may be NULL). -ENOENT when no socket unit does; other errors set
 * *RET_WHY. */
int unit_bus_socket_unit(unit_bus **bus, const char *path, char **ret_unit, char ***ret_running, size_t *ret_n_running,
                         char **ret_why);
