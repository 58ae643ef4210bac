/*
 * test_metrics.c - the daily figures (metrics.c) on a hand-built 10-agent
 * world (th_hand_tiny): every figure checked against values worked out by
 * hand (scores, percentiles, tiers at their boundaries, the group cap, the
 * list, the network and its components, disparate impact, NULLs), and the
 * edge cases: the reference group, a very wide score range, a state not
 * allocated, the days the largest component is measured, ties between
 * components, an empty group, allocation failures.
 *
 * The world (struct world) is built array by array and the engine is a
 * zeroed struct engine whose counts and contacts the test fills, and only
 * met_* functions are called, so the test does not depend on the
 * population and network generators or on the day step. The day's counts
 * and cumulative columns are test_metrics_counts.c's; a large random world
 * against a slow computation is test_metrics_random.c's; the docs are
 * test_metrics_docs.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

static void test_tiny_world(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(met->n_rows, 3);
    assert_int_equal(met->n_layer_rows, 6);
    assert_int_equal(met->component_every, 30);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);

    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1], *all = &met->rows[2];
    assert_int_equal(g0->day, 0);
    assert_int_equal(g0->group, 0);
    assert_int_equal(g1->group, 1);
    assert_int_equal(all->group, -1);

    assert_int_equal(g0->agents, 6);
    assert_int_equal(g1->agents, 4);
    assert_int_equal(all->agents, 10);
    assert_int_equal(g0->children, 2);
    assert_int_equal(g1->children, 1);
    assert_int_equal(all->children, 3);
    assert_int_equal(g0->online, 3);
    assert_int_equal(g1->online, 2);
    assert_int_equal(all->online, 5);

    /* Dyadic values: the sums are exact. */
    assert_true(g0->attitude_mean == 2.625 / 6);
    assert_true(g1->attitude_mean == 2.375 / 4);
    assert_true(all->attitude_mean == 0.5);
    assert_true(g0->support_rate == 0.5);  /* 0.125 0.25 0.375 */
    assert_true(g1->support_rate == 0.25); /* 0.25 */
    assert_true(all->support_rate == 0.4);
    assert_true(g0->reliability_mean == 4.75 / 6);
    assert_true(g1->reliability_mean == 0.75);
    assert_true(all->reliability_mean == 7.75 / 10);
    assert_true(g0->threshold_mean == 0.25);
    assert_true(g1->threshold_mean == 0.3125);
    assert_true(all->threshold_mean == 2.75 / 10);

    /* Group 0: home 12 ends, all in-group; work 0-7, 2-3, 3-2, 5-6: 4 ends,
     * 2 in-group; 1's work tie is cut. Group 1: home 4, work 6-5, 7-0 (out);
     * 8's work tie is cut. */
    assert_int_equal(g0->ties, 16);
    assert_int_equal(g1->ties, 6);
    assert_int_equal(all->ties, 22);
    assert_true(g0->degree_mean == 16.0 / 6);
    assert_true(g1->degree_mean == 1.5);
    assert_true(all->degree_mean == 2.2);
    assert_true(g0->in_group_share == 14.0 / 16);
    assert_true(g1->in_group_share == 4.0 / 6);
    assert_true(all->in_group_share == 18.0 / 22);
    assert_int_equal(g0->ties_cut, 1);
    assert_int_equal(g1->ties_cut, 1);
    assert_int_equal(all->ties_cut, 2);
    assert_int_equal(g0->contacts, 7);
    assert_int_equal(g1->contacts, 4);
    assert_int_equal(all->contacts, 11);

    /* One component {0..7} of 8; {8,9} apart (1-8 is cut). */
    assert_true(g0->largest_component_share == 1.0);
    assert_true(g1->largest_component_share == 0.5);
    assert_true(all->largest_component_share == 0.8);

    /* The initial state: everyone at 1000 (tier A), nothing listed or
     * counted; ratios over nothing are NULL. */
    for (int r = 0; r < 3; r++) {
        const struct met_row *row = &met->rows[r];
        assert_true(row->score_mean == 1000);
        for (int i = 0; i < 5; i++) assert_true(row->score_p[i] == 1000);
        for (int d = 0; d < N_SUBSYSTEMS; d++) assert_true(row->domain_mean[d] == 1000);
        assert_int_equal(row->tier[TIER_A], row->agents);
        assert_true(row->fear_mean == 0);
        assert_int_equal(row->listed + row->interned + row->ever_sanctioned + row->protesters, 0);
        assert_int_equal(row->sanctions + row->sanctions_cum, 0);
        assert_true(isnan(row->silence_ratio));
        assert_true(isnan(row->cross_context_share));
        assert_true(row->listed_rate == 0);
        assert_true(isnan(row->di_listed)); /* the reference's rate is 0 */
        assert_true(isnan(row->di_sanctioned));
    }
    assert_int_equal(met->ref_group, 0);

    /* Layer rows: row r, layer l at r * 2 + l. */
    static const struct {
        int64_t ties;
        double degree, in_group;
        int64_t contacts;
    } want[6] = {
        {12, 2.0, 1.0, 5}, {4, 4.0 / 6, 0.5, 2}, /* group 0 */
        {4, 1.0, 1.0, 3},  {2, 0.5, 0.0, 1},     /* group 1 */
        {16, 1.6, 1.0, 8}, {6, 0.6, 2.0 / 6, 3}, /* all */
    };
    for (int i = 0; i < 6; i++) {
        const struct met_layer_row *lr = &met->layer_rows[i];
        assert_int_equal(lr->day, 0);
        assert_int_equal(lr->group, i / 2 == 2 ? -1 : i / 2);
        assert_int_equal(lr->layer, i % 2);
        assert_int_equal(lr->ties, want[i].ties);
        assert_true(lr->degree_mean == want[i].degree);
        assert_true(lr->in_group_share == want[i].in_group);
        assert_int_equal(lr->contacts, want[i].contacts);
    }
    th_hand_free(&h);
}

