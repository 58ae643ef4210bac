/*
 * calibrate.c - `scoresim calibrate` (see scoresim.h, docs/calibration.md):
 * waves of runs of a scenario at parameter points, each wave a sweep of
 * listed points run by schedule.c in its own folder DIR/wave-<w>/ (so each
 * is resumable, its results never replaced, its progress shown, like any
 * sweep), the targets read from each run's daily rows, history matching
 * between waves and rejection ABC over the last (calib.c), and
 * DIR/results.sqlite holding the calibration: every point's parameters,
 * figures, implausibility and distance, the waves, the posterior.
 *
 * Everything after the runs is computed again from them on every call: a
 * wave's points depend only on the waves before it, whose runs are
 * deterministic (the same seeds at every point), so the same command
 * continues an interrupted calibration where it stopped and gives the same
 * bits as one that was never interrupted.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "experiment/calib.h"
#include "experiment/design.h"
#include "experiment/experiment.h"
#include "experiment/targets.h"
#include "io/store.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* A wave's box is widened by this share of its width on each side (calib_box_of). */
#define CAL_MARGIN 0.1
/* Candidates drawn for a wave, at most, per point it needs. */
#define CAL_MAX_CANDIDATES 64
/* The calibration tables, in the order their CSVs are written. */
static const char *const cal_tables[] = {
    "calibration",        "calib_params", "calib_targets", "calib_waves",     "calib_points",
    "calib_point_params", "calib_fit",    "calib_values",  "calib_posterior", NULL};

/* One calibration. */
struct cal {
    const struct exp_options *o;       /* as given */
    const struct exp_calib_options *c; /* as given */
    struct mem m;                      /* everything below */
    struct scenario *base;             /* the scenario with o's sets, finished */
    struct design *d;                  /* the parameters */
    struct tgt_set *ts;                /* the targets */
    int k, nt, reps, waves;            /* parameters, targets, replicates, waves asked */
    long per_wave;                     /* points a wave runs */
    double disc, accept;               /* discrepancy fraction, ABC acceptance share */
    char dir[MAX_PATH];                /* the results folder */
    char db_path[MAX_PATH + 32];       /* dir/results.sqlite */
    sqlite3 *db;                       /* the calibration database */
    double *z, *vobs, *vdisc;          /* [nt] each target's compared value and variances */
    /* every point evaluated so far, in the order of the waves */
    long n, cap;         /* points, allocated */
    double *u;           /* [cap k] in the unit cube */
    double *x;           /* [cap k] the values run */
    int *wave;           /* [cap] the wave (1-based) */
    double *fig;         /* [cap reps nt] each run's figures (NaN: missing) */
    double *mean;        /* [cap nt] */
    double *var;         /* [cap nt] */
    int *count;          /* [cap nt] */
    double *imp;         /* [cap nt] implausibility */
    double *imax;        /* [cap] */
    double *dist;        /* [cap] ABC distance */
    unsigned char *keep; /* [cap] not ruled out */
    double *weight;      /* [cap] posterior weight (0: not accepted) */
    int failed;          /* runs failed in some wave (EXP_ERUNS at the end) */
};

static void *cal_alloc(struct cal *x, size_t n, size_t size)
{
    return mem_calloc(&x->m, n ? n : 1, size);
}

/* Room for `more` points beyond x->n. */
static int cal_grow(struct cal *x, long more, struct ss_error *err)
{
    if (x->n + more <= x->cap) return SS_OK;
    long cap = x->cap ? x->cap : 64;
    while (cap < x->n + more) cap *= 2;
    const size_t k = (size_t)x->k, nt = (size_t)x->nt, r = (size_t)x->reps, c = (size_t)cap;
    struct {
        void **p;
        size_t each;
    } arr[] = {{(void **)&x->u, k * sizeof(double)},
               {(void **)&x->x, k * sizeof(double)},
               {(void **)&x->wave, sizeof(int)},
               {(void **)&x->fig, r * nt * sizeof(double)},
               {(void **)&x->mean, nt * sizeof(double)},
               {(void **)&x->var, nt * sizeof(double)},
               {(void **)&x->count, nt * sizeof(int)},
               {(void **)&x->imp, nt * sizeof(double)},
               {(void **)&x->imax, sizeof(double)},
               {(void **)&x->dist, sizeof(double)},
               {(void **)&x->keep, 1},
               {(void **)&x->weight, sizeof(double)}};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) {
        void *p = mem_realloc(&x->m, *arr[i].p, c * arr[i].each);
        if (!p) return err_nomem(err, "holding the calibration's points");
        *arr[i].p = p;
    }
    x->cap = cap;
    return SS_OK;
}

/* ---- checks before anything runs ------------------------------------------- */

static int load_base(struct cal *x, struct ss_error *err)
{
    const struct exp_options *o = x->o;
    int rc = o->scenario ? scn_load(&x->base, o->scenario, err) : scn_new_default(&x->base, err);
    for (int i = 0; rc == SS_OK && i < o->n_sets; i++) rc = scn_set(x->base, o->sets[i], err);
    if (rc == SS_OK) rc = scn_finish(x->base, err);
    return rc;
}

/* The targets, every bad row of the file on o->log when there are several. */
static int load_targets(struct cal *x, struct ss_error *err)
{
    const struct exp_calib_options *c = x->c;
    if (!c->targets)
        return err_msg(err, SS_EINPUT, "calibrate needs --targets FILE (docs/calibration.md)");
    struct tgt_errors errs;
    int rc = tgt_load(&x->ts, c->targets, x->base, &errs, err);
    if (rc == SS_EINPUT && errs.total > 1) {
        for (int i = 0; x->o->log && i < errs.n; i++) ss_error_print(&errs.e[i], x->o->log);
        if (x->o->log && errs.total > errs.n)
            fprintf(x->o->log, "%s: ... and %d more errors\n", c->targets, errs.total - errs.n);
        return err_set(err, SS_EINPUT, c->targets, 0, 0,
                       "%d errors in the targets file (listed above)", errs.total);
    }
    return rc;
}

