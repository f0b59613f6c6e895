/* lake_run_summary_write_html: the run report, one page that needs nothing else. The page is
 * report.html (markup, style and a script, built into the library below) with the JSON summary
 * of summary_json.c in its data block, which the script renders: the page shows exactly the
 * figures the JSON summary holds, and the document can be read back out of it. */
#include "jobs/sparkify/summary_json.h"

#include <string.h>

/* report.html's bytes and a NUL, in the library's read-only data (the path is the repository's:
 * every build compiles from its root; the Makefile rebuilds this file when the page changes). */
__asm__(".section .rodata\n"
        ".global sp_report_page\n"
        ".hidden sp_report_page\n"
        ".type sp_report_page, @object\n"
        "sp_report_page:\n"
        ".incbin \"src/jobs/sparkify/report.html\"\n"
        ".byte 0\n"
        ".size sp_report_page, . - sp_report_page\n"
        ".previous\n");
extern const char sp_report_page[];

/* Where the page takes the summary: inside <script type="application/json">. */
#define SUMMARY_SLOT "@@LAKE_SUMMARY_JSON@@"

/* The JSON text fit for a script element: '<' appears only inside JSON strings, where \u003c
 * means the same, so no "</script>" or "<!--" in an object key or reason can end the block. */
static void append_script_safe(lake_buf *out, const lake_buf *json) {
    const uint8_t *p = json->data, *end = json->data + json->len, *lt;
    while ((lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
        lake_buf_append(out, p, (size_t)(lt - p));
        lake_buf_puts(out, "\\u003c");
        p = lt + 1;
    }
    lake_buf_append(out, p, (size_t)(end - p));
}

lake_rc lake_run_summary_write_html(const char *path, const lake_run_summary *sum,
                                    const lake_run_report *rep, lake_error *err) {
    const char *slot = strstr(sp_report_page, SUMMARY_SLOT);
    if (!slot)
        return lake_error_set(err, LAKE_ERR_INTERNAL, "report %s: the page has no summary slot",
                              path);
    lake_buf json, page;
    lake_buf_init(&json);
    lake_buf_init(&page);
    sp_summary_json(&json, sum, rep);
    lake_buf_append(&page, sp_report_page, (size_t)(slot - sp_report_page));
    append_script_safe(&page, &json);
    lake_buf_puts(&page, slot + strlen(SUMMARY_SLOT));
    lake_rc rc = sp_write_file_atomic(path, &page, "report", err);
    lake_buf_free(&json);
    lake_buf_free(&page);
    return rc;
}
