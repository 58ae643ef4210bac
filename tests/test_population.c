/*
 * test_population.c - the synthetic population (population.c) and the
 * agents' initial state (state.c): exact structure (households
 * contiguous, groups contiguous, an adult first), the distributions within
 * statistical tolerance (attitude is drawn by state_init, keyed by agent),
 * explicit and constant distributions, thread-count independence and
 * out-of-memory handling. Parameters are filled by hand (seed-like
 * defaults, th_seed_population), not by scenario.c.
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "world/population.h"
#include "world/state.h"

/* pop_build with 2 threads (test_threads compares with 1). */
static int build(struct population *pop, const struct params *p, struct mem *m)
{
    struct ss_error err = {0};
    memset(pop, 0, sizeof *pop);
    return pop_build(pop, p, 2, m, &err);
}

/* state_init over a built population, or fail. */
static void init_state(struct state *st, const struct params *p, const struct population *pop,
                       int threads, struct mem *m)
{
    struct ss_error err = {0};
    if (state_init(st, p, pop, threads, m, &err) != SS_OK) fail_msg("state_init: %s", err.msg);
}

/* The start of a run: attitude in [0, 1], everything else zero, no cap
 * below the maximum. */
static void check_state(const struct state *st, const struct params *p, uint32_t n)
{
    assert_int_equal(st->n, n);
    for (uint32_t a = 0; a < n; a++) {
        assert_true(st->attitude[a] >= 0 && st->attitude[a] <= 1);
        assert_true(st->fear[a] == 0);
        for (int d = 0; d < N_SUBSYSTEMS; d++) assert_true(st->ledger[d][a] == 0);
        assert_int_equal(st->status[a] | st->history[a] | st->watched[a], 0);
        assert_int_equal(st->listed_day[a] | st->interned_until[a], 0);
        for (uint32_t k = 0; k < st->n_misses; k++)
            assert_int_equal(st->misses[a * st->n_misses + k], 0);
    }
    for (int d = 0; d <= N_SUBSYSTEMS; d++) assert_true(st->cap[d] == p->scoring.max);
}

/* Households and groups are contiguous id ranges, consistent with the
 * per-agent arrays; the first member of each household is an adult. */
static void check_structure(const struct population *pop, uint32_t n)
{
    assert_int_equal(pop->n, n);
    assert_true(pop->n_households > 0 && pop->n_households <= n);
    assert_int_equal(pop->hh_start[0], 0);
    assert_int_equal(pop->hh_start[pop->n_households], n);
    for (uint32_t k = 0; k < pop->n_households; k++) {
        uint32_t a0 = pop->hh_start[k], a1 = pop->hh_start[k + 1];
        assert_true(a1 > a0);
        assert_false(pop->flags[a0] & POP_CHILD);
        for (uint32_t a = a0; a < a1; a++) {
            assert_int_equal(pop_household(pop, a), k);
            assert_int_equal(pop->group[a], pop->group[a0]);
        }
    }
    assert_int_equal(pop->group_start[0], 0);
    for (uint32_t g = pop->n_groups; g <= MAX_GROUPS; g++) assert_int_equal(pop->group_start[g], n);
    for (uint32_t g = 0; g < pop->n_groups; g++) {
        assert_true(pop->group_start[g] <= pop->group_start[g + 1]);
        for (uint32_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a++)
            assert_int_equal(pop->group[a], g);
    }
    for (uint32_t a = 0; a < n; a++) {
        if (pop->flags[a] & POP_CHILD) assert_false(pop->flags[a] & POP_ONLINE);
        double thr = pop_threshold(pop, a);
        float rel = pop_reliability(pop, a);
        assert_true(thr >= 0 && thr <= 1);
        assert_true(rel >= 0 && rel <= 1);
        /* drawn on demand: the same value on every read */
        assert_true(pop_threshold(pop, a) == thr && pop_reliability(pop, a) == rel);
    }
}

static void test_structure(void **state)
{
    struct params p;
    struct population pop;
    struct mem m = {0};
    struct state st;
    th_seed_population(&p, 100000);
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    check_structure(&pop, 100000);
    init_state(&st, &p, &pop, 2, &m);
    check_state(&st, &p, 100000);
    state_free(&st, &m);
    pop_free(&pop, &m);
    assert_int_equal(m.live, 0);
}

/* Shares and means within about 4 standard deviations; attitude as
 * state_init draws it. */
