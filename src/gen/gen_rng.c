/* splitmix64 streams: see gen/gen_rng.h. */
#include "gen/gen_rng.h"

void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream) {
    r->s = seed ^ (stream * 0xD1B54A32D192ED03ull);
    /* Mix once so that nearby seeds give unrelated streams. */
    (void)gen_rng_next(r);
}

uint64_t gen_rng_next(gen_rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t gen_rng_below(gen_rng *r, uint64_t n) {
    /* Multiply-shift: the tiny bias is irrelevant for test data and it is fast. */
    return (uint64_t)(((unsigned __int128)gen_rng_next(r) * n) >> 64);
}

bool gen_rng_permille(gen_rng *r, unsigned pct) {
    return gen_rng_below(r, 1000) < pct;
}
