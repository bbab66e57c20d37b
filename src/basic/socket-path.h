/* SPDX-License-Identifier: MIT */
#pragma once

/* The one check of a socket path as a program is given it (the library's
 * sk_keeper_new(), the tools' arguments, the annotations' Socket=), and the
 * one form it is bound and compared in. */

#include <sys/socket.h>
#include <sys/un.h>

/* sun_path holds 108 bytes; a filesystem path needs its NUL, so 107 usable
 * (an abstract name has no NUL: "@" and 107 bytes). */
#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) - 1)

typedef enum socket_path_problem {
        SOCKET_PATH_OK,
        SOCKET_PATH_EMPTY,      /* "" or "@" */
        SOCKET_PATH_CONTROL,    /* a control character */
        SOCKET_PATH_RELATIVE,   /* neither "/..." nor "@name" */
        SOCKET_PATH_DOTDOT,     /* a ".." component */
        SOCKET_PATH_DIRECTORY,  /* "/", or ends in "/" or "/." */
        SOCKET_PATH_TOO_LONG,   /* more than SOCKET_PATH_MAX bytes once canonical */
} socket_path_problem;

/* PATH in the form to bind and to compare: "//" and "/./" collapsed, since
 * systemd-tmpfiles tells live sockets by their bind string in
 * /proc/net/unix; an "@abstract" name as it is. RET may be NULL to check
 * only. -EINVAL or -ENAMETOOLONG with the reason in *RET_PROBLEM (may be
 * NULL), -ENOMEM. */
int socket_path_canonical(const char *path, char **ret, socket_path_problem *ret_problem);

/* What is wrong, to follow "PATH " in a message. */
const char *socket_path_problem_to_string(socket_path_problem p);

/* The address of a canonical PATH (above): -EINVAL for a name that is not
 * canonical, -ENAMETOOLONG for one that does not fit (never truncated). */
int socket_path_to_addr(const char *path, struct sockaddr_un *ret, socklen_t *ret_len);
