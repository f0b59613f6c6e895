/* S3 settings, read the way the AWS CLI reads them: options, then environment, then the shared
 * credentials/config files of the profile, then (credentials only, last) EC2 IMDSv2 (s3_imds.c).
 * The files are AWS-style INI texts, parsed here. */
#include "store/s3/s3_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char imds_why[S3_IMDS_WHY_SIZE] = "";
    if (sign && !cfg->access_key && !env_true("AWS_EC2_METADATA_DISABLED"))
        s3_imds_credentials(cfg, imds_why, sizeof imds_why);
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

/* ---- write options ---- */

/* PutObject's x-amz-storage-class values (the S3 API reference, 2024). */
static const char *const storage_classes[] = {
    "STANDARD",       "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER",        "DEEP_ARCHIVE",       "OUTPOSTS",    "GLACIER_IR", "SNOW",
    "EXPRESS_ONEZONE"};

bool lake_store_storage_class_known(const char *name) {
    for (size_t i = 0; name && i < sizeof storage_classes / sizeof *storage_classes; i++)
        if (!strcmp(name, storage_classes[i]))
            return true;
    return false;
}

const char *lake_store_storage_classes(void) {
    return "STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, "
           "DEEP_ARCHIVE, OUTPOSTS, GLACIER_IR, SNOW, EXPRESS_ONEZONE";
}

lake_rc s3_write_options_check(const lake_store_options *o, lake_error *err) {
    if (!o)
        return LAKE_OK;
    if (o->storage_class && !lake_store_storage_class_known(o->storage_class))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "unknown S3 storage class '%s' (expected one of %s)",
                              o->storage_class, lake_store_storage_classes());
    if (o->part_size &&
        (o->part_size < LAKE_S3_MIN_PART_SIZE || o->part_size > LAKE_S3_MAX_PART_SIZE))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "multipart part size %llu bytes: S3 takes 5 MiB to 5 GiB",
                              (unsigned long long)o->part_size);
    return LAKE_OK;
}
