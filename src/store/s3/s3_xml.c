/* The few S3 XML replies lake reads, parsed with expat: each parser sees every leaf element as
 * (path, text), e.g. ("/ListBucketResult/Contents/Key", "song_data/A/x.json"), entities decoded. */
#include "store/s3/s3_internal.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char path[512];
    size_t depth_overflow; /* elements deeper than path can hold; ignored */
    lake_buf text;
    void (*leaf)(void *ctx, const char *path, const char *text);
    void (*end)(void *ctx, const char *path); /* every element end, before popping */
    void *ctx;
} xml_walk;

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    (void)attrs;
    xml_walk *w = ud;
    size_t n = strlen(w->path), nl = strlen(name);
    if (w->depth_overflow || n + 1 + nl >= sizeof w->path) {
        w->depth_overflow++;
        return;
    }
    w->path[n] = '/';
    memcpy(w->path + n + 1, name, nl + 1);
    lake_buf_resize(&w->text, 0);
}

static void on_end(void *ud, const XML_Char *name) {
    (void)name;
    xml_walk *w = ud;
    if (w->depth_overflow) {
        w->depth_overflow--;
        return;
    }
    lake_buf_putc(&w->text, 0);
    if (w->leaf)
        w->leaf(w->ctx, w->path, (const char *)w->text.data);
    if (w->end)
        w->end(w->ctx, w->path);
    lake_buf_resize(&w->text, 0);
    char *slash = strrchr(w->path, '/');
    if (slash)
        *slash = '\0';
}

static void on_text(void *ud, const XML_Char *s, int len) {
    xml_walk *w = ud;
    if (!w->depth_overflow)
        lake_buf_append(&w->text, s, (size_t)len);
}

/* Parses xml[0..len) through w's callbacks; false on malformed XML. */
static bool xml_run(xml_walk *w, const void *xml, size_t len) {
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p)
        return false;
    w->path[0] = '\0';
    w->depth_overflow = 0;
    lake_buf_init(&w->text);
    XML_SetUserData(p, w);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    bool ok = true;
    const char *c = xml;
    size_t left = len;
    /* XML_Parse takes an int length; feed large documents in pieces. */
    while (ok && left > (1u << 30)) {
        ok = XML_Parse(p, c, 1 << 30, 0) == XML_STATUS_OK;
        c += 1u << 30;
        left -= 1u << 30;
    }
    if (ok)
        ok = XML_Parse(p, c, (int)left, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    lake_buf_free(&w->text);
    return ok;
}

/* ---- ListObjectsV2 ---- */

typedef struct {
    s3_list_page *page;
    char *key;
    uint64_t size;
} list_ctx;

static void list_leaf(void *ud, const char *path, const char *text) {
    list_ctx *c = ud;
    if (!strcmp(path, "/ListBucketResult/Contents/Key")) {
        free(c->key);
        c->key = lake_xstrdup(text);
    } else if (!strcmp(path, "/ListBucketResult/Contents/Size")) {
        c->size = strtoull(text, NULL, 10);
    } else if (!strcmp(path, "/ListBucketResult/CommonPrefixes/Prefix")) {
        s3_list_page *pg = c->page;
        pg->prefixes = lake_xrealloc(pg->prefixes, (pg->n_prefixes + 1) * sizeof *pg->prefixes);
        pg->prefixes[pg->n_prefixes++] = lake_xstrdup(text);
    } else if (!strcmp(path, "/ListBucketResult/IsTruncated")) {
        c->page->truncated = !strcmp(text, "true");
    } else if (!strcmp(path, "/ListBucketResult/NextContinuationToken")) {
        free(c->page->next_token);
        c->page->next_token = lake_xstrdup(text);
    }
}

static void list_end(void *ud, const char *path) {
    list_ctx *c = ud;
    if (strcmp(path, "/ListBucketResult/Contents") != 0 || !c->key)
        return;
    lake_obj o = {.key = c->key, .size = c->size};
    lake_obj_list_take(&c->page->objects, &o);
    c->key = NULL;
    c->size = 0;
}

lake_rc s3_xml_list(const void *xml, size_t len, s3_list_page *page, lake_error *err) {
    memset(page, 0, sizeof *page);
    list_ctx c = {.page = page};
    xml_walk w = {.leaf = list_leaf, .end = list_end, .ctx = &c};
    bool ok = xml_run(&w, xml, len);
    free(c.key);
    if (!ok) {
        s3_list_page_free(page);
        return lake_error_set(err, LAKE_ERR_PARSE, "malformed ListObjectsV2 reply");
    }
    if (page->truncated && !page->next_token) {
        s3_list_page_free(page);
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "ListObjectsV2 reply is truncated but has no continuation token");
    }
    if (!page->truncated) {
        free(page->next_token);
        page->next_token = NULL;
    }
    return LAKE_OK;
}

void s3_list_page_free(s3_list_page *page) {
    lake_obj_list_free(&page->objects);
    for (size_t i = 0; i < page->n_prefixes; i++)
        free(page->prefixes[i]);
    free(page->prefixes);
    free(page->next_token);
    memset(page, 0, sizeof *page);
}

/* ---- ListMultipartUploads ---- */

typedef struct {
    s3_uploads_page *page;
    char *key, *id;
} uploads_ctx;

static void take(char **dst, const char *text) {
    free(*dst);
    *dst = lake_xstrdup(text);
}

