/*
 * sanctions.h - the public list, sanctions, rewards and ostracism (docs/model.md
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

#include "model/tally.h"
#include "world/world.h"

/* The arrays the household pass writes: the world's state (status,
 * history, listed_day, interned_until, attitude, the social ledger, which
 * takes internees' household penalties) and today's acts (AC_SCHOOL). */
struct sanc_out {
    uint8_t *status;           /* ST_* bits */
    uint8_t *history;          /* HI_SANCTIONED, HI_LISTED, HI_INTERNED */
    uint16_t *listed_day;      /* day of the current listing */
    uint16_t *interned_until;  /* last day of the current internment */
    float *attitude;           /* moved by sanctions, rewards and messaging */
    float *social_ledger;      /* the social sub-system's points */
    uint64_t *sanctioned;      /* the last 32 days' sanctions (state_sanction_add) */
    uint16_t *sanctioned_last; /* the last day with a sanction */
    uint16_t *acts;            /* today's AC_* bits (read; AC_SCHOOL added) */
};

/* Listing, internment, refusals, rewards and attitude for the members of
 * household h today; counts into local (the thread's rows). Reads the
 * world after today's agent pass and the caps; needs h < n_households. */
void sanc_household(const struct world *w, uint32_t h, uint32_t day, const struct sanc_out *out,
                    struct day_counts *local);

/* Told of each tie ostracism cuts (once per tie, from any thread). */
struct sanc_cut_hook {
    void (*cut)(void *ctx, uint32_t layer, uint32_t i, uint32_t j); /* tie (i, j) of layer cut */
    void *ctx;                                                      /* passed to cut */
};

/* Each contact of an agent listed today cuts the tie with probability
 * base + fear_weight x its fear (household ties are never cut): ties are
 * cut in net, the world's network (its other fields are read through w);
 * hook (if not NULL) hears of each cut. */
void sanc_ostracism(const struct world *w, uint32_t day, int threads, struct network *net,
                    const struct sanc_cut_hook *hook);

#endif
