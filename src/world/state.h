/*
 * state.h - what changes day by day, per agent (docs/model.md sections 1 and
 * 3-6): part of the world, so a checkpoint holds it.
 *
 * struct state holds the dynamic per-agent fields as arrays (structure of
 * arrays, allocated once by state_init). Each array has one writer phase
 * (docs/architecture.md has the table); a phase writes only the entries of
 * the agents it owns, so phases run in parallel without locks.
 *
 * Days are numbered from 1; day 0 is the initial state.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "scenario/params.h"
#include "scoresim.h"
#include "world/population.h"

/* Bits of state.status: what an agent's contacts can see of it. They change
 * only between the day's agent pass and the next, so every agent of a day
 * sees its contacts as they were at the end of yesterday. */
#define ST_LISTED       0x01u /* on the public list */
#define ST_INTERNED     0x02u /* interned: removed from all contact */
#define ST_PROTEST      0x04u /* protested on the last day simulated */
#define ST_NEW_LISTED   0x08u /* listed on the last day simulated */
#define ST_NEW_INTERNED 0x10u /* interned on the last day simulated */
#define ST_XCTX_LIST    0x20u /* the listing would not have happened on judicial points alone */
#define ST_EXPIRED      0x40u /* the listing expired unsettled: not renewed for the same debts */

/* What an agent's contacts see of it (enum of bits; exposure.h keeps
 * counts of contacts per bit): listed and not interned, interned, and
 * protesting and not interned. */
#define VIS_LISTED   0x1u
#define VIS_INTERNED 0x2u
#define VIS_PROTEST  0x4u
#define VIS_BITS     3

static inline unsigned state_visible(uint8_t s)
{
    if (s & ST_INTERNED) return VIS_INTERNED;
    return ((s & ST_LISTED) ? VIS_LISTED : 0u) | ((s & ST_PROTEST) ? VIS_PROTEST : 0u);
}

/* Bits of state.history: what has ever happened to the agent. */
#define HI_SANCTIONED 0x01u /* suffered at least one sanction */
#define HI_LISTED     0x02u /* has been listed */
#define HI_INTERNED   0x04u /* has been interned */
#define HI_GENUINE    0x08u /* has been scored for a negative act it really did */

/* Days in the state are 16-bit: a simulated day is at most ST_DAY_MAX
 * (scenario key `days`), so it fits 15 bits and leaves the top bit of a
 * court-miss entry for whether the miss was real. */
#define ST_DAY_MAX   0x7fffu
#define ST_MISS_REAL 0x8000u /* state.misses: the miss really happened */

/* A day as stored in the state's 16-bit fields. A day beyond 65535 (an
 * internment's end with a huge internment.days) saturates at UINT16_MAX:
 * later than any simulated day, so comparisons with days still hold. */
static inline uint16_t state_day16(int64_t day)
{
    return day > UINT16_MAX ? (uint16_t)UINT16_MAX : day < 0 ? 0 : (uint16_t)day;
}

/* Agents per block of a deterministic reduction. */
#define STATE_BLOCK 4096u

/* The sanctions of an agent's last 32 days (state.sanctioned and
 * .sanctioned_last): a 64-bit word of 2-bit counts, the count of day d in
 * bits 2 (d % 32) and up, saturating at 3 a day; slots of days before
 * sanctioned_last - 31 are stale and read as 0. */
#define ST_SANCTION_DAYS 32u

/* Count one sanction suffered on `day` (>= every earlier call's day). */
static inline void state_sanction_add(uint64_t *word, uint16_t *last, uint32_t day)
{
    uint64_t w = *word;
    uint32_t l = *last;
    if (l == 0 || day - l >= ST_SANCTION_DAYS) {
        w = 0;
    } else {
        for (uint32_t d = l + 1; d <= day; d++) w &= ~((uint64_t)3 << (2 * (d % ST_SANCTION_DAYS)));
    }
    const unsigned shift = 2 * (day % ST_SANCTION_DAYS);
    if (((w >> shift) & 3u) < 3u) w += (uint64_t)1 << shift;
    *word = w;
    *last = (uint16_t)day;
}

/* Sanctions suffered on days [day - window, day - 1] (window < 32). */
static inline uint32_t state_sanctions_before(uint64_t word, uint16_t last, uint32_t day,
                                              uint32_t window)
{
    if (last == 0 || last + window < day) return 0;
    uint32_t from = day > window ? day - window : 1, to = day - 1 < last ? day - 1 : last;
    if (last >= ST_SANCTION_DAYS && from < last - (ST_SANCTION_DAYS - 1))
        from = last - (ST_SANCTION_DAYS - 1);
    uint32_t n = 0;
    for (uint32_t d = from; d <= to; d++) n += (word >> (2 * (d % ST_SANCTION_DAYS))) & 3u;
    return n;
}

struct state {
    uint32_t n;                   /* agents */
    float *attitude;              /* [n] in [0,1]: 0 supports the system, 1 rejects it */
    float *fear;                  /* [n] perceived risk in [0,1] */
    float *ledger[N_SUBSYSTEMS];  /* [n] each: the sub-system's points, 0 at start */
    uint8_t *status;              /* [n] ST_* bits */
    uint8_t *history;             /* [n] HI_* bits */
    uint8_t *watched;             /* [n] bit c set: channel c watches the agent */
    uint16_t *listed_day;         /* [n] day of the current listing (valid if ST_LISTED) */
    uint16_t *interned_until;     /* [n] last day of the current internment (state_day16) */
    uint16_t *misses;             /* [n * n_misses] observed missed payments not yet judged:
                                     the day, | ST_MISS_REAL if really missed; 0 = none */
    uint8_t *debt;                /* [n] unpaid court judgments (saturating at 255) */
    uint64_t *sanctioned;         /* [n] counts of the last 32 days' sanctions (above) */
    uint16_t *sanctioned_last;    /* [n] the last day with a sanction; 0 = none yet */
    uint32_t n_misses;            /* entries per agent in misses: missed_payments - 1 (the
                                     missed_payments-th miss in the window is judged at once) */
    double cap[N_SUBSYSTEMS + 1]; /* the group cap of each domain score and of the reported
                                     score, from the scores at the end of the last day */
};

/* Allocate the state of pop's agents and set it to the start of a run:
 * attitude drawn from population.attitude (keyed by agent, so the same for
 * every thread count), fear and ledgers 0, nothing listed, no channel
 * watching anyone yet (surv_init_coverage draws that), no cap. */
int state_init(struct state *st, const struct params *p, const struct population *pop, int threads,
               struct mem *m, struct ss_error *err);
/* Free what state_init allocated; accepts a zeroed or partly built state. */
void state_free(struct state *st, struct mem *m);
size_t state_estimate_bytes(const struct params *p);

#endif
