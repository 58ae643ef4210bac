/*
 * calibrate_db.c - the calibration's database, DIR/results.sqlite: its
 * schema, opening it (refusing a folder that holds other results), and the
 * record of what the calibration is (scenario, targets file, --param
 * ranges, budget), which a resumed command must match. Apart from the
 * waves and the posterior because this is what makes a calibration
 * resumable, and it reads best on its own.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "experiment/calib.h"
#include "experiment/calibrate_internal.h"
#include "experiment/design.h"
#include "experiment/targets.h"
#include "io/sqlmem.h"
#include "io/store.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* ---- the calibration database ---------------------------------------------- */

int cal_exec(struct cal *x, const char *sql, struct ss_error *err)
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
    char *text;
    size_t len;
    /* tgt_load read it already: no new limit, the same regular-file rule */
    if (file_read_all(path, "the targets file", (size_t)1 << 30, 0, &x->m, &text, &len, err))
        return NULL;
    return text;
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
                         x->target, what);
    }
    sqlite3_finalize(st);
    return rc;
}

int cal_open_db(struct cal *x, struct ss_error *err)
{
    char found[64];
    int exists = access(x->db_path, F_OK) == 0;
    if (!exists && store_holds_results(x->dir, found, sizeof found) && strncmp(found, "wave-", 5)) {
        if (!x->o->force)
            return err_msg(err, SS_EINPUT,
                           "%s holds other results (%s): use another --out folder, or add "
                           "--force to replace them",
                           x->target, found);
    }
    if (sqlmem_open(x->db_path, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) != SQLITE_OK) {
        /* no connection at all: SQLite could not allocate one */
        int rc = x->db ? store_db_err(x->db, err, "opening")
                       : err_msg(err, SS_ENOMEM, "out of memory while opening %s", x->db_path);
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
                           x->target);
    }
    return rc;
}

/* Create or check the record of what this calibration is, and write the
 * parameters' and targets' tables. */
int cal_record_identity(struct cal *x, struct ss_error *err)
{
    char *scen = mem_strdup(&x->m, scn_text(x->base)), *targets = NULL, *params = NULL;
    if (!scen) return err_nomem(err, "recording the calibration");
    int rc = SS_OK, fresh = 0;
    if (rc == SS_OK && !(targets = slurp(x, x->c->targets, err)))
        rc = err->code ? err->code : SS_EIO;
    if (rc == SS_OK && !(params = params_json(x, err))) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = cal_exec(x, schema, err);
    if (rc == SS_OK) rc = check_identity(x, scen, targets, params, &fresh, err);
    if (rc == SS_EINPUT && x->o->force) {
        err_clear(err);
        rc = cal_exec(x,
                      "DELETE FROM calibration; DELETE FROM calib_waves; DELETE FROM calib_points; "
                      "DELETE FROM calib_point_params; DELETE FROM calib_fit; DELETE FROM "
                      "calib_values; DELETE FROM calib_posterior; DELETE FROM calib_state;",
                      err);
        fresh = 1;
    }
    sqlite3_stmt *st = NULL;
    if (rc == SS_OK) rc = cal_exec(x, "BEGIN", err);
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
    if (rc == SS_OK) rc = cal_exec(x, "DELETE FROM calib_params; DELETE FROM calib_targets;", err);
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
