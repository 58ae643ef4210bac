/*
 * test_metrics.c - the daily figures (metrics.c) on hand-built populations,
 * networks, states and day counts: every figure of a 10-agent world
 * checked against values worked out by hand (scores, percentiles, tiers at
 * their boundaries, the group cap, the list, every count column, the
 * silence ratio, disparate impact, cumulative sums, NULLs), every figure
 * of a 10^5-agent random world against a slow, obvious computation (plain
 * sums, sorting, breadth-first search), bit-identical rows for 1 to 4
 * threads, allocation failures, and docs/metrics.md kept up to date.
 *
 * The struct sim is built by hand and only met_* functions are called, so
 * the test does not depend on the population and network generators or
 * on the day step.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/metrics.h"
#include "model/scoring.h"
#include "run/sim.h"

#ifdef SS_TEST_STUBS
/* Only for building this file without the rest of the library (see the
 * output tests); the CMake build links the real ones. */
size_t sim_peak_rss(void)
{
    return 0;
}
double sim_now(void)
{
    return 0.0;
}
const char *scn_text(const struct scenario *s)
{
    return "stub";
}
const char *scn_name(const struct scenario *s)
{
    return "stub";
}
#endif

/* A hand-made world: population arrays and layers, owned by the test. */
struct world {
    struct sim *sim;   /* zeroed, then filled by hand */
    struct params *p;  /* group names, days */
    int64_t *contacts; /* [(n_groups + 1) * n_layers] */
    double *rel, *thr; /* [n] the lists reliability and threshold are drawn from */
};

/* Build layer ly over n agents from m undirected edges (u[i], v[i]); the
 * edges with cut[i] set are stored as NET_CUT at both ends. */
static void layer_from_edges(struct layer *ly, const char *name, uint32_t n, const uint32_t *u,
                             const uint32_t *v, const unsigned char *cut, size_t m)
{
    snprintf(ly->name, sizeof ly->name, "%s", name);
    ly->n = n;
    ly->off = calloc((size_t)n + 1, sizeof *ly->off);
    assert_non_null(ly->off);
    for (size_t i = 0; i < m; i++) {
        ly->off[u[i] + 1]++;
        ly->off[v[i] + 1]++;
    }
    for (uint32_t a = 0; a < n; a++) ly->off[a + 1] += ly->off[a];
    ly->n_entries = ly->off[n];
    ly->adj = malloc((ly->n_entries ? ly->n_entries : 1) * sizeof *ly->adj);
    net_off_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    assert_non_null(ly->adj);
    assert_non_null(fill);
    memcpy(fill, ly->off, ((size_t)n + 1) * sizeof *fill);
    for (size_t i = 0; i < m; i++) {
        int c = cut && cut[i];
        ly->adj[fill[u[i]]++] = c ? NET_CUT : v[i];
        ly->adj[fill[v[i]]++] = c ? NET_CUT : u[i];
    }
    free(fill);
}

/* A world of n agents whose groups have the given sizes; attributes are
 * left zero for the caller. */
static struct world world_new(uint32_t n_groups, const uint32_t *sizes, uint32_t n_layers)
{
    struct world w;
    w.sim = calloc(1, sizeof *w.sim);
    w.p = calloc(1, sizeof *w.p);
    assert_non_null(w.sim);
    assert_non_null(w.p);
    struct population *pop = &w.sim->world.pop;
    pop->n_groups = n_groups;
    w.p->population.groups.n = n_groups;
    for (uint32_t g = 0; g < n_groups; g++) {
        pop->group_start[g + 1] = pop->group_start[g] + sizes[g];
        snprintf(w.p->population.groups.name[g], MAX_NAME, "g%u", g);
    }
    uint32_t n = pop->n = pop->group_start[n_groups];
    pop->group = calloc(n ? n : 1, 1);
    pop->flags = calloc(n ? n : 1, 1);
    pop->attitude = calloc(n ? n : 1, sizeof *pop->attitude);
    w.rel = calloc(n ? n : 1, sizeof *w.rel);
    w.thr = calloc(n ? n : 1, sizeof *w.thr);
    assert_non_null(pop->group);
    assert_non_null(pop->flags);
    assert_non_null(pop->attitude);
    assert_non_null(w.rel);
    assert_non_null(w.thr);
    pop->rel_dist = (struct dist){.kind = DIST_LIST, .values = w.rel, .n_values = n};
    pop->thr_dist = (struct dist){.kind = DIST_LIST, .values = w.thr, .n_values = n};
    /* The initial state: fear 0, ledgers 0, nothing listed. */
    struct state *st = &w.sim->world.st;
    st->n = n;
    st->fear = calloc(n ? n : 1, sizeof *st->fear);
    st->status = calloc(n ? n : 1, 1);
    st->history = calloc(n ? n : 1, 1);
    assert_non_null(st->fear);
    assert_non_null(st->status);
    assert_non_null(st->history);
    for (int d = 0; d < N_SUBSYSTEMS; d++) {
        st->ledger[d] = calloc(n ? n : 1, sizeof *st->ledger[d]);
        assert_non_null(st->ledger[d]);
    }
    for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = 1100;
    /* The seed's scoring, but integration 0.5 so hand sums stay exact. */
    w.p->population.start_score = 1000;
    w.p->scoring.min = 0;
    w.p->scoring.max = 1100;
    w.p->scoring.integration = 0.5;
    static const double tier_min[N_TIERS] = {1050, 1030, 960, 850, 600, 0};
    memcpy(w.p->scoring.tiers, tier_min, sizeof tier_min);
    for (uint32_t g = 0; g < n_groups; g++)
        w.p->population.groups.v[g] = n ? (double)sizes[g] / n : 0;
    for (uint32_t g = 0; g < n_groups; g++)
        for (uint32_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a++)
            pop->group[a] = (uint8_t)g;
    w.sim->world.net.n_layers = n_layers;
    w.contacts = calloc((size_t)(n_groups + 1) * (n_layers ? n_layers : 1), sizeof *w.contacts);
    w.sim->eng.contacts = w.contacts;
    w.p->days = 365;
    w.sim->world.p = w.p;
    return w;
}

