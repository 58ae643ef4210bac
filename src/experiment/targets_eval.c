/*
 * targets_eval.c - a target on a run: both sides on the compared scale
 * (share of adults, per capita, a log), the discrepancy allowed, and a
 * run's figures read from its daily table. Apart from reading the file
 * (targets.c, targets_row.c) because calibration calls it once per run.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>

#include "core/error.h"
#include "engine/metrics.h"
#include "experiment/targets.h"
#include "io/store.h"

/* --- both sides on the compared scale -------------------------------------- */

double tgt_model_value(const struct tgt_target *t, const struct tgt_figures *f)
{
    double x = f->metric, den;
    if (t->kind == TGT_RATIO) {
        den = f->metric2;
    } else if (met_daily_columns[t->col].type == MET_REAL) {
        den = f->agents; /* for the floor of a log: the columns are over agents */
    } else {
        den = t->scale == TGT_PER_CAPITA ? f->agents : f->agents - f->children;
    }
    if (isnan(x) || !(den > 0)) return NAN;
    double v = t->kind == TGT_RATIO || met_daily_columns[t->col].type == MET_INT ? x / den : x;
    if (!t->log) return v;
    /* A model share of 0 is a sample too small to see the figure: count it
     * as half a unit, so that the logarithm is finite and ranks it below
     * one unit. */
    double floor_v = 0.5 / den;
    return log(v > floor_v ? v : floor_v);
}

double tgt_discrepancy_sd(const struct tgt_target *t, double fraction)
{
    if (t->log) return log1p(fraction);
    double div = t->scale == TGT_COUNT ? t->population : 1.0;
    return fraction * fabs(t->value) / div;
}

/* --- a run's figures ------------------------------------------------------- */

static double column_double(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int tgt_eval_db(const struct tgt_set *ts, sqlite3 *db, int64_t run, double *out,
                struct ss_error *err)
{
    const char *by_run = run >= 0 ? " AND run = ?4" : "";
    for (int i = 0; i < ts->n; i++) {
        const struct tgt_target *t = &ts->t[i];
        const char *a = met_daily_columns[t->col].name;
        const char *b = t->col2 >= 0 ? met_daily_columns[t->col2].name : NULL;
        char sql[512];
        if (t->kind == TGT_SUM)
            snprintf(sql, sizeof sql,
                     "SELECT SUM(\"%s\"), COUNT(*), COUNT(\"%s\"), "
                     "SUM(CASE WHEN day = ?2 THEN agents END), "
                     "SUM(CASE WHEN day = ?2 THEN children END) "
                     "FROM daily WHERE day BETWEEN ?1 AND ?2 AND \"group\" = ?3%s",
                     a, a, by_run);
        else
            snprintf(sql, sizeof sql,
                     "SELECT \"%s\", %s%s%s, agents, children FROM daily "
                     "WHERE day = ?2 AND \"group\" = ?3%s",
                     a, b ? "\"" : "", b ? b : "NULL", b ? "\"" : "", by_run);
        sqlite3_stmt *st;
        int rc = store_prepare(db, sql, &st, err);
        if (rc) return rc;
        if (t->kind == TGT_SUM) sqlite3_bind_int(st, 1, t->day - t->days + 1);
        sqlite3_bind_int(st, 2, t->day);
        sqlite3_bind_int(st, 3, t->group_index);
        if (run >= 0) sqlite3_bind_int64(st, 4, run);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = store_db_err(db, err, "reading");
            sqlite3_finalize(st);
            return rc;
        }
        struct tgt_figures fig = {NAN, NAN, NAN, NAN};
        long rows = 0, have = 0;
        if (step == SQLITE_ROW) {
            if (t->kind == TGT_SUM) {
                fig.metric = column_double(st, 0);
                rows = sqlite3_column_int64(st, 1);
                have = sqlite3_column_int64(st, 2);
                fig.agents = column_double(st, 3);
                fig.children = column_double(st, 4);
            } else {
                fig.metric = column_double(st, 0);
                fig.metric2 = column_double(st, 1);
                fig.agents = column_double(st, 2);
                fig.children = column_double(st, 3);
                rows = have = t->days;
            }
        }
        sqlite3_finalize(st);
        if (rows != t->days || isnan(fig.agents))
            return err_set(err, SS_EINPUT, ts->path, t->line, 1,
                           "the run's daily table has %ld of the %d day%s this target needs "
                           "(to day %ld, group %d%s): did the run stop early?",
                           rows, t->days, t->days == 1 ? "" : "s", (long)t->day, t->group_index,
                           run >= 0 ? " of the run asked for" : "");
        if (have != rows) fig.metric = NAN; /* a NULL day in the window */
        out[i] = tgt_model_value(t, &fig);
    }
    return SS_OK;
}
