/*
 * scoring.c - ledgers and caps (see scoring.h).
 *
 * A ledger is a float: points are whole numbers of at most a few hundred
 * and the daily recovery is a relative change, so single precision keeps
 * every score exact to far below a tier's width, at 4 bytes per agent.
 */
#include "model/scoring.h"

#include <assert.h>
#include <string.h>

#include "core/rng.h"

/* Record an observed missed payment (real or falsely attributed) on day
 * `day` and say whether the court window now holds enough for a judgment;
 * if so, whether any of them was real.
 *
 * A judgment fires as soon as a new miss makes scoring.court.missed_payments in the window,
 * and the window only moves forward, so at most missed_payments - 1 misses
 * in the window are ever waiting: that is all state.misses holds per agent
 * (none for missed_payments == 1, where every observed miss is a judgment). */
static int score_court(const struct state *st, uint16_t *misses, const struct params *p, uint32_t i,
                       uint32_t day, int real, int *judgment_real)
{
    uint16_t *m = misses + (size_t)i * st->n_misses;
    const int32_t window_start = (int32_t)day - p->scoring.court.window; /* exclusive */
    assert(day >= 1 && day <= ST_DAY_MAX);
    /* A window of less than a day holds not even today's miss: no
     * judgment, now or later (the window only moves on). */
    if (!((int32_t)day > window_start)) return 0;
    uint32_t in_window = 1, free_slot = UINT32_MAX;
    int any_real = real;
    for (uint32_t k = 0; k < st->n_misses; k++) {
        int32_t d = (int32_t)(m[k] & ST_DAY_MAX);
        if (d != 0 && d > window_start) {
            in_window++;
            any_real |= (m[k] & ST_MISS_REAL) != 0;
        } else if (free_slot == UINT32_MAX) {
            free_slot = k; /* empty, or out of the window for good */
        }
    }
    if (in_window < (uint32_t)p->scoring.court.missed_payments) {
        /* At most missed_payments - 2 others wait, so a slot is free. */
        assert(free_slot != UINT32_MAX);
        m[free_slot] = (uint16_t)(day | (real ? ST_MISS_REAL : 0u));
        return 0;
    }
    /* The judgment consumes the misses: the same ones never count twice. */
    memset(m, 0, st->n_misses * sizeof *m);
    *judgment_real = any_real;
    return 1;
}

int score_covered(const struct world *w, uint32_t i, int d)
{
    const struct params *p = w->p;
    const double share = d == SUB_FINANCIAL  ? p->scoring.coverage.financial
                         : d == SUB_JUDICIAL ? p->scoring.coverage.judicial
                                             : p->scoring.coverage.social;
    if (share >= 1) return 1;
    if (!(share > 0)) return 0;
    uint32_t c[4] = {i, RNG_SETUP_DAY, RS_COVER, 0}, r[4];
    rng_block(p->seed, c, r);
    return r[d] < rng_threshold(share);
}

