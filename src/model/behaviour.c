/*
 * behaviour.c - agents' daily acts (see behaviour.h).
 *
 * Draws: criticism, conformity, flights, job changes, loan requests and
 * rail bookings come from one skip stream per act and block
 * (beh_block_draws); leaving a protest is drawn per protester (RS_LEAVE),
 * a missed payment per obligation due (RS_PAY), a settlement per agent
 * with an unpaid judgment (RS_SETTLE). A stream or key per act means that
 * switching an act off leaves every other act's luck unchanged.
 */
#include "model/behaviour.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "model/scoring.h"

static int beh_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Eligible for a random trigger: an adult who rejects the system strongly
 * enough and is not interned. */
static int beh_eligible(const struct world *w, uint32_t i)
{
    return !(w->pop.flags[i] & POP_CHILD) &&
           w->st.attitude[i] > w->p->behaviour.protest.trigger.min_attitude &&
           !(w->st.status[i] & ST_INTERNED);
}

int beh_init(struct beh_trigger *t, const struct world *w, struct mem *m, struct ss_error *err)
{
    const struct params *p = w->p;
    memset(t, 0, sizeof *t);
    if (p->behaviour.protest.trigger.days.n == 0) return SS_OK;
    if (p->behaviour.protest.trigger.ids.n) {
        t->cap = p->behaviour.protest.trigger.ids.n;
    } else {
        if (p->behaviour.protest.trigger.count == 0 && p->behaviour.protest.trigger.share <= 0)
            return SS_OK;
        /* At most share x eligible, rounded up, and the eligible are at most
         * everyone: sized for that, not for every agent. */
        double most = p->behaviour.protest.trigger.count
                          ? (double)p->behaviour.protest.trigger.count
                          : ceil(p->behaviour.protest.trigger.share * w->pop.n) + 1;
        t->cap = most < w->pop.n ? (uint32_t)most : w->pop.n;
    }
    if (t->cap == 0) return SS_OK;
    t->ids = mem_alloc_array(m, t->cap, sizeof *t->ids);
    if (!t->ids) return err_nomem(err, "preparing protest triggers");
    return SS_OK;
}

void beh_free(struct beh_trigger *t, struct mem *m)
{
    mem_free(m, t->ids);
    memset(t, 0, sizeof *t);
}

void beh_prepare_day(struct beh_trigger *t, const struct world *w, uint32_t day)
{
    const struct params *p = w->p;
    assert(day >= 1 && (t->ids || t->cap == 0));
    t->active = 0;
    t->n = 0;
    t->asked = t->eligible = 0;
    if (!t->ids) return;
    for (uint32_t k = 0; k < p->behaviour.protest.trigger.days.n; k++)
        if (p->behaviour.protest.trigger.days.v[k] == (int64_t)day) t->active = 1;
    if (!t->active) return;
    if (p->behaviour.protest.trigger.ids.n) {
        /* Named agents protest whatever their attitude, but a child or an
         * internee takes no part in the day's acts at all. */
        t->asked = p->behaviour.protest.trigger.ids.n;
        for (uint32_t k = 0; k < p->behaviour.protest.trigger.ids.n; k++) {
            uint32_t i = (uint32_t)p->behaviour.protest.trigger.ids.v[k];
            t->ids[t->n++] = i;
            t->eligible += !(w->pop.flags[i] & POP_CHILD) && !(w->st.status[i] & ST_INTERNED);
        }
    } else {
        /* MODEL.md: "0.1% of agents with attitude > 0.7": a share of the
         * eligible, drawn exactly rather than agent by agent. */
        uint32_t m = 0;
        for (uint32_t i = 0; i < w->pop.n; i++) m += beh_eligible(w, i);
        struct rng r;
        rng_init(&r, p->seed, 0, day, RS_TRIGGER_DAY);
        uint32_t k = p->behaviour.protest.trigger.count;
        t->asked = k;
        t->eligible = m;
        if (k == 0) {
            /* Rounded at random, up with probability equal to the fraction,
             * so the expected number is share x eligible at every population
             * size. A share that is a whole number of the eligible as
             * configured (0.07 of 100) takes that number, though the product
             * rounds off it in double (7.000000000000001): the whole number
             * divided by m is then the configured double itself. */
            const double share = p->behaviour.protest.trigger.share;
            double want = share * m, u = rng_uniform(&r), whole = nearbyint(want);
            k = m > 0 && whole / m == share ? (uint32_t)whole : (uint32_t)floor(want + u);
        }
        if (k > m) k = m;
        if (k > t->cap) k = t->cap; /* cannot happen: cap bounds k (beh_init) */
        /* k of the m eligible, uniformly, in id order (selection sampling,
         * Knuth's Algorithm S): needs room for the k chosen only. */
        uint32_t seen = 0;
        for (uint32_t i = 0; i < w->pop.n && t->n < k; i++) {
            if (!beh_eligible(w, i)) continue;
            if ((double)(m - seen) * rng_uniform(&r) < (double)(k - t->n)) t->ids[t->n++] = i;
            seen++;
        }
    }
    qsort(t->ids, t->n, sizeof *t->ids, beh_cmp_u32);
}

