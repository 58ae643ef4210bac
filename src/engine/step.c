/*
 * step.c - the day step: the pipeline of phases over the world (see
 * engine.h), and the model's invariants, checked after every day in a
 * debug build.
 *
 * Each phase is one call that names what it writes: the world's arrays
 * through an out struct or a pointer, the engine's scratch, the thread's
 * tallies. Everything else it reads through a const world.
 */
#include <assert.h>
#include <omp.h>
#include <string.h>

#include "engine/engine.h"
#include "model/sanctions.h"
#include "model/scoring.h"
#include "scenario/schedule.h"

/* Act, observe and score, block by block of STATE_BLOCK agents: each
 * agent's phases touch only its own entries and read what its contacts
 * were at the end of yesterday. */
static void step_agents(struct engine *e, struct world *w, uint32_t day)
{
    const uint32_t n = w->pop.n, ng = w->pop.n_groups, nblocks = e->n_blocks;
    const int fast = e->xp.enabled;
    struct state *st = &w->st;
    const struct score_out score = {
        .ledger = {st->ledger[0], st->ledger[1], st->ledger[2]},
        .misses = st->misses,
        .debt = st->debt,
        .history = st->history,
    };
    _Static_assert(N_SUBSYSTEMS == 3, "score_out's initialiser lists every ledger");
    const struct world *cw = w;
    int team = 1;
#pragma omp parallel num_threads(e->threads)
    {
        struct day_counts local;
        tally_clear(&local, ng);
        struct eng_scratch *draw = &e->draw[omp_get_thread_num()];
#pragma omp single nowait
        team = omp_get_num_threads();
#pragma omp for schedule(dynamic, 4)
        for (uint32_t b = 0; b < nblocks; b++) {
            uint32_t lo = b * STATE_BLOCK, hi = lo + STATE_BLOCK < n ? lo + STATE_BLOCK : n;
            beh_block_draws(cw->p, lo, hi, day, &draw->beh);
            surv_block_draws(cw->p, lo, hi, day, &draw->surv);
            for (uint32_t i = lo; i < hi; i++) {
                struct group_counts *gc = &local.row[cw->pop.group[i]];
                struct agent_day a = {0};
                if (!(st->status[i] & ST_INTERNED)) {
                    struct beh_exposure x;
                    if (fast)
                        expo_get(&e->xp, e->met_listed, i, &x);
                    else
                        beh_expose(cw, i, day, &x);
                    beh_agent(cw, &e->trig, &draw->beh, i, day, &x, st->fear, &a, gc);
                    surv_agent(cw, i, day, draw->surv.cand[i - lo], &a, gc);
                }
                score_agent(cw, i, day, &a, &score, gc);
                e->acts[i] = a.acts;
            }
            /* while the block's scores are in cache */
            if (fast) score_cap_block(cw, b, e->cap_part + (size_t)b * SCORE_CAP_PART);
        }
#pragma omp critical
        tally_add(&e->counts, &local, ng);
    }
    e->team = team;
}

/* The list and sanctions, household by household; the fast step first
 * keeps every agent's status, for expo_propagate (one copy, block by
 * block, before any household changes). */
static void step_households(struct engine *e, struct world *w, uint32_t day)
{
    const uint32_t nh = w->pop.n_households, ng = w->pop.n_groups;
    struct state *st = &w->st;
    const struct sanc_out out = {
        .status = st->status,
        .history = st->history,
        .listed_day = st->listed_day,
        .interned_until = st->interned_until,
        .attitude = st->attitude,
        .social_ledger = st->ledger[SUB_SOCIAL],
        .sanctioned = st->sanctioned,
        .sanctioned_last = st->sanctioned_last,
        .acts = e->acts,
    };
    uint8_t *before = e->xp.enabled ? e->status_before : NULL;
    const struct world *cw = w;
    const uint32_t n = w->pop.n, nblocks = e->n_blocks;
#pragma omp parallel num_threads(e->threads)
    {
        struct day_counts local;
        tally_clear(&local, ng);
        if (before) {
#pragma omp for schedule(static)
            for (uint32_t b = 0; b < nblocks; b++) {
                uint32_t lo = b * STATE_BLOCK, hi = lo + STATE_BLOCK < n ? lo + STATE_BLOCK : n;
                memcpy(before + lo, st->status + lo, hi - lo);
            }
        } /* the loop's barrier: every status is kept before any changes */
#pragma omp for schedule(dynamic, 1024)
        for (uint32_t h = 0; h < nh; h++) sanc_household(cw, h, day, &out, &local);
#pragma omp critical
        tally_add(&e->counts, &local, ng);
    }
}

/* The parameters in force today, if the schedule changes any; the model's
 * response to a change of a surveillance channel's reach: who it watches
 * is drawn again (the same fixed draws, so a wider coverage only adds
 * agents). */
static void step_schedule(struct engine *e, struct world *w, uint32_t day)
{
    if (!w->base || !w->base->schedule.n || !sched_changes(w->base, (int32_t)day)) return;
    struct channel_params before[N_CHANNELS];
    memcpy(before, w->params.surveillance, sizeof before);
    sched_params_at(w->base, (int32_t)day, &w->params);
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        const struct channel_params *a = &before[ch], *b = &w->params.surveillance[ch];
        int same = a->enabled == b->enabled;
        for (uint32_t g = 0; g < MAX_GROUPS && same; g++)
            same = a->coverage_g[g] == b->coverage_g[g];
        if (!same) {
            surv_init_coverage(w, e->threads, w->st.watched);
            return;
        }
    }
}

