/*
 * test_network.c - the contact network's generators (net_gen.c): CSR
 * invariants for every generator, exact household cliques and ring
 * lattices, the statistics of Watts-Strogatz, Barabasi-Albert and
 * Erdos-Renyi layers (degrees, tails, homophily), complete and disabled
 * layers. Parameters are filled by hand (th_seed_params); edge lists,
 * thread counts, failures and limits are test_network_build.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "world/network.h"
#include "world/population.h"

/* Share of the entries in rows of group g's members (member: in_layer)
 * that point into group g. */
static double in_group_share(const struct th_built *w, const struct layer *L, uint32_t g)
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
static void member_shares(const struct th_built *w, uint8_t mask, uint8_t want, double *share)
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
    struct th_built w;
    th_seed_params(&p, n);
    assert_int_equal(th_build(&w, &p), SS_OK);
    assert_int_equal(w.net.n_layers, 3);
    for (uint32_t li = 0; li < 3; li++) {
        th_check_csr(&w.net.layer[li], n);
        assert_string_equal(w.net.layer[li].name, p.network.layers[li].name);
    }
    /* household: exactly the cliques */
    const struct layer *H = &w.net.layer[0];
    for (uint32_t k = 0; k < w.pop.n_households; k++) {
        uint32_t a0 = w.pop.hh_start[k], a1 = w.pop.hh_start[k + 1];
        for (uint32_t a = a0; a < a1; a++) {
            assert_int_equal(th_degree(H, a), a1 - a0 - 1);
            for (uint32_t b = a0; b < a1; b++)
                if (b != a) assert_true(th_has_tie(H, a, b));
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
            assert_int_equal(th_degree(O, a), 0);
    }
    mean = (double)O->n_entries / members;
    assert_true(mean > 9.9 && mean <= 10.0);
    th_unbuild(&w);
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
        assert_int_equal(th_degree(L, cur), 2);
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
    struct th_built w2, w8;
    th_seed_params(&p, n);
    struct layer_params l = {.name = "work",
                             .generator = GEN_WATTS_STROGATZ,
                             .members = MEM_ALL,
                             .k = 2,
                             .rewire = 0,
                             .homophily = .8};
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w2, &p), SS_OK);
    p.network.layers[0].k = 8;
    assert_int_equal(th_build(&w8, &p), SS_OK);
    const struct layer *L2 = &w2.net.layer[0], *L8 = &w8.net.layer[0];
    th_check_csr(L2, n);
    th_check_csr(L8, n);
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
            assert_int_equal(th_degree(L8, a), 8);
            assert_memory_equal(L8->adj + L8->off[a], expect, sizeof expect);
        }
        assert_int_equal(changes, groups > 1 ? groups : 0);
    }
    assert_true(same_household < ties / 200);
    free(seq);
    th_unbuild(&w2);
    th_unbuild(&w8);
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
        struct th_built w;
        th_seed_params(&p, n);
        th_set_groups(&p, 4, shares);
        struct layer_params l = {.name = "work",
                                 .generator = GEN_WATTS_STROGATZ,
                                 .members = MEM_ALL,
                                 .k = 8,
                                 .rewire = 1,
                                 .homophily = hs[c]};
        th_one_layer(&p, l);
        assert_int_equal(th_build(&w, &p), SS_OK);
        const struct layer *L = &w.net.layer[0];
        th_check_csr(L, n);
        double mean = (double)L->n_entries / n;
        assert_true(mean <= 8.0 && mean > 7.9);
        double s[4];
        member_shares(&w, 0, 0, s);
        for (uint32_t g = 0; g < 4; g++) {
            double expect = hs[c] + (1 - hs[c]) * s[g];
            assert_true(fabs(in_group_share(&w, L, g) - expect) < 0.015);
        }
        th_unbuild(&w);
    }
}

/* ---- Barabasi-Albert --------------------------------------------------- */

