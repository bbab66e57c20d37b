/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "unix-diag.h"

/* Whether the socket S, as sock_diag lists it, is the file found at PATH
 * (lstat'ed into ST) renamed after bind within its own directory, as
 * haproxy does (it binds PATH.PID.tmp and renames it to PATH): S is bound
 * to that very file (dev, ino), by an absolute name other than PATH, in
 * the same directory. sock_diag and /proc/net/unix keep the bind-time
 * name, so systemd-tmpfiles takes such a live socket for dead
 * (github.com/systemd/systemd/issues/20635) while clients reach it at
 * PATH. A relative bind, or a
 * rename into another directory, is not this. */
bool socket_renamed_in_dir(const unix_socket_info *s, const char *path, const struct stat *st);
