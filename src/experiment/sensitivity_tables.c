/*
 * sensitivity_tables.c - the tables of a sensitivity analysis in
 * results.sqlite (docs/experiments-schema.md): the design and its
 * parameters, each run's value of each metric, the Morris or Sobol'
 * indices with their bootstrap intervals, the noise between seeds beside
 * them, and the ranked summary printed at the end. All derived: rebuilt by
 * every invocation from the design and the done runs' daily rows, so a
 * resumed or extended analysis never mixes old indices with new runs.
 */

#include "experiment/sensitivity_internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "experiment/design.h"
#include "experiment/experiment.h"
#include "experiment/gsa.h"
#include "io/store.h"

#define SENS_SQRT_2_PI                                                                             \
    0.79788456080286535588 /* sqrt(2 / pi): the mean of abs(Z), Z standard normal */

/* ---- the tables ----------------------------------------------------------- */

static const char *const sens_tables[] = {"sensitivity_design",
                                          "sensitivity_params",
                                          "sensitivity_points",
                                          "sensitivity_outputs",
                                          "sensitivity",
                                          "sensitivity_noise",
                                          NULL};

static const char sens_schema[] =
    "DROP TABLE IF EXISTS sensitivity_design; DROP TABLE IF EXISTS sensitivity_params;"
    "DROP TABLE IF EXISTS sensitivity_points; DROP TABLE IF EXISTS sensitivity_outputs;"
    "DROP TABLE IF EXISTS sensitivity; DROP TABLE IF EXISTS sensitivity_noise;"
    "CREATE TABLE sensitivity_design (method TEXT NOT NULL, params TEXT NOT NULL, "
    "size INTEGER NOT NULL, levels INTEGER, design_seed INTEGER, points INTEGER NOT NULL, "
    "replicates INTEGER NOT NULL, base_seed INTEGER NOT NULL, day INTEGER NOT NULL, "
    "resamples INTEGER NOT NULL, level REAL NOT NULL, nan TEXT NOT NULL, "
    "runs_done INTEGER NOT NULL, runs INTEGER NOT NULL);"
    "CREATE TABLE sensitivity_params (param INTEGER PRIMARY KEY, key TEXT NOT NULL, "
    "spec TEXT NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, scale TEXT NOT NULL, "
    "step INTEGER NOT NULL, scheduled INTEGER NOT NULL);"
    "CREATE TABLE sensitivity_points (point INTEGER, param INTEGER, u REAL, value REAL, "
    "unit REAL, moved INTEGER, PRIMARY KEY(point, param)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity_outputs (metric TEXT, run INTEGER, point INTEGER, "
    "replicate INTEGER, value REAL, PRIMARY KEY(metric, run)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity (metric TEXT, param INTEGER, key TEXT, rank INTEGER, "
    "mu REAL, mu_star REAL, mu_star_lo REAL, mu_star_hi REAL, sigma REAL, effects INTEGER, "
    "skipped INTEGER, noise_floor REAL, noise_floor_paired REAL, s1 REAL, s1_lo REAL, s1_hi REAL, "
    "st REAL, st_lo REAL, "
    "st_hi REAL, below_noise INTEGER, PRIMARY KEY(metric, param)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity_noise (metric TEXT PRIMARY KEY, points INTEGER, "
    "replicates INTEGER, used INTEGER, skipped INTEGER, mean_sd REAL, pooled_var REAL, "
    "var_means REAL, noise_share REAL, rows INTEGER, rows_used INTEGER, rows_skipped INTEGER, "
    "output_mean REAL, output_var REAL, undefined INTEGER, position INTEGER) WITHOUT ROWID;";

