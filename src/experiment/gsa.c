/*
 * gsa.c - the sensitivity estimators of gsa.h: Sobol' indices from a
 * Saltelli design (eq. (b) of Saltelli et al. 2010 for S_i, Jansen 1999 for
 * S_Ti), Morris' mu, mu* and sigma from trajectories, percentile-bootstrap
 * intervals (each resample's draws keyed by (seed, resample), so that the
 * intervals are the same bits whatever order they are computed in), and
 * the within-point noise of replicates.
 */
#include "experiment/gsa.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* sqrt(2 / pi): the mean of |Z| for a standard normal Z. */
#define SQRT_2_OVER_PI 0.79788456080286535588

/* Options with their defaults filled in, or SS_EINPUT. */
static int options(const struct gsa_options *o, struct gsa_options *out, struct ss_error *err)
{
    *out = o ? *o : (struct gsa_options){0};
    if (out->resamples == 0) out->resamples = GSA_DEFAULT_RESAMPLES;
    if (out->level == 0) out->level = 0.95;
    if (out->resamples < 1 || out->resamples > GSA_MAX_RESAMPLES)
        return err_msg(err, SS_EINPUT, "bootstrap resamples must be from 1 to %d, got %d",
                       GSA_MAX_RESAMPLES, out->resamples);
    if (!(out->level > 0 && out->level < 1))
        return err_msg(err, SS_EINPUT, "a confidence level must be between 0 and 1, got %g",
                       out->level);
    if (out->nan != GSA_NAN_ERROR && out->nan != GSA_NAN_SKIP)
        return err_msg(err, SS_EINTERNAL, "gsa_options.nan is %d", out->nan);
    return SS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The percentile interval of v[0..n) (sorted in place; NaN left out, n
 * becomes the count kept): GSL's quantiles (linear interpolation between
 * order statistics) at (1 - level) / 2 and (1 + level) / 2. */
static void percentile(double *v, long n, double level, double *lo, double *hi)
{
    long kept = 0;
    for (long i = 0; i < n; i++)
        if (!isnan(v[i])) v[kept++] = v[i];
    if (kept == 0) {
        *lo = *hi = NAN;
        return;
    }
    qsort(v, (size_t)kept, sizeof *v, cmp_double);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)kept, (1 - level) / 2);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)kept, (1 + level) / 2);
}

/* --- Sobol' indices ------------------------------------------------------ */

/* The estimates over rows[0..n) of a Saltelli design's outputs y (k + 2 per
 * row): s1[k], st[k] and V(Y) into *var (0: the indices are NaN). */
static void sobol_estimate(const double *y, int k, const long *rows, long n, double *s1, double *st,
                           double *var)
{
    size_t w = (size_t)k + 2;
    double sum = 0;
    for (long r = 0; r < n; r++) sum += y[(size_t)rows[r] * w] + y[(size_t)rows[r] * w + 1];
    double mean = sum / (2.0 * (double)n), ss = 0;
    for (long r = 0; r < n; r++) {
        double a = y[(size_t)rows[r] * w] - mean, b = y[(size_t)rows[r] * w + 1] - mean;
        ss += a * a + b * b;
    }
    *var = ss / (2.0 * (double)n - 1);
    for (int i = 0; i < k; i++) {
        double v1 = 0, vt = 0;
        for (long r = 0; r < n; r++) {
            const double *row = y + (size_t)rows[r] * w;
            double fa = row[0], fb = row[1], fab = row[2 + i];
            v1 += (fb - mean) * (fab - fa);
            vt += (fa - fab) * (fa - fab);
        }
        s1[i] = *var > 0 ? v1 / (double)n / *var : NAN;
        st[i] = *var > 0 ? vt / (2.0 * (double)n) / *var : NAN;
    }
}

/* Finite outputs, or the error naming the first that is not. */
static int nan_error(long point, const char *what, double v, struct ss_error *err)
{
    return err_msg(err, SS_EINPUT, "the output of point %ld (%s) is %g, not a finite number", point,
                   what, v);
}

