/*
 * summary.c - what an experiment's runs add up to (see experiment.h and
 * docs/experiments-schema.md): the statistics (mean, sd, 95% t-interval)
 * and the summary and comparison tables built with them.
 *
 * The tables are derived data, rebuilt from `daily` at the end of every
 * invocation in one ordered pass each, so they never disagree with the
 * runs they cover.
 */
#include "experiment/experiment.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "engine/metrics.h"
#include "io/ratios.h"
#include "io/store.h"

/* ---- statistics -------------------------------------------------------- */

double exp_t_quantile(double p, double df)
{
    /* GSL's error handler aborts: refuse what it would call an error. */
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) return NAN;
    if (p == 0.5) return 0.0;
    /* The upper half, mirrored: the two tails' intervals are then exactly
     * symmetric. */
    if (p < 0.5) return -exp_t_quantile(1.0 - p, df);
    return gsl_cdf_tdist_Pinv(p, df);
}

void exp_stat_of(const double *x, int n, double t975, struct exp_stat *s)
{
    s->n = n;
    s->mean = s->sd = s->ci_low = s->ci_high = NAN;
    if (n < 1) return;
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[i];
    s->mean = sum / n;
    if (n < 2) return;
    /* Two passes: the deviations from the mean, not sum x^2 - n mean^2,
     * which cancels for large values with a small spread. */
    double ss = 0.0;
    for (int i = 0; i < n; i++) ss += (x[i] - s->mean) * (x[i] - s->mean);
    s->sd = sqrt(ss / (n - 1));
    double half = t975 * s->sd / sqrt((double)n);
    s->ci_low = s->mean - half;
    s->ci_high = s->mean + half;
}

/* ---- summary and comparison -------------------------------------------- */

/* Values of one key (point, group, day) being gathered, per metric. */
struct gather {
    struct mem mem;    /* the buffers below */
    int k;             /* metrics */
    int cap;           /* values per metric: the replicates */
    const char **name; /* [k] metric names */
    double *v[3];      /* [k * cap] values (comparison: a, b, b - a) */
    int *n;            /* [k] values gathered */
    double *t975;      /* [cap + 1] t(0.975; n - 1) for n values */
};

static int gather_init(struct gather *g, int cap, int arrays, struct ss_error *err)
{
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < met_n_daily_columns; i++)
        g->k += exp_db_is_metric(&met_daily_columns[i]);
    g->cap = cap;
    g->name = mem_calloc(&g->mem, (size_t)g->k, sizeof *g->name);
    g->n = mem_calloc(&g->mem, (size_t)g->k, sizeof *g->n);
    g->t975 = mem_calloc(&g->mem, (size_t)cap + 1, sizeof *g->t975);
    int ok = g->name && g->n && g->t975;
    for (int a = 0; a < arrays && ok; a++)
        ok = (g->v[a] = mem_calloc(&g->mem, (size_t)g->k * (size_t)cap, sizeof(double))) != NULL;
    if (!ok) return err_nomem(err, "summarising the runs");
    int m = 0;
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (exp_db_is_metric(&met_daily_columns[i])) g->name[m++] = met_daily_columns[i].name;
    for (int n = 0; n <= cap; n++) g->t975[n] = n >= 2 ? exp_t_quantile(0.975, n - 1) : NAN;
    return SS_OK;
}

static void gather_free(struct gather *g)
{
    for (int a = 0; a < 3; a++) mem_free(&g->mem, g->v[a]);
    mem_free(&g->mem, g->name);
    mem_free(&g->mem, g->n);
    mem_free(&g->mem, g->t975);
}

/* The key of the current row (columns 0..n_key-1, integers). */
struct key {
    sqlite3_int64 v[3];  /* point, group, day (comparison: group, day) */
    char group_name[64]; /* of the first row of the key */
    int valid;           /* a key is being gathered */
};

static int key_differs(const struct key *k, sqlite3_stmt *st, int n_key)
{
    for (int i = 0; i < n_key; i++)
        if (sqlite3_column_int64(st, i) != k->v[i]) return 1;
    return 0;
}

static void key_take(struct key *k, sqlite3_stmt *st, int n_key)
{
    for (int i = 0; i < n_key; i++) k->v[i] = sqlite3_column_int64(st, i);
    const unsigned char *name = sqlite3_column_text(st, n_key);
    snprintf(k->group_name, sizeof k->group_name, "%s", name ? (const char *)name : "");
    k->valid = 1;
}

