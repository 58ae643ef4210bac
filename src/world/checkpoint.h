/*
 * checkpoint.h - a world on disk: everything a run needs to go on from the
 * end of a day, bit for bit (world.h says what that is), in one versioned
 * file with a checksum.
 *
 * What a checkpoint holds: a header (format version, scoresim version, the
 * effective scenario's text and folder, the day, the sizes), every array of
 * the agents' state, the group caps, the cumulative totals, the ties
 * ostracism has cut (the networks themselves are built again from the
 * scenario, which gives the same ties), and what the run's output had
 * written (its byte count), then a CRC-32 (zlib) of all of it. What it does
 * not hold can be rebuilt: the population and the uncut networks (from the
 * scenario and seed), the parameters in force (from the schedule and the
 * day), the engine (engine.h).
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "core/mem.h"
#include "scoresim.h"
#include "world/world.h"

/* Bumped whenever the layout changes: an older or newer file is refused. */
#define CKPT_FORMAT 1

/* What a checkpoint says about itself and the run it came from. */
struct ckpt_meta {
    uint32_t format;    /* CKPT_FORMAT of the writer */
    char version[32];   /* SS_VERSION of the writer */
    int32_t day;        /* the last day simulated */
    uint64_t seed;      /* the scenario's seed */
    uint32_t agents;    /* population size */
    int32_t every;      /* the run's days between checkpoints */
    char *scenario;     /* the effective scenario as YAML (owned; ckpt_meta_free) */
    char dir[MAX_PATH]; /* the scenario's folder (edge list paths are relative to it) */
};

/* Write w (at the end of its day w->day) to path: the whole file is written,
 * synced, and only then renamed from path's temporary name (path + ".tmp"),
 * so a kill at any moment leaves either the old file set or the new one.
 * scenario and dir describe the run; every its days
 * between checkpoints (a resumed run keeps them). Returns SS_OK or
 * SS_EIO naming the file. */
int ckpt_write(const struct world *w, const char *path, const char *scenario, const char *dir,
               int32_t every, struct ss_error *err);

/* Read the header of the checkpoint at path into meta (checksum checked:
 * the whole file is read). SS_EINPUT with the reason for a file that is
 * not a checkpoint, truncated, corrupt, or of another format or version. */
int ckpt_read_meta(const char *path, struct ckpt_meta *meta, struct mem *m, struct ss_error *err);

/* Restore the state of the checkpoint at path into w, which world_build
 * made from the same scenario (its population and uncut networks): the
 * agents' arrays, the caps, the totals, the cut ties and the day. The
 * parameters in force are the caller's to recompute (sched_params_at).
 * SS_EINPUT if the file does not fit w (another population or network). */
int ckpt_restore(const char *path, struct world *w, struct ss_error *err);

/* ckpt_read_meta and ckpt_restore of the checkpoint open in f (read from
 * where it stands; any stream, a file's or fmemopen's), named path in
 * messages. Each closes f. The path versions open path
 * (file_open_regular: a regular file only) and call these. */
int ckpt_read_meta_file(FILE *f, const char *path, struct ckpt_meta *meta, struct mem *m,
                        struct ss_error *err);
int ckpt_restore_file(FILE *f, const char *path, struct world *w, struct ss_error *err);

void ckpt_meta_free(struct ckpt_meta *meta, struct mem *m);

#endif