static void world_free(struct world *w)
{
    struct population *pop = &w->sim->world.pop;
    met_free(&w->sim->met, w->sim);
    assert_int_equal(w->sim->mem.live, 0);
    for (uint32_t l = 0; l < w->sim->world.net.n_layers; l++) {
        free(w->sim->world.net.layer[l].off);
        free(w->sim->world.net.layer[l].adj);
    }
    free(pop->group);
    free(pop->flags);
    free(pop->attitude);
    free(w->rel);
    free(w->thr);
    free(w->sim->world.st.fear);
    free(w->sim->world.st.status);
    free(w->sim->world.st.history);
    for (int d = 0; d < N_SUBSYSTEMS; d++) free(w->sim->world.st.ledger[d]);
    free(w->contacts);
    free(w->p);
    free(w->sim);
}

/*
 * The 10-agent world. Group 0 = agents 0-5, group 1 = agents 6-9.
 * Layer 0 (home): cliques {0,1,2} {3,4,5} {6,7} {8,9}.
 * Layer 1 (work): 2-3, 5-6, 0-7, and 1-8 cut.
 * extra_cut: also cut 2-3 and 5-6 (the work layer then joins nothing but
 * 0-7).
 */
static struct world tiny_world(int extra_cut)
{
    static const uint32_t sizes[] = {6, 4};
    struct world w = world_new(2, sizes, 2);
    struct population *pop = &w.sim->world.pop;
    static const float att[10] = {0.125f, 0.25f,  0.375f, 0.625f, 0.75f,
                                  0.5f,   0.875f, 0.5f,   0.25f,  0.75f};
    for (uint32_t a = 0; a < 10; a++) {
        pop->attitude[a] = att[a];
        w.rel[a] = a == 0 ? 1.0 : 0.75;
        w.thr[a] = a == 9 ? 0.5 : 0.25;
    }
    pop->flags[2] = pop->flags[5] = pop->flags[9] = POP_CHILD;
    pop->flags[0] = pop->flags[1] = pop->flags[3] = pop->flags[6] = pop->flags[7] = POP_ONLINE;

    static const uint32_t hu[] = {0, 0, 1, 3, 3, 4, 6, 8}, hv[] = {1, 2, 2, 4, 5, 5, 7, 9};
    layer_from_edges(&w.sim->world.net.layer[0], "home", 10, hu, hv, NULL, 8);
    static const uint32_t wu[] = {2, 5, 0, 1}, wv[] = {3, 6, 7, 8};
    unsigned char cut[] = {0, 0, 0, 1};
    if (extra_cut) cut[0] = cut[1] = 1;
    layer_from_edges(&w.sim->world.net.layer[1], "work", 10, wu, wv, cut, 4);
    /* contacts[row * 2 + layer]: group 0, group 1, all */
    static const int64_t contacts[] = {5, 2, 3, 1, 8, 3};
    memcpy(w.contacts, contacts, sizeof contacts);
    return w;
}

static void test_tiny_world(void **state)
{
    struct world w = tiny_world(0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met->n_rows, 3);
    assert_int_equal(met->n_layer_rows, 6);
    assert_int_equal(met->component_every, 30);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);

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
    world_free(&w);
}

/* ---- column access by name ------------------------------------------ */

/* The daily column called name (a test failure if there is none). */
static const struct met_column *col_named(const char *name)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!strcmp(met_daily_columns[i].name, name)) return &met_daily_columns[i];
    fail_msg("no daily column %s", name);
    return NULL;
}

/* An INTEGER column of row, read through the column table as output.c does. */
static int64_t col_int(const struct met_row *row, const char *name)
{
    const struct met_column *c = col_named(name);
    assert_int_equal(c->type, MET_INT);
    assert_int_equal(c->is_int32, 0);
    int64_t v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
}