int gsa_sobol(struct mem *m, const struct design_points *pts, const double *y,
              const struct gsa_options *o, struct gsa_sobol_index *idx, struct gsa_sobol_info *info,
              struct ss_error *err)
{
    struct gsa_options op;
    int rc = options(o, &op, err);
    if (rc) return rc;
    if (pts->kind != DESIGN_SALTELLI)
        return err_msg(err, SS_EINPUT, "Sobol' indices need a Saltelli design");
    int k = pts->k;
    long nb = pts->base;
    size_t w = (size_t)k + 2;
    long *rows = mem_alloc_array(m, (size_t)nb, sizeof *rows);
    long *draw = mem_alloc_array(m, (size_t)nb, sizeof *draw);
    double *est = mem_alloc_array(m, (size_t)op.resamples * 2 * (size_t)k, sizeof *est);
    double *col = mem_alloc_array(m, (size_t)op.resamples, sizeof *col);
    double *s1 = mem_alloc_array(m, 2 * (size_t)k, sizeof *s1), *st = s1 ? s1 + k : NULL;
    if (!rows || !draw || !est || !col || !s1) {
        rc = err_nomem(err, "estimating Sobol' indices");
        goto done;
    }
    long used = 0;
    for (long j = 0; j < nb; j++) {
        int ok = 1;
        for (size_t c = 0; c < w && ok; c++) {
            double v = y[(size_t)j * w + c];
            if (isfinite(v)) continue;
            ok = 0;
            if (op.nan == GSA_NAN_ERROR) {
                const char *what = c == 0 ? "A" : c == 1 ? "B" : "A_B";
                rc = nan_error((long)((size_t)j * w + c), what, v, err);
                goto done;
            }
        }
        if (ok) rows[used++] = j;
    }
    if (used < 2) {
        rc = err_msg(err, SS_EINPUT,
                     "only %ld of %ld rows of the Saltelli design have finite outputs: too few "
                     "to estimate Sobol' indices",
                     used, nb);
        goto done;
    }
    double var;
    sobol_estimate(y, k, rows, used, s1, st, &var);
    double sum = 0;
    for (long r = 0; r < used; r++) sum += y[(size_t)rows[r] * w] + y[(size_t)rows[r] * w + 1];
    *info = (struct gsa_sobol_info){.rows = nb,
                                    .used = used,
                                    .skipped = nb - used,
                                    .mean = sum / (2.0 * (double)used),
                                    .var = var,
                                    .resamples = op.resamples};
    for (int i = 0; i < k; i++) idx[i] = (struct gsa_sobol_index){.s1 = s1[i], .st = st[i]};

    /* The bootstrap: resample b draws used rows with replacement from
     * (seed, b). */
    for (int b = 0; b < op.resamples; b++) {
        struct rng g;
        rng_init(&g, op.seed, (uint32_t)b, RNG_DESIGN_DAY, RS_BOOTSTRAP);
        for (long r = 0; r < used; r++) draw[r] = rows[rng_below(&g, (uint32_t)used)];
        double vb;
        sobol_estimate(y, k, draw, used, est + (size_t)b * 2 * (size_t)k,
                       est + (size_t)b * 2 * (size_t)k + k, &vb);
        info->undefined += !(vb > 0);
    }
    for (int c = 0; c < 2 * k; c++) {
        for (int b = 0; b < op.resamples; b++) col[b] = est[(size_t)b * 2 * (size_t)k + (size_t)c];
        double lo, hi;
        percentile(col, op.resamples, op.level, &lo, &hi);
        if (c < k) {
            idx[c].s1_lo = lo;
            idx[c].s1_hi = hi;
        } else {
            idx[c - k].st_lo = lo;
            idx[c - k].st_hi = hi;
        }
    }
done:
    mem_free(m, rows);
    mem_free(m, draw);
    mem_free(m, est);
    mem_free(m, col);
    mem_free(m, s1);
    return rc;
}

/* --- Morris' elementary effects ------------------------------------------- */

/* mu* of key i over the trajectories pick[0..n) of ee[r k] (NaN: left out). */
static double mu_star_of(const double *ee, int k, int i, const long *pick, long n)
{
    double sum = 0;
    long c = 0;
    for (long t = 0; t < n; t++) {
        double e = ee[(size_t)pick[t] * (size_t)k + (size_t)i];
        if (isnan(e)) continue;
        sum += fabs(e);
        c++;
    }
    return c ? sum / (double)c : NAN;
}

