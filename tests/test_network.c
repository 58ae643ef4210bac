/*
 * test_network.c - the contact network layers (network.c, net_gen.c,
 * net_edgelist.c): CSR invariants for every generator, exact household
 * cliques and ring lattices, the statistics of Watts-Strogatz,
 * Barabasi-Albert and Erdos-Renyi layers (degrees, tails, homophily),
 * edge list files good and bad, thread-count independence, out-of-memory
 * handling, the limit on a layer's entries and the memory estimate.
 * Parameters are filled by hand (th_seed_params).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "world/network.h"
#include "world/population.h"

#define EDGES TEST_DATA_DIR "/edges"

/* p with its layers replaced by the one layer l. */
static void one_layer(struct params *p, struct layer_params l)
{
    p->network.n_layers = 1;
    memset(p->network.layers, 0, sizeof p->network.layers);
    l.enabled = 1;
    p->network.layers[0] = l;
}

/* A population and its layers, built by the generators. */
struct built {
    struct mem m;          /* every allocation */
    struct population pop; /* agents */
    struct network net;    /* layers */
    struct ss_error err;   /* the last error */
};

static int build_threads(struct built *w, const struct params *p, int threads)
{
    memset(w, 0, sizeof *w);
    int rc = pop_build(&w->pop, p, threads, &w->m, &w->err);
    if (rc) return rc;
    return net_build(&w->net, &w->pop, p, TEST_DATA_DIR, threads, &w->m, &w->err);
}

/* Built with 2 threads (test_threads compares with 1). */
static int build(struct built *w, const struct params *p)
{
    return build_threads(w, p, 2);
}

static void unbuild(struct built *w)
{
    net_free(&w->net, &w->m);
    pop_free(&w->pop, &w->m);
    assert_int_equal(w->m.live, 0);
}

static uint32_t degree(const struct layer *L, uint32_t i)
{
    return (uint32_t)(L->off[i + 1] - L->off[i]);
}

