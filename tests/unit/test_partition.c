#include "engine/load/partition.h"
#include "unit.h"

#include <stdlib.h>

static void expect_dir(const char *value, size_t len, const char *want) {
    lake_buf b;
    lake_buf_init(&b);
    lake_partition_append(&b, "k", value, len);
    lake_buf_putc(&b, 0);
    CHECK_EQ_STR((const char *)b.data, want);
    lake_buf_free(&b);
}

UNIT_TEST(partition_plain_values_pass_through) {
    expect_dir("ARNF6401187FB57032", 18, "k=ARNF6401187FB57032/");
    expect_dir("1994", 4, "k=1994/");
    expect_dir("a b-c_d.e", 9, "k=a b-c_d.e/");
    expect_dir("caf\xc3\xa9", 5, "k=caf\xc3\xa9/"); /* non-ASCII UTF-8 is kept */
}

UNIT_TEST(partition_special_characters_escaped) {
    expect_dir("a/b", 3, "k=a%2Fb/");
    expect_dir("..", 2, "k=../");
    expect_dir("../x", 4, "k=..%2Fx/");
    expect_dir("\"#%'*/:=?\\{[]^", 14, "k=%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%5B%5D%5E/");
    expect_dir("\x01\x1f\x7f", 3, "k=%01%1F%7F/");
    expect_dir("a\0b", 3, "k=a%00b/");
    expect_dir("}|<> ~", 6, "k=}|<> ~/");
}

UNIT_TEST(partition_null_and_empty_default) {
    expect_dir(NULL, 0, "k=__HIVE_DEFAULT_PARTITION__/");
    expect_dir("", 0, "k=__HIVE_DEFAULT_PARTITION__/");
}