/* ---- scores, tiers, the list ----------------------------------------- */

/*
 * Ledgers (financial, judicial, social) of the 10-agent world, chosen so
 * the reported scores (1000 + the sum) sit on the tier boundaries:
 *
 *   agent  ledgers              reported  tier     domain f / j / s (integration 0.5)
 *   0      0      0     0       1000      A        1000   / 1000   / 1000
 *   1      0      0     50      1050      AAA      1025   / 1025   / 1050
 *   2      0      0     30      1030      AA       1015   / 1015   / 1030
 *   3      -40    0     0       960       A        960    / 980    / 980
 *   4      0      -150  0       850       B        925    / 850    / 925
 *   5      0      -450  50      600       C        800    / 575    / 825
 *   6      -10    -450  -40     500       D        745    / 525    / 730
 *   7      0      0     200     1100->1020 A       1100   / 1100   / 1100->1010
 *   8      -0.5   0     0       999.5     A        999.5  / 999.75 / 999.75
 *   9      0      0     -400.25 599.75    D        799.875/ 799.875/ 599.75
 *
 * Group 1 (agents 6-9) is capped: reported at 1020, social at 1010 (agent
 * 7's 1200 is first clamped to 1100). Every value is a sum of dyadic
 * fractions, so the sums are exact.
 */
static const float tiny_ledger[10][N_SUBSYSTEMS] = {
    {0, 0, 0},     {0, 0, 50},       {0, 0, 30},  {-40, 0, 0},   {0, -150, 0},
    {0, -450, 50}, {-10, -450, -40}, {0, 0, 200}, {-0.5f, 0, 0}, {0, 0, -400.25f},
};

/* Status: listed 4, 5, 6; interned 6, 9; protesting 0, 3, 8. History: 4
 * and 6 were listed without ever being scored for a real negative act. */
