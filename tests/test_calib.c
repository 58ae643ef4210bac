/*
 * test_calib.c - the statistics of calibration (experiment/calib.c),
 * without the simulator: ensemble means and variances, implausibility and
 * its k-th maximum worked out by hand; history matching of a deterministic
 * function, which must keep the true point and rule out most of the box,
 * and whose second wave, drawn in the survivors' box, must hit the region
 * far more often; rejection ABC and ABC-SMC on y = theta + noise with a
 * uniform prior, against the analytic posterior (its centre, its width,
 * and how often its 90% interval covers the true theta); weighted
 * quantiles, the kernel's covariance and the importance weights by hand;
 * proposals that do not depend on how they are batched; and the saved
 * state of a population, read back bit for bit or refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "experiment/calib.h"
#include "experiment/design.h"
#include "harness.h"

/* a and b within tol (tol 0: equal), naming both when not. */
#define assert_near(a, b, tol) near((a), (b), (tol), #a, __LINE__)
static void near(double a, double b, double tol, const char *what, int line)
{
    if (!(fabs(a - b) <= tol)) fail_msg("line %d: %s = %.17g, expected %.17g", line, what, a, b);
}

/* The test's own noise: a stream no calibration uses. */
#define TEST_STREAM 9001

/* ---- history matching by hand --------------------------------------------- */

static void test_ensemble_and_implausibility(void **state)
{
    /* 2 points, 3 replicates, 2 targets: f[(i R + r) m + j] */
    const double f[] = {1, 10,  2,   NAN, 3, 14, /* point 0 */
                        5, NAN, NAN, NAN, 7, NAN /* point 1 */};
    double mean[4], var[4];
    int count[4];
    calib_ensemble(2, 3, 2, f, mean, var, count);
    assert_near(mean[0], 2, 0);
    assert_near(var[0], 1, 1e-15); /* (1 + 0 + 1) / 2 */
    assert_int_equal(count[0], 3);
    assert_near(mean[1], 12, 0);
    assert_near(var[1], 8, 1e-15); /* (4 + 4) / 1 */
    assert_int_equal(count[1], 2);
    assert_near(mean[2], 6, 0);
    assert_near(var[2], 2, 1e-15); /* (1 + 1) / 1 */
    assert_int_equal(count[2], 2);
    assert_true(isnan(mean[3]));
    assert_int_equal(count[3], 0);

    /* I = |z - mean| / sqrt(var_obs + var_disc + var / count) */
    const double z[] = {3, 12}, vobs[] = {0.5, 1}, vdisc[] = {0.25, 0};
    double imp[4];
    calib_implausibility(2, 2, mean, var, count, z, vobs, vdisc, imp);
    assert_near(imp[0], 1 / sqrt(0.5 + 0.25 + 1.0 / 3), 1e-15);
    assert_near(imp[1], 0, 0);
    assert_near(imp[2], 3 / sqrt(0.75 + 2.0 / 2), 1e-15);
    assert_true(isinf(imp[3]));

    /* the rank-th largest over targets */
    const double im[] = {1, 5, 2, 4, /* point 0 */ 0.5, INFINITY, NAN, 0.1};
    double out[2];
    calib_imax(2, 4, im, 1, out);
    assert_near(out[0], 5, 0);
    assert_true(isinf(out[1]));
    calib_imax(2, 4, im, 2, out);
    assert_near(out[0], 4, 0);
    assert_true(isinf(out[1])); /* NaN counts as infinite */
    calib_imax(2, 4, im, 3, out);
    assert_near(out[0], 2, 0);
    assert_near(out[1], 0.5, 0);
    unsigned char keep[2];
    assert_int_equal(calib_nroy(2, out, 1.0, keep), 1);
    assert_int_equal(keep[0], 0);
    assert_int_equal(keep[1], 1);
}

/* ---- history matching of a deterministic function ------------------------- */

/* y = (u0, u1^2) against z = (0.3, 0.49), the truth u = (0.3, 0.7). */
static void model(const double *u, double *y)
{
    y[0] = u[0];
    y[1] = u[1] * u[1];
}

static struct design_points *sobol(struct design *d, long n)
{
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_sobol(d, n, &p, &err), SS_OK);
    return p;
}

