/*
 * test_metrics_counts.c - the day's count columns and the cumulative
 * columns of the daily rows (metrics.c) on the hand-built 10-agent world
 * of test_metrics.c: every count column bound to its field (names written
 * out here, so a column bound to the wrong index is caught), the silence
 * ratio and the cross-context share, and the cumulative columns, which are
 * the world's totals (world.h) as they stand: met_measure is a pure
 * function of the world and the engine, so measuring again gives the same
 * rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* ---- day counts ------------------------------------------------------- */

/* Fill the group rows of c with distinct values (day d) and the all row
 * with their sums, as the day step does. */
static void fill_counts(struct day_counts *c, uint32_t n_groups, int64_t d)
{
    memset(c, 0, sizeof *c);
    c->n_rows = n_groups + 1;
    for (uint32_t g = 0; g < n_groups; g++) {
        struct group_counts *gc = &c->row[g];
        int64_t b = 1000 * d + 100 * (int64_t)g;
        for (int a = 0; a < N_ACTIONS; a++) {
            gc->taken[a] = b + 2 * a + 1;
            gc->observed[a] = b + 2 * a;
        }
        for (int e = 0; e < N_EVENTS; e++) {
            gc->scored[e] = b + 40 + 3 * e;
            gc->false_scored[e] = b + 60 + e;
        }
        for (int k = 0; k < N_SANCTIONS; k++) {
            gc->sanctions[k] = b + 70 + 5 * k;
            gc->wrongful[k] = k % 2;
            gc->cross_context[k] = g == 0 ? k : 0; /* none in group 1 */
        }
        gc->rewards = b + 91;
        gc->would_criticise = g == 0 ? 10 : 0; /* group 1: nothing to silence */
        gc->taken[ACT_CRITICISE] = g == 0 ? 4 : 0;
        gc->list_exits = b + 92;
        gc->releases = b + 93;
        gc->exits_settled = b + 94;
        gc->exits_recovered = b + 95;
        gc->exits_expired = b + 96;
        gc->exit_days = 4 * (b + 92); /* 4 days on the list per exit, on average */
        gc->settlements = b + 97;
        gc->settlements_coerced = b + 98;
    }
    struct group_counts *t = &c->row[n_groups];
    for (uint32_t g = 0; g < n_groups; g++) {
        const struct group_counts *gc = &c->row[g];
        for (int a = 0; a < N_ACTIONS; a++) {
            t->taken[a] += gc->taken[a];
            t->observed[a] += gc->observed[a];
        }
        for (int e = 0; e < N_EVENTS; e++) {
            t->scored[e] += gc->scored[e];
            t->false_scored[e] += gc->false_scored[e];
        }
        for (int k = 0; k < N_SANCTIONS; k++) {
            t->sanctions[k] += gc->sanctions[k];
            t->wrongful[k] += gc->wrongful[k];
            t->cross_context[k] += gc->cross_context[k];
        }
        t->rewards += gc->rewards;
        t->would_criticise += gc->would_criticise;
        t->list_exits += gc->list_exits;
        t->releases += gc->releases;
        t->exits_settled += gc->exits_settled;
        t->exits_recovered += gc->exits_recovered;
        t->exits_expired += gc->exits_expired;
        t->exit_days += gc->exit_days;
        t->settlements += gc->settlements;
        t->settlements_coerced += gc->settlements_coerced;
    }
}

/* Written out here, not taken from metrics.c, so that a column bound to
 * the wrong index is caught. */
static const struct {
    const char *name;
    int index;
} action_names[] =
    {
        {"criticise", ACT_CRITICISE},
        {"protest", ACT_PROTEST},
        {"meet", ACT_MEET},
        {"pay", ACT_PAY},
        {"miss", ACT_MISS},
        {"conform", ACT_CONFORM},
        {"travel", ACT_TRAVEL},
        {"school", ACT_SCHOOL},
        {"job", ACT_JOB},
        {"loan", ACT_LOAN},
        {"rail", ACT_RAIL},
},
  event_names[] =
      {
          {"missed_payment", EV_MISSED_PAYMENT}, {"court_judgment", EV_COURT_JUDGMENT},
          {"criticism", EV_CRITICISM},           {"protest", EV_PROTEST},
          {"association", EV_ASSOCIATION},       {"conformity", EV_CONFORMITY},
},
  sanction_names[] = {
      {"list_entries", SA_LISTING},   {"flights_refused", SA_TRAVEL},
      {"school_refused", SA_SCHOOL},  {"social_media_bans", SA_SOCIAL_MEDIA},
      {"jobs_refused", SA_JOB},       {"loans_refused", SA_LOAN},
      {"internments", SA_INTERNMENT}, {"rail_refused", SA_RAIL},
};

