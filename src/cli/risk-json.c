/* SPDX-License-Identifier: MIT */
/* The classifier's reasons in JSON: one object shape for `check --json`
 * and `scan --json`, so that a script reads a reason the same way from
 * either. */

#include "cli.h"

void json_risk_reason(json_writer *w, const risk_reason *x) {
        json_begin_object(w);
        json_pair_string(w, "rating", risk_rating_to_string(x->rating));
        json_pair_string(w, "kind", x->kind);
        json_pair_string(w, "text", x->text);
        json_pair_string(w, "source", x->source);
        json_end_object(w);
}