static void test_history_matching(void **state)
{
    struct design *d = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_new(&d, &err), SS_OK);
    assert_int_equal(design_add(d, "a", 0, 1, DESIGN_LINEAR, 0, &err), SS_OK);
    assert_int_equal(design_add(d, "b", 0, 1, DESIGN_LINEAR, 0, &err), SS_OK);
    const int k = 2, m = 2;
    const double z[] = {0.3, 0.49}, vobs[] = {0.02 * 0.02, 0.03 * 0.03}, vdisc[] = {0, 0};

    /* wave 1: 1024 Sobol' points and the truth, one replicate each */
    long n = 1025;
    struct design_points *p = sobol(d, n - 1);
    double *u = malloc((size_t)n * k * sizeof *u), *f = malloc((size_t)n * m * sizeof *f);
    double *mean = malloc((size_t)n * m * sizeof *mean), *var = malloc((size_t)n * m * sizeof *var);
    double *imp = malloc((size_t)n * m * sizeof *imp), *imax = malloc((size_t)n * sizeof *imax);
    int *count = malloc((size_t)n * m * sizeof *count);
    unsigned char *keep = malloc((size_t)n);
    memcpy(u, p->u, (size_t)(n - 1) * k * sizeof *u);
    u[(n - 1) * k] = 0.3;
    u[(n - 1) * k + 1] = 0.7;
    for (long i = 0; i < n; i++) model(u + i * k, f + i * m);
    calib_ensemble(n, 1, m, f, mean, var, count);
    calib_implausibility(n, m, mean, var, count, z, vobs, vdisc, imp);
    calib_imax(n, m, imp, 1, imax);
    long kept = calib_nroy(n, imax, CALIB_CUTOFF, keep);
    assert_true(keep[n - 1]);
    assert_near(imax[n - 1], 0, 1e-12);
    /* The region: |a - 0.3| <= 0.06 and |b^2 - 0.49| <= 0.09, area
     * 0.12 x (sqrt(0.58) - sqrt(0.40)) = 0.0124: about 13 of 1024. */
    printf("wave 1: %ld of %ld kept\n", kept, n);
    assert_true(kept >= 6 && kept <= 26);
    /* every kept point is inside, every ruled-out one outside */
    for (long i = 0; i < n; i++) {
        int inside = fabs(u[i * k] - 0.3) <= 0.06 + 1e-12 &&
                     fabs(u[i * k + 1] * u[i * k + 1] - 0.49) <= 0.09 + 1e-12;
        assert_int_equal(keep[i], inside);
    }

    /* wave 2: a Sobol' design in the survivors' box (widened by 10%),
     * filtered by the nearest evaluated point */
    struct calib_box box;
    assert_int_equal(calib_box_of(&box, k, n, u, keep, 0.1, &err), SS_OK);
    assert_true(box.lo[0] > 0.2 && box.hi[0] < 0.4);
    assert_true(box.lo[1] > 0.55 && box.hi[1] < 0.85);
    assert_true(calib_box_holds(&box, (const double[]){0.3, 0.7}));
    long n2 = 256;
    struct design_points *p2 = sobol(d, n2);
    double *u2 = malloc((size_t)n2 * k * sizeof *u2);
    calib_box_map(&box, n2, p2->u, u2);
    unsigned char *cand_keep = malloc((size_t)n2);
    long nk = calib_nearest_keep(k, n, u, keep, n2, u2, cand_keep);
    long hit = 0;
    for (long c = 0; c < n2; c++) {
        assert_true(calib_box_holds(&box, u2 + c * k));
        double y[2];
        model(u2 + c * k, y);
        int inside = fabs(y[0] - 0.3) <= 0.06 && fabs(y[1] - 0.49) <= 0.09;
        hit += inside;
    }
    printf("wave 2: %ld of %ld candidates in the region, %ld kept by the classifier\n", hit, n2,
           nk);
    /* far more than wave 1's 1.3%: the box is about 3x less wide each way */
    assert_true(hit > n2 / 4);
    assert_true(nk > 0 && nk < n2);

    free(u);
    free(f);
    free(mean);
    free(var);
    free(imp);
    free(imax);
    free(count);
    free(keep);
    free(u2);
    free(cand_keep);
    design_points_free(d, p);
    design_points_free(d, p2);
    design_free(d);
}