int gsa_morris(struct mem *m, const struct design_points *pts, const double *y,
               const struct gsa_options *o, struct gsa_morris_index *idx, struct ss_error *err)
{
    struct gsa_options op;
    int rc = options(o, &op, err);
    if (rc) return rc;
    if (pts->kind != DESIGN_MORRIS || !pts->moved)
        return err_msg(err, SS_EINPUT, "Morris' elementary effects need a Morris design");
    int k = pts->k;
    long r = pts->base;
    size_t kk = (size_t)k;
    double *ee = mem_alloc_array(m, (size_t)r * kk, sizeof *ee);
    long *pick = mem_alloc_array(m, (size_t)r, sizeof *pick);
    double *col = mem_alloc_array(m, (size_t)op.resamples, sizeof *col);
    if (!ee || !pick || !col) {
        rc = err_nomem(err, "estimating elementary effects");
        goto done;
    }
    for (int i = 0; i < k; i++) idx[i] = (struct gsa_morris_index){0};
    for (long p = 0; p < pts->n; p++) {
        if (isfinite(y[p]) || op.nan == GSA_NAN_SKIP) continue;
        rc = nan_error(p, "a Morris trajectory's", y[p], err);
        goto done;
    }
    for (size_t c = 0; c < (size_t)r * kk; c++) ee[c] = NAN;
    for (long t = 0; t < r; t++) {
        for (int step = 1; step <= k; step++) {
            long p = t * (k + 1) + step;
            int i = pts->moved[p];
            if (i < 0 || i >= k || !isnan(ee[(size_t)t * kk + (size_t)i])) {
                rc =
                    err_msg(err, SS_EINTERNAL, "point %ld of the Morris design moves key %d", p, i);
                goto done;
            }
            double ds =
                pts->s[(size_t)p * kk + (size_t)i] - pts->s[(size_t)(p - 1) * kk + (size_t)i];
            if (ds == 0) {
                rc = err_msg(err, SS_EINPUT, "point %ld of the Morris design does not move key %d",
                             p, i);
                goto done;
            }
            if (!isfinite(y[p]) || !isfinite(y[p - 1])) {
                idx[i].skipped++;
                continue;
            }
            ee[(size_t)t * kk + (size_t)i] = (y[p] - y[p - 1]) / ds;
        }
    }
    for (int i = 0; i < k; i++) {
        double sum = 0, abs_sum = 0;
        long n = 0;
        for (long t = 0; t < r; t++) {
            double e = ee[(size_t)t * kk + (size_t)i];
            if (isnan(e)) continue;
            sum += e;
            abs_sum += fabs(e);
            n++;
        }
        if (n == 0) {
            rc = err_msg(err, SS_EINPUT,
                         "key %d has no elementary effect left: every one uses a non-finite "
                         "output",
                         i);
            goto done;
        }
        double mu = sum / (double)n, ss = 0;
        for (long t = 0; t < r; t++) {
            double e = ee[(size_t)t * kk + (size_t)i];
            if (!isnan(e)) ss += (e - mu) * (e - mu);
        }
        idx[i].mu = mu;
        idx[i].mu_star = abs_sum / (double)n;
        idx[i].sigma = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
        idx[i].effects = n;
    }
    /* The bootstrap of mu*: resample b draws r trajectories from (seed, b). */
    for (int i = 0; i < k; i++) {
        for (int b = 0; b < op.resamples; b++) {
            struct rng g;
            rng_init(&g, op.seed, (uint32_t)b, RNG_DESIGN_DAY, RS_BOOTSTRAP);
            for (long t = 0; t < r; t++) pick[t] = rng_below(&g, (uint32_t)r);
            col[b] = mu_star_of(ee, k, i, pick, r);
            idx[i].undefined += isnan(col[b]);
        }
        percentile(col, op.resamples, op.level, &idx[i].mu_star_lo, &idx[i].mu_star_hi);
    }
done:
    mem_free(m, ee);
    mem_free(m, pick);
    mem_free(m, col);
    return rc;
}