/* The design, its keys and its points. */
static int sens_write_design(sqlite3 *db, const struct sens *x, const struct exp_plan *pl,
                             int runs_done, struct ss_error *err)
{
    const struct design *d = x->d;
    const struct design_points *pts = x->pts;
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_add(&b, "[");
    for (int i = 0; i < d->k; i++) {
        if (i) sbuf_add(&b, ", ");
        sbuf_json(&b, d->param[i].spec);
    }
    sbuf_add(&b, "]");
    const char *specs = sbuf_str(&b, err, "recording the design");
    if (!specs) return SS_ENOMEM;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "INSERT INTO sensitivity_design VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?)",
                           &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, x->method == SENS_MORRIS ? "morris" : "sobol", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, specs, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, x->size);
        if (x->method == SENS_MORRIS) {
            sqlite3_bind_int(st, 4, pts->levels);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)pts->seed);
        } else {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_null(st, 5);
        }
        sqlite3_bind_int64(st, 6, pts->n);
        sqlite3_bind_int(st, 7, pl->replicates);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)pl->base_seed);
        sqlite3_bind_int(st, 9, x->day);
        sqlite3_bind_int(st, 10, GSA_DEFAULT_RESAMPLES);
        sqlite3_bind_double(st, 11, 0.95);
        sqlite3_bind_text(st, 12, x->o->skip_nan ? "skip" : "error", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 13, runs_done);
        sqlite3_bind_int(st, 14, pl->n_runs);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    sbuf_free(&b);
    st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(db, "INSERT INTO sensitivity_params VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           &st, err);
    for (int i = 0; rc == SS_OK && i < d->k; i++) {
        const struct design_param *p = &d->param[i];
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, p->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->spec, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, p->lo);
        sqlite3_bind_double(st, 5, p->hi);
        sqlite3_bind_text(st, 6, p->scale == DESIGN_LOG ? "log" : "linear", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, p->step);
        sqlite3_bind_int(st, 8, p->scheduled);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK)
        rc =
            store_prepare(db, "INSERT INTO sensitivity_points VALUES (?, ?, ?, ?, ?, ?)", &st, err);
    for (long p = 0; rc == SS_OK && p < pts->n; p++)
        for (int i = 0; rc == SS_OK && i < pts->k; i++) {
            size_t at = (size_t)p * (size_t)pts->k + (size_t)i;
            sqlite3_bind_int64(st, 1, p);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_double(st, 3, pts->u[at]);
            sqlite3_bind_double(st, 4, pts->x[at]);
            sqlite3_bind_double(st, 5, pts->s[at]);
            if (pts->moved)
                sqlite3_bind_int(st, 6, pts->moved[p]);
            else
                sqlite3_bind_null(st, 6);
            rc = store_step_done(db, st, err);
        }
    sqlite3_finalize(st);
    return rc;
}

/* y[run] of metric m for every done run (NaN where a run has no value),
 * recorded in sensitivity_outputs. */