static void test_box_and_neighbours(void **state)
{
    const double u[] = {0.2, 0.5, 0.4, 0.5, 0.9, 0.9};
    const unsigned char keep[] = {1, 1, 0};
    struct calib_box b;
    struct ss_error err = {0};
    assert_int_equal(calib_box_of(&b, 2, 3, u, keep, 0.25, &err), SS_OK);
    /* a: [0.2, 0.4] widened by 0.05; b: width 0, widened by 0.25 */
    assert_near(b.lo[0], 0.15, 1e-15);
    assert_near(b.hi[0], 0.45, 1e-15);
    assert_near(b.lo[1], 0.25, 1e-15);
    assert_near(b.hi[1], 0.75, 1e-15);
    /* cut to the cube */
    assert_int_equal(calib_box_of(&b, 2, 3, u, NULL, 0.5, &err), SS_OK);
    assert_near(b.lo[0], 0, 0);
    assert_near(b.hi[1], 1, 0);
    const unsigned char none[] = {0, 0, 0};
    assert_int_equal(calib_box_of(&b, 2, 3, u, none, 0.1, &err), SS_EINPUT);
    assert_string_equal(err.msg,
                        "no point is left to bound: every point of the wave was ruled out");

    const double cand[] = {0.25, 0.5, 0.8, 0.8, 0.3, 0.5};
    unsigned char out[3];
    assert_int_equal(calib_nearest_keep(2, 3, u, keep, 3, cand, out), 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 1); /* equidistant from points 0 and 1: the lower index */
}

/* ---- ABC on a model with a known posterior --------------------------------- */

/* y = theta + N(0, sigma) with theta uniform on [0, 1]: given y_obs far
 * from the ends, the posterior is N(y_obs, sigma^2) (truncation at 0 and 1
 * negligible). One replicate per point, the distance ((y - y_obs) /
 * sigma)^2. */
#define SIGMA 0.05

static double simulate(uint64_t seed, long i, int gen, double theta)
{
    struct rng r;
    rng_init(&r, seed, (uint32_t)i, (uint32_t)gen, TEST_STREAM);
    return theta + SIGMA * rng_normal(&r);
}

/* Rejection ABC from n prior draws keeping the best quantile: the
 * posterior's summary of theta. */
static void rejection(uint64_t seed, double y_obs, long n, double quantile, struct calib_summary *s,
                      long *kept)
{
    struct mem m = {0};
    struct ss_error err = {0};
    double *u = malloc((size_t)n * sizeof *u), *mean = malloc((size_t)n * sizeof *mean);
    double *d = malloc((size_t)n * sizeof *d);
    long *idx = malloc((size_t)n * sizeof *idx);
    for (long i = 0; i < n; i++) {
        u[i] = rng_u01_at(seed, (uint32_t)i, 0, TEST_STREAM + 1);
        mean[i] = simulate(seed, i, 0, u[i]);
    }
    const double z = y_obs, vobs = SIGMA * SIGMA, vdisc = 0;
    calib_distance(n, 1, mean, &z, &vobs, &vdisc, d);
    double eps;
    *kept = calib_abc_reject(&m, n, d, quantile, idx, &eps);
    assert_int_equal(*kept, (long)ceil(quantile * n));
    for (long q = 0; q < *kept; q++) assert_true(d[idx[q]] <= eps);
    struct calib_pop *pop = calib_pop_select(&m, 1, u, d, idx, *kept, &err);
    assert_non_null(pop);
    assert_int_equal(calib_summarize(&m, pop, s, &err), SS_OK);
    calib_pop_free(&m, pop);
    assert_int_equal(m.live, 0);
    free(u);
    free(mean);
    free(d);
    free(idx);
}

