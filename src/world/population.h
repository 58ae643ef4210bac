/*
 * population.h - the synthetic population (MODEL.md section 1): who the
 * agents are, which never changes during a run. What changes (attitude,
 * fear, scores, status) is the state (state.h).
 *
 * Structure of arrays: one array per attribute, indexed by agent id.
 * Agents are numbered household by household, and households are ordered
 * by group, so each household and each group is a contiguous id range.
 * Generation is parallel and deterministic: every draw is keyed by the
 * household or agent it is for, never by the thread that makes it.
 *
 * Attributes that never change and are a pure function of (seed, agent)
 * are not stored: reliability and threshold are drawn again on each use
 * (pop_reliability, pop_threshold), and an agent's household is found in
 * hh_start (pop_household). That saves 12 bytes per agent at the price of
 * a few nanoseconds per read.
 */
#ifndef POPULATION_H
#define POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "scenario/params.h"
#include "core/rng.h"
#include "scoresim.h"

/* Bits of population.flags. */
#define POP_CHILD  0x01u /* under 18: no online presence, no scored actions */
#define POP_ONLINE 0x02u /* an adult who uses social media */

struct population {
    uint32_t n;                           /* agents */
    uint32_t n_groups;                    /* groups, as in params.population.groups */
    uint32_t n_households;                /* households */
    uint8_t *group;                       /* [n] group index */
    uint8_t *flags;                       /* [n] POP_* bits */
    uint32_t *hh_start;                   /* [n_households + 1] first agent of each household */
    uint32_t group_start[MAX_GROUPS + 1]; /* group g is agents [group_start[g], group_start[g+1]) */
    uint64_t seed;                        /* params.seed: keys the draws below */
    struct dist
        rel_dist; /* params.population.reliability (a list's values are borrowed from params) */
    struct dist thr_dist; /* params.population.threshold (likewise) */
};

/* One value of distribution d for agent a, drawn from random stream
 * `stream` (enum rng_stream) under seed: the only place that interprets
 * struct dist. The same arguments always give the same value. A constant,
 * a listed value and a clip bound are returned exactly as configured (a
 * configured 0.2 stays the double 0.2, not the float 0.20000000298); a
 * value drawn from a uniform, normal or beta distribution has float
 * precision, as the state stores such values. */
double pop_value(const struct dist *d, uint64_t seed, uint32_t a, uint32_t stream);
/* pop_value rounded to float: for the attributes the state stores as
 * floats (attitude) and for probabilities (reliability). */
float pop_draw(const struct dist *d, uint64_t seed, uint32_t a, uint32_t stream);

/* Agent i's probability of paying on time (constant over the run). */
static inline float pop_reliability(const struct population *pop, uint32_t i)
{
    /* A constant needs no call: the hot path reads this per due payment. */
    if (pop->rel_dist.kind == DIST_CONSTANT) return (float)pop->rel_dist.value;
    return pop_draw(&pop->rel_dist, pop->seed, i, RS_RELIABILITY);
}

/* Agent i's protest threshold, in params.population.threshold_unit
 * (constant). A double, and a configured one exactly (pop_value): the
 * protest rule compares it with a share of contacts, and 1 of 5 must meet
 * a threshold written as 0.2. */
static inline double pop_threshold(const struct population *pop, uint32_t i)
{
    /* A constant needs no call: the hot path reads this per adult a day. */
    if (pop->thr_dist.kind == DIST_CONSTANT) return pop->thr_dist.value;
    return pop_value(&pop->thr_dist, pop->seed, i, RS_THRESHOLD);
}

/* The household of agent i (< n): a binary search of hh_start. */
uint32_t pop_household(const struct population *pop, uint32_t i);

/* Build the population described by p into pop (which must be zeroed),
 * with `threads` threads (the result is the same for every count).
 * Returns SS_OK, SS_ENOMEM (pop is then safe to pop_free) or SS_EINPUT. */
int pop_build(struct population *pop, const struct params *p, int threads, struct mem *m,
              struct ss_error *err);
/* Free what pop_build allocated; accepts a zeroed or partly built pop. */
void pop_free(struct population *pop, struct mem *m);
/* Bytes pop_build will hold once done, and the peak while building. */
size_t pop_estimate_bytes(const struct params *p);

#endif
