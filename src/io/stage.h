/*
 * stage.h - results folders that are whole or absent. Every command that
 * writes a results folder writes it in a staging folder beside the target,
 * <parent>/.<name>.partial, and publishes it with one rename once every
 * file is written and synced: a reader (or a later run) sees the target
 * complete, or not at all, whatever moment the writer is killed.
 *
 * A staging folder holds a lock (.lock, flock'd for the life of its writer,
 * so it is released by the kernel when the writer dies, kill -9 included)
 * naming its process and its kind: a run without checkpoints leaves nothing
 * worth keeping when it dies (STAGE_ONCE: removed by the next command that
 * looks), a run with checkpoints or an experiment leaves work to go on with
 * (STAGE_RESUMABLE: kept for `scoresim resume` or the same command).
 */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>

#include "core/error.h"
#include "scenario/params.h" /* MAX_PATH */

#define STAGE_SUFFIX ".partial"
/* What a published folder holds last: its manifest (the kind, the version,
 * and every file with its size), and the mark of a folder scoresim wrote
 * whole, that --force may replace. */
#define STAGE_MANIFEST ".scoresim"

enum stage_kind { STAGE_ONCE = 1, STAGE_RESUMABLE = 2 };

/* What stage_probe finds beside a target. */
enum stage_state {
    STAGE_NONE,        /* no staging folder */
    STAGE_BUSY,        /* one a live process is writing */
    STAGE_STALE,       /* one a dead process left with nothing to go on with */
    STAGE_INTERRUPTED, /* one a dead process left that can be resumed */
    STAGE_FOREIGN      /* a folder of that name scoresim did not make (no lock) */
};

struct stage {
    char target[MAX_PATH]; /* where the results go */
    char dir[MAX_PATH];    /* where they are written until published */
    int fd;                /* the lock, held; -1 when none */
    int kind;              /* enum stage_kind */
    int adopted;           /* 1: the published target was taken back to extend */
};

/* The staging folder of target into buf: SS_EINPUT if target names no
 * folder that can be created and renamed ("", ".", "..", "/"). */
int stage_path(const char *target, char *buf, size_t size, struct ss_error *err);

/* What is beside target (enum stage_state), and the writer's pid if
 * known (0 if not). */
int stage_probe(const char *target, long *pid);

/* Whether target may receive a published folder: absent, an empty folder,
 * or (with replace) a folder of scoresim's own results. SS_EINPUT with
 * the reason otherwise (a file, a folder of other files). */
int stage_target_ok(const char *target, int replace, struct ss_error *err);

/* Open target's staging folder, locked, for a writer of kind. fresh:
 * start empty (what a dead process left there goes; a live one's is
 * refused). Not fresh: go on with an interrupted one, or if there is none
 * and target holds results, take the published folder back (one rename)
 * to extend it. Staging folders of dead processes beside target with
 * nothing to resume are removed first. */
int stage_open(struct stage *s, const char *target, int kind, int fresh, struct ss_error *err);

/* Write the manifest, sync, and rename the staging folder to the target;
 * with replace, a target of scoresim's own results is swapped out and
 * removed. The stage is closed on success and on failure (then its folder
 * stays, as a killed writer's would, for the next command to clean). */
int stage_publish(struct stage *s, int replace, struct ss_error *err);

/* Close without publishing: discard removes the staging folder, keep
 * leaves it (an interrupted resumable run) and releases the lock. Both
 * accept a stage never opened (zeroed, or fd -1). */
void stage_discard(struct stage *s);
void stage_keep(struct stage *s);
/* Close a stage whose folder was adopted (stage_open, not fresh) and then
 * found not to be the caller's to extend: it goes back to the target as
 * it was. Otherwise as stage_keep. */
void stage_give_back(struct stage *s);

/* Remove a folder and everything in it (not following links); 0 or the
 * errno of the first failure. A path that is not there is fine. */
int stage_remove_tree(const char *path);

#endif
