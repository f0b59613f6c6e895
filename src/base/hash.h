/* The hash of the hash maps. */
#ifndef LAKE_HASH_H
#define LAKE_HASH_H

#include "lake/common.h"

/* 64-bit hash of n bytes (not cryptographic; stable across runs and platforms). */
uint64_t lake_hash(const void *p, size_t n, uint64_t seed);

#endif
