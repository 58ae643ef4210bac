/*
 * ratios.h - disparate impact with the counts it rests on: the ratios
 * table of a run's or an experiment's results.sqlite.
 *
 * A ratio of two rates is not a mean of anything, and a symmetric
 * interval around a mean of per-run ratios can reach below zero. Here each
 * group's ratio to the reference group is the ratio of pooled counts (the
 * group's listed, or ever sanctioned, over its agents, summed over the
 * runs of a point, against the same for the reference group), with a
 * Katz interval on the log scale, widened by the overdispersion the runs
 * show between them (docs/metrics.md, "Disparate impact"). The interval is
 * never below zero, and every row carries the counts and a low_count flag.
 */
#ifndef RATIOS_H
#define RATIOS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "engine/metrics.h"

/* Fewest listed (or sanctioned) agents, in the group or the reference,
 * below which a ratio is flagged low_count: Katz's normal approximation to
 * the log of a ratio is poor on a handful of events. */
#define RATIO_MIN_COUNT 10

/* The two-sided 95% normal quantile. */
#define RATIO_Z975 1.959963984540054

/* The ratios table's columns (for its schema and docs/metrics.md). */
extern const struct met_column ratio_columns[];
extern const size_t ratio_n_columns;

/* One ratio from per-run counts: x[r] of n[r] agents of the group, y[r]
 * of k[r] of the reference, r = 0 .. runs - 1. */
struct ratio_stat {
    int64_t a, n1, c, n0; /* pooled: the group's count and agents, the reference's */
    double ratio;         /* (a / n1) / (c / n0); 0 when a is 0; NaN when c or an n is 0 */
    double ci_low;        /* 95% interval: ratio x exp(-/+ z sqrt(v)), v = phi1 (1/a - 1/n1) */
    double ci_high;       /*   + phi0 (1/c - 1/n0); with a = 0, low 0 and high with a = 0.5 */
    double phi1, phi0;    /* dispersion of the group's and the reference's counts between
                             runs: Pearson chi^2 / (runs - 1), at least 1 (1 for one run) */
    int low_count;        /* a or c below RATIO_MIN_COUNT, or the ratio undefined */
};

void ratio_of(const int64_t *x, const int64_t *n, const int64_t *y, const int64_t *k, int runs,
              struct ratio_stat *s);

struct sqlite3;

/* Create (if need be) and fill the ratios table of db from its daily
 * table: a run's (experiment 0: one run, point 0) or an experiment's
 * (experiment 1: the done runs of each point, by the runs table). For every
 * point, day and group but the reference (the largest share of the point's
 * groups, the first of equals: an experiment's groups table holds every
 * run's, and the point's lowest-numbered done run's are taken),
 * di_listed and di_sanctioned. Rows are matched by group name, so points
 * may number groups differently. Call inside the caller's transaction. */
int ratios_build(struct sqlite3 *db, int experiment, struct ss_error *err);

#endif
