/* Unnamed temporary files for spilling. */
#ifndef LAKE_TEMPFILE_H
#define LAKE_TEMPFILE_H

#include "lake/common.h"

/* Opens an unnamed temporary file in $TMPDIR (else /tmp), removed when closed (O_TMPFILE, or a
 * file unlinked at once where the file system has no O_TMPFILE), so a killed run leaves nothing.
 * Returns the descriptor, or -1 with err naming the directory. */
int lake_temp_fd(lake_error *err);

#endif