static double col_real(const struct met_row *row, const char *name)
{
    const struct met_column *c = col_named(name);
    assert_int_equal(c->type, MET_REAL);
    double v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
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
static void tiny_state(struct world *w)
{
    struct state *st = &w->sim->world.st;
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
    w->p->scoring.group_cap.enabled = 1;
    w->p->scoring.group_cap.groups.mask = 1u << 1;
    st->cap[SUB_FINANCIAL] = 2000;
    st->cap[SUB_JUDICIAL] = 2000;
    st->cap[SUB_SOCIAL] = 1010;
    st->cap[N_SUBSYSTEMS] = 1020;
    /* Group 1 is the reference of disparate impact: the larger share asked
     * for, though group 0 got more agents. */
    w->p->population.groups.v[0] = 0.4;
    w->p->population.groups.v[1] = 0.6;
}

static void test_tiny_scores(void **state)
{
    struct world w = tiny_world(0);
    tiny_state(&w);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met->ref_group, 1);
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1], *all = &met->rows[2];

    /* fear */
    assert_true(g0->fear_mean == 0.75 / 6);
    assert_true(g1->fear_mean == 1.75 / 4);
    assert_true(all->fear_mean == 2.5 / 10);

    /* reported score */
    assert_true(col_real(g0, "score_mean") == 5490.0 / 6);
    assert_true(col_real(g1, "score_mean") == 3119.25 / 4);
    assert_true(col_real(all, "score_mean") == 8609.25 / 10);

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
            if (col_real(&met->rows[r], pct[i]) != want_pct[r][i])
                fail_msg("row %d %s: %.17g, want %.17g", r, pct[i], col_real(&met->rows[r], pct[i]),
                         want_pct[r][i]);

    /* domain scores (table above) */
    assert_true(col_real(g0, "financial_mean") == 5725.0 / 6);
    assert_true(col_real(g1, "financial_mean") == 3644.375 / 4);
    assert_true(col_real(all, "financial_mean") == 9369.375 / 10);
    assert_true(col_real(g0, "judicial_mean") == 5445.0 / 6);
    assert_true(col_real(g1, "judicial_mean") == 3424.625 / 4);
    assert_true(col_real(all, "judicial_mean") == 8869.625 / 10);
    assert_true(col_real(g0, "social_mean") == 5810.0 / 6);
    assert_true(col_real(g1, "social_mean") == 3339.5 / 4);
    assert_true(col_real(all, "social_mean") == 9149.5 / 10);

    /* tiers: on a boundary, the higher tier */
    static const char *tiers[N_TIERS] = {"tier_aaa", "tier_aa", "tier_a",
                                         "tier_b",   "tier_c",  "tier_d"};
    static const int64_t want_tier[3][N_TIERS] = {
        {1, 1, 2, 1, 1, 0}, {0, 0, 2, 0, 0, 2}, {1, 1, 4, 1, 1, 2}};
    for (int r = 0; r < 3; r++)
        for (int t = 0; t < N_TIERS; t++)
            assert_int_equal(col_int(&met->rows[r], tiers[t]), want_tier[r][t]);

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
            if (col_int(&met->rows[r], list[i].name) != list[i].v[r])
                fail_msg("row %d %s: %lld, want %lld", r, list[i].name,
                         (long long)col_int(&met->rows[r], list[i].name), (long long)list[i].v[r]);

    /* Disparate impact against group 1 (the larger share). */
    assert_true(col_real(g0, "listed_rate") == 2.0 / 6);
    assert_true(col_real(g1, "listed_rate") == 1.0 / 4);
    assert_true(col_real(all, "listed_rate") == 3.0 / 10);
    assert_true(col_real(g0, "sanctioned_rate") == 0.5);
    assert_true(col_real(g1, "sanctioned_rate") == 0.75);
    assert_true(col_real(all, "sanctioned_rate") == 0.6);
    assert_true(col_real(g0, "di_listed") == (2.0 / 6) / (1.0 / 4));
    assert_true(col_real(g1, "di_listed") == 1.0);
    assert_true(isnan(col_real(all, "di_listed")));
    assert_true(col_real(g0, "di_sanctioned") == 0.5 / 0.75);
    assert_true(col_real(g1, "di_sanctioned") == 1.0);
    assert_true(isnan(col_real(all, "di_sanctioned")));

    /* No one listed in the reference group: no ratio of listings. */
    w.sim->world.st.status[6] = ST_INTERNED;
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_true(isnan(g0->di_listed));
    assert_true(isnan(g1->di_listed));
    assert_true(g0->di_sanctioned == 0.5 / 0.75);
    world_free(&w);
}

/* The cap applies only when enabled, only to the groups in its mask, and
 * never raises a score. */
