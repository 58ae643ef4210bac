/*
 * sensitivity_internal.h - what the two halves of `scoresim sensitivity`
 * share: sensitivity.c (the metrics, the design's plan, the command) and
 * sensitivity_tables.c (the analysis' tables in results.sqlite: the design,
 * each run's outputs, the indices with their noise, the printed summary).
 * Private to src/experiment.
 */
#ifndef SCORESIM_SENSITIVITY_INTERNAL_H
#define SCORESIM_SENSITIVITY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"

struct sqlite3;
struct exp_options;
struct exp_plan;
struct design;
struct design_points;
struct ss_error;

#define SENS_MAX_METRICS 64     /* metrics of one analysis */
#define SENS_METRIC_MAX  160    /* bytes of a metric's name */
#define SENS_SQL_MAX     512    /* bytes of a metric's query */
#define SENS_MAX_SIZE    100000 /* trajectories or samples */

enum sens_method { SENS_MORRIS, SENS_SOBOL };
enum sens_agg { SENS_ON_DAY, SENS_SUM, SENS_MEAN };

/* One output of every run: a query giving (run, value) for the done runs. */
struct sens_metric {
    char
        name[SENS_METRIC_MAX]; /* as it is reported: "di_listed@uyghur", "internments@uyghur:sum" */
    char sql[SENS_SQL_MAX];    /* SELECT run, value ... */
};

/* One invocation: the design, its points and what the indices are of. */
struct sens {
    struct mem mem;
    const struct exp_options *o;
    struct design *d;
    struct design_points *pts;
    int method;    /* enum sens_method */
    long size;     /* r or N */
    int levels;    /* morris: p */
    uint64_t seed; /* the design's and the bootstrap's key: the base seed */
    int day;       /* D */
    struct sens_metric metric[SENS_MAX_METRICS];
    int n_metrics;
};

/* exp_execute's finish (experiment.h exp_finish_fn): the sensitivity
 * tables, rebuilt from the design and the done runs; ud is the struct sens. */
int sens_finish(struct sqlite3 *db, const struct exp_plan *pl, const char *dir, int all_done,
                void *ud, struct ss_error *err);

#endif
