/** @file
 * An output root that runs write tables into: what any command may do to it before writing. */
#ifndef LAKE_OUTPUT_H
#define LAKE_OUTPUT_H

#include "lake/common.h"
#include "lake/store.h"

/** Brings out to a state where every table comes from one committed run: takes the output's lock
 * (waiting up to wait_s seconds for a run that holds it), completes or undoes the commit a killed
 * run left, deletes what killed runs staged, and releases the lock. Every `lake run` does this
 * first. Returns LAKE_OK, LAKE_ERR_LOCKED naming the holder, or the store's error. */
lake_rc lake_output_recover(lake_store *out, double wait_s, lake_error *err);

#endif
