/*
 * sanctions.c - the list, sanctions and ostracism (see sanctions.h).
 *
 * A sanction is wrongful when the agent it falls on has never been scored
 * for a negative act it really did (only false attributions and
 * association penalties), and cross-context when it would not have applied
 * on the points of its own domain alone (docs/model.md sections 5 and 7).
 */
#include "model/sanctions.h"

#include <assert.h>

#include "core/rng.h"
#include "model/scoring.h"

/* A sanction falls on agent i: counted, remembered, and it turns the
 * agent further against the system (clipped once a day, in
 * sanc_household). */
static void sanc_apply(const struct params *p, const struct sanc_out *out, uint32_t i, uint32_t day,
                       int type, int xctx, int genuine, struct group_counts *gc)
{
    gc->sanctions[type]++;
    if (!genuine) gc->wrongful[type]++;
    if (xctx) gc->cross_context[type]++;
    out->history[i] |= HI_SANCTIONED;
    out->attitude[i] += (float)p->behaviour.attitude.per_sanction;
    /* what presses a debtor to settle (enforcement) */
    state_sanction_add(&out->sanctioned[i], &out->sanctioned_last[i], day);
}

static void sanc_reward(const struct params *p, const struct sanc_out *out, uint32_t i,
                        struct group_counts *gc)
{
    gc->rewards++;
    out->attitude[i] += (float)p->behaviour.attitude.per_reward;
}

/* The list, internment and the refusals that depend on the agent alone. */
static void sanc_agent(const struct world *w, uint32_t i, uint32_t day, const struct sanc_out *out,
                       struct group_counts *gc)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    const uint8_t g = w->pop.group[i];
    const uint16_t acts = out->acts[i];
    const int genuine = (st->history[i] & HI_GENUINE) != 0;
    uint8_t s = st->status[i] & (uint8_t) ~(ST_NEW_LISTED | ST_NEW_INTERNED | ST_PROTEST);
    if (acts & AC_PROTEST) s |= ST_PROTEST;

    if ((s & ST_INTERNED) && (int32_t)day > st->interned_until[i]) {
        s &= (uint8_t)~ST_INTERNED;
        gc->releases++;
    }
    const double jud = score_domain(p, st, i, g, SUB_JUDICIAL);
    /* An expired listing is not renewed for what it was for: a new
     * judgment, settling, or a score back above the exit line ends that. */
    if ((s & ST_EXPIRED) && ((acts & (AC_JUDGED | AC_SETTLE)) || jud > p->list.exit_above))
        s &= (uint8_t)~ST_EXPIRED;
    if (s & ST_LISTED) {
        /* Exits (docs/model.md section 6a): settling repairs the judicial score
         * and does not wait for list.min_days; otherwise the score must
         * recover and the listing be old enough; or the listing expires. */
        const int32_t on = (int32_t)day - st->listed_day[i];
        const int settled = (acts & AC_SETTLE) != 0;
        int64_t *cause = NULL;
        if (jud > p->list.exit_above && (settled || on >= p->list.min_days))
            cause = settled ? &gc->exits_settled : &gc->exits_recovered;
        else if (p->list.max_days > 0 && on >= p->list.max_days)
            cause = &gc->exits_expired;
        if (cause) {
            s &= (uint8_t) ~(ST_LISTED | ST_XCTX_LIST);
            if (cause == &gc->exits_expired) s |= ST_EXPIRED;
            gc->list_exits++;
            (*cause)++;
            gc->exit_days += on;
        }
    } else if (jud < p->list.enter_below && !(s & ST_EXPIRED)) {
        int xctx = score_own(p, st, i, SUB_JUDICIAL) >= p->list.enter_below;
        s |= ST_LISTED | ST_NEW_LISTED | (xctx ? ST_XCTX_LIST : 0);
        out->listed_day[i] = state_day16(day);
        out->history[i] |= HI_LISTED;
        sanc_apply(p, out, i, day, SA_LISTING, xctx, genuine, gc);
        if (p->sanctions.social_media_ban.enabled)
            sanc_apply(p, out, i, day, SA_SOCIAL_MEDIA, xctx, genuine, gc);
    }
    const double soc = score_domain(p, st, i, g, SUB_SOCIAL);
    if (p->sanctions.internment.enabled && !(s & ST_INTERNED) &&
        (p->sanctions.internment.groups.mask >> g & 1u) && soc < p->sanctions.internment.below) {
        s |= ST_INTERNED | ST_NEW_INTERNED;
        out->interned_until[i] = state_day16((int64_t)day + p->sanctions.internment.days - 1);
        out->history[i] |= HI_INTERNED;
        int xctx = score_own(p, st, i, SUB_SOCIAL) >= p->sanctions.internment.below;
        sanc_apply(p, out, i, day, SA_INTERNMENT, xctx, genuine, gc);
    }
    out->status[i] = s;

    const int reward_tier =
        p->sanctions.rewards.enabled && score_reported(p, st, i, g) >= p->sanctions.rewards.from;
    if (acts & AC_TRAVEL) {
        if ((s & ST_LISTED) && p->sanctions.travel_ban.enabled)
            sanc_apply(p, out, i, day, SA_TRAVEL, (s & ST_XCTX_LIST) != 0, genuine, gc);
        else if (reward_tier)
            sanc_reward(p, out, i, gc); /* priority */
    }
    if (acts & AC_RAIL) {
        if ((s & ST_LISTED) && p->sanctions.travel_ban.enabled && p->sanctions.travel_ban.rail)
            sanc_apply(p, out, i, day, SA_RAIL, (s & ST_XCTX_LIST) != 0, genuine, gc);
        else if (reward_tier)
            sanc_reward(p, out, i, gc); /* priority */
    }
    if ((acts & AC_JOB) && p->sanctions.job_restriction.enabled &&
        soc < p->sanctions.job_restriction.below)
        sanc_apply(p, out, i, day, SA_JOB,
                   score_own(p, st, i, SUB_SOCIAL) >= p->sanctions.job_restriction.below, genuine,
                   gc);
    if (acts & AC_LOAN) {
        const double fin = score_domain(p, st, i, g, SUB_FINANCIAL);
        if (p->sanctions.loan_denial.enabled && fin < p->sanctions.loan_denial.below)
            sanc_apply(p, out, i, day, SA_LOAN,
                       score_own(p, st, i, SUB_FINANCIAL) >= p->sanctions.loan_denial.below,
                       genuine, gc);
        else if (reward_tier)
            sanc_reward(p, out, i, gc); /* a faster loan */
    }
}

