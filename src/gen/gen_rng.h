/* The generator's random numbers: splitmix64 streams derived from the seed. Small, fast, good
 * enough for test data, and identical on every platform, which is what makes `lake gen` output
 * byte-identical for the same options. Uses nothing but the C library. */
#ifndef LAKE_GEN_RNG_H
#define LAKE_GEN_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s;
} gen_rng;

/* Starts stream `stream` of seed: different streams of one seed are unrelated. */
void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t gen_rng_next(gen_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t gen_rng_below(gen_rng *r, uint64_t n);
/* True with probability pct/1000. */
bool gen_rng_permille(gen_rng *r, unsigned pct);

#endif