static int check_options(struct cal *x, struct ss_error *err)
{
    const struct exp_options *o = x->o;
    const struct exp_calib_options *c = x->c;
    if (c->n_params < 1 || !c->params)
        return err_msg(err, SS_EINPUT,
                       "calibrate needs at least one --param KEY=LO:HI[:log] (the parameters "
                       "to fit)");
    if (c->n_params > DESIGN_MAX_PARAMS || c->n_params > CALIB_MAX_PARAMS)
        return err_msg(err, SS_EINPUT, "calibrate fits at most %d parameters, got %d",
                       CALIB_MAX_PARAMS, c->n_params);
    x->waves = c->waves ? c->waves : EXP_CALIB_WAVES;
    if (x->waves < 1 || x->waves > 100)
        return err_msg(err, SS_EINPUT, "--waves must be from 1 to 100, got %d", c->waves);
    x->reps = o->replicates ? o->replicates : 2;
    if (x->reps < 1) return err_msg(err, SS_EINPUT, "--replicates must be 1 or more");
    x->disc = c->discrepancy < 0 ? EXP_CALIB_DISCREPANCY : c->discrepancy;
    if (!(x->disc < 10))
        return err_msg(err, SS_EINPUT, "--discrepancy must be from 0 to 10, got %g", x->disc);
    x->accept = c->accept ? c->accept : EXP_CALIB_ACCEPT;
    if (!(x->accept > 0 && x->accept <= 1))
        return err_msg(err, SS_EINPUT, "the ABC acceptance share must be above 0 and at most 1");
    if (c->budget < 1)
        return err_msg(err, SS_EINPUT, "calibrate needs --budget RUNS, the runs in all");
    x->per_wave = c->budget / ((long)x->waves * x->reps);
    if (x->per_wave < 2)
        return err_msg(err, SS_EINPUT,
                       "--budget %ld leaves %ld points per wave (%d waves x %d replicates): "
                       "expected at least 2, so a budget of at least %ld",
                       c->budget, x->per_wave, x->waves, x->reps, 2L * x->waves * x->reps);
    if (x->per_wave * x->reps > EXP_MAX_RUNS || x->per_wave > DESIGN_MAX_POINTS)
        return err_msg(err, SS_EINPUT, "--budget %ld: a wave of more than %d runs", c->budget,
                       EXP_MAX_RUNS);
    return SS_OK;
}

/* ---- the calibration database ---------------------------------------------- */

static int exec(struct cal *x, const char *sql, struct ss_error *err)
{
    return store_exec(x->db, sql, err);
}

/* The JSON array of the --param specs, the identity of the parameters. */
static char *params_json(struct cal *x, struct ss_error *err)
{
    struct sbuf b = {.m = &x->m};
    sbuf_add(&b, "[");
    for (int a = 0; a < x->k; a++) {
        if (a) sbuf_add(&b, ", ");
        sbuf_json(&b, x->d->param[a].spec);
    }
    sbuf_add(&b, "]");
    return sbuf_take(&b, err, "recording the calibration");
}

/* The whole targets file, as its identity. */
static char *slurp(struct cal *x, const char *path, struct ss_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, SS_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    struct sbuf b = {.m = &x->m};
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf - 1, f)) > 0) {
        buf[got] = '\0';
        sbuf_add(&b, buf);
    }
    fclose(f);
    return sbuf_take(&b, err, "reading the targets");
}

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS calibration (name TEXT, scenario TEXT, targets_file TEXT, "
    "targets TEXT, params TEXT, budget INTEGER, replicates INTEGER, waves INTEGER, "
    "points_per_wave INTEGER, base_seed INTEGER, discrepancy REAL, accept REAL, cutoff REAL, "
    "version TEXT, started TEXT, finished TEXT, waves_run INTEGER, eps REAL, accepted INTEGER, "
    "best_wave INTEGER, best_point INTEGER, best_distance REAL);"
    "CREATE TABLE IF NOT EXISTS calib_params (param INTEGER PRIMARY KEY, key TEXT, spec TEXT, "
    "lo REAL, hi REAL, log INTEGER, step INTEGER);"
    "CREATE TABLE IF NOT EXISTS calib_targets (target INTEGER PRIMARY KEY, line INTEGER, "
    "day INTEGER, date TEXT, metric TEXT, \"group\" TEXT, group_index INTEGER, value REAL, "
    "scale TEXT, population REAL, log INTEGER, z REAL, sd_obs REAL, sd_disc REAL, source TEXT, "
    "note TEXT);"
    "CREATE TABLE IF NOT EXISTS calib_waves (wave INTEGER PRIMARY KEY, points INTEGER, "
    "runs INTEGER, runs_done INTEGER, kept INTEGER, box TEXT, folder TEXT);"
    "CREATE TABLE IF NOT EXISTS calib_points (wave INTEGER, point INTEGER, params TEXT, "
    "imax REAL, distance REAL, kept INTEGER, accepted INTEGER, weight REAL, "
    "PRIMARY KEY(wave, point)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS calib_point_params (wave INTEGER, point INTEGER, "
    "param INTEGER, u REAL, value REAL, PRIMARY KEY(wave, point, param)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS calib_fit (wave INTEGER, point INTEGER, target INTEGER, "
    "n INTEGER, mean REAL, sd REAL, implausibility REAL, PRIMARY KEY(wave, point, target)) "
    "WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS calib_values (wave INTEGER, point INTEGER, replicate INTEGER, "
    "seed INTEGER, target INTEGER, value REAL, PRIMARY KEY(wave, point, replicate, target)) "
    "WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS calib_posterior (param INTEGER PRIMARY KEY, key TEXT, "
    "mean REAL, sd REAL, q05 REAL, median REAL, q95 REAL, best REAL, ess REAL);"
    "CREATE TABLE IF NOT EXISTS calib_state (name TEXT PRIMARY KEY, value BLOB);";

/* Whether the recorded calibration is this one: SS_OK, or SS_EINPUT naming
 * the first thing that differs. *fresh = 1 when there is none yet. */
static int check_identity(struct cal *x, const char *scen, const char *targets, const char *params,
                          int *fresh, struct ss_error *err)
{
    sqlite3_stmt *st;
    *fresh = 0;
    int rc = store_prepare(x->db,
                           "SELECT scenario, targets, params, budget, replicates, waves, "
                           "base_seed, discrepancy, accept FROM calibration",
                           &st, err);
    if (rc) return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        *fresh = 1;
    } else if (step != SQLITE_ROW) {
        rc = store_db_err(x->db, err, "reading");
    } else {
        const char *what = NULL;
        const unsigned char *t0 = sqlite3_column_text(st, 0), *t1 = sqlite3_column_text(st, 1),
                            *t2 = sqlite3_column_text(st, 2);
        if (!t0 || strcmp((const char *)t0, scen))
            what = "scenario (with its --set overrides)";
        else if (!t1 || strcmp((const char *)t1, targets))
            what = "targets file's text";
        else if (!t2 || strcmp((const char *)t2, params))
            what = "--param ranges";
        else if (sqlite3_column_int64(st, 3) != x->c->budget)
            what = "--budget";
        else if (sqlite3_column_int(st, 4) != x->reps)
            what = "--replicates";
        else if (sqlite3_column_int(st, 5) != x->waves)
            what = "--waves";
        else if ((uint64_t)sqlite3_column_int64(st, 6) != scn_params(x->base)->seed)
            what = "seed";
        else if (sqlite3_column_double(st, 7) != x->disc)
            what = "--discrepancy";
        else if (sqlite3_column_double(st, 8) != x->accept)
            what = "ABC acceptance share";
        if (what)
            rc = err_msg(err, SS_EINPUT,
                         "%s holds a calibration with another %s: use another --out folder, or "
                         "add --force to replace it",
                         x->dir, what);
    }
    sqlite3_finalize(st);
    return rc;
}