static void test_abc_rejection_posterior(void **state)
{
    long n = th_sanitized() ? 20000 : 50000, kept;
    struct calib_summary s;
    rejection(7, 0.4, n, 0.01, &s, &kept);
    printf("rejection: %ld kept, median %.4f, sd %.4f, 90%% [%.4f, %.4f]\n", kept, s.median[0],
           s.sd[0], s.q05[0], s.q95[0]);
    /* The analytic posterior N(0.4, 0.05^2); accepting |y - y_obs| < h
     * with 2h ~ 1% widens it by h^2/3, nothing. Tolerances: 3.5 standard
     * errors of the estimates from 200 to 500 points. */
    double se_sd = SIGMA / sqrt(2.0 * kept), se_med = 1.2533 * SIGMA / sqrt((double)kept);
    assert_near(s.median[0], 0.4, 3.5 * se_med);
    assert_near(s.mean[0], 0.4, 3.5 * SIGMA / sqrt((double)kept));
    assert_near(s.sd[0], SIGMA, 3.5 * se_sd);
    assert_near(s.q05[0], 0.4 - 1.6449 * SIGMA, 0.015);
    assert_near(s.q95[0], 0.4 + 1.6449 * SIGMA, 0.015);
    assert_near(s.ess, kept, 1e-9);

    /* Coverage: over 40 data sets y_obs = theta* + noise, theta* uniform on
     * [0.2, 0.8], the 90% interval holds theta* about 36 times;
     * Binomial(40, 0.9) is 31 or fewer with probability 0.009. */
    int cover = 0, sets = 40;
    for (int t = 0; t < sets; t++) {
        double truth = 0.2 + 0.6 * rng_u01_at(1000 + t, 0, 0, TEST_STREAM + 2);
        double y_obs = simulate(1000 + t, 0, 1, truth);
        rejection(2000 + t, y_obs, th_sanitized() ? 5000 : 20000, 0.01, &s, &kept);
        cover += s.q05[0] <= truth && truth <= s.q95[0];
    }
    printf("rejection: the 90%% interval covers the truth in %d of %d data sets\n", cover, sets);
    assert_true(cover >= 32);
    assert_true(cover <= 40);
}

/* ABC-SMC in two parameters: y_a = a + N(0, 0.05), y_b = b + N(0, 0.1),
 * from a rejection population of 20% of the prior through 6 generations
 * of median tolerances. */
static void test_abc_smc_posterior(void **state)
{
    const int k = 2, m = 2;
    const long N = th_sanitized() ? 300 : 1000;
    const double sig[] = {0.05, 0.1}, z[] = {0.35, 0.6};
    const double vobs[] = {sig[0] * sig[0], sig[1] * sig[1]}, vdisc[] = {0, 0};
    struct mem mm = {0};
    struct ss_error err = {0};
    uint64_t seed = 11;

    /* generation 0: rejection, 5N prior draws, keep N */
    long n0 = 5 * N;
    double *u = malloc((size_t)n0 * k * sizeof *u), *y = malloc((size_t)n0 * m * sizeof *y);
    double *d = malloc((size_t)n0 * sizeof *d);
    long *idx = malloc((size_t)n0 * sizeof *idx);
    for (long i = 0; i < n0; i++)
        for (int a = 0; a < k; a++) {
            u[i * k + a] = rng_u01_at(seed, (uint32_t)i, (uint32_t)a, TEST_STREAM + 3);
            struct rng r;
            rng_init(&r, seed, (uint32_t)i, (uint32_t)a, TEST_STREAM + 4);
            y[i * m + a] = u[i * k + a] + sig[a] * rng_normal(&r);
        }
    calib_distance(n0, m, y, z, vobs, vdisc, d);
    double eps;
    assert_int_equal(calib_abc_reject(&mm, n0, d, 0.2, idx, &eps), N);
    struct calib_pop *pop = calib_pop_select(&mm, k, u, d, idx, N, &err);
    assert_non_null(pop);
    pop->eps = eps;
    struct calib_box prior;
    calib_box_unit(&prior, k);

    const long batch = 256;
    double *bu = malloc((size_t)batch * k * sizeof *bu),
           *by = malloc((size_t)batch * m * sizeof *by);
    double *bd = malloc((size_t)batch * sizeof *bd);
    long sims = n0;
    for (int gen = 1; gen <= 6; gen++) {
        struct calib_kernel *kern = NULL;
        assert_int_equal(calib_kernel_new(&mm, pop, &prior, &kern, &err), SS_OK);
        struct calib_pop *next = calib_pop_new(&mm, k, N, &err);
        assert_non_null(next);
        next->gen = gen;
        next->eps = calib_next_eps(&mm, pop, 0.5);
        assert_true(next->eps < pop->eps);
        long filled = 0;
        for (long first = 0; filled < N; first += batch) {
            assert_true(first < 200 * N); /* acceptance cannot be that low */
            assert_int_equal(calib_propose(kern, seed, gen, first, batch, bu, &err), SS_OK);
            for (long q = 0; q < batch; q++)
                for (int a = 0; a < k; a++) {
                    struct rng r;
                    rng_init(&r, seed ^ 0x5eed, (uint32_t)(first + q), (uint32_t)(gen * 8 + a),
                             TEST_STREAM + 5);
                    by[q * m + a] = bu[q * k + a] + sig[a] * rng_normal(&r);
                }
            calib_distance(batch, m, by, z, vobs, vdisc, bd);
            sims += calib_accept(next, &filled, batch, bu, bd, next->eps);
        }
        assert_int_equal(filled, N);
        for (long i = 0; i < N; i++) assert_true(next->d[i] <= next->eps);
        assert_int_equal(calib_weights(kern, N, next->u, next->w, &err), SS_OK);
        double sw = 0;
        for (long i = 0; i < N; i++) sw += next->w[i];
        assert_near(sw, 1, 1e-12);
        calib_kernel_free(&mm, kern);
        calib_pop_free(&mm, pop);
        pop = next;
    }
    struct calib_summary s;
    assert_int_equal(calib_summarize(&mm, pop, &s, &err), SS_OK);
    printf("ABC-SMC: %ld simulations, eps %.4f, ESS %.0f of %ld\n", sims, pop->eps, s.ess, N);
    for (int a = 0; a < k; a++)
        printf("  theta_%d: median %.4f, sd %.4f (analytic %.4f, %.4f), 90%% [%.4f, %.4f]\n", a,
               s.median[a], s.sd[a], z[a], sig[a], s.q05[a], s.q95[a]);
    /* The final tolerance d <= eps widens each marginal by about eps / 3
     * in units of its variance (the accepted standardized error is within
     * a disc of radius sqrt(eps)); the estimates' standard errors use the
     * effective sample size. */
    assert_true(s.ess > N / 4);
    for (int a = 0; a < k; a++) {
        double want_sd = sig[a] * sqrt(1 + pop->eps / 4);
        double se = sig[a] / sqrt(s.ess);
        assert_near(s.median[a], z[a], 4 * 1.2533 * se);
        assert_near(s.sd[a], want_sd, 4 * want_sd / sqrt(2 * s.ess));
        assert_true(s.q05[a] < z[a] && z[a] < s.q95[a]);
    }
    calib_pop_free(&mm, pop);
    assert_int_equal(mm.live, 0);
    free(u);
    free(y);
    free(d);
    free(idx);
    free(bu);
    free(by);
    free(bd);
}

