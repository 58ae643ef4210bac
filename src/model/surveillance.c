/*
 * surveillance.c - coverage, detection and false attribution (see
 * surveillance.h). Every draw is keyed by the agent and the day, one word
 * per channel, so switching one channel off leaves every other channel's
 * records unchanged: comparisons between scenarios see the same luck.
 */
#include "model/surveillance.h"

#include "model/behaviour.h"
#include "core/rng.h"

/* p in [0,1] as a 32-bit threshold: a word w is a success when w < this. */
static inline uint64_t surv_thresh(double p)
{
    return (uint64_t)(p * 4294967296.0);
}

void surv_init_coverage(struct state *st, const struct params *p, const struct population *pop)
{
    const uint64_t seed = p->seed;
#pragma omp parallel for schedule(static)
    for (uint32_t i = 0; i < pop->n; i++) {
        uint32_t c[4] = {i, RNG_SETUP_DAY, RS_WATCH, 0}, w[4];
        rng_block(seed, c, w);
        uint8_t bits = 0;
        /* Children take no scored actions (MODEL.md section 1): no channel
         * records anything against them, truly or falsely. */
        for (int ch = 0; ch < N_CHANNELS && !(pop->flags[i] & POP_CHILD); ch++) {
            const struct channel_params *cp = &p->surveillance[ch];
            if (cp->enabled && w[ch] < surv_thresh(cp->coverage_g[pop->group[i]]))
                bits |= (uint8_t)(1u << ch);
        }
        st->watched[i] = bits;
    }
}

/* Whether channel ch records an act of agent i, given the detection word. */
static inline int surv_sees(const struct params *p, uint8_t watched, int ch, uint32_t word)
{
    return (watched >> ch & 1u) && word < surv_thresh(p->surveillance[ch].detect);
}

/* The act each channel records falsely: its main negative act. */
static const int surv_false_event[N_CHANNELS] = {
    [CH_PAYMENT] = EV_MISSED_PAYMENT,
    [CH_INTERNET] = EV_CRITICISM,
    [CH_CAMERAS] = EV_PROTEST,
    [CH_PHONE] = EV_ASSOCIATION,
};

void surv_agent(const struct params *p, const struct state *st, uint32_t i, uint32_t day,
                uint16_t cand, struct agent_day *a, struct group_counts *gc)
{
    const uint8_t watched = st->watched[i];
    if (!watched) return;
    const uint64_t seed = p->seed;
    uint32_t c[4] = {i, day, RS_DETECT, 0}, w[4];

    /* Own acts. Word 0 of block ch: the channel's first act, word 1 its
     * second: payment sees missed payments and conformity, internet
     * criticism, cameras protests. */
    if (a->acts & (AC_MISS | AC_CONFORM)) {
        c[3] = CH_PAYMENT;
        rng_block(seed, c, w);
        if ((a->acts & AC_MISS) && surv_sees(p, watched, CH_PAYMENT, w[0])) {
            gc->observed[ACT_MISS]++;
            a->ev[EV_MISSED_PAYMENT]++;
        }
        if ((a->acts & AC_CONFORM) && surv_sees(p, watched, CH_PAYMENT, w[1])) {
            gc->observed[ACT_CONFORM]++;
            a->ev[EV_CONFORMITY]++;
        }
    }
    if (a->acts & AC_CRITICISE) {
        c[3] = CH_INTERNET;
        rng_block(seed, c, w);
        if (surv_sees(p, watched, CH_INTERNET, w[0])) {
            gc->observed[ACT_CRITICISE]++;
            a->ev[EV_CRITICISM]++;
        }
    }
    if (a->acts & AC_PROTEST) {
        c[3] = CH_CAMERAS;
        rng_block(seed, c, w);
        if (surv_sees(p, watched, CH_CAMERAS, w[0])) {
            gc->observed[ACT_PROTEST]++;
            a->ev[EV_PROTEST]++;
        }
    }
    /* Meetings with listed contacts: internet, phone and cameras each may
     * see each meeting; one record per meeting seen by any of them. */
    for (uint32_t k = 0; k < a->met_listed; k++) {
        uint32_t cm[4] = {i, day, RS_ASSOC_DETECT, k};
        rng_block(seed, cm, w);
        if (surv_sees(p, watched, CH_INTERNET, w[0]) || surv_sees(p, watched, CH_PHONE, w[1]) ||
            surv_sees(p, watched, CH_CAMERAS, w[2])) {
            gc->observed[ACT_MEET]++;
            a->ev[EV_ASSOCIATION]++;
            a->ev_false[EV_ASSOCIATION]++; /* guilt by association: not the agent's own act */
        }
    }
    /* False attributions: candidates drawn by block and channel
     * (beh_block_draws), kept where the channel watches the agent. */
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        if (!(cand & (BC_FALSE0 << ch)) || !(watched >> ch & 1u)) continue;
        int ev = surv_false_event[ch];
        a->ev[ev]++;
        a->ev_false[ev]++;
        /* Fix: a false association record is scored only with association
         * points on (score_agent); counting it as a false score when it
         * is not scored made false_scored exceed scored. */
        if (ev != EV_ASSOCIATION || p->sanctions.association.enabled) gc->false_scored[ev]++;
    }
}