static int has_tie(const struct layer *L, uint32_t i, uint32_t j)
{
    const uint32_t *row = L->adj + L->off[i];
    uint32_t lo = 0, hi = degree(L, i);
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (row[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < degree(L, i) && row[lo] == j;
}

/* Offsets consistent; rows sorted, unique, without self-loops; symmetric. */
static void check_csr(const struct layer *L, uint32_t n)
{
    assert_int_equal(L->n, n);
    assert_int_equal(L->off[0], 0);
    assert_int_equal(L->off[n], L->n_entries);
    for (uint32_t i = 0; i < n; i++) {
        assert_true(L->off[i] <= L->off[i + 1]);
        for (net_off_t k = L->off[i]; k < L->off[i + 1]; k++) {
            uint32_t j = L->adj[k];
            assert_true(j < n);
            assert_true(j != i);
            if (k > L->off[i]) assert_true(L->adj[k - 1] < j);
            assert_true(has_tie(L, j, i));
        }
    }
}

/* Share of the entries in rows of group g's members (member: in_layer)
 * that point into group g. */
static double in_group_share(const struct built *w, const struct layer *L, uint32_t g)
{
    uint64_t all = 0, in = 0;
    for (uint32_t i = w->pop.group_start[g]; i < w->pop.group_start[g + 1]; i++)
        for (net_off_t k = L->off[i]; k < L->off[i + 1]; k++) {
            all++;
            in += w->pop.group[L->adj[k]] == g;
        }
    return all ? (double)in / all : -1;
}

/* Members per group of the agents with (flags & mask) == want. */
static void member_shares(const struct built *w, uint8_t mask, uint8_t want, double *share)
{
    double total = 0;
    for (uint32_t g = 0; g < w->pop.n_groups; g++) {
        share[g] = 0;
        for (uint32_t a = w->pop.group_start[g]; a < w->pop.group_start[g + 1]; a++)
            share[g] += (w->pop.flags[a] & mask) == want;
        total += share[g];
    }
    for (uint32_t g = 0; g < w->pop.n_groups; g++) share[g] /= total;
}

/* ---- the seed layers --------------------------------------------------- */

static void test_seed_layers(void **state)
{
    const uint32_t n = 50000;
    struct params p;
    struct built w;
    th_seed_params(&p, n);
    assert_int_equal(build(&w, &p), SS_OK);
    assert_int_equal(w.net.n_layers, 3);
    for (uint32_t li = 0; li < 3; li++) {
        check_csr(&w.net.layer[li], n);
        assert_string_equal(w.net.layer[li].name, p.network.layers[li].name);
        assert_true(w.net.layer[li].contact == p.network.layers[li].contact);
    }
    /* household: exactly the cliques */
    const struct layer *H = &w.net.layer[0];
    for (uint32_t k = 0; k < w.pop.n_households; k++) {
        uint32_t a0 = w.pop.hh_start[k], a1 = w.pop.hh_start[k + 1];
        for (uint32_t a = a0; a < a1; a++) {
            assert_int_equal(degree(H, a), a1 - a0 - 1);
            for (uint32_t b = a0; b < a1; b++)
                if (b != a) assert_true(has_tie(H, a, b));
        }
    }
    /* work: mean degree k, a little less after merging duplicates */
    const struct layer *W = &w.net.layer[1];
    double mean = (double)W->n_entries / n;
    assert_true(mean <= 8.0 && mean > 7.95);
    assert_int_equal(W->n_entries + 2 * W->n_merged, 8 * (uint64_t)n);
    /* rewired share .1 with homophily .8: in-group share of the majority */
    double s0 = (double)(w.pop.group_start[1] - w.pop.group_start[0]) / n;
    double expect = 1 - .1 + .1 * (.8 + .2 * s0);
    assert_true(fabs(in_group_share(&w, W, 0) - expect) < 0.004);
    /* online: only online adults, mean degree about 10 */
    const struct layer *O = &w.net.layer[2];
    uint32_t members = 0;
    for (uint32_t a = 0; a < n; a++) {
        if (w.pop.flags[a] & POP_ONLINE)
            members++;
        else
            assert_int_equal(degree(O, a), 0);
    }
    mean = (double)O->n_entries / members;
    assert_true(mean > 9.9 && mean <= 10.0);
    unbuild(&w);
}

/* ---- Watts-Strogatz ---------------------------------------------------- */

/* Walk the cycle through agent `start` in a layer where every member has
 * degree 2; returns its length, the cycle in seq. */
static uint32_t walk_cycle(const struct layer *L, uint32_t start, uint32_t *seq, uint32_t max)
{
    uint32_t prev = start, cur = L->adj[L->off[start]], len = 1;
    seq[0] = start;
    while (cur != start && len < max) {
        seq[len++] = cur;
        assert_int_equal(degree(L, cur), 2);
        uint32_t a = L->adj[L->off[cur]], b = L->adj[L->off[cur] + 1];
        uint32_t next = a == prev ? b : a;
        prev = cur;
        cur = next;
    }
    return len;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* With rewire 0 the layer is exactly the ring lattice over the order: the
 * k = 2 layer gives the order (a cycle per ring), the k = 8 layer built
 * from the same seed ties each member to the 4 on either side of it. The
 * order takes the groups one after the other and does not put household
 * members next to each other. */
static void test_ws_lattice(void **state)
{
    const uint32_t n = 20000;
    struct params p;
    struct built w2, w8;
    th_seed_params(&p, n);
    struct layer_params l = {.name = "work",
                             .generator = GEN_WATTS_STROGATZ,
                             .members = MEM_ALL,
                             .k = 2,
                             .rewire = 0,
                             .homophily = .8};
    one_layer(&p, l);
    assert_int_equal(build(&w2, &p), SS_OK);
    p.network.layers[0].k = 8;
    assert_int_equal(build(&w8, &p), SS_OK);
    const struct layer *L2 = &w2.net.layer[0], *L8 = &w8.net.layer[0];
    check_csr(L2, n);
    check_csr(L8, n);
    uint32_t *seq = malloc(n * sizeof *seq);
    uint64_t same_household = 0, ties = 0;
    for (int ring = 0; ring < 2; ring++) {
        uint8_t want = ring ? POP_CHILD : 0;
        uint32_t size = 0, start = n, groups = 0;
        for (uint32_t a = 0; a < n; a++)
            if ((w2.pop.flags[a] & POP_CHILD) == want) {
                if (start == n) start = a;
                size++;
            }
        for (uint32_t g = 0; g < w2.pop.n_groups; g++) {
            uint32_t c = 0;
            for (uint32_t a = w2.pop.group_start[g]; a < w2.pop.group_start[g + 1]; a++)
                c += (w2.pop.flags[a] & POP_CHILD) == want;
            groups += c > 0;
        }
        assert_true(size > 8);
        assert_int_equal(walk_cycle(L2, start, seq, n), size);
        uint32_t changes = 0;
        for (uint32_t i = 0; i < size; i++) {
            uint32_t a = seq[i], b = seq[(i + 1) % size];
            assert_int_equal(w2.pop.flags[a] & POP_CHILD, want);
            changes += w2.pop.group[a] != w2.pop.group[b];
            same_household += pop_household(&w2.pop, a) == pop_household(&w2.pop, b);
            ties++;
            uint32_t expect[8];
            for (uint32_t d = 1; d <= 4; d++) {
                expect[2 * d - 2] = seq[(i + d) % size];
                expect[2 * d - 1] = seq[(i + size - d) % size];
            }
            qsort(expect, 8, sizeof *expect, cmp_u32);
            assert_int_equal(degree(L8, a), 8);
            assert_memory_equal(L8->adj + L8->off[a], expect, sizeof expect);
        }
        assert_int_equal(changes, groups > 1 ? groups : 0);
    }
    assert_true(same_household < ties / 200);
    free(seq);
    unbuild(&w2);
    unbuild(&w8);
}

/* Every tie rewired: the in-group share of group g's ties is
 * homophily + (1 - homophily) * share of g. */
static void test_ws_homophily(void **state)
{
    static const double shares[4] = {.5, .3, .15, .05};
    static const double hs[2] = {.8, 0};
    const uint32_t n = 50000;
    for (int c = 0; c < 2; c++) {
        struct params p;
        struct built w;
        th_seed_params(&p, n);
        th_set_groups(&p, 4, shares);
        struct layer_params l = {.name = "work",
                                 .generator = GEN_WATTS_STROGATZ,
                                 .members = MEM_ALL,
                                 .k = 8,
                                 .rewire = 1,
                                 .homophily = hs[c]};
        one_layer(&p, l);
        assert_int_equal(build(&w, &p), SS_OK);
        const struct layer *L = &w.net.layer[0];
        check_csr(L, n);
        double mean = (double)L->n_entries / n;
        assert_true(mean <= 8.0 && mean > 7.9);
        double s[4];
        member_shares(&w, 0, 0, s);
        for (uint32_t g = 0; g < 4; g++) {
            double expect = hs[c] + (1 - hs[c]) * s[g];
            assert_true(fabs(in_group_share(&w, L, g) - expect) < 0.015);
        }
        unbuild(&w);
    }
}

/* ---- Barabasi-Albert --------------------------------------------------- */

static void test_ba(void **state)
{
    static const double shares[4] = {.5, .3, .15, .05};
    const uint32_t n = 50000;
    struct params p;
    struct built w;
    th_seed_params(&p, n);
    th_set_groups(&p, 4, shares);
    struct layer_params l = {.name = "online",
                             .generator = GEN_BARABASI_ALBERT,
                             .members = MEM_ONLINE,
                             .mean_degree = 10,
                             .homophily = .8};
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    check_csr(L, n);
    uint32_t members = 0, maxdeg = 0, tail = 0;
    for (uint32_t a = 0; a < n; a++) {
        if (!(w.pop.flags[a] & POP_ONLINE)) {
            assert_int_equal(degree(L, a), 0);
            continue;
        }
        members++;
        uint32_t d = degree(L, a);
        assert_true(d >= 1);
        if (d > maxdeg) maxdeg = d;
        tail += d >= 40;
    }
    double mean = (double)L->n_entries / members;
    assert_true(mean > 9.9 && mean <= 10.0);
    /* heavy tail: a Poisson(10) has P(d >= 40) ~ 1e-11 */
    assert_true(maxdeg > 10 * mean);
    assert_true((double)tail / members > 0.005);
    /* tail exponent (discrete power-law MLE above 20): about 3 */
    double sum = 0;
    uint32_t big = 0;
    for (uint32_t a = 0; a < n; a++)
        if (degree(L, a) >= 20) {
            sum += log(degree(L, a) / 19.5);
            big++;
        }
    double alpha = 1 + big / sum;
    assert_true(alpha > 2.5 && alpha < 3.5);
    double s[4];
    member_shares(&w, POP_ONLINE, POP_ONLINE, s);
    for (uint32_t g = 0; g < 4; g++) {
        double expect = .8 + .2 * s[g];
        assert_true(fabs(in_group_share(&w, L, g) - expect) < 0.02);
    }
    unbuild(&w);
    /* an odd mean degree: 2 or 3 slots per node, 5 on average */
    p.network.layers[0].mean_degree = 5;
    p.network.layers[0].members = MEM_ADULTS;
    assert_int_equal(build(&w, &p), SS_OK);
    check_csr(&w.net.layer[0], n);
    members = 0;
    for (uint32_t a = 0; a < n; a++) members += !(w.pop.flags[a] & POP_CHILD);
    mean = (double)w.net.layer[0].n_entries / members;
    assert_true(fabs(mean - 5) < 0.06);
    unbuild(&w);
}

/* ---- Erdos-Renyi and complete ---------------------------------------- */

static void test_er(void **state)
{
    const uint32_t n = 20000;
    struct params p;
    struct built w;
    th_seed_params(&p, n);
    struct layer_params l = {
        .name = "random", .generator = GEN_ERDOS_RENYI, .members = MEM_ALL, .mean_degree = 6};
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    check_csr(L, n);
    assert_int_equal(L->n_merged, 0);
    double sum = 0, sq = 0;
    for (uint32_t a = 0; a < n; a++) {
        double d = degree(L, a);
        sum += d;
        sq += d * d;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    assert_true(fabs(mean - 6) < 0.1);
    assert_true(fabs(var / mean - 1) < 0.1);
    unbuild(&w);
    /* adults only: children have empty rows */
    p.network.layers[0].members = MEM_ADULTS;
    assert_int_equal(build(&w, &p), SS_OK);
    check_csr(&w.net.layer[0], n);
    for (uint32_t a = 0; a < n; a++)
        if (w.pop.flags[a] & POP_CHILD) assert_int_equal(degree(&w.net.layer[0], a), 0);
    unbuild(&w);
}

static void test_complete(void **state)
{
    struct params p;
    struct built w;
    th_seed_params(&p, 100);
    struct layer_params l = {.name = "all", .generator = GEN_COMPLETE, .members = MEM_ALL};
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    check_csr(L, 100);
    for (uint32_t a = 0; a < 100; a++) assert_int_equal(degree(L, a), 99);
    unbuild(&w);
}

/* A disabled layer keeps its place, with no ties. */
static void test_disabled(void **state)
{
    struct params p;
    struct built w;
    th_seed_params(&p, 1000);
    p.network.layers[1].enabled = 0;
    assert_int_equal(build(&w, &p), SS_OK);
    assert_int_equal(w.net.n_layers, 3);
    assert_int_equal(w.net.layer[1].n_entries, 0);
    assert_string_equal(w.net.layer[1].name, "work");
    check_csr(&w.net.layer[1], 1000);
    unbuild(&w);
}

/* ---- edge lists ---------------------------------------------------------- */

static void test_edge_list(void **state)
{
    static const uint32_t rows[10][3] = {{1, 4}, {0, 2}, {1, 3}, {2, 4}, {0, 3},
                                         {6},    {5},    {8},    {7, 9}, {8}};
    static const uint32_t deg[10] = {2, 2, 2, 2, 2, 1, 1, 1, 2, 1};
    struct params p;
    struct built w;
    th_seed_params(&p, 10);
    struct layer_params l = {.name = "file", .generator = GEN_EDGE_LIST};
    strcpy(l.file, "edges/good.txt");
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    check_csr(L, 10);
    for (uint32_t a = 0; a < 10; a++) {
        assert_int_equal(degree(L, a), deg[a]);
        assert_memory_equal(L->adj + L->off[a], rows[a], deg[a] * sizeof(uint32_t));
    }
    assert_int_equal(L->n_entries, 16);
    assert_int_equal(L->n_merged, 2); /* 0 1 three times over */
    unbuild(&w);
    if (TEST_DATA_DIR[0] == '/') { /* an absolute path ignores base_dir */
        strcpy(p.network.layers[0].file, EDGES "/good.txt");
        memset(&w, 0, sizeof w);
        assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
        assert_int_equal(net_build(&w.net, &w.pop, &p, "/nonexistent", 2, &w.m, &w.err), SS_OK);
        assert_int_equal(w.net.layer[0].n_entries, 16);
        unbuild(&w);
    }
}

static void expect_error(const char *file, uint32_t agents, int code, int line, int col,
                         const char *msg)
{
    struct params p;
    struct built w;
    th_seed_params(&p, agents);
    struct layer_params l = {.name = "file", .generator = GEN_EDGE_LIST};
    snprintf(l.file, sizeof l.file, "edges/%s", file);
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), code);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", EDGES, file);
    assert_string_equal(w.err.file, path);
    assert_int_equal(w.err.line, line);
    assert_int_equal(w.err.col, col);
    assert_string_equal(w.err.msg, msg);
    unbuild(&w);
}

static void test_edge_list_errors(void **state)
{
    expect_error("bad_malformed.txt", 1000, SS_EINPUT, 3, 3, "expected two agent ids, got '2 x'");
    expect_error("bad_three.txt", 1000, SS_EINPUT, 1, 5, "expected two agent ids, got '1 2 3'");
    expect_error("bad_one.txt", 1000, SS_EINPUT, 2, 2, "expected two agent ids, got '5'");
    expect_error("bad_comma.txt", 1000, SS_EINPUT, 2, 3, "expected two agent ids, got '1,,2'");
    expect_error("bad_range.txt", 1000, SS_EINPUT, 2, 3,
                 "agent id 1234 is out of range: the population has 1000 agents "
                 "(population.agents)");
    expect_error("bad_selfloop.txt", 1000, SS_EINPUT, 3, 3,
                 "self-loop on agent 7: a tie needs two different agents");
    expect_error("missing.txt", 1000, SS_EIO, 0, 0,
                 "cannot open the edge list: No such file or directory");
}

/* Round trip: a generated layer written out as an edge list (each tie
 * both ways, separators varied; the file spans several read buffers and
 * tie chunks) reads back into exactly the same rows, every tie merged
 * once. */
static void test_edge_list_round_trip(void **state)
{
    const uint32_t n = 30000;
    struct params p;
    struct built w, r;
    th_seed_params(&p, n);
    struct layer_params l = {.name = "work",
                             .generator = GEN_WATTS_STROGATZ,
                             .members = MEM_ALL,
                             .k = 8,
                             .rewire = .3,
                             .homophily = .5};
    one_layer(&p, l);
    assert_int_equal(build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    char path[] = "/tmp/test_network_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "# %u ties\n", (unsigned)(L->n_entries / 2));
    for (uint32_t i = 0; i < n; i++)
        for (net_off_t k = L->off[i]; k < L->off[i + 1]; k++)
            fprintf(f, k % 3 ? "%u %u\n" : "%u,\t%u # c\n", i, L->adj[k]);
    fclose(f);
    struct layer_params e = {.name = "file", .generator = GEN_EDGE_LIST};
    strcpy(e.file, path);
    one_layer(&p, e);
    assert_int_equal(build(&r, &p), SS_OK);
    remove(path);
    const struct layer *R = &r.net.layer[0];
    check_csr(R, n);
    assert_int_equal(R->n_entries, L->n_entries);
    assert_int_equal(R->n_merged, L->n_entries / 2);
    assert_memory_equal(R->off, L->off, (n + 1) * sizeof *L->off);
    assert_memory_equal(R->adj, L->adj, L->n_entries * sizeof *L->adj);
    unbuild(&w);
    unbuild(&r);
}

/* ---- determinism, failures, estimate ------------------------------------ */

/* Every generator, for the threads and out-of-memory tests. */
static void all_generators(struct params *p, uint32_t n)
{
    th_seed_params(p, n);
    p->network.n_layers = 6;
    p->network.layers[3] = (struct layer_params){.name = "random",
                                                 .enabled = 1,
                                                 .generator = GEN_ERDOS_RENYI,
                                                 .members = MEM_ADULTS,
                                                 .mean_degree = 4};
    p->network.layers[4] = (struct layer_params){
        .name = "file", .enabled = 1, .generator = GEN_EDGE_LIST, .file = "edges/good.txt"};
    p->network.layers[5] = (struct layer_params){
        .name = "village", .enabled = 1, .generator = GEN_COMPLETE, .members = MEM_ONLINE};
}

static void assert_same_net(const struct network *a, const struct network *b)
{
    assert_int_equal(a->n_layers, b->n_layers);
    for (uint32_t li = 0; li < a->n_layers; li++) {
        const struct layer *x = &a->layer[li], *y = &b->layer[li];
        assert_int_equal(x->n, y->n);
        assert_int_equal(x->n_entries, y->n_entries);
        assert_int_equal(x->n_merged, y->n_merged);
        assert_memory_equal(x->off, y->off, (x->n + 1) * sizeof *x->off);
        assert_memory_equal(x->adj, y->adj, x->n_entries * sizeof *x->adj);
    }
}

static void test_threads(void **state)
{
    struct params p;
    struct built a, b;
    all_generators(&p, 30000);
    p.network.layers[5].members = MEM_ALL;
    p.population.agents = 30000;
    p.network.layers[5].enabled = 0; /* complete over 30000 is large: tested below */
    assert_int_equal(build_threads(&a, &p, 1), SS_OK);
    assert_int_equal(build_threads(&b, &p, 2), SS_OK);
    assert_same_net(&a.net, &b.net);
    unbuild(&a);
    unbuild(&b);
    all_generators(&p, 2000);
    assert_int_equal(build_threads(&a, &p, 1), SS_OK);
    assert_int_equal(build_threads(&b, &p, 2), SS_OK);
    assert_same_net(&a.net, &b.net);
    unbuild(&a);
    unbuild(&b);
}

/* Fail each allocation of net_build in turn: SS_ENOMEM, freed cleanly. The
 * one allocation whose failure is harmless (shrinking an edge list layer
 * that had many duplicates) must then give the same network. */
static void test_nomem(void **state)
{
    struct params p;
    struct built ref;
    all_generators(&p, 2000);
    assert_int_equal(build(&ref, &p), SS_OK);
    struct mem counter = {0};
    struct network net = {0};
    struct ss_error err = {0};
    assert_int_equal(net_build(&net, &ref.pop, &p, TEST_DATA_DIR, 2, &counter, &err), SS_OK);
    net_free(&net, &counter);
    long total = counter.count, ok = 0;
    assert_true(total > 10);
    for (long k = 1; k <= total; k++) {
        struct mem f = {.fail_at = k};
        memset(&net, 0, sizeof net);
        err = (struct ss_error){0};
        int rc = net_build(&net, &ref.pop, &p, TEST_DATA_DIR, 2, &f, &err);
        if (rc == SS_OK) {
            ok++;
            assert_same_net(&net, &ref.net);
        } else {
            assert_int_equal(rc, SS_ENOMEM);
            assert_int_equal(err.code, SS_ENOMEM);
            assert_non_null(strstr(err.msg, "out of memory while building the "));
        }
        net_free(&net, &f);
        assert_int_equal(f.live, 0);
    }
    assert_true(ok <= 1);
    unbuild(&ref);
}

/* ---- the 32-bit offset limit --------------------------------------------- */

/* A layer holds at most NET_MAX_ENTRIES directed entries. The check takes
 * a 64-bit count (so a count past 2^32 cannot wrap into range) and names
 * the layer; the builders whose count is known up front refuse before
 * allocating anything of the layer's size, so this costs no gigabytes. */
static void test_entry_limit(void **state)
{
    struct ss_error err = {0};
    assert_int_equal(NET_MAX_ENTRIES, 4294967294u);
    assert_int_equal(net_check_entries(0, "x", &err), SS_OK);
    /* the seed's largest layer at 10^8 agents */
    assert_int_equal(net_check_entries(800000000u, "x", &err), SS_OK);
    assert_int_equal(net_check_entries(NET_MAX_ENTRIES, "x", &err), SS_OK);
    assert_int_equal(err.code, SS_OK);
    assert_int_equal(net_check_entries((uint64_t)NET_MAX_ENTRIES + 1, "work", &err), SS_EINPUT);
    assert_int_equal(err.code, SS_EINPUT);
    assert_non_null(strstr(err.msg, "network.work: "));
    assert_non_null(strstr(err.msg, " 4294967295 directed entries"));
    assert_non_null(strstr(err.msg, "at most 4294967294"));
    err = (struct ss_error){0};
    assert_int_equal(net_check_entries((uint64_t)1 << 32 | 5, "x", &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, " 4294967301 directed entries"));

    /* a complete layer of 65537 members: 65537 x 65536 = 4295032832
     * entries, refused with only the member list allocated */
    struct params p;
    struct built w;
    th_seed_params(&p, 65537);
    one_layer(&p, (struct layer_params){
                      .name = "everyone", .generator = GEN_COMPLETE, .members = MEM_ALL});
    memset(&w, 0, sizeof w);
    assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
    size_t before = w.m.peak;
    assert_int_equal(net_build(&w.net, &w.pop, &p, TEST_DATA_DIR, 2, &w.m, &w.err), SS_EINPUT);
    assert_non_null(strstr(w.err.msg, "network.everyone: "));
    assert_non_null(strstr(w.err.msg, " 4295032832 directed entries"));
    assert_true(w.m.peak < before + ((size_t)1 << 20));
    unbuild(&w);

    /* one household of all 70000 agents: 70000 x 69999 entries */
    th_seed_params(&p, 70000);
    p.population.household_size = 1e9;
    p.population.child_share = 0;
    one_layer(&p, (struct layer_params){.name = "home", .generator = GEN_HOUSEHOLD});
    memset(&w, 0, sizeof w);
    assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
    assert_int_equal(w.pop.n_households, 1);
    before = w.m.peak;
    assert_int_equal(net_build(&w.net, &w.pop, &p, TEST_DATA_DIR, 2, &w.m, &w.err), SS_EINPUT);
    assert_non_null(strstr(w.err.msg, "network.home: "));
    assert_non_null(strstr(w.err.msg, " 4899930000 directed entries"));
    assert_int_equal(w.m.peak, before);
    unbuild(&w);
}

/* The estimate covers what the build held at its peak, not wildly more. */
static void test_estimate(void **state)
{
    struct params p;
    struct built w;
    th_seed_params(&p, 100000);
    memset(&w, 0, sizeof w);
    assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
    struct mem m = {0};
    assert_int_equal(net_build(&w.net, &w.pop, &p, TEST_DATA_DIR, 2, &m, &w.err), SS_OK);
    size_t est = net_estimate_bytes(&p, TEST_DATA_DIR);
    assert_true(est >= m.peak);
    assert_true(est < 2 * m.peak);
    net_free(&w.net, &m);
    assert_int_equal(m.live, 0);
    unbuild(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_layers),
        cmocka_unit_test(test_ws_lattice),
        cmocka_unit_test(test_ws_homophily),
        cmocka_unit_test(test_ba),
        cmocka_unit_test(test_er),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_edge_list),
        cmocka_unit_test(test_edge_list_errors),
        cmocka_unit_test(test_edge_list_round_trip),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_entry_limit),
        cmocka_unit_test(test_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
