/*
 * targets.h - calibration targets: published figures a scenario's runs are
 * held against (docs/calibration.md). It owns the targets file (a CSV
 * file, read with core/csv.h, every bad row reported at FILE:LINE:COL),
 * its checks against a scenario (metrics, groups, days of the run), and
 * the one conversion of a published figure and of a run's figure to the
 * scale they are compared on. calib.h does the statistics over them.
 *
 * The scale a target is compared on: a published count becomes a share of
 * the real population it refers to (value / population), and the run's
 * count a share of the model's adults (its agents without the children,
 * population.h's POP_CHILD, the daily table's agents - children): a
 * 10^5-agent run is held against a country. On a log scale (log = 1) both
 * sides are natural logarithms of those shares, and a model share of 0
 * counts as half an agent, so that its logarithm is finite.
 */
#ifndef TARGETS_H
#define TARGETS_H

#include <stdint.h>

#include "core/mem.h"
#include "scoresim.h"

struct sqlite3; /* sqlite3.h stays private to the .c file */

/* Errors of one file reported at once, at most. */
#define TGT_MAX_ERRORS 20

/* What a target's metric is. */
enum tgt_kind {
    TGT_COLUMN, /* a column of the daily table on the target's day */
    TGT_SUM,    /* sum:COLUMN:N, an integer column summed over the N days ending on the day */
    TGT_RATIO   /* ratio:A:B, integer column A over integer column B on the day */
};

/* What the published value is, and so what the model's figure is divided by. */
enum tgt_scale {
    TGT_SHARE_OF_ADULTS, /* a share of the adults: the model's count / its adults */
    TGT_PER_CAPITA,      /* per person, every age: the model's count / its agents */
    TGT_COUNT,           /* a count among `population` real adults: value / population is
                            compared with the model's count / its adults */
    TGT_AS_IS            /* a proportion or mean the metric already is (a REAL column, or
                            ratio:A:B): compared as it is */
};

/* One target: one row of the file. */
struct tgt_target {
    int line;          /* the row's line in the file */
    int32_t day;       /* the day of the run it is on (from date, or as written) */
    int32_t date;      /* as written (days since 1970-01-01), or PARAMS_NO_DATE for a day */
    int kind;          /* enum tgt_kind */
    char *metric;      /* as written, "listed", "sum:list_entries:31" (owned) */
    int col, col2;     /* the daily column (ratio: numerator), index in met_daily_columns;
                          col2: the ratio's denominator, else -1 */
    int days;          /* sum: the days summed; else 1 */
    char *group;       /* as written; "" for everyone (owned) */
    int group_index;   /* the scenario's group, or -1 for everyone (the daily table's
                          "group") */
    double value;      /* as written */
    int scale;         /* enum tgt_scale */
    double population; /* count: the real population the value refers to; else NAN */
    double sd;         /* as written, in the value's unit; NAN when rel_tol is given */
    double rel_tol;    /* as written; NAN when sd is given */
    int log;           /* 1: compared as natural logarithms */
    char *source;      /* as written, or "" (owned) */
    char *note;        /* as written, or "" (owned) */
    double z;          /* the published figure on the compared scale: value (/ population for
                          a count), its log if log */
    double sd_obs;     /* its uncertainty there: sd (/ population), or rel_tol x |value|;
                          on a log scale ln(1 + that / |value|) */
};

/* The targets of one file. Everything is allocated through mem and freed
 * by tgt_free. */
struct tgt_set {
    struct mem mem;       /* every allocation of the set */
    char *path;           /* the file (owned) */
    int n;                /* targets */
    struct tgt_target *t; /* [n] in the order of the file */
};

/* Every error of one file, as FILE:LINE:COL and what was expected, in the
 * order found (by line, then column); at most TGT_MAX_ERRORS are kept. */
struct tgt_errors {
    int n;                             /* errors kept */
    int total;                         /* errors found (more than n when some were dropped) */
    struct ss_error e[TGT_MAX_ERRORS]; /* [n] */
};

/* Read and check the targets file at path against s, a finished scenario
 * (NULL: the syntax and values only, no metric's day or group checked
 * against a run, and every date left unresolved: day 0). Every row is
 * checked, and every error of the file is found: the first goes to err
 * (with "(and N more errors)" when there are more), all of them (up to
 * TGT_MAX_ERRORS) to errs if not NULL. Returns SS_OK and *out; SS_EINPUT
 * for a bad file (then *out is NULL); SS_EIO if it cannot be read;
 * SS_ENOMEM. */
int tgt_load(struct tgt_set **out, const char *path, const struct scenario *s,
             struct tgt_errors *errs, struct ss_error *err);
/* The same from text in memory (label names it in messages), with an
 * allocation hook that fails its fail_at-th allocation (1-based; 0:
 * never), for the tests. */
int tgt_load_text(struct tgt_set **out, const char *text, const char *label,
                  const struct scenario *s, long fail_at, struct tgt_errors *errs,
                  struct ss_error *err);
/* Accepts NULL. */
void tgt_free(struct tgt_set *ts);

/* A run's figures for one target, read from its daily table: metric is
 * the column (sum: the sum over the window; ratio: the numerator), metric2
 * the ratio's denominator (else unused), agents and children the group's
 * on the target's day. NaN for a figure the table holds as NULL. */
struct tgt_figures {
    double metric, metric2;
    double agents, children;
};

/* The run's value of target t on its compared scale (see the top of this
 * file): the count over the model's adults (count, share_of_adults) or
 * agents (per_capita), or the figure as it is (as_is; ratio:A:B is A / B),
 * and its natural log if t->log, a model share of 0 taken as half of one
 * of its denominator's units. NaN when the figure is NaN or its
 * denominator is not positive. */
double tgt_model_value(const struct tgt_target *t, const struct tgt_figures *f);

/* The standard deviation of the model discrepancy on t's compared scale
 * when the model may be off by `fraction` of the published value: fraction
 * x |value| (/ population for a count), or ln(1 + fraction) on a log
 * scale. */
double tgt_discrepancy_sd(const struct tgt_target *t, double fraction);

/* Every target's value for one run, into out[0 .. ts->n): db holds the
 * run's daily table (a run's results.sqlite, or an experiment's, whose
 * daily table has a run column: then run >= 0 picks the run; run < 0
 * reads a single run's table). ts must have been checked against the
 * run's scenario. SS_EINPUT naming the target's line if the table lacks
 * a row it needs (a run that stopped early); SS_EIO on a database error. */
int tgt_eval_db(const struct tgt_set *ts, struct sqlite3 *db, int64_t run, double *out,
                struct ss_error *err);

/* The name of a scale as written in the file ("share_of_adults", ...). */
const char *tgt_scale_name(int scale);

#endif