static void tiny_state(struct th_hand *h)
{
    struct state *st = &h->w.st;
    static const float fear[10] = {0.5f, 0.25f, 0, 0, 0, 0, 0.75f, 0, 0, 1};
    static const uint8_t status[10] = {
        ST_PROTEST, 0,          0, ST_PROTEST, ST_LISTED, ST_LISTED, ST_LISTED | ST_INTERNED, 0,
        ST_PROTEST, ST_INTERNED};
    static const uint8_t history[10] = {HI_GENUINE,
                                        0,
                                        HI_LISTED | HI_SANCTIONED,
                                        0,
                                        HI_LISTED | HI_SANCTIONED,
                                        HI_LISTED | HI_SANCTIONED | HI_GENUINE,
                                        HI_LISTED | HI_SANCTIONED | HI_INTERNED,
                                        HI_SANCTIONED | HI_GENUINE,
                                        0,
                                        HI_SANCTIONED | HI_INTERNED | HI_GENUINE};
    for (uint32_t a = 0; a < 10; a++) {
        for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d][a] = tiny_ledger[a][d];
        st->fear[a] = fear[a];
        st->status[a] = status[a];
        st->history[a] = history[a];
    }
    h->p->scoring.group_cap.enabled = 1;
    h->p->scoring.group_cap.groups.mask = 1u << 1;
    st->cap[SUB_FINANCIAL] = 2000;
    st->cap[SUB_JUDICIAL] = 2000;
    st->cap[SUB_SOCIAL] = 1010;
    st->cap[N_SUBSYSTEMS] = 1020;
    /* Group 1 is the reference of disparate impact: the larger share asked
     * for, though group 0 got more agents. */
    h->p->population.groups.v[0] = 0.4;
    h->p->population.groups.v[1] = 0.6;
}

static void test_tiny_scores(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    tiny_state(&h);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(met->ref_group, 1);
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1], *all = &met->rows[2];

    /* fear */
    assert_true(g0->fear_mean == 0.75 / 6);
    assert_true(g1->fear_mean == 1.75 / 4);
    assert_true(all->fear_mean == 2.5 / 10);

    /* reported score */
    assert_true(th_col_real(g0, "score_mean") == 5490.0 / 6);
    assert_true(th_col_real(g1, "score_mean") == 3119.25 / 4);
    assert_true(th_col_real(all, "score_mean") == 8609.25 / 10);

    /* Percentiles: rank ceil(p x n / 100), the lower edge of its 0.1 bin.
     * Group 0 sorted: 600 850 960 1000 1030 1050 (ranks 1 1 3 6 6).
     * Group 1 sorted: 500 599.75 999.5 1020 (ranks 1 1 2 4 4): 599.75 is
     * reported as its bin's lower edge, 599.7.
     * All: 500 599.75 600 850 960 999.5 1000 1020 1030 1050 (1 1 5 9 10). */
    static const char *pct[5] = {"score_p1", "score_p10", "score_p50", "score_p90", "score_p99"};
    static const double want_pct[3][5] = {
        {600, 600, 960, 1050, 1050},
        {500, 500, 5997 / 10.0, 1020, 1020},
        {500, 500, 960, 1030, 1050},
    };
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 5; i++)
            if (th_col_real(&met->rows[r], pct[i]) != want_pct[r][i])
                fail_msg("row %d %s: %.17g, want %.17g", r, pct[i],
                         th_col_real(&met->rows[r], pct[i]), want_pct[r][i]);

    /* domain scores (table above) */
    assert_true(th_col_real(g0, "financial_mean") == 5725.0 / 6);
    assert_true(th_col_real(g1, "financial_mean") == 3644.375 / 4);
    assert_true(th_col_real(all, "financial_mean") == 9369.375 / 10);
    assert_true(th_col_real(g0, "judicial_mean") == 5445.0 / 6);
    assert_true(th_col_real(g1, "judicial_mean") == 3424.625 / 4);
    assert_true(th_col_real(all, "judicial_mean") == 8869.625 / 10);
    assert_true(th_col_real(g0, "social_mean") == 5810.0 / 6);
    assert_true(th_col_real(g1, "social_mean") == 3339.5 / 4);
    assert_true(th_col_real(all, "social_mean") == 9149.5 / 10);

    /* tiers: on a boundary, the higher tier */
    static const char *tiers[N_TIERS] = {"tier_aaa", "tier_aa", "tier_a",
                                         "tier_b",   "tier_c",  "tier_d"};
    static const int64_t want_tier[3][N_TIERS] = {
        {1, 1, 2, 1, 1, 0}, {0, 0, 2, 0, 0, 2}, {1, 1, 4, 1, 1, 2}};
    for (int r = 0; r < 3; r++)
        for (int t = 0; t < N_TIERS; t++)
            assert_int_equal(th_col_int(&met->rows[r], tiers[t]), want_tier[r][t]);

    /* the list */
    static const struct {
        const char *name;
        int64_t v[3];
    } list[] = {
        {"listed", {2, 1, 3}},
        {"interned", {0, 2, 2}},
        {"ever_listed", {3, 1, 4}},
        {"ever_sanctioned", {3, 3, 6}},
        {"listed_wrongfully", {1, 1, 2}},
        {"protesters", {2, 1, 3}},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        for (int r = 0; r < 3; r++)
            if (th_col_int(&met->rows[r], list[i].name) != list[i].v[r])
                fail_msg("row %d %s: %lld, want %lld", r, list[i].name,
                         (long long)th_col_int(&met->rows[r], list[i].name),
                         (long long)list[i].v[r]);

    /* Disparate impact against group 1 (the larger share). */
    assert_true(th_col_real(g0, "listed_rate") == 2.0 / 6);
    assert_true(th_col_real(g1, "listed_rate") == 1.0 / 4);
    assert_true(th_col_real(all, "listed_rate") == 3.0 / 10);
    assert_true(th_col_real(g0, "sanctioned_rate") == 0.5);
    assert_true(th_col_real(g1, "sanctioned_rate") == 0.75);
    assert_true(th_col_real(all, "sanctioned_rate") == 0.6);
    assert_true(th_col_real(g0, "di_listed") == (2.0 / 6) / (1.0 / 4));
    assert_true(th_col_real(g1, "di_listed") == 1.0);
    assert_true(isnan(th_col_real(all, "di_listed")));
    assert_true(th_col_real(g0, "di_sanctioned") == 0.5 / 0.75);
    assert_true(th_col_real(g1, "di_sanctioned") == 1.0);
    assert_true(isnan(th_col_real(all, "di_sanctioned")));

    /* No one listed in the reference group: no ratio of listings. */
    h.w.st.status[6] = ST_INTERNED;
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    assert_true(isnan(g0->di_listed));
    assert_true(isnan(g1->di_listed));
    assert_true(g0->di_sanctioned == 0.5 / 0.75);
    th_hand_free(&h);
}

