/*
 * scoring.h - sub-system ledgers, domain scores, tiers and group caps
 * (docs/model.md section 5).
 *
 * Each sub-system keeps a ledger of points; the score that governs a
 * domain's sanctions is start + own points + integration x the other
 * sub-systems' points, clamped to [min, max] and, for capped groups, to
 * today's cap. The reported score is start + all points. The score a
 * domain would have on its own points alone (no integration) decides
 * whether a sanction is cross-context. score_uncapped is the one place the
 * formula is written; the small functions are inline because every phase
 * of the day calls them per agent.
 */
#ifndef SCORING_H
#define SCORING_H

#include <stdint.h>

#include "model/tally.h"
#include "scenario/params.h"
#include "world/world.h"

static inline double score_clamp(const struct params *p, double s)
{
    return s < p->scoring.min ? p->scoring.min : s > p->scoring.max ? p->scoring.max : s;
}

/* Whether a group is capped. */
static inline int score_is_capped(const struct params *p, uint8_t group)
{
    return p->scoring.group_cap.enabled && (p->scoring.group_cap.groups.mask >> group & 1u);
}

/* Score d of agent i before the group cap: for a domain (d <
 * N_SUBSYSTEMS), start + its own points + integration x the other
 * sub-systems' points; for d == N_SUBSYSTEMS, the reported score, start +
 * every sub-system's points. Clamped to [min, max]. */
static inline double score_uncapped(const struct params *p, const struct state *st, uint32_t i,
                                    int d)
{
    double own = 0, other = 0;
    for (int k = 0; k < N_SUBSYSTEMS; k++) {
        if (k == d)
            own = st->ledger[k][i];
        else
            other += st->ledger[k][i];
    }
    if (d == N_SUBSYSTEMS) return score_clamp(p, p->population.start_score + other);
    return score_clamp(p, p->population.start_score + own + p->scoring.integration * other);
}

/* Domain score d (enum subsystem) of agent i, as the system sees it: with
 * the cap of its group. */
static inline double score_domain(const struct params *p, const struct state *st, uint32_t i,
                                  uint8_t group, int d)
{
    double s = score_uncapped(p, st, i, d);
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

/* The reported score: start + every sub-system's points, with the cap. */
static inline double score_reported(const struct params *p, const struct state *st, uint32_t i,
                                    uint8_t group)
{
    return score_domain(p, st, i, group, N_SUBSYSTEMS);
}

/* Tier (enum tier) of a score. */
static inline int score_tier(const struct params *p, double s)
{
    for (int t = TIER_AAA; t < TIER_D; t++)
        if (s >= p->scoring.tiers[t]) return t;
    return TIER_D;
}

/* The arrays score_agent writes (the world's state.ledger, .misses and
 * .history). */
struct score_out {
    float *ledger[N_SUBSYSTEMS]; /* each sub-system's points */
    uint16_t *misses;            /* observed missed payments waiting for a judgment */
    uint8_t *debt;               /* unpaid judgments: one more per judgment, 0 on settling */
    uint8_t *history;            /* HI_GENUINE: scored for a negative act it really did */
};

/* Whether sub-system d scores agent i: its coverage (scoring.coverage) is
 * the share of the population where it operates, and agent i lives there
 * when its fixed draw for d (keyed by seed and agent) is below the share,
 * so a larger share covers every agent a smaller one did. */
int score_covered(const struct world *w, uint32_t i, int d);

/* Apply agent i's recorded events of today (a) to its ledgers: credit
 * repair if it settled today (AC_SETTLE: its debts and judicial points
 * go), recovery toward 0, points per event in the sub-systems that cover
 * it, court judgments (new debts, AC_JUDGED in a->acts) from observed
 * missed payments. Counts
 * scored and falsely scored events into gc. Needs: ev_attributed[e] <=
 * ev_false[e] <= ev[e] for every event; AC_SETTLE only with a debt. */
void score_agent(const struct world *w, uint32_t i, uint32_t day, struct agent_day *a,
                 const struct score_out *out, struct group_counts *gc);

/* The group caps of today, from the scores after the agent pass: the
 * population mean of each uncapped score over adults, summed over fixed
 * blocks of STATE_BLOCK agents in block order, so the means have the same
 * bits for every thread count. score_cap_block writes block b's sums into
 * part[0 .. SCORE_CAP_PART) (the fast step calls it right after the
 * block's agent pass, while its scores are in cache); score_caps_finish
 * adds the n_blocks blocks of cap_part in order into cap;
 * score_update_caps does both. */
#define SCORE_CAP_PART (N_SUBSYSTEMS + 2)
int score_caps_summed(const struct params *p);
void score_cap_block(const struct world *w, uint32_t b, double *part);
void score_caps_finish(const struct params *p, const double *cap_part, uint32_t n_blocks,
                       double cap[N_SUBSYSTEMS + 1]);
void score_update_caps(const struct world *w, int threads, double *cap_part,
                       double cap[N_SUBSYSTEMS + 1]);

#endif
