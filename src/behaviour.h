/*
 * behaviour.h - what agents do each day (MODEL.md section 3): fear,
 * protest by threshold over contacts, online criticism with preference
 * falsification, payments, conformity, travel, school applications, job
 * changes and loan requests.
 *
 * beh_agent decides one agent's acts from the state at the end of
 * yesterday (its contacts' status, its own scores) and its keyed draws; it
 * writes only that agent's fields, so the agent pass is parallel.
 */
#ifndef BEHAVIOUR_H
#define BEHAVIOUR_H

#include <stdint.h>

#include "mem.h"
#include "state.h"

struct sim;

/* The agents an exogenous trigger sets protesting on one day. */
struct beh_trigger {
    uint32_t *ids; /* today's triggered agents, sorted (owned) */
    uint32_t n;    /* entries in ids */
    uint32_t cap;  /* allocated entries */
    int active;    /* today is a trigger day */
};

/* Allocate what triggers need (serial, once). */
int beh_init(struct beh_trigger *t, const struct sim *sim, struct mem *m, struct ss_error *err);
void beh_free(struct beh_trigger *t, struct mem *m);
/* Serial, before the agent pass: decide who is triggered today. */
void beh_prepare_day(struct beh_trigger *t, const struct sim *sim, uint32_t day);
/* Agent i's acts today into a; fear updated; counts into gc. */
void beh_agent(struct sim *sim, const struct beh_trigger *t, uint32_t i, uint32_t day,
               struct agent_day *a, struct group_counts *gc);

#endif
