/*
 * surveillance.h - the channels that watch the population (MODEL.md
 * section 4): who each channel covers, which of an agent's acts it
 * records, and what it records falsely.
 *
 * A channel records an act only if it watches the agent (a fixed draw per
 * agent and channel from its per-group coverage) and detects the act (a
 * draw per act). A false attribution is a record of the channel's main
 * negative act against a watched agent who did not do it.
 */
#ifndef SURVEILLANCE_H
#define SURVEILLANCE_H

#include <stdint.h>

#include "scenario/params.h"
#include "world/population.h"
#include "world/state.h"

/* Draw which channels watch each agent into st->watched. */
void surv_init_coverage(struct state *st, const struct params *p, const struct population *pop);

/* Record today's acts of agent i (a->acts, a->met_listed) and today's
 * false attributions (candidates: the BC_FALSE0 << channel bits of cand)
 * into a->ev / a->ev_false, and count what was seen into gc (the agent's
 * group row). */
void surv_agent(const struct params *p, const struct state *st, uint32_t i, uint32_t day,
                uint16_t cand, struct agent_day *a, struct group_counts *gc);

#endif
