/* lake ddl's LOCATION in the form each dialect reads. Nothing is read from the location: the
 * statements can be printed before the output is copied where they point. */
#include "cli/ddl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Why s cannot go into the statements of d, or NULL. Quotes and backslashes would need each
 * dialect's own escaping inside a string literal; read_parquet would take glob characters as a
 * pattern. */
static const char *refused_char(ddl_dialect d, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return "LOCATION holds a control character";
        if (*p == '\'' || *p == '\\')
            return "LOCATION holds a quote or a backslash, which the statements cannot carry";
        if (d == DDL_DUCKDB && strchr("*?[", *p))
            return "LOCATION holds *, ? or [, which DuckDB's read_parquet takes as a glob";
    }
    return NULL;
}

/* s without trailing slashes, as a new string. */
static char *trim_slashes(const char *s, size_t n) {
    while (n > 0 && s[n - 1] == '/')
        n--;
    return lake_xstrndup(s, n);
}

static char *s3_root(ddl_dialect d, const char *location, const char **why) {
    bool s3a = !strncmp(location, "s3a://", 6);
    const char *bucket = location + (s3a ? 6 : 5);
    size_t blen = strcspn(bucket, "/");
    if (blen == 0) {
        *why = "LOCATION names no bucket (s3://bucket/prefix)";
        return NULL;
    }
    const char *prefix = bucket + blen;
    while (*prefix == '/')
        prefix++;
    char *rest = trim_slashes(prefix, strlen(prefix));
    const char *scheme = s3a && d == DDL_SPARK ? "s3a://" : "s3://";
    char *root = lake_xasprintf("%s%.*s%s%s", scheme, (int)blen, bucket, *rest ? "/" : "", rest);
    free(rest);
    return root;
}

static char *local_root(ddl_dialect d, const char *location, const char **why) {
    if (d == DDL_ATHENA) {
        *why = "Athena reads tables only from S3: give the s3:// location the output was written "
               "or copied to";
        return NULL;
    }
    char *abs = NULL;
    if (location[0] == '/') {
        abs = trim_slashes(location, strlen(location));
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) {
            *why = "cannot find the current directory to make LOCATION absolute";
            return NULL;
        }
        while (location[0] == '.' && location[1] == '/')
            location += 2;
        if (!strcmp(location, "."))
            location = "";
        char *joined = lake_xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", location);
        free(cwd);
        abs = trim_slashes(joined, strlen(joined));
        free(joined);
    }
    if (d != DDL_SPARK)
        return abs;
    char *uri = lake_xasprintf("file://%s", abs);
    free(abs);
    return uri;
}

char *ddl_location(ddl_dialect d, const char *location, const char **why) {
    if ((*why = refused_char(d, location)))
        return NULL;
    if (!strncmp(location, "s3://", 5) || !strncmp(location, "s3a://", 6))
        return s3_root(d, location, why);
    if (strstr(location, "://")) {
        *why = "LOCATION is a local path or s3://bucket/prefix";
        return NULL;
    }
    return local_root(d, location, why);
}