static void uploads_leaf(void *ud, const char *path, const char *text) {
    uploads_ctx *c = ud;
    if (!strcmp(path, "/ListMultipartUploadsResult/Upload/Key"))
        take(&c->key, text);
    else if (!strcmp(path, "/ListMultipartUploadsResult/Upload/UploadId"))
        take(&c->id, text);
    else if (!strcmp(path, "/ListMultipartUploadsResult/IsTruncated"))
        c->page->truncated = !strcmp(text, "true");
    else if (!strcmp(path, "/ListMultipartUploadsResult/NextKeyMarker"))
        take(&c->page->next_key, text);
    else if (!strcmp(path, "/ListMultipartUploadsResult/NextUploadIdMarker"))
        take(&c->page->next_id, text);
}

static void uploads_end(void *ud, const char *path) {
    uploads_ctx *c = ud;
    if (strcmp(path, "/ListMultipartUploadsResult/Upload") != 0 || !c->key || !c->id)
        return;
    s3_uploads_page *pg = c->page;
    pg->keys = lake_xrealloc(pg->keys, (pg->n + 1) * sizeof *pg->keys);
    pg->ids = lake_xrealloc(pg->ids, (pg->n + 1) * sizeof *pg->ids);
    pg->keys[pg->n] = c->key;
    pg->ids[pg->n++] = c->id;
    c->key = c->id = NULL;
}

lake_rc s3_xml_uploads(const void *xml, size_t len, s3_uploads_page *page, lake_error *err) {
    memset(page, 0, sizeof *page);
    uploads_ctx c = {.page = page};
    xml_walk w = {.leaf = uploads_leaf, .end = uploads_end, .ctx = &c};
    bool ok = xml_run(&w, xml, len);
    free(c.key);
    free(c.id);
    if (ok && page->truncated && !page->next_key)
        ok = false;
    if (!ok) {
        s3_uploads_page_free(page);
        return lake_error_set(err, LAKE_ERR_PARSE, "malformed ListMultipartUploads reply");
    }
    return LAKE_OK;
}

void s3_uploads_page_free(s3_uploads_page *page) {
    for (size_t i = 0; i < page->n; i++) {
        free(page->keys[i]);
        free(page->ids[i]);
    }
    free(page->keys);
    free(page->ids);
    free(page->next_key);
    free(page->next_id);
    memset(page, 0, sizeof *page);
}

/* ---- Error, InitiateMultipartUpload, DeleteObjects ---- */

typedef struct {
    const char *code_path, *message_path, *key_path, *error_end;
    char *code, *message, *key;
    bool found; /* an element at error_end closed: the first error is complete */
} pick_ctx;

static void pick_leaf(void *ud, const char *path, const char *text) {
    pick_ctx *c = ud;
    if (c->found)
        return;
    if (c->code_path && !strcmp(path, c->code_path) && !c->code)
        c->code = lake_xstrdup(text);
    else if (c->message_path && !strcmp(path, c->message_path) && !c->message)
        c->message = lake_xstrdup(text);
    else if (c->key_path && !strcmp(path, c->key_path) && !c->key)
        c->key = lake_xstrdup(text);
}

static void pick_end(void *ud, const char *path) {
    pick_ctx *c = ud;
    if (c->error_end && !strcmp(path, c->error_end))
        c->found = true;
}

bool s3_xml_error(const void *xml, size_t len, char **code, char **message) {
    *code = *message = NULL;
    pick_ctx c = {
        .code_path = "/Error/Code", .message_path = "/Error/Message", .error_end = "/Error"};
    xml_walk w = {.leaf = pick_leaf, .end = pick_end, .ctx = &c};
    if (!len || !xml_run(&w, xml, len) || !c.found) {
        free(c.code);
        free(c.message);
        return false;
    }
    *code = c.code;
    *message = c.message;
    return true;
}

char *s3_xml_upload_id(const void *xml, size_t len) {
    pick_ctx c = {.code_path = "/InitiateMultipartUploadResult/UploadId"};
    xml_walk w = {.leaf = pick_leaf, .ctx = &c};
    if (!xml_run(&w, xml, len)) {
        free(c.code);
        return NULL;
    }
    return c.code;
}

bool s3_xml_delete_errors(const void *xml, size_t len, char **key, char **code, char **message) {
    *key = *code = *message = NULL;
    pick_ctx c = {.code_path = "/DeleteResult/Error/Code",
                  .message_path = "/DeleteResult/Error/Message",
                  .key_path = "/DeleteResult/Error/Key",
                  .error_end = "/DeleteResult/Error"};
    xml_walk w = {.leaf = pick_leaf, .end = pick_end, .ctx = &c};
    bool parsed = xml_run(&w, xml, len);
    if (parsed && !c.found) {
        free(c.code);
        free(c.message);
        free(c.key);
        return false;
    }
    *key = c.key;
    *code = c.code ? c.code : lake_xstrdup(parsed ? "Unknown" : "MalformedReply");
    *message = c.message;
    return true;
}

void s3_xml_escape(lake_buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&':
            lake_buf_puts(b, "&amp;");
            break;
        case '<':
            lake_buf_puts(b, "&lt;");
            break;
        case '>':
            lake_buf_puts(b, "&gt;");
            break;
        case '"':
            lake_buf_puts(b, "&quot;");
            break;
        case '\'':
            lake_buf_puts(b, "&apos;");
            break;
        default:
            lake_buf_putc(b, (uint8_t)*s);
        }
    }
}