static void test_distributions(void **state)
{
    const uint32_t n = 100000;
    struct params p;
    struct population pop;
    struct state st;
    struct mem m = {0};
    th_seed_population(&p, n);
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    init_state(&st, &p, &pop, 2, &m);
    double nh = pop.n_households;
    /* household groups: binomial over households; agent groups: the same,
     * inflated by the household size (design effect E[s^2] / E[s]) */
    uint32_t hh_in[4] = {0};
    for (uint32_t k = 0; k < pop.n_households; k++) hh_in[pop.group[pop.hh_start[k]]]++;
    for (int g = 0; g < 4; g++) {
        double s = p.population.groups.v[g];
        double sd_h = sqrt(s * (1 - s) / nh), sd_a = sqrt(s * (1 - s) * (11.0 / 3) / n);
        assert_true(fabs(hh_in[g] / nh - s) < 4.5 * sd_h);
        double agents = pop.group_start[g + 1] - pop.group_start[g];
        assert_true(fabs(agents / n - s) < 4.5 * sd_a);
    }
    assert_true(fabs(n / nh - 3.0) < 0.035);
    uint32_t children = 0, adults = 0, online = 0;
    double att = 0, rel = 0, thr = 0;
    for (uint32_t a = 0; a < n; a++) {
        if (pop.flags[a] & POP_CHILD)
            children++;
        else
            adults++, online += (pop.flags[a] & POP_ONLINE) != 0;
        att += st.attitude[a];
        rel += pop_reliability(&pop, a);
        thr += pop_threshold(&pop, a);
    }
    assert_true(fabs((double)children / n - .2) < 0.008);
    assert_true(fabs((double)online / adults - .75) < 0.007);
    assert_true(fabs(att / n - 0.25) < 0.0025);
    assert_true(fabs(rel / n - 18.0 / 19) < 0.001);
    /* clipping at 0 moves the mean up by about 0.0008 */
    assert_true(fabs(thr / n - 0.2508) < 0.002);
    state_free(&st, &m);
    pop_free(&pop, &m);
}

/* A list is assigned by agent id (attitude's by state_init), a constant
 * exactly, a uniform within its range; a zero share gives an empty group. */
static void test_explicit_dists(void **state)
{
    const uint32_t n = 1000;
    struct params p;
    struct population pop;
    struct state st;
    struct mem m = {0};
    double values[1000];
    for (uint32_t i = 0; i < n; i++) values[i] = i / 1000.0;
    th_seed_population(&p, n);
    p.population.attitude = (struct dist){.kind = DIST_LIST, .values = values, .n_values = n};
    p.population.reliability = (struct dist){.kind = DIST_CONSTANT, .value = .9};
    p.population.threshold = (struct dist){.kind = DIST_UNIFORM, .lo = .2, .hi = .4};
    p.population.groups.v[1] = 0;
    p.population.groups.v[0] = .919;
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    check_structure(&pop, n);
    init_state(&st, &p, &pop, 2, &m);
    check_state(&st, &p, n);
    for (uint32_t a = 0; a < n; a++) {
        assert_true(st.attitude[a] == (float)values[a]);
        assert_true(pop_reliability(&pop, a) == (float).9);
        assert_true(pop_threshold(&pop, a) >= (float).2 && pop_threshold(&pop, a) <= (float).4);
    }
    assert_int_equal(pop.group_start[1], pop.group_start[2]);
    state_free(&st, &m);
    pop_free(&pop, &m);
}

/* pop_value gives a configured value exactly (a constant 0.2, a listed
 * 0.3, a clip bound 0.1: doubles that no float equals) and a drawn one at
 * float precision; pop_draw is its float, so the attributes stored as
 * floats are what they were. */
static void test_exact_values(void **state)
{
    double values[4] = {0.3, 0.1, 0.7, 1.0 / 3};
    const struct dist c = {.kind = DIST_CONSTANT, .value = 0.2};
    const struct dist l = {.kind = DIST_LIST, .values = values, .n_values = 4};
    const struct dist nrm = {.kind = DIST_NORMAL, .mean = 0.1, .sd = 0.2, .lo = 0.1, .hi = 0.9};
    const struct dist u = {.kind = DIST_UNIFORM, .lo = 0.1, .hi = 0.3};
    assert_true(pop_value(&c, 1, 0, RS_THRESHOLD) == 0.2);
    assert_true(pop_draw(&c, 1, 0, RS_THRESHOLD) == (float)0.2);
    for (uint32_t a = 0; a < 4; a++) {
        assert_true(pop_value(&l, 1, a, RS_THRESHOLD) == values[a]);
        assert_true(pop_draw(&l, 1, a, RS_THRESHOLD) == (float)values[a]);
    }
    int clipped = 0, inside = 0;
    for (uint32_t a = 0; a < 200; a++) {
        double v = pop_value(&nrm, 7, a, RS_THRESHOLD);
        assert_true(v >= 0.1 && v <= 0.9);
        if (v == 0.1)
            clipped++;
        else
            inside += v == (double)(float)v; /* a draw: float precision */
        assert_true(pop_draw(&nrm, 7, a, RS_THRESHOLD) == (float)v);
        double w = pop_value(&u, 7, a, RS_THRESHOLD);
        assert_true(w == (double)(float)w && pop_draw(&u, 7, a, RS_THRESHOLD) == (float)w);
    }
    /* half the draws fall below the mean, which is the clip bound */
    assert_true(clipped > 60 && clipped < 140 && clipped + inside == 200);
}

