/*
 * sanctions.h - the public list, sanctions, rewards and ostracism (MODEL.md
 * section 6).
 *
 * The list and the sanctions are decided household by household: a child's
 * school place depends on its parents' listing and an internment costs the
 * whole household points, so a household is the unit one thread owns.
 * Ostracism cuts ties between households and runs as a pass of its own.
 */
#ifndef SANCTIONS_H
#define SANCTIONS_H

#include <stdint.h>

#include "world/state.h"

struct sim;

/* Listing, internment, refusals, rewards and attitude for the members of
 * household h today; counts into local (the thread's rows). */
void sanc_household(struct sim *sim, uint32_t h, uint32_t day, struct day_counts *local);
/* Each contact of an agent listed today cuts the tie with probability
 * base + fear_weight x its fear (household ties are never cut). */
void sanc_ostracism(struct sim *sim, uint32_t day);

#endif
