/* SPDX-License-Identifier: MIT */
/* What every command's command line shares, as systemd's tools do it: one
 * form for every error ("sockkeeper COMMAND: message"), usage errors
 * followed by where to read more and exit status 64, --version, the
 * --json=pretty|short|off that chooses an output mode, and the options
 * that take one of a few words (--format=). */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-name.h"

static const char *verb;
static char program[64] = "sockkeeper";

void cli_set_verb(const char *name) {
        verb = name;
        if (name)
                snprintf(program, sizeof(program), "sockkeeper %s", name);
        else
                snprintf(program, sizeof(program), "sockkeeper");
        log_set_program(program);
        /* getopt's own messages name argv[0] and would differ from ours. */
        opterr = 0;
}

int cli_usage_error(const char *fmt, ...) {
        char text[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        log_error("%s", text);
        return cli_usage_hint();
}

int cli_usage_hint(void) {
        fprintf(stderr, "Try '%s --help'.\n", program);
        return CLI_EXIT_USAGE;
}

void cli_log_option_error(char *argv[], int c) {
        /* optopt is the short option (or a long option's value, which is
         * no character); for a long option, argv[optind - 1] is the word. */
        const char *word = argv[optind - 1];
        bool long_opt = word && word[0] == '-' && word[1] == '-';
        size_t len = word ? strcspn(word, "=") : 0;

        if (!long_opt && optopt > 0 && optopt < 0x100)
                log_error(c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'", optopt);
        else
                log_error(c == ':' ? "option '%.*s' needs a value" : "unknown option '%.*s'", (int) len,
                          strempty(word));
}

int cli_option_error(char *argv[], int c) {
        cli_log_option_error(argv, c);
        return cli_usage_hint();
}

int cli_version(void) {
        printf("sockkeeper %s\n", PACKAGE_VERSION);
        return 0;
}

int parse_json_option(const char *arg, output_mode *mode) {
        if (!arg || streq(arg, "pretty"))
                *mode = OUTPUT_JSON_PRETTY;
        else if (streq(arg, "short"))
                *mode = OUTPUT_JSON_SHORT;
        else if (streq(arg, "off"))
                *mode = OUTPUT_TEXT;
        else {
                cli_usage_error("--json=%s: use pretty, short or off", arg);
                return -EINVAL;
        }
        return 0;
}

int parse_choice(const char *option, const char *arg, const char *const *names, size_t n) {
        char choices[256] = "";
        int i = strv_index(names, n, arg);

        if (i >= 0)
                return i;
        for (size_t k = 0, len = 0; k < n && len < sizeof(choices); k++)
                if (names[k])
                        len += snprintf(choices + len, sizeof(choices) - len, "%s%s", len ? ", " : "", names[k]);
        (void) cli_usage_error("%s: '%s' is none of %s", option, arg, choices);
        return -EINVAL;
}

int check_output_file_option(const char *option, const char *arg) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        int r;

        if (arg[0] != '/' || path_has_dotdot(arg)) {
                log_error("%s: '%s' is not an absolute file name", option, arg);
                return -EINVAL;
        }
        r = path_split(arg, &dir, &name);
        if (r == -ENOMEM)
                return log_error_errno(r, "%s", option);
        if (r < 0) {
                log_error("%s: '%s' names a directory, not a file", option, arg);
                return -EINVAL;
        }
        return 0;
}

int parse_unit_option(const char *option, const char *arg, char **ret) {
        _cleanup_free_ char *unit = NULL;
        int r;

        /* "foo" is foo.service, as systemctl reads it. */
        r = unit_name_default_service(arg, &unit);
        if (r == -ENOMEM)
                return log_error_errno(r, "%s", option);
        if (r < 0 || !unit_name_is_valid(unit)) {
                log_error("%s: '%s' is not a unit name (NAME.socket, NAME.service, ...)", option, arg);
                return -EINVAL;
        }
        /* A template is no unit that runs: no process is in it. */
        if (unit_name_is_template(unit)) {
                log_error("%s: '%s' is not a unit name that runs: a template needs an instance "
                          "(NAME@INSTANCE.service)", option, arg);
                return -EINVAL;
        }
        *ret = TAKE_PTR(unit);
        return 0;
}