static int open_db(struct cal *x, struct ss_error *err)
{
    char found[64];
    int exists = access(x->db_path, F_OK) == 0;
    if (!exists && store_holds_results(x->dir, found, sizeof found) && strncmp(found, "wave-", 5)) {
        if (!x->o->force)
            return err_msg(err, SS_EINPUT,
                           "%s holds other results (%s): use another --out folder, or add "
                           "--force to replace them",
                           x->dir, found);
    }
    if (sqlite3_open_v2(x->db_path, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = store_db_err(x->db, err, "opening");
        sqlite3_close(x->db);
        x->db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(x->db, 5000);
    int has = 0, rc = store_has_table(x->db, "calibration", &has, err);
    if (rc == SS_OK && exists && !has) {
        if (!x->o->force)
            return err_msg(err, SS_EINPUT,
                           "%s holds other results (results.sqlite is not a calibration's): use "
                           "another --out folder, or add --force to replace them",
                           x->dir);
    }
    return rc;
}

/* Create or check the record of what this calibration is, and write the
 * parameters' and targets' tables. */
static int record_identity(struct cal *x, struct ss_error *err)
{
    char *scen = mem_strdup(&x->m, scn_text(x->base)), *targets = NULL, *params = NULL;
    if (!scen) return err_nomem(err, "recording the calibration");
    int rc = SS_OK, fresh = 0;
    if (rc == SS_OK && !(targets = slurp(x, x->c->targets, err)))
        rc = err->code ? err->code : SS_EIO;
    if (rc == SS_OK && !(params = params_json(x, err))) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = exec(x, schema, err);
    if (rc == SS_OK) rc = check_identity(x, scen, targets, params, &fresh, err);
    if (rc == SS_EINPUT && x->o->force) {
        err_clear(err);
        rc = exec(x,
                  "DELETE FROM calibration; DELETE FROM calib_waves; DELETE FROM calib_points; "
                  "DELETE FROM calib_point_params; DELETE FROM calib_fit; DELETE FROM "
                  "calib_values; DELETE FROM calib_posterior; DELETE FROM calib_state;",
                  err);
        fresh = 1;
    }
    sqlite3_stmt *st = NULL;
    if (rc == SS_OK) rc = exec(x, "BEGIN", err);
    if (rc == SS_OK && fresh) {
        char now[40];
        text_iso_utc(now, sizeof now, time(NULL));
        rc = store_prepare(x->db,
                           "INSERT INTO calibration (name, scenario, targets_file, targets, "
                           "params, budget, replicates, waves, points_per_wave, base_seed, "
                           "discrepancy, accept, cutoff, version, started) VALUES (?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st, err);
        if (rc == SS_OK) {
            sqlite3_bind_text(st, 1, scn_name(x->base), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, scen, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, x->c->targets, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 4, targets, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, params, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 6, x->c->budget);
            sqlite3_bind_int(st, 7, x->reps);
            sqlite3_bind_int(st, 8, x->waves);
            sqlite3_bind_int64(st, 9, x->per_wave);
            sqlite3_bind_int64(st, 10, (sqlite3_int64)scn_params(x->base)->seed);
            sqlite3_bind_double(st, 11, x->disc);
            sqlite3_bind_double(st, 12, x->accept);
            sqlite3_bind_double(st, 13, CALIB_CUTOFF);
            sqlite3_bind_text(st, 14, SS_VERSION, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 15, now, -1, SQLITE_TRANSIENT);
            rc = store_step_done(x->db, st, err);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (rc == SS_OK) rc = exec(x, "DELETE FROM calib_params; DELETE FROM calib_targets;", err);
    if (rc == SS_OK)
        rc =
            store_prepare(x->db, "INSERT INTO calib_params VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err);
    for (int a = 0; rc == SS_OK && a < x->k; a++) {
        const struct design_param *p = &x->d->param[a];
        sqlite3_bind_int(st, 1, a);
        sqlite3_bind_text(st, 2, p->key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, p->spec, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 4, p->lo);
        sqlite3_bind_double(st, 5, p->hi);
        sqlite3_bind_int(st, 6, p->scale == DESIGN_LOG);
        sqlite3_bind_int(st, 7, p->step);
        rc = store_step_done(x->db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(x->db,
                           "INSERT INTO calib_targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?)",
                           &st, err);
    for (int j = 0; rc == SS_OK && j < x->nt; j++) {
        const struct tgt_target *t = &x->ts->t[j];
        char date[TEXT_DATE_LEN] = "";
        int32_t start = scn_params(x->base)->start_date;
        if (start != PARAMS_NO_DATE) text_date_format(start + t->day - 1, date);
        sqlite3_bind_int(st, 1, j);
        sqlite3_bind_int(st, 2, t->line);
        sqlite3_bind_int(st, 3, t->day);
        if (date[0])
            sqlite3_bind_text(st, 4, date, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_text(st, 5, t->metric, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, t->group, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 7, t->group_index);
        sqlite3_bind_double(st, 8, t->value);
        sqlite3_bind_text(st, 9, tgt_scale_name(t->scale), -1, SQLITE_STATIC);
        store_bind_real(st, 10, t->population);
        sqlite3_bind_int(st, 11, t->log);
        sqlite3_bind_double(st, 12, t->z);
        sqlite3_bind_double(st, 13, t->sd_obs);
        sqlite3_bind_double(st, 14, sqrt(x->vdisc[j]));
        sqlite3_bind_text(st, 15, t->source, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 16, t->note, -1, SQLITE_TRANSIENT);
        rc = store_step_done(x->db, st, err);
    }
    sqlite3_finalize(st);
    rc = store_end(x->db, rc, err); /* a ROLLBACK outside a transaction does nothing */
    mem_free(&x->m, scen);
    mem_free(&x->m, targets);
    mem_free(&x->m, params);
    return rc;
}

/* ---- a wave -------------------------------------------------------------------- */

/* The unit-cube points of wave w into *u (allocated, *n of them): wave 1 a
 * Sobol' design of the whole cube; a later one the Sobol' points of the box
 * around the previous wave's kept points whose nearest evaluated point was
 * kept. *n = 0 when the previous wave kept none. */
static int wave_points(struct cal *x, int w, double **u, long *n, struct calib_box *box,
                       struct ss_error *err)
{
    const int k = x->k;
    struct design_points *p = NULL;
    *u = NULL;
    *n = 0;
    calib_box_unit(box, k);
    if (w == 1) {
        int rc = design_sobol(x->d, x->per_wave, &p, err);
        if (rc) return rc;
        *u = cal_alloc(x, (size_t)p->n * k, sizeof **u);
        if (!*u) {
            design_points_free(x->d, p);
            return err_nomem(err, "making a wave's points");
        }
        memcpy(*u, p->u, (size_t)p->n * k * sizeof **u);
        *n = p->n;
        design_points_free(x->d, p);
        return SS_OK;
    }
    /* the previous wave: the points with wave w - 1 */
    long first = 0, last = x->n;
    while (first < x->n && x->wave[first] != w - 1) first++;
    long kept = 0;
    for (long i = first; i < last; i++) kept += x->keep[i];
    if (kept == 0) return SS_OK;
    int rc = calib_box_of(box, k, last - first, x->u + (size_t)first * k, x->keep + first,
                          CAL_MARGIN, err);
    if (rc) return rc;
    *u = cal_alloc(x, (size_t)x->per_wave * k, sizeof **u);
    if (!*u) return err_nomem(err, "making a wave's points");
    for (long cand = x->per_wave;; cand *= 2) {
        double *mapped = cal_alloc(x, (size_t)cand * k, sizeof *mapped);
        unsigned char *ok = cal_alloc(x, (size_t)cand, 1);
        if (!mapped || !ok) rc = err_nomem(err, "making a wave's points");
        if (rc == SS_OK) rc = design_sobol(x->d, cand, &p, err);
        if (rc == SS_OK && mapped && ok) {
            calib_box_map(box, cand, p->u, mapped);
            calib_nearest_keep(k, x->n, x->u, x->keep, cand, mapped, ok);
            *n = 0;
            for (long c = 0; c < cand && *n < x->per_wave; c++)
                if (ok[c]) memcpy(*u + (size_t)(*n)++ * k, mapped + (size_t)c * k, k * sizeof **u);
        }
        design_points_free(x->d, p);
        p = NULL;
        mem_free(&x->m, mapped);
        mem_free(&x->m, ok);
        if (rc || *n == x->per_wave || cand * 2 > x->per_wave * CAL_MAX_CANDIDATES ||
            cand * 2 > DESIGN_MAX_POINTS)
            break;
    }
    return rc;
}

/* "0.25" of "KEY=0.25". */
static const char *value_of(const char *set)
{
    const char *eq = strchr(set, '=');
    return eq ? eq + 1 : set;
}

/* Run wave w over points u[n k]: the points the scenario refuses are left
 * out (logged), the others run as a sweep in DIR/wave-<w>/, and their
 * figures read into the calibration's arrays. */
static int run_wave(struct cal *x, int w, const double *u, long n, const struct calib_box *box,
                    struct ss_error *err)
{
    const int k = x->k, nt = x->nt, reps = x->reps;
    int rc = cal_grow(x, n, err);
    if (rc) return rc;
    const char **keys = cal_alloc(x, (size_t)k, sizeof *keys);
    char *texts = cal_alloc(x, (size_t)n * k, DESIGN_SET_MAX);
    const char **values = cal_alloc(x, (size_t)n * k, sizeof *values);
    if (!keys || !texts || !values) {
        mem_free(&x->m, keys);
        mem_free(&x->m, texts);
        mem_free(&x->m, values);
        return err_nomem(err, "making a wave's points");
    }
    for (int a = 0; a < k; a++) keys[a] = x->d->param[a].key;
    long first = x->n, used = 0, refused = 0;
    for (long i = 0; rc == SS_OK && i < n; i++) {
        double *xu = x->u + (size_t)(first + used) * k, *xv = x->x + (size_t)(first + used) * k;
        for (int a = 0; a < k; a++) {
            xu[a] = u[(size_t)i * k + a];
            xv[a] = design_value(&x->d->param[a], xu[a]);
        }
        struct ss_error why = {0};
        int crc = design_check_point(x->d, x->base, xv, &why);
        if (crc == SS_EINPUT) {
            refused++;
            if (x->o->log && refused <= 3)
                fprintf(x->o->log, "wave %d: a point is left out: %s\n", w, why.msg);
            continue;
        }
        if (crc) {
            *err = why;
            rc = crc;
            break;
        }
        for (int a = 0; a < k && rc == SS_OK; a++) {
            char *t = texts + ((size_t)used * k + a) * DESIGN_SET_MAX;
            rc = design_set_text(x->d, a, xv[a], t, DESIGN_SET_MAX);
            if (rc) err_msg(err, rc, "writing the value of %s", keys[a]);
            values[(size_t)used * k + a] = value_of(t);
        }
        x->wave[first + used] = w;
        used++;
    }
    if (rc == SS_OK && used == 0)
        rc = err_msg(err, SS_EINPUT,
                     "wave %d: the scenario refuses every point of the wave (%ld): the ranges "
                     "break one of its cross-key rules",
                     w, n);
    if (rc == SS_OK && refused && x->o->log)
        fprintf(x->o->log, "wave %d: %ld of %ld points left out (the scenario refuses them)\n", w,
                refused, n);

    char wdir[MAX_PATH + 32];
    snprintf(wdir, sizeof wdir, "%s/wave-%d", x->dir, w);
    struct exp_plan *pl = NULL;
    struct exp_options wo = *x->o;
    wo.out_dir = wdir;
    wo.replicates = reps;
    wo.info = NULL;
    wo.out_used = NULL;
    wo.baseline = NULL;
    if (rc == SS_OK && x->o->log && x->o->progress)
        fprintf(x->o->log, "wave %d of %d: %ld points x %d replicates in %s/\n", w, x->waves, used,
                reps, wdir);
    if (rc == SS_OK)
        rc = exp_plan_points(&pl, &wo, keys, k, (const char *const *)values, (int)used, err);
    int run_rc = rc == SS_OK ? exp_execute(&wo, pl, NULL, NULL, err) : rc;
    mem_free(&x->m, keys);
    mem_free(&x->m, texts);
    mem_free(&x->m, values);
    exp_plan_free(pl);
    if (run_rc == EXP_ERUNS) {
        if (x->o->log) ss_error_print(err, x->o->log);
        err_clear(err);
        x->failed = 1;
    } else if (run_rc != SS_OK) {
        if (run_rc == SS_EINTR) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            err_msg(err, SS_EINTR, "wave %d of %d %s", w, x->waves, msg);
        }
        return run_rc;
    }

    /* the figures of every run: a run that failed has none (NaN) */
    char path[MAX_PATH + 64];
    snprintf(path, sizeof path, "%s/" STORE_DB_NAME, wdir);
    sqlite3 *wdb = NULL;
    if (sqlite3_open_v2(path, &wdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = store_db_err(wdb, err, "opening");
        sqlite3_close(wdb);
        return rc;
    }
    long done = 0;
    for (long i = 0; rc == SS_OK && i < used; i++)
        for (int r = 0; rc == SS_OK && r < reps; r++) {
            double *f = x->fig + ((size_t)(first + i) * reps + r) * nt;
            struct ss_error why = {0};
            int erc = tgt_eval_db(x->ts, wdb, (int64_t)i * reps + r, f, &why);
            done += erc == SS_OK;
            if (erc == SS_EINPUT) {
                for (int j = 0; j < nt; j++) f[j] = NAN;
            } else if (erc) {
                *err = why;
                rc = erc;
            }
        }
    sqlite3_close(wdb);
    if (rc) return rc;

    /* history matching of the wave */
    double *mean = x->mean + (size_t)first * nt, *var = x->var + (size_t)first * nt;
    int *count = x->count + (size_t)first * nt;
    double *imp = x->imp + (size_t)first * nt;
    calib_ensemble(used, reps, nt, x->fig + (size_t)first * reps * nt, mean, var, count);
    calib_implausibility(used, nt, mean, var, count, x->z, x->vobs, x->vdisc, imp);
    calib_imax(used, nt, imp, 1, x->imax + first);
    long kept = calib_nroy(used, x->imax + first, CALIB_CUTOFF, x->keep + first);
    calib_distance(used, nt, mean, x->z, x->vobs, x->vdisc, x->dist + first);
    for (long i = 0; i < used; i++) x->weight[first + i] = 0;
    x->n = first + used;
    if (x->o->log && x->o->progress)
        fprintf(x->o->log, "wave %d: %ld of %ld points not ruled out (implausibility <= %g)\n", w,
                kept, used, CALIB_CUTOFF);

    /* the wave's record: derived from its runs, so written afresh */
    rc = exec(x, "BEGIN", err);
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM calib_waves WHERE wave = %d; DELETE FROM calib_points WHERE wave = %d; "
             "DELETE FROM calib_point_params WHERE wave = %d; DELETE FROM calib_fit WHERE wave = "
             "%d; DELETE FROM calib_values WHERE wave = %d;",
             w, w, w, w, w);
    if (rc == SS_OK) rc = exec(x, sql, err);
    sqlite3_stmt *sw = NULL, *sp = NULL, *spp = NULL, *sf = NULL, *sv = NULL;
    if (rc == SS_OK)
        rc = store_prepare(x->db, "INSERT INTO calib_waves VALUES (?, ?, ?, ?, ?, ?, ?)", &sw, err);
    if (rc == SS_OK)
        rc = store_prepare(x->db, "INSERT INTO calib_points VALUES (?, ?, ?, ?, ?, ?, 0, 0)", &sp,
                           err);
    if (rc == SS_OK)
        rc = store_prepare(x->db, "INSERT INTO calib_point_params VALUES (?, ?, ?, ?, ?)", &spp,
                           err);
    if (rc == SS_OK)
        rc = store_prepare(x->db, "INSERT INTO calib_fit VALUES (?, ?, ?, ?, ?, ?, ?)", &sf, err);
    if (rc == SS_OK)
        rc = store_prepare(x->db, "INSERT INTO calib_values VALUES (?, ?, ?, ?, ?, ?)", &sv, err);
    if (rc == SS_OK) {
        struct sbuf b = {.m = &x->m};
        sbuf_add(&b, "[");
        for (int a = 0; a < k; a++)
            sbuf_printf(&b, "%s[%.17g, %.17g]", a ? ", " : "", box->lo[a], box->hi[a]);
        sbuf_add(&b, "]");
        char *bj = sbuf_take(&b, err, "recording a wave");
        if (!bj) rc = SS_ENOMEM;
        if (rc == SS_OK) {
            sqlite3_bind_int(sw, 1, w);
            sqlite3_bind_int64(sw, 2, used);
            sqlite3_bind_int64(sw, 3, used * reps);
            sqlite3_bind_int64(sw, 4, done);
            sqlite3_bind_int64(sw, 5, kept);
            sqlite3_bind_text(sw, 6, bj, -1, SQLITE_TRANSIENT);
            snprintf(path, sizeof path, "wave-%d", w);
            sqlite3_bind_text(sw, 7, path, -1, SQLITE_TRANSIENT);
            rc = store_step_done(x->db, sw, err);
        }
        mem_free(&x->m, bj);
    }
    for (long i = 0; rc == SS_OK && i < used; i++) {
        long g = first + i;
        struct sbuf b = {.m = &x->m};
        sbuf_add(&b, "{");
        for (int a = 0; a < k; a++) {
            char t[DESIGN_SET_MAX];
            design_set_text(x->d, a, x->x[(size_t)g * k + a], t, sizeof t);
            if (a) sbuf_add(&b, ", ");
            sbuf_json(&b, x->d->param[a].key);
            sbuf_add(&b, ": ");
            sbuf_add(&b, value_of(t));
        }
        sbuf_add(&b, "}");
        char *pj = sbuf_take(&b, err, "recording a wave");
        if (!pj) {
            rc = SS_ENOMEM;
            break;
        }
        sqlite3_bind_int(sp, 1, w);
        sqlite3_bind_int64(sp, 2, i);
        sqlite3_bind_text(sp, 3, pj, -1, SQLITE_TRANSIENT);
        store_bind_real(sp, 4, isinf(x->imax[g]) ? NAN : x->imax[g]);
        store_bind_real(sp, 5, isinf(x->dist[g]) ? NAN : x->dist[g]);
        sqlite3_bind_int(sp, 6, x->keep[g]);
        rc = store_step_done(x->db, sp, err);
        mem_free(&x->m, pj);
        for (int a = 0; rc == SS_OK && a < k; a++) {
            sqlite3_bind_int(spp, 1, w);
            sqlite3_bind_int64(spp, 2, i);
            sqlite3_bind_int(spp, 3, a);
            sqlite3_bind_double(spp, 4, x->u[(size_t)g * k + a]);
            sqlite3_bind_double(spp, 5, x->x[(size_t)g * k + a]);
            rc = store_step_done(x->db, spp, err);
        }
        for (int j = 0; rc == SS_OK && j < nt; j++) {
            size_t at = (size_t)g * nt + j;
            sqlite3_bind_int(sf, 1, w);
            sqlite3_bind_int64(sf, 2, i);
            sqlite3_bind_int(sf, 3, j);
            sqlite3_bind_int(sf, 4, x->count[at]);
            store_bind_real(sf, 5, x->mean[at]);
            store_bind_real(sf, 6, x->count[at] > 1 ? sqrt(x->var[at]) : NAN);
            store_bind_real(sf, 7, isinf(x->imp[at]) ? NAN : x->imp[at]);
            rc = store_step_done(x->db, sf, err);
        }
        for (int r = 0; rc == SS_OK && r < reps; r++)
            for (int j = 0; rc == SS_OK && j < nt; j++) {
                sqlite3_bind_int(sv, 1, w);
                sqlite3_bind_int64(sv, 2, i);
                sqlite3_bind_int(sv, 3, r);
                uint64_t seed = scn_params(x->base)->seed + (uint64_t)r;
                sqlite3_bind_int64(sv, 4, (sqlite3_int64)seed);
                sqlite3_bind_int(sv, 5, j);
                store_bind_real(sv, 6, x->fig[((size_t)g * reps + r) * nt + j]);
                rc = store_step_done(x->db, sv, err);
            }
    }
    sqlite3_finalize(sw);
    sqlite3_finalize(sp);
    sqlite3_finalize(spp);
    sqlite3_finalize(sf);
    sqlite3_finalize(sv);
    return store_end(x->db, rc, err);
}

/* ---- the posterior --------------------------------------------------------------- */

/* A scenario a user can run: the base file, the sets, and each parameter
 * at x[k], printed with comments into path (through a temporary file). */
static int write_scenario(struct cal *x, const double *xv, const char *path, const char *what,
                          struct ss_error *err)
{
    struct scenario *s = NULL;
    const struct exp_options *o = x->o;
    int rc = o->scenario ? scn_load(&s, o->scenario, err) : scn_new_default(&s, err);
    for (int i = 0; rc == SS_OK && i < o->n_sets; i++) rc = scn_set(s, o->sets[i], err);
    for (int a = 0; rc == SS_OK && a < x->k; a++) {
        char t[DESIGN_SET_MAX];
        rc = design_set_text(x->d, a, xv[a], t, sizeof t);
        if (rc == SS_OK) rc = scn_set(s, t, err);
    }
    if (rc == SS_OK) rc = scn_finish(s, err);
    if (rc != SS_OK) {
        scn_free(s);
        return rc;
    }
    char tmp[MAX_PATH + 64];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        scn_free(s);
        return err_set(err, SS_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
    }
    fprintf(f, "# %s of the calibration in %s (scoresim calibrate, docs/calibration.md):\n", what,
            x->dir);
    for (int a = 0; a < x->k; a++) {
        char t[DESIGN_SET_MAX];
        design_set_text(x->d, a, xv[a], t, sizeof t);
        fprintf(f, "#   %s (--param %s)\n", t, x->d->param[a].spec);
    }
    rc = scn_print(s, f, 1);
    if (fclose(f) != 0 && rc == SS_OK)
        rc = err_set(err, SS_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
    else if (rc != SS_OK)
        err_set(err, rc, tmp, 0, 0, "cannot write the scenario");
    if (rc == SS_OK && rename(tmp, path) != 0)
        rc = err_set(err, SS_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    if (rc != SS_OK) unlink(tmp);
    scn_free(s);
    return rc;
}

/* Rejection ABC over the points of the last wave run, the posterior's
 * summary, the best point of every wave, the YAML files, the record. */
static int finish(struct cal *x, int last_wave, struct ss_error *err)
{
    const int k = x->k;
    long first = 0;
    while (first < x->n && x->wave[first] != last_wave) first++;
    long n = x->n - first;
    long *idx = cal_alloc(x, (size_t)n, sizeof *idx);
    if (!idx) return err_nomem(err, "the posterior");
    double eps = NAN;
    long acc = n > 0 ? calib_abc_reject(&x->m, n, x->dist + first, x->accept, idx, &eps) : 0;
    if (acc < 0) {
        mem_free(&x->m, idx);
        return err_nomem(err, "the posterior");
    }
    long best = calib_best(x->n, x->dist);
    struct calib_summary sum = {0};
    struct calib_pop *pop = NULL;
    int rc = SS_OK;
    if (acc > 0) {
        pop = calib_pop_select(&x->m, k, x->u + (size_t)first * k, x->dist + first, idx, acc, err);
        if (!pop) rc = SS_ENOMEM;
        if (rc == SS_OK) {
            pop->eps = eps;
            rc = calib_summarize(&x->m, pop, &sum, err);
        }
        for (long q = 0; q < acc; q++) x->weight[first + idx[q]] = 1.0 / (double)acc;
    }
    mem_free(&x->m, idx);

    if (rc == SS_OK) rc = exec(x, "BEGIN", err);
    if (rc == SS_OK)
        rc = exec(x,
                  "UPDATE calib_points SET accepted = 0, weight = 0; DELETE FROM "
                  "calib_posterior; DELETE FROM calib_state;",
                  err);
    sqlite3_stmt *st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(x->db,
                           "UPDATE calib_points SET accepted = 1, weight = ? WHERE wave = ? AND "
                           "point = ?",
                           &st, err);
    for (long i = first; rc == SS_OK && i < x->n; i++) {
        if (!(x->weight[i] > 0)) continue;
        sqlite3_bind_double(st, 1, x->weight[i]);
        sqlite3_bind_int(st, 2, last_wave);
        sqlite3_bind_int64(st, 3, i - first);
        rc = store_step_done(x->db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    double med[CALIB_MAX_PARAMS] = {0};
    if (rc == SS_OK && acc > 0)
        rc = store_prepare(x->db, "INSERT INTO calib_posterior VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st, err);
    for (int a = 0; rc == SS_OK && acc > 0 && a < k; a++) {
        const struct design_param *p = &x->d->param[a];
        /* a value's mean and sd, over the accepted points' values */
        double mv = 0, vv = 0;
        for (long i = first; i < x->n; i++) mv += x->weight[i] * x->x[(size_t)i * k + a];
        for (long i = first; i < x->n; i++) {
            double e = x->x[(size_t)i * k + a] - mv;
            vv += x->weight[i] * e * e;
        }
        med[a] = design_value(p, sum.median[a]);
        sqlite3_bind_int(st, 1, a);
        sqlite3_bind_text(st, 2, p->key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 3, mv);
        sqlite3_bind_double(st, 4, sqrt(vv));
        sqlite3_bind_double(st, 5, design_value(p, sum.q05[a]));
        sqlite3_bind_double(st, 6, med[a]);
        sqlite3_bind_double(st, 7, design_value(p, sum.q95[a]));
        store_bind_real(st, 8, best >= 0 ? x->x[(size_t)best * k + a] : NAN);
        sqlite3_bind_double(st, 9, sum.ess);
        rc = store_step_done(x->db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK && pop) {
        /* the ABC population as plain doubles (calib_pop_pack) */
        long len = calib_pop_doubles(pop);
        double *buf = cal_alloc(x, (size_t)len, sizeof *buf);
        if (!buf) rc = err_nomem(err, "recording the posterior");
        if (rc == SS_OK) {
            calib_pop_pack(pop, buf);
            rc = store_prepare(x->db, "INSERT INTO calib_state VALUES ('abc_population', ?)", &st,
                               err);
        }
        if (rc == SS_OK) {
            sqlite3_bind_blob(st, 1, buf, (int)((size_t)len * sizeof *buf), SQLITE_TRANSIENT);
            rc = store_step_done(x->db, st, err);
        }
        sqlite3_finalize(st);
        st = NULL;
        mem_free(&x->m, buf);
    }
    if (rc == SS_OK) {
        char now[40];
        text_iso_utc(now, sizeof now, time(NULL));
        rc = store_prepare(x->db,
                           "UPDATE calibration SET finished = ?, waves_run = ?, eps = ?, "
                           "accepted = ?, best_wave = ?, best_point = ?, best_distance = ?",
                           &st, err);
        if (rc == SS_OK) {
            long bfirst = 0;
            while (best >= 0 && x->wave[bfirst] != x->wave[best]) bfirst++;
            if (x->failed)
                sqlite3_bind_null(st, 1);
            else
                sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 2, last_wave);
            store_bind_real(st, 3, eps);
            sqlite3_bind_int64(st, 4, acc);
            if (best >= 0) {
                sqlite3_bind_int(st, 5, x->wave[best]);
                sqlite3_bind_int64(st, 6, best - bfirst);
                sqlite3_bind_double(st, 7, x->dist[best]);
            }
            rc = store_step_done(x->db, st, err);
        }
        sqlite3_finalize(st);
    }
    rc = store_end(x->db, rc, err);
    calib_pop_free(&x->m, pop);
    if (rc == SS_OK) rc = store_csv_write(x->db, x->dir, cal_tables, err);

    /* the scenarios a user can run */
    char path[MAX_PATH + 64];
    const struct exp_options *o = x->o;
    if (rc == SS_OK && best >= 0) {
        snprintf(path, sizeof path, "%s/best.yaml", x->dir);
        rc = write_scenario(x, x->x + (size_t)best * k, path, "The best-fitting point", err);
    }
    if (rc == SS_OK && acc > 0) {
        snprintf(path, sizeof path, "%s/posterior-median.yaml", x->dir);
        struct ss_error why = {0};
        int wrc = write_scenario(x, med, path, "The posterior median", &why);
        if (wrc == SS_EINPUT && o->log)
            fprintf(o->log,
                    "posterior-median.yaml not written: the scenario refuses the "
                    "medians together: %s\n",
                    why.msg);
        else if (wrc) {
            *err = why;
            rc = wrc;
        }
    }
    if (rc == SS_OK && o->info) {
        fprintf(o->info, "calibrate '%s': %d wave%s, %ld points x %d replicates", scn_name(x->base),
                last_wave, last_wave == 1 ? "" : "s", x->n, x->reps);
        if (acc > 0)
            fprintf(o->info, "; ABC accepted %ld of wave %d's %ld points (distance <= %.4g)\n", acc,
                    last_wave, n, eps);
        else
            fprintf(o->info, "; no point has every target's figure: no posterior\n");
        for (int a = 0; acc > 0 && a < k; a++) {
            const struct design_param *p = &x->d->param[a];
            fprintf(o->info, "  %s: median %.6g, 90%% interval [%.6g, %.6g], best %.6g\n", p->key,
                    med[a], design_value(p, sum.q05[a]), design_value(p, sum.q95[a]),
                    best >= 0 ? x->x[(size_t)best * k + a] : NAN);
        }
        fprintf(o->info, "results in %s (%s%s)\n", x->db_path, best >= 0 ? "best.yaml" : "",
                acc > 0 ? ", posterior-median.yaml" : "");
    }
    return rc;
}

/* ---- the command --------------------------------------------------------------- */

static void cal_free(struct cal *x)
{
    if (x->db) sqlite3_close(x->db);
    tgt_free(x->ts);
    design_free(x->d);
    scn_free(x->base);
    void *arr[] = {x->z,   x->vobs,  x->vdisc, x->u,    x->x,    x->wave, x->fig,   x->mean,
                   x->var, x->count, x->imp,   x->imax, x->dist, x->keep, x->weight};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) mem_free(&x->m, arr[i]);
}

int exp_calibrate(const struct exp_options *o, const struct exp_calib_options *c,
                  struct ss_error *err)
{
    struct cal x = {.o = o, .c = c};
    int lock = -1;
    int rc = check_options(&x, err);
    if (rc == SS_OK) rc = load_base(&x, err);
    if (rc == SS_OK) rc = design_new(&x.d, err);
    for (int a = 0; rc == SS_OK && a < c->n_params; a++)
        rc = design_parse(x.d, x.base, c->params[a], err);
    if (rc == SS_OK) {
        x.k = x.d->k;
        rc = load_targets(&x, err);
    }
    if (rc == SS_OK) {
        x.nt = x.ts->n;
        x.z = cal_alloc(&x, (size_t)x.nt, sizeof *x.z);
        x.vobs = cal_alloc(&x, (size_t)x.nt, sizeof *x.vobs);
        x.vdisc = cal_alloc(&x, (size_t)x.nt, sizeof *x.vdisc);
        if (!x.z || !x.vobs || !x.vdisc) {
            err_nomem(err, "reading the targets");
            rc = SS_ENOMEM;
        }
        for (int j = 0; rc == SS_OK && x.z && x.vobs && x.vdisc && j < x.nt; j++) {
            const struct tgt_target *t = &x.ts->t[j];
            double sd = tgt_discrepancy_sd(t, x.disc);
            x.z[j] = t->z;
            x.vobs[j] = t->sd_obs * t->sd_obs;
            x.vdisc[j] = sd * sd;
        }
    }
    /* the folder: --out, or results/calibrate-<name> */
    if (rc == SS_OK) {
        if (o->out_dir) {
            snprintf(x.dir, sizeof x.dir, "%s", o->out_dir);
        } else {
            char safe[300];
            text_safe_name(safe, sizeof safe, scn_name(x.base));
            snprintf(x.dir, sizeof x.dir, "results/calibrate-%s", safe);
        }
        size_t len = strlen(x.dir);
        while (len > 1 && x.dir[len - 1] == '/') x.dir[--len] = '\0';
        if (len + 48 >= sizeof x.dir)
            rc = err_msg(err, SS_EINPUT, "results folder path too long: %s", x.dir);
        snprintf(x.db_path, sizeof x.db_path, "%s/" STORE_DB_NAME, x.dir);
    }
    if (rc == SS_OK && !o->scoresim)
        rc = err_msg(err, SS_EINTERNAL, "exp_options.scoresim is NULL");
    if (rc == SS_OK) rc = store_mkdirs(x.dir, err);
    if (rc == SS_OK) rc = exp_lock_dir(x.dir, &lock, err);
    if (rc == SS_OK) rc = open_db(&x, err);
    if (rc == SS_OK) rc = record_identity(&x, err);

    int w = 1, last = 0;
    for (; rc == SS_OK && w <= x.waves; w++) {
        if (o->cancel && *o->cancel) {
            rc = err_msg(err, SS_EINTR, "interrupted before wave %d; the same command resumes", w);
            break;
        }
        double *u = NULL;
        long n = 0;
        struct calib_box box;
        rc = wave_points(&x, w, &u, &n, &box, err);
        if (rc == SS_OK && n == 0) {
            if (o->log)
                fprintf(o->log,
                        "wave %d rules out every point: the runs do not reach every target "
                        "within its tolerance in these ranges; no further wave\n",
                        w - 1);
            mem_free(&x.m, u);
            break;
        }
        if (rc == SS_OK) rc = run_wave(&x, w, u, n, &box, err);
        mem_free(&x.m, u);
        if (rc == SS_OK) last = w;
    }
    if (rc == SS_OK && last > 0) rc = finish(&x, last, err);
    if (rc == SS_OK && x.failed)
        rc = err_msg(err, EXP_ERUNS,
                     "some runs failed (listed above; their points have no figures); the same "
                     "command retries them");
    if (o->out_used && x.dir[0]) snprintf(o->out_used, o->out_used_size, "%s", x.dir);
    cal_free(&x);
    if (lock >= 0) close(lock);
    return rc;
}
