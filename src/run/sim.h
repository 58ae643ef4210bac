/*
 * sim.h - one run: the driver on top of the layers. struct sim (opaque in
 * the public header) holds a world (world/world.h: what a checkpoint
 * holds), an engine (engine/engine.h: what can be rebuilt from the world),
 * the measurement's workspace, and the run itself: options, the output,
 * timings. sim_run is the loop: step, measure, write.
 *
 * Nothing below this layer includes this header: the model's phases see
 * the world and the arrays they write, never the run.
 */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <time.h>

#include "core/mem.h"
#include "engine/engine.h"
#include "engine/metrics.h"
#include "io/output.h"
#include "io/stage.h"
#include "scoresim.h"
#include "world/world.h"

/* What belongs to the run, not to the simulation's state. */
struct run {
    struct sim_options opt;   /* as given to sim_create */
    int resumed;              /* sim_resume: the output is open, the days so far written */
    int fork_day;             /* sim_fork: the day it branched at; -1 for a plain run */
    char fork_from[MAX_PATH]; /* sim_fork: the checkpoint it branched from */
    int threads;              /* team size of every parallel region of this run */
    char out_dir[MAX_PATH];   /* results folder, once published */
    struct stage stage;       /* where its files are written until then (io/stage.h) */
    struct output out;        /* results files, open during sim_run */
    time_t started;           /* wall clock at sim_create */
    time_t finished;          /* wall clock at the end of the day loop */
    double build_seconds;     /* world and engine build */
    double run_seconds;       /* the day loop, measurements and output */
    double wall_seconds;      /* build + run */
    size_t estimate_bytes;    /* sim_estimate_bytes at create */
    int warnings;             /* warnings found so far (opt.warn saw the first
                                 SIM_MAX_WARNINGS) */
};

struct sim {
    const struct scenario *scn; /* not owned (but see own_scn); outlives the sim */
    struct scenario *own_scn;   /* sim_resume: the scenario read from the checkpoint (owned) */
    struct mem mem;             /* every allocation of this run */
    struct world world;         /* the state of the simulation */
    struct engine eng;          /* kept counts, scratch, today's tallies */
    struct metrics met;         /* today's measured rows */
    struct run run;             /* options, output, timings */
};

/* Set up the run of scenario s (options, threads, results folder, the
 * memory check) in a zeroed sim. */
int sim_setup(struct sim *sim, const struct scenario *s, const struct sim_options *o,
              struct ss_error *err);
/* Build the world, the engine and the measurement: at day 0 (the model
 * started), or, with ckpt, as the checkpoint file left them. */
int sim_build(struct sim *sim, const char *ckpt, struct ss_error *err);
/* The static rows the output starts with (groups, layers). */
void sim_static_rows(const struct sim *sim, struct out_group *groups, struct out_layer *layers);
/* The schedule table's rows: each change of the scenario's schedule that
 * starts on or before the last day (a run shortened by --days leaves out
 * the later ones), in day order, its values as the scenario writes them.
 * *rows is one allocation through sim->mem that the caller frees with
 * mem_free (NULL, and *n_rows 0, without a schedule). */
int sim_schedule_rows(struct sim *sim, struct out_change **rows, uint32_t *n_rows,
                      struct ss_error *err);
/* Write a checkpoint of the day just written (restore.c): commit the
 * output, write the world, keep the last two. */
int sim_checkpoint(struct sim *sim, struct ss_error *err);
/* The path of the checkpoint of `day` in the results folder dir. */
void sim_checkpoint_path(char *buf, size_t size, const char *dir, int day);
/* Remove the checkpoints in dir (those of a run a new one replaces). */
void sim_clear_checkpoints(const char *dir);
/* Copy the days through the fork from the checkpoint's run into the
 * output just opened (restore.c). */
int sim_copy_base(struct sim *sim, struct ss_error *err);

/* Simulate one day (eng_step on the sim's world). */
int sim_step(struct sim *sim, struct ss_error *err);
/* Measure the world as it is now into sim->met (met_measure). */
int sim_measure(struct sim *sim, struct ss_error *err);

#endif
