/*
 * surveillance.c - coverage, detection and false attribution (see
 * surveillance.h). Every draw is keyed by the agent and the day, one word
 * per channel, so switching one channel off leaves every other channel's
 * records unchanged: comparisons between scenarios see the same luck.
 */
#include "model/surveillance.h"

#include <assert.h>
#include <string.h>

#include "core/rng.h"

void surv_init_coverage(const struct world *w, int threads, uint8_t *watched)
{
    const struct params *p = w->p;
    const struct population *pop = &w->pop;
    const uint64_t seed = p->seed;
    assert(watched && threads >= 1);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t i = 0; i < pop->n; i++) {
        uint32_t c[4] = {i, RNG_SETUP_DAY, RS_WATCH, 0}, r[4];
        rng_block(seed, c, r);
        uint8_t bits = 0;
        /* Children take no scored actions (docs/model.md section 1): no channel
         * records anything against them, truly or falsely. */
        for (int ch = 0; ch < N_CHANNELS && !(pop->flags[i] & POP_CHILD); ch++) {
            const struct channel_params *cp = &p->surveillance[ch];
            if (cp->enabled && r[ch] < rng_threshold(cp->coverage_g[pop->group[i]]))
                bits |= (uint8_t)(1u << ch);
        }
        watched[i] = bits;
    }
}

/* Whether channel ch records an act of agent i, given the detection word. */
static inline int surv_sees(const struct params *p, uint8_t watched, int ch, uint32_t word)
{
    return (watched >> ch & 1u) && word < rng_threshold(p->surveillance[ch].detect);
}

/* The act each channel records falsely: its main negative act. */
static const int surv_false_event[N_CHANNELS] = {
    [CH_PAYMENT] = EV_MISSED_PAYMENT,
    [CH_INTERNET] = EV_CRITICISM,
    [CH_CAMERAS] = EV_PROTEST,
    [CH_PHONE] = EV_ASSOCIATION,
};

void surv_block_draws(const struct params *p, uint32_t lo, uint32_t hi, uint32_t day,
                      struct surv_block *b)
{
    const uint32_t len = hi - lo;
    assert(lo % STATE_BLOCK == 0 && hi > lo && len <= STATE_BLOCK);
    b->lo = lo;
    b->hi = hi;
    memset(b->cand, 0, len * sizeof *b->cand);
    struct rng r;
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        const struct channel_params *cp = &p->surveillance[ch];
        if (!cp->enabled || !(cp->false_attribution > 0)) continue;
        rng_init(&r, p->seed, lo, day, RS_BLOCK_FALSE + (uint32_t)ch);
        for (uint64_t at = rng_geometric(&r, cp->false_attribution); at < len;
             at += 1 + rng_geometric(&r, cp->false_attribution))
            b->cand[at] |= (uint8_t)(1u << ch);
    }
}

void surv_agent(const struct world *w, uint32_t i, uint32_t day, uint8_t false_cand,
                struct agent_day *a, struct group_counts *gc)
{
    const struct params *p = w->p;
    assert(i < w->pop.n && !(w->st.status[i] & ST_INTERNED));
    const uint8_t watched = w->st.watched[i];
    if (!watched) return;
    const uint64_t seed = p->seed;
    uint32_t c[4] = {i, day, RS_DETECT, 0}, r[4];

    /* Own acts. Word 0 of block ch: the channel's first act, word 1 its
     * second: payment sees missed payments and conformity, internet
     * criticism, cameras protests. */
    if (a->acts & (AC_MISS | AC_CONFORM)) {
        c[3] = CH_PAYMENT;
        rng_block(seed, c, r);
        if ((a->acts & AC_MISS) && surv_sees(p, watched, CH_PAYMENT, r[0])) {
            gc->observed[ACT_MISS]++;
            a->ev[EV_MISSED_PAYMENT]++;
        }
        if ((a->acts & AC_CONFORM) && surv_sees(p, watched, CH_PAYMENT, r[1])) {
            gc->observed[ACT_CONFORM]++;
            a->ev[EV_CONFORMITY]++;
        }
    }
    if (a->acts & AC_CRITICISE) {
        c[3] = CH_INTERNET;
        rng_block(seed, c, r);
        if (surv_sees(p, watched, CH_INTERNET, r[0])) {
            gc->observed[ACT_CRITICISE]++;
            a->ev[EV_CRITICISM]++;
        }
    }
    if (a->acts & AC_PROTEST) {
        c[3] = CH_CAMERAS;
        rng_block(seed, c, r);
        if (surv_sees(p, watched, CH_CAMERAS, r[0])) {
            gc->observed[ACT_PROTEST]++;
            a->ev[EV_PROTEST]++;
        }
    }
    /* Meetings with listed contacts: internet, phone and cameras each may
     * see each meeting; one record per meeting seen by any of them. */
    for (uint32_t k = 0; k < a->met_listed; k++) {
        uint32_t cm[4] = {i, day, RS_ASSOC_DETECT, k};
        rng_block(seed, cm, r);
        if (surv_sees(p, watched, CH_INTERNET, r[0]) || surv_sees(p, watched, CH_PHONE, r[1]) ||
            surv_sees(p, watched, CH_CAMERAS, r[2])) {
            gc->observed[ACT_MEET]++;
            a->ev[EV_ASSOCIATION]++;
            a->ev_false[EV_ASSOCIATION]++; /* guilt by association: not the agent's own act */
        }
    }
    /* False attributions: candidates drawn by block and channel
     * (surv_block_draws), kept where the channel watches the agent. */
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        if (!(false_cand >> ch & 1u) || !(watched >> ch & 1u)) continue;
        int ev = surv_false_event[ch];
        a->ev[ev]++;
        a->ev_false[ev]++;
        a->ev_attributed[ev]++; /* counted as falsely scored if scoring scores it */
    }
}
