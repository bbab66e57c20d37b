/* SPDX-License-Identifier: MIT */
/* Reads [X-SockKeeper] annotations from the settings that the unit-file
 * reader collected, with systemd's semantics for each kind of setting:
 * the last Protect= and OnLoss= win, Socket= accumulates and an empty
 * assignment resets it. A bad line is reported and skipped, never the
 * whole unit: one typo must not unprotect the other sockets. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "macro.h"
#include "parse-util.h"
#include "unquote.h"

const char *on_loss_to_string(on_loss o) {
        return o == ON_LOSS_RESTART ? "restart" : o == ON_LOSS_RELINK_ONLY ? "relink-only" : "default";
}

int on_loss_from_string(const char *s) {
        if (streq(s, "relink-only"))
                return ON_LOSS_RELINK_ONLY;
        if (streq(s, "restart"))
                return ON_LOSS_RESTART;
        return -EINVAL;
}

/* A warning about setting S, at its file and line. */
#define warn_setting(warn, userdata, s, ...) unit_warnf(warn, userdata, (s)->file, (s)->line, __VA_ARGS__)

static void sockets_clear(annotation *a) {
        for (size_t i = 0; i < a->n_sockets; i++)
                free(a->sockets[i].path);
        a->n_sockets = 0;
}

/* One Socket= line: its words are added only if all of them parse, as
 * systemd drops a list line with bad quoting as a whole. */
static int add_sockets(annotation *a, const unit_setting *s, unit_warn_fn warn, void *userdata) {
        annotation_socket *words = NULL;
        size_t n = 0;
        int r;

        for (const char *p = s->value;;) {
                char *w = NULL;
                annotation_socket *m;

                r = extract_word(&p, &w, EXTRACT_CUNESCAPE);
                if (r == 0)
                        break;
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0) {
                        warn_setting(warn, userdata, s, "bad quoting or escape in Socket=%s, ignoring", s->value);
                        r = 0;
                        goto fail;
                }
                m = reallocarray(words, n + 1, sizeof(*m));
                if (!m) {
                        free(w);
                        r = -ENOMEM;
                        goto fail;
                }
                words = m;
                words[n++] = (annotation_socket) { .path = w, .source = s };
        }
        if (n > 0) {
                annotation_socket *m = reallocarray(a->sockets, a->n_sockets + n, sizeof(*m));

                if (!m) {
                        r = -ENOMEM;
                        goto fail;
                }
                a->sockets = m;
                memcpy(a->sockets + a->n_sockets, words, n * sizeof(*words));
                a->n_sockets += n;
        }
        free(words);
        return 0;
fail:
        for (size_t i = 0; i < n; i++)
                free(words[i].path);
        free(words);
        return r;
}

int annotation_parse(const unit_file *u, unit_warn_fn warn, void *userdata, annotation *ret) {
        annotation a = { .protect = -1 };
        int r;

        for (size_t i = 0; i < u->n_settings; i++) {
                const unit_setting *s = &u->settings[i];

                if (!streq(s->section, ANNOTATION_SECTION))
                        continue;
                if (streq(s->key, "Socket")) {
                        a.present = true;
                        if (!s->value[0]) {
                                sockets_clear(&a);
                                continue;
                        }
                        r = add_sockets(&a, s, warn, userdata);
                        if (r < 0) {
                                annotation_done(&a);
                                return r;
                        }
                } else if (streq(s->key, "Protect")) {
                        if (!s->value[0]) {
                                a.protect = -1;
                                continue;
                        }
                        r = parse_boolean(s->value);
                        if (r < 0) {
                                warn_setting(warn, userdata, s, "bad value \"%s\" for Protect= (yes or no), ignoring",
                                             s->value);
                                continue;
                        }
                        a.present = true;
                        a.protect = r;
                } else if (streq(s->key, "OnLoss")) {
                        r = s->value[0] ? on_loss_from_string(s->value) : ON_LOSS_DEFAULT;
                        if (r < 0) {
                                warn_setting(warn, userdata, s,
                                             "bad value \"%s\" for OnLoss= (relink-only or restart), ignoring",
                                             s->value);
                                continue;
                        }
                        a.on_loss = r;
                        a.present = true;
                } else
                        warn_setting(warn, userdata, s, "unknown key %s in [" ANNOTATION_SECTION "], ignoring",
                                     s->key);
        }
        *ret = a;
        return 0;
}

void annotation_done(annotation *a) {
        sockets_clear(a);
        free(a->sockets);
        *a = (annotation) { .protect = -1 };
}
