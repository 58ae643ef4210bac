/*
 * test_metrics.c - the daily figures (metrics.c) on hand-built populations
 * and networks: every figure of a 10-agent world checked against values
 * worked out by hand, the largest component against a naive BFS on a
 * random graph, bit-identical rows for 1 and 2 threads, allocation
 * failures, and docs/metrics.md kept up to date.
 *
 * The struct sim is built by hand and only met_* functions are called, so
 * the test does not depend on the population and network generators.
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

#include "metrics.h"
#include "sim.h"

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
    struct population *pop = &w.sim->pop;
    pop->n_groups = n_groups;
    w.p->pop.groups.n = n_groups;
    for (uint32_t g = 0; g < n_groups; g++) {
        pop->group_start[g + 1] = pop->group_start[g] + sizes[g];
        snprintf(w.p->pop.groups.name[g], MAX_NAME, "g%u", g);
    }
    uint32_t n = pop->n = pop->group_start[n_groups];
    pop->group = calloc(n ? n : 1, 1);
    pop->flags = calloc(n ? n : 1, 1);
    pop->household = calloc(n ? n : 1, sizeof *pop->household);
    pop->attitude = calloc(n ? n : 1, sizeof *pop->attitude);
    pop->reliability = calloc(n ? n : 1, sizeof *pop->reliability);
    pop->threshold = calloc(n ? n : 1, sizeof *pop->threshold);
    for (uint32_t g = 0; g < n_groups; g++)
        for (uint32_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a++)
            pop->group[a] = (uint8_t)g;
    w.sim->net.n_layers = n_layers;
    w.contacts = calloc((size_t)(n_groups + 1) * (n_layers ? n_layers : 1), sizeof *w.contacts);
    w.sim->contacts = w.contacts;
    w.p->days = 365;
    w.sim->p = w.p;
    return w;
}

static void world_free(struct world *w)
{
    struct population *pop = &w->sim->pop;
    met_free(&w->sim->met, w->sim);
    assert_int_equal(w->sim->mem.live, 0);
    for (uint32_t l = 0; l < w->sim->net.n_layers; l++) {
        free(w->sim->net.layer[l].off);
        free(w->sim->net.layer[l].adj);
    }
    free(pop->group);
    free(pop->flags);
    free(pop->household);
    free(pop->attitude);
    free(pop->reliability);
    free(pop->threshold);
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
    struct population *pop = &w.sim->pop;
    static const float att[10] = {0.125f, 0.25f,  0.375f, 0.625f, 0.75f,
                                  0.5f,   0.875f, 0.5f,   0.25f,  0.75f};
    for (uint32_t a = 0; a < 10; a++) {
        pop->attitude[a] = att[a];
        pop->reliability[a] = a == 0 ? 1.0f : 0.75f;
        pop->threshold[a] = a == 9 ? 0.5f : 0.25f;
    }
    pop->flags[2] = pop->flags[5] = pop->flags[9] = POP_CHILD;
    pop->flags[0] = pop->flags[1] = pop->flags[3] = pop->flags[6] = pop->flags[7] = POP_ONLINE;

    static const uint32_t hu[] = {0, 0, 1, 3, 3, 4, 6, 8}, hv[] = {1, 2, 2, 4, 5, 5, 7, 9};
    layer_from_edges(&w.sim->net.layer[0], "home", 10, hu, hv, NULL, 8);
    static const uint32_t wu[] = {2, 5, 0, 1}, wv[] = {3, 6, 7, 8};
    unsigned char cut[] = {0, 0, 0, 1};
    if (extra_cut) cut[0] = cut[1] = 1;
    layer_from_edges(&w.sim->net.layer[1], "work", 10, wu, wv, cut, 4);
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
    layer_from_edges(&w.sim->net.layer[0], "only", 6, u, v, NULL, 3);
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
    w.sim->pop.attitude[0] = 0.25f;
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
    struct population *pop = &w.sim->pop;
    uint32_t n = pop->n;
    uint64_t s = 42;
    for (uint32_t a = 0; a < n; a++) {
        pop->attitude[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        pop->reliability[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
        pop->threshold[a] = (float)(splitmix(&s) >> 40) * 0x1p-24f;
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
        layer_from_edges(&w.sim->net.layer[l], l ? "b" : "a", n, u, v, cut, m);
        free(u);
        free(v);
        free(cut);
    }
    for (size_t i = 0; i < 5 * 2; i++) w.contacts[i] = (int64_t)(splitmix(&s) % 1000);
    return w;
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
    const struct population *pop = &w.sim->pop;
    const struct network *net = &w.sim->net;
    uint32_t n = pop->n, G = pop->n_groups;
    assert_int_equal(met_init(met, w.sim, &err), SS_OK);
    assert_int_equal(met_measure(met, w.sim, 0, &err), SS_OK);

    /* Components by BFS; comp[x] = the smallest id in x's component. */
    uint32_t *comp = malloc(n * sizeof *comp), *queue = malloc(n * sizeof *queue);
    uint32_t *size = calloc(n, sizeof *size);
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
            rel += pop->reliability[a];
            thr += pop->threshold[a];
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
        const struct met_row *row = &met->rows[r];
        int64_t agents = hi - lo;
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
