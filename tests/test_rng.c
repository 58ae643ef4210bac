/*
 * test_rng.c - the counter-based generator: Philox4x32-10 against the
 * known-answer vectors published with Random123 (Salmon et al. 2011), and
 * the distributions built on it against their moments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "core/rng.h"

/* Random123 kat_vectors, philox4x32 with 10 rounds: counter, key, output. */
static void test_philox_known_answers(void **state)
{
    static const struct {
        uint32_t ctr[4], key[2], out[4];
    } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
        uint64_t seed = (uint64_t)kat[k].key[1] << 32 | kat[k].key[0];
        uint32_t out[4];
        rng_block(seed, kat[k].ctr, out);
        for (int w = 0; w < 4; w++) assert_int_equal(out[w], kat[k].out[w]);
    }
}

/* A stream is a pure function of its key: same key, same numbers; any
 * change of agent, day, stream or seed gives different numbers. */
static void test_stream_is_keyed(void **state)
{
    struct rng a, b;
    rng_init(&a, 7, 100, 3, RS_ATTITUDE);
    rng_init(&b, 7, 100, 3, RS_ATTITUDE);
    for (int i = 0; i < 1000; i++) assert_int_equal(rng_u32(&a), rng_u32(&b));
    const uint32_t base[5] = {7, 100, 3, RS_ATTITUDE, 0};
    for (int field = 0; field < 4; field++) {
        uint32_t k[5];
        for (int i = 0; i < 5; i++) k[i] = base[i];
        k[field]++;
        rng_init(&a, base[0], base[1], base[2], base[3]);
        rng_init(&b, k[0], k[1], k[2], k[3]);
        int same = 0;
        for (int i = 0; i < 64; i++) same += rng_u32(&a) == rng_u32(&b);
        assert_true(same < 4);
    }
    /* rng_u01_at is the first uniform of the stream. */
    rng_init(&a, 9, 5, 6, RS_THRESHOLD);
    assert_true(rng_u01_at(9, 5, 6, RS_THRESHOLD) == rng_uniform(&a));
}

/* Mean and variance of n draws against the known values, within 5
 * standard errors (a fixed seed makes the outcome deterministic). */
static void check_moments(double (*draw)(struct rng *, const double *), const double *arg,
                          double mean, double var, int n)
{
    struct rng r;
    rng_init(&r, 12345, 0, 0, RS_DYNAMICS);
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = draw(&r, arg);
        s += x;
        s2 += x * x;
    }
    double m = s / n, v = s2 / n - m * m;
    assert_true(fabs(m - mean) < 5 * sqrt(var / n));
    /* The variance's standard error needs the fourth moment; 5% is loose
     * enough for every distribution here at n = 10^6. */
    assert_true(fabs(v - var) < 0.05 * var);
}

static double draw_uniform(struct rng *r, const double *a)
{
    return rng_uniform(r);
}
static double draw_normal(struct rng *r, const double *a)
{
    return rng_normal(r);
}
static double draw_beta(struct rng *r, const double *a)
{
    return rng_beta(r, a[0], a[1]);
}
static double draw_gamma(struct rng *r, const double *a)
{
    return rng_gamma(r, a[0]);
}
static double draw_poisson(struct rng *r, const double *a)
{
    return rng_poisson(r, a[0]);
}
static double draw_geometric(struct rng *r, const double *a)
{
    return (double)rng_geometric(r, a[0]);
}
static double draw_below(struct rng *r, const double *a)
{
    return rng_below(r, (uint32_t)a[0]);
}

static void test_distributions(void **state)
{
    const int n = 1000000;
    check_moments(draw_uniform, NULL, 0.5, 1.0 / 12, n);
    check_moments(draw_normal, NULL, 0.0, 1.0, n);
    double b26[2] = {2, 6}, b181[2] = {18, 1};
    check_moments(draw_beta, b26, 0.25, 2.0 * 6 / (64.0 * 9), n);
    check_moments(draw_beta, b181, 18.0 / 19, 18.0 / (361.0 * 20), n);
    double g[1] = {0.5};
    check_moments(draw_gamma, g, 0.5, 0.5, n);
    double p2[1] = {2}, p30[1] = {30};
    check_moments(draw_poisson, p2, 2, 2, n);
    check_moments(draw_poisson, p30, 30, 30, n);
    double q[1] = {0.1};
    check_moments(draw_geometric, q, 0.9 / 0.1, 0.9 / 0.01, n);
    double k[1] = {10};
    check_moments(draw_below, k, 4.5, 99.0 / 12, n);
}

/* rng_below must cover its range and never leave it, also for n = 1 and
 * for a bound that is not a power of two close to 2^32. */
static void test_below_range(void **state)
{
    struct rng r;
    rng_init(&r, 1, 2, 3, 4);
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint32_t x = rng_below(&r, 7);
        assert_true(x < 7);
        seen[x]++;
    }
    for (int i = 0; i < 7; i++) assert_true(seen[i] > 800 && seen[i] < 1200);
    for (int i = 0; i < 100; i++) assert_int_equal(rng_below(&r, 1), 0);
    const uint32_t big = 3000000019u;
    for (int i = 0; i < 10000; i++) assert_true(rng_below(&r, big) < big);
    const uint64_t huge = 6000000000000ull;
    for (int i = 0; i < 10000; i++) assert_true(rng_below64(&r, huge) < huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers),
        cmocka_unit_test(test_stream_is_keyed),
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_below_range),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
