/* Input listing: which objects under a prefix are JSON input. Names starting with '_' or '.' at
 * any level below the prefix are not input (Spark's and Hadoop's FileInputFormat rule): they are
 * a writer's control files and staging (_SUCCESS, _temporary/, _rejected/), checksums (.crc) and
 * editors' or tools' hidden files, and an output kept under the input root must never be read
 * back as data. The store skips them while listing (a local walk does not enter them). */
#include "engine/ingest/scan.h"

#include <stdlib.h>
#include <string.h>

static bool is_json_object(const char *key) {
    return lake_ends_with(key, ".json") || lake_ends_with(key, ".json.gz") ||
           lake_ends_with(key, ".json.zst");
}

lake_rc eng_list_input(lake_store *in, const char *prefix, bool read_small, eng_input *out,
                       lake_error *err) {
    lake_obj_list all = {0};
    char *slash = lake_xasprintf("%s/", prefix);
    memset(out, 0, sizeof *out);
    out->prefix = prefix;
    lake_rc rc = lake_store_list_read(in, slash, read_small ? ENG_LIST_READ_MAX : 0,
                                      read_small ? ENG_LIST_READ_BUDGET : 0, LAKE_LIST_SKIP_HIDDEN,
                                      &all, err);
    if (rc) {
        lake_error_prefix(err, "listing %s/%s: ", lake_store_url(in), slash);
        goto out;
    }
    /* The listing is sorted; filtering keeps that order. Other files (README, .txt) are not
     * data and are skipped (with the bytes a local listing read of them). */
    for (size_t i = 0; i < all.n; i++)
        if (is_json_object(all.items[i].key))
            lake_obj_list_take(&out->objs, &all.items[i]);
out:
    lake_obj_list_free(&all);
    free(slash);
    return rc;
}
