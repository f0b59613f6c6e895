/* A tiny unit-test runner: each test file registers its tests with UNIT_TEST(name); the runner
 * (main.c) runs them all (or those whose name contains argv[1]) and ends with the line
 * "N passed, N failed". */
#ifndef LAKE_UNIT_H
#define LAKE_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
/* Removes dir and everything below it (a test's temporary tree); missing is fine. */
void unit_rm_tree(const char *dir);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define UNIT_TEST(name)                                                                            \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void name##_register(void) {                               \
        unit_register(#name, name);                                                                \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                     \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            unit_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, a_, #b, b_);      \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            unit_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", \
                      b_ ? b_ : "(null)");                                                         \
    } while (0)

#define CHECK_EQ_MEM(a, alen, b, blen)                                                             \
    do {                                                                                           \
        size_t al_ = (size_t)(alen), bl_ = (size_t)(blen);                                         \
        if (al_ != bl_ || memcmp((a), (b), al_) != 0)                                              \
            unit_fail(__FILE__, __LINE__, "%s (%zu bytes) differs from %s (%zu bytes)", #a, al_,   \
                      #b, bl_);                                                                    \
    } while (0)

#endif
