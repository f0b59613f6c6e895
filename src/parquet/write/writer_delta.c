/* DELTA_BINARY_PACKED encoder (see writer_delta.h). All delta arithmetic is unsigned so that it
 * wraps as the spec requires instead of overflowing. */
#include "parquet/write/writer_delta.h"

#include "parquet/write/writer_thrift.h"

#define BLOCK 128
#define MINIBLOCKS 4
#define MINI (BLOCK / MINIBLOCKS)

/* Delta i of the sequence (v[i] - v[i-1]) as a signed number in the physical width. */
static int64_t delta_at(const int64_t *v, size_t i, int bits) {
    uint64_t d = (uint64_t)v[i] - (uint64_t)v[i - 1];
    return bits == 32 ? (int64_t)(int32_t)(uint32_t)d : (int64_t)d;
}

static int width_of(uint64_t x) {
    int w = 0;
    while (w < 64 && (x >> w))
        w++;
    return w;
}

/* Min delta of the block starting at delta index first (deltas first..first+cnt-1, i >= 1) and
 * the bit width of each of its miniblocks. */
static int64_t block_widths(const int64_t *v, size_t first, size_t cnt, int bits,
                            int widths[MINIBLOCKS]) {
    int64_t mn = delta_at(v, first, bits);
    for (size_t k = 1; k < cnt; k++) {
        int64_t d = delta_at(v, first + k, bits);
        if (d < mn)
            mn = d;
    }
    for (int m = 0; m < MINIBLOCKS; m++) {
        uint64_t mx = 0;
        for (size_t k = (size_t)m * MINI; k < cnt && k < (size_t)(m + 1) * MINI; k++) {
            uint64_t rel = (uint64_t)delta_at(v, first + k, bits) - (uint64_t)mn;
            if (rel > mx)
                mx = rel;
        }
        widths[m] = width_of(mx);
    }
    return mn;
}

static size_t varint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t header_len(const int64_t *v, size_t n) {
    return varint_len(BLOCK) + varint_len(MINIBLOCKS) + varint_len(n) +
           varint_len(pq_tc_zigzag(n ? v[0] : 0));
}

size_t pq_delta_size(const int64_t *v, size_t n, int bits) {
    size_t total = header_len(v, n);
    for (size_t first = 1; first < n; first += BLOCK) {
        size_t cnt = n - first < BLOCK ? n - first : BLOCK;
        int widths[MINIBLOCKS];
        int64_t mn = block_widths(v, first, cnt, bits, widths);
        total += varint_len(pq_tc_zigzag(mn)) + MINIBLOCKS;
        for (int m = 0; m < MINIBLOCKS && (size_t)m * MINI < cnt; m++)
            total += (size_t)widths[m] * MINI / 8;
    }
    return total;
}

/* Packs MINI values LSB first with width w (0..64); values past cnt are zero padding. */
static void pack_mini(lake_buf *out, const int64_t *v, size_t first, size_t cnt, int64_t mn,
                      int bits, int w) {
    uint64_t acc = 0; /* pending bits, LSB first */
    int have = 0;
    for (size_t k = 0; k < MINI; k++) {
        uint64_t x = k < cnt ? (uint64_t)delta_at(v, first + k, bits) - (uint64_t)mn : 0;
        int left = w;
        while (left > 0) {
            int take = 64 - have < left ? 64 - have : left;
            uint64_t part = take == 64 ? x : x & ((UINT64_C(1) << take) - 1);
            acc |= have == 64 ? 0 : part << have;
            have += take;
            x = take == 64 ? 0 : x >> take;
            left -= take;
            while (have >= 8) {
                lake_buf_putc(out, (uint8_t)acc);
                acc >>= 8;
                have -= 8;
            }
        }
    }
}

void pq_delta_encode(const int64_t *v, size_t n, int bits, lake_buf *out) {
    pq_tc_varint(out, BLOCK);
    pq_tc_varint(out, MINIBLOCKS);
    pq_tc_varint(out, n);
    pq_tc_varint(out, pq_tc_zigzag(n ? v[0] : 0));
    for (size_t first = 1; first < n; first += BLOCK) {
        size_t cnt = n - first < BLOCK ? n - first : BLOCK;
        int widths[MINIBLOCKS];
        int64_t mn = block_widths(v, first, cnt, bits, widths);
        pq_tc_varint(out, pq_tc_zigzag(mn));
        for (int m = 0; m < MINIBLOCKS; m++)
            lake_buf_putc(out, (uint8_t)((size_t)m * MINI < cnt ? widths[m] : 0));
        for (int m = 0; m < MINIBLOCKS && (size_t)m * MINI < cnt; m++) {
            size_t mfirst = (size_t)m * MINI;
            pack_mini(out, v, first + mfirst, cnt - mfirst, mn, bits, widths[m]);
        }
    }
}
