/*
 * scoring.h - sub-system ledgers, domain scores, tiers and group caps
 * (MODEL.md section 5).
 *
 * Each sub-system keeps a ledger of points; the score that governs a
 * domain's sanctions is start + own points + integration x the other
 * sub-systems' points, clamped to [min, max] and, for capped groups, to
 * today's cap. The reported score is start + all points. The score a
 * domain would have on its own points alone (no integration) decides
 * whether a sanction is cross-context. The small functions are inline
 * because every phase of the day calls them per agent.
 */
#ifndef SCORING_H
#define SCORING_H

#include <stdint.h>

#include "scenario/params.h"
#include "world/state.h"

static inline double score_clamp(const struct params *p, double s)
{
    return s < p->scoring.min ? p->scoring.min : s > p->scoring.max ? p->scoring.max : s;
}

/* Whether agent i's group is capped today. */
static inline int score_is_capped(const struct params *p, uint8_t group)
{
    return p->scoring.group_cap.enabled && (p->scoring.group_cap.groups.mask >> group & 1u);
}

/* Domain score d (enum subsystem) of agent i, as the system sees it. */
static inline double score_domain(const struct params *p, const struct state *st, uint32_t i,
                                  uint8_t group, int d)
{
    double other = 0;
    for (int k = 0; k < N_SUBSYSTEMS; k++)
        if (k != d) other += st->ledger[k][i];
    double s = score_clamp(p, p->population.start_score + st->ledger[d][i] +
                                  p->scoring.integration * other);
    if (score_is_capped(p, group) && s > st->cap[d]) s = st->cap[d];
    return s;
}

/* Domain score d on its own points alone: what it would be without
 * integration (and without the cap, which is a rule about the person's
 * group, not about the domain). */
static inline double score_own(const struct params *p, const struct state *st, uint32_t i, int d)
{
    return score_clamp(p, p->population.start_score + st->ledger[d][i]);
}

/* The reported score: start + every sub-system's points. */
static inline double score_reported(const struct params *p, const struct state *st, uint32_t i,
                                    uint8_t group)
{
    double sum = 0;
    for (int k = 0; k < N_SUBSYSTEMS; k++) sum += st->ledger[k][i];
    double s = score_clamp(p, p->population.start_score + sum);
    if (score_is_capped(p, group) && s > st->cap[N_SUBSYSTEMS]) s = st->cap[N_SUBSYSTEMS];
    return s;
}

struct sim;

/* Apply agent i's recorded events of today to its ledgers: recovery toward
 * 0, points per event, court judgments from observed missed payments.
 * Counts scored events into gc. */
void score_agent(struct sim *sim, uint32_t i, uint32_t day, const struct agent_day *a,
                 struct group_counts *gc);
/* Recompute today's caps (st->cap) from the scores after the agent pass:
 * score_cap_block sums block b (of STATE_BLOCK agents; the fast step calls
 * it right after the block's agent pass, while its scores are in cache),
 * score_caps_finish adds the blocks in order; score_update_caps does both. */
void score_update_caps(struct sim *sim);
void score_cap_block(struct sim *sim, uint32_t b);
void score_caps_finish(struct sim *sim);

/* Tier (enum tier) of a score. */
static inline int score_tier(const struct params *p, double s)
{
    for (int t = TIER_AAA; t < TIER_D; t++)
        if (s >= p->scoring.tiers[t]) return t;
    return TIER_D;
}

#endif
