/* Random UUIDs for run ids (see uuid.h). */
#include "base/uuid.h"
#include "base/clock.h"

#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

void lake_uuid_v4(char out[37]) {
    uint8_t b[16] = {0};
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        uint64_t x = (uint64_t)(lake_now() * 1e9) ^ ((uint64_t)getpid() << 32);
        for (int i = 0; i < 16; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
            b[i] = (uint8_t)(x >> 56);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}