/* ---- pieces by hand ------------------------------------------------------------- */

static void test_quantiles_and_kernel(void **state)
{
    struct mem m = {0};
    const double x[] = {3, 1, 2}, w[] = {0.2, 0.5, 0.3};
    assert_near(calib_wquantile(&m, 3, x, 1, w, 0.5), 1, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, w, 0.6), 2, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, w, 0.8), 2, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, w, 0.81), 3, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, NULL, 0.5), 2, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, NULL, 0.34), 2, 0);
    assert_near(calib_wquantile(&m, 3, x, 1, NULL, 0.33), 1, 0);
    assert_true(isnan(calib_wquantile(&m, 0, x, 1, w, 0.5)));

    /* two parents (0.2, 0.2) and (0.6, 0.4), weights 0.25 and 0.75: mean
     * (0.5, 0.35), weighted covariance 0.25 0.75 (0.4, 0.2)(0.4, 0.2)^T */
    struct ss_error err = {0};
    struct calib_pop *p = calib_pop_new(&m, 2, 2, &err);
    const double pu[] = {0.2, 0.2, 0.6, 0.4};
    memcpy(p->u, pu, sizeof pu);
    p->w[0] = 0.25;
    p->w[1] = 0.75;
    struct calib_box b;
    calib_box_unit(&b, 2);
    struct calib_kernel *kern = NULL;
    assert_int_equal(calib_kernel_new(&m, p, &b, &kern, &err), SS_OK);
    double cov[4];
    calib_kernel_cov(kern, cov);
    double c = 2 * 0.25 * 0.75, big = c * 0.16;
    /* a rank-one covariance: the floor 1e-12 + 1e-9 x its largest entry
     * on the diagonal makes it positive definite */
    assert_near(cov[0], c * 0.16 + 1e-9 * big + 1e-12, 1e-15);
    assert_near(cov[3], c * 0.04 + 1e-9 * big + 1e-12, 1e-15);
    assert_near(cov[1], c * 0.08, 1e-15);
    assert_near(cov[2], c * 0.08, 1e-15);
    calib_kernel_free(&m, kern);

    /* three parents of equal weight: twice their covariance */
    struct calib_pop *q = calib_pop_new(&m, 2, 3, &err);
    const double qu[] = {0.1, 0.2, 0.5, 0.4, 0.3, 0.9};
    memcpy(q->u, qu, sizeof qu);
    assert_int_equal(calib_kernel_new(&m, q, &b, &kern, &err), SS_OK);
    calib_kernel_cov(kern, cov);
    double ma = 0.3, mb = 0.5, caa = 0, cab = 0, cbb = 0;
    for (int i = 0; i < 3; i++) {
        caa += (qu[2 * i] - ma) * (qu[2 * i] - ma) / 3;
        cab += (qu[2 * i] - ma) * (qu[2 * i + 1] - mb) / 3;
        cbb += (qu[2 * i + 1] - mb) * (qu[2 * i + 1] - mb) / 3;
    }
    big = 2 * fmax(caa, cbb);
    assert_near(cov[0], 2 * caa + 1e-9 * big + 1e-12, 1e-15);
    assert_near(cov[1], 2 * cab, 1e-15);
    assert_near(cov[2], 2 * cab, 1e-15);
    assert_near(cov[3], 2 * cbb + 1e-9 * big + 1e-12, 1e-15);

    /* weights: w(x) proportional to 1 / sum_j w_j N(x; u_j, cov), by the
     * inverse of the 2 x 2 covariance */
    const double x2[] = {0.3, 0.25, 0.55, 0.4, 1.2, 0.5};
    double wt[3];
    assert_int_equal(calib_weights(kern, 3, x2, wt, &err), SS_OK);
    double det = cov[0] * cov[3] - cov[1] * cov[2], wsum = 0, want[2];
    for (int i = 0; i < 2; i++) {
        double dens = 0;
        for (int j = 0; j < 3; j++) {
            double e0 = x2[i * 2] - qu[j * 2], e1 = x2[i * 2 + 1] - qu[j * 2 + 1];
            double qf = (cov[3] * e0 * e0 - 2 * cov[1] * e0 * e1 + cov[0] * e1 * e1) / det;
            dens += exp(-0.5 * qf) / 3;
        }
        want[i] = 1 / dens;
        wsum += want[i];
    }
    assert_near(wt[0], want[0] / wsum, 1e-12);
    assert_near(wt[1], want[1] / wsum, 1e-12);
    assert_near(wt[2], 0, 0); /* outside the prior's box */

    /* proposals: the same whatever the batches, inside the box */
    double all[2 * 100], part[2 * 100];
    assert_int_equal(calib_propose(kern, 5, 3, 0, 100, all, &err), SS_OK);
    assert_int_equal(calib_propose(kern, 5, 3, 0, 37, part, &err), SS_OK);
    assert_int_equal(calib_propose(kern, 5, 3, 37, 63, part + 2 * 37, &err), SS_OK);
    assert_memory_equal(all, part, sizeof all);
    for (int i = 0; i < 100; i++) assert_true(calib_box_holds(&b, all + 2 * i));
    assert_int_equal(calib_propose(kern, 6, 3, 0, 100, part, &err), SS_OK);
    assert_true(memcmp(all, part, sizeof all) != 0);
    calib_kernel_free(&m, kern);
    calib_pop_free(&m, q);
    calib_pop_free(&m, p);
    assert_int_equal(m.live, 0);
}

