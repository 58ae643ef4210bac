/*
 * calib.c - history matching and ABC over points of the unit cube (see
 * calib.h and docs/calibration.md, "Method"). Serial code over plain
 * arrays: the runs are what is expensive, and they are not here. Every
 * sort breaks ties by index and every draw is keyed by (seed, proposal,
 * generation), so results never depend on the order or the batches in
 * which points arrive.
 */
#include "experiment/calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* --- history matching ---------------------------------------------------- */

void calib_ensemble(long n, int r, int m, const double *f, double *mean, double *var, int *count)
{
    for (long i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            int c = 0;
            double s = 0;
            for (int q = 0; q < r; q++) {
                double x = f[((size_t)i * r + q) * m + j];
                if (!isnan(x)) s += x, c++;
            }
            double mu = c ? s / c : NAN, ss = 0;
            /* Two passes: the deviations from the mean, not the difference of
             * two large sums. */
            for (int q = 0; q < r && c > 1; q++) {
                double x = f[((size_t)i * r + q) * m + j];
                if (!isnan(x)) ss += (x - mu) * (x - mu);
            }
            size_t at = (size_t)i * m + j;
            mean[at] = mu;
            var[at] = c > 1 ? ss / (c - 1) : 0.0;
            count[at] = c;
        }
}

/* |a - b| / sqrt(v), with 0 / 0 = 0 (an exact fit with no uncertainty). */
static double standardized(double a, double b, double v)
{
    double diff = fabs(a - b);
    if (v > 0) return diff / sqrt(v);
    return diff == 0 ? 0.0 : INFINITY;
}

void calib_implausibility(long n, int m, const double *mean, const double *var, const int *count,
                          const double *z, const double *var_obs, const double *var_disc,
                          double *imp)
{
    for (long i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            size_t at = (size_t)i * m + j;
            if (count[at] == 0 || isnan(mean[at])) {
                imp[at] = INFINITY;
                continue;
            }
            double v = var_obs[j] + var_disc[j] + var[at] / count[at];
            imp[at] = standardized(mean[at], z[j], v);
        }
}

void calib_imax(long n, int m, const double *imp, int rank, double *out)
{
    if (rank < 1) rank = 1;
    if (rank > m) rank = m;
    if (rank > CALIB_MAX_RANK) rank = CALIB_MAX_RANK;
    for (long i = 0; i < n; i++) {
        /* top[0 .. have) the largest so far, in decreasing order */
        double top[CALIB_MAX_RANK] = {0};
        int have = 0;
        for (int j = 0; j < m; j++) {
            double x = imp[(size_t)i * m + j];
            if (isnan(x)) x = INFINITY;
            int at;
            if (have < rank)
                at = have++;
            else if (x > top[rank - 1])
                at = rank - 1;
            else
                continue;
            while (at > 0 && top[at - 1] < x) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = x;
        }
        out[i] = have ? top[have - 1] : INFINITY;
    }
}

long calib_nroy(long n, const double *imax, double cutoff, unsigned char *keep)
{
    long kept = 0;
    for (long i = 0; i < n; i++) {
        keep[i] = imax[i] <= cutoff;
        kept += keep[i];
    }
    return kept;
}

/* --- the next wave's region ----------------------------------------------- */

void calib_box_unit(struct calib_box *b, int k)
{
    memset(b, 0, sizeof *b);
    b->k = k;
    for (int a = 0; a < k; a++) b->hi[a] = 1.0;
}

