/*
 * test_network_build.c - building the contact network (network.c,
 * net_edgelist.c): edge list files good and bad and a round trip through
 * one, thread-count independence for every generator, out-of-memory
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

/* ---- edge lists ---------------------------------------------------------- */

static void test_edge_list(void **state)
{
    static const uint32_t rows[10][3] = {{1, 4}, {0, 2}, {1, 3}, {2, 4}, {0, 3},
                                         {6},    {5},    {8},    {7, 9}, {8}};
    static const uint32_t deg[10] = {2, 2, 2, 2, 2, 1, 1, 1, 2, 1};
    struct params p;
    struct th_built w;
    th_seed_params(&p, 10);
    struct layer_params l = {.name = "file", .generator = GEN_EDGE_LIST};
    strcpy(l.file, "edges/good.txt");
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), SS_OK);
    const struct layer *L = &w.net.layer[0];
    th_check_csr(L, 10);
    for (uint32_t a = 0; a < 10; a++) {
        assert_int_equal(th_degree(L, a), deg[a]);
        assert_memory_equal(L->adj + L->off[a], rows[a], deg[a] * sizeof(uint32_t));
    }
    assert_int_equal(L->n_entries, 16);
    assert_int_equal(L->n_merged, 2); /* 0 1 three times over */
    th_unbuild(&w);
    if (TEST_DATA_DIR[0] == '/') { /* an absolute path ignores base_dir */
        strcpy(p.network.layers[0].file, EDGES "/good.txt");
        memset(&w, 0, sizeof w);
        assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
        assert_int_equal(net_build(&w.net, &w.pop, &p, "/nonexistent", 2, &w.m, &w.err), SS_OK);
        assert_int_equal(w.net.layer[0].n_entries, 16);
        th_unbuild(&w);
    }
}

static void expect_error(const char *file, uint32_t agents, int code, int line, int col,
                         const char *msg)
{
    struct params p;
    struct th_built w;
    th_seed_params(&p, agents);
    struct layer_params l = {.name = "file", .generator = GEN_EDGE_LIST};
    snprintf(l.file, sizeof l.file, "edges/%s", file);
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), code);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", EDGES, file);
    assert_string_equal(w.err.file, path);
    assert_int_equal(w.err.line, line);
    assert_int_equal(w.err.col, col);
    assert_string_equal(w.err.msg, msg);
    th_unbuild(&w);
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
    expect_error("missing.txt", 1000, SS_EINPUT, 0, 0,
                 "cannot read the edge list: No such file or directory");
}

/* Round trip: a generated layer written out as an edge list (each tie
 * both ways, separators varied; the file spans several read buffers and
 * tie chunks) reads back into exactly the same rows, every tie merged
 * once. */
static void test_edge_list_round_trip(void **state)
{
    const uint32_t n = 30000;
    struct params p;
    struct th_built w, r;
    th_seed_params(&p, n);
    struct layer_params l = {.name = "work",
                             .generator = GEN_WATTS_STROGATZ,
                             .members = MEM_ALL,
                             .k = 8,
                             .rewire = .3,
                             .homophily = .5};
    th_one_layer(&p, l);
    assert_int_equal(th_build(&w, &p), SS_OK);
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
    th_one_layer(&p, e);
    assert_int_equal(th_build(&r, &p), SS_OK);
    remove(path);
    const struct layer *R = &r.net.layer[0];
    th_check_csr(R, n);
    assert_int_equal(R->n_entries, L->n_entries);
    assert_int_equal(R->n_merged, L->n_entries / 2);
    assert_memory_equal(R->off, L->off, (n + 1) * sizeof *L->off);
    assert_memory_equal(R->adj, L->adj, L->n_entries * sizeof *L->adj);
    th_unbuild(&w);
    th_unbuild(&r);
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
    struct th_built a, b;
    all_generators(&p, 30000);
    p.network.layers[5].members = MEM_ALL;
    p.population.agents = 30000;
    p.network.layers[5].enabled = 0; /* complete over 30000 is large: tested below */
    assert_int_equal(th_build_threads(&a, &p, 1), SS_OK);
    assert_int_equal(th_build_threads(&b, &p, 2), SS_OK);
    assert_same_net(&a.net, &b.net);
    th_unbuild(&a);
    th_unbuild(&b);
    all_generators(&p, 2000);
    assert_int_equal(th_build_threads(&a, &p, 1), SS_OK);
    assert_int_equal(th_build_threads(&b, &p, 2), SS_OK);
    assert_same_net(&a.net, &b.net);
    th_unbuild(&a);
    th_unbuild(&b);
}

/* Fail each allocation of net_build in turn: SS_ENOMEM, freed cleanly. The
 * one allocation whose failure is harmless (shrinking an edge list layer
 * that had many duplicates) must then give the same network. */
static void test_nomem(void **state)
{
    struct params p;
    struct th_built ref;
    all_generators(&p, 2000);
    assert_int_equal(th_build(&ref, &p), SS_OK);
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
    th_unbuild(&ref);
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
    struct th_built w;
    th_seed_params(&p, 65537);
    th_one_layer(&p, (struct layer_params){
                         .name = "everyone", .generator = GEN_COMPLETE, .members = MEM_ALL});
    memset(&w, 0, sizeof w);
    assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
    size_t before = w.m.peak;
    assert_int_equal(net_build(&w.net, &w.pop, &p, TEST_DATA_DIR, 2, &w.m, &w.err), SS_EINPUT);
    assert_non_null(strstr(w.err.msg, "network.everyone: "));
    assert_non_null(strstr(w.err.msg, " 4295032832 directed entries"));
    assert_true(w.m.peak < before + ((size_t)1 << 20));
    th_unbuild(&w);

    /* one household of all 70000 agents: 70000 x 69999 entries */
    th_seed_params(&p, 70000);
    p.population.household_size = 1e9;
    p.population.child_share = 0;
    th_one_layer(&p, (struct layer_params){.name = "home", .generator = GEN_HOUSEHOLD});
    memset(&w, 0, sizeof w);
    assert_int_equal(pop_build(&w.pop, &p, 2, &w.m, &w.err), SS_OK);
    assert_int_equal(w.pop.n_households, 1);
    before = w.m.peak;
    assert_int_equal(net_build(&w.net, &w.pop, &p, TEST_DATA_DIR, 2, &w.m, &w.err), SS_EINPUT);
    assert_non_null(strstr(w.err.msg, "network.home: "));
    assert_non_null(strstr(w.err.msg, " 4899930000 directed entries"));
    assert_int_equal(w.m.peak, before);
    th_unbuild(&w);
}

/* The estimate covers what the build held at its peak, not wildly more. */
static void test_estimate(void **state)
{
    struct params p;
    struct th_built w;
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
    th_unbuild(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
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
