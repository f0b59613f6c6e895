/* Option parsing shared by every command: getopt_long with lake's usage errors in place of
 * getopt's own messages, so that a mistake gives one line naming the flag (and exit 2). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* The long option whose code is val (every short option has a long one), or NULL. */
static const struct option *option_of(int val, const struct option *longopts) {
    for (const struct option *o = longopts; o->name; o++)
        if (!o->flag && o->val == val)
            return o;
    return NULL;
}

/* "--input" for code val, or "-x" for a short option without a long one. */
static const char *flag_name(int val, const struct option *longopts, char *buf, size_t size) {
    const struct option *o = option_of(val, longopts);
    if (o)
        snprintf(buf, size, "--%s", o->name);
    else
        snprintf(buf, size, "-%c", val > 0 && val < 128 ? val : '?');
    return buf;
}

/* True when text is one of longopts spelt out ("--output" or "--output=..."): given as the
 * value of the option before it, it means that option's value is missing. */
static bool names_option(const char *text, const struct option *longopts) {
    if (strncmp(text, "--", 2) != 0)
        return false;
    size_t n = strcspn(text + 2, "=");
    for (const struct option *o = longopts; o->name; o++)
        if (strlen(o->name) == n && !strncmp(o->name, text + 2, n))
            return true;
    return false;
}

/* getopt's complaint (c is ':' or '?') as one usage error. */
static int getopt_error(const char *cmd, int c, char **argv, const struct option *longopts) {
    char name[64];
    if (c == ':')
        return cli_usage_error(cmd, "%s needs a value",
                               flag_name(optopt, longopts, name, sizeof name));
    const char *given = argv[optind - 1];
    if (strncmp(given, "--", 2) != 0) /* a short option, maybe inside "-qx" */
        return cli_usage_error(cmd, "unknown option '-%c'",
                               optopt > 0 && optopt < 128 ? optopt : '?');
    if (optopt && strchr(given, '=')) /* "--quiet=yes": glibc names the option in optopt */
        return cli_usage_error(cmd, "%s takes no value",
                               flag_name(optopt, longopts, name, sizeof name));
    return cli_usage_error(cmd, "unknown option '%s'", given);
}

/* A value given to an option that takes one: never empty, never the next option. */
static int check_value(const char *cmd, int c, const struct option *longopts) {
    char name[64];
    if (!*optarg)
        return cli_usage_error(cmd, "%s is empty: it needs a value",
                               flag_name(c, longopts, name, sizeof name));
    if (names_option(optarg, longopts))
        return cli_usage_error(cmd, "%s needs a value, not the option %s",
                               flag_name(c, longopts, name, sizeof name), optarg);
    return 0;
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts) {
    char spec[64];
    snprintf(spec, sizeof spec, ":%s", shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == ':' || c == '?') {
        getopt_error(cmd, c, argv, longopts);
        return CLI_GETOPT_ERROR;
    }
    if (c != -1 && optarg && check_value(cmd, c, longopts))
        return CLI_GETOPT_ERROR;
    return c;
}