int beh_trigger_short(const struct beh_trigger *t, const struct params *p)
{
    if (!t->active) return 0;
    if (p->behaviour.protest.trigger.ids.n || p->behaviour.protest.trigger.count)
        return t->eligible < t->asked;
    return t->eligible == 0 && p->behaviour.protest.trigger.share > 0;
}

static int beh_triggered(const struct beh_trigger *t, uint32_t i)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->ids[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->ids[lo] == i;
}

int beh_tie_active(const struct world *w, uint32_t l, uint32_t i, uint32_t j, uint32_t day)
{
    const double p = w->p->network.layers[l].contact;
    if (!(p > 0)) return 0;
    if (p >= 1.0) return 1;
    uint32_t c[4] = {i < j ? i : j, day, RS_CONTACT + l, i < j ? j : i}, r[4];
    rng_block(w->p->seed, c, r);
    return r[0] < rng_threshold(p);
}

void beh_expose(const struct world *w, uint32_t i, uint32_t day, struct beh_exposure *x)
{
    assert(i < w->pop.n && day >= 1);
    const uint8_t *status = w->st.status;
    const int assoc = w->p->sanctions.association.enabled;
    memset(x, 0, sizeof *x);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *ly = &w->net.layer[l];
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT) continue;
            uint8_t s = status[j];
            x->ties++;
            if (s & (ST_LISTED | ST_INTERNED)) x->sanctioned++;
            if (s & ST_INTERNED) continue;
            x->present++;
            if (s & ST_PROTEST) x->protesting++;
            if (assoc && (s & ST_LISTED) && beh_assoc_counts(w->p, w->st.listed_day[j], day) &&
                beh_tie_active(w, l, i, j, day) && x->met_listed < UINT16_MAX)
                x->met_listed++;
        }
    }
}

/* Proximity to the list: 0 at or above proximity_top, 1 at or below
 * proximity_bottom, linear between, from the lowest domain score. */
static double beh_proximity(const struct world *w, uint32_t i)
{
    const struct params *p = w->p;
    uint8_t g = w->pop.group[i];
    double low = score_domain(p, &w->st, i, g, 0);
    for (int d = 1; d < N_SUBSYSTEMS; d++) {
        double s = score_domain(p, &w->st, i, g, d);
        if (s < low) low = s;
    }
    double top = p->behaviour.fear.proximity_top, bottom = p->behaviour.fear.proximity_bottom;
    if (low >= top) return 0.0;
    if (low <= bottom) return 1.0;
    return (top - low) / (top - bottom);
}

/* Whether an obligation falls due today: every payment_period days, at a
 * phase fixed per agent by a hash of its id (so due days are spread). */
