/*
 * population.h - the synthetic population (MODEL.md section 1).
 *
 * Structure of arrays: one array per attribute, indexed by agent id.
 * Agents are numbered household by household, and households are ordered
 * by group, so each household and each group is a contiguous id range.
 * Generation is parallel and deterministic: every draw is keyed by the
 * household or agent it is for, never by the thread that makes it.
 */
#ifndef POPULATION_H
#define POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "params.h"
#include "scoresim.h"

/* Bits of population.flags. */
#define POP_CHILD  0x01u /* under 18: no online presence, no scored actions */
#define POP_ONLINE 0x02u /* an adult who uses social media */

struct population {
    uint32_t n;                           /* agents */
    uint32_t n_groups;                    /* groups, as in params.pop.groups */
    uint32_t n_households;                /* households */
    uint8_t *group;                       /* [n] group index */
    uint8_t *flags;                       /* [n] POP_* bits */
    uint32_t *household;                  /* [n] household id */
    uint32_t *hh_start;                   /* [n_households + 1] first agent of each household */
    float *attitude;                      /* [n] in [0,1]: 0 supports the system, 1 rejects it */
    float *reliability;                   /* [n] probability of paying on time */
    float *threshold;                     /* [n] protest threshold, in params.pop.threshold_unit */
    uint32_t group_start[MAX_GROUPS + 1]; /* group g is agents [group_start[g], group_start[g+1]) */
};

/* Build the population described by p into pop (which must be zeroed).
 * Returns SS_OK, SS_ENOMEM (pop is then safe to pop_free) or SS_EINPUT. */
int pop_build(struct population *pop, const struct params *p, struct mem *m, struct ss_error *err);
/* Free what pop_build allocated; accepts a zeroed or partly built pop. */
void pop_free(struct population *pop, struct mem *m);
/* Bytes pop_build will hold once done, and the peak while building. */
size_t pop_estimate_bytes(const struct params *p);

#endif
