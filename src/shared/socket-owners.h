/* SPDX-License-Identifier: MIT */
#pragma once

/* Who holds which socket, and what those processes are: one pass over
 * /proc/PID/fd (socket:[INO] links), then per process its command and the
 * systemd unit its cgroup names. PROC is "/proc", or a fake tree in tests. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One process holding one socket (several fds of it count once). */
typedef struct socket_holder {
        uint32_t sock_ino;      /* as sock_diag's udiag_ino and "socket:[N]" */
        pid_t pid;
        int fd;                 /* its lowest fd number for the socket */
} socket_holder;

typedef struct socket_owners {
        socket_holder *holders; /* sorted by sock_ino, then pid */
        size_t n;
        unsigned n_unreadable;  /* processes whose fds we may not read (not root) */
} socket_owners;

int socket_owners_load(socket_owners *ret, const char *proc);
void socket_owners_done(socket_owners *o);
/* The holders of INO, by pid: a run of *ret_n entries (NULL and 0: nobody
 * we can see). */
const socket_holder *socket_owners_find(const socket_owners *o, uint32_t ino, size_t *ret_n);

/* Whether process PID holds socket INO now (an fd of it in PROC/PID/fd):
 * 1 or 0; -ESRCH when it is gone, -EACCES when its fds are not ours to
 * read. Asked again right before acting on a holder found earlier. */
int process_holds_socket(const char *proc, pid_t pid, uint32_t ino);

/* "socket:[123]" -> 123; -EINVAL for any other link target. */
int parse_socket_link(const char *target, uint32_t *ret);

/* The unit a cgroup path (as in /proc/PID/cgroup) belongs to, the way
 * systemd names it: slices skipped, the first unit below them. For a user
 * unit, *RET_UNIT is the unit inside "user@UID.service" and *RET_MANAGER
 * that manager; for a system unit *RET_MANAGER is NULL. -ENOENT when the
 * path is in no unit (the root cgroup, a foreign hierarchy). */
int cgroup_path_unit(const char *path, char **ret_unit, char **ret_manager);

/* The systemd hierarchy's path from the text of /proc/PID/cgroup: the
 * unified "0::" line, or "name=systemd" on a legacy or hybrid machine
 * where the unified line is only "/". */
int cgroup_file_path(const char *text, char **ret);

typedef struct process_info {
        pid_t pid;
        char *comm;             /* NULL when the process is gone or unreadable */
        char *cmdline;          /* arguments joined by spaces; NULL for none */
        char **argv;            /* the arguments one by one, N_ARGV of them */
        size_t n_argv;
        char *cwd;              /* its working directory; NULL when unreadable */
        char *cgroup;           /* its path in systemd's hierarchy (cgroup_file_path()), or NULL */
        char *unit;             /* NULL: in no unit (or unreadable) */
        char *manager;          /* "user@UID.service" for a user unit, else NULL */
} process_info;

/* Fills what can be read; a process that vanished leaves fields NULL. */
int process_info_load(process_info *ret, const char *proc, pid_t pid);
void process_info_done(process_info *p);

/* A service manager (PID 1 or a user's systemd), which holds the fds of
 * socket units: the service activated with such a socket, which holds it
 * too, is the one that names it. */
bool process_is_manager(const process_info *p);

/* Processes read once each, however many sockets they hold. */
typedef struct process_cache {
        const char *proc;       /* "/proc", or a fake tree in tests */
        process_info **v;       /* sorted by pid; each stays where it is */
        size_t n, allocated;
        size_t last;            /* the latest hit: sockets come in runs of one holder */
} process_cache;

/* What process_info_load() says of PID, read the first time. */
int process_cache_get(process_cache *c, pid_t pid, const process_info **ret);
void process_cache_done(process_cache *c);

/* The holder of INO that names the service: the first by pid that is no
 * manager, else the first. -ENOENT when no process we can see holds it. */
int socket_owners_service(const socket_owners *o, process_cache *c, uint32_t ino, const process_info **ret);

/* The unit of the system manager that holds socket INO, the one a restart
 * gives a new socket: that of the first holder by pid, other than PID 1
 * (which holds the fd of every socket unit) and SELF, that runs in one.
 * A user's manager and its units, the users' sessions (below user.slice)
 * and PID 1's own init.scope are not the system manager's to restart.
 * -ENOENT when no such process holds it, -ENXIO when none of its holders
 * is in a unit of the system manager. */
int socket_owners_system_unit(const socket_owners *o, const char *proc, uint32_t ino, pid_t self, pid_t *ret_pid,
                              char **ret_unit);
