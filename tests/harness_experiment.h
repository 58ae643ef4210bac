/*
 * harness_experiment.h - what the experiment's tests (test_experiment.c,
 * test_experiment_db.c) share, prefix th_exp_: a file written, SQL run and
 * one value read back, the count of the daily metrics an experiment
 * summarises, and sweep plans from --vary lists. Every helper fails the
 * running test rather than return an error, unless it returns a status.
 */
#ifndef TEST_HARNESS_EXPERIMENT_H
#define TEST_HARNESS_EXPERIMENT_H

#include <sqlite3.h>

#include "core/error.h"
#include "experiment/experiment.h"

/* Write text to path, or fail. */
void th_exp_write_file(const char *path, const char *text);
/* Run sql on db, or fail naming it. */
void th_exp_exec_sql(sqlite3 *db, const char *sql);
/* The first column of the first row of a query, as a double (NAN if NULL
 * or no row). */
double th_exp_query_real(sqlite3 *db, const char *fmt, ...);
/* The daily columns an experiment summarises (numbers, not day or group). */
int th_exp_n_metrics(void);
/* exp_plan_sweep of the given --vary and --set lists and replicates. */
int th_exp_plan(struct exp_plan **pl, const char *const *vary, int n_vary, const char *const *sets,
                int n_sets, int reps, struct ss_error *err);
/* exp_plan_sweep with two replicates and --baseline. */
int th_exp_plan_baseline(struct exp_plan **pl, const char *const *vary, int n_vary,
                         const char *baseline, struct ss_error *err);

#endif
