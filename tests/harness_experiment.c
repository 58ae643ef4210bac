/*
 * harness_experiment.c - what the experiment's tests share (see
 * harness_experiment.h).
 */
#include "harness_experiment.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/metrics.h"
#include "harness.h"

void th_exp_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

void th_exp_exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The first column of the first row of a query, as a double (NAN if NULL
 * or no row). */
double th_exp_query_real(sqlite3 *db, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    double v = NAN;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

int th_exp_n_metrics(void)
{
    int k = 0;
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        const struct met_column *c = &met_daily_columns[i];
        k += (c->type == MET_INT || c->type == MET_REAL) && strcmp(c->name, "day") &&
             strcmp(c->name, "group");
    }
    return k;
}

int th_exp_plan(struct exp_plan **pl, const char *const *vary, int n_vary, const char *const *sets,
                int n_sets, int reps, struct ss_error *err)
{
    struct exp_options o = {
        .vary = vary, .n_vary = n_vary, .sets = sets, .n_sets = n_sets, .replicates = reps};
    return exp_plan_sweep(pl, &o, err);
}

int th_exp_plan_baseline(struct exp_plan **pl, const char *const *vary, int n_vary,
                         const char *baseline, struct ss_error *err)
{
    struct exp_options o = {.vary = vary, .n_vary = n_vary, .replicates = 2, .baseline = baseline};
    return exp_plan_sweep(pl, &o, err);
}