/* Mean household size 1: every agent an adult living alone. */
static void test_single_households(void **state)
{
    struct params p;
    struct population pop;
    struct state st;
    struct mem m = {0};
    th_seed_population(&p, 5000);
    p.population.household_size = 1;
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    check_structure(&pop, 5000);
    init_state(&st, &p, &pop, 2, &m);
    check_state(&st, &p, 5000);
    assert_int_equal(pop.n_households, 5000);
    for (uint32_t a = 0; a < 5000; a++) assert_false(pop.flags[a] & POP_CHILD);
    state_free(&st, &m);
    pop_free(&pop, &m);
}

static void test_bad_input(void **state)
{
    struct params p;
    struct population pop;
    struct mem m = {0};
    struct ss_error err = {0};
    double values[10] = {0};
    th_seed_population(&p, 100);
    p.population.attitude = (struct dist){.kind = DIST_LIST, .values = values, .n_values = 10};
    memset(&pop, 0, sizeof pop);
    assert_int_equal(pop_build(&pop, &p, 2, &m, &err), SS_EINPUT);
    assert_string_equal(err.msg, "population.attitude: a list of 10 values, but the population "
                                 "has 100 agents (population.agents)");
    pop_free(&pop, &m);
    th_seed_population(&p, 100);
    p.population.household_size = 0.5;
    assert_int_equal(pop_build(&pop, &p, 2, &m, &err), SS_EINPUT);
    pop_free(&pop, &m);
    assert_int_equal(m.live, 0);
}

static void assert_same(const struct population *a, const struct population *b,
                        const struct state *sa, const struct state *sb)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n_households, b->n_households);
    assert_memory_equal(a->group_start, b->group_start, sizeof a->group_start);
    assert_memory_equal(a->group, b->group, a->n);
    assert_memory_equal(a->flags, b->flags, a->n);
    assert_memory_equal(a->hh_start, b->hh_start, (a->n_households + 1) * sizeof *a->hh_start);
    assert_memory_equal(sa->attitude, sb->attitude, a->n * sizeof *sa->attitude);
    for (uint32_t i = 0; i < a->n; i++) {
        assert_true(pop_reliability(a, i) == pop_reliability(b, i));
        assert_true(pop_threshold(a, i) == pop_threshold(b, i));
    }
}

/* Bit-identical for 1 and 2 threads (the population and the attitudes
 * state_init draws); a different seed gives a different population. */
static void test_threads(void **state)
{
    struct params p;
    struct population a, b, c;
    struct state sa, sb, sc;
    struct mem m = {0};
    struct ss_error err = {0};
    th_seed_population(&p, 50000);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(pop_build(&a, &p, 1, &m, &err), SS_OK);
    assert_int_equal(pop_build(&b, &p, 2, &m, &err), SS_OK);
    init_state(&sa, &p, &a, 1, &m);
    init_state(&sb, &p, &b, 2, &m);
    assert_same(&a, &b, &sa, &sb);
    p.seed++;
    assert_int_equal(build(&c, &p, &m), SS_OK);
    init_state(&sc, &p, &c, 2, &m);
    assert_true(memcmp(sa.attitude, sc.attitude, a.n * sizeof *sa.attitude) != 0);
    state_free(&sa, &m);
    state_free(&sb, &m);
    state_free(&sc, &m);
    pop_free(&a, &m);
    pop_free(&b, &m);
    pop_free(&c, &m);
    assert_int_equal(m.live, 0);
}

/* Fail each allocation of a small build in turn. */
static void test_nomem(void **state)
{
    struct params p;
    struct population pop;
    th_seed_population(&p, 2000);
    struct mem m = {0};
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    pop_free(&pop, &m);
    long total = m.count;
    assert_true(total > 3);
    for (long k = 1; k <= total; k++) {
        struct mem f = {.fail_at = k};
        struct ss_error err = {0};
        memset(&pop, 0, sizeof pop);
        assert_int_equal(pop_build(&pop, &p, 2, &f, &err), SS_ENOMEM);
        assert_int_equal(err.code, SS_ENOMEM);
        pop_free(&pop, &f);
        assert_int_equal(f.live, 0);
    }
    /* ... and of state_init over a built population */
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    struct state st;
    struct mem counter = {0};
    init_state(&st, &p, &pop, 2, &counter);
    state_free(&st, &counter);
    assert_true(counter.count > 3);
    for (long k = 1; k <= counter.count; k++) {
        struct mem f = {.fail_at = k};
        struct ss_error err = {0};
        assert_int_equal(state_init(&st, &p, &pop, 2, &f, &err), SS_ENOMEM);
        assert_int_equal(err.code, SS_ENOMEM);
        state_free(&st, &f);
        assert_int_equal(f.live, 0);
    }
    pop_free(&pop, &m);
}

static void test_estimate(void **state)
{
    struct params p;
    struct population pop;
    struct mem m = {0};
    th_seed_population(&p, 100000);
    assert_int_equal(build(&pop, &p, &m), SS_OK);
    size_t est = pop_estimate_bytes(&p);
    assert_true(est >= m.peak);
    assert_true(est < 2 * m.peak);
    pop_free(&pop, &m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),      cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_explicit_dists), cmocka_unit_test(test_single_households),
        cmocka_unit_test(test_bad_input),      cmocka_unit_test(test_threads),
        cmocka_unit_test(test_nomem),          cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_exact_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
