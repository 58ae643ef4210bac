/*
 * calibrate_wave.c - one wave of `scoresim calibrate`: its points (a Sobol'
 * design of the whole cube, then of the box around what the previous wave
 * kept) and its runs, a sweep of listed points in DIR/wave-<w>/ whose
 * figures are read back into the calibration's arrays. Apart from the
 * command (calibrate.c) because a wave is where the runs happen and the
 * command is where their results are judged.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "experiment/calib.h"
#include "experiment/calibrate_internal.h"
#include "experiment/design.h"
#include "experiment/experiment.h"
#include "experiment/targets.h"
#include "io/sqlmem.h"
#include "io/store.h"
#include "scenario/scenario.h"

/* A wave's box is widened by this share of its width on each side (calib_box_of). */
#define CAL_MARGIN 0.1
/* Candidates drawn for a wave, at most, per point it needs. */
#define CAL_MAX_CANDIDATES 64

/* ---- a wave -------------------------------------------------------------------- */

/* The unit-cube points of wave w into *u (allocated, *n of them): wave 1 a
 * Sobol' design of the whole cube; a later one the Sobol' points of the box
 * around the previous wave's kept points whose nearest evaluated point was
 * kept. *n = 0 when the previous wave kept none. */
int cal_wave_points(struct cal *x, int w, double **u, long *n, struct calib_box *box,
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
int cal_run_wave(struct cal *x, int w, const double *u, long n, const struct calib_box *box,
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
    wo.report = 0; /* a wave is read through the calibration's report */
    if (rc == SS_OK && x->o->log && x->o->progress)
        fprintf(x->o->log, "wave %d of %d: %ld points x %d replicate%s in %s/wave-%d/\n", w,
                x->waves, used, reps, reps == 1 ? "" : "s", x->target, w);
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
    if (sqlmem_open(path, &wdb, SQLITE_OPEN_READONLY) != SQLITE_OK) {
        rc = wdb ? store_db_err(wdb, err, "opening")
                 : err_msg(err, SS_ENOMEM, "out of memory while opening %s", path);
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
    rc = cal_exec(x, "BEGIN", err);
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM calib_waves WHERE wave = %d; DELETE FROM calib_points WHERE wave = %d; "
             "DELETE FROM calib_point_params WHERE wave = %d; DELETE FROM calib_fit WHERE wave = "
             "%d; DELETE FROM calib_values WHERE wave = %d;",
             w, w, w, w, w);
    if (rc == SS_OK) rc = cal_exec(x, sql, err);
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