/* The cap applies only when enabled, only to the groups in its mask, and
 * never raises a score. */
static void test_tiny_cap(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    tiny_state(&h);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1];

    /* Off: agent 7 keeps 1100 (clamped), in AAA; its social score 1100. */
    h.p->scoring.group_cap.enabled = 0;
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    assert_true(g1->score_mean == 3199.25 / 4);
    assert_int_equal(g1->tier[TIER_AAA], 1);
    assert_int_equal(g1->tier[TIER_A], 1);
    assert_true(g1->score_p[4] == 1100);
    assert_true(g1->domain_mean[SUB_SOCIAL] == 3429.5 / 4);
    assert_true(g0->score_mean == 5490.0 / 6);

    /* On for group 0 only: 1050 and 1030 come down to 1020 (tier A), the
     * others are below the cap; group 1 is untouched. */
    h.p->scoring.group_cap.enabled = 1;
    h.p->scoring.group_cap.groups.mask = 1u << 0;
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    assert_true(g0->score_mean == 5450.0 / 6);
    assert_int_equal(g0->tier[TIER_AAA], 0);
    assert_int_equal(g0->tier[TIER_AA], 0);
    assert_int_equal(g0->tier[TIER_A], 4);
    assert_true(g0->score_p[4] == 1020);
    /* social: 1050 and 1030 -> 1010; 1000 and below unchanged */
    assert_true(g0->domain_mean[SUB_SOCIAL] == 5750.0 / 6);
    assert_true(g1->score_mean == 3199.25 / 4);
    th_hand_free(&h);
}

