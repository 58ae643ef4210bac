/*
 * sim.h - the simulation object. One struct sim holds everything a run
 * owns (parameters, allocation hook, population, networks, metrics, output)
 * and is passed first to every call; there is no global mutable state.
 * The public calls are in scoresim.h.
 */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>
#include <time.h>

#include "core/mem.h"
#include "model/behaviour.h"
#include "engine/exposure.h"
#include "engine/metrics.h"
#include "world/network.h"
#include "io/output.h"
#include "scenario/params.h"
#include "world/population.h"
#include "scoresim.h"
#include "world/state.h"

struct sim {
    const struct scenario *scn; /* not owned; outlives the sim */
    const struct params *p;     /* scn's parameters */
    struct mem mem;             /* every allocation of this run */
    struct sim_options opt;     /* as given to sim_create */
    int threads;                /* OpenMP threads in use */
    char out_dir[MAX_PATH];     /* results folder */
    struct population pop;      /* agents */
    struct network net;         /* layers */
    int64_t *contacts;          /* [n_groups + 1][n_layers] tie ends active today */
    struct state st;            /* what changes day by day */
    struct exposure xp;         /* kept contact counts (the fast step), or disabled */
    struct beh_block *blk;      /* [threads] per-thread draws of one block of agents */
    struct day_counts counts;   /* today's tallies, per group */
    struct beh_trigger trig;    /* who an exogenous trigger sets protesting today */
    struct metrics met;         /* today's figures */
    struct output out;          /* results files */
    int day;                    /* last day simulated; 0 before the first */
    time_t started;             /* wall clock at sim_create */
    time_t finished;            /* wall clock at the end of sim_run */
    double build_seconds;       /* population and network build */
    double run_seconds;         /* the day loop, measurements and output */
    double wall_seconds;        /* build + run */
    size_t estimate_bytes;      /* sim_estimate_bytes at create */
};

/* Simulate one day (sim->day + 1): meet, act, observe and score (per
 * agent), caps, the list and sanctions (per household), ostracism. The
 * fast step keeps contact counts (exposure.h); sim_options.reference
 * selects the plain step that rescans; both give the same bits. */
int sim_step(struct sim *sim, struct ss_error *err);
/* Peak resident memory of this process so far, in bytes. */
size_t sim_peak_rss(void);
/* Monotonic seconds. */
double sim_now(void);

#endif