static void test_tiny_cap(void **state)
{
    struct world w = tiny_world(0);
    tiny_state(&w);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1];

    /* Off: agent 7 keeps 1100 (clamped), in AAA; its social score 1100. */
    w.p->scoring.group_cap.enabled = 0;
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_true(g1->score_mean == 3199.25 / 4);
    assert_int_equal(g1->tier[TIER_AAA], 1);
    assert_int_equal(g1->tier[TIER_A], 1);
    assert_true(g1->score_p[4] == 1100);
    assert_true(g1->domain_mean[SUB_SOCIAL] == 3429.5 / 4);
    assert_true(g0->score_mean == 5490.0 / 6);

    /* On for group 0 only: 1050 and 1030 come down to 1020 (tier A), the
     * others are below the cap; group 1 is untouched. */
    w.p->scoring.group_cap.enabled = 1;
    w.p->scoring.group_cap.groups.mask = 1u << 0;
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_true(g0->score_mean == 5450.0 / 6);
    assert_int_equal(g0->tier[TIER_AAA], 0);
    assert_int_equal(g0->tier[TIER_AA], 0);
    assert_int_equal(g0->tier[TIER_A], 4);
    assert_true(g0->score_p[4] == 1020);
    /* social: 1050 and 1030 -> 1010; 1000 and below unchanged */
    assert_true(g0->domain_mean[SUB_SOCIAL] == 5750.0 / 6);
    assert_true(g1->score_mean == 3199.25 / 4);
    world_free(&w);
}

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
      {"internments", SA_INTERNMENT},
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
        assert_int_equal(col_int(row, name), gc->taken[action_names[i].index]);
        snprintf(name, sizeof name, "observed_%s", action_names[i].name);
        assert_int_equal(col_int(row, name), gc->observed[action_names[i].index]);
    }
    for (int i = 0; i < N_EVENTS; i++) {
        snprintf(name, sizeof name, "scored_%s", event_names[i].name);
        assert_int_equal(col_int(row, name), gc->scored[event_names[i].index]);
        snprintf(name, sizeof name, "false_%s", event_names[i].name);
        assert_int_equal(col_int(row, name), gc->false_scored[event_names[i].index]);
    }
    int64_t sum = 0, wrongful = 0, cross = 0;
    for (int i = 0; i < N_SANCTIONS; i++) {
        int k = sanction_names[i].index;
        assert_int_equal(col_int(row, sanction_names[i].name), gc->sanctions[k]);
        sum += gc->sanctions[k];
        wrongful += gc->wrongful[k];
        cross += gc->cross_context[k];
    }
    assert_int_equal(col_int(row, "sanctions"), sum);
    assert_int_equal(col_int(row, "wrongful_sanctions"), wrongful);
    assert_int_equal(col_int(row, "cross_context_sanctions"), cross);
    assert_true(col_real(row, "cross_context_share") == (double)cross / (double)sum);
    assert_int_equal(col_int(row, "rewards"), gc->rewards);
    assert_int_equal(col_int(row, "list_exits"), gc->list_exits);
    assert_int_equal(col_int(row, "releases"), gc->releases);
    assert_int_equal(col_int(row, "criticism_would"), gc->would_criticise);
}

static void test_counts(void **state)
{
    struct world w = tiny_world(0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    struct day_counts *c = &w.sim->eng.counts;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    const struct met_row *g0 = &met->rows[0], *g1 = &met->rows[1], *all = &met->rows[2];

    /* Day 0: nothing counted; no ratio. */
    memset(c, 0, sizeof *c);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(met->rows[r].sanctions, 0);
        assert_int_equal(col_int(&met->rows[r], "sanctions_cum"), 0);
        assert_true(isnan(col_real(&met->rows[r], "cross_context_share")));
        assert_true(isnan(col_real(&met->rows[r], "silence_ratio")));
    }

    /* Day 1 */
    fill_counts(c, 2, 1);
    struct day_counts day1 = *c;
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    for (int r = 0; r < 3; r++) assert_counts(&met->rows[r], &c->row[r]);
    /* silence: group 0 would have posted 10 and posted 4; group 1 nothing */
    assert_true(col_real(g0, "silence_ratio") == 1.0 - 4.0 / 10);
    assert_true(isnan(col_real(g1, "silence_ratio")));
    assert_true(col_real(all, "silence_ratio") == 1.0 - 4.0 / 10);
    /* cross-context: 0+1+...+6 = 21 in group 0 of 70*7 + 5*21 sanctions on
     * day 1; none of group 1's (a share of 0, not NULL) */
    assert_int_equal(g0->cross_context_sanctions, 21);
    assert_true(g0->cross_context_share == 21.0 / (7 * 1070 + 105));
    assert_true(g1->cross_context_share == 0.0);
    assert_int_equal(g0->wrongful_sanctions, 3); /* kinds 1, 3, 5 */
    assert_int_equal(all->wrongful_sanctions, 6);

    /* Day 2: the cumulative columns add both days; measuring day 2 again
     * gives the same totals. */
    fill_counts(c, 2, 2);
    for (int again = 0; again < 2; again++) {
        assert_int_equal(met_measure(met, w.sim, 2, &err), SS_OK);
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
            assert_int_equal(col_int(row, "sanctions_cum"), s);
            assert_int_equal(col_int(row, "wrongful_sanctions_cum"), wr);
            assert_int_equal(col_int(row, "cross_context_sanctions_cum"), x);
            assert_int_equal(col_int(row, "flights_refused_cum"),
                             a->sanctions[SA_TRAVEL] + b->sanctions[SA_TRAVEL]);
        }
    }
    assert_int_equal(g0->sanctions_cum, (7 * 1070 + 105) + (7 * 2070 + 105));

    /* Day 0 again (a new run on the same metrics) starts the totals over. */
    memset(c, 0, sizeof *c);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    assert_int_equal(all->sanctions_cum, 0);
    fill_counts(c, 2, 1);
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_int_equal(g0->sanctions_cum, 7 * 1070 + 105);
    world_free(&w);
}