/* Of equal shares, the first group is the reference. */
static void test_reference_group(void **state)
{
    static const uint32_t sizes[] = {1, 2, 2};
    struct th_hand h;
    th_hand_new(&h, 3, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    h.p->population.groups.v[0] = 0.2;
    h.p->population.groups.v[1] = 0.4;
    h.p->population.groups.v[2] = 0.4;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(met->ref_group, 1);
    /* listed: agent 0 (group 0), agent 1 (group 1): rates 1, 0.5, 0 */
    h.w.st.status[0] = h.w.st.status[1] = ST_LISTED;
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    assert_true(met->rows[0].di_listed == 2.0);
    assert_true(met->rows[1].di_listed == 1.0);
    assert_true(met->rows[2].di_listed == 0.0);
    assert_true(isnan(met->rows[3].di_listed));
    met_free(met, &h.mem);
    h.p->population.groups.v[2] = 0.6;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(met->ref_group, 2);
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    assert_true(isnan(met->rows[0].di_listed)); /* group 2 has no one listed */
    th_hand_free(&h);
}

/* A score range too wide for 0.1-point bins gets MET_MAX_BINS equal bins:
 * percentiles stay within one bin below the score. */
static void test_wide_score_range(void **state)
{
    static const uint32_t sizes[] = {3};
    struct th_hand h;
    th_hand_new(&h, 1, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    h.p->scoring.max = 1e6;
    h.p->population.start_score = 0;
    h.w.st.ledger[0][1] = 500000;
    h.w.st.ledger[0][2] = 1e6;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(th_hand_measure(&h, 1, &err), SS_OK);
    double width = 1e6 / ((1u << 17) - 1);
    const struct met_row *all = &met->rows[1];
    assert_true(all->score_p[0] == 0);
    assert_true(all->score_p[2] <= 500000 && all->score_p[2] > 500000 - width);
    assert_true(all->score_p[4] <= 1e6 && all->score_p[4] > 1e6 - width);
    th_hand_free(&h);
}

/* Measuring a state whose arrays were never allocated is an error, not a
 * crash. */
static void test_state_missing(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    struct ss_error err = {0};
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    float *fear = h.w.st.fear;
    h.w.st.fear = NULL;
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_EINTERNAL);
    assert_non_null(strstr(err.msg, "state"));
    h.w.st.fear = fear;
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    th_hand_free(&h);
}

/* The largest component is measured on day 0, every 30 days and on the
 * last day; NaN (NULL) otherwise. */
static void test_component_days(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    h.p->days = 45;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    static const struct {
        int day, measured;
    } days[] = {{0, 1}, {1, 0}, {29, 0}, {30, 1}, {31, 0}, {44, 0}, {45, 1}, {60, 1}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        assert_int_equal(th_hand_measure(&h, days[i].day, &err), SS_OK);
        for (uint32_t r = 0; r < met->n_rows; r++) {
            assert_int_equal(met->rows[r].day, days[i].day);
            assert_int_equal(!isnan(met->rows[r].largest_component_share), days[i].measured);
        }
    }
    th_hand_free(&h);
}

/* With 2-3 and 5-6 cut too, only the work tie 0-7 joins households:
 * components {0,1,2,6,7} (5 agents), {3,4,5} and {8,9}. */
static void test_two_components(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 1);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    assert_true(met->rows[0].largest_component_share == 3.0 / 6);
    assert_true(met->rows[1].largest_component_share == 0.5);
    assert_true(met->rows[2].largest_component_share == 0.5);
    assert_int_equal(met->rows[2].ties_cut, 6);
    th_hand_free(&h);
}

/* Equal largest components: the one holding the smallest id wins, so the
 * per-group shares do not depend on how the union-find happened to run. */
