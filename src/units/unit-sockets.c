/* SPDX-License-Identifier: MIT */
/* Finds the socket paths of a unit in what systemd reads: the annotation
 * and the socket units name them outright; command lines and environments
 * only hint, so they are read as raw text and filtered by the caller. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "sockpath-text.h"
#include "strv.h"
#include "unit-sockets.h"

const char *const unit_exec_keys[] = {
        "ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost",
};
const size_t unit_exec_keys_n = ELEMENTSOF(unit_exec_keys);

static const char *const listen_keys[] = {
        "ListenStream", "ListenDatagram", "ListenSequentialPacket", "ListenFIFO", "ListenSpecial",
        "ListenNetlink", "ListenMessageQueue", "ListenUSBFunction",
};

bool unit_key_is_listen(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(listen_keys); i++)
                if (streq(key, listen_keys[i]))
                        return true;
        return false;
}

const char *unit_socket_source_to_string(unit_socket_source s) {
        static const char *const names[] = {
                [UNIT_SOCKET_ANNOTATION] = "annotation",
                [UNIT_SOCKET_LISTEN] = "socket-unit",
                [UNIT_SOCKET_EXEC] = "exec",
                [UNIT_SOCKET_ENVIRONMENT] = "environment",
                [UNIT_SOCKET_ENVIRONMENT_FILE] = "environment-file",
        };
        return (size_t) s < ELEMENTSOF(names) ? names[s] : NULL;
}

void unit_socket_refs_done(unit_socket_refs *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->refs[i].path);
                free(l->refs[i].unit);
                free(l->refs[i].key);
                free(l->refs[i].file);
        }
        free(l->refs);
        *l = (unit_socket_refs) {};
}

static int add_ref(unit_socket_refs *l, const char *path, size_t path_len, unit_socket_source source,
                   const char *unit, const char *key, const char *file, unsigned line) {
        unit_socket_ref x = {
                .path = strndup(path, path_len),
                .source = source,
                .unit = strdup(unit),
                .key = strdup(key),
                .file = strdup(file),
                .line = line,
        };
        unit_socket_ref *m;

        if (x.path && x.unit && x.key && x.file) {
                m = reallocarray(l->refs, l->n + 1, sizeof(*m));
                if (m) {
                        l->refs = m;
                        l->refs[l->n++] = x;
                        return 0;
                }
        }
        free(x.path);
        free(x.unit);
        free(x.key);
        free(x.file);
        return -ENOMEM;
}

int unit_value_words(const char *value, char ***ret, size_t *ret_n) {
        char **l = NULL;
        size_t n = 0;
        const char *p = value;

        for (;;) {
                const char *start;
                char quote = 0;

                p += strspn(p, " \t\n");
                if (!*p)
                        break;
                start = p;
                for (; *p; p++) {
                        if (*p == '\\' && p[1]) {
                                p++;
                                continue;
                        }
                        if (quote) {
                                if (*p == quote)
                                        quote = 0;
                        } else if (*p == '"' || *p == '\'')
                                quote = *p;
                        else if (strchr(" \t\n", *p))
                                break;
                }
                if (strv_push(&l, &n, strndup(start, (size_t) (p - start))) < 0) {
                        strv_free_n(l, n);
                        return -ENOMEM;
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

int unit_sockets_annotated(const unit_file *u, unit_socket_refs *l) {
        _cleanup_free_ const unit_setting **v = NULL;
        int n, r = 0;

        n = unit_file_values(u, "X-SockKeeper", "Socket", UNIT_VALUES_RESET_ON_EMPTY, &v);
        if (n < 0)
                return n;
        for (int i = 0; i < n && r >= 0; i++) {
                char **w = NULL;
                size_t nw = 0;

                r = unit_value_words(v[i]->value, &w, &nw);
                for (size_t j = 0; j < nw && r >= 0; j++)
                        r = add_ref(l, w[j], strlen(w[j]), UNIT_SOCKET_ANNOTATION, u->name, "Socket", v[i]->file,
                                    v[i]->line);
                strv_free_n(w, nw);
        }
        return r;
}

int unit_sockets_listening(const unit_file *s, unit_socket_refs *l) {
        size_t first = l->n;
        int r = 0;

        for (size_t i = 0; i < s->n_settings && r >= 0; i++) {
                const unit_setting *x = &s->settings[i];

                if (!streq(x->section, "Socket") || !unit_key_is_listen(x->key))
                        continue;
                if (!x->value[0]) {
                        /* One list for every kind: drop what this unit added so far. */
                        while (l->n > first) {
                                unit_socket_ref *e = &l->refs[--l->n];
                                free(e->path);
                                free(e->unit);
                                free(e->key);
                                free(e->file);
                        }
                        continue;
                }
                if (!streq(x->key, "ListenStream") && !streq(x->key, "ListenDatagram") &&
                    !streq(x->key, "ListenSequentialPacket"))
                        continue;
                if (!strchr("/@%", x->value[0]))
                        continue; /* a port or an address, not a name */
                r = add_ref(l, x->value, strlen(x->value), UNIT_SOCKET_LISTEN, s->name, x->key, x->file, x->line);
        }
        return r;
}

