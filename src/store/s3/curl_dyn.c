/* Loading libcurl on first use (see curl_dyn.h). */
#include <curl/curl.h>

#include "store/s3/curl_dyn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

lake_curl_api lake__curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];

/* One symbol into its slot; false (and load_error set) when it is missing. */
static bool bind_sym(void *lib, const char *name, void *slot) {
    void *p = dlsym(lib, name);
    if (!p) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name);
        return false;
    }
    *(void **)slot = p;
    return true;
}

static bool bind_all(void *lib) {
    lake_curl_api *a = &lake__curl;
    return bind_sym(lib, "curl_global_init", &a->global_init) &&
           bind_sym(lib, "curl_easy_init", &a->easy_init) &&
           bind_sym(lib, "curl_easy_setopt", &a->easy_setopt) &&
           bind_sym(lib, "curl_easy_getinfo", &a->easy_getinfo) &&
           bind_sym(lib, "curl_easy_perform", &a->easy_perform) &&
           bind_sym(lib, "curl_easy_reset", &a->easy_reset) &&
           bind_sym(lib, "curl_easy_cleanup", &a->easy_cleanup) &&
           bind_sym(lib, "curl_easy_strerror", &a->easy_strerror) &&
           bind_sym(lib, "curl_slist_append", &a->slist_append) &&
           bind_sym(lib, "curl_slist_free_all", &a->slist_free_all) &&
           bind_sym(lib, "curl_share_init", &a->share_init) &&
           bind_sym(lib, "curl_share_setopt", &a->share_setopt) &&
           bind_sym(lib, "curl_share_cleanup", &a->share_cleanup) &&
           bind_sym(lib, "curl_multi_init", &a->multi_init) &&
           bind_sym(lib, "curl_multi_setopt", &a->multi_setopt) &&
           bind_sym(lib, "curl_multi_add_handle", &a->multi_add_handle) &&
           bind_sym(lib, "curl_multi_remove_handle", &a->multi_remove_handle) &&
           bind_sym(lib, "curl_multi_socket_action", &a->multi_socket_action) &&
           bind_sym(lib, "curl_multi_perform", &a->multi_perform) &&
           bind_sym(lib, "curl_multi_assign", &a->multi_assign) &&
           bind_sym(lib, "curl_multi_info_read", &a->multi_info_read) &&
           bind_sym(lib, "curl_multi_cleanup", &a->multi_cleanup);
}

/* The library stays loaded for the life of the process (it is never closed). */
static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "S3 needs libcurl (Debian package libcurl4): %s",
                 dlerror());
        return;
    }
    if (!bind_all(lib))
        return;
    CURLcode rc = lake__curl.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        snprintf(load_error, sizeof load_error, "cannot initialise libcurl: %s",
                 lake__curl.easy_strerror(rc));
}

const char *lake__curl_load(void) {
    pthread_once(&load_once, load);
    return load_error[0] ? load_error : NULL;
}