/* Of equal shares, the first group is the reference. */
static void test_reference_group(void **state)
{
    static const uint32_t sizes[] = {1, 2, 2};
    struct world w = world_new(3, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    w.p->population.groups.v[0] = 0.2;
    w.p->population.groups.v[1] = 0.4;
    w.p->population.groups.v[2] = 0.4;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met->ref_group, 1);
    /* listed: agent 0 (group 0), agent 1 (group 1): rates 1, 0.5, 0 */
    w.sim->world.st.status[0] = w.sim->world.st.status[1] = ST_LISTED;
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_true(met->rows[0].di_listed == 2.0);
    assert_true(met->rows[1].di_listed == 1.0);
    assert_true(met->rows[2].di_listed == 0.0);
    assert_true(isnan(met->rows[3].di_listed));
    met_free(met, w.sim);
    w.p->population.groups.v[2] = 0.6;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met->ref_group, 2);
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    assert_true(isnan(met->rows[0].di_listed)); /* group 2 has no one listed */
    world_free(&w);
}

/* A score range too wide for 0.1-point bins gets MET_MAX_BINS equal bins:
 * percentiles stay within one bin below the score. */
static void test_wide_score_range(void **state)
{
    static const uint32_t sizes[] = {3};
    struct world w = world_new(1, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    w.p->scoring.max = 1e6;
    w.p->population.start_score = 0;
    w.sim->world.st.ledger[0][1] = 500000;
    w.sim->world.st.ledger[0][2] = 1e6;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met_measure(met, w.sim, 1, &err), SS_OK);
    double width = 1e6 / ((1u << 17) - 1);
    const struct met_row *all = &met->rows[1];
    assert_true(all->score_p[0] == 0);
    assert_true(all->score_p[2] <= 500000 && all->score_p[2] > 500000 - width);
    assert_true(all->score_p[4] <= 1e6 && all->score_p[4] > 1e6 - width);
    world_free(&w);
}

/* Measuring a state whose arrays were never allocated is an error, not a
 * crash. */
static void test_state_missing(void **state)
{
    struct world w = tiny_world(0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    float *fear = w.sim->world.st.fear;
    w.sim->world.st.fear = NULL;
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_EINTERNAL);
    assert_non_null(strstr(err.msg, "state"));
    w.sim->world.st.fear = fear;
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    world_free(&w);
}

/* The largest component is measured on day 0, every 30 days and on the
 * last day; NaN (NULL) otherwise. */
static void test_component_days(void **state)
{
    struct world w = tiny_world(0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    w.p->days = 45;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    static const struct {
        int day, measured;
    } days[] = {{0, 1}, {1, 0}, {29, 0}, {30, 1}, {31, 0}, {44, 0}, {45, 1}, {60, 1}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        assert_int_equal(met_measure(met, w.sim, days[i].day, &err), SS_OK);
        for (uint32_t r = 0; r < met->n_rows; r++) {
            assert_int_equal(met->rows[r].day, days[i].day);
            assert_int_equal(!isnan(met->rows[r].largest_component_share), days[i].measured);
        }
    }
    world_free(&w);
}

/* With 2-3 and 5-6 cut too, only the work tie 0-7 joins households:
 * components {0,1,2,6,7} (5 agents), {3,4,5} and {8,9}. */
static void test_two_components(void **state)
{
    struct world w = tiny_world(1);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    assert_true(met->rows[0].largest_component_share == 3.0 / 6);
    assert_true(met->rows[1].largest_component_share == 0.5);
    assert_true(met->rows[2].largest_component_share == 0.5);
    assert_int_equal(met->rows[2].ties_cut, 6);
    world_free(&w);
}

/* Equal largest components: the one holding the smallest id wins, so the
 * per-group shares do not depend on how the union-find happened to run. */
static void test_component_tie_break(void **state)
{
    static const uint32_t sizes[] = {3, 3};
    struct world w = world_new(2, sizes, 1);
    /* {0,4} {1,5} {2,3}: three components of 2; the first holds agent 0. */
    static const uint32_t u[] = {0, 1, 2}, v[] = {4, 5, 3};
    layer_from_edges(&w.sim->world.net.layer[0], "only", 6, u, v, NULL, 3);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    assert_true(met->rows[0].largest_component_share == 1.0 / 3);
    assert_true(met->rows[1].largest_component_share == 1.0 / 3);
    assert_true(met->rows[2].largest_component_share == 2.0 / 6);
    world_free(&w);
}

/* An empty group: its means and shares are NaN (NULL), its counts 0. */
static void test_empty_group(void **state)
{
    static const uint32_t sizes[] = {2, 0, 1};
    struct world w = world_new(3, sizes, 0);
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    w.sim->world.st.attitude[0] = 0.25f;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met->n_layer_rows, 0);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
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
    world_free(&w);
}

