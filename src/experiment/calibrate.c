/*
 * calibrate.c - `scoresim calibrate` (see scoresim.h, docs/calibration.md):
 * waves of runs of a scenario at parameter points, each wave a sweep of
 * listed points run by runner.c in its own folder DIR/wave-<w>/ (so each
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
 *
 * This file holds the checks before anything runs, the posterior and the
 * command; the database is in calibrate_db.c, a wave's points and runs in
 * calibrate_wave.c (calibrate_internal.h is what they share).
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
#include "experiment/calibrate_internal.h"
#include "experiment/design.h"
#include "experiment/experiment.h"
#include "experiment/targets.h"
#include "io/store.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* The calibration tables, in the order their CSVs are written. */
static const char *const cal_tables[] = {
    "calibration",        "calib_params", "calib_targets", "calib_waves",     "calib_points",
    "calib_point_params", "calib_fit",    "calib_values",  "calib_posterior", NULL};

void *cal_alloc(struct cal *x, size_t n, size_t size)
{
    return mem_calloc(&x->m, n ? n : 1, size);
}

/* Room for `more` points beyond x->n. */
int cal_grow(struct cal *x, long more, struct ss_error *err)
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
    else if (rc != SS_OK) /* scn_print says only its status */
        err_set(err, rc, tmp, 0, 0,
                rc == SS_ENOMEM ? "out of memory while writing the scenario"
                                : "cannot write the scenario");
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

    if (rc == SS_OK) rc = cal_exec(x, "BEGIN", err);
    if (rc == SS_OK)
        rc = cal_exec(x,
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
        fprintf(o->info, "calibrate '%s': %d wave%s, %ld points x %d replicate%s",
                scn_name(x->base), last_wave, last_wave == 1 ? "" : "s", x->n, x->reps,
                x->reps == 1 ? "" : "s");
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
    struct cal x = {.o = o, .c = c, .stage = {.fd = -1}};
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
            snprintf(x.target, sizeof x.target, "%s", o->out_dir);
        } else {
            char safe[300];
            text_safe_name(safe, sizeof safe, scn_name(x.base));
            snprintf(x.target, sizeof x.target, "results/calibrate-%s", safe);
        }
        size_t len = strlen(x.target);
        while (len > 1 && x.target[len - 1] == '/') x.target[--len] = '\0';
        if (len + 60 >= sizeof x.target)
            rc = err_msg(err, SS_EINPUT, "results folder path too long: %s", x.target);
    }
    if (rc == SS_OK && !o->scoresim)
        rc = err_msg(err, SS_EINTERNAL, "exp_options.scoresim is NULL");
    /* written in the staging folder (an interrupted calibration goes on,
     * a published one comes back to be extended), published whole */
    if (rc == SS_OK) rc = stage_open(&x.stage, x.target, STAGE_RESUMABLE, 0, err);
    if (rc == SS_OK) {
        snprintf(x.dir, sizeof x.dir, "%s", x.stage.dir);
        snprintf(x.db_path, sizeof x.db_path, "%s/" STORE_DB_NAME, x.dir);
        rc = cal_open_db(&x, err);
        if (rc == SS_EINPUT) stage_give_back(&x.stage); /* not ours to extend */
    }
    if (rc == SS_OK) rc = cal_record_identity(&x, err);

    int w = 1, last = 0;
    for (; rc == SS_OK && w <= x.waves; w++) {
        if (o->cancel && *o->cancel) {
            rc = err_msg(err, SS_EINTR, "interrupted before wave %d; the same command resumes", w);
            break;
        }
        double *u = NULL;
        long n = 0;
        struct calib_box box;
        rc = cal_wave_points(&x, w, &u, &n, &box, err);
        if (rc == SS_OK && n == 0) {
            if (o->log)
                fprintf(o->log,
                        "wave %d rules out every point: the runs do not reach every target "
                        "within its tolerance in these ranges; no further wave\n",
                        w - 1);
            mem_free(&x.m, u);
            break;
        }
        if (rc == SS_OK) rc = cal_run_wave(&x, w, u, n, &box, err);
        mem_free(&x.m, u);
        if (rc == SS_OK) last = w;
    }
    if (rc == SS_OK && last > 0) rc = finish(&x, last, err);
    if (rc == SS_OK && x.failed)
        rc = err_msg(err, EXP_ERUNS,
                     "some runs failed (listed above; their points have no figures); the same "
                     "command retries them");
    if (o->out_used && x.target[0]) snprintf(o->out_used, o->out_used_size, "%s", x.target);
    cal_free(&x); /* closes the database */
    if (rc == SS_OK || rc == EXP_ERUNS) {
        /* the report over what completed, then the folder, whole */
        struct ss_error perr = {0};
        int prc = o->report ? rep_write(x.dir, &perr) : SS_OK;
        if (prc == SS_OK) prc = stage_publish(&x.stage, 1, &perr);
        if (prc != SS_OK) {
            *err = perr;
            rc = prc;
        }
    }
    stage_keep(&x.stage); /* unpublished: the same command goes on with it */
    return rc;
}