/* Every count column of row equals its field in gc. */
static void assert_counts(const struct met_row *row, const struct group_counts *gc)
{
    char name[64];
    assert_int_equal(sizeof action_names / sizeof action_names[0], N_ACTIONS);
    assert_int_equal(sizeof event_names / sizeof event_names[0], N_EVENTS);
    assert_int_equal(sizeof sanction_names / sizeof sanction_names[0], N_SANCTIONS);
    for (int i = 0; i < N_ACTIONS; i++) {
        snprintf(name, sizeof name, "taken_%s", action_names[i].name);
        assert_int_equal(th_col_int(row, name), gc->taken[action_names[i].index]);
        snprintf(name, sizeof name, "observed_%s", action_names[i].name);
        assert_int_equal(th_col_int(row, name), gc->observed[action_names[i].index]);
    }
    for (int i = 0; i < N_EVENTS; i++) {
        snprintf(name, sizeof name, "scored_%s", event_names[i].name);
        assert_int_equal(th_col_int(row, name), gc->scored[event_names[i].index]);
        snprintf(name, sizeof name, "false_%s", event_names[i].name);
        assert_int_equal(th_col_int(row, name), gc->false_scored[event_names[i].index]);
    }
    int64_t sum = 0, wrongful = 0, cross = 0;
    for (int i = 0; i < N_SANCTIONS; i++) {
        int k = sanction_names[i].index;
        assert_int_equal(th_col_int(row, sanction_names[i].name), gc->sanctions[k]);
        sum += gc->sanctions[k];
        wrongful += gc->wrongful[k];
        cross += gc->cross_context[k];
    }
    assert_int_equal(th_col_int(row, "sanctions"), sum);
    assert_int_equal(th_col_int(row, "wrongful_sanctions"), wrongful);
    assert_int_equal(th_col_int(row, "cross_context_sanctions"), cross);
    assert_true(th_col_real(row, "cross_context_share") == (double)cross / (double)sum);
    assert_int_equal(th_col_int(row, "rewards"), gc->rewards);
    assert_int_equal(th_col_int(row, "list_exits"), gc->list_exits);
    assert_int_equal(th_col_int(row, "releases"), gc->releases);
    assert_int_equal(th_col_int(row, "list_exits_settled"), gc->exits_settled);
    assert_int_equal(th_col_int(row, "list_exits_recovered"), gc->exits_recovered);
    assert_int_equal(th_col_int(row, "list_exits_expired"), gc->exits_expired);
    assert_true(th_col_real(row, "list_exit_days_mean") == 4.0);
    assert_int_equal(th_col_int(row, "settlements"), gc->settlements);
    assert_int_equal(th_col_int(row, "settlements_coerced"), gc->settlements_coerced);
    assert_int_equal(th_col_int(row, "criticism_would"), gc->would_criticise);
}

/* The day's counts c added into the cumulative totals t, as the day step
 * does (written out here: the test does not call step.c). */
static void add_totals(struct world_totals *t, const struct day_counts *c, uint32_t n_groups)
{
    for (uint32_t r = 0; r <= n_groups; r++) {
        for (int k = 0; k < N_SANCTIONS; k++) {
            t[r].sanctions += c->row[r].sanctions[k];
            t[r].wrongful_sanctions += c->row[r].wrongful[k];
            t[r].cross_context_sanctions += c->row[r].cross_context[k];
        }
        t[r].flights_refused += c->row[r].sanctions[SA_TRAVEL];
        t[r].rail_refused += c->row[r].sanctions[SA_RAIL];
        t[r].list_exits += c->row[r].list_exits;
        t[r].settlements += c->row[r].settlements;
    }
}

