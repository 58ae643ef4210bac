/*
 * test_gsa.c - the sensitivity estimators (experiment/gsa.c) on functions
 * whose indices are known: Ishigami's (a = 7, b = 0.1) and a linear model's
 * Sobol' indices within their bootstrap intervals and a stated tolerance;
 * Morris' elementary effects exact on linear and logarithmic responses,
 * and a dummy key ranked last with mu* = 0; outputs that are not finite
 * numbers refused or left out and counted; the bootstrap the same bits
 * from the same seed; the noise of replicates on a hand-worked case, and
 * its predicted effect on the indices of seed-averaged outputs and on a
 * dummy key's mu*.
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
#include "experiment/design.h"
#include "experiment/gsa.h"
#include "harness.h"

#define PI 3.14159265358979323846

static struct design *new_design(void)
{
    struct design *d = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_new(&d, &err), SS_OK);
    return d;
}

static void add(struct design *d, const char *key, double lo, double hi, int scale, int step)
{
    struct ss_error err = {0};
    if (design_add(d, key, lo, hi, scale, step, &err) != SS_OK) fail_msg("%s", err.msg);
}

static void sobol(struct mem *m, const struct design_points *p, const double *y,
                  const struct gsa_options *o, struct gsa_sobol_index *idx,
                  struct gsa_sobol_info *info)
{
    struct ss_error err = {0};
    if (gsa_sobol(m, p, y, o, idx, info, &err) != SS_OK) fail_msg("gsa_sobol: %s", err.msg);
}

/* Fail unless want lies within [lo, hi] and within tol of got. */
static void near_within(const char *what, int i, double got, double lo, double hi, double want,
                        double tol)
{
    print_message("  %s[%d] = %.4f  [%.4f, %.4f]  analytic %.4f\n", what, i, got, lo, hi, want);
    if (!(lo <= want && want <= hi))
        fail_msg("%s[%d]: %.4f is outside the interval [%.4f, %.4f]", what, i, want, lo, hi);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s[%d] = %.4f, more than %.3f from %.4f", what, i, got, tol, want);
}

/* ---- Sobol' indices ------------------------------------------------------ */

static double ishigami(const double *x)
{
    double a = 7, b = 0.1, s = sin(x[0]);
    return s + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * s;
}

/* Ishigami's function on [-pi, pi]^3 at N = 2^12 base rows (5 x 4096 =
 * 20,480 runs). Its indices in closed form (a = 7, b = 0.1): V1 = (1 +
 * b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225, V3 = 0, so
 * S = (0.3139, 0.4424, 0) and S_T = (0.5576, 0.4424, 0.2437). The
 * tolerance is 0.01; the largest error at this N is 0.0041 (S_2). */
static void test_ishigami(void **state)
{
    struct design *d = new_design();
    for (int i = 0; i < 3; i++) {
        char key[8];
        snprintf(key, sizeof key, "x%d", i + 1);
        add(d, key, -PI, PI, DESIGN_LINEAR, 0);
    }
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 4096, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = ishigami(p->x + i * 3);

    double a = 7, b = 0.1, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
    double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), v2 = a * a / 8,
           v13 = 8 * b * b * pi8 / 225, v = v1 + v2 + v13;
    double s1[3] = {v1 / v, v2 / v, 0}, st[3] = {(v1 + v13) / v, v2 / v, v13 / v};
    assert_true(fabs(s1[0] - 0.3139) < 1e-4 && fabs(s1[1] - 0.4424) < 1e-4);
    assert_true(fabs(st[0] - 0.5576) < 1e-4 && fabs(st[2] - 0.2437) < 1e-4);

    struct mem m = {0};
    struct gsa_options o = {.seed = 11};
    struct gsa_sobol_index idx[3];
    struct gsa_sobol_info info;
    sobol(&m, p, y, &o, idx, &info);
    assert_int_equal(info.rows, 4096);
    assert_int_equal(info.used, 4096);
    assert_int_equal(info.skipped, 0);
    assert_int_equal(info.resamples, GSA_DEFAULT_RESAMPLES);
    assert_int_equal(info.undefined, 0);
    print_message("  V(Y) = %.4f, analytic %.4f; mean %.4f, analytic %.4f\n", info.var, v,
                  info.mean, a / 2);
    assert_true(fabs(info.var - v) < 0.02 * v);
    assert_true(fabs(info.mean - a / 2) < 0.05);
    for (int i = 0; i < 3; i++) {
        near_within("S", i, idx[i].s1, idx[i].s1_lo, idx[i].s1_hi, s1[i], 0.01);
        near_within("ST", i, idx[i].st, idx[i].st_lo, idx[i].st_hi, st[i], 0.01);
        assert_true(idx[i].s1_lo < idx[i].s1 && idx[i].s1 < idx[i].s1_hi);
        assert_true(idx[i].st_lo < idx[i].st && idx[i].st < idx[i].st_hi);
    }
    assert_int_equal(m.live, 0); /* every scratch allocation given back */
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* y = sum c_i x_i with x_i uniform on [lo_i, hi_i]: S_i = S_Ti =
 * c_i^2 var_i / sum_j c_j^2 var_j, var_i = (hi_i - lo_i)^2 / 12; the
 * last key is a dummy (c = 0). */
