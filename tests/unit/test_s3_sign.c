/* Pure parts of the S3 backend: URLs, hashing, AWS settings files, XML replies (the retry policy
 * is tested in test_s3_retry.c). */
#include "store/s3/s3_internal.h"
#include "unit.h"

#include <stdlib.h>

UNIT_TEST(s3_url_parse_forms) {
    s3_url u;
    lake_error err = {0};
    CHECK_EQ_INT(s3_url_parse("s3://bkt/song_data/A", &u, &err), LAKE_OK);
    CHECK_EQ_STR(u.bucket, "bkt");
    CHECK_EQ_STR(u.prefix, "song_data/A/");
    s3_url_free(&u);
    CHECK_EQ_INT(s3_url_parse("s3a://my.bucket-1/in/", &u, &err), LAKE_OK);
    CHECK_EQ_STR(u.bucket, "my.bucket-1");
    CHECK_EQ_STR(u.prefix, "in/");
    s3_url_free(&u);
    CHECK_EQ_INT(s3_url_parse("s3://bkt", &u, &err), LAKE_OK);
    CHECK_EQ_STR(u.prefix, "");
    s3_url_free(&u);
    CHECK_EQ_INT(s3_url_parse("s3://bkt/", &u, &err), LAKE_OK);
    CHECK_EQ_STR(u.prefix, "");
    s3_url_free(&u);
    CHECK_EQ_INT(s3_url_parse("s3:///x", &u, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "bucket") != NULL);
    CHECK_EQ_INT(s3_url_parse("s3://b?d/x", &u, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(s3_url_parse("gs://b/x", &u, &err), LAKE_ERR_INVALID_ARG);
}

UNIT_TEST(s3_uri_encode_sigv4_rules) {
    char *e = s3_uri_encode("a b/c~d_e.f-g+h=i&j%k/ü", true);
    CHECK_EQ_STR(e, "a%20b/c~d_e.f-g%2Bh%3Di%26j%25k/%C3%BC");
    free(e);
    e = s3_uri_encode("in/song_data/", false);
    CHECK_EQ_STR(e, "in%2Fsong_data%2F");
    free(e);
}

UNIT_TEST(s3_sha256_vectors) {
    uint8_t d[32];
    char hex[65];
    s3_sha256("", 0, d);
    s3_hex(d, 32, hex);
    CHECK_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    s3_sha256("abc", 3, d);
    s3_hex(d, 32, hex);
    CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
    s3_sha256(two, strlen(two), d);
    s3_hex(d, 32, hex);
    CHECK_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *mil = malloc(1000000);
    memset(mil, 'a', 1000000);
    s3_sha256(mil, 1000000, d);
    s3_hex(d, 32, hex);
    CHECK_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(mil);
    char *b = s3_base64((const uint8_t *)"foobar", 6);
    CHECK_EQ_STR(b, "Zm9vYmFy");
    free(b);
    b = s3_base64((const uint8_t *)"fooba", 5);
    CHECK_EQ_STR(b, "Zm9vYmE=");
    free(b);
    b = s3_base64((const uint8_t *)"f", 1);
    CHECK_EQ_STR(b, "Zg==");
    free(b);
}

static const char creds_file[] = "# comment\n"
                                 "[default]\n"
                                 "aws_access_key_id = AKDEFAULT\n"
                                 "aws_secret_access_key=SKDEFAULT\n"
                                 "\n"
                                 "[work]\r\n"
                                 "aws_access_key_id = AKWORK\r\n"
                                 "aws_secret_access_key = SKWORK\r\n"
                                 "aws_session_token = TOKWORK\r\n";

static const char config_file[] = "[default]\n"
                                  "region = eu-west-1\n"
                                  "[profile work]\n"
                                  "region=us-west-2\n"
                                  "s3 =\n"
                                  "  endpoint_url = http://nested.invalid\n"
                                  "endpoint_url = http://127.0.0.1:9000\n"
                                  "[profile   cfgonly]\n"
                                  "aws_access_key_id = AKCFG\n"
                                  "aws_secret_access_key = SKCFG\n";

UNIT_TEST(s3_ini_sections_and_keys) {
    char *v = s3_ini_get(creds_file, "work", "aws_session_token");
    CHECK_EQ_STR(v, "TOKWORK");
    free(v);
    v = s3_ini_get(creds_file, "default", "AWS_ACCESS_KEY_ID");
    CHECK_EQ_STR(v, "AKDEFAULT");
    free(v);
    CHECK(s3_ini_get(creds_file, "default", "aws_session_token") == NULL);
    CHECK(s3_ini_get(creds_file, "missing", "aws_access_key_id") == NULL);
    v = s3_ini_get(config_file, "profile work", "endpoint_url"); /* nested s3 block skipped */
    CHECK_EQ_STR(v, "http://127.0.0.1:9000");
    free(v);
    v = s3_ini_get(config_file, "profile cfgonly", "aws_access_key_id"); /* spaces collapsed */
    CHECK_EQ_STR(v, "AKCFG");
    free(v);
}

UNIT_TEST(s3_config_profiles) {
    lake_error err = {0};
    s3_config c = {0};
    CHECK_EQ_INT(s3_config_apply_files(&c, creds_file, config_file, "work", true, &err), LAKE_OK);
    CHECK_EQ_STR(c.access_key, "AKWORK");
    CHECK_EQ_STR(c.secret_key, "SKWORK");
    CHECK_EQ_STR(c.session_token, "TOKWORK");
    CHECK_EQ_STR(c.region, "us-west-2");
    CHECK_EQ_STR(c.endpoint, "http://127.0.0.1:9000");
    s3_config_free(&c);

    CHECK_EQ_INT(s3_config_apply_files(&c, creds_file, config_file, "default", false, &err),
                 LAKE_OK);
    CHECK_EQ_STR(c.access_key, "AKDEFAULT");
    CHECK(c.session_token == NULL);
    CHECK_EQ_STR(c.region, "eu-west-1");
    s3_config_free(&c);

    /* credentials only in the config file's [profile x] */
    CHECK_EQ_INT(s3_config_apply_files(&c, creds_file, config_file, "cfgonly", true, &err),
                 LAKE_OK);
    CHECK_EQ_STR(c.access_key, "AKCFG");
    CHECK_EQ_STR(c.secret_key, "SKCFG");
    s3_config_free(&c);

    /* values already set (environment) win over the files */
    c.access_key = lake_xstrdup("AKENV");
    c.secret_key = lake_xstrdup("SKENV");
    c.region = lake_xstrdup("ap-south-1");
    CHECK_EQ_INT(s3_config_apply_files(&c, creds_file, config_file, "work", true, &err), LAKE_OK);
    CHECK_EQ_STR(c.access_key, "AKENV");
    CHECK_EQ_STR(c.secret_key, "SKENV");
    CHECK(c.session_token == NULL);
    CHECK_EQ_STR(c.region, "ap-south-1");
    s3_config_free(&c);

    CHECK_EQ_INT(s3_config_apply_files(&c, creds_file, config_file, "nope", true, &err),
                 LAKE_ERR_AUTH);
    CHECK(strstr(err.msg, "'nope'") != NULL);
    s3_config_free(&c);
    CHECK_EQ_INT(s3_config_apply_files(&c, NULL, NULL, "default", false, &err), LAKE_OK);
    CHECK(c.access_key == NULL);
    s3_config_free(&c);
}

static const char list_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>bkt</Name><Prefix>in/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>"
    "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
    "<ContinuationToken>abc</ContinuationToken>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "<Contents><Key>in/a&amp;b &lt;c&gt;.json</Key><LastModified>2018-11-01T00:00:00.000Z"
    "</LastModified><ETag>&quot;d41d8&quot;</ETag><Size>1234</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Size>5</Size><Key>in/x.json</Key></Contents>"
    "<Contents><Key>in/big</Key><Size>17179869184</Size></Contents>"
    "<CommonPrefixes><Prefix>in/log_data/</Prefix></CommonPrefixes>"
    "<CommonPrefixes><Prefix>in/song_data/</Prefix></CommonPrefixes>"
    "</ListBucketResult>";

UNIT_TEST(s3_xml_list_page) {
    s3_list_page p;
    lake_error err = {0};
    CHECK_EQ_INT(s3_xml_list(list_xml, strlen(list_xml), &p, &err), LAKE_OK);
    CHECK_EQ_INT(p.objects.n, 3);
    if (p.objects.n == 3) {
        CHECK_EQ_STR(p.objects.items[0].key, "in/a&b <c>.json");
        CHECK_EQ_INT(p.objects.items[0].size, 1234);
        CHECK_EQ_STR(p.objects.items[1].key, "in/x.json"); /* Size before Key */
        CHECK_EQ_INT(p.objects.items[1].size, 5);
        CHECK_EQ_INT(p.objects.items[2].size, 17179869184ll);
    }
    CHECK_EQ_INT(p.n_prefixes, 2);
    if (p.n_prefixes == 2) {
        CHECK_EQ_STR(p.prefixes[0], "in/log_data/");
        CHECK_EQ_STR(p.prefixes[1], "in/song_data/");
    }
    CHECK(p.truncated);
    CHECK_EQ_STR(p.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    s3_list_page_free(&p);

    const char *last = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                       "<NextContinuationToken>stale</NextContinuationToken></ListBucketResult>";
    CHECK_EQ_INT(s3_xml_list(last, strlen(last), &p, &err), LAKE_OK);
    CHECK_EQ_INT(p.objects.n, 0);
    CHECK(p.next_token == NULL);
    s3_list_page_free(&p);

    const char *bad = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
    CHECK_EQ_INT(s3_xml_list(bad, strlen(bad), &p, &err), LAKE_ERR_PARSE);
    CHECK_EQ_INT(s3_xml_list("<ListBucketResult><Contents>", 28, &p, &err), LAKE_ERR_PARSE);
}

UNIT_TEST(s3_xml_error_bodies) {
    const char *body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
        "<Message>The specified bucket does not exist</Message>"
        "<BucketName>nobkt</BucketName><RequestId>4442587FB7D0A2F9</RequestId>"
        "</Error>";
    char *code, *msg;
    CHECK(s3_xml_error(body, strlen(body), &code, &msg));
    CHECK_EQ_STR(code, "NoSuchBucket");
    CHECK_EQ_STR(msg, "The specified bucket does not exist");
    free(code);
    free(msg);
    CHECK(!s3_xml_error("", 0, &code, &msg));
    CHECK(!s3_xml_error("<html>502 Bad Gateway</html>", 28, &code, &msg));
    CHECK(!s3_xml_error("not xml", 7, &code, &msg));

    const char *init = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                       "<UploadId>VXBsb2FkIElE&amp;x</UploadId></InitiateMultipartUploadResult>";
    char *id = s3_xml_upload_id(init, strlen(init));
    CHECK_EQ_STR(id, "VXBsb2FkIElE&x");
    free(id);

    const char *del_ok = "<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>";
    char *key;
    CHECK(!s3_xml_delete_errors(del_ok, strlen(del_ok), &key, &code, &msg));
    const char *del_bad = "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b&amp;c</Key>"
                          "<Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                          "<Error><Key>d</Key><Code>InternalError</Code></Error></DeleteResult>";
    CHECK(s3_xml_delete_errors(del_bad, strlen(del_bad), &key, &code, &msg));
    CHECK_EQ_STR(key, "b&c");
    CHECK_EQ_STR(code, "AccessDenied");
    CHECK_EQ_STR(msg, "Access Denied");
    free(key);
    free(code);
    free(msg);

    lake_buf b;
    lake_buf_init(&b);
    s3_xml_escape(&b, "a&b<c>\"d'");
    CHECK_EQ_MEM(b.data, b.len, "a&amp;b&lt;c&gt;&quot;d&apos;", 29);
    lake_buf_free(&b);
}
