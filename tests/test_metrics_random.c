/*
 * test_metrics_random.c - the daily figures (metrics.c) of a 10^5-agent
 * random world, built by hand (th_hand_new), against a slow, obvious
 * computation (plain sums, sorting, breadth-first search), and
 * bit-identical rows for metrics created with 1 to 4 threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

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
static void random_world(struct th_hand *h)
{
    static const uint32_t sizes[] = {91100, 800, 500, 7600};
    th_hand_new(h, 4, sizes, 2);
    struct population *pop = &h->w.pop;
    uint32_t n = pop->n;
    uint64_t s = 42;
    for (uint32_t a = 0; a < n; a++) {
        h->w.st.attitude[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        h->rel[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        h->thr[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
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
        th_layer_from_edges(&h->w.net.layer[l], l ? "b" : "a", n, u, v, cut, m);
        free(u);
        free(v);
        free(cut);
    }
    for (size_t i = 0; i < 5 * 2; i++) h->contacts[i] = (int64_t)(splitmix(&s) % 1000);

    /* The state: ledgers in [-200, 100] in steps of 1/8 point (a score can
     * fall on a 0.1 bin edge or inside a bin), a quarter of the agents 450
     * judicial points lower, so scores spread from tier D to the clamp;
     * random status and history bits, interned only one agent in 8 (an
     * internee is cut off, and half of them would leave no giant
     * component to measure); groups 1 and 2 capped below the top. */
    struct state *st = &h->w.st;
    for (uint32_t a = 0; a < n; a++) {
        for (int d = 0; d < N_SUBSYSTEMS; d++)
            st->ledger[d][a] = (float)((int64_t)(splitmix(&s) % 2401) - 1600) / 8.0f;
        if (splitmix(&s) % 4 == 0) st->ledger[SUB_JUDICIAL][a] -= 450;
        st->fear[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        st->status[a] = (uint8_t)splitmix(&s);
        if (splitmix(&s) % 4) st->status[a] &= (uint8_t)~ST_INTERNED;
        st->history[a] = (uint8_t)splitmix(&s);
    }
    h->p->scoring.group_cap.enabled = 1;
    h->p->scoring.group_cap.groups.mask = (1u << 1) | (1u << 2);
    st->cap[SUB_FINANCIAL] = 990.5;
    st->cap[SUB_JUDICIAL] = 1001;
    st->cap[SUB_SOCIAL] = 975.25;
    st->cap[N_SUBSYSTEMS] = 980.05;
    for (uint32_t r = 0; r < 5; r++) {
        struct group_counts *gc = &h->e.counts.row[r];
        for (int k = 0; k < N_SANCTIONS; k++) gc->sanctions[k] = (int64_t)(splitmix(&s) % 50);
        for (int k = 0; k < N_ACTIONS; k++) gc->taken[k] = (int64_t)(splitmix(&s) % 50);
        gc->would_criticise = (int64_t)(splitmix(&s) % 100);
    }
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

/* Metrics created with 1, 2, 3 and 4 threads (one score histogram each,
 * and every parallel region of the measurement run on that many) measure
 * the same rows, bit for bit. */
static void test_thread_independence(void **state)
{
    struct th_hand h;
    random_world(&h);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    assert_int_equal(th_hand_met_init(&h, 1, &err), SS_OK);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
    size_t nr = met->n_rows, nl = met->n_layer_rows;
    struct met_row *rows1 = malloc(nr * sizeof *rows1);
    struct met_layer_row *layer1 = malloc(nl * sizeof *layer1);
    assert_non_null(rows1);
    assert_non_null(layer1);
    memcpy(rows1, met->rows, nr * sizeof *rows1);
    memcpy(layer1, met->layer_rows, nl * sizeof *layer1);
    for (int threads = 2; threads <= 4; threads++) {
        met_free(met, &h.mem);
        assert_int_equal(th_hand_met_init(&h, threads, &err), SS_OK);
        assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);
        assert_int_equal(met->n_rows, nr);
        assert_int_equal(met->n_layer_rows, nl);
        assert_rows_identical(rows1, met->rows, nr, sizeof *rows1, met_daily_columns,
                              met_n_daily_columns);
        assert_rows_identical(layer1, met->layer_rows, nl, sizeof *layer1, met_layer_columns,
                              met_n_layer_columns);
    }
    free(rows1);
    free(layer1);
    th_hand_free(&h);
}

/* The optimised figures against a slow, obvious computation: plain sums and
 * a breadth-first search for the components. */
static void test_random_world_reference(void **state)
{
    struct th_hand h;
    random_world(&h);
    struct ss_error err = {0};
    struct metrics *met = &h.met;
    const struct population *pop = &h.w.pop;
    const struct network *net = &h.w.net;
    uint32_t n = pop->n, G = pop->n_groups;
    assert_int_equal(th_hand_met_init(&h, 2, &err), SS_OK);
    assert_int_equal(th_hand_measure(&h, 0, &err), SS_OK);

    /* Components by BFS; comp[x] = the smallest id in x's component. An
     * interned agent's ties join nothing: it is alone. */
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
            if (h.w.st.status[a] & ST_INTERNED) continue;
            for (uint32_t l = 0; l < net->n_layers; l++)
                for (net_off_t e = net->layer[l].off[a]; e < net->layer[l].off[a + 1]; e++) {
                    uint32_t b = net->layer[l].adj[e];
                    if (b != NET_CUT && comp[b] == UINT32_MAX &&
                        !(h.w.st.status[b] & ST_INTERNED)) {
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
    uint32_t interned = 0;
    for (uint32_t x = 0; x < n; x++) interned += (h.w.st.status[x] & ST_INTERNED) != 0;
    assert_true(interned > n / 16); /* and internees cut off from it */

    for (uint32_t r = 0; r <= G; r++) {
        uint32_t lo = r < G ? pop->group_start[r] : 0, hi = r < G ? pop->group_start[r + 1] : n;
        double att = 0, rel = 0, thr = 0;
        int64_t support = 0, children = 0, online = 0, ties = 0, in_group = 0, cut = 0;
        int64_t in_best = 0;
        for (uint32_t a = lo; a < hi; a++) {
            att += h.w.st.attitude[a];
            rel += pop_reliability(pop, a);
            thr += pop_threshold(pop, a);
            support += h.w.st.attitude[a] < 0.5f;
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
        const struct state *st = &h.w.st;
        const struct params *p = h.p;
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
    th_hand_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_random_world_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