static void test_ba(void **state)
{
    static const double shares[4] = {.5, .3, .15, .05};
    const uint32_t n = 50000;
    struct params p;
    struct th_built w;
    th_seed_params(&p, n);
    th_set_groups(&p, 4, shares);
    struct layer_params l = {.name = "online",
                             .generator = GEN_BARABASI_ALBERT,
                             .members = MEM_ONLINE,
                             .mean_degree = 10,
                             .homophily = .8};
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    th_check_csr(L, n);
    uint32_t members = 0, maxdeg = 0, tail = 0;
    for (uint32_t a = 0; a < n; a++) {
        if (!(w.pop.flags[a] & POP_ONLINE)) {
            assert_int_equal(th_degree(L, a), 0);
            continue;
        }
        members++;
        uint32_t d = th_degree(L, a);
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
        if (th_degree(L, a) >= 20) {
            sum += log(th_degree(L, a) / 19.5);
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
    th_unbuild(&w);
    /* an odd mean degree: 2 or 3 slots per node, 5 on average */
    p.network.layers[0].mean_degree = 5;
    p.network.layers[0].members = MEM_ADULTS;
    assert_int_equal(th_build(&w, &p), SS_OK);
    th_check_csr(&w.net.layer[0], n);
    members = 0;
    for (uint32_t a = 0; a < n; a++) members += !(w.pop.flags[a] & POP_CHILD);
    mean = (double)w.net.layer[0].n_entries / members;
    assert_true(fabs(mean - 5) < 0.06);
    th_unbuild(&w);
}

/* ---- Erdos-Renyi and complete ---------------------------------------- */

static void test_er(void **state)
{
    const uint32_t n = 20000;
    struct params p;
    struct th_built w;
    th_seed_params(&p, n);
    struct layer_params l = {
        .name = "random", .generator = GEN_ERDOS_RENYI, .members = MEM_ALL, .mean_degree = 6};
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    th_check_csr(L, n);
    assert_int_equal(L->n_merged, 0);
    double sum = 0, sq = 0;
    for (uint32_t a = 0; a < n; a++) {
        double d = th_degree(L, a);
        sum += d;
        sq += d * d;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    assert_true(fabs(mean - 6) < 0.1);
    assert_true(fabs(var / mean - 1) < 0.1);
    th_unbuild(&w);
    /* adults only: children have empty rows */
    p.network.layers[0].members = MEM_ADULTS;
    assert_int_equal(th_build(&w, &p), SS_OK);
    th_check_csr(&w.net.layer[0], n);
    for (uint32_t a = 0; a < n; a++)
        if (w.pop.flags[a] & POP_CHILD) assert_int_equal(th_degree(&w.net.layer[0], a), 0);
    th_unbuild(&w);
}

static void test_complete(void **state)
{
    struct params p;
    struct th_built w;
    th_seed_params(&p, 100);
    struct layer_params l = {.name = "all", .generator = GEN_COMPLETE, .members = MEM_ALL};
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    th_check_csr(L, 100);
    for (uint32_t a = 0; a < 100; a++) assert_int_equal(th_degree(L, a), 99);
    th_unbuild(&w);
}

/* A disabled layer keeps its place, with no ties. */
static void test_disabled(void **state)
{
    struct params p;
    struct th_built w;
    th_seed_params(&p, 1000);
    p.network.layers[1].enabled = 0;
    assert_int_equal(th_build(&w, &p), SS_OK);
    assert_int_equal(w.net.n_layers, 3);
    assert_int_equal(w.net.layer[1].n_entries, 0);
    assert_string_equal(w.net.layer[1].name, "work");
    th_check_csr(&w.net.layer[1], 1000);
    th_unbuild(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_layers),  cmocka_unit_test(test_ws_lattice),
        cmocka_unit_test(test_ws_homophily), cmocka_unit_test(test_ba),
        cmocka_unit_test(test_er),           cmocka_unit_test(test_complete),
        cmocka_unit_test(test_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