/* Insert the summary rows of the gathered key and clear it. */
static int flush_summary(sqlite3 *db, sqlite3_stmt *ins, struct gather *g, struct key *k,
                         struct ss_error *err)
{
    int rc = SS_OK;
    for (int m = 0; m < g->k && rc == SS_OK; m++) {
        struct exp_stat s;
        exp_stat_of(g->v[0] + (size_t)m * g->cap, g->n[m], g->t975[g->n[m]], &s);
        /* A mean of ratios has no symmetric interval (it would reach below
         * zero): the intervals of disparate impact are the ratios table's. */
        if (!strncmp(g->name[m], "di_", 3)) s.ci_low = s.ci_high = NAN;
        sqlite3_bind_int64(ins, 1, k->v[0]);
        sqlite3_bind_int64(ins, 2, k->v[1]);
        sqlite3_bind_text(ins, 3, k->group_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, g->name[m], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, k->v[2]);
        sqlite3_bind_int(ins, 6, s.n);
        store_bind_real(ins, 7, s.mean);
        store_bind_real(ins, 8, s.sd);
        store_bind_real(ins, 9, s.ci_low);
        store_bind_real(ins, 10, s.ci_high);
        rc = store_step_done(db, ins, err);
        g->n[m] = 0;
    }
    return rc;
}

/* The summary table, in one pass over daily ordered by point, group, day
 * and replicate (the fixed order makes every sum, so every figure, the
 * same whatever order the runs finished in). */
static int build_summary(sqlite3 *db, const struct exp_plan *pl, struct ss_error *err)
{
    struct gather g;
    struct key k = {.valid = 0};
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = gather_init(&g, pl->replicates, 1, err);
    struct sbuf b = {.m = &g.mem};
    sbuf_add(&b, "SELECT r.point, d.\"group\", d.day, d.group_name");
    exp_db_columns(&b, "d.", 1);
    sbuf_add(&b, " FROM daily d JOIN runs r ON r.run = d.run WHERE r.status = 'done' "
                 "ORDER BY r.point, d.\"group\", d.day, r.replicate");
    const char *sql = rc == SS_OK ? sbuf_str(&b, err, "summarising the runs") : NULL;
    if (rc == SS_OK && !sql) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = store_exec(db, "DELETE FROM summary", err);
    if (rc == SS_OK) rc = store_prepare(db, sql, &sel, err);
    sbuf_free(&b);
    if (rc == SS_OK)
        rc = store_prepare(db, "INSERT INTO summary VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins,
                           err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        if (!k.valid || key_differs(&k, sel, 3)) {
            if (k.valid) rc = flush_summary(db, ins, &g, &k, err);
            key_take(&k, sel, 3);
        }
        for (int m = 0; m < g.k && rc == SS_OK; m++) {
            if (sqlite3_column_type(sel, 4 + m) == SQLITE_NULL) continue;
            if (g.n[m] == g.cap) {
                rc = err_msg(err, SS_EINTERNAL,
                             "more daily rows than replicates for point %lld, group %lld, day "
                             "%lld",
                             (long long)k.v[0], (long long)k.v[1], (long long)k.v[2]);
                break;
            }
            g.v[0][(size_t)m * g.cap + g.n[m]++] = sqlite3_column_double(sel, 4 + m);
        }
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "summarising");
    if (rc == SS_OK && k.valid) rc = flush_summary(db, ins, &g, &k, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    gather_free(&g);
    return rc;
}

static double mean_of(const double *x, int n)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[i];
    return n ? sum / n : NAN;
}

/* Insert the paired rows of the gathered key (point, group, day) and
 * clear it: into comparison (compare; no point column) or differences. */
static int flush_differences(sqlite3 *db, sqlite3_stmt *ins, int compare, struct gather *g,
                             struct key *k, struct ss_error *err)
{
    int rc = SS_OK;
    for (int m = 0; m < g->k && rc == SS_OK; m++) {
        size_t at = (size_t)m * g->cap;
        struct exp_stat d;
        exp_stat_of(g->v[2] + at, g->n[m], g->t975[g->n[m]], &d);
        int c = 1;
        if (!compare) sqlite3_bind_int64(ins, c++, k->v[0]);
        sqlite3_bind_int64(ins, c++, k->v[1]);
        sqlite3_bind_text(ins, c++, k->group_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, c++, g->name[m], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, c++, k->v[2]);
        sqlite3_bind_int(ins, c++, d.n);
        store_bind_real(ins, c++, mean_of(g->v[0] + at, g->n[m]));
        store_bind_real(ins, c++, mean_of(g->v[1] + at, g->n[m]));
        store_bind_real(ins, c++, d.mean);
        store_bind_real(ins, c++, d.ci_low);
        store_bind_real(ins, c++, d.ci_high);
        rc = store_step_done(db, ins, err);
        g->n[m] = 0;
    }
    return rc;
}