static int beh_payment_due(const struct params *p, uint32_t i, uint32_t day)
{
    uint64_t z = (uint64_t)i + p->seed * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    uint32_t period = (uint32_t)p->behaviour.payment.period;
    return (day + (uint32_t)(z % period)) % period == 0;
}

/* Settlement (MODEL.md section 6a): an agent with unpaid judgments settles
 * them all today with probability base + pressure x (sanctions it
 * suffered in the window before today, at most max_sanctions); coerced if
 * it is listed or was sanctioned within the window. */
static void beh_settle(const struct world *w, uint32_t i, uint32_t day, struct agent_day *a,
                       struct group_counts *gc)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    const uint32_t window = (uint32_t)p->enforcement.settlement.window;
    const uint16_t last = st->sanctioned_last[i];
    uint32_t k = state_sanctions_before(st->sanctioned[i], last, day, window);
    if (k > (uint32_t)p->enforcement.settlement.max_sanctions)
        k = (uint32_t)p->enforcement.settlement.max_sanctions;
    const double q =
        p->enforcement.settlement.base + p->enforcement.settlement.pressure * (double)k;
    uint32_t c[4] = {i, day, RS_SETTLE, 0}, r[4];
    rng_block(p->seed, c, r);
    if (!(r[0] < rng_threshold(q))) return;
    a->acts |= AC_SETTLE;
    gc->settlements++;
    if ((st->status[i] & ST_LISTED) || (last != 0 && last + window >= day))
        gc->settlements_coerced++;
}

void beh_block_draws(const struct params *p, uint32_t lo, uint32_t hi, uint32_t day,
                     struct beh_block *b)
{
    const uint32_t len = hi - lo;
    assert(lo % STATE_BLOCK == 0 && hi > lo && len <= STATE_BLOCK);
    b->lo = lo;
    b->hi = hi;
    memset(b->cand, 0, len * sizeof *b->cand);
    const double rate[N_BLOCK_ACTS] = {
        [BA_CRITICISE] = p->behaviour.criticise.rate,
        [BA_CONFORM] = p->behaviour.conform.rate,
        [BA_TRAVEL] = p->behaviour.travel.rate,
        [BA_JOB] = p->behaviour.job_change.rate / 365.0,
        [BA_LOAN] = p->behaviour.loan.rate,
        [BA_RAIL] = p->behaviour.rail.rate,
    };
    struct rng r;
    for (int k = 0; k < N_BLOCK_ACTS; k++) {
        if (!(rate[k] > 0)) continue;
        rng_init(&r, p->seed, lo, day, RS_BLOCK_ACT + (uint32_t)k);
        for (uint64_t at = rng_geometric(&r, rate[k]); at < len;
             at += 1 + rng_geometric(&r, rate[k])) {
            b->cand[at] |= (uint8_t)(1u << k);
            if (k == BA_CRITICISE || k == BA_CONFORM) b->u[k][at] = rng_uniform(&r);
        }
    }
}

