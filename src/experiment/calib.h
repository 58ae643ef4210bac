/*
 * calib.h - the statistics of calibration (docs/calibration.md, "Method"):
 * history matching (implausibility, the non-implausible set, the next
 * wave's region) and approximate Bayesian computation (rejection, and
 * population Monte Carlo ABC-SMC), with posterior summaries. It knows
 * nothing of the simulator: it sees parameter points in the unit cube of
 * k parameters (design.h maps them to values) and, for each point and
 * replicate, the model's value of each of m targets on the compared scale
 * (targets.h makes both sides). Every random draw is keyed by a seed
 * through core/rng.h, and every state a calibration carries from one
 * batch of runs to the next is a set of plain arrays of doubles
 * (calib_pop_pack), so that an interrupted calibration resumes, bit for
 * bit, from what its database holds.
 *
 * Array layouts, throughout: a point's k coordinates are u[i k + a]; the
 * figures of point i, replicate r, target j are f[(i R + r) m + j]; the
 * per-point statistics of target j are x[i m + j]. A NaN figure is
 * missing (a failed run, a figure the run could not measure).
 */
#ifndef CALIB_H
#define CALIB_H

#include <stdint.h>

#include "core/mem.h"
#include "scoresim.h"

/* Parameters of one calibration: as many as a design holds. */
#define CALIB_MAX_PARAMS 20
/* The implausibility cut-off of Pukelsheim's three-sigma rule: for any
 * unimodal distribution at least 95% of the mass lies within 3 standard
 * deviations of the mean. */
#define CALIB_CUTOFF 3.0

/* --- history matching ---------------------------------------------------- */

/* Per point and target, over the R replicates: the number of figures that
 * are not NaN (count), their mean, and their sample variance (divisor
 * count - 1; 0 when count < 2, where it cannot be estimated). mean is NaN
 * when count is 0. Arrays [n m]. */
void calib_ensemble(long n, int r, int m, const double *f, double *mean, double *var, int *count);

/* The implausibility of every point for every target (Vernon et al.
 * 2010; Andrianakis et al. 2015):
 *
 *   I_ij = |z_j - mean_ij| / sqrt(var_obs_j + var_disc_j + var_ij / count_ij)
 *
 * with the observation's variance, the model discrepancy's, and the
 * variance of the ensemble mean. INFINITY where the point has no figure
 * for the target (it cannot be judged, so it is not kept). imp is [n m]. */
void calib_implausibility(long n, int m, const double *mean, const double *var, const int *count,
                          const double *z, const double *var_obs, const double *var_disc,
                          double *imp);

/* The rank-th largest implausibility of each point over its m targets
 * into out[n]: rank 1 is the maximum; 2 or 3 let one or two targets fit
 * badly without ruling a point out (Vernon et al. 2010), for when a
 * target may be misjudged. 1 <= rank <= min(m, CALIB_MAX_RANK). */
#define CALIB_MAX_RANK 8
void calib_imax(long n, int m, const double *imp, int rank, double *out);

/* keep[i] = 1 for the points whose imax is at most cutoff (the
 * non-implausible set, "not ruled out yet"), else 0. Returns how many are
 * kept. */
long calib_nroy(long n, const double *imax, double cutoff, unsigned char *keep);

/* --- the next wave's region ----------------------------------------------- */

/* A box in the unit cube: [lo[a], hi[a]] for each of k parameters. The
 * prior of the ABC is uniform on one (the whole cube, or the region a
 * wave of history matching left). */
struct calib_box {
    int k;                       /* parameters */
    double lo[CALIB_MAX_PARAMS]; /* lower ends, in [0, 1] */
    double hi[CALIB_MAX_PARAMS]; /* upper ends, lo[a] <= hi[a] <= 1 */
};

/* The whole unit cube of k parameters. */
void calib_box_unit(struct calib_box *b, int k);
/* The smallest box around the points i of u[n k] with keep[i] set (every
 * point if keep is NULL), widened on each side by margin x its width (a
 * width of 0, as of one point, by margin), cut to the unit cube.
 * SS_EINPUT if no point is kept. */
