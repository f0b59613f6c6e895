/* Who reads what: rank 0's listing goes to every rank, and each rank takes a contiguous share of
 * it, so every object (and record) keeps its position in the one listing. Uses cluster/comm.h
 * and store (object lists). */
#ifndef LAKE_SHARE_H
#define LAKE_SHARE_H

#include "cluster/comm.h"
#include "lake/store.h"

/* Rank 0's objs (keys and sizes) replace every other rank's. */
void cl_share_listing(cl_comm *c, lake_obj_list *objs);

/* This rank's share of objs, [*lo, *hi): contiguous ranges in listing order, cut where the
 * weight before an object reaches rank/size of the total (by count when every weight is 0), so
 * each rank has about the same work. An object weighs weigh(object), or its size when weigh is
 * NULL. Frees the bytes a listing read of objects outside the share. */
void cl_share_range(const cl_comm *c, lake_obj_list *objs, uint64_t (*weigh)(const lake_obj *),
                    size_t *lo, size_t *hi);

#endif
