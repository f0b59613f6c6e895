/* The one error convention: lake_rc codes plus a message in lake_error. */
#include "lake/common.h"

#include <stdio.h>
#include <string.h>

const char *lake_strerror(lake_rc rc) {
    switch (rc) {
    case LAKE_OK:
        return "success";
    case LAKE_ERR_IO:
        return "input/output error";
    case LAKE_ERR_NOT_FOUND:
        return "not found";
    case LAKE_ERR_PARSE:
        return "malformed input";
    case LAKE_ERR_INVALID_ARG:
        return "invalid argument";
    case LAKE_ERR_BAD_RECORDS:
        return "too many bad records";
    case LAKE_ERR_UNSUPPORTED:
        return "not supported";
    case LAKE_ERR_CODEC:
        return "compression error";
    case LAKE_ERR_LIMIT:
        return "size limit exceeded";
    case LAKE_ERR_NETWORK:
        return "network error";
    case LAKE_ERR_AUTH:
        return "access denied";
    case LAKE_ERR_INTERNAL:
        return "internal error";
    case LAKE_ERR_LOCKED:
        return "locked by another run";
    }
    return "unknown error";
}

lake_rc lake_error_set(lake_error *err, lake_rc rc, const char *fmt, ...) {
    if (!err)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->rc = rc;
    return rc;
}

lake_rc lake_error_prefix(lake_error *err, const char *fmt, ...) {
    if (!err)
        return LAKE_ERR_INTERNAL;
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof err->msg)
        snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%s", old);
    return err->rc;
}
