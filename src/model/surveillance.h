/*
 * surveillance.h - the channels that watch the population (docs/model.md
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

#include "model/tally.h"
#include "scenario/params.h"
#include "world/world.h"

/* One block's false-attribution candidates for one day (per-thread
 * scratch): false attributions are rare, so they are drawn by geometric
 * skips over a block of STATE_BLOCK agents, one stream per channel, as
 * beh_block_draws does for acts. */
struct surv_block {
    uint32_t lo, hi;           /* agents [lo, hi) */
    uint8_t cand[STATE_BLOCK]; /* bit c of agent lo + k: channel c records a false act
                                  against it today, if the channel watches it */
};

/* Draw which channels watch each agent into watched[0 .. n) (the world's
 * state.watched), with `threads` threads: at the start, and again when the
 * schedule changes a channel (each agent's draw is fixed, so a wider
 * coverage only adds agents). */
void surv_init_coverage(const struct world *w, int threads, uint8_t *watched);

/* Today's false-attribution candidates of agents [lo, hi) (hi - lo <=
 * STATE_BLOCK, lo a multiple of STATE_BLOCK) into b. */
void surv_block_draws(const struct params *p, uint32_t lo, uint32_t hi, uint32_t day,
                      struct surv_block *b);

/* Record today's acts of agent i (a->acts, a->met_listed) and today's
 * false attributions (false_cand: its bits of surv_block.cand) into a->ev
 * / a->ev_false, and count what was seen into gc (the agent's group row). */
void surv_agent(const struct world *w, uint32_t i, uint32_t day, uint8_t false_cand,
                struct agent_day *a, struct group_counts *gc);

#endif
