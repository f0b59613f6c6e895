/* Regular expressions of --srcPattern and --groupBy: PCRE2, whose syntax covers what S3DistCp
 * users write for Java's java.util.regex (classes such as \w and \d, quantifiers, groups, (?:),
 * lookaround). A pattern must match the whole path, as Java's Matcher.matches does. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "jobs/distcp/dc_job.h"

#include <pcre2.h>
#include <stdlib.h>

struct dc_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    unsigned groups;
};

lake_rc dc_regex_compile(const char *flag, const char *pattern, dc_regex **out, lake_error *err) {
    int code = 0;
    PCRE2_SIZE at = 0;
    *out = NULL;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s '%s': %s at position %zu", flag,
                              pattern, (const char *)msg, (size_t)at);
    }
    dc_regex *r = lake_xcalloc(1, sizeof *r);
    r->code = re;
    r->md = pcre2_match_data_create_from_pattern(re, NULL);
    uint32_t n = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &n);
    r->groups = n;
    *out = r;
    return LAKE_OK;
}

void dc_regex_free(dc_regex *r) {
    if (!r)
        return;
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    free(r);
}

unsigned dc_regex_groups(const dc_regex *r) {
    return r->groups;
}

bool dc_regex_match(dc_regex *r, const char *s, size_t n, lake_buf *key) {
    int m =
        pcre2_match(r->code, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, r->md, NULL);
    if (m < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    for (unsigned g = 1; key && g <= r->groups && (int)g < m; g++)
        if (ov[2 * g] != PCRE2_UNSET)
            lake_buf_append(key, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    return true;
}
