/* RLE / bit-packed hybrid encoder. */
#include "parquet/write/writer_rle.h"

#include "parquet/write/writer_thrift.h"

#include <string.h>

/* Readers dislike long bit-packed runs less than they dislike 2-byte headers, but 63 groups keeps
 * each header in one varint byte, which makes the output easy to check by hand. */
#define MAX_GROUPS 63

static size_t run_length(const uint32_t *v, size_t n, size_t i) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i])
        j++;
    return j - i;
}

static void put_rle_run(lake_buf *out, size_t len, uint32_t value, int bit_width) {
    pq_tc_varint(out, (uint64_t)len << 1);
    for (int b = 0; b < (bit_width + 7) / 8; b++)
        lake_buf_putc(out, (uint8_t)(value >> (8 * b)));
}

/* Packs ngroups * 8 values LSB first; positions past n are zero padding. */
static void put_bitpacked(lake_buf *out, const uint32_t *v, size_t n, size_t start, size_t ngroups,
                          int bit_width) {
    pq_tc_varint(out, (uint64_t)ngroups << 1 | 1);
    uint64_t acc = 0;
    int bits = 0;
    for (size_t i = start; i < start + ngroups * 8; i++) {
        uint64_t x = i < n ? v[i] : 0;
        acc |= x << bits;
        bits += bit_width;
        while (bits >= 8) {
            lake_buf_putc(out, (uint8_t)acc);
            acc >>= 8;
            bits -= 8;
        }
    }
}

void pq_rle_encode(const uint32_t *v, size_t n, int bit_width, lake_buf *out) {
    size_t i = 0, packed_start = 0, groups = 0;
    while (i < n) {
        size_t run = groups == MAX_GROUPS ? 0 : run_length(v, n, i);
        if (groups > 0 && (run >= 8 || groups == MAX_GROUPS)) {
            put_bitpacked(out, v, n, packed_start, groups, bit_width);
            groups = 0;
            continue;
        }
        if (run >= 8) {
            put_rle_run(out, run, v[i], bit_width);
            i += run;
            continue;
        }
        if (groups == 0)
            packed_start = i;
        groups++;
        i += 8;
    }
    if (groups > 0)
        put_bitpacked(out, v, n, packed_start, groups, bit_width);
}

void pq_rle_def_levels(const uint32_t *levels, size_t n, lake_buf *out) {
    size_t at = out->len;
    uint8_t len_le[4] = {0};
    lake_buf_append(out, len_le, 4);
    pq_rle_encode(levels, n, 1, out);
    size_t len = out->len - at - 4;
    for (int b = 0; b < 4; b++)
        out->data[at + b] = (uint8_t)(len >> (8 * b));
}
