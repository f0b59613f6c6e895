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

/* A value whose directory name would pass NAME_MAX is refused with a reason (issue 18, defect 7:
 * a 5,000-byte artist_id failed the whole run with "File name too long"). */
UNIT_TEST(partition_value_too_long_for_a_directory) {
    char why[256] = "";
    char v[5001];
    memset(v, 'A', sizeof v);
    /* "artist_id=" is 10 bytes: 245 plain bytes fit exactly, 246 do not */
    CHECK(lake_partition_value_ok("artist_id", v, 245, why, sizeof why));
    CHECK_EQ_INT(lake_partition_name_len("artist_id", v, 245), 255);
    CHECK(!lake_partition_value_ok("artist_id", v, 246, why, sizeof why));
    CHECK(strstr(why, "field 'artist_id'") != NULL);
    CHECK(strstr(why, "246 bytes") != NULL);
    CHECK(strstr(why, "256 bytes escaped") != NULL);
    CHECK(strstr(why, "255") != NULL);
    CHECK(!lake_partition_value_ok("artist_id", v, 5000, why, sizeof why));
    CHECK(strstr(why, "5000 bytes") != NULL);
    /* escaping counts: 81 '/' (243 bytes escaped) fit, 82 (246) do not */
    memset(v, '/', 90);
    CHECK(lake_partition_value_ok("artist_id", v, 81, why, sizeof why));
    CHECK_EQ_INT(lake_partition_name_len("artist_id", v, 81), 10 + 243);
    CHECK(!lake_partition_value_ok("artist_id", v, 82, why, sizeof why));
    /* the name counts as well; the lengths agree with what lake_partition_append writes */
    lake_buf b;
    lake_buf_init(&b);
    lake_partition_append(&b, "artist_id", v, 82);
    CHECK_EQ_INT(b.len - 1, lake_partition_name_len("artist_id", v, 82));
    lake_buf_free(&b);
    CHECK_EQ_INT(lake_partition_name_len("year", NULL, 0), 5 + strlen(LAKE_HIVE_DEFAULT_PARTITION));
    CHECK(lake_partition_value_ok("year", NULL, 0, why, sizeof why));
    CHECK(lake_partition_value_ok("year", "-2147483648", 11, why, sizeof why));
}
