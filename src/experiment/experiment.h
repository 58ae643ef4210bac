/*
 * experiment.h - sweeps and comparisons: many runs of a scenario, each an
 * isolated `scoresim run` child process, merged into one results.sqlite
 * with a summary over replicates (docs/experiments-schema.md).
 *
 * plan.c owns the plan (the points of a sweep or comparison, checked up
 * front); runner.c runs it (the results folder, the child processes);
 * experiment_db.c owns the experiment database (schema, identity, merging
 * runs); summary.c the statistics and the summary and comparison tables
 * built from the runs. The public
 * calls, exp_sweep and exp_compare, are in scoresim.h; these are for those
 * files and the tests.
 */
#ifndef EXPERIMENT_H
#define EXPERIMENT_H

#include <stdint.h>

#include "core/mem.h"
#include "scoresim.h"

struct sqlite3;    /* sqlite3.h stays private to the .c files */
struct met_column; /* engine/metrics.h */
struct sbuf;       /* core/strbuf.h */

#define EXP_MAX_AXES  20      /* --vary keys in one sweep; --param keys (DESIGN_MAX_PARAMS) */
#define EXP_MAX_RUNS  1000000 /* points x replicates */
#define EXP_MAX_RANGE 1000    /* values of one LO:HI:STEP range */

enum exp_kind {
    EXP_SWEEP,
    EXP_COMPARE,
    EXP_SENSITIVITY /* a sweep whose points come from a design (sensitivity.c) */
};

/* "sweep", "compare" or "sensitivity": the experiment table's kind. */
const char *exp_kind_name(int kind);

/* One varied key and its values, as the user wrote them. */
struct exp_axis {
    char *key;     /* scenario key, e.g. "scoring.integration" */
    char **values; /* [n] values as YAML text, e.g. "0.3" */
    int n;         /* values (at least 1) */
};

/* What an experiment is: its scenario(s), points and seeds. Everything is
 * allocated through mem and freed by exp_plan_free. Two experiments are the
 * same (and may share a results folder) when kind, scenario, scenario_b,
 * varied, the points' labels and params, replicates and base_seed agree. */
struct exp_plan {
    struct mem mem;            /* every allocation of the plan */
    int kind;                  /* enum exp_kind */
    char *name;                /* the scenario's name; compare: "<a>-vs-<b>", or "<a> with
                                  KEY=VALUE, ..." when B is A with overrides */
    char *stem;                /* the default results folder's name, before the shared
                                  overrides: "sweep-<name>_<key>...", "compare-<a>-vs-<b>",
                                  "compare-<a>_<B's overrides>" */
    const char *file[2];       /* scenario file of point 0 (sweep: of every point; NULL is the
                                  seed scenario) and of point 1 (compare only: B's file, or A's
                                  when B is A with overrides); borrowed */
    const char *const *sets_b; /* compare: B's own overrides, after sets; borrowed */
    int n_sets_b;              /* entries in sets_b */
    const char *const *sets;   /* overrides for every run, before the point's; borrowed */
    int n_sets;                /* entries in sets */
    char *scenario;            /* effective base scenario text (compare: A's) */
    char *scenario_b;          /* compare: B's effective text; sweep: NULL */
    struct exp_axis axis[EXP_MAX_AXES]; /* sweep: the varied keys in the order given */
    int n_axes;                         /* entries in axis; 0 for compare */
    char *varied;                       /* JSON array of the varied keys (compare: ["scenario"]) */
    int n_points;                       /* product of the axes' value counts; compare: 2;
                                           sensitivity: the design's points */
    char **values;                      /* sensitivity: [n_points x n_axes] each point's values
                                           as text, point-major (the axes hold keys only);
                                           NULL: the full factorial of the axes */
    char **label;                       /* [n_points] "k1=v1, k2=v2"; compare: "A", "B" */
    char **params;                      /* [n_points] JSON object key -> value as written */
    int replicates;                     /* seeds per point */
    int replicates_asked;               /* --replicates as given; 0: not given, and a results
                                           folder's recorded number is taken (exp_db_open) */
    int replicates_before;              /* set by exp_db_open: the replicates the folder held
                                           before (0 for a new folder); fewer than replicates
                                           when this invocation extends the experiment */
    uint64_t base_seed;                 /* replicate r runs with seed base_seed + r */
    int n_runs;                         /* n_points * replicates; run = point * replicates + r */
    int fork_day;                       /* compare: the day A and B fork from a shared history
                                           (exp_options.fork_day); 0: none */
    int days[2];                        /* compare: the days of A and of B */
    int baseline;                       /* sweep: the point the differences table compares
                                           every other with (--baseline, or the one recorded);
                                           -1: none. Not part of what the experiment is. */
};

/* --- the plan (plan.c) --------------------------------------------------- */

/* Build and check a sweep's plan from o (scenario, sets, vary, replicates):
 * parse each "KEY=V1,V2,..." (commas inside [], {} or quotes do not split),
 * enumerate the full factorial (the last key varies fastest), and load the
 * scenario with every point's overrides, refusing with SS_EINPUT, naming
 * the point, if any is invalid. Returns SS_OK and *out, or an error and
 * *out NULL. */
int exp_plan_sweep(struct exp_plan **out, const struct exp_options *o, struct ss_error *err);
/* The same for a comparison of o->scenario (A) and o->scenario_b (B): both
 * run with A's seed (or the sets' seed). */
int exp_plan_compare(struct exp_plan **out, const struct exp_options *o, struct ss_error *err);
/* A sweep of listed points (a calibration's wave, a sensitivity design):
 * point p sets keys[a] to values[p k + a] (YAML text), a = 0 .. k-1, on
 * o's scenario and sets; o's replicates and seed as for any sweep. The
 * points are not loaded one by one here: the caller has checked them
 * (design_check_point). Returns SS_OK and *out, or an error and *out
 * NULL. */