void score_agent(const struct world *w, uint32_t i, uint32_t day, struct agent_day *a,
                 const struct score_out *out, struct group_counts *gc)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    assert(i < w->pop.n && day >= 1);
    for (int e = 0; e < N_EVENTS; e++)
        assert(a->ev_attributed[e] <= a->ev_false[e] && a->ev_false[e] <= a->ev[e]);
    float *fin = out->ledger[SUB_FINANCIAL], *jud = out->ledger[SUB_JUDICIAL],
          *soc = out->ledger[SUB_SOCIAL];
    /* Credit repair first: the settled debts go, with the judicial points
     * they cost; a judgment today is a new debt. */
    if (a->acts & AC_SETTLE) {
        assert(st->debt[i] > 0);
        out->debt[i] = 0;
        jud[i] = 0;
    }
    const float keep = (float)(1.0 - p->scoring.recovery);
    for (int d = 0; d < N_SUBSYSTEMS; d++) out->ledger[d][i] *= keep;

    int genuine = 0;
    const int n_miss = a->ev[EV_MISSED_PAYMENT];
    const int fin_on = n_miss && score_covered(w, i, SUB_FINANCIAL);
    const int court_on = n_miss && score_covered(w, i, SUB_JUDICIAL);
    if (fin_on) {
        gc->scored[EV_MISSED_PAYMENT] += n_miss;
        gc->false_scored[EV_MISSED_PAYMENT] += a->ev_attributed[EV_MISSED_PAYMENT];
        genuine |= n_miss > a->ev_false[EV_MISSED_PAYMENT];
    }
    for (int k = 0; k < n_miss; k++) {
        int real = k >= a->ev_false[EV_MISSED_PAYMENT];
        if (fin_on) fin[i] += (float)p->scoring.points.missed_payment;
        int judgment_real = 0;
        if (court_on && score_court(st, out->misses, p, i, day, real, &judgment_real)) {
            jud[i] += (float)p->scoring.points.court_judgment;
            if (out->debt[i] < UINT8_MAX) out->debt[i]++;
            a->acts |= AC_JUDGED;
            gc->scored[EV_COURT_JUDGMENT]++;
            if (!judgment_real) gc->false_scored[EV_COURT_JUDGMENT]++;
        }
    }
    const int n_social = a->ev[EV_CRITICISM] + a->ev[EV_PROTEST] + a->ev[EV_CONFORMITY] +
                         (p->sanctions.association.enabled ? a->ev[EV_ASSOCIATION] : 0);
    if (n_social && score_covered(w, i, SUB_SOCIAL)) {
        soc[i] += (float)(p->scoring.points.criticism * a->ev[EV_CRITICISM] +
                          p->scoring.points.protest * a->ev[EV_PROTEST] +
                          p->scoring.points.conformity * a->ev[EV_CONFORMITY]);
        static const int social[] = {EV_CRITICISM, EV_PROTEST, EV_CONFORMITY};
        for (size_t k = 0; k < sizeof social / sizeof *social; k++) {
            gc->scored[social[k]] += a->ev[social[k]];
            gc->false_scored[social[k]] += a->ev_attributed[social[k]];
        }
        genuine |= a->ev[EV_CRITICISM] > a->ev_false[EV_CRITICISM];
        genuine |= a->ev[EV_PROTEST] > a->ev_false[EV_PROTEST];
        if (p->sanctions.association.enabled && a->ev[EV_ASSOCIATION]) {
            soc[i] += (float)(p->scoring.points.association * a->ev[EV_ASSOCIATION]);
            gc->scored[EV_ASSOCIATION] += a->ev[EV_ASSOCIATION];
            gc->false_scored[EV_ASSOCIATION] += a->ev_attributed[EV_ASSOCIATION];
        }
    }
    if (genuine) out->history[i] |= HI_GENUINE;
}

/* Whether today's caps are the population means (which need sums). */
int score_caps_summed(const struct params *p)
{
    return p->scoring.group_cap.enabled && p->scoring.group_cap.mode != CAP_FIXED;
}

void score_cap_block(const struct world *w, uint32_t b, double *part)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    const uint32_t n = w->pop.n;
    assert((uint64_t)b * STATE_BLOCK < n);
    if (!score_caps_summed(p)) return;
    /* Over adults (children take no scored actions), uncapped. */
    uint32_t lo = b * STATE_BLOCK, hi = lo + STATE_BLOCK < n ? lo + STATE_BLOCK : n;
    double s[N_SUBSYSTEMS + 1] = {0}, adults = 0;
    for (uint32_t i = lo; i < hi; i++) {
        if (w->pop.flags[i] & POP_CHILD) continue;
        adults += 1;
        for (int d = 0; d <= N_SUBSYSTEMS; d++) s[d] += score_uncapped(p, st, i, d);
    }
    for (int d = 0; d <= N_SUBSYSTEMS; d++) part[d] = s[d];
    part[N_SUBSYSTEMS + 1] = adults;
}

void score_caps_finish(const struct params *p, const double *cap_part, uint32_t n_blocks,
                       double cap[N_SUBSYSTEMS + 1])
{
    assert(cap_part || !score_caps_summed(p));
    if (!p->scoring.group_cap.enabled) {
        for (int d = 0; d <= N_SUBSYSTEMS; d++) cap[d] = p->scoring.max;
        return;
    }
    if (p->scoring.group_cap.mode == CAP_FIXED) {
        for (int d = 0; d <= N_SUBSYSTEMS; d++) cap[d] = p->scoring.group_cap.value;
        return;
    }
    double s[SCORE_CAP_PART] = {0};
    for (uint32_t b = 0; b < n_blocks; b++)
        for (int d = 0; d < SCORE_CAP_PART; d++) s[d] += cap_part[(size_t)b * SCORE_CAP_PART + d];
    for (int d = 0; d <= N_SUBSYSTEMS; d++)
        cap[d] = s[N_SUBSYSTEMS + 1] > 0 ? s[d] / s[N_SUBSYSTEMS + 1] : p->scoring.max;
}

void score_update_caps(const struct world *w, int threads, double *cap_part,
                       double cap[N_SUBSYSTEMS + 1])
{
    const uint32_t nb = (w->pop.n + STATE_BLOCK - 1) / STATE_BLOCK;
    if (score_caps_summed(w->p)) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (uint32_t b = 0; b < nb; b++)
            score_cap_block(w, b, cap_part + (size_t)b * SCORE_CAP_PART);
    }
    score_caps_finish(w->p, cap_part, nb, cap);
}