/* Today's counts into the world's cumulative totals. */
static void step_totals(const struct day_counts *c, uint32_t n_groups, struct world_totals *t)
{
    for (uint32_t r = 0; r <= n_groups; r++) {
        const struct group_counts *gc = &c->row[r];
        for (int k = 0; k < N_SANCTIONS; k++) {
            t[r].sanctions += gc->sanctions[k];
            t[r].wrongful_sanctions += gc->wrongful[k];
            t[r].cross_context_sanctions += gc->cross_context[k];
        }
        t[r].flights_refused += gc->sanctions[SA_TRAVEL];
        t[r].rail_refused += gc->sanctions[SA_RAIL];
        t[r].list_exits += gc->list_exits;
        t[r].settlements += gc->settlements;
    }
}

#ifndef NDEBUG
/* The model's invariants, checked after every day in a debug build. */
static void step_check_invariants(const struct engine *e, const struct world *w, uint32_t day)
{
    const struct params *p = w->p;
    const struct state *st = &w->st;
    for (uint32_t i = 0; i < w->pop.n; i++) {
        const uint8_t g = w->pop.group[i], s = st->status[i];
        for (int d = 0; d < N_SUBSYSTEMS; d++) {
            double x = score_domain(p, st, i, g, d);
            assert(x >= p->scoring.min && x <= p->scoring.max);
        }
        double r = score_reported(p, st, i, g);
        assert(r >= p->scoring.min && r <= p->scoring.max);
        assert(st->fear[i] >= 0 && st->fear[i] <= 1);
        assert(st->attitude[i] >= 0 && st->attitude[i] <= 1);
        /* The list matches its rules: an unlisted agent is above the entry
         * line (unless a household member's internment cost it points after
         * the decision), and a listed one has not yet met the exit rule. */
        double jud = score_domain(p, st, i, g, SUB_JUDICIAL);
        if (s & ST_LISTED) {
            const int32_t on = (int32_t)day - st->listed_day[i];
            const int settled = (e->acts[i] & AC_SETTLE) != 0;
            assert(st->listed_day[i] <= day);
            assert((s & ST_NEW_LISTED) ||
                   (!(jud > p->list.exit_above && (settled || on >= p->list.min_days)) &&
                    !(p->list.max_days > 0 && on >= p->list.max_days)));
            (void)on, (void)settled;
        } else {
            int hh_penalty = 0;
            uint32_t h = pop_household(&w->pop, i);
            for (uint32_t k = w->pop.hh_start[h]; k < w->pop.hh_start[h + 1]; k++)
                hh_penalty |= (st->status[k] & ST_NEW_INTERNED) != 0;
            assert(jud >= p->list.enter_below || hh_penalty || (s & ST_EXPIRED));
        }
        /* Interned agents are removed from all contact: they did nothing.
         * Except an agent interned today, which acted in the agent pass
         * before the household pass interned it. */
        /* expo_get consumed every meeting count (expo_meet needs zeros). */
        assert(!e->met_listed || e->met_listed[i] == 0);
        if (s & ST_INTERNED) {
            assert(st->interned_until[i] >= day);
            assert((s & ST_NEW_INTERNED) || (!(e->acts[i] & ~AC_SCHOOL) && !(s & ST_PROTEST)));
        }
    }
    /* Counts add up across groups. */
    const struct day_counts *c = &e->counts;
    int64_t listings = 0;
    for (uint32_t g = 0; g < w->pop.n_groups; g++) listings += c->row[g].sanctions[SA_LISTING];
    assert(listings == c->row[w->pop.n_groups].sanctions[SA_LISTING]);
    (void)listings;
}
#endif

int eng_step(struct engine *e, struct world *w, struct ss_error *err)
{
    const uint32_t day = (uint32_t)w->day + 1, ng = w->pop.n_groups;
    assert(w->p && e->threads >= 1 && e->acts && day <= ST_DAY_MAX);
    tally_clear(&e->counts, ng);
    step_schedule(e, w, day);
    beh_prepare_day(&e->trig, w, day);
    /* who meets whom, from yesterday's state */
    expo_meet(&e->xp, w, day, e->threads, e->met_listed, e->contacts, &e->counts);
    step_agents(e, w, day); /* act, observe, score */
    if (e->xp.enabled)      /* the group cap follows today's scores */
        score_caps_finish(w->p, e->cap_part, e->n_blocks, w->st.cap);
    else
        score_update_caps(w, e->threads, e->cap_part, w->st.cap);
    step_households(e, w, day); /* list, sanction, reward */
    if (e->xp.enabled) expo_propagate(&e->xp, w, e->status_before, e->threads);
    struct expo_cutter cutter = {&e->xp, w};
    const struct sanc_cut_hook hook = {expo_on_cut, &cutter};
    sanc_ostracism(w, day, e->threads, &w->net, &hook); /* contacts of the newly listed */
    tally_total(&e->counts, ng);
    step_totals(&e->counts, ng, w->totals);
    w->day = (int)day;
#ifndef NDEBUG
    step_check_invariants(e, w, day);
    return expo_check(&e->xp, w, e->threads, err);
#else
    (void)err;
    return SS_OK;
#endif
}
