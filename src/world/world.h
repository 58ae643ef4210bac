/*
 * world.h - the state of a simulation: everything a checkpoint must hold
 * and an MPI rank would partition. The parameters (borrowed from the
 * scenario), the population, the networks (ostracism cuts ties during a
 * run), every agent's dynamic state, the model's cumulative counters, and
 * the last day simulated.
 *
 * Everything else a run holds can be rebuilt from the world: the engine's
 * kept counts and scratch (engine/engine.h), the measurement's workspace
 * (engine/metrics.h), the output files and timings (run/sim.h). The model's
 * phases (model/) read the world through a const pointer and write only
 * the arrays their signatures name.
 */
#ifndef WORLD_H
#define WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "scenario/params.h"
#include "scoresim.h"
#include "world/network.h"
#include "world/population.h"
#include "world/state.h"

/* Cumulative counters of one group (or of all agents), from day 1 through
 * the last day simulated. They cannot be recomputed from the state, so a
 * checkpoint holds them. */
struct world_totals {
    int64_t sanctions;               /* sanctions applied, every kind */
    int64_t wrongful_sanctions;      /* ... on agents never scored for a real negative act */
    int64_t cross_context_sanctions; /* ... caused by another domain's points */
    int64_t flights_refused;         /* flight bookings refused (travel ban) */
    int64_t rail_refused;            /* rail bookings refused (travel ban) */
    int64_t list_exits;              /* exits from the list, every cause */
    int64_t settlements;             /* settlements of unpaid judgments */
};

struct world {
    const struct params *base;                  /* the scenario's parameters (not owned) */
    struct params params;                       /* those in force on `day`: base with its
                                                   schedule applied (sched_params_at) */
    const struct params *p;                     /* &params: what every phase reads */
    struct population pop;                      /* who the agents are (fixed) */
    struct network net;                         /* the layers; cut ties are marked in place */
    struct state st;                            /* what changes, per agent */
    struct world_totals totals[MAX_GROUPS + 1]; /* per group, then all agents at [n_groups] */
    int day;                                    /* last day simulated; 0 before the first */
};

/* Build the world of p (finished: scn_finish) at day 0 into w (which must
 * be zeroed and must not move afterwards: w->p points into it): the
 * population, the networks (edge list paths relative to base_dir) and the
 * agents' initial state; threads is the team size of every parallel region
 * (the world is the same for every count). What the model draws at the
 * start (which channels watch whom, the first caps) is eng_start's. On
 * failure w is safe to world_free. */
int world_build(struct world *w, const struct params *p, const char *base_dir, int threads,
                struct mem *m, struct ss_error *err);
/* Free what world_build allocated; accepts a zeroed or partly built world. */
void world_free(struct world *w, struct mem *m);
/* Bytes world_build will hold, and the extra peak while building. */
size_t world_estimate_bytes(const struct params *p, const char *base_dir);

#endif
