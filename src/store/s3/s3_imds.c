/* Credentials of the EC2 instance profile, read from the instance metadata service (IMDSv2):
 * the last place s3_config_resolve looks. Every call has a hard deadline, so a machine that is
 * not on EC2 loses at most a second. */
#include "base/clock.h"
#include "store/s3/curl_dyn.h"
#include "store/s3/s3_internal.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(S3_IMDS_WHY_SIZE >= CURL_ERROR_SIZE + 256, "room for curl's message and context");

static size_t imds_write(char *p, size_t size, size_t n, void *ud) {
    lake_buf *b = ud;
    if (b->len + size * n > (64u << 10))
        return 0;
    lake_buf_append(b, p, size * n);
    return size * n;
}

/* One IMDS request with a hard deadline; the body goes to out. Returns true on HTTP 200, else
 * false with the reason in why (curl's message or the HTTP status). */
static bool imds_call(const char *url, const char *method, const char *header, double deadline,
                      lake_buf *out, char why[CURL_ERROR_SIZE]) {
    double left_ms = (deadline - lake_now()) * 1000.0;
    snprintf(why, CURL_ERROR_SIZE, "timed out");
    if (left_ms < 10)
        return false;
    CURL *h = curl_easy_init();
    if (!h)
        return false;
    why[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
    struct curl_slist *hdrs = header ? curl_slist_append(NULL, header) : NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)left_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, imds_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (!strcmp(method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    long status = 0;
    lake_buf_resize(out, 0);
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    bool ok = cc == CURLE_OK && status == 200;
    if (cc != CURLE_OK && !why[0])
        snprintf(why, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
    else if (cc == CURLE_OK && !ok)
        snprintf(why, CURL_ERROR_SIZE, "HTTP %ld", status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    lake_buf_putc(out, 0);
    out->len--;
    return ok;
}

/* The string value of "name" in a flat JSON object (IMDS credentials carry no escapes). */
static char *json_string_field(const char *json, const char *name) {
    char *pat = lake_xasprintf("\"%s\"", name);
    const char *p = strstr(json, pat);
    free(pat);
    if (!p)
        return NULL;
    p = strchr(p + strlen(name) + 2, ':');
    if (!p)
        return NULL;
    p = strchr(p, '"');
    if (!p)
        return NULL;
    const char *e = strchr(p + 1, '"');
    return e ? lake_xstrndup(p + 1, (size_t)(e - p - 1)) : NULL;
}

bool s3_imds_credentials(s3_config *cfg, char *why, size_t why_len) {
    const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base || !*base)
        base = "http://169.254.169.254";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    double deadline = lake_now() + 1.0;
    lake_buf b;
    lake_buf_init(&b);
    char *url = NULL, *hdr = NULL, *role = NULL;
    char detail[CURL_ERROR_SIZE];
    const char *step = "token";
    bool ok = false;
    url = lake_xasprintf("%.*s/latest/api/token", (int)bl, base);
    if (!imds_call(url, "PUT", "X-aws-ec2-metadata-token-ttl-seconds: 21600", deadline, &b, detail))
        goto out;
    hdr = lake_xasprintf("X-aws-ec2-metadata-token: %.*s", (int)strcspn((char *)b.data, "\r\n"),
                         (char *)b.data);
    free(url);
    url = lake_xasprintf("%.*s/latest/meta-data/iam/security-credentials/", (int)bl, base);
    step = "role name";
    if (!imds_call(url, "GET", hdr, deadline, &b, detail))
        goto out;
    if (!b.len) {
        snprintf(detail, sizeof detail, "no role attached to the instance");
        goto out;
    }
    role = lake_xstrndup((char *)b.data, strcspn((char *)b.data, "\r\n"));
    free(url);
    url = lake_xasprintf("%.*s/latest/meta-data/iam/security-credentials/%s", (int)bl, base, role);
    step = "credentials";
    if (!imds_call(url, "GET", hdr, deadline, &b, detail))
        goto out;
    char *ak = json_string_field((char *)b.data, "AccessKeyId");
    char *sk = json_string_field((char *)b.data, "SecretAccessKey");
    char *tok = json_string_field((char *)b.data, "Token");
    if (ak && sk) {
        cfg->access_key = ak;
        cfg->secret_key = sk;
        cfg->session_token = tok;
        cfg->cred_source = "EC2 instance profile";
        ok = true;
    } else {
        free(ak);
        free(sk);
        free(tok);
        snprintf(detail, sizeof detail, "no AccessKeyId/SecretAccessKey in the reply");
    }
out:
    if (!ok)
        snprintf(why, why_len, "; EC2 instance metadata at %.*s: %s request failed: %s", (int)bl,
                 base, step, detail);
    free(url);
    free(hdr);
    free(role);
    lake_buf_free(&b);
    return ok;
}
