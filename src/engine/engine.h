/*
 * engine.h - what runs the model's day over a world, and everything it
 * keeps that can be rebuilt from the world: the kept contact counts of the
 * fast step, per-thread scratch, today's triggered agents, today's acts
 * and tallies. A checkpoint need not hold any of it (world.h holds the
 * rest).
 *
 * The day step (eng_step, step.c) is a pipeline of phases, one call each:
 * meet (exposure.c), act, observe and score (model/behaviour.c,
 * model/surveillance.c, model/scoring.c, per agent), the caps, list,
 * sanction and reward (model/sanctions.c, per household), push what
 * changed to the contacts' counts, ostracism. Every phase reads what the
 * previous one finished, every random draw is keyed by (seed, agent,
 * block, tie or cell, day, stream), and every sum is of integers or over
 * fixed blocks, so a day gives the same bits with any number of threads.
 *
 * Two steps share every rule: the fast one reads kept contact counts and
 * fuses the caps' sums into the agent pass; the reference one (asked for
 * at eng_create, or forced by a degree the counts cannot hold) recounts by
 * scanning every tie of every agent, as the model reads. The tests run
 * both and compare bits.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "engine/exposure.h"
#include "model/behaviour.h"
#include "model/surveillance.h"
#include "model/tally.h"
#include "scoresim.h"
#include "world/world.h"

/* One thread's draws for the block of agents it is on. */
struct eng_scratch {
    struct beh_block beh;   /* candidates for rare acts */
    struct surv_block surv; /* candidates for false attributions */
};

struct engine {
    int threads;              /* team size of every parallel region of the step */
    uint32_t n_blocks;        /* blocks of STATE_BLOCK agents */
    struct exposure xp;       /* kept contact counts; xp.enabled: the fast step */
    struct beh_trigger trig;  /* who an exogenous trigger sets protesting today */
    struct eng_scratch *draw; /* [threads] */
    uint16_t *acts;           /* [n] AC_* bits of today: what each agent did */
    uint16_t *met_listed;     /* [n] fast step: today's meetings with listed contacts */
    uint8_t *status_before;   /* [n] fast step: status before today's household pass */
    double *cap_part;         /* [n_blocks][SCORE_CAP_PART] block sums for the caps */
    struct day_counts counts; /* today's tallies, per group */
    int64_t *contacts;        /* [n_groups + 1][n_layers] tie ends active today */
    int team;                 /* threads the last agent pass really ran on */
};

/* Set up the engine for w (which it reads, never keeps a pointer to):
 * threads per parallel region (>= 1); reference asks for the plain step.
 * On failure e is safe to eng_free. */
int eng_create(struct engine *e, const struct world *w, int threads, int reference, struct mem *m,
               struct ss_error *err);
void eng_free(struct engine *e, struct mem *m);
/* Bytes eng_create will hold. */
size_t eng_estimate_bytes(const struct params *p);

/* What the model draws at the start of a run (day 0), into w: which
 * channels watch whom, and the first group caps. A world restored from a
 * checkpoint has them already. */
void eng_start(struct engine *e, struct world *w);

/* Simulate day w->day + 1 and advance w->day; today's tallies and
 * contacts are then in e, and the world's totals include them. Returns
 * SS_OK, or (debug builds) SS_EINTERNAL when a kept count disagrees with a
 * recount. */
int eng_step(struct engine *e, struct world *w, struct ss_error *err);

#endif