/* The paired differences of every other point against point `base`, per
 * replicate (the same seed), per group (matched by name, so points may
 * number their groups differently), metric and day, over the pairs where
 * both values are measured: for compare (base A, the other B) the
 * comparison table, for a sweep the differences table. */
static int build_differences(sqlite3 *db, const struct exp_plan *pl, int base, struct ss_error *err)
{
    int compare = pl->kind == EXP_COMPARE;
    struct gather g;
    struct key k = {.valid = 0};
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = gather_init(&g, pl->replicates, 3, err);
    struct sbuf b = {.m = &g.mem};
    sbuf_add(&b, "SELECT rb.point, a.\"group\", a.day, a.group_name");
    exp_db_columns(&b, "a.", 1);
    exp_db_columns(&b, "b.", 1);
    sbuf_printf(
        &b,
        " FROM runs ra JOIN runs rb ON rb.point != ra.point AND rb.replicate = ra.replicate "
        "AND rb.status = 'done' JOIN daily a ON a.run = ra.run "
        "JOIN daily b ON b.run = rb.run AND b.day = a.day AND b.group_name = a.group_name "
        "WHERE ra.point = %d AND ra.status = 'done' "
        "ORDER BY rb.point, a.\"group\", a.day, ra.replicate",
        base);
    const char *sql = rc == SS_OK ? sbuf_str(&b, err, "comparing the runs") : NULL;
    if (rc == SS_OK && !sql) rc = SS_ENOMEM;
    if (rc == SS_OK)
        rc = store_exec(db, compare ? "DELETE FROM comparison" : "DELETE FROM differences", err);
    if (rc == SS_OK && base >= 0) rc = store_prepare(db, sql, &sel, err);
    sbuf_free(&b);
    if (rc == SS_OK && base >= 0)
        rc = store_prepare(db,
                           compare ? "INSERT INTO comparison VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                   : "INSERT INTO differences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                     "?, ?)",
                           &ins, err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && base >= 0 && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        if (!k.valid || key_differs(&k, sel, 3)) {
            if (k.valid) rc = flush_differences(db, ins, compare, &g, &k, err);
            key_take(&k, sel, 3);
        }
        for (int m = 0; m < g.k && rc == SS_OK; m++) {
            int ca = 4 + m, cb = 4 + g.k + m;
            if (sqlite3_column_type(sel, ca) == SQLITE_NULL ||
                sqlite3_column_type(sel, cb) == SQLITE_NULL)
                continue;
            if (g.n[m] == g.cap) {
                rc = err_msg(err, SS_EINTERNAL,
                             "more pairs than replicates for point %lld, group %lld, day %lld",
                             (long long)k.v[0], (long long)k.v[1], (long long)k.v[2]);
                break;
            }
            size_t at = (size_t)m * g.cap + g.n[m]++;
            g.v[0][at] = sqlite3_column_double(sel, ca);
            g.v[1][at] = sqlite3_column_double(sel, cb);
            g.v[2][at] = g.v[1][at] - g.v[0][at];
        }
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "comparing");
    if (rc == SS_OK && k.valid) rc = flush_differences(db, ins, compare, &g, &k, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    gather_free(&g);
    return rc;
}

int exp_db_finish(sqlite3 *db, const struct exp_plan *pl, const char *dir, int all_done,
                  struct ss_error *err)
{
    /* A design's points are many and each has few runs: its summary is the
     * sensitivity tables, or a calibration's, not a mean per point, group,
     * metric and day (tens of millions of rows for a Morris screening; for
     * a calibration wave of 80 points over the rollout's 4,111 days, 250
     * million rows that took longer than the wave's runs). Listed points
     * (pl->values) are a design's. */
    const int per_point = pl->kind != EXP_SENSITIVITY && !pl->values;
    int rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK && per_point) rc = build_summary(db, pl, err);
    if (rc == SS_OK && per_point)
        rc = build_differences(db, pl, pl->kind == EXP_COMPARE ? 0 : pl->baseline, err);
    if (rc == SS_OK && per_point) rc = ratios_build(db, 1, err);
    sqlite3_stmt *st = NULL;
    if (rc == SS_OK) rc = store_prepare(db, "UPDATE experiment SET finished = ?", &st, err);
    if (rc == SS_OK) {
        char now[32];
        text_iso_utc(now, sizeof now, time(NULL));
        if (all_done)
            sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 1);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    rc = store_end(db, rc, err);
    /* The CSVs after the commit: they show what the database holds. */
    if (rc == SS_OK) rc = store_csv_all(db, dir, err);
    return rc;
}
