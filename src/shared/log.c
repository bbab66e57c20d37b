/* SPDX-License-Identifier: MIT */
/* One-line diagnostics for the command-line tools: "prog: message". */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *program = "sockkeeper";

void log_set_program(const char *name) {
        program = name;
}

_printf_(3, 0) static void vlog(FILE *f, int error, const char *fmt, va_list ap) {
        fprintf(f, "%s: ", program);
        vfprintf(f, fmt, ap);
        if (error)
                fprintf(f, ": %s", strerror(abs(error)));
        fputc('\n', f);
}

void log_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(stderr, 0, fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(stderr, 0, fmt, ap);
        va_end(ap);
}

int log_error_errno(int error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(stderr, error, fmt, ap);
        va_end(ap);
        return -abs(error);
}

void log_info(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(stdout, 0, fmt, ap);
        va_end(ap);
}

void log_file_warning(const char *file, unsigned line, const char *message, void *userdata) {
        if (line)
                log_error("%s:%u: %s", file, line, message);
        else
                log_error("%s: %s", file, message);
}