static void test_reject_and_accept(void **state)
{
    struct mem m = {0};
    const double d[] = {4, 1, INFINITY, 1, NAN, 0.5, 9, 2};
    long idx[8];
    double eps;
    /* 3/8 kept: 0.5, 1 (index 1), 1 (index 3) */
    assert_int_equal(calib_abc_reject(&m, 8, d, 0.375, idx, &eps), 3);
    assert_int_equal(idx[0], 5);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 3);
    assert_near(eps, 1, 0);
    /* all of them: only the 6 finite ones */
    assert_int_equal(calib_abc_reject(&m, 8, d, 1, idx, &eps), 6);
    assert_near(eps, 9, 0);
    assert_int_equal(calib_best(8, d), 5);
    const double none[] = {NAN, INFINITY};
    assert_int_equal(calib_best(2, none), -1);
    assert_int_equal(calib_abc_reject(&m, 2, none, 0.5, idx, &eps), 0);

    struct ss_error err = {0};
    struct calib_pop *next = calib_pop_new(&m, 1, 2, &err);
    long filled = 0;
    const double u[] = {0.1, 0.2, 0.3, 0.4}, dd[] = {5, 1, 2, 0.5};
    /* proposals in order: 0.2 (d 1) accepted, then 0.3 (d 2); 0.4 never
     * looked at */
    assert_int_equal(calib_accept(next, &filled, 4, u, dd, 2), 3);
    assert_int_equal(filled, 2);
    assert_near(next->u[0], 0.2, 0);
    assert_near(next->u[1], 0.3, 0);
    assert_near(next->d[1], 2, 0);
    calib_pop_free(&m, next);
    assert_int_equal(m.live, 0);
}

