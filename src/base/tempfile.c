/* Unnamed temporary files for data that does not fit in memory (songplays runs, Parquet pages). */
#include "base/tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lake_temp_fd(lake_error *err) {
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char *path = lake_xasprintf("%s/lake-tmp-XXXXXX", dir); /* no O_TMPFILE here */
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    else
        lake_error_set(err, LAKE_ERR_IO, "creating a temporary file in %s: %s", dir,
                       strerror(errno));
    free(path);
    return fd;
}
