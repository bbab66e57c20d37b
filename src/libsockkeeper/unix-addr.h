/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

/* sun_path holds 108 bytes; a filesystem path needs its NUL, so 107 usable. */
#define SK_UNIX_PATH_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) - 1)

/* Fills a sockaddr_un from an absolute path or an "@abstract" name.
 * -ENAMETOOLONG when it does not fit (never truncated), -EINVAL for an
 * empty, relative or control-character name. */
int unix_addr_from_path(const char *path, struct sockaddr_un *ret, socklen_t *ret_len);

/* Splits an absolute path into a newly allocated parent directory and
 * final component. "/x.sock" gives "/" and "x.sock". */
int path_split(const char *path, char **ret_dir, char **ret_name);
