/* libcurl, loaded when the first S3 store opens instead of linked: libcurl and the 30 libraries
 * it needs (TLS, Kerberos, LDAP, SSH, IDN...) cost every process 2.9 ms to map and relocate
 * (measured: an empty program linked like lake starts in 4.6 ms, 1.6 ms without libcurl), a
 * sixth of a run on the public sample. Local runs never load it.
 *
 * Include this after <curl/curl.h> in the files that call libcurl: the curl_* names below then
 * call through lake__curl, which lake__curl_load fills once. Nothing may call them before a
 * successful lake__curl_load. Private to src/store/s3/; uses libdl and pthreads only. */
#ifndef LAKE_CURL_DYN_H
#define LAKE_CURL_DYN_H

#include <curl/curl.h>

typedef struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *h);
    void (*easy_reset)(CURL *h);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
    CURLSH *(*share_init)(void);
    CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption opt, ...);
    CURLSHcode (*share_cleanup)(CURLSH *sh);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int mask, int *running);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_cleanup)(CURLM *m);
} lake_curl_api;

extern lake_curl_api lake__curl;

/* Loads libcurl.so.4 and calls curl_global_init, once per process (thread-safe). Returns NULL,
 * or a message saying what failed (the library is missing, a symbol is, or its init failed). */
const char *lake__curl_load(void);

/* curl.h defines some of these as type-checking macros under GCC. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#undef curl_multi_setopt

#define curl_global_init lake__curl.global_init
#define curl_easy_init lake__curl.easy_init
#define curl_easy_setopt lake__curl.easy_setopt
#define curl_easy_getinfo lake__curl.easy_getinfo
#define curl_easy_perform lake__curl.easy_perform
#define curl_easy_reset lake__curl.easy_reset
#define curl_easy_cleanup lake__curl.easy_cleanup
#define curl_easy_strerror lake__curl.easy_strerror
#define curl_slist_append lake__curl.slist_append
#define curl_slist_free_all lake__curl.slist_free_all
#define curl_share_init lake__curl.share_init
#define curl_share_setopt lake__curl.share_setopt
#define curl_share_cleanup lake__curl.share_cleanup
#define curl_multi_init lake__curl.multi_init
#define curl_multi_setopt lake__curl.multi_setopt
#define curl_multi_add_handle lake__curl.multi_add_handle
#define curl_multi_remove_handle lake__curl.multi_remove_handle
#define curl_multi_socket_action lake__curl.multi_socket_action
#define curl_multi_perform lake__curl.multi_perform
#define curl_multi_assign lake__curl.multi_assign
#define curl_multi_info_read lake__curl.multi_info_read
#define curl_multi_cleanup lake__curl.multi_cleanup

#endif
