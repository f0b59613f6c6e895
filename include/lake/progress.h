/** @file
 * Progress of a long command: counters the caller owns and hands to the command (for `lake run`,
 * lake_run_opts.progress), which the command's workers advance as they go, and which the caller
 * reads from another thread to show how far it got. The library only counts; it never prints.
 *
 * Updates are relaxed atomic additions, made once per object read or file written (never per
 * record), so a run with a sink costs what one without costs. Every function accepts a NULL
 * sink and then does nothing. */
#ifndef LAKE_PROGRESS_H
#define LAKE_PROGRESS_H

#include <stdatomic.h>
#include <stdint.h>

/** The counters of one running command. Zero it before the command starts (a static or
 * `= {0}` object is ready); read it with lake_progress_read. The counters of the stage restart
 * at zero when the next stage begins; files_written counts over the whole command. */
typedef struct {
    /** The running stage's name (a static string such as "songs" or "write"); NULL before the
     * first stage. */
    _Atomic(const char *) stage;
    _Atomic(uint64_t) objects_done;  /**< input objects read in the stage */
    _Atomic(uint64_t) objects_total; /**< input objects the stage reads; 0 when it reads none */
    _Atomic(uint64_t) bytes_done;    /**< bytes read (a read stage) or written (a write stage) */
    _Atomic(uint64_t) bytes_total;   /**< bytes the stage reads; 0 when not known in advance */
    _Atomic(uint64_t) rows_done;     /**< rows written in the stage */
    _Atomic(uint64_t) rows_total;    /**< rows the stage writes; 0 when it writes none */
    _Atomic(uint64_t) files_written; /**< data files written since the command started */
    _Atomic(unsigned) rank;          /**< this process's rank in its job (0 when alone) */
    _Atomic(unsigned) ranks;         /**< processes in the job; 0 until the command knows */
} lake_progress;

/** A plain copy of a lake_progress at one moment (lake_progress_read); fields as there. */
typedef struct {
    const char *stage;      /**< the running stage, or NULL before the first */
    uint64_t objects_done;  /**< input objects read in the stage */
    uint64_t objects_total; /**< of how many (0: the stage reads none) */
    uint64_t bytes_done;    /**< bytes read or written in the stage */
    uint64_t bytes_total;   /**< of how many (0: not known) */
    uint64_t rows_done;     /**< rows written in the stage */
    uint64_t rows_total;    /**< of how many (0: the stage writes none) */
    uint64_t files_written; /**< data files written since the command started */
    unsigned rank;          /**< this process's rank */
    unsigned ranks;         /**< processes in the job (0: not known yet) */
} lake_progress_view;

/** Starts the stage named stage (a string that outlives the command): its counters restart at
 * zero, then the name is published, so a reader that sees the name sees the zeroed counters. */
void lake_progress_stage(lake_progress *p, const char *stage);

/** Adds to what the running stage will do in all: objects and bytes to read, rows to write. */
void lake_progress_plan(lake_progress *p, uint64_t objects, uint64_t bytes, uint64_t rows);

/** Adds to what the running stage has done: objects and bytes read or written, rows written,
 * and data files written (also counted in files_written). */
void lake_progress_add(lake_progress *p, uint64_t objects, uint64_t bytes, uint64_t rows,
                       uint64_t files);

/** Says which process of how many this is (a cluster run's rank; 0 of 1 alone). */
void lake_progress_where(lake_progress *p, unsigned rank, unsigned ranks);

/** Copies p's counters into v (all zero, stage NULL, when p is NULL). Safe from any thread
 * while the command runs; the copy may mix values a few updates apart. */
void lake_progress_read(const lake_progress *p, lake_progress_view *v);

#endif