int calib_box_of(struct calib_box *b, int k, long n, const double *u, const unsigned char *keep,
                 double margin, struct ss_error *err);
/* Points of the unit cube u[n k] carried into box b: lo + u (hi - lo). A
 * space-filling design (Sobol', LHS) of the cube becomes one of the box. */
void calib_box_map(const struct calib_box *b, long n, const double *u, double *out);
/* Whether point x[k] is inside b. */
int calib_box_holds(const struct calib_box *b, const double *x);

/* Rejection of candidates before running them: keep_out[c] = 1 when the
 * nearest of the n evaluated points u[n k] (Euclidean distance in the
 * unit cube; ties to the lower index) to candidate c of cand[nc k] was
 * kept (keep[i]), else 0. A nearest-neighbour classifier of the
 * non-implausible region: it spends no run on a candidate that sits among
 * ruled-out points. Returns how many candidates are kept. */
long calib_nearest_keep(int k, long n, const double *u, const unsigned char *keep, long nc,
                        const double *cand, unsigned char *keep_out);

/* --- approximate Bayesian computation --------------------------------------- */

/* The distance of each point from the targets: the sum over targets of
 * squared standardized errors of the replicates' mean,
 *
 *   d_i = sum_j (mean_ij - z_j)^2 / (var_obs_j + var_disc_j),
 *
 * on the compared scale (logarithms for log targets). INFINITY for a
 * point with a missing figure. */
void calib_distance(long n, int m, const double *mean, const double *z, const double *var_obs,
                    const double *var_disc, double *d);

/* Rejection ABC (Pritchard et al. 1999): the ceil(quantile x n) points of
 * smallest distance (at least 1; finite distances only), their indices
 * into idx (room for n) from the best, ties to the lower index. *eps is
 * the largest distance kept. Returns how many are kept (0 if no distance
 * is finite), or -1 when out of memory. */
long calib_abc_reject(struct mem *m, long n, const double *d, double quantile, long *idx,
                      double *eps);

/* The point of smallest distance (ties to the lower index), or -1 if no
 * distance is finite. */
long calib_best(long n, const double *d);

/* A weighted sample of points: an ABC population, or the survivors of a
 * wave. Allocated by calib_pop_new, freed by calib_pop_free. */
struct calib_pop {
    int k;      /* parameters */
    long n;     /* points */
    int gen;    /* the generation that made it: 0 for rejection or a wave's survivors */
    double eps; /* the tolerance its points met (INFINITY: none) */
    double *u;  /* [n k] the points in the unit cube */
    double *w;  /* [n] their weights, summing to 1 */
    double *d;  /* [n] their distances */
};

/* A population of n points of k parameters, zeroed (gen 0, eps INFINITY,
 * weights 1/n), or NULL when out of memory (err says so). */
struct calib_pop *calib_pop_new(struct mem *m, int k, long n, struct ss_error *err);
/* Accepts NULL. */
void calib_pop_free(struct mem *m, struct calib_pop *p);
/* A population of equal weights from points idx[0 .. n) of u[.. k] and
 * their distances d (NULL: 0): what calib_abc_reject kept, or a wave's
 * survivors. */
struct calib_pop *calib_pop_select(struct mem *m, int k, const double *u, const double *d,
                                   const long *idx, long n, struct ss_error *err);

/* The serialized form: the doubles {1 (the format), k, n, gen, eps, u[n k],
 * w[n], d[n]}, calib_pop_doubles(p) of them. A database stores them as
 * they are (a BLOB of doubles, or one row per point). */
long calib_pop_doubles(const struct calib_pop *p);
void calib_pop_pack(const struct calib_pop *p, double *out);
/* The population from len doubles made by calib_pop_pack; SS_EINPUT if
 * they are not one (a format, k, n or length that does not fit, a point
 * outside the unit cube, weights that are negative or do not sum to 1). */
int calib_pop_unpack(struct mem *m, const double *buf, long len, struct calib_pop **out,
                     struct ss_error *err);

/* The effective sample size of the weights, 1 / sum w^2. */
double calib_ess(const struct calib_pop *p);