int calib_box_of(struct calib_box *b, int k, long n, const double *u, const unsigned char *keep,
                 double margin, struct ss_error *err)
{
    if (k < 1 || k > CALIB_MAX_PARAMS)
        return err_msg(err, SS_EINPUT, "a box of %d parameters: expected 1 to %d", k,
                       CALIB_MAX_PARAMS);
    memset(b, 0, sizeof *b);
    b->k = k;
    long kept = 0;
    for (long i = 0; i < n; i++) {
        if (keep && !keep[i]) continue;
        for (int a = 0; a < k; a++) {
            double x = u[(size_t)i * k + a];
            if (kept == 0 || x < b->lo[a]) b->lo[a] = x;
            if (kept == 0 || x > b->hi[a]) b->hi[a] = x;
        }
        kept++;
    }
    if (kept == 0)
        return err_msg(err, SS_EINPUT,
                       "no point is left to bound: every point of the wave was ruled out");
    for (int a = 0; a < k; a++) {
        double width = b->hi[a] - b->lo[a], pad = margin * (width > 0 ? width : 1.0);
        b->lo[a] = fmax(0.0, b->lo[a] - pad);
        b->hi[a] = fmin(1.0, b->hi[a] + pad);
    }
    return SS_OK;
}

void calib_box_map(const struct calib_box *b, long n, const double *u, double *out)
{
    for (long i = 0; i < n; i++)
        for (int a = 0; a < b->k; a++) {
            size_t at = (size_t)i * b->k + a;
            out[at] = b->lo[a] + u[at] * (b->hi[a] - b->lo[a]);
        }
}

int calib_box_holds(const struct calib_box *b, const double *x)
{
    for (int a = 0; a < b->k; a++)
        if (!(x[a] >= b->lo[a] && x[a] <= b->hi[a])) return 0;
    return 1;
}

long calib_nearest_keep(int k, long n, const double *u, const unsigned char *keep, long nc,
                        const double *cand, unsigned char *keep_out)
{
    long kept = 0;
    for (long c = 0; c < nc; c++) {
        long best = -1;
        double best_d = INFINITY;
        for (long i = 0; i < n; i++) {
            double d = 0;
            for (int a = 0; a < k; a++) {
                double e = cand[(size_t)c * k + a] - u[(size_t)i * k + a];
                d += e * e;
            }
            if (d < best_d) best_d = d, best = i;
        }
        keep_out[c] = best >= 0 && keep[best];
        kept += keep_out[c];
    }
    return kept;
}

/* --- approximate Bayesian computation --------------------------------------- */

void calib_distance(long n, int m, const double *mean, const double *z, const double *var_obs,
                    const double *var_disc, double *d)
{
    for (long i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < m && s < INFINITY; j++) {
            double x = mean[(size_t)i * m + j];
            if (isnan(x)) {
                s = INFINITY;
                break;
            }
            double e = standardized(x, z[j], var_obs[j] + var_disc[j]);
            s += e * e;
        }
        d[i] = s;
    }
}

/* A value and its index, ordered by value then index. */
struct ranked {
    double x;
    long i;
};

static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->x < b->x) return -1;
    if (a->x > b->x) return 1;
    return (a->i > b->i) - (a->i < b->i);
}

long calib_abc_reject(struct mem *m, long n, const double *d, double quantile, long *idx,
                      double *eps)
{
    *eps = NAN;
    struct ranked *r = mem_alloc_array(m, n > 0 ? (size_t)n : 1, sizeof *r);
    if (!r) return -1;
    long nf = 0;
    for (long i = 0; i < n; i++)
        if (isfinite(d[i])) r[nf].x = d[i], r[nf].i = i, nf++;
    qsort(r, (size_t)nf, sizeof *r, cmp_ranked);
    long keep = (long)ceil(quantile * (double)n - 1e-9);
    if (keep < 1) keep = 1;
    if (keep > nf) keep = nf;
    for (long q = 0; q < keep; q++) idx[q] = r[q].i;
    if (keep) *eps = r[keep - 1].x;
    mem_free(m, r);
    return keep;
}

long calib_best(long n, const double *d)
{
    long best = -1;
    for (long i = 0; i < n; i++)
        if (isfinite(d[i]) && (best < 0 || d[i] < d[best])) best = i;
    return best;
}