void beh_agent(const struct world *w, const struct beh_trigger *t, const struct beh_block *b,
               uint32_t i, uint32_t day, const struct beh_exposure *x, float *fear_out,
               struct agent_day *a, struct group_counts *gc)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    const uint8_t status = st->status[i];
    const int child = w->pop.flags[i] & POP_CHILD;
    /* Interned agents are removed from all contact: the step skips them. */
    assert(i < w->pop.n && i >= b->lo && i < b->hi && day >= 1);
    assert(!(status & ST_INTERNED) && a->acts == 0);
    a->met_listed = (uint16_t)(x->met_listed < UINT16_MAX ? x->met_listed : UINT16_MAX);

    /* Fear moves toward today's signal (MODEL.md section 3). */
    if (p->behaviour.fear.enabled) {
        double share = x->ties ? (double)x->sanctioned / x->ties : 0.0;
        double signal = p->behaviour.fear.sanctioned_weight * share +
                        p->behaviour.fear.proximity_weight * beh_proximity(w, i);
        if (signal > 1.0) signal = 1.0;
        fear_out[i] = (float)((1.0 - p->behaviour.fear.memory) * st->fear[i] +
                              p->behaviour.fear.memory * signal);
    }
    const double fear = fear_out[i];
    if (child) return; /* children take no scored actions; school is handled per household */

    const uint32_t k = i - b->lo;
    const uint8_t cand = b->cand[k];
    const double att = st->attitude[i];

    /* Criticise: one draw u compared twice, so the gap between what the
     * agent would say and what it says is exact (preference falsification):
     * a candidate (probability rate) would speak if u < attitude, and does
     * if u < attitude x (1 - fear). */
    if ((cand & BC_CRITICISE) && (w->pop.flags[i] & POP_ONLINE)) {
        double u = b->u[BA_CRITICISE][k];
        if (u < att) {
            a->acts |= AC_WOULD_CRITICISE;
            gc->would_criticise++;
            int banned = (status & ST_LISTED) && p->sanctions.social_media_ban.enabled;
            if (!banned && u < att * (1.0 - fear)) {
                a->acts |= AC_CRITICISE;
                gc->taken[ACT_CRITICISE]++;
            }
        }
    }

    /* Protest: Granovetter's threshold rule over contacts present, raised
     * by fear; protesters leave with a daily probability; triggers. Unless
     * protest is spontaneous, joining needs someone to join: a threshold of
     * 0 makes an agent the first to follow, not an instigator. The share
     * meets a configured threshold exactly: the threshold is the
     * configured double (pop_threshold), and protesting / present is the
     * double nearest the true share, so when the two are the same number
     * (1 / 5 and 0.2) they are the same double. (threshold x present would
     * not do: 0.55 x 20 is 11.000000000000002.) */
    int protest = 0;
    if (status & ST_PROTEST) {
        uint32_t c[4] = {i, day, RS_LEAVE, 0}, r[4];
        rng_block(p->seed, c, r);
        protest = !(r[0] < rng_threshold(p->behaviour.protest.leave));
    } else if (x->protesting > 0 || p->behaviour.protest.spontaneous) {
        double need = pop_threshold(&w->pop, i) * (1.0 + fear);
        double seen = p->population.threshold_unit == THRESH_COUNT
                          ? (double)x->protesting
                          : (x->present ? (double)x->protesting / x->present : 0.0);
        protest = seen >= need;
    }
    if (!protest && t->active) protest = beh_triggered(t, i);
    if (protest) {
        a->acts |= AC_PROTEST;
        gc->taken[ACT_PROTEST]++;
    }

    if (beh_payment_due(p, i, day)) {
        a->acts |= AC_PAY_DUE;
        gc->taken[ACT_PAY]++;
        uint32_t c[4] = {i, day, RS_PAY, 0}, r[4];
        rng_block(p->seed, c, r);
        if (!(r[0] < rng_threshold(pop_reliability(&w->pop, i)))) {
            a->acts |= AC_MISS;
            gc->taken[ACT_MISS]++;
        }
    }
    if ((cand & BC_CONFORM) && b->u[BA_CONFORM][k] < 1.0 - att) {
        a->acts |= AC_CONFORM;
        gc->taken[ACT_CONFORM]++;
    }
    if (cand & BC_TRAVEL) {
        a->acts |= AC_TRAVEL;
        gc->taken[ACT_TRAVEL]++;
    }
    if (cand & BC_JOB) {
        a->acts |= AC_JOB;
        gc->taken[ACT_JOB]++;
    }
    if (cand & BC_LOAN) {
        a->acts |= AC_LOAN;
        gc->taken[ACT_LOAN]++;
    }
    if (cand & BC_RAIL) {
        a->acts |= AC_RAIL;
        gc->taken[ACT_RAIL]++;
    }
    if (p->enforcement.enabled && st->debt[i]) beh_settle(w, i, day, a, gc);
}
