/* SPDX-License-Identifier: MIT */
#pragma once

/* The sockets a service manager passes (socket activation), read the way
 * sd_listen_fds(3) and sd_is_socket_unix(3) read them: the protocol is
 * three environment variables and the fds from 3 on, and the library
 * should not need all of libsystemd loaded for it. */

#include <stddef.h>

#define LISTEN_FDS_START 3

/* The number of fds passed to this process (LISTEN_FDS, when LISTEN_PID
 * is ours), each set FD_CLOEXEC; 0 when none were passed to us, -EINVAL
 * for garbled variables, or the errno of fcntl(). The variables stay. */
int listen_fds(void);

/* Whether FD is an AF_UNIX socket of TYPE (0: any), listening or not
 * (LISTENING 1 or 0; -1: either), bound to PATH of LENGTH bytes: a file
 * name when PATH[0] is not NUL (LENGTH 0: strlen), an abstract name
 * (starting with NUL) of exactly LENGTH bytes, no name at all for an
 * empty PATH, anything for PATH NULL. 1 or 0, or a negative errno. */
int fd_is_unix_socket(int fd, int type, int listening, const char *path, size_t length);
