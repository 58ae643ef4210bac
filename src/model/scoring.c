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

#include "run/sim.h"

/* Record an observed missed payment (real or falsely attributed) on day
 * `day` and say whether the court window now holds enough for a judgment;
 * if so, whether any of them was real.
 *
 * A judgment fires as soon as a new miss makes court_missed in the window,
 * and the window only moves forward, so at most court_missed - 1 misses
 * in the window are ever waiting: that is all state.misses holds per agent
 * (none for court_missed == 1, where every observed miss is a judgment). */
static int score_court(struct state *st, const struct params *p, uint32_t i, uint32_t day, int real,
                       int *judgment_real)
{
    uint16_t *m = st->misses + (size_t)i * st->n_misses;
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
        /* At most court_missed - 2 others wait, so a slot is free. */
        assert(free_slot != UINT32_MAX);
        m[free_slot] = (uint16_t)(day | (real ? ST_MISS_REAL : 0u));
        return 0;
    }
    /* The judgment consumes the misses: the same ones never count twice. */
    memset(m, 0, st->n_misses * sizeof *m);
    *judgment_real = any_real;
    return 1;
}

void score_agent(struct sim *sim, uint32_t i, uint32_t day, const struct agent_day *a,
                 struct group_counts *gc)
{
    const struct params *p = sim->p;
    struct state *st = &sim->st;
    const float keep = (float)(1.0 - p->scoring.recovery);
    for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d][i] *= keep;

    int genuine = 0;
    float *fin = st->ledger[SUB_FINANCIAL], *jud = st->ledger[SUB_JUDICIAL],
          *soc = st->ledger[SUB_SOCIAL];
    for (int k = 0; k < a->ev[EV_MISSED_PAYMENT]; k++) {
        int real = k >= a->ev_false[EV_MISSED_PAYMENT];
        fin[i] += (float)p->scoring.points.missed_payment;
        gc->scored[EV_MISSED_PAYMENT]++;
        genuine |= real;
        int judgment_real = 0;
        if (score_court(st, p, i, day, real, &judgment_real)) {
            jud[i] += (float)p->scoring.points.court_judgment;
            gc->scored[EV_COURT_JUDGMENT]++;
            if (!judgment_real) gc->false_scored[EV_COURT_JUDGMENT]++;
        }
    }
    soc[i] += (float)(p->scoring.points.criticism * a->ev[EV_CRITICISM] +
                      p->scoring.points.protest * a->ev[EV_PROTEST] +
                      p->scoring.points.conformity * a->ev[EV_CONFORMITY]);
    gc->scored[EV_CRITICISM] += a->ev[EV_CRITICISM];
    gc->scored[EV_PROTEST] += a->ev[EV_PROTEST];
    gc->scored[EV_CONFORMITY] += a->ev[EV_CONFORMITY];
    genuine |= a->ev[EV_CRITICISM] > a->ev_false[EV_CRITICISM];
    genuine |= a->ev[EV_PROTEST] > a->ev_false[EV_PROTEST];
    if (p->sanctions.association.enabled && a->ev[EV_ASSOCIATION]) {
        soc[i] += (float)(p->scoring.points.association * a->ev[EV_ASSOCIATION]);
        gc->scored[EV_ASSOCIATION] += a->ev[EV_ASSOCIATION];
    }
    if (genuine) st->history[i] |= HI_GENUINE;
}

/* Score d without the cap: d < N_SUBSYSTEMS a domain, else the reported. */
static double score_uncapped(const struct params *p, const struct state *st, uint32_t i, int d)
{
    double sum = 0;
    for (int k = 0; k < N_SUBSYSTEMS; k++) sum += st->ledger[k][i];
    if (d == N_SUBSYSTEMS) return score_clamp(p, p->population.start_score + sum);
    double own = st->ledger[d][i];
    return score_clamp(p, p->population.start_score + own + p->scoring.integration * (sum - own));
}

/* Whether today's caps are the population means (which need sums). */
static int score_caps_summed(const struct params *p)
{
    return p->scoring.group_cap.enabled && p->scoring.group_cap.mode != CAP_FIXED;
}

void score_cap_block(struct sim *sim, uint32_t b)
{
    const struct params *p = sim->p;
    struct state *st = &sim->st;
    if (!score_caps_summed(p)) return;
    /* The population mean of each score, over adults (children take no
     * scored actions), uncapped; summed over fixed blocks in block order so
     * the mean has the same bits for every thread count. */
    const uint32_t n = sim->pop.n;
    uint32_t lo = b * STATE_BLOCK, hi = lo + STATE_BLOCK < n ? lo + STATE_BLOCK : n;
    double s[N_SUBSYSTEMS + 1] = {0}, adults = 0;
    for (uint32_t i = lo; i < hi; i++) {
        if (sim->pop.flags[i] & POP_CHILD) continue;
        adults += 1;
        for (int d = 0; d <= N_SUBSYSTEMS; d++) s[d] += score_uncapped(p, st, i, d);
    }
    double *part = st->cap_part + (size_t)b * (N_SUBSYSTEMS + 2);
    for (int d = 0; d <= N_SUBSYSTEMS; d++) part[d] = s[d];
    part[N_SUBSYSTEMS + 1] = adults;
}

void score_caps_finish(struct sim *sim)
{
    const struct params *p = sim->p;
    struct state *st = &sim->st;
    if (!p->scoring.group_cap.enabled) {
        for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = p->scoring.max;
        return;
    }
    if (p->scoring.group_cap.mode == CAP_FIXED) {
        for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = p->scoring.group_cap.value;
        return;
    }
    const uint32_t nb = st->n_blocks;
    double s[N_SUBSYSTEMS + 2] = {0};
    for (uint32_t b = 0; b < nb; b++)
        for (int d = 0; d < N_SUBSYSTEMS + 2; d++)
            s[d] += st->cap_part[(size_t)b * (N_SUBSYSTEMS + 2) + d];
    for (int d = 0; d <= N_SUBSYSTEMS; d++)
        st->cap[d] = s[N_SUBSYSTEMS + 1] > 0 ? s[d] / s[N_SUBSYSTEMS + 1] : p->scoring.max;
}

void score_update_caps(struct sim *sim)
{
    const uint32_t nb = sim->st.n_blocks;
    if (score_caps_summed(sim->p)) {
#pragma omp parallel for schedule(static)
        for (uint32_t b = 0; b < nb; b++) score_cap_block(sim, b);
    }
    score_caps_finish(sim);
}
