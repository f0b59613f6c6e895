/* Thrift compact encoder against byte strings worked out by hand from the compact protocol spec. */
#include "unit.h"

#include "parquet/write/writer_thrift.h"

#include <stdint.h>

static lake_buf buf;
static pq_tc w;

static void fresh(void) {
    lake_buf_free(&buf);
    pq_tc_init(&w, &buf);
}

#define CHECK_BYTES(...)                                                                           \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        CHECK_EQ_MEM(buf.data, buf.len, want_, sizeof want_);                                      \
    } while (0)

UNIT_TEST(thrift_varint) {
    fresh();
    pq_tc_varint(&buf, 0);
    pq_tc_varint(&buf, 1);
    pq_tc_varint(&buf, 127);
    pq_tc_varint(&buf, 128);
    pq_tc_varint(&buf, 300);
    CHECK_BYTES(0x00, 0x01, 0x7f, 0x80, 0x01, 0xac, 0x02);
    fresh();
    pq_tc_varint(&buf, UINT64_MAX);
    CHECK_BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    lake_buf_free(&buf);
}

UNIT_TEST(thrift_zigzag) {
    CHECK_EQ_INT(pq_tc_zigzag(0), 0);
    CHECK_EQ_INT(pq_tc_zigzag(-1), 1);
    CHECK_EQ_INT(pq_tc_zigzag(1), 2);
    CHECK_EQ_INT(pq_tc_zigzag(-2), 3);
    CHECK_EQ_INT(pq_tc_zigzag(INT32_MAX), 4294967294LL);
    CHECK_EQ_INT(pq_tc_zigzag(INT32_MIN), 4294967295LL);
    CHECK(pq_tc_zigzag(INT64_MAX) == UINT64_MAX - 1);
    CHECK(pq_tc_zigzag(INT64_MIN) == UINT64_MAX);
}

UNIT_TEST(thrift_scalar_fields) {
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 1, 5);           /* delta 1, type 5: 0x15, zigzag 10 */
    pq_tc_field_i64(&w, 2, -1);          /* delta 1, type 6: 0x16, zigzag 1 */
    pq_tc_field_i32(&w, 20, 7);          /* delta 18 > 15: long form 0x05, id zigzag 40 */
    pq_tc_field_bool(&w, 21, 1);         /* value in the type nibble: 0x11 */
    pq_tc_field_bool(&w, 22, 0);         /* 0x12 */
    pq_tc_field_binary(&w, 23, "ab", 2); /* 0x18, length 2 */
    pq_tc_field_i16(&w, 24, -300);       /* 0x14, zigzag 599 = 0xd7 0x04 */
    pq_tc_field_i64(&w, 25, 1LL << 40);  /* zigzag 2^41 */
    pq_tc_struct_end(&w);
    CHECK_BYTES(0x15, 0x0a, 0x16, 0x01, 0x05, 0x28, 0x0e, 0x11, 0x12, 0x18, 0x02, 'a', 'b', 0x14,
                0xd7, 0x04, 0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00);
    CHECK_EQ_INT(w.depth, 0);
    lake_buf_free(&buf);
}

UNIT_TEST(thrift_field_id_backwards_and_zero_delta) {
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 3, 1);   /* 0x35 0x02 */
    pq_tc_field_i32(&w, 1, 1);   /* backwards: 0x05, zigzag(1) = 2, value 0x02 */
    pq_tc_field_i32(&w, 16, 0);  /* delta 15 still short: 0xf5 */
    pq_tc_field_i32(&w, 300, 0); /* long form, zigzag(300) = 600 = 0xd8 0x04 */
    pq_tc_struct_end(&w);
    CHECK_BYTES(0x35, 0x02, 0x05, 0x02, 0x02, 0xf5, 0x00, 0x05, 0xd8, 0x04, 0x00, 0x00);
    lake_buf_free(&buf);
}

UNIT_TEST(thrift_nested_structs) {
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_struct(&w, 1);       /* 0x1c */
    pq_tc_field_i32(&w, 1, 1);       /* inner ids restart: 0x15 0x02 */
    pq_tc_field_empty_struct(&w, 4); /* 0x3c 0x00 */
    pq_tc_struct_end(&w);            /* 0x00 */
    pq_tc_field_i32(&w, 2, 3);       /* outer resumes after id 1: 0x15 0x06 */
    pq_tc_field_string(&w, 18, "x"); /* delta 16: long form 0x08 0x24 */
    pq_tc_struct_end(&w);
    CHECK_BYTES(0x1c, 0x15, 0x02, 0x3c, 0x00, 0x00, 0x15, 0x06, 0x08, 0x24, 0x01, 'x', 0x00);
    lake_buf_free(&buf);
}

UNIT_TEST(thrift_lists) {
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_list(&w, 1, PQ_TC_I32, 3); /* 0x19, size 3 << 4 | 5 */
    pq_tc_elem_i32(&w, 1);
    pq_tc_elem_i32(&w, -1);
    pq_tc_elem_i32(&w, 64);                   /* zigzag 128: 0x80 0x01 */
    pq_tc_field_list(&w, 2, PQ_TC_STRUCT, 2); /* 0x19 0x2c */
    for (int i = 0; i < 2; i++) {
        pq_tc_struct_begin(&w);
        pq_tc_field_i32(&w, 2, i); /* 0x25, 0 or 2 */
        pq_tc_struct_end(&w);
    }
    pq_tc_field_list(&w, 3, PQ_TC_BINARY, 0); /* 0x19 0x08 */
    pq_tc_struct_end(&w);
    CHECK_BYTES(0x19, 0x35, 0x02, 0x01, 0x80, 0x01, 0x19, 0x2c, 0x25, 0x00, 0x00, 0x25, 0x02, 0x00,
                0x19, 0x08, 0x00);
    lake_buf_free(&buf);
}

UNIT_TEST(thrift_long_list) {
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_list(&w, 1, PQ_TC_BINARY, 15); /* size >= 15: 0xf8 then varint 15 */
    for (int i = 0; i < 15; i++)
        pq_tc_elem_string(&w, "");
    pq_tc_struct_end(&w);
    CHECK_EQ_INT(buf.len, 3 + 15 + 1);
    CHECK_EQ_INT(buf.data[0], 0x19);
    CHECK_EQ_INT(buf.data[1], 0xf8);
    CHECK_EQ_INT(buf.data[2], 15);
    fresh();
    pq_tc_struct_begin(&w);
    pq_tc_field_list(&w, 1, PQ_TC_I64, 14); /* 14 still fits the nibble: 0xe6 */
    for (int i = 0; i < 14; i++)
        pq_tc_elem_i64(&w, 0);
    pq_tc_struct_end(&w);
    CHECK_EQ_INT(buf.len, 2 + 14 + 1);
    CHECK_EQ_INT(buf.data[1], 0xe6);
    lake_buf_free(&buf);
}
