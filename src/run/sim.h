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
#include "scoresim.h"
#include "world/world.h"

/* What belongs to the run, not to the simulation's state. */
struct run {
    struct sim_options opt; /* as given to sim_create */
    int threads;            /* team size of every parallel region of this run */
    char out_dir[MAX_PATH]; /* results folder */
    struct output out;      /* results files, open during sim_run */
    time_t started;         /* wall clock at sim_create */
    time_t finished;        /* wall clock at the end of the day loop */
    double build_seconds;   /* world and engine build */
    double run_seconds;     /* the day loop, measurements and output */
    double wall_seconds;    /* build + run */
    size_t estimate_bytes;  /* sim_estimate_bytes at create */
};

struct sim {
    const struct scenario *scn; /* not owned; outlives the sim */
    struct mem mem;             /* every allocation of this run */
    struct world world;         /* the state of the simulation */
    struct engine eng;          /* kept counts, scratch, today's tallies */
    struct metrics met;         /* today's measured rows */
    struct run run;             /* options, output, timings */
};

/* Simulate one day (eng_step on the sim's world). */
int sim_step(struct sim *sim, struct ss_error *err);
/* Measure the world as it is now into sim->met (met_measure). */
int sim_measure(struct sim *sim, struct ss_error *err);

#endif