void sanc_household(const struct world *w, uint32_t h, uint32_t day, const struct sanc_out *out,
                    struct day_counts *local)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    assert(h < w->pop.n_households && day >= 1);
    const uint32_t lo = w->pop.hh_start[h], hi = w->pop.hh_start[h + 1];

    int listed_adults = 0, listed_genuine = 0, listed_direct = 0, new_interned = 0;
    for (uint32_t i = lo; i < hi; i++) {
        struct group_counts *gc = &local->row[w->pop.group[i]];
        sanc_agent(w, i, day, out, gc);
        uint8_t s = st->status[i];
        if ((s & ST_LISTED) && !(w->pop.flags[i] & POP_CHILD)) {
            listed_adults++;
            listed_genuine |= (st->history[i] & HI_GENUINE) != 0;
            listed_direct |= !(s & ST_XCTX_LIST);
        }
        new_interned += (s & ST_NEW_INTERNED) != 0;
    }

    const int school_day = (int)((day - 1) % 365) + 1 == p->behaviour.school.day;
    for (uint32_t i = lo; i < hi; i++) {
        struct group_counts *gc = &local->row[w->pop.group[i]];
        /* A child's school place falls with its parents' listing: wrongful
         * if no listed parent was ever scored for something it did,
         * cross-context if every listed parent's listing was. */
        if (school_day && (w->pop.flags[i] & POP_CHILD)) {
            out->acts[i] |= AC_SCHOOL;
            gc->taken[ACT_SCHOOL]++;
            if (listed_adults && p->sanctions.school_ban.enabled)
                sanc_apply(p, out, i, day, SA_SCHOOL, !listed_direct, listed_genuine, gc);
        }
        /* Each household member of a new internee takes an association
         * penalty: a point loss for what someone else did. */
        int others = new_interned - ((st->status[i] & ST_NEW_INTERNED) != 0);
        if (others > 0 && p->sanctions.association.enabled && score_covered(w, i, SUB_SOCIAL)) {
            out->social_ledger[i] += (float)(p->sanctions.internment.household_penalty * others);
            gc->scored[EV_ASSOCIATION] += others;
        }
        double att = out->attitude[i] + p->behaviour.attitude.messaging;
        out->attitude[i] = (float)(att < 0 ? 0 : att > 1 ? 1 : att);
    }
}

/* Cut tie (i, j) of layer l (entry e of i's row) if nobody has yet: the
 * compare-and-swap on the lower id's entry decides who cuts, so the hook
 * hears of each tie once even when both ends cut at the same time. */
static void sanc_cut(struct network *net, uint32_t l, uint32_t i, uint32_t j, net_off_t e,
                     const struct sanc_cut_hook *hook)
{
    struct layer *ly = &net->layer[l];
    net_off_t f = ly->off[j];
    while (f < ly->off[j + 1] && __atomic_load_n(&ly->adj[f], __ATOMIC_RELAXED) != i) f++;
    if (f == ly->off[j + 1]) return; /* j's side already cut */
    net_off_t lower = i < j ? e : f, upper = i < j ? f : e;
    uint32_t expect = i < j ? j : i;
    if (!__atomic_compare_exchange_n(&ly->adj[lower], &expect, NET_CUT, 0, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&ly->adj[upper], NET_CUT, __ATOMIC_RELAXED);
    if (hook) hook->cut(hook->ctx, l, i, j);
}

void sanc_ostracism(const struct world *w, uint32_t day, int threads, struct network *net,
                    const struct sanc_cut_hook *hook)
{
    const struct params *p = w->p;
    if (!p->sanctions.ostracism.enabled) return;
    const struct state *st = &w->st;
    const uint32_t n = w->pop.n;
    assert(net == &w->net && day >= 1);
    /* Two newly listed neighbours may cut their tie from both sides at
     * once: every access to adj here is atomic, and whether a tie is cut
     * does not depend on who cut it first, so the result is the same
     * whatever the order. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1024)
    for (uint32_t i = 0; i < n; i++) {
        if (!(st->status[i] & ST_NEW_LISTED)) continue;
        for (uint32_t l = 0; l < net->n_layers; l++) {
            struct layer *ly = &net->layer[l];
            if (ly->generator == GEN_HOUSEHOLD) continue;
            for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
                uint32_t j = __atomic_load_n(&ly->adj[e], __ATOMIC_RELAXED);
                if (j == NET_CUT) continue;
                uint32_t c[4] = {j, day, RS_OSTRACISM, i}, r[4];
                rng_block(p->seed, c, r);
                double pc =
                    p->sanctions.ostracism.base + p->sanctions.ostracism.fear_weight * st->fear[j];
                if (r[0] >= rng_threshold(pc)) continue;
                sanc_cut(net, l, i, j, e, hook);
            }
        }
    }
}
