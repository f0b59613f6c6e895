/* Run ids: version 4 UUIDs in the canonical text form, a new one each call. */
#include "base/uuid.h"
#include "unit.h"

#include <ctype.h>

UNIT_TEST(uuid_v4_form_and_freshness) {
    char a[37], b[37];
    lake_uuid_v4(a);
    lake_uuid_v4(b);
    CHECK_EQ_INT(strlen(a), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            CHECK_EQ_INT(a[i], '-');
        else
            CHECK(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
    }
    CHECK_EQ_INT(a[14], '4');
    CHECK(strchr("89ab", a[19]) != NULL);
    CHECK(strcmp(a, b) != 0);
}
