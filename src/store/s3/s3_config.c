/* S3 settings, read the way the AWS CLI reads them: options, then environment, then the shared
 * credentials/config files of the profile, then (credentials only, last) EC2 IMDSv2. */
#include "base/clock.h"
#include "store/s3/curl_dyn.h"
#include "store/s3/s3_internal.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

/* ---- AWS INI files ---- */

static const char *trim_span(const char *s, const char *e, size_t *len) {
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    *len = (size_t)(e - s);
    return s;
}

/* True when the header "[ ... ]" in line[0..n) names section (inner spaces collapsed). */
static bool section_is(const char *line, size_t n, const char *section) {
    size_t len;
    const char *in = trim_span(line + 1, line + n - 1, &len);
    const char *want = section;
    size_t i = 0;
    while (i < len && *want) {
        if (isspace((unsigned char)in[i]) && *want == ' ') {
            while (i < len && isspace((unsigned char)in[i]))
                i++;
            want++;
            continue;
        }
        if (in[i] != *want)
            return false;
        i++;
        want++;
    }
    return i == len && !*want;
}

char *s3_ini_get(const char *text, const char *section, const char *key) {
    if (!text)
        return NULL;
    bool in_section = false;
    size_t klen = strlen(key);
    for (const char *line = text; *line;) {
        const char *eol = line + strcspn(line, "\r\n");
        const char *next = *eol ? eol + 1 : eol;
        bool indented = line < eol && (*line == ' ' || *line == '\t');
        size_t n;
        const char *s = trim_span(line, eol, &n);
        line = next;
        if (n == 0 || *s == '#' || *s == ';')
            continue;
        if (*s == '[' && s[n - 1] == ']' && !indented) {
            in_section = section_is(s, n, section);
            continue;
        }
        if (!in_section || indented)
            continue;
        const char *eq = memchr(s, '=', n);
        if (!eq)
            continue;
        size_t kl;
        const char *k = trim_span(s, eq, &kl);
        if (kl != klen || strncasecmp(k, key, klen) != 0)
            continue;
        size_t vl;
        const char *v = trim_span(eq + 1, s + n, &vl);
        return lake_xstrndup(v, vl);
    }
    return NULL;
}

static bool has_section(const char *text, const char *section) {
    if (!text)
        return false;
    for (const char *line = text; *line;) {
        const char *eol = line + strcspn(line, "\r\n");
        size_t n;
        const char *s = trim_span(line, eol, &n);
        if (n >= 2 && *s == '[' && s[n - 1] == ']' && section_is(s, n, section))
            return true;
        line = *eol ? eol + 1 : eol;
    }
    return false;
}

static void set_if_unset(char **field, char *value) {
    if (!*field && value && *value)
        *field = value;
    else
        free(value);
}

lake_rc s3_config_apply_files(s3_config *cfg, const char *cred_text, const char *config_text,
                              const char *profile, bool profile_explicit, lake_error *err) {
    /* The config file names profiles "[profile x]", except "[default]". */
    char *config_section = lake_xasprintf("profile %s", profile);
    const char *csec = config_section;
    if (!strcmp(profile, "default") && !has_section(config_text, config_section))
        csec = "default";
    bool in_creds = has_section(cred_text, profile), in_config = has_section(config_text, csec);
    if (profile_explicit && !in_creds && !in_config) {
        free(config_section);
        return lake_error_set(err, LAKE_ERR_AUTH,
                              "the AWS profile '%s' could not be found in the shared credentials "
                              "or config file",
                              profile);
    }
    if (!cfg->access_key) {
        /* Credentials come as a pair from one place: the credentials file, else the config. */
        const char *text = cred_text;
        const char *sec = profile;
        char *ak = s3_ini_get(text, sec, "aws_access_key_id");
        if (!ak) {
            text = config_text;
            sec = csec;
            ak = s3_ini_get(text, sec, "aws_access_key_id");
        }
        if (ak) {
            cfg->access_key = ak;
            cfg->secret_key = s3_ini_get(text, sec, "aws_secret_access_key");
            cfg->session_token = s3_ini_get(text, sec, "aws_session_token");
            cfg->cred_source = text == cred_text ? "shared credentials file" : "config file";
        }
    }
    set_if_unset(&cfg->region, s3_ini_get(config_text, csec, "region"));
    set_if_unset(&cfg->endpoint, s3_ini_get(config_text, csec, "endpoint_url"));
    free(config_section);
    return LAKE_OK;
}

static char *read_text_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    lake_buf b;
    lake_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        lake_buf_append(&b, chunk, n);
    fclose(f);
    char *s = lake_xstrndup(b.data ? (const char *)b.data : "", b.len);
    lake_buf_free(&b);
    return s;
}

static char *env_dup(const char *name) {
    const char *v = getenv(name);
    return v && *v ? lake_xstrdup(v) : NULL;
}