static void test_pack_unpack(void **state)
{
    struct mem m = {0};
    struct ss_error err = {0};
    struct calib_pop *p = calib_pop_new(&m, 2, 3, &err);
    const double u[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, w[] = {0.2, 0.3, 0.5};
    memcpy(p->u, u, sizeof u);
    memcpy(p->w, w, sizeof w);
    p->d[0] = 0.25, p->d[1] = 1.5, p->d[2] = 3;
    p->gen = 4;
    p->eps = 3.5;
    long len = calib_pop_doubles(p);
    assert_int_equal(len, 5 + 3 * 4);
    double buf[17];
    calib_pop_pack(p, buf);
    struct calib_pop *q = NULL;
    assert_int_equal(calib_pop_unpack(&m, buf, len, &q, &err), SS_OK);
    assert_int_equal(q->k, 2);
    assert_int_equal(q->n, 3);
    assert_int_equal(q->gen, 4);
    assert_memory_equal(q->u, p->u, sizeof u);
    assert_memory_equal(q->w, p->w, sizeof w);
    assert_memory_equal(q->d, p->d, 3 * sizeof(double));
    assert_true(q->eps == 3.5);
    calib_pop_free(&m, q);

    assert_int_equal(calib_pop_unpack(&m, buf, len - 1, &q, &err), SS_EINPUT);
    assert_null(q);
    double bad[17];
    memcpy(bad, buf, sizeof bad);
    bad[5] = 1.5; /* a point outside the cube */
    assert_int_equal(calib_pop_unpack(&m, bad, len, &q, &err), SS_EINPUT);
    memcpy(bad, buf, sizeof bad);
    bad[5 + 6] = 0.3; /* weights summing to 1.1 */
    assert_int_equal(calib_pop_unpack(&m, bad, len, &q, &err), SS_EINPUT);
    memcpy(bad, buf, sizeof bad);
    bad[0] = 2; /* another format */
    assert_int_equal(calib_pop_unpack(&m, bad, len, &q, &err), SS_EINPUT);
    assert_string_equal(err.msg, "a saved population of 17 values: expected format 1");
    calib_pop_free(&m, p);
    assert_int_equal(m.live, 0);
}

static void test_out_of_memory(void **state)
{
    struct ss_error err = {0};
    for (long at = 1; at <= 5; at++) {
        struct mem m = {.fail_at = at};
        struct calib_pop *p = calib_pop_new(&m, 2, 4, &err);
        if (at <= 4) {
            assert_null(p);
            assert_int_equal(err.code, SS_ENOMEM);
        } else {
            assert_non_null(p);
        }
        calib_pop_free(&m, p);
        assert_int_equal(m.live, 0);
    }
    struct mem m = {0};
    struct calib_pop *p = calib_pop_new(&m, 1, 2, &err);
    struct calib_box b;
    calib_box_unit(&b, 1);
    for (long at = 1; at <= 2; at++) {
        struct mem fm = {.fail_at = at};
        struct calib_kernel *kern = NULL;
        assert_int_equal(calib_kernel_new(&fm, p, &b, &kern, &err), SS_ENOMEM);
        assert_null(kern);
        assert_int_equal(fm.live, 0);
    }
    struct mem fm = {.fail_at = 1};
    struct calib_summary s;
    assert_int_equal(calib_summarize(&fm, p, &s, &err), SS_ENOMEM);
    long idx[2];
    double eps;
    fm = (struct mem){.fail_at = 1};
    assert_int_equal(calib_abc_reject(&fm, 2, p->w, 0.5, idx, &eps), -1);
    calib_pop_free(&m, p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ensemble_and_implausibility),
        cmocka_unit_test(test_history_matching),
        cmocka_unit_test(test_box_and_neighbours),
        cmocka_unit_test(test_abc_rejection_posterior),
        cmocka_unit_test(test_abc_smc_posterior),
        cmocka_unit_test(test_quantiles_and_kernel),
        cmocka_unit_test(test_reject_and_accept),
        cmocka_unit_test(test_pack_unpack),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
