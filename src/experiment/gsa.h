/*
 * gsa.h - global sensitivity analysis: estimators over the outputs of a
 * design's points (design.h), in the design's order. Morris' elementary
 * effects (mu, mu*, sigma; Morris 1991, Campolongo et al. 2007), Sobol'
 * first-order and total indices (Saltelli et al. 2010, Jansen 1999) with
 * percentile-bootstrap intervals, and the noise of replicate runs (seeds)
 * to set against the indices. Outputs that are not finite numbers are
 * either an error or left out and counted (enum gsa_nan), never used.
 */
#ifndef GSA_H
#define GSA_H

#include <stdint.h>

#include "core/mem.h"
#include "experiment/design.h"
#include "scoresim.h"

#define GSA_DEFAULT_RESAMPLES 1000   /* bootstrap resamples when gsa_options.resamples is 0 */
#define GSA_MAX_RESAMPLES     100000 /* the most allowed */

enum gsa_nan {
    GSA_NAN_ERROR, /* a non-finite output is SS_EINPUT, naming its point */
    GSA_NAN_SKIP   /* it is left out (with what depends on it) and counted */
};

struct gsa_options {
    int resamples; /* bootstrap resamples B; 0: GSA_DEFAULT_RESAMPLES */
    double level;  /* two-sided confidence level of the intervals, in (0, 1); 0: 0.95 */
    uint64_t seed; /* key of the bootstrap's draws: resample b draws from (seed, b) */
    int nan;       /* enum gsa_nan */
};

/* --- Sobol' indices (a design_saltelli design) ---------------------------- */

/* One key's indices; an interval is the percentile interval of B
 * bootstrap resamples of the rows (A_j, B_j, A_B^(i)_j together). */
struct gsa_sobol_index {
    double s1;           /* first-order index S_i */
    double s1_lo, s1_hi; /* its interval */
    double st;           /* total index S_Ti */
    double st_lo, st_hi; /* its interval */
};

struct gsa_sobol_info {
    long rows;      /* N, the rows of the design */
    long used;      /* rows whose k + 2 outputs are all finite: the estimates' sample */
    long skipped;   /* rows left out for a non-finite output (GSA_NAN_SKIP) */
    double mean;    /* mean of f(A) and f(B) over the used rows */
    double var;     /* V(Y): their sample variance (2 used - 1 in the denominator) */
    int resamples;  /* B */
    long undefined; /* resamples with V(Y) = 0, left out of the intervals */
};

/* The Sobol' indices of every key from y[pts->n], the outputs of a
 * design_saltelli design in its order:
 *   S_i  = (1/N) sum_j (f(B)_j - m) (f(A_B^i)_j - f(A)_j) / V(Y)
 *          (Saltelli et al. 2010, table 2 (b), on outputs centred on their
 *          mean m, which leaves its expectation unchanged),
 *   S_Ti = (1/2N) sum_j (f(A)_j - f(A_B^i)_j)^2 / V(Y)   (Jansen 1999),
 * V(Y) the sample variance of the 2N outputs f(A) and f(B). idx has
 * pts->k entries; every index is NaN when V(Y) = 0. SS_EINPUT if pts is
 * not a Saltelli design, on a non-finite output with GSA_NAN_ERROR, or if
 * fewer than 2 rows are left. Scratch through m. */
int gsa_sobol(struct mem *m, const struct design_points *pts, const double *y,
              const struct gsa_options *o, struct gsa_sobol_index *idx, struct gsa_sobol_info *info,
              struct ss_error *err);

/* --- Morris' elementary effects (a design_morris design) ------------------ */

/* One key's statistics of its elementary effects
 * EE = (f(x') - f(x)) / (s' - s), x' the point after x moved the key and
 * s, s' the key's places in [0, 1] (design_points.s): the change of the
 * output over the key's whole range, at the slope of that step. */
struct gsa_morris_index {
    double mu;                     /* mean EE */
    double mu_star;                /* mean |EE| (Campolongo et al. 2007) */
    double sigma;                  /* sample standard deviation of EE (n - 1); NaN if
                                      fewer than 2 */
    double mu_star_lo, mu_star_hi; /* percentile interval of mu* over B bootstrap
                                      resamples of the trajectories */
    long effects;                  /* EEs used: one per trajectory */
    long skipped;                  /* EEs left out for a non-finite output */
    long undefined;                /* resamples that drew none of the key's EEs (possible
                                      only when some were skipped), left out of the
                                      interval */
};

/* mu, mu* and sigma of every key from y[pts->n], the outputs of a
 * design_morris design in its order; idx has pts->k entries. A non-finite
 * output leaves out the (up to two) EEs that use it. SS_EINPUT if pts is
 * not a Morris design, on a non-finite output with GSA_NAN_ERROR, or if a
 * key is left with no EE. */
int gsa_morris(struct mem *m, const struct design_points *pts, const double *y,
               const struct gsa_options *o, struct gsa_morris_index *idx, struct ss_error *err);
/* order[0..k) = the keys by mu*, largest first (ties: the lower index). */
void gsa_morris_rank(const struct gsa_morris_index *idx, int k, int *order);

/* --- replicates ------------------------------------------------------------ */

/* The means over replicates: y holds points x replicates outputs, point
 * major (run = point x replicates + replicate, as an experiment numbers
 * its runs); means[p] is the mean of point p's finite outputs (NaN if it
 * has none). *skipped counts the non-finite outputs left out. With
 * GSA_NAN_ERROR a non-finite output is SS_EINPUT naming its run. */
int gsa_replicate_means(const double *y, long points, int replicates, int nan, double *means,
                        long *skipped, struct ss_error *err);

/* How much of the variation between points the seeds alone make. */
struct gsa_noise {
    long points;        /* design points */
    int replicates;     /* runs per point */
    long used;          /* points with at least 2 finite outputs (the within-point figures) */
    long skipped;       /* non-finite outputs left out */
    double mean_sd;     /* mean over used points of the within-point sample standard
                           deviation */
    double pooled_var;  /* within-point variance, pooled: sum (n_p - 1) s_p^2 / sum (n_p - 1) */
    double var_means;   /* sample variance of the point means (points with a finite output) */
    double noise_share; /* pooled_var / replicates / var_means: the share of the means'
                           variance the seeds alone would give. Indices computed from the
                           means estimate (1 - share) S_i and (1 - share) S_Ti + share, S
                           being those of the model averaged over seeds: an S_Ti near the
                           share says nothing. NaN if var_means is 0. */
};

/* The noise of y (as gsa_replicate_means) into *out. SS_EINPUT with
 * GSA_NAN_ERROR on a non-finite output, or if replicates < 2. */
int gsa_noise(const double *y, long points, int replicates, int nan, struct gsa_noise *out,
              struct ss_error *err);
/* The mu* each key of a Morris design would show from the seeds alone,
 * with no effect at all, into out[pts->k]: an elementary effect of such
 * a key is the difference of two means of nz->replicates runs, each with
 * the pooled within-point variance, over the step: its mean absolute value
 * is sqrt(2 pooled_var / replicates) sqrt(2 / pi) times the mean of
 * 1 / |s' - s| over the key's steps. A key whose mu* interval does not
 * clear its floor is not told apart from noise. NaN when pooled_var is. */
void gsa_morris_noise_floor(const struct gsa_noise *nz, const struct design_points *pts,
                            double *out);

#endif
