/* The options of a copy, checked before any store is touched (lake_distcp_check). */
#include "jobs/distcp/dc_job.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void lake_distcp_options_default(lake_distcp_options *o) {
    memset(o, 0, sizeof *o);
    o->codec = LAKE_DISTCP_KEEP;
}

bool lake_distcp_codec_parse(const char *text, lake_distcp_codec *out) {
    static const struct {
        const char *name;
        lake_distcp_codec c;
    } names[] = {{"keep", LAKE_DISTCP_KEEP},
                 {"none", LAKE_DISTCP_NONE},
                 {"gzip", LAKE_DISTCP_GZIP},
                 {"gz", LAKE_DISTCP_GZIP},
                 {"zstd", LAKE_DISTCP_ZSTD}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(text, names[i].name)) {
            *out = names[i].c;
            return true;
        }
    return false;
}

char *dc_canonical(const char *loc) {
    char *t = dc_url_trim(loc);
    if (strstr(t, "://"))
        return t;
    char buf[PATH_MAX];
    if (realpath(t, buf)) {
        free(t);
        return lake_xstrdup(buf);
    }
    /* Not there yet (a new destination): its parent resolved, its own name kept. */
    char *slash = strrchr(t, '/');
    char *parent =
        slash ? lake_xstrndup(t, slash == t ? 1 : (size_t)(slash - t)) : lake_xstrdup(".");
    char *out =
        realpath(parent, buf) ? lake_xconcat(buf, "/", slash ? slash + 1 : t) : lake_xstrdup(t);
    free(parent);
    free(t);
    return out;
}

/* Is inner the same location as outer, or inside it? */
static bool inside(const char *outer, const char *inner) {
    char *a = dc_canonical(outer), *b = dc_canonical(inner);
    size_t n = strlen(a);
    bool yes = !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/' || (n && a[n - 1] == '/'));
    free(a);
    free(b);
    return yes;
}

static lake_rc check_regexes(const lake_distcp_options *o, lake_error *err) {
    dc_regex *r = NULL;
    lake_rc rc =
        o->src_pattern ? dc_regex_compile("--srcPattern", o->src_pattern, &r, err) : LAKE_OK;
    dc_regex_free(r);
    r = NULL;
    if (!rc && o->group_by && !(rc = dc_regex_compile("--groupBy", o->group_by, &r, err)) &&
        dc_regex_groups(r) == 0)
        rc = lake_error_set(err, LAKE_ERR_INVALID_ARG,
                            "--groupBy '%s' has no capture group: put the part of the path that "
                            "names the output in parentheses",
                            o->group_by);
    dc_regex_free(r);
    return rc;
}

static lake_rc check_manifests(const lake_distcp_options *o, lake_error *err) {
    if (o->require_previous_manifest && !o->previous_manifest)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "--requirePreviousManifest needs --previousManifest");
    if (o->copy_from_manifest && !o->previous_manifest)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "--copyFromManifest needs --previousManifest");
    if (o->sync && (!o->output_manifest || o->copy_from_manifest || o->delete_on_success ||
                    o->src_prefixes_file))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "sync needs an output manifest and works without "
                              "--copyFromManifest, --deleteOnSuccess and --srcPrefixesFile");
    if (o->src_prefixes && o->src_prefixes_file)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "prefixes given twice: in a list and in --srcPrefixesFile");
    const char *m = o->output_manifest;
    if (m && (!*m || *m == '/' || strstr(m, "..") || strstr(m, "://") || lake_ends_with(m, "/")))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "--outputManifest '%s': give a file name, written under --dest", m);
    return LAKE_OK;
}

/* With src_prefixes only src + "/" + prefix is read and only dest + "/" + prefix written (an
 * output is named after its objects' keys), so those may not meet; dest itself may lie in src
 * beside them (lake run --compact's <output>/_compacted with the output under the input). */
static lake_rc check_prefixes(const lake_distcp_options *o, lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; !rc && i < o->nsrc_prefixes; i++)
        for (size_t j = 0; !rc && j < o->nsrc_prefixes; j++) {
            char *w = lake_xconcat(o->dest, "/", o->src_prefixes[i]);
            char *r = lake_xconcat(o->src, "/", o->src_prefixes[j]);
            if (inside(w, r) || inside(r, w))
                rc = lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                    "--dest %s: the copy would write %s, which it reads from (%s)",
                                    o->dest, w, r);
            free(w);
            free(r);
        }
    return rc;
}

lake_rc lake_distcp_check(const lake_distcp_options *o, lake_error *err) {
    if (!o->src || !*o->src || !o->dest || !*o->dest)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "--src and --dest are required");
    if (o->src_prefixes && o->nsrc_prefixes) {
        lake_rc rc = check_prefixes(o, err);
        if (rc)
            return rc;
    } else if (inside(o->src, o->dest))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "--dest %s lies inside --src %s: the copy would read its own output",
                              o->dest, o->src);
    lake_rc rc = check_regexes(o, err);
    return rc ? rc : check_manifests(o, err);
}
