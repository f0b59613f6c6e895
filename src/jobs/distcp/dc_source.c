/* The objects a copy reads: everything under --src, or only what lies under the prefixes of
 * --srcPrefixesFile (each a full URL under --src; destination names stay relative to --src). */
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>

char *dc_url_trim(const char *url) {
    size_t n = strlen(url);
    while (n > 1 && url[n - 1] == '/')
        n--;
    return lake_xstrndup(url, n);
}

/* Splits text into lines; each non-blank one must be src itself or under src + "/". */
static lake_rc parse_prefixes(const char *file, char *text, const char *src, char ***out, size_t *n,
                              lake_error *err) {
    /* Local paths are compared resolved, so ./in and /abs/in name one directory. */
    char *trimmed_src = dc_canonical(src);
    size_t sl = strlen(trimmed_src), line = 0, cap = 16;
    char **rel = lake_xcalloc(cap, sizeof *rel);
    lake_rc rc = LAKE_OK;
    *n = 0;
    for (char *p = text; !rc && p; line++) {
        char *nl = strchr(p, '\n'), *s = p;
        p = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        size_t len = strlen(s);
        while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
            s[--len] = '\0';
        if (!len)
            continue;
        char *canon = dc_canonical(s);
        bool under = !strncmp(canon, trimmed_src, sl) && (!canon[sl] || canon[sl] == '/');
        if (!under) {
            free(canon);
            rc = lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                "--srcPrefixesFile %s line %zu: '%s' is not under --src %s", file,
                                line + 1, s, trimmed_src);
            break;
        }
        if (*n + 1 == cap)
            rel = lake_xrealloc(rel, (cap *= 2) * sizeof *rel);
        const char *r = canon + sl;
        while (*r == '/')
            r++;
        /* A prefix written with its trailing '/' keeps it: "a/" is not "ab/". */
        rel[(*n)++] = lake_xconcat(r, *r && lake_ends_with(s, "/") ? "/" : "");
        free(canon);
    }
    free(trimmed_src);
    *out = rel;
    return rc;
}

lake_rc dc_list_sources(lake_store *src, const lake_distcp_options *o, lake_obj_list *objs,
                        lake_error *err) {
    /* One listing fanned out over SRC's common prefixes, or all the file's prefixes at once. */
    if (!o->src_prefixes_file) {
        const char *all[] = {""};
        bool some = o->src_prefixes != NULL;
        lake_rc rc =
            lake_store_list_many(src, some ? o->src_prefixes : all, some ? o->nsrc_prefixes : 1,
                                 LAKE_LIST_SKIP_HIDDEN, objs, err);
        if (rc)
            lake_error_prefix(err, "listing --src %s: ", o->src);
        return rc;
    }
    lake_buf text;
    lake_buf_init(&text);
    char **rel = NULL;
    size_t n = 0;
    lake_rc rc = dc_read_url(o->src_prefixes_file, o->store, &text, err);
    if (rc)
        lake_error_prefix(err, "--srcPrefixesFile: ");
    if (!rc) {
        lake_buf_putc(&text, '\0');
        rc = parse_prefixes(o->src_prefixes_file, (char *)text.data, o->src, &rel, &n, err);
    }
    if (!rc && (rc = lake_store_list_many(src, (const char *const *)rel, n, LAKE_LIST_SKIP_HIDDEN,
                                          objs, err)) != LAKE_OK)
        lake_error_prefix(err, "listing the prefixes of %s: ", o->src_prefixes_file);
    for (size_t i = 0; rel && i < n; i++)
        free(rel[i]);
    free(rel);
    lake_buf_free(&text);
    return rc;
}