static void test_linear_model(void **state)
{
    static const double lo[5] = {0, -2, 10, 0, 0}, hi[5] = {1, 2, 13, 0.5, 1},
                        c[5] = {1, 0.5, 2, 4, 0};
    struct design *d = new_design();
    double total = 0, part[5];
    for (int i = 0; i < 5; i++) {
        char key[8];
        snprintf(key, sizeof key, "x%d", i + 1);
        add(d, key, lo[i], hi[i], DESIGN_LINEAR, 0);
        part[i] = c[i] * c[i] * (hi[i] - lo[i]) * (hi[i] - lo[i]) / 12;
        total += part[i];
    }
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 4096, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long r = 0; r < p->n; r++) {
        y[r] = 0;
        for (int i = 0; i < 5; i++) y[r] += c[i] * p->x[r * 5 + i];
    }
    struct mem m = {0};
    struct gsa_options o = {.seed = 3, .resamples = 500};
    struct gsa_sobol_index idx[5];
    struct gsa_sobol_info info;
    sobol(&m, p, y, &o, idx, &info);
    for (int i = 0; i < 5; i++) {
        near_within("S", i, idx[i].s1, idx[i].s1_lo, idx[i].s1_hi, part[i] / total, 0.01);
        near_within("ST", i, idx[i].st, idx[i].st_lo, idx[i].st_hi, part[i] / total, 0.01);
    }
    /* The dummy's rows never change the output: S_T is exactly 0. */
    TH_FEQ(idx[4].st, 0);
    TH_FEQ(idx[4].st_hi, 0);
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* A constant output has no variance to share: NaN indices, not an error. */
static void test_sobol_constant_output(void **state)
{
    struct design *d = new_design();
    add(d, "x", 0, 1, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 64, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = 3;
    struct mem m = {0};
    struct gsa_sobol_index idx[1];
    struct gsa_sobol_info info;
    sobol(&m, p, y, &(struct gsa_options){.resamples = 50}, idx, &info);
    TH_FEQ(info.var, 0);
    assert_true(isnan(idx[0].s1) && isnan(idx[0].st) && isnan(idx[0].s1_lo));
    assert_int_equal(info.undefined, 50);
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* Non-finite outputs: an error naming the point, or their rows left out;
 * then everything equals the indices of the design without those rows,
 * bit for bit (intervals too: resamples draw among the rows kept). */
static void test_sobol_nan(void **state)
{
    struct design *d = new_design();
    add(d, "x1", -PI, PI, DESIGN_LINEAR, 0);
    add(d, "x2", -PI, PI, DESIGN_LINEAR, 0);
    add(d, "x3", -PI, PI, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 512, &p, &err), SS_OK);
    size_t w = 5;
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = ishigami(p->x + i * 3);
    y[7 * w + 0] = NAN;        /* row 7's A */
    y[100 * w + 3] = NAN;      /* row 100's A_B^(2) */
    y[300 * w + 1] = INFINITY; /* row 300's B */
    y[301 * w + 4] = NAN;
    y[301 * w + 2] = NAN; /* two in one row: one row left out */

    struct mem m = {0};
    struct gsa_options o = {.seed = 5, .resamples = 200};
    struct gsa_sobol_index idx[3], ref[3];
    struct gsa_sobol_info info, rinfo;
    assert_int_equal(gsa_sobol(&m, p, y, &o, idx, &info, &err), SS_EINPUT);
    assert_string_equal(err.msg, "the output of point 35 (A) is nan, not a finite number");

    o.nan = GSA_NAN_SKIP;
    sobol(&m, p, y, &o, idx, &info);
    assert_int_equal(info.rows, 512);
    assert_int_equal(info.skipped, 4);
    assert_int_equal(info.used, 508);

    /* The same design without rows 7, 100, 300 and 301. */
    struct design_points q = *p;
    double *yq = malloc((size_t)p->n * sizeof *yq);
    long kept = 0;
    for (long j = 0; j < 512; j++) {
        if (j == 7 || j == 100 || j == 300 || j == 301) continue;
        memcpy(yq + kept * w, y + j * w, w * sizeof *yq);
        kept++;
    }
    q.base = kept;
    q.n = kept * (long)w;
    sobol(&m, &q, yq, &o, ref, &rinfo);
    assert_int_equal(rinfo.skipped, 0);
    assert_memory_equal(idx, ref, sizeof idx);
    TH_FEQ(info.var, rinfo.var);

    /* Too few rows left. */
    for (long i = 0; i < p->n; i++)
        if (i / (long)w != 3) y[i] = NAN;
    assert_int_equal(gsa_sobol(&m, p, y, &o, idx, &info, &err), SS_EINPUT);
    assert_string_equal(err.msg, "only 1 of 512 rows of the Saltelli design have finite outputs: "
                                 "too few to estimate Sobol' indices");
    assert_int_equal(m.live, 0);
    free(y);
    free(yq);
    design_points_free(d, p);
    design_free(d);
}

/* The intervals are the same bits from the same seed, others from
 * another; the estimates do not depend on it. Options are checked. */
static void test_bootstrap_reproducible(void **state)
{
    struct design *d = new_design();
    add(d, "x1", -PI, PI, DESIGN_LINEAR, 0);
    add(d, "x2", -PI, PI, DESIGN_LINEAR, 0);
    add(d, "x3", -PI, PI, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 256, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = ishigami(p->x + i * 3);
    struct mem m = {0};
    struct gsa_sobol_index a[3], b[3], c[3];
    struct gsa_sobol_info info;
    sobol(&m, p, y, &(struct gsa_options){.seed = 1, .resamples = 300}, a, &info);
    sobol(&m, p, y, &(struct gsa_options){.seed = 1, .resamples = 300}, b, &info);
    sobol(&m, p, y, &(struct gsa_options){.seed = 2, .resamples = 300}, c, &info);
    assert_memory_equal(a, b, sizeof a);
    for (int i = 0; i < 3; i++) {
        TH_FEQ(a[i].s1, c[i].s1);
        TH_FEQ(a[i].st, c[i].st);
        assert_true(a[i].s1_lo != c[i].s1_lo || a[i].st_hi != c[i].st_hi);
    }
    /* A wider level, a wider interval. */
    sobol(&m, p, y, &(struct gsa_options){.seed = 1, .resamples = 300, .level = 0.99}, c, &info);
    for (int i = 0; i < 3; i++) assert_true(c[i].st_lo <= a[i].st_lo && c[i].st_hi >= a[i].st_hi);
    assert_int_equal(gsa_sobol(&m, p, y, &(struct gsa_options){.level = 1.5}, a, &info, &err),
                     SS_EINPUT);
    assert_string_equal(err.msg, "a confidence level must be between 0 and 1, got 1.5");
    assert_int_equal(gsa_sobol(&m, p, y, &(struct gsa_options){.resamples = -1}, a, &info, &err),
                     SS_EINPUT);
    assert_string_equal(err.msg, "bootstrap resamples must be from 1 to 100000, got -1");
    struct design_points *q = NULL;
    assert_int_equal(design_sobol(d, 64, &q, &err), SS_OK);
    assert_int_equal(gsa_sobol(&m, q, y, NULL, a, &info, &err), SS_EINPUT);
    assert_string_equal(err.msg, "Sobol' indices need a Saltelli design");
    struct gsa_morris_index mi[3];
    assert_int_equal(gsa_morris(&m, p, y, NULL, mi, &err), SS_EINPUT);
    assert_string_equal(err.msg, "Morris' elementary effects need a Morris design");
    free(y);
    design_points_free(d, p);
    design_points_free(d, q);
    design_free(d);
}

/* Out of memory in the estimator's scratch is reported, not crashed on. */
static void test_sobol_out_of_memory(void **state)
{
    struct design *d = new_design();
    add(d, "x", 0, 1, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_saltelli(d, 16, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = p->x[i];
    struct gsa_sobol_index idx[1];
    struct gsa_sobol_info info;
    int failed = 0;
    for (long at = 1;; at++) {
        struct mem m = {.fail_at = at};
        int rc = gsa_sobol(&m, p, y, &(struct gsa_options){.resamples = 10}, idx, &info, &err);
        assert_int_equal(m.live, 0);
        if (rc == SS_OK) break;
        assert_int_equal(rc, SS_ENOMEM);
        failed++;
    }
    assert_int_equal(failed, 5);
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* ---- Morris ------------------------------------------------------------- */

static void morris(struct mem *m, const struct design_points *p, const double *y,
                   const struct gsa_options *o, struct gsa_morris_index *idx)
{
    struct ss_error err = {0};
    if (gsa_morris(m, p, y, o, idx, &err) != SS_OK) fail_msg("gsa_morris: %s", err.msg);
}

/* y = 3 x1 + log(x2) + 2 x3 with x1 on [2, 5], x2 on [0.01, 100] (log
 * scale) and x3 an integer 0..9: every elementary effect is the change
 * over the key's whole range, exactly: 3 (5 - 2) = 9, log(10^4) and, for
 * the integer (rounded on [-0.5, 9.5]), 2 x 10 = 20. */
static void test_morris_exact_effects(void **state)
{
    struct design *d = new_design();
    add(d, "x1", 2, 5, DESIGN_LINEAR, 0);
    add(d, "x2", 0.01, 100, DESIGN_LOG, 0);
    add(d, "x3", 0, 9, DESIGN_LINEAR, 1);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_morris(d, 12, 4, 1, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++)
        y[i] = 3 * p->x[i * 3] + log(p->x[i * 3 + 1]) + 2 * p->x[i * 3 + 2];
    struct mem m = {0};
    struct gsa_morris_index idx[3];
    morris(&m, p, y, &(struct gsa_options){.resamples = 100}, idx);
    double want[3] = {9, log(1e4), 20};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(idx[i].effects, 12);
        assert_int_equal(idx[i].skipped, 0);
        assert_true(fabs(idx[i].mu - want[i]) < 1e-9);
        assert_true(fabs(idx[i].mu_star - want[i]) < 1e-9);
        assert_true(idx[i].sigma < 1e-9);
        assert_true(fabs(idx[i].mu_star_lo - want[i]) < 1e-9);
        assert_true(fabs(idx[i].mu_star_hi - want[i]) < 1e-9);
    }
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* y = x1 + 2 x2^2 + 3 x1 x3 + 8 (x5 - 1/2)^2 on [0, 1]^5: x4 is a dummy.
 * Morris ranks it last with mu* = 0, and the interaction x1 x3 shows as
 * a sigma of x3 above 0; x5's effect changes sign across the grid (+-8/3
 * per step on 4 levels), so its mu is much below its mu*. */
static void test_morris_dummy_last(void **state)
{
    struct design *d = new_design();
    for (int i = 0; i < 5; i++) {
        char key[8];
        snprintf(key, sizeof key, "x%d", i + 1);
        add(d, key, 0, 1, DESIGN_LINEAR, 0);
    }
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_morris(d, 20, 4, 77, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) {
        const double *x = p->x + i * 5;
        y[i] = x[0] + 2 * x[1] * x[1] + 3 * x[0] * x[2] + 8 * (x[4] - 0.5) * (x[4] - 0.5);
    }
    struct mem m = {0};
    struct gsa_morris_index idx[5];
    morris(&m, p, y, &(struct gsa_options){.seed = 4}, idx);
    int order[5];
    gsa_morris_rank(idx, 5, order);
    for (int i = 0; i < 5; i++)
        print_message("  x%d: mu %.3f, mu* %.3f [%.3f, %.3f], sigma %.3f\n", i + 1, idx[i].mu,
                      idx[i].mu_star, idx[i].mu_star_lo, idx[i].mu_star_hi, idx[i].sigma);
    assert_int_equal(order[4], 3);
    TH_FEQ(idx[3].mu_star, 0);
    TH_FEQ(idx[3].sigma, 0);
    TH_FEQ(idx[3].mu_star_hi, 0);
    for (int i = 0; i < 5; i++)
        if (i != 3) assert_true(idx[i].mu_star_lo > 0.1);
    assert_true(idx[2].sigma > 0.1);
    assert_true(fabs(idx[4].mu) < 0.5 * idx[4].mu_star);
    /* Ranking: larger mu* first, ties by index. */
    struct gsa_morris_index t[3] = {{.mu_star = 1}, {.mu_star = 2}, {.mu_star = 1}};
    gsa_morris_rank(t, 3, order);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    free(y);
    design_points_free(d, p);
    design_free(d);
}

static void test_morris_nan(void **state)
{
    struct design *d = new_design();
    add(d, "x1", 0, 1, DESIGN_LINEAR, 0);
    add(d, "x2", 0, 1, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_morris(d, 10, 4, 1, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) y[i] = 2 * p->x[i * 2] + p->x[i * 2 + 1];
    /* Trajectory 4 (points 12, 13, 14): its middle point is used by both
     * of its effects; trajectory 6's first point by its first effect. */
    y[13] = NAN;
    y[18] = NAN;
    struct mem m = {0};
    struct gsa_morris_index idx[2];
    assert_int_equal(gsa_morris(&m, p, y, NULL, idx, &err), SS_EINPUT);
    assert_string_equal(
        err.msg, "the output of point 13 (a Morris trajectory's) is nan, not a finite number");
    morris(&m, p, y, &(struct gsa_options){.nan = GSA_NAN_SKIP, .resamples = 200}, idx);
    int first6 = p->moved[19];
    assert_int_equal(idx[0].skipped + idx[1].skipped, 3);
    assert_int_equal(idx[first6].skipped, 2);
    assert_int_equal(idx[1 - first6].skipped, 1);
    assert_int_equal(idx[0].effects, 10 - idx[0].skipped);
    assert_int_equal(idx[1].effects, 10 - idx[1].skipped);
    assert_true(fabs(idx[0].mu_star - 2) < 1e-12 && fabs(idx[1].mu_star - 1) < 1e-12);
    /* A key with every effect gone is an error. */
    for (long i = 0; i < p->n; i++) y[i] = NAN;
    assert_int_equal(gsa_morris(&m, p, y, &(struct gsa_options){.nan = GSA_NAN_SKIP}, idx, &err),
                     SS_EINPUT);
    assert_string_equal(err.msg, "key 0 has no elementary effect left: every one uses a "
                                 "non-finite output");
    assert_int_equal(m.live, 0);
    free(y);
    design_points_free(d, p);
    design_free(d);
}

/* ---- replicates ---------------------------------------------------------- */

static void test_noise_hand_worked(void **state)
{
    /* Two points of three replicates: sds 1 and 2; pooled variance
     * (2 x 1 + 2 x 4) / 4 = 2.5; means 2 and 6, variance 8; share
     * 2.5 / 3 / 8. */
    double y[6] = {1, 2, 3, 4, 6, 8}, means[2];
    struct ss_error err = {0};
    struct gsa_noise nz;
    long skipped = -1;
    assert_int_equal(gsa_replicate_means(y, 2, 3, GSA_NAN_ERROR, means, &skipped, &err), SS_OK);
    TH_FEQ(means[0], 2);
    TH_FEQ(means[1], 6);
    assert_int_equal(skipped, 0);
    assert_int_equal(gsa_noise(y, 2, 3, GSA_NAN_ERROR, &nz, &err), SS_OK);
    assert_int_equal(nz.used, 2);
    assert_true(fabs(nz.mean_sd - 1.5) < 1e-15);
    assert_true(fabs(nz.pooled_var - 2.5) < 1e-15);
    assert_true(fabs(nz.var_means - 8) < 1e-15);
    assert_true(fabs(nz.noise_share - 2.5 / 3 / 8) < 1e-15);
    /* A non-finite output: an error naming the run, or left out. */
    y[4] = NAN;
    assert_int_equal(gsa_noise(y, 2, 3, GSA_NAN_ERROR, &nz, &err), SS_EINPUT);
    assert_string_equal(err.msg,
                        "the output of run 4 (point 1, replicate 1) is nan, not a finite number");
    assert_int_equal(gsa_replicate_means(y, 2, 3, GSA_NAN_ERROR, means, &skipped, &err), SS_EINPUT);
    assert_int_equal(gsa_replicate_means(y, 2, 3, GSA_NAN_SKIP, means, &skipped, &err), SS_OK);
    assert_int_equal(skipped, 1);
    TH_FEQ(means[1], 6); /* (4 + 8) / 2 */
    assert_int_equal(gsa_noise(y, 2, 3, GSA_NAN_SKIP, &nz, &err), SS_OK);
    assert_int_equal(nz.skipped, 1);
    /* point 1 now has 4 and 8: sd sqrt(8); pooled (2 + 8) / 3 */
    assert_true(fabs(nz.mean_sd - (1 + sqrt(8)) / 2) < 1e-15);
    assert_true(fabs(nz.pooled_var - 10.0 / 3) < 1e-15);
    y[3] = y[5] = NAN; /* point 1 has no output left */
    assert_int_equal(gsa_replicate_means(y, 2, 3, GSA_NAN_SKIP, means, &skipped, &err), SS_OK);
    assert_true(isnan(means[1]));
    assert_int_equal(gsa_noise(y, 2, 3, GSA_NAN_SKIP, &nz, &err), SS_OK);
    assert_int_equal(nz.used, 1);
    assert_true(isnan(nz.var_means) && isnan(nz.noise_share));
    assert_int_equal(gsa_noise(y, 2, 1, GSA_NAN_SKIP, &nz, &err), SS_EINPUT);
    assert_string_equal(err.msg, "the noise between seeds needs 2 replicates or more");
}

/* Outputs of a linear model plus noise between seeds, averaged over R
 * replicates: the indices of the means are (1 - share) S_i and
 * (1 - share) S_Ti + share, share the noise share gsa_noise reports. */
static void test_noise_shifts_indices(void **state)
{
    static const double c[3] = {3, 2, 1};
    struct design *d = new_design();
    double total = 0;
    for (int i = 0; i < 3; i++) {
        char key[8];
        snprintf(key, sizeof key, "x%d", i + 1);
        add(d, key, 0, 1, DESIGN_LINEAR, 0);
        total += c[i] * c[i] / 12;
    }
    struct design_points *p = NULL;
    struct ss_error err = {0};
    long nb = th_sanitized() ? 1024 : 4096;
    int reps = 4;
    assert_int_equal(design_saltelli(d, nb, &p, &err), SS_OK);
    double *y = malloc((size_t)p->n * reps * sizeof *y), *means = malloc((size_t)p->n * sizeof *y);
    double sigma = 1.2; /* noise variance of a mean 1.44 / 4 = 0.36 against 14/12 */
    for (long i = 0; i < p->n; i++) {
        double f = 0;
        for (int j = 0; j < 3; j++) f += c[j] * p->x[i * 3 + j];
        struct rng g;
        rng_init(&g, 99, (uint32_t)i, 0, 0);
        for (int r = 0; r < reps; r++) y[i * reps + r] = f + sigma * rng_normal(&g);
    }
    long skipped;
    struct gsa_noise nz;
    assert_int_equal(gsa_replicate_means(y, p->n, reps, GSA_NAN_ERROR, means, &skipped, &err),
                     SS_OK);
    assert_int_equal(gsa_noise(y, p->n, reps, GSA_NAN_ERROR, &nz, &err), SS_OK);
    double share_true = sigma * sigma / reps / (total + sigma * sigma / reps);
    print_message("  noise: mean sd %.4f (sigma %.2f), share %.4f (expected %.4f)\n", nz.mean_sd,
                  sigma, nz.noise_share, share_true);
    assert_true(fabs(sqrt(nz.pooled_var) - sigma) < 0.02 * sigma);
    assert_true(fabs(nz.noise_share - share_true) < 0.02);
    struct mem m = {0};
    struct gsa_sobol_index idx[3];
    struct gsa_sobol_info info;
    sobol(&m, p, means, &(struct gsa_options){.seed = 8, .resamples = 500}, idx, &info);
    double sh = nz.noise_share;
    for (int i = 0; i < 3; i++) {
        double s = c[i] * c[i] / 12 / total;
        near_within("S", i, idx[i].s1, idx[i].s1_lo, idx[i].s1_hi, (1 - sh) * s, 0.03);
        near_within("ST", i, idx[i].st, idx[i].st_lo, idx[i].st_hi, (1 - sh) * s + sh, 0.03);
    }
    free(y);
    free(means);
    design_points_free(d, p);
    design_free(d);
}

/* A Morris design over y = 2 x1 + x2 (x3 a dummy) plus noise between
 * seeds, averaged over 3 replicates: the dummy's mu* is the noise floor
 * gsa_morris_noise_floor predicts, sqrt(2 sigma^2 / 3) sqrt(2 / pi) / (2/3)
 * = 0.293 for sigma = 0.3, and the two real keys clear it. */
static void test_morris_noise_floor(void **state)
{
    struct design *d = new_design();
    add(d, "x1", 0, 1, DESIGN_LINEAR, 0);
    add(d, "x2", 0, 1, DESIGN_LINEAR, 0);
    add(d, "x3", 0, 1, DESIGN_LINEAR, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_morris(d, 300, 4, 5, &p, &err), SS_OK);
    int reps = 3;
    double sigma = 0.3;
    double *y = malloc((size_t)p->n * reps * sizeof *y), *means = malloc((size_t)p->n * sizeof *y);
    for (long i = 0; i < p->n; i++) {
        struct rng g;
        rng_init(&g, 21, (uint32_t)i, 0, 0);
        for (int r = 0; r < reps; r++)
            y[i * reps + r] = 2 * p->x[i * 3] + p->x[i * 3 + 1] + sigma * rng_normal(&g);
    }
    long skipped;
    struct gsa_noise nz;
    assert_int_equal(gsa_replicate_means(y, p->n, reps, GSA_NAN_ERROR, means, &skipped, &err),
                     SS_OK);
    assert_int_equal(gsa_noise(y, p->n, reps, GSA_NAN_ERROR, &nz, &err), SS_OK);
    double floor_of[3], want = sqrt(2 * sigma * sigma / reps) * sqrt(2 / PI) / (2.0 / 3);
    gsa_morris_noise_floor(&nz, p, floor_of);
    struct mem m = {0};
    struct gsa_morris_index idx[3];
    morris(&m, p, means, &(struct gsa_options){.seed = 2}, idx);
    for (int i = 0; i < 3; i++)
        print_message("  x%d: mu* %.3f [%.3f, %.3f], noise floor %.3f (sigma %.2f: %.3f)\n", i + 1,
                      idx[i].mu_star, idx[i].mu_star_lo, idx[i].mu_star_hi, floor_of[i], sigma,
                      want);
    for (int i = 0; i < 3; i++) assert_true(fabs(floor_of[i] - want) < 0.05 * want);
    assert_true(fabs(idx[2].mu_star - floor_of[2]) < 0.15 * floor_of[2]);
    assert_true(idx[0].mu_star_lo > floor_of[0] && idx[1].mu_star_lo > floor_of[1]);
    free(y);
    free(means);
    design_points_free(d, p);
    design_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ishigami),
        cmocka_unit_test(test_linear_model),
        cmocka_unit_test(test_sobol_constant_output),
        cmocka_unit_test(test_sobol_nan),
        cmocka_unit_test(test_bootstrap_reproducible),
        cmocka_unit_test(test_sobol_out_of_memory),
        cmocka_unit_test(test_morris_exact_effects),
        cmocka_unit_test(test_morris_dummy_last),
        cmocka_unit_test(test_morris_nan),
        cmocka_unit_test(test_morris_noise_floor),
        cmocka_unit_test(test_noise_hand_worked),
        cmocka_unit_test(test_noise_shifts_indices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