static void test_alloc_failures(void **state)
{
    struct world w = tiny_world(0);
    struct ss_error err = {0};
    long n_alloc = 0;
    for (long k = 1;; k++) {
        w.sim->mem = (struct mem){.fail_at = k};
        int rc = met_init(&w.sim->met, w.sim, &err);
        if (rc == SS_OK) {
            n_alloc = k;
            break;
        }
        assert_int_equal(rc, SS_ENOMEM);
        assert_non_null(strstr(err.msg, "metrics"));
        assert_null(w.sim->met.rows);
        assert_int_equal(w.sim->mem.live, 0);
    }
    assert_true(n_alloc > 3);
    world_free(&w);
}

/* ---- a large random world ------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* 10^5 agents in 4 groups, two sparse random layers (mean degree 0.8 and
 * 0.5: a giant component and many small ones), 2% of the ties cut. */
static struct world random_world(void)
{
    static const uint32_t sizes[] = {91100, 800, 500, 7600};
    struct world w = world_new(4, sizes, 2);
    struct population *pop = &w.sim->world.pop;
    uint32_t n = pop->n;
    uint64_t s = 42;
    for (uint32_t a = 0; a < n; a++) {
        pop->attitude[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        w.rel[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        w.thr[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        pop->flags[a] = (uint8_t)(splitmix(&s) & 3);
    }
    static const double mean_degree[2] = {0.8, 0.5};
    for (uint32_t l = 0; l < 2; l++) {
        size_t m = (size_t)(n * mean_degree[l] / 2), k = 0;
        uint32_t *u = malloc(m * sizeof *u), *v = malloc(m * sizeof *v);
        unsigned char *cut = malloc(m);
        assert_non_null(u);
        assert_non_null(v);
        assert_non_null(cut);
        while (k < m) {
            u[k] = (uint32_t)(splitmix(&s) % n);
            v[k] = (uint32_t)(splitmix(&s) % n);
            if (u[k] == v[k]) continue;
            cut[k] = splitmix(&s) % 50 == 0;
            k++;
        }
        layer_from_edges(&w.sim->world.net.layer[l], l ? "b" : "a", n, u, v, cut, m);
        free(u);
        free(v);
        free(cut);
    }
    for (size_t i = 0; i < 5 * 2; i++) w.contacts[i] = (int64_t)(splitmix(&s) % 1000);

    /* The state: ledgers in [-200, 100] in steps of 1/8 point (a score can
     * fall on a 0.1 bin edge or inside a bin), a quarter of the agents 450
     * judicial points lower, so scores spread from tier D to the clamp;
     * random status and history bits; groups 1 and 2 capped below the top. */
    struct state *st = &w.sim->world.st;
    for (uint32_t a = 0; a < n; a++) {
        for (int d = 0; d < N_SUBSYSTEMS; d++)
            st->ledger[d][a] = (float)((int64_t)(splitmix(&s) % 2401) - 1600) / 8.0f;
        if (splitmix(&s) % 4 == 0) st->ledger[SUB_JUDICIAL][a] -= 450;
        st->fear[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        st->status[a] = (uint8_t)splitmix(&s);
        st->history[a] = (uint8_t)splitmix(&s);
    }
    w.p->scoring.group_cap.enabled = 1;
    w.p->scoring.group_cap.groups.mask = (1u << 1) | (1u << 2);
    st->cap[SUB_FINANCIAL] = 990.5;
    st->cap[SUB_JUDICIAL] = 1001;
    st->cap[SUB_SOCIAL] = 975.25;
    st->cap[N_SUBSYSTEMS] = 980.05;
    for (uint32_t r = 0; r < 5; r++) {
        struct group_counts *gc = &w.sim->eng.counts.row[r];
        for (int k = 0; k < N_SANCTIONS; k++) gc->sanctions[k] = (int64_t)(splitmix(&s) % 50);
        for (int k = 0; k < N_ACTIONS; k++) gc->taken[k] = (int64_t)(splitmix(&s) % 50);
        gc->would_criticise = (int64_t)(splitmix(&s) % 100);
    }
    return w;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Every column of two row sets, compared bit for bit. */
static void assert_rows_identical(const void *a, const void *b, size_t n, size_t size,
                                  const struct met_column *cols, size_t n_cols)
{
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < n_cols; c++) {
            const struct met_column *col = &cols[c];
            if (col->type != MET_INT && col->type != MET_REAL) continue;
            size_t width = col->type == MET_INT && col->is_int32 ? 4 : 8;
            const char *pa = (const char *)a + r * size + col->offset;
            const char *pb = (const char *)b + r * size + col->offset;
            if (memcmp(pa, pb, width) != 0)
                fail_msg("row %zu column %s differs between thread counts", r, col->name);
        }
}

static void test_thread_independence(void **state)
{
    struct world w = random_world();
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    size_t nr = met->n_rows, nl = met->n_layer_rows;
    struct met_row *rows1 = malloc(nr * sizeof *rows1);
    struct met_layer_row *layer1 = malloc(nl * sizeof *layer1);
    assert_non_null(rows1);
    assert_non_null(layer1);

    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    /* Histograms for 4 threads whatever the machine: met_init sizes them
     * by the thread count in force. */
    met_free(met, w.sim);
    omp_set_num_threads(4);
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    omp_set_num_threads(1);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
    memcpy(rows1, met->rows, nr * sizeof *rows1);
    memcpy(layer1, met->layer_rows, nl * sizeof *layer1);
    for (int threads = 2; threads <= 4; threads++) {
        omp_set_num_threads(threads);
        assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);
        assert_rows_identical(rows1, met->rows, nr, sizeof *rows1, met_daily_columns,
                              met_n_daily_columns);
        assert_rows_identical(layer1, met->layer_rows, nl, sizeof *layer1, met_layer_columns,
                              met_n_layer_columns);
    }
    omp_set_num_threads(saved);
    free(rows1);
    free(layer1);
    world_free(&w);
}

/* The optimised figures against a slow, obvious computation: plain sums and
 * a breadth-first search for the components. */
static void test_random_world_reference(void **state)
{
    struct world w = random_world();
    struct ss_error err = {0};
    struct metrics *met = &w.sim->met;
    const struct population *pop = &w.sim->world.pop;
    const struct network *net = &w.sim->world.net;
    uint32_t n = pop->n, G = pop->n_groups;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);

    /* Components by BFS; comp[x] = the smallest id in x's component. */
    uint32_t *comp = malloc(n * sizeof *comp), *queue = malloc(n * sizeof *queue);
    uint32_t *size = calloc(n, sizeof *size);
    double *sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    assert_non_null(comp);
    assert_non_null(queue);
    assert_non_null(size);
    for (uint32_t x = 0; x < n; x++) comp[x] = UINT32_MAX;
    for (uint32_t x = 0; x < n; x++) {
        if (comp[x] != UINT32_MAX) continue;
        size_t head = 0, tail = 0;
        comp[x] = x;
        queue[tail++] = x;
        while (head < tail) {
            uint32_t a = queue[head++];
            for (uint32_t l = 0; l < net->n_layers; l++)
                for (net_off_t e = net->layer[l].off[a]; e < net->layer[l].off[a + 1]; e++) {
                    uint32_t b = net->layer[l].adj[e];
                    if (b != NET_CUT && comp[b] == UINT32_MAX) {
                        comp[b] = x;
                        queue[tail++] = b;
                    }
                }
        }
        size[x] = (uint32_t)tail;
    }
    uint32_t best = 0;
    for (uint32_t x = 0; x < n; x++)
        if (size[x] > size[best]) best = x;
    assert_true(size[best] > n / 10); /* a giant component, as designed */

    for (uint32_t r = 0; r <= G; r++) {
        uint32_t lo = r < G ? pop->group_start[r] : 0, hi = r < G ? pop->group_start[r + 1] : n;
        double att = 0, rel = 0, thr = 0;
        int64_t support = 0, children = 0, online = 0, ties = 0, in_group = 0, cut = 0;
        int64_t in_best = 0;
        for (uint32_t a = lo; a < hi; a++) {
            att += pop->attitude[a];
            rel += pop_reliability(pop, a);
            thr += pop_threshold(pop, a);
            support += pop->attitude[a] < 0.5f;
            children += (pop->flags[a] & POP_CHILD) != 0;
            online += (pop->flags[a] & POP_ONLINE) != 0;
            in_best += comp[a] == best;
            for (uint32_t l = 0; l < net->n_layers; l++)
                for (net_off_t e = net->layer[l].off[a]; e < net->layer[l].off[a + 1]; e++) {
                    uint32_t b = net->layer[l].adj[e];
                    if (b == NET_CUT) {
                        cut++;
                    } else {
                        ties++;
                        in_group += pop->group[b] == pop->group[a];
                    }
                }
        }
        /* the state: plain sums, and percentiles by sorting */
        const struct state *st = &w.sim->world.st;
        const struct params *p = w.p;
        double score = 0, fear = 0, domain[N_SUBSYSTEMS] = {0};
        int64_t tier[N_TIERS] = {0}, listed = 0, interned = 0, ever_listed = 0, ever_sanc = 0;
        int64_t wrongly = 0, protest = 0;
        for (uint32_t a = lo; a < hi; a++) {
            double sc = score_reported(p, st, a, pop->group[a]);
            sorted[a - lo] = sc;
            score += sc;
            tier[score_tier(p, sc)]++;
            for (int d = 0; d < N_SUBSYSTEMS; d++)
                domain[d] += score_domain(p, st, a, pop->group[a], d);
            fear += st->fear[a];
            listed += (st->status[a] & ST_LISTED) != 0;
            interned += (st->status[a] & ST_INTERNED) != 0;
            protest += (st->status[a] & ST_PROTEST) != 0;
            wrongly += (st->status[a] & ST_LISTED) && !(st->history[a] & HI_GENUINE);
            ever_listed += (st->history[a] & HI_LISTED) != 0;
            ever_sanc += (st->history[a] & HI_SANCTIONED) != 0;
        }
        qsort(sorted, hi - lo, sizeof *sorted, cmp_double);
        const struct met_row *row = &met->rows[r];
        int64_t agents = hi - lo;
        static const int pct[5] = {1, 10, 50, 90, 99};
        for (int i = 0; i < 5; i++) {
            int64_t rank = (pct[i] * agents + 99) / 100;
            double want = floor(sorted[rank - 1] * 10) / 10; /* its 0.1 bin's lower edge */
            if (row->score_p[i] != want)
                fail_msg("row %u p%d: %.17g, want %.17g", r, pct[i], row->score_p[i], want);
        }
        assert_true(fabs(row->score_mean - score / agents) < 1e-9);
        assert_true(fabs(row->fear_mean - fear / agents) < 1e-12);
        for (int d = 0; d < N_SUBSYSTEMS; d++)
            assert_true(fabs(row->domain_mean[d] - domain[d] / agents) < 1e-9);
        for (int t = 0; t < N_TIERS; t++) assert_int_equal(row->tier[t], tier[t]);
        assert_true(tier[TIER_D] > 0 && tier[TIER_A] > 0); /* the ledgers spread, as designed */
        assert_int_equal(row->listed, listed);
        assert_int_equal(row->interned, interned);
        assert_int_equal(row->protesters, protest);
        assert_int_equal(row->listed_wrongfully, wrongly);
        assert_int_equal(row->ever_listed, ever_listed);
        assert_int_equal(row->ever_sanctioned, ever_sanc);
        assert_true(row->listed_rate == (double)listed / agents);
        if (r < G)
            assert_true(row->di_listed == row->listed_rate / met->rows[met->ref_group].listed_rate);

        assert_int_equal(row->agents, agents);
        assert_int_equal(row->children, children);
        assert_int_equal(row->online, online);
        assert_int_equal(row->ties, ties);
        assert_int_equal(row->ties_cut, cut);
        assert_true(fabs(row->attitude_mean - att / agents) < 1e-12);
        assert_true(fabs(row->reliability_mean - rel / agents) < 1e-12);
        assert_true(fabs(row->threshold_mean - thr / agents) < 1e-12);
        assert_true(row->support_rate == (double)support / agents);
        assert_true(row->in_group_share == (double)in_group / ties);
        assert_true(row->largest_component_share == (double)in_best / agents);
    }
    free(comp);
    free(queue);
    free(size);
    free(sorted);
    world_free(&w);
}

/* ---- docs ------------------------------------------------------------- */

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t k; (k = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *docs_text(size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(met_write_docs(f), SS_OK);
    rewind(f);
    char *text = read_all(f, len);
    fclose(f);
    return text;
}

/* Every column of both daily tables has its own row in its own section. */
static void test_docs_have_every_column(void **state)
{
    size_t len;
    char *text = docs_text(&len);
    char *daily = strstr(text, "\n## daily\n"), *layer = strstr(text, "\n## daily_layer\n");
    assert_non_null(daily);
    assert_non_null(layer);
    assert_true(daily < layer);
    char needle[128];
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        snprintf(needle, sizeof needle, "| `%s` | %s |", met_daily_columns[i].name,
                 met_sql_type(met_daily_columns[i].type));
        char *at = strstr(daily, needle);
        if (!at || at > layer) fail_msg("daily column %s missing from the docs", needle);
    }
    for (size_t i = 0; i < met_n_layer_columns; i++) {
        snprintf(needle, sizeof needle, "| `%s` | %s |", met_layer_columns[i].name,
                 met_sql_type(met_layer_columns[i].type));
        if (!strstr(layer, needle)) fail_msg("daily_layer column %s missing from the docs", needle);
    }
    for (const char *t = text; (t = strstr(t, "\n## ")) != NULL; t++) {
        /* every section has a table with at least one row */
        const char *next = strstr(t + 1, "\n## ");
        const char *row = strstr(t, "\n| `");
        assert_true(row && (!next || row < next));
    }
    assert_non_null(strstr(text, "\n## run\n"));
    assert_non_null(strstr(text, "\n## agents\n"));
    free(text);
}

static void test_docs_up_to_date(void **state)
{
    size_t len, have_len;
    char *text = docs_text(&len);
    FILE *f = fopen(SOURCE_DIR "/docs/metrics.md", "rb");
    if (!f)
        fail_msg("docs/metrics.md is missing: regenerate it with "
                 "./build/scoresim metrics --markdown > docs/metrics.md");
    char *have = read_all(f, &have_len);
    fclose(f);
    if (len != have_len || memcmp(text, have, len) != 0)
        fail_msg("docs/metrics.md is out of date: regenerate it with "
                 "./build/scoresim metrics --markdown > docs/metrics.md");
    free(text);
    free(have);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_world),
        cmocka_unit_test(test_tiny_scores),
        cmocka_unit_test(test_tiny_cap),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_reference_group),
        cmocka_unit_test(test_wide_score_range),
        cmocka_unit_test(test_state_missing),
        cmocka_unit_test(test_component_days),
        cmocka_unit_test(test_two_components),
        cmocka_unit_test(test_component_tie_break),
        cmocka_unit_test(test_empty_group),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_random_world_reference),
        cmocka_unit_test(test_docs_have_every_column),
        cmocka_unit_test(test_docs_up_to_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