void gsa_morris_rank(const struct gsa_morris_index *idx, int k, int *order)
{
    for (int i = 0; i < k; i++) order[i] = i;
    for (int i = 1; i < k; i++) { /* insertion sort: stable, k is small */
        int v = order[i], j = i;
        while (j > 0 && idx[order[j - 1]].mu_star < idx[v].mu_star) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

/* --- replicates --------------------------------------------------------------- */

static int check_shape(long points, int replicates, int nan, struct ss_error *err)
{
    if (points < 1 || replicates < 1)
        return err_msg(err, SS_EINPUT, "%ld points x %d replicates: nothing to summarise", points,
                       replicates);
    if (nan != GSA_NAN_ERROR && nan != GSA_NAN_SKIP)
        return err_msg(err, SS_EINTERNAL, "nan policy %d", nan);
    return SS_OK;
}

static int replicate_nan(long run, int replicates, double v, struct ss_error *err)
{
    return err_msg(err, SS_EINPUT,
                   "the output of run %ld (point %ld, replicate %ld) is %g, not a finite number",
                   run, run / replicates, run % replicates, v);
}

int gsa_replicate_means(const double *y, long points, int replicates, int nan, double *means,
                        long *skipped, struct ss_error *err)
{
    int rc = check_shape(points, replicates, nan, err);
    if (rc) return rc;
    *skipped = 0;
    for (long p = 0; p < points; p++) {
        double sum = 0;
        int n = 0;
        for (int r = 0; r < replicates; r++) {
            long run = p * replicates + r;
            if (isfinite(y[run])) {
                sum += y[run];
                n++;
            } else if (nan == GSA_NAN_ERROR) {
                return replicate_nan(run, replicates, y[run], err);
            } else {
                (*skipped)++;
            }
        }
        means[p] = n ? sum / n : NAN;
    }
    return SS_OK;
}

int gsa_noise(const double *y, long points, int replicates, int nan, struct gsa_noise *out,
              struct ss_error *err)
{
    int rc = check_shape(points, replicates, nan, err);
    if (rc) return rc;
    if (replicates < 2)
        return err_msg(err, SS_EINPUT, "the noise between seeds needs 2 replicates or more");
    *out = (struct gsa_noise){.points = points, .replicates = replicates};
    double sd_sum = 0, ss_within = 0, df_within = 0;
    /* Welford's running mean and sum of squares of the point means. */
    double mean_m = 0, ss_m = 0;
    long n_m = 0;
    for (long p = 0; p < points; p++) {
        double sum = 0;
        int n = 0;
        for (int r = 0; r < replicates; r++) {
            long run = p * replicates + r;
            if (isfinite(y[run])) {
                sum += y[run];
                n++;
            } else if (nan == GSA_NAN_ERROR) {
                return replicate_nan(run, replicates, y[run], err);
            } else {
                out->skipped++;
            }
        }
        if (n == 0) continue;
        double mean = sum / n, ss = 0;
        for (int r = 0; r < replicates; r++) {
            double v = y[p * replicates + r];
            if (isfinite(v)) ss += (v - mean) * (v - mean);
        }
        if (n >= 2) {
            sd_sum += sqrt(ss / (n - 1));
            ss_within += ss;
            df_within += n - 1;
            out->used++;
        }
        n_m++;
        double d = mean - mean_m;
        mean_m += d / (double)n_m;
        ss_m += d * (mean - mean_m);
    }
    out->mean_sd = out->used ? sd_sum / (double)out->used : NAN;
    out->pooled_var = df_within > 0 ? ss_within / df_within : NAN;
    out->var_means = n_m > 1 ? ss_m / (double)(n_m - 1) : NAN;
    out->noise_share = out->var_means > 0 ? out->pooled_var / replicates / out->var_means : NAN;
    return SS_OK;
}

void gsa_morris_noise_floor(const struct gsa_noise *nz, const struct design_points *pts,
                            double *out)
{
    size_t kk = (size_t)pts->k;
    double sd_diff = sqrt(2 * nz->pooled_var / nz->replicates);
    for (int i = 0; i < pts->k; i++) {
        double inv = 0;
        long n = 0;
        for (long p = 1; pts->moved && p < pts->n; p++) {
            if (pts->moved[p] != i) continue;
            inv += 1 / fabs(pts->s[(size_t)p * kk + (size_t)i] -
                            pts->s[(size_t)(p - 1) * kk + (size_t)i]);
            n++;
        }
        out[i] = n ? sd_diff * SQRT_2_OVER_PI * inv / (double)n : NAN;
    }
}
