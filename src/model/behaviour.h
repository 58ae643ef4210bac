/*
 * behaviour.h - what agents do each day (MODEL.md section 3): fear,
 * protest by threshold over contacts, online criticism with preference
 * falsification, payments, conformity, travel, school applications, job
 * changes and loan requests.
 *
 * beh_agent decides one agent's acts from the world at the end of
 * yesterday (what it sees of its contacts, its own scores) and its keyed
 * draws; it writes only that agent's fear and its day record, so the agent
 * pass is parallel.
 *
 * Acts that are rare and whose rule allows it are not drawn agent by
 * agent: beh_block_draws walks each block of STATE_BLOCK agents with
 * geometric skips to the next candidate of each act (keyed by the block's
 * first agent, the day and the act), and a candidate then accepts with the
 * part of its probability that depends on the agent. A day costs one draw
 * per act taken, not one per agent per act.
 */
#ifndef BEHAVIOUR_H
#define BEHAVIOUR_H

#include <stdint.h>

#include "core/mem.h"
#include "model/tally.h"
#include "world/world.h"

/* The agents an exogenous trigger sets protesting on one day. */
struct beh_trigger {
    uint32_t *ids;     /* today's triggered agents, sorted (owned) */
    uint32_t n;        /* entries in ids */
    uint32_t cap;      /* allocated entries */
    int active;        /* today is a trigger day */
    uint32_t asked;    /* today: agents the trigger asks for (its count or its ids; 0 for a
                          share) */
    uint32_t eligible; /* today: agents it could take (eligible ones; of its ids, those
                          neither children nor interned) */
};

/* Candidate bits of one agent for one day (struct beh_block.cand). */
#define BC_CRITICISE 0x01u /* criticise, if u < attitude (x (1 - fear) to speak) */
#define BC_CONFORM   0x02u /* a rewarded act, if u < 1 - attitude */
#define BC_TRAVEL    0x04u /* book a flight */
#define BC_JOB       0x08u /* change job */
#define BC_LOAN      0x10u /* request a loan */
#define BC_RAIL      0x20u /* book a high-speed rail ticket */

/* Acts drawn by block, in stream order (RS_BLOCK_ACT + act). */
enum beh_block_act { BA_CRITICISE, BA_CONFORM, BA_TRAVEL, BA_JOB, BA_LOAN, BA_RAIL, N_BLOCK_ACTS };

/* One block's candidates for one day (per-thread scratch). */
struct beh_block {
    uint32_t lo, hi;           /* agents [lo, hi) */
    uint8_t cand[STATE_BLOCK]; /* BC_* bits of agent lo + k */
    double u[2][STATE_BLOCK];  /* acceptance uniform of criticise and conform, where set */
};

/* What an agent sees of its contacts at the end of yesterday, over every
 * live tie of every layer (a contact in two layers counts twice). */
struct beh_exposure {
    uint32_t ties;       /* live ties */
    uint32_t sanctioned; /* ... to listed or interned contacts */
    uint32_t present;    /* ... to contacts not interned */
    uint32_t protesting; /* ... to contacts who protested and are not interned */
    uint32_t met_listed; /* meetings today with listed contacts not interned that cost
                            points (beh_assoc_counts) */
};

/* Allocate what triggers need (serial, once). */
int beh_init(struct beh_trigger *t, const struct world *w, struct mem *m, struct ss_error *err);
void beh_free(struct beh_trigger *t, struct mem *m);
/* Serial, before the agent pass: decide who is triggered today (from the
 * world at the end of yesterday). */
void beh_prepare_day(struct beh_trigger *t, const struct world *w, uint32_t day);
/* Whether today's trigger (after beh_prepare_day) took fewer agents than
 * it asks for: a count or ids beyond the agents it could take, or a
 * share with no agent eligible. The run reports it; the model only
 * records it. */
int beh_trigger_short(const struct beh_trigger *t, const struct params *p);
/* Today's candidates of agents [lo, hi) (hi - lo <= STATE_BLOCK, lo a
 * multiple of STATE_BLOCK) into b. */
void beh_block_draws(const struct params *p, uint32_t lo, uint32_t hi, uint32_t day,
                     struct beh_block *b);
/* Whether tie (i, j) of layer l is active on `day`, i.e. i and j meet
 * (MODEL.md section 3): one keyed draw per tie, the same from both ends
 * (keyed by the lower id first). */
int beh_tie_active(const struct world *w, uint32_t l, uint32_t i, uint32_t j, uint32_t day);
/* Whether a meeting on `day` with a contact listed on `listed_day` costs
 * association points: in the first sanctions.association.window days of
 * the listing (day 1 is the day after it, when contacts first see it), or
 * every day with a window of 0. One rule for both ways of counting
 * meetings (beh_expose and the fast step's). */
static inline int beh_assoc_counts(const struct params *p, uint16_t listed_day, uint32_t day)
{
    const int window = p->sanctions.association.window;
    return window == 0 || (int64_t)day - (int64_t)listed_day <= (int64_t)window;
}
/* The reference way to see one's contacts: scan every tie of agent i
 * (meetings drawn with beh_tie_active). */
void beh_expose(const struct world *w, uint32_t i, uint32_t day, struct beh_exposure *x);
/* Agent i's acts today into a, given what it sees (x) and its block's
 * candidates (b); its new fear into fear[i]; counts into gc. Needs: i not
 * interned (it takes no acts), a zeroed. */
void beh_agent(const struct world *w, const struct beh_trigger *t, const struct beh_block *b,
               uint32_t i, uint32_t day, const struct beh_exposure *x, float *fear,
               struct agent_day *a, struct group_counts *gc);

#endif
