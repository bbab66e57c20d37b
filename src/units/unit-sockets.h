/* SPDX-License-Identifier: MIT */
#pragma once

/* The socket paths a unit uses, from what its files say: [X-SockKeeper]
 * Socket= annotations, the Listen*= lines of its socket units, and
 * socket-like paths in its ExecStart=, Environment= and EnvironmentFile=.
 * Paths stay raw, as written (specifiers included). */

#include <stdbool.h>
#include <stddef.h>

#include "unit-file.h"

typedef enum unit_socket_source {
        UNIT_SOCKET_ANNOTATION,         /* [X-SockKeeper] Socket= */
        UNIT_SOCKET_LISTEN,             /* a socket unit's ListenStream= (and the other socket kinds) */
        UNIT_SOCKET_EXEC,               /* ExecStart= and the other Exec*= lines */
        UNIT_SOCKET_ENVIRONMENT,        /* Environment= */
        UNIT_SOCKET_ENVIRONMENT_FILE,   /* a line of a file named by EnvironmentFile= */
} unit_socket_source;

typedef struct unit_socket_ref {
        char *path;
        unit_socket_source source;
        char *unit;     /* the unit whose file says it */
        char *key;      /* "ExecStart", "ListenStream", "Socket", a variable of an environment file ... */
        char *file;     /* root-relative */
        unsigned line;
} unit_socket_ref;

typedef struct unit_socket_refs {
        unit_socket_ref *refs;
        size_t n;
} unit_socket_refs;

void unit_socket_refs_done(unit_socket_refs *l);

const char *unit_socket_source_to_string(unit_socket_source s);

/* The Exec*= keys of [Service] that run commands; each is a list that an
 * empty assignment resets. */
extern const char *const unit_exec_keys[];
extern const size_t unit_exec_keys_n;

/* The [Socket] keys that share one list of ports: an empty assignment of
 * any of them resets all (config_parse_socket_listen()). */
bool unit_key_is_listen(const char *key);

/* Decides whether a path found in a command line or the environment is
 * a socket path worth moving (e.g. one under a risky directory). */
typedef bool (*unit_socket_filter_fn)(const char *path, void *userdata);

/* Socket= of [X-SockKeeper]: space-separated, repeatable, reset by an
 * empty assignment. */
int unit_sockets_annotated(const unit_file *u, unit_socket_refs *l);

/* The filesystem and abstract names of SOCKET_UNIT's ListenStream=,
 * ListenSequentialPacket= and ListenDatagram=, after resets. */
int unit_sockets_listening(const unit_file *socket_unit, unit_socket_refs *l);

/* Absolute paths in the Exec*= lines and Environment= of [Service], and
 * in the files EnvironmentFile= names (read under ROOT), that look like
 * sockets by name or are sockets now under ROOT, and that FILTER (NULL:
 * all) accepts. */
int unit_sockets_guessed(const unit_file *u, const char *root, unit_socket_filter_fn filter, void *userdata,
                         unit_socket_refs *l);

/* The names of the socket units of service U: its Sockets= (after
 * resets), or else the .socket of the same name, which may not exist (the
 * caller loads each and looks). Returns the count. */
int unit_socket_units(const unit_file *u, char ***ret, size_t *ret_n);

/* Splits a raw list value at whitespace, honouring quotes ("a b" 'c d'),
 * quotes kept as written. */
int unit_value_words(const char *value, char ***ret, size_t *ret_n);