/* ABC-SMC, population Monte Carlo (Beaumont et al. 2009; Toni et al.
 * 2009's scheme of decreasing tolerances). From population t-1 (prev):
 * each proposal picks a point of prev by its weight and moves it by a
 * Gaussian kernel whose covariance is twice prev's weighted covariance;
 * one that falls outside the prior box is drawn again, parent and move
 * (so the proposal's density is the mixture below, whatever the box). The
 * proposals are run; those within the new tolerance eps are accepted, in
 * the order of their numbers, until the population is full; their weights
 * are
 *
 *   w_i  proportional to  prior(u_i) / sum_j w_j K(u_i - u_j),
 *
 * the prior uniform on the box. */
struct calib_kernel; /* prev, its weights' cumulative sums, the kernel's Cholesky factor */

/* The kernel of prev over prior box b. SS_EINPUT when prev has no point
 * or its k is not b's. So that the covariance is positive definite even
 * when prev's points are few or on a line, 1e-12 + 1e-9 x its largest
 * diagonal entry is added to its diagonal (if it still has no Cholesky
 * factor, only its diagonal is kept). */
int calib_kernel_new(struct mem *m, const struct calib_pop *prev, const struct calib_box *b,
                     struct calib_kernel **out, struct ss_error *err);
/* Accepts NULL. */
void calib_kernel_free(struct mem *m, struct calib_kernel *kern);
/* The kernel's covariance (twice prev's weighted covariance, after the
 * floor), into cov[k k]. */
void calib_kernel_cov(const struct calib_kernel *kern, double *cov);

/* Proposals first .. first + count - 1 of generation gen into out[count k]:
 * proposal q is drawn from (seed, agent q, day gen, stream
 * RS_CALIB_PROPOSE) alone, so any batch of proposals is the same
 * whichever batches came before. SS_EINPUT if 10^6 draws in a row fall
 * outside the box. */
int calib_propose(const struct calib_kernel *kern, uint64_t seed, int gen, long first, long count,
                  double *out, struct ss_error *err);

/* The weights of new points u[n k] (accepted proposals from kern) into
 * w[n], normalized to sum 1: 0 outside the box. SS_EINPUT if every weight
 * is 0. */
int calib_weights(const struct calib_kernel *kern, long n, const double *u, double *w,
                  struct ss_error *err);

/* The tolerance for the next generation: the alpha-quantile (0 < alpha
 * <= 1) of p's distances (Drovandi and Pettitt 2011; alpha 0.5 is the
 * median of Beaumont et al.'s examples). */
double calib_next_eps(struct mem *m, const struct calib_pop *p, double alpha);

/* Accept proposals in the order of their numbers: of the nb proposals
 * u[nb k] with distances d[nb], those with d <= eps are copied into next
 * (its u and d) from position *filled on, until next is full. Returns how
 * many of the nb proposals were looked at (all of them unless next filled
 * up: the proposals after that one are not part of the generation). */
long calib_accept(struct calib_pop *next, long *filled, long nb, const double *u, const double *d,
                  double eps);

/* --- posterior summaries ---------------------------------------------------- */

/* The weighted q-quantile of x[i stride] (i < n) with weights w[i] (NULL:
 * equal): the smallest x whose cumulative weight, in order of x, reaches
 * q of the total (the inverse of the weighted empirical distribution).
 * NaN when n is 0 or out of memory. */
double calib_wquantile(struct mem *m, long n, const double *x, long stride, const double *w,
                       double q);

/* The posterior of each parameter, on the unit scale. */
struct calib_summary {
    int k;                           /* parameters */
    double mean[CALIB_MAX_PARAMS];   /* weighted mean */
    double sd[CALIB_MAX_PARAMS];     /* weighted standard deviation */
    double q05[CALIB_MAX_PARAMS];    /* weighted 5% quantile */
    double median[CALIB_MAX_PARAMS]; /* weighted median */
    double q95[CALIB_MAX_PARAMS];    /* weighted 95% quantile */
    double ess;                      /* effective sample size */
};

/* The summary of p; SS_ENOMEM, or SS_EINPUT if p has no point. */
int calib_summarize(struct mem *m, const struct calib_pop *p, struct calib_summary *s,
                    struct ss_error *err);

#endif