static int sens_outputs(sqlite3 *db, const struct exp_plan *pl, const struct sens_metric *m,
                        double *y, struct ss_error *err)
{
    for (int r = 0; r < pl->n_runs; r++) y[r] = NAN;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = store_prepare(db, m->sql, &sel, err);
    if (rc == SS_OK)
        rc = store_prepare(db, "INSERT INTO sensitivity_outputs VALUES (?, ?, ?, ?, ?)", &ins, err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        sqlite3_int64 run = sqlite3_column_int64(sel, 0);
        if (run < 0 || run >= pl->n_runs) continue;
        double v = sqlite3_column_type(sel, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(sel, 1);
        y[run] = v;
        sqlite3_bind_text(ins, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, run);
        sqlite3_bind_int64(ins, 3, run / pl->replicates);
        sqlite3_bind_int64(ins, 4, run % pl->replicates);
        store_bind_real(ins, 5, v);
        rc = store_step_done(db, ins, err);
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "reading a metric");
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* The mu* each key of a Morris design would show with no effect of its
 * own, judged by the seeds as this design uses them. Every point runs the
 * same seeds, so the change of a step is measured seed by seed: d_r =
 * (y(x', r) - y(x, r)) / (s' - s). A key with no effect at all changes no
 * run (d_r = 0), however noisy the runs; a key whose effect the seeds
 * scatter shows it in the spread of d_r. The mean EE of a step then has
 * the variance v = var_r(d_r) / R, and a key with no systematic effect has
 * mu* = sqrt(2/pi) sqrt(mean v) over its steps (as gsa_morris_noise_floor
 * does for seeds that differ from point to point, which overstates the
 * noise of this design many times). NaN when no step has 2 finite pairs. */
static void sens_paired_floor(const struct design_points *pts, const double *y, int reps,
                              double *out)
{
    double sum[DESIGN_MAX_PARAMS] = {0};
    long n[DESIGN_MAX_PARAMS] = {0};
    for (long p = 1; pts->moved && p < pts->n; p++) {
        const int i = pts->moved[p];
        if (i < 0) continue;
        const double ds = pts->s[(size_t)p * (size_t)pts->k + (size_t)i] -
                          pts->s[(size_t)(p - 1) * (size_t)pts->k + (size_t)i];
        double m = 0, ss = 0;
        int used = 0;
        for (int r = 0; r < reps; r++) {
            const double a = y[(size_t)p * (size_t)reps + (size_t)r];
            const double b = y[(size_t)(p - 1) * (size_t)reps + (size_t)r];
            if (!isfinite(a) || !isfinite(b)) continue;
            const double d = (a - b) / ds, delta = d - m;
            used++;
            m += delta / used; /* Welford: one pass, no cancellation */
            ss += delta * (d - m);
        }
        if (used < 2) continue;
        sum[i] += ss / (used - 1) / used;
        n[i]++;
    }
    for (int i = 0; i < pts->k; i++)
        out[i] = n[i] ? SENS_SQRT_2_PI * sqrt(sum[i] / (double)n[i]) : NAN;
}

/* The message of a gsa_ error about metric m, with what to do. */
static int sens_metric_error(struct ss_error *err, const char *metric, int skip)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return err_msg(err, SS_EINPUT, "metric %s: %s%s", metric, msg,
                   skip ? "" : " (add --skip-nan to leave such outputs out, counted)");
}

/* The indices and the noise of one metric from y[run]. A metric the
 * estimators refuse (SS_EINPUT: an output that is not a number, say) is
 * left without rows and its error kept in *first, if none yet. */
static int sens_indices(sqlite3 *db, const struct sens *x, const struct exp_plan *pl,
                        const struct sens_metric *m, const double *y, double *means,
                        struct ss_error *first, struct ss_error *err)
{
    const struct design_points *pts = x->pts;
    const int k = pts->k, nan = x->o->skip_nan ? GSA_NAN_SKIP : GSA_NAN_ERROR;
    struct gsa_options go = {.seed = x->seed, .nan = nan};
    struct gsa_morris_index mi[DESIGN_MAX_PARAMS];
    struct gsa_sobol_index si[DESIGN_MAX_PARAMS];
    struct gsa_sobol_info info = {0};
    struct gsa_noise nz = {0};
    double floor_[DESIGN_MAX_PARAMS] = {0}, paired[DESIGN_MAX_PARAMS] = {0};
    int order[DESIGN_MAX_PARAMS];
    struct ss_error e = {0};
    struct mem scratch = {0};
    long skipped = 0;
    int rc = gsa_replicate_means(y, pts->n, pl->replicates, nan, means, &skipped, &e);
    const int noisy = pl->replicates >= 2;
    if (rc == SS_OK && noisy) rc = gsa_noise(y, pts->n, pl->replicates, nan, &nz, &e);
    if (rc == SS_OK && x->method == SENS_MORRIS) {
        rc = gsa_morris(&scratch, pts, means, &go, mi, &e);
        if (rc == SS_OK) {
            gsa_morris_rank(mi, k, order);
            if (noisy) {
                gsa_morris_noise_floor(&nz, pts, floor_);
                sens_paired_floor(pts, y, pl->replicates, paired);
            } else {
                for (int i = 0; i < k; i++) floor_[i] = paired[i] = NAN;
            }
        }
    } else if (rc == SS_OK) {
        rc = gsa_sobol(&scratch, pts, means, &go, si, &info, &e);
        /* ranked by the total index, largest first (ties: the lower index) */
        for (int i = 0; rc == SS_OK && i < k; i++) order[i] = i;
        for (int i = 1; rc == SS_OK && i < k; i++)
            for (int j = i; j > 0; j--) {
                double a = si[order[j - 1]].st, b = si[order[j]].st;
                if (!(b > a) && !(isnan(a) && !isnan(b))) break;
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
    }
    if (rc == SS_EINPUT) {
        sens_metric_error(&e, m->name, x->o->skip_nan);
        /* Asked to skip what is not a number, a metric left with nothing
         * to estimate from (a share of nothing at every point) is said to
         * have no indices, not an error of the whole analysis. */
        if (x->o->skip_nan && x->o->log)
            fprintf(x->o->log, "note: no indices for %s\n", e.msg);
        else if (!x->o->skip_nan && first->code == SS_OK)
            *first = e;
        return SS_OK;
    }
    if (rc != SS_OK) {
        *err = e;
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = store_prepare(db,
                       "INSERT INTO sensitivity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?, ?)",
                       &st, err);
    for (int r = 0; rc == SS_OK && r < k; r++) {
        const int i = order[r];
        for (int c = 5; c <= 20; c++) sqlite3_bind_null(st, c);
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, x->d->param[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, r + 1);
        int below = -1; /* unknown without replicates */
        if (x->method == SENS_MORRIS) {
            store_bind_real(st, 5, mi[i].mu);
            store_bind_real(st, 6, mi[i].mu_star);
            store_bind_real(st, 7, mi[i].mu_star_lo);
            store_bind_real(st, 8, mi[i].mu_star_hi);
            store_bind_real(st, 9, mi[i].sigma);
            sqlite3_bind_int64(st, 10, mi[i].effects);
            sqlite3_bind_int64(st, 11, mi[i].skipped);
            store_bind_real(st, 12, floor_[i]);
            store_bind_real(st, 13, paired[i]);
            /* Indistinguishable from noise: the interval does not clear the
             * mu* of a key with no effect, with this design's seeds. */
            if (isfinite(paired[i])) below = !(mi[i].mu_star_lo > paired[i]);
        } else {
            store_bind_real(st, 14, si[i].s1);
            store_bind_real(st, 15, si[i].s1_lo);
            store_bind_real(st, 16, si[i].s1_hi);
            store_bind_real(st, 17, si[i].st);
            store_bind_real(st, 18, si[i].st_lo);
            store_bind_real(st, 19, si[i].st_hi);
            /* S_Ti from point means is (1 - share) S_Ti + share in
             * expectation: one whose interval does not clear the share is
             * not told apart from the seeds. A share of 1 or more (the
             * same seeds at every point make the means vary less than
             * independent seeds would) is no yardstick: no verdict. */
            if (isfinite(nz.noise_share) && nz.noise_share < 1)
                below = !(si[i].st_lo > nz.noise_share);
        }
        if (below >= 0) sqlite3_bind_int(st, 20, below);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(db,
                           "INSERT INTO sensitivity_noise VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?)",
                           &st, err);
    if (rc == SS_OK) {
        for (int c = 2; c <= 15; c++) sqlite3_bind_null(st, c);
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 16, (int)(m - x->metric));
        sqlite3_bind_int64(st, 2, pts->n);
        sqlite3_bind_int(st, 3, pl->replicates);
        sqlite3_bind_int64(st, 5, skipped);
        if (noisy) {
            sqlite3_bind_int64(st, 4, nz.used);
            store_bind_real(st, 6, nz.mean_sd);
            store_bind_real(st, 7, nz.pooled_var);
            store_bind_real(st, 8, nz.var_means);
            store_bind_real(st, 9, nz.noise_share);
        }
        if (x->method == SENS_SOBOL) {
            sqlite3_bind_int64(st, 10, info.rows);
            sqlite3_bind_int64(st, 11, info.used);
            sqlite3_bind_int64(st, 12, info.skipped);
            store_bind_real(st, 13, info.mean);
            store_bind_real(st, 14, info.var);
            sqlite3_bind_int64(st, 15, info.undefined);
        }
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* What the command line shows: per metric, the keys by rank. */
static int sens_print(sqlite3 *db, const struct sens *x, struct ss_error *err)
{
    FILE *f = x->o->info;
    if (!f) return SS_OK;
    sqlite3_stmt *st = NULL;
    int rc = SS_OK;
    for (int i = 0; i < x->n_metrics && rc == SS_OK; i++) {
        sqlite3_finalize(st);
        st = NULL;
        rc = store_prepare(db,
                           "SELECT s.key, s.mu_star, s.mu_star_lo, s.mu_star_hi, s.sigma, s.s1, "
                           "s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi, s.below_noise, n.mean_sd, "
                           "n.noise_share FROM sensitivity s JOIN sensitivity_noise n ON "
                           "n.metric = s.metric WHERE s.metric = ? ORDER BY s.rank",
                           &st, err);
        if (rc) break;
        sqlite3_bind_text(st, 1, x->metric[i].name, -1, SQLITE_STATIC);
        int first = 1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (first) {
                if (x->method == SENS_MORRIS)
                    fprintf(f, "\n%s (noise: mean sd between seeds %.4g)\n  %-44s %11s %23s %11s\n",
                            x->metric[i].name, sqlite3_column_double(st, 12), "key", "mu*",
                            "95% interval", "sigma");
                else
                    fprintf(f, "\n%s (noise share %.3f)\n  %-44s %7s %17s %7s %17s\n",
                            x->metric[i].name, sqlite3_column_double(st, 13), "key", "S1",
                            "95% interval", "ST", "95% interval");
                first = 0;
            }
            const char *below = sqlite3_column_type(st, 11) == SQLITE_NULL ? ""
                                : sqlite3_column_int(st, 11)               ? "  below noise"
                                                                           : "";
            if (x->method == SENS_MORRIS)
                fprintf(f, "  %-44s %11.4g [%10.4g, %10.4g] %11.4g%s\n",
                        (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1),
                        sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
                        sqlite3_column_double(st, 4), below);
            else
                fprintf(f, "  %-44s %7.3f [%6.3f, %6.3f] %7.3f [%6.3f, %6.3f]%s\n",
                        (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 5),
                        sqlite3_column_double(st, 6), sqlite3_column_double(st, 7),
                        sqlite3_column_double(st, 8), sqlite3_column_double(st, 9),
                        sqlite3_column_double(st, 10), below);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* exp_execute's finish: the sensitivity tables, rebuilt from the design
 * and the done runs, then their CSVs. Indices only when every run is
 * done: a design with holes has no estimator. */
int sens_finish(sqlite3 *db, const struct exp_plan *pl, const char *dir, int all_done, void *ud,
                struct ss_error *err)
{
    struct sens *x = ud;
    struct ss_error first = {0};
    int runs_done = 0;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT count(*) FROM runs WHERE status = 'done'", &st, err);
    if (rc == SS_OK && sqlite3_step(st) == SQLITE_ROW) runs_done = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    double *y = mem_calloc(&x->mem, (size_t)pl->n_runs, sizeof *y);
    double *means = mem_calloc(&x->mem, (size_t)pl->n_points, sizeof *means);
    if (rc == SS_OK && (!y || !means)) rc = err_nomem(err, "computing the indices");
    if (rc == SS_OK) rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) {
        rc = store_exec(db, sens_schema, err);
        if (rc == SS_OK) rc = sens_write_design(db, x, pl, runs_done, err);
        for (int i = 0; rc == SS_OK && i < x->n_metrics; i++) {
            rc = sens_outputs(db, pl, &x->metric[i], y, err);
            if (rc == SS_OK && all_done)
                rc = sens_indices(db, x, pl, &x->metric[i], y, means, &first, err);
        }
        rc = store_end(db, rc, err);
    }
    mem_free(&x->mem, y);
    mem_free(&x->mem, means);
    if (rc == SS_OK) rc = store_csv_write(db, dir, sens_tables, err);
    if (rc == SS_OK && all_done) rc = sens_print(db, x, err);
    if (rc == SS_OK && first.code != SS_OK) {
        *err = first;
        rc = first.code;
    }
    return rc;
}