static bool is_socket_now(const char *root, const char *path) {
        struct stat st;

        if (strchr(path, '%'))
                return false;
        return root_lstat(root, path, &st) >= 0 && S_ISSOCK(st.st_mode);
}

/* Adds the wanted paths of the raw text VALUE. */
static int scan_text(const char *value, const char *root, unit_socket_filter_fn filter, void *userdata,
                     unit_socket_refs *l, unit_socket_source source, const char *unit, const char *key,
                     const char *file, unsigned line) {
        _cleanup_free_ sockpath_span *spans = NULL;
        int n, r = 0;

        n = sockpath_find(value, &spans);
        if (n < 0)
                return n;
        for (int i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = strndup(value + spans[i].start, spans[i].len);

                if (!p)
                        return -ENOMEM;
                if (!sockpath_looks_like_socket(p) && !is_socket_now(root, p))
                        continue;
                if (filter && !filter(p, userdata))
                        continue;
                r = add_ref(l, p, strlen(p), source, unit, key, file, line);
        }
        return r;
}

static int scan_environment_file(const unit_file *u, const unit_setting *s, const char *root,
                                 unit_socket_filter_fn filter, void *userdata, unit_socket_refs *l) {
        _cleanup_free_ char *text = NULL;
        const char *path = s->value[0] == '-' ? s->value + 1 : s->value;
        unsigned line = 0;
        int r;

        if (path[0] != '/' || strchr(path, '%'))
                return 0;
        r = root_read_file(root, path, &text, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* systemd fails the start (or ignores it, with '-'); nothing to find here */
        for (char *p = text, *eol; p && *p; p = eol ? eol + 1 : NULL) {
                _cleanup_free_ char *key = NULL;
                const char *eq;

                eol = strchr(p, '\n');
                if (eol)
                        *eol = 0;
                line++;
                p += strspn(p, " \t");
                if (*p == '#' || *p == ';' || !(eq = strchr(p, '=')))
                        continue;
                key = strndup(p, (size_t) (eq - p));
                if (!key)
                        return -ENOMEM;
                r = scan_text(eq + 1, root, filter, userdata, l, UNIT_SOCKET_ENVIRONMENT_FILE, u->name, key, path,
                              line);
                if (r < 0)
                        return r;
        }
        return 0;
}

int unit_sockets_guessed(const unit_file *u, const char *root, unit_socket_filter_fn filter, void *userdata,
                         unit_socket_refs *l) {
        static const char *const keys[] = { "Environment", "EnvironmentFile" };
        int r = 0;

        for (size_t k = 0; k < unit_exec_keys_n + ELEMENTSOF(keys) && r >= 0; k++) {
                const char *key = k < unit_exec_keys_n ? unit_exec_keys[k] : keys[k - unit_exec_keys_n];
                _cleanup_free_ const unit_setting **v = NULL;
                int n;

                n = unit_file_values(u, "Service", key, UNIT_VALUES_RESET_ON_EMPTY, &v);
                if (n < 0)
                        return n;
                for (int i = 0; i < n && r >= 0; i++) {
                        if (streq(key, "EnvironmentFile"))
                                r = scan_environment_file(u, v[i], root, filter, userdata, l);
                        else
                                r = scan_text(v[i]->value, root, filter, userdata, l,
                                              streq(key, "Environment") ? UNIT_SOCKET_ENVIRONMENT : UNIT_SOCKET_EXEC,
                                              u->name, key, v[i]->file, v[i]->line);
                }
        }
        return r;
}

int unit_socket_units(const unit_file *u, char ***ret, size_t *ret_n) {
        _cleanup_free_ const unit_setting **v = NULL;
        const char *dot = strrchr(u->name, '.');
        char **l = NULL;
        size_t n = 0;
        int k, r = 0;

        k = unit_file_values(u, "Service", "Sockets", UNIT_VALUES_RESET_ON_EMPTY, &v);
        if (k < 0)
                return k;
        for (int i = 0; i < k && r >= 0; i++) {
                char **w = NULL;
                size_t nw = 0;

                r = unit_value_words(v[i]->value, &w, &nw);
                for (size_t j = 0; j < nw && r >= 0; j++)
                        r = strv_extend(&l, &n, w[j]);
                strv_free_n(w, nw);
        }
        if (r >= 0 && n == 0 && dot && streq(dot, ".service")) {
                char *name;

                if (asprintf(&name, "%.*s.socket", (int) (dot - u->name), u->name) < 0)
                        r = -ENOMEM;
                else
                        r = strv_push(&l, &n, name);
        }
        if (r < 0) {
                strv_free_n(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return (int) n;
}