static void test_counts(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    struct day_counts *c = &h.e.counts;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1], *all = &met->rows[2];

    /* Day 0, the initial state: nothing counted, no totals; no ratio. */
    memset(c, 0, sizeof *c);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(met->rows[r].sanctions, 0);
        assert_int_equal(th_col_int(&met->rows[r], "sanctions_cum"), 0);
        assert_true(isnan(th_col_real(&met->rows[r], "cross_context_share")));
        assert_true(isnan(th_col_real(&met->rows[r], "silence_ratio")));
    }

    /* Day 1 */
    fill_counts(c, 2, 1);
    struct day_counts day1 = *c;
    add_totals(h.w.totals, c, 2);
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    for (int r = 0; r < 3; r++) assert_counts(&met->rows[r], &c->row[r]);
    /* silence: group 0 would have posted 10 and posted 4; group 1 nothing */
    assert_true(th_col_real(g0, "silence_ratio") == 1.0 - 4.0 / 10);
    assert_true(isnan(th_col_real(g1, "silence_ratio")));
    assert_true(th_col_real(all, "silence_ratio") == 1.0 - 4.0 / 10);
    /* cross-context: 0+1+...+7 = 28 in group 0 of 1070*8 + 5*28 sanctions
     * on day 1; none of group 1's (a share of 0, not NULL) */
    assert_int_equal(N_SANCTIONS, 8);
    assert_int_equal(g0->cross_context_sanctions, 28);
    assert_true(g0->cross_context_share == 28.0 / (8 * 1070 + 140));
    assert_true(g1->cross_context_share == 0.0);
    assert_int_equal(g0->wrongful_sanctions, 4); /* kinds 1, 3, 5, 7 */
    assert_int_equal(all->wrongful_sanctions, 8);
    assert_int_equal(g0->sanctions_cum, 8 * 1070 + 140);

    /* Day 2: the totals hold both days, and so do the cumulative columns;
     * measuring day 2 again gives the same rows, bit for bit (met_measure
     * is a pure function: it keeps no running sum). */
    fill_counts(c, 2, 2);
    add_totals(h.w.totals, c, 2);
    struct met_row first[3];
    for (int again = 0; again < 2; again++) {
        assert_int_equal(th_hand_measure(&h, 2, &err), SS_OK);
        for (int r = 0; r < 3; r++) {
            const struct group_counts *a = &day1.row[r], *b = &c->row[r];
            int64_t s = 0, wr = 0, x = 0;
            for (int k = 0; k < N_SANCTIONS; k++) {
                s += a->sanctions[k] + b->sanctions[k];
                wr += a->wrongful[k] + b->wrongful[k];
                x += a->cross_context[k] + b->cross_context[k];
            }
            const struct met_row *row = &met->rows[r];
            assert_counts(row, b);
            assert_int_equal(th_col_int(row, "sanctions_cum"), s);
            assert_int_equal(th_col_int(row, "wrongful_sanctions_cum"), wr);
            assert_int_equal(th_col_int(row, "cross_context_sanctions_cum"), x);
            assert_int_equal(th_col_int(row, "flights_refused_cum"),
                             a->sanctions[SA_TRAVEL] + b->sanctions[SA_TRAVEL]);
            assert_int_equal(th_col_int(row, "rail_refused_cum"),
                             a->sanctions[SA_RAIL] + b->sanctions[SA_RAIL]);
            assert_int_equal(th_col_int(row, "list_exits_cum"), a->list_exits + b->list_exits);
            assert_int_equal(th_col_int(row, "settlements_cum"), a->settlements + b->settlements);
        }
        if (again)
            assert_memory_equal(first, met->rows, sizeof first);
        else
            memcpy(first, met->rows, sizeof first);
    }
    assert_int_equal(g0->sanctions_cum, (8 * 1070 + 140) + (8 * 2070 + 140));

    /* The cumulative columns are the world's totals as they stand, whatever
     * the day's counts: totals unrelated to the counts come out as they
     * are, the day's columns unchanged; zero totals (a world at its start)
     * give zero, with the same counts. */
    for (uint32_t r = 0; r < 3; r++)
        h.w.totals[r] = (struct world_totals){.sanctions = 1000 + r,
                                              .wrongful_sanctions = 200 + r,
                                              .cross_context_sanctions = 30 + r,
                                              .flights_refused = 4 + r};
    assert_int_equal(th_hand_measure(&h, 2, &err), SS_OK);
    for (uint32_t r = 0; r < 3; r++) {
        const struct met_row *row = &met->rows[r];
        assert_counts(row, &c->row[r]);
        assert_int_equal(th_col_int(row, "sanctions_cum"), 1000 + r);
        assert_int_equal(th_col_int(row, "wrongful_sanctions_cum"), 200 + r);
        assert_int_equal(th_col_int(row, "cross_context_sanctions_cum"), 30 + r);
        assert_int_equal(th_col_int(row, "flights_refused_cum"), 4 + r);
    }
    memset(h.w.totals, 0, sizeof h.w.totals);
    assert_int_equal(th_hand_measure(&h, 2, &err), SS_OK);
    for (uint32_t r = 0; r < 3; r++) {
        const struct met_row *row = &met->rows[r];
        assert_counts(row, &c->row[r]);
        assert_int_equal(row->sanctions_cum + row->wrongful_sanctions_cum +
                             row->cross_context_sanctions_cum + row->flights_refused_cum,
                         0);
    }
    th_hand_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