struct calib_pop *calib_pop_new(struct mem *m, int k, long n, struct ss_error *err)
{
    if (k < 1 || k > CALIB_MAX_PARAMS || n < 0) {
        err_msg(err, SS_EINPUT,
                "a population of %ld points of %d parameters: expected 1 to %d "
                "parameters",
                n, k, CALIB_MAX_PARAMS);
        return NULL;
    }
    struct calib_pop *p = mem_calloc(m, 1, sizeof *p);
    if (!p) goto nomem;
    p->k = k;
    p->n = n;
    p->eps = INFINITY;
    p->u = mem_calloc(m, (size_t)(n ? n : 1) * k, sizeof *p->u);
    p->w = mem_calloc(m, (size_t)(n ? n : 1), sizeof *p->w);
    p->d = mem_calloc(m, (size_t)(n ? n : 1), sizeof *p->d);
    if (!p->u || !p->w || !p->d) goto nomem;
    for (long i = 0; i < n; i++) p->w[i] = 1.0 / (double)n;
    return p;
nomem:
    calib_pop_free(m, p);
    err_nomem(err, "making a population of points");
    return NULL;
}

void calib_pop_free(struct mem *m, struct calib_pop *p)
{
    if (!p) return;
    mem_free(m, p->u);
    mem_free(m, p->w);
    mem_free(m, p->d);
    mem_free(m, p);
}

struct calib_pop *calib_pop_select(struct mem *m, int k, const double *u, const double *d,
                                   const long *idx, long n, struct ss_error *err)
{
    struct calib_pop *p = calib_pop_new(m, k, n, err);
    if (!p) return NULL;
    for (long q = 0; q < n; q++) {
        memcpy(p->u + (size_t)q * k, u + (size_t)idx[q] * k, (size_t)k * sizeof *u);
        p->d[q] = d ? d[idx[q]] : 0.0;
    }
    return p;
}

#define POP_FORMAT 1
#define POP_HEAD   5 /* format, k, n, gen, eps */

long calib_pop_doubles(const struct calib_pop *p)
{
    return POP_HEAD + p->n * (p->k + 2);
}

void calib_pop_pack(const struct calib_pop *p, double *out)
{
    out[0] = POP_FORMAT;
    out[1] = p->k;
    out[2] = (double)p->n;
    out[3] = p->gen;
    out[4] = p->eps;
    size_t nk = (size_t)p->n * p->k;
    memcpy(out + POP_HEAD, p->u, nk * sizeof *out);
    memcpy(out + POP_HEAD + nk, p->w, (size_t)p->n * sizeof *out);
    memcpy(out + POP_HEAD + nk + p->n, p->d, (size_t)p->n * sizeof *out);
}

int calib_pop_unpack(struct mem *m, const double *buf, long len, struct calib_pop **out,
                     struct ss_error *err)
{
    *out = NULL;
    if (len < POP_HEAD || buf[0] != POP_FORMAT)
        return err_msg(err, SS_EINPUT, "a saved population of %ld values: expected format %d", len,
                       POP_FORMAT);
    double k = buf[1], n = buf[2], gen = buf[3];
    if (!(k >= 1 && k <= CALIB_MAX_PARAMS && k == floor(k)) || !(n >= 0 && n == floor(n)) ||
        !(gen >= 0 && gen <= INT32_MAX && gen == floor(gen)) ||
        (double)len != POP_HEAD + n * (k + 2))
        return err_msg(err, SS_EINPUT,
                       "a saved population of %ld values: its k (%g), n (%g) and generation (%g) "
                       "do not fit",
                       len, k, n, gen);
    struct calib_pop *p = calib_pop_new(m, (int)k, (long)n, err);
    if (!p) return SS_ENOMEM;
    p->gen = (int)gen;
    p->eps = buf[4];
    size_t nk = (size_t)p->n * p->k;
    memcpy(p->u, buf + POP_HEAD, nk * sizeof *buf);
    memcpy(p->w, buf + POP_HEAD + nk, (size_t)p->n * sizeof *buf);
    memcpy(p->d, buf + POP_HEAD + nk + p->n, (size_t)p->n * sizeof *buf);
    double sum = 0;
    int ok = !isnan(p->eps);
    for (size_t a = 0; a < nk; a++) ok &= p->u[a] >= 0 && p->u[a] <= 1;
    for (long i = 0; i < p->n; i++) {
        ok &= p->w[i] >= 0 && isfinite(p->w[i]);
        sum += p->w[i];
    }
    if (p->n > 0) ok &= fabs(sum - 1.0) < 1e-9;
    if (!ok) {
        calib_pop_free(m, p);
        return err_msg(err, SS_EINPUT,
                       "a saved population whose points leave the unit cube or whose weights "
                       "are negative or do not sum to 1");
    }
    *out = p;
    return SS_OK;
}