static char *aws_file_path(const char *env, const char *name) {
    const char *v = getenv(env);
    if (v && *v)
        return lake_xstrdup(v);
    const char *home = getenv("HOME");
    return home ? lake_xasprintf("%s/.aws/%s", home, name) : NULL;
}

/* ---- EC2 instance metadata (IMDSv2) ---- */

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

/* Instance-profile credentials within one second in all, or false with what failed in why (the
 * IMDS address and step; never a token or key). */
static bool imds_credentials(s3_config *cfg, char *why, size_t why_len) {
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

static bool env_true(const char *name) {
    const char *v = getenv(name);
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

static lake_rc normalize_endpoint(s3_config *cfg, bool custom, lake_error *err) {
    if (!cfg->endpoint) {
        cfg->path_style = false;
        return LAKE_OK;
    }
    char *e = cfg->endpoint;
    if (!strstr(e, "://")) {
        cfg->endpoint = lake_xasprintf("https://%s", e);
        free(e);
        e = cfg->endpoint;
    }
    if (strncmp(e, "http://", 7) && strncmp(e, "https://", 8))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "endpoint URL %s: expected http:// or https://", e);
    size_t n = strlen(e);
    while (n && e[n - 1] == '/')
        e[--n] = '\0';
    cfg->path_style = custom;
    return LAKE_OK;
}

lake_rc s3_config_resolve(s3_config *cfg, const lake_store_options *o, lake_error *err) {
    memset(cfg, 0, sizeof *cfg);
    lake_rc rc = LAKE_OK;
    char *cred_path = NULL, *config_path = NULL, *cred_text = NULL, *config_text = NULL;
    bool sign = !(o && o->no_sign_request);
    if (sign) {
        char *ak = env_dup("AWS_ACCESS_KEY_ID"), *sk = env_dup("AWS_SECRET_ACCESS_KEY");
        if (ak && sk) {
            cfg->access_key = ak;
            cfg->secret_key = sk;
            cfg->session_token = env_dup("AWS_SESSION_TOKEN");
            cfg->cred_source = "environment";
        } else {
            free(ak);
            free(sk);
        }
    }
    cfg->region = env_dup("AWS_REGION");
    if (!cfg->region)
        cfg->region = env_dup("AWS_DEFAULT_REGION");
    if (o && o->endpoint_url && *o->endpoint_url)
        cfg->endpoint = lake_xstrdup(o->endpoint_url);
    if (!cfg->endpoint)
        cfg->endpoint = env_dup("AWS_ENDPOINT_URL_S3");
    if (!cfg->endpoint)
        cfg->endpoint = env_dup("AWS_ENDPOINT_URL");

    const char *profile = getenv("AWS_PROFILE");
    if (!profile || !*profile)
        profile = getenv("AWS_DEFAULT_PROFILE");
    bool explicit_profile = profile && *profile;
    cred_path = aws_file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    config_path = aws_file_path("AWS_CONFIG_FILE", "config");
    cred_text = cred_path ? read_text_file(cred_path) : NULL;
    config_text = config_path ? read_text_file(config_path) : NULL;
    s3_config tmp = *cfg;
    if (!sign) { /* the files may still give region and endpoint, never credentials */
        tmp.access_key = (char *)"";
    }
    rc = s3_config_apply_files(&tmp, cred_text, config_text, explicit_profile ? profile : "default",
                               explicit_profile, err);
    if (!sign)
        tmp.access_key = NULL;
    *cfg = tmp;
    if (rc)
        goto out;
    if (!cfg->region)
        cfg->region = lake_xstrdup("us-east-1");
    rc = normalize_endpoint(cfg, cfg->endpoint != NULL, err);
    if (rc)
        goto out;
    char imds_why[CURL_ERROR_SIZE + 256] = "";
    if (sign && !cfg->access_key && !env_true("AWS_EC2_METADATA_DISABLED"))
        imds_credentials(cfg, imds_why, sizeof imds_why);
    if (sign && (!cfg->access_key || !cfg->secret_key))
        rc = lake_error_set(err, LAKE_ERR_AUTH,
                            "no AWS credentials found (set AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or use --no-sign-request for "
                            "a public bucket%s)",
                            imds_why);
    if (!sign)
        cfg->cred_source = "none (unsigned requests)";
out:
    free(cred_path);
    free(config_path);
    free(cred_text);
    free(config_text);
    if (rc)
        s3_config_free(cfg);
    return rc;
}

void s3_config_free(s3_config *cfg) {
    free(cfg->access_key);
    if (cfg->secret_key) /* scrub: the secret should not outlive the store in memory dumps */
        memset(cfg->secret_key, 0, strlen(cfg->secret_key));
    free(cfg->secret_key);
    free(cfg->session_token);
    free(cfg->region);
    free(cfg->endpoint);
    memset(cfg, 0, sizeof *cfg);
}
