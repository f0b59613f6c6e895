/* s3:// locations and the percent-encoding SigV4 wants in request paths and queries. */
#include "store/s3/s3_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

lake_rc s3_url_parse(const char *url, s3_url *out, lake_error *err) {
    memset(out, 0, sizeof *out);
    const char *p;
    if (!strncmp(url, "s3://", 5))
        p = url + 5;
    else if (!strncmp(url, "s3a://", 6))
        p = url + 6;
    else
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s: not an s3:// location", url);
    size_t blen = strcspn(p, "/");
    if (blen == 0)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s: no bucket name (s3://bucket/prefix)",
                              url);
    for (size_t i = 0; i < blen; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '_')
            return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s: invalid bucket name", url);
    }
    out->bucket = lake_xstrndup(p, blen);
    const char *rest = p + blen;
    while (*rest == '/')
        rest++;
    size_t rlen = strlen(rest);
    out->prefix =
        rlen == 0 || rest[rlen - 1] == '/' ? lake_xstrdup(rest) : lake_xasprintf("%s/", rest);
    return LAKE_OK;
}

void s3_url_free(s3_url *u) {
    free(u->bucket);
    free(u->prefix);
    memset(u, 0, sizeof *u);
}

char *s3_uri_encode(const char *s, bool keep_slash) {
    lake_buf b;
    lake_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
            (keep_slash && *p == '/'))
            lake_buf_putc(&b, *p);
        else
            lake_buf_printf(&b, "%%%02X", *p);
    }
    char *out = lake_xstrndup((const char *)b.data ? (const char *)b.data : "", b.len);
    lake_buf_free(&b);
    return out;
}