double calib_ess(const struct calib_pop *p)
{
    double s = 0, s2 = 0;
    for (long i = 0; i < p->n; i++) s += p->w[i], s2 += p->w[i] * p->w[i];
    return s2 > 0 ? s * s / s2 : 0.0;
}

/* --- ABC-SMC ------------------------------------------------------------------ */

struct calib_kernel {
    const struct calib_pop *prev;                     /* the parents (borrowed) */
    struct calib_box box;                             /* the prior's support */
    double *cum;                                      /* [n] cumulative weights, the last 1 */
    double cov[CALIB_MAX_PARAMS * CALIB_MAX_PARAMS];  /* [k k] the kernel's covariance */
    double chol[CALIB_MAX_PARAMS * CALIB_MAX_PARAMS]; /* [k k] its lower Cholesky factor */
};

/* The lower Cholesky factor of the k x k matrix a into l; 0, or -1 if a is
 * not (numerically) positive definite. k is at most 20: no library needed,
 * and GSL's would report failure through its process-wide error handler. */
static int cholesky(int k, const double *a, double *l)
{
    memset(l, 0, (size_t)k * k * sizeof *l);
    for (int i = 0; i < k; i++)
        for (int j = 0; j <= i; j++) {
            double s = a[i * k + j];
            for (int q = 0; q < j; q++) s -= l[i * k + q] * l[j * k + q];
            if (i == j) {
                if (!(s > 0)) return -1;
                l[i * k + i] = sqrt(s);
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    return 0;
}

int calib_kernel_new(struct mem *m, const struct calib_pop *prev, const struct calib_box *b,
                     struct calib_kernel **out, struct ss_error *err)
{
    *out = NULL;
    int k = prev->k;
    if (prev->n < 1)
        return err_msg(err, SS_EINPUT, "ABC-SMC from an empty population: no point to move");
    if (b->k != k)
        return err_msg(err, SS_EINPUT, "a prior box of %d parameters for a population of %d", b->k,
                       k);
    struct calib_kernel *kern = mem_calloc(m, 1, sizeof *kern);
    if (!kern) return err_nomem(err, "making the ABC-SMC kernel");
    kern->cum = mem_alloc_array(m, (size_t)prev->n, sizeof *kern->cum);
    if (!kern->cum) {
        calib_kernel_free(m, kern);
        return err_nomem(err, "making the ABC-SMC kernel");
    }
    kern->prev = prev;
    kern->box = *b;
    double total = 0;
    for (long i = 0; i < prev->n; i++) total += prev->w[i], kern->cum[i] = total;
    if (!(total > 0)) {
        calib_kernel_free(m, kern);
        return err_msg(err, SS_EINPUT, "ABC-SMC from a population whose weights are all 0");
    }
    for (long i = 0; i < prev->n; i++) kern->cum[i] /= total;
    kern->cum[prev->n - 1] = 1.0;

    /* Twice the weighted covariance (Beaumont et al. 2009). */
    double mean[CALIB_MAX_PARAMS] = {0};
    for (long i = 0; i < prev->n; i++)
        for (int a = 0; a < k; a++) mean[a] += prev->w[i] / total * prev->u[(size_t)i * k + a];
    for (long i = 0; i < prev->n; i++) {
        const double *x = prev->u + (size_t)i * k;
        double wi = prev->w[i] / total;
        for (int a = 0; a < k; a++)
            for (int c = 0; c <= a; c++)
                kern->cov[a * k + c] += 2.0 * wi * (x[a] - mean[a]) * (x[c] - mean[c]);
    }
    double big = 0;
    for (int a = 0; a < k; a++) {
        for (int c = 0; c < a; c++) kern->cov[c * k + a] = kern->cov[a * k + c];
        big = fmax(big, kern->cov[a * k + a]);
    }
    for (int a = 0; a < k; a++) kern->cov[a * k + a] += 1e-12 + 1e-9 * big;
    if (cholesky(k, kern->cov, kern->chol)) {
        for (int a = 0; a < k; a++)
            for (int c = 0; c < k; c++)
                if (a != c) kern->cov[a * k + c] = 0;
        cholesky(k, kern->cov, kern->chol); /* a positive diagonal always has one */
    }
    *out = kern;
    return SS_OK;
}

void calib_kernel_free(struct mem *m, struct calib_kernel *kern)
{
    if (!kern) return;
    mem_free(m, kern->cum);
    mem_free(m, kern);
}

void calib_kernel_cov(const struct calib_kernel *kern, double *cov)
{
    int k = kern->prev->k;
    memcpy(cov, kern->cov, (size_t)k * k * sizeof *cov);
}

/* The first parent whose cumulative weight exceeds x in [0, 1). */
static long pick_parent(const struct calib_kernel *kern, double x)
{
    long lo = 0, hi = kern->prev->n - 1;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (kern->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

#define PROPOSE_TRIES 1000000

int calib_propose(const struct calib_kernel *kern, uint64_t seed, int gen, long first, long count,
                  double *out, struct ss_error *err)
{
    int k = kern->prev->k;
    if (first < 0 || count < 0 || first + count > (long)UINT32_MAX + 1 || gen < 0)
        return err_msg(err, SS_EINPUT,
                       "proposals %ld to %ld of generation %d: expected numbers below 2^32", first,
                       first + count - 1, gen);
    for (long q = 0; q < count; q++) {
        struct rng r;
        rng_init(&r, seed, (uint32_t)(first + q), (uint32_t)gen, RS_CALIB_PROPOSE);
        double *x = out + (size_t)q * k;
        int tries = 0;
        for (;;) {
            if (++tries > PROPOSE_TRIES)
                return err_msg(err, SS_EINPUT,
                               "ABC-SMC proposal %ld of generation %d: %d moves in a row fell "
                               "outside the prior box",
                               first + q, gen, PROPOSE_TRIES);
            const double *parent = kern->prev->u + (size_t)pick_parent(kern, rng_uniform(&r)) * k;
            double e[CALIB_MAX_PARAMS];
            for (int a = 0; a < k; a++) e[a] = rng_normal(&r);
            for (int a = 0; a < k; a++) {
                double s = 0;
                for (int c = 0; c <= a; c++) s += kern->chol[a * k + c] * e[c];
                x[a] = parent[a] + s;
            }
            if (calib_box_holds(&kern->box, x)) break;
        }
    }
    return SS_OK;
}

int calib_weights(const struct calib_kernel *kern, long n, const double *u, double *w,
                  struct ss_error *err)
{
    const struct calib_pop *prev = kern->prev;
    int k = prev->k;
    double top = -INFINITY;
    for (long i = 0; i < n; i++) {
        const double *x = u + (size_t)i * k;
        if (!calib_box_holds(&kern->box, x)) {
            w[i] = -INFINITY;
            continue;
        }
        /* log sum_j w_j exp(-q_ij / 2), q_ij = |L^-1 (x - u_j)|^2, summed
         * relative to its largest term so far, so that no term underflows
         * to nothing. */
        double lmax = -INFINITY, s = 0;
        for (long j = 0; j < prev->n; j++) {
            if (!(prev->w[j] > 0)) continue;
            const double *y = prev->u + (size_t)j * k;
            double v[CALIB_MAX_PARAMS], q = 0;
            for (int a = 0; a < k; a++) {
                double t = x[a] - y[a];
                for (int c = 0; c < a; c++) t -= kern->chol[a * k + c] * v[c];
                v[a] = t / kern->chol[a * k + a];
                q += v[a] * v[a];
            }
            double lt = log(prev->w[j]) - 0.5 * q;
            if (lt > lmax) {
                s = s * exp(lmax - lt) + 1.0;
                lmax = lt;
            } else {
                s += exp(lt - lmax);
            }
        }
        /* the weight's log: the prior's (a constant on the box) minus the
         * proposal density's */
        w[i] = lmax == -INFINITY ? -INFINITY : -(lmax + log(s));
        top = fmax(top, w[i]);
    }
    if (top == -INFINITY)
        return err_msg(err, SS_EINPUT, "ABC-SMC weights: no accepted point lies in the prior box");
    double total = 0;
    for (long i = 0; i < n; i++) {
        w[i] = w[i] == -INFINITY ? 0.0 : exp(w[i] - top);
        total += w[i];
    }
    for (long i = 0; i < n; i++) w[i] /= total;
    return SS_OK;
}

double calib_next_eps(struct mem *m, const struct calib_pop *p, double alpha)
{
    return calib_wquantile(m, p->n, p->d, 1, NULL, alpha);
}

long calib_accept(struct calib_pop *next, long *filled, long nb, const double *u, const double *d,
                  double eps)
{
    int k = next->k;
    for (long b = 0; b < nb; b++) {
        if (*filled >= next->n) return b;
        if (d[b] <= eps) {
            memcpy(next->u + (size_t)*filled * k, u + (size_t)b * k, (size_t)k * sizeof *u);
            next->d[*filled] = d[b];
            (*filled)++;
        }
    }
    return nb;
}

/* --- posterior summaries ---------------------------------------------------- */

double calib_wquantile(struct mem *m, long n, const double *x, long stride, const double *w,
                       double q)
{
    if (n < 1) return NAN;
    struct ranked *r = mem_alloc_array(m, (size_t)n, sizeof *r);
    if (!r) return NAN;
    for (long i = 0; i < n; i++) r[i].x = x[(size_t)i * stride], r[i].i = i;
    qsort(r, (size_t)n, sizeof *r, cmp_ranked);
    double v;
    if (!w) {
        /* Equal weights: counts, exact. */
        long at = (long)ceil(q * (double)n - 1e-9);
        if (at < 1) at = 1;
        if (at > n) at = n;
        v = r[at - 1].x;
    } else {
        double total = 0, cum = 0;
        for (long i = 0; i < n; i++) total += w[i];
        double need = q * total * (1 - 1e-12);
        v = r[n - 1].x;
        for (long i = 0; i < n; i++) {
            cum += w[r[i].i];
            if (cum >= need && w[r[i].i] > 0) {
                v = r[i].x;
                break;
            }
        }
    }
    mem_free(m, r);
    return v;
}

int calib_summarize(struct mem *m, const struct calib_pop *p, struct calib_summary *s,
                    struct ss_error *err)
{
    memset(s, 0, sizeof *s);
    s->k = p->k;
    if (p->n < 1) return err_msg(err, SS_EINPUT, "a posterior of no point");
    double total = 0;
    for (long i = 0; i < p->n; i++) total += p->w[i];
    for (int a = 0; a < p->k; a++) {
        double mu = 0, v = 0;
        for (long i = 0; i < p->n; i++) mu += p->w[i] * p->u[(size_t)i * p->k + a];
        mu /= total;
        for (long i = 0; i < p->n; i++) {
            double e = p->u[(size_t)i * p->k + a] - mu;
            v += p->w[i] * e * e;
        }
        s->mean[a] = mu;
        s->sd[a] = sqrt(v / total);
        s->q05[a] = calib_wquantile(m, p->n, p->u + a, p->k, p->w, 0.05);
        s->median[a] = calib_wquantile(m, p->n, p->u + a, p->k, p->w, 0.5);
        s->q95[a] = calib_wquantile(m, p->n, p->u + a, p->k, p->w, 0.95);
        if (isnan(s->q05[a]) || isnan(s->median[a]) || isnan(s->q95[a]))
            return err_nomem(err, "summarizing the posterior");
    }
    s->ess = calib_ess(p);
    return SS_OK;
}