int exp_plan_points(struct exp_plan **out, const struct exp_options *o, const char *const *keys,
                    int k, const char *const *values, int n, struct ss_error *err);
/* Accepts NULL. */
void exp_plan_free(struct exp_plan *pl);
/* The value of axis a at point p (sweep only). */
const char *exp_point_value(const struct exp_plan *pl, int p, int a);
/* "KEY=VALUE" of axis a at point p, the --set override that makes the
 * point, allocated through m; NULL and err when out of memory. */
char *exp_point_set(struct mem *m, const struct exp_plan *pl, int p, int a, struct ss_error *err);
/* The seed of run `run`: base_seed + its replicate. */
uint64_t exp_run_seed(const struct exp_plan *pl, int run);

/* --- running a plan (runner.c) ---------------------------------------- */

/* Called by exp_execute with the experiment database open (and the
 * results folder locked) after the summary is rebuilt, all_done 1 when
 * every run is done: what a design-based experiment derives from its runs. */
typedef int (*exp_finish_fn)(struct sqlite3 *db, const struct exp_plan *pl, const char *dir,
                             int all_done, void *ud, struct ss_error *err);

/* Run a checked plan as exp_sweep does (folder, lock, database, child
 * processes, resumption, summary), then finish(db, ...) if not NULL.
 * Returns what exp_sweep returns, or finish's error. */
int exp_execute(const struct exp_options *o, struct exp_plan *pl, exp_finish_fn finish, void *ud,
                struct ss_error *err);

/* --- the experiment database (experiment_db.c) --------------------------- */

/* Set the replicates of a plan (and its run count). SS_EINPUT if points x
 * replicates is more than EXP_MAX_RUNS or the seeds pass 2^64 - 1. */
int exp_plan_set_replicates(struct exp_plan *pl, int replicates, struct ss_error *err);

/* Open path (an experiment results.sqlite), creating it with the schema,
 * the experiment row and the points if it does not exist. An existing file
 * must hold the same experiment (see struct exp_plan), with as many
 * replicates or fewer: otherwise SS_EINPUT naming what differs, and nothing
 * is changed. With fewer (and pl->replicates_asked), the experiment is
 * extended: its runs are renumbered (run = point x replicates + replicate,
 * with the new replicates) and it is no longer finished; without
 * replicates_asked, pl takes the recorded replicates. Either way
 * pl->replicates_before is the number recorded before. */
int exp_db_open(struct sqlite3 **out, const char *path, struct exp_plan *pl, struct ss_error *err);
/* Whether path, an existing results.sqlite, holds this experiment (as
 * exp_db_open would accept it), read-only: SS_OK, or SS_EINPUT naming what
 * differs (or that it is not an experiment's), or another error. */
int exp_db_check(const char *path, const struct exp_plan *pl, struct ss_error *err);
/* Close; accepts NULL. */
void exp_db_close(struct sqlite3 *db);
/* done[run] = 1 for each run recorded as done, else 0 (done has n_runs). */
int exp_db_done(struct sqlite3 *db, const struct exp_plan *pl, unsigned char *done,
                struct ss_error *err);
/* The error of run `run` if it is recorded as failed: *failed = 1 and the
 * message in buf; else *failed = 0. */
int exp_db_run_error(struct sqlite3 *db, int run, char *buf, size_t size, int *failed,
                     struct ss_error *err);
/* In one transaction: copy the daily rows of run_db (a finished run's
 * results.sqlite) as run `run`, the groups and layers tables if none were
 * taken yet, and mark the run done with its wall time and peak memory. */
int exp_db_merge(struct sqlite3 *db, const struct exp_plan *pl, int run, const char *run_db,
                 struct ss_error *err);
/* Record run `run` as failed with its error and wall seconds. */
int exp_db_fail(struct sqlite3 *db, const struct exp_plan *pl, int run, const char *error,
                double wall_seconds, struct ss_error *err);
/* Is c a numeric daily metric: an INTEGER or REAL column but the key? */
int exp_db_is_metric(const struct met_column *c);
/* Append ", <prefix>"c1", <prefix>"c2", ..." for the daily metric columns
 * (every daily column if !metrics_only); prefix may be "". */
void exp_db_columns(struct sbuf *b, const char *prefix, int metrics_only);

/* --- the summary (summary.c) --------------------------------------------- */

/* Rebuild the summary table (and for compare, the comparison table) from
 * the done runs' daily rows, in one pass each; set experiment.finished to
 * now if every run is done, else NULL. One transaction; then the CSV of
 * every table into dir, the results folder. */
int exp_db_finish(struct sqlite3 *db, const struct exp_plan *pl, const char *dir, int all_done,
                  struct ss_error *err);

/* --- statistics (summary.c) ---------------------------------------------- */

/* The p-quantile of Student's t distribution with df > 0 degrees of
 * freedom (GSL's gsl_cdf_tdist_Pinv). NaN if p is not in (0, 1) or
 * df <= 0. */
double exp_t_quantile(double p, double df);

/* Mean, standard deviation and 95% t-interval of n values. */
struct exp_stat {
    int n;          /* values */
    double mean;    /* NaN when n = 0 */
    double sd;      /* sample standard deviation (n - 1); NaN when n < 2 */
    double ci_low;  /* mean - t(0.975; n-1) sd / sqrt(n); NaN when n < 2 */
    double ci_high; /* mean + the same */
};

/* The statistics of x[0..n); t975 is exp_t_quantile(0.975, n - 1) (passed
 * in so that a summary computes each quantile once), ignored when n < 2. */
void exp_stat_of(const double *x, int n, double t975, struct exp_stat *s);

#endif
