/* SPDX-License-Identifier: MIT */
#pragma once

#include "inode-id.h"

/* 1 when a socket, in any network namespace, is bound to the socket file
 * NAME in DIR_FD (inode ID), or when that cannot be told; 0 when none is.
 * A socket that is bound and not listening, in a namespace that this
 * process cannot look into, is taken for dead: a connect() cannot tell it
 * from a dead one. */
int socket_file_alive(int dir_fd, const char *name, inode_id id);
