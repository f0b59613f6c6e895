#include "cli/cli.h"
#include "lake/common.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef LAKE_BUILD_HASH
#define LAKE_BUILD_HASH "unknown"
#endif

const char *cli_build_hash(void) {
    return LAKE_BUILD_HASH;
}

const char *cli_created_by(void) {
    return "lake version " LAKE_VERSION " (build " LAKE_BUILD_HASH ")";
}

bool cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-') {
        cli_usage_error(cmd, "%s expects a non-negative integer, got '%s'", opt, text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_int(const char *cmd, const char *opt, const char *text, int *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < INT_MIN || v > INT_MAX) {
        cli_usage_error(cmd, "%s expects an integer, got '%s'", opt, text);
        return false;
    }
    *out = (int)v;
    return true;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "lake %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'lake %s --help')\n", cmd);
    return 2;
}