static void test_component_tie_break(void **state)
{
    static const uint32_t sizes[] = {3, 3};
    struct th_hand h;
    th_hand_new(&h, 2, sizes, 1);
    /* {0,4} {1,5} {2,3}: three components of 2; the first holds agent 0. */
    static const uint32_t u[] = {0, 1, 2}, v[] = {4, 5, 3};
    th_layer_from_edges(&h.w.net.layer[0], "only", 6, u, v, NULL, 3);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    assert_true(met->rows[0].largest_component_share == 1.0 / 3);
    assert_true(met->rows[1].largest_component_share == 1.0 / 3);
    assert_true(met->rows[2].largest_component_share == 2.0 / 6);
    th_hand_free(&h);
}

/* An internee meets no one: interning the bridge of a path 0-1-2-3-4-5-6
 * splits it into {0,1,2}, {3} and {4,5,6}, and the largest (of equal
 * sizes, the one holding agent 0) is 3 of 7; interning the end 6 leaves
 * {0..5}, with 6 cut off but still counted among its group's agents. */
static void test_component_internees(void **state)
{
    static const uint32_t sizes[] = {4, 3};
    static const uint32_t u[] = {0, 1, 2, 3, 4, 5}, v[] = {1, 2, 3, 4, 5, 6};
    static const struct {
        uint32_t interned;
        double all, g0, g1;
    } cases[] = {
        {UINT32_MAX, 1.0, 1.0, 1.0}, {3, 3.0 / 7, 3.0 / 4, 0.0}, {6, 6.0 / 7, 1.0, 2.0 / 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct th_hand h;
        th_hand_new(&h, 2, sizes, 1);
        th_layer_from_edges(&h.w.net.layer[0], "only", 7, u, v, NULL, 6);
        if (cases[c].interned != UINT32_MAX) h.w.st.status[cases[c].interned] = ST_INTERNED;
        struct ss_error err = {0};
        struct metrics *met = &h.met;
        assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
        assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
        TH_FEQ(met->rows[0].largest_component_share, cases[c].g0);
        TH_FEQ(met->rows[1].largest_component_share, cases[c].g1);
        TH_FEQ(met->rows[2].largest_component_share, cases[c].all);
        th_hand_free(&h);
    }
}

/* An empty group: its means and shares are NaN (NULL), its counts 0. */
static void test_empty_group(void **state)
{
    static const uint32_t sizes[] = {2, 0, 1};
    struct th_hand h;
    th_hand_new(&h, 3, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    h.w.st.attitude[0] = 0.25f;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(met->n_layer_rows, 0);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    const struct met_row *e = &met->rows[1];
    assert_int_equal(e->agents, 0);
    assert_int_equal(e->ties, 0);
    assert_true(isnan(e->attitude_mean));
    assert_true(isnan(e->support_rate));
    assert_true(isnan(e->degree_mean));
    assert_true(isnan(e->in_group_share));
    assert_true(isnan(e->largest_component_share));
    /* No ties at all: every agent is its own component. */
    assert_true(met->rows[3].largest_component_share == 1.0 / 3);
    assert_true(isnan(met->rows[3].in_group_share));
    assert_true(met->rows[0].support_rate == 1.0);
    th_hand_free(&h);
}

static void test_alloc_failures(void **state)
{
    struct th_hand h;
    th_hand_tiny(&h, 0);
    struct ss_error err = {0};
    long n_alloc = 0;
    for (long k = 1;; k++) {
        h.mem = (struct mem){.fail_at = k};
        int rc = th_hand_met_init(&h, 2, &err);
        if (rc == SS_OK) {
            n_alloc = k;
            break;
        }
        assert_int_equal(rc, SS_ENOMEM);
        assert_non_null(strstr(err.msg, "metrics"));
        assert_null(h.met.rows);
        assert_int_equal(h.mem.live, 0);
    }
    assert_true(n_alloc > 3);
    th_hand_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_world),
        cmocka_unit_test(test_tiny_scores),
        cmocka_unit_test(test_tiny_cap),
        cmocka_unit_test(test_reference_group),
        cmocka_unit_test(test_wide_score_range),
        cmocka_unit_test(test_state_missing),
        cmocka_unit_test(test_component_days),
        cmocka_unit_test(test_two_components),
        cmocka_unit_test(test_component_tie_break),
        cmocka_unit_test(test_component_internees),
        cmocka_unit_test(test_empty_group),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
