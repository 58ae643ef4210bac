/*
 * output.c - results on disk (see output.h): results.sqlite and the CSV of
 * each of its tables.
 *
 * Every table is described by a column table (struct met_column, from
 * engine/metrics.h): the daily tables by metrics_schema.c's, the others by
 * output_tables.c's. One path builds CREATE TABLE and INSERT from a column
 * table, and one reads a row struct through it (out_get); so a column is
 * added in one line. The CSVs are written from the finished database
 * (store_csv_write), so they cannot disagree with it.
 *
 * The folder written here is a staging folder (io/stage.h), published
 * whole once everything is in it. Within it, every file is still written
 * under a temporary name and renamed into place by out_close,
 * results.sqlite last, so SQLite runs without a journal and without syncs,
 * and the files are synced once before renaming.
 */
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "io/sqlmem.h"
#include "io/store.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "core/sys.h"
#include "core/text.h"
#include "io/output_internal.h"
#include "io/ratios.h"

/* ---- values ----------------------------------------------------------- */

enum out_kind { V_NULL, V_INT, V_REAL, V_TEXT };

/* One column's value in one row. */
struct out_value {
    int kind;      /* enum out_kind */
    int64_t i;     /* V_INT */
    double r;      /* V_REAL */
    const char *s; /* V_TEXT: borrowed from the row or the output, or buf */
    char buf[16];  /* V_TEXT of a formatted value (a date) */
};

static int32_t out_int32_at(const void *row, size_t off)
{
    int32_t v;
    memcpy(&v, (const char *)row + off, sizeof v);
    return v;
}

/* Column c of row: the one place that reads row structs. */
static void out_get(const struct met_column *c, const void *row, const struct output *o,
                    struct out_value *out)
{
    const char *at = (const char *)row + c->offset;
    struct out_value v = {V_NULL, 0, 0.0, NULL, ""};
    switch (c->type) {
    case MET_INT:
        v.kind = V_INT;
        if (c->is_int32) {
            v.i = out_int32_at(row, c->offset);
        } else {
            memcpy(&v.i, at, sizeof v.i);
            if (v.i == INT64_MIN) v.kind = V_NULL; /* a count that does not apply */
        }
        break;
    case MET_REAL:
        memcpy(&v.r, at, sizeof v.r);
        v.kind = isnan(v.r) ? V_NULL : V_REAL;
        break;
    case MET_TEXT:
        memcpy(&v.s, at, sizeof v.s);
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    case MET_GROUP_NAME: {
        int32_t g = out_int32_at(row, c->offset);
        if (g < 0)
            v.s = "all";
        else if ((uint32_t)g < o->n_groups)
            v.s = o->group_name[g];
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    }
    case MET_LAYER_NAME: {
        int32_t l = out_int32_at(row, c->offset);
        if (l >= 0 && (uint32_t)l < o->n_layers) v.s = o->layer_name[l];
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    }
    case MET_DATE: {
        int32_t d = out_int32_at(row, c->offset);
        if (d != PARAMS_NO_DATE) {
            text_date_format(d, v.buf);
            v.kind = V_TEXT;
        }
        break;
    }
    }
    *out = v;
    if (out->kind == V_TEXT && c->type == MET_DATE) out->s = out->buf;
}

/* ---- SQLite ----------------------------------------------------------- */

static int out_db_err(struct output *o, struct ss_error *err, const char *what)
{
    if (o->db && sqlmem_nomem(o->db))
        return err_msg(err, SS_ENOMEM, "out of memory while %s %s", what, o->db_tmp);
    return err_msg(err, SS_EIO, "%s %s: %s", what, o->db_tmp,
                   o->db ? sqlite3_errmsg(o->db) : "no database open");
}

static int out_exec(struct output *o, const char *sql, struct ss_error *err)
{
    if (sqlite3_exec(o->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return out_db_err(o, err, "writing");
    return SS_OK;
}

static int out_create(struct output *o, const struct out_table *t, struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_printf(&b, "CREATE TABLE \"%s\" (", t->name);
    for (size_t i = 0; i < t->n; i++)
        sbuf_printf(&b, "%s\"%s\" %s", i ? ", " : "", t->cols[i].name,
                    met_sql_type(t->cols[i].type));
    if (t->key) sbuf_printf(&b, ", PRIMARY KEY(%s)", t->key);
    sbuf_printf(&b, ")%s", t->without_rowid ? " WITHOUT ROWID" : "");
    const char *sql = sbuf_str(&b, err, "writing the schema");
    int rc = sql ? out_exec(o, sql, err) : SS_ENOMEM;
    sbuf_free(&b);
    return rc;
}

static int out_prepare(struct output *o, const struct out_table *t, sqlite3_stmt **st,
                       struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_printf(&b, "INSERT INTO \"%s\" VALUES (", t->name);
    for (size_t i = 0; i < t->n; i++) sbuf_add(&b, i ? ", ?" : "?");
    sbuf_add(&b, ")");
    const char *sql = sbuf_str(&b, err, "writing the schema");
    int rc = sql ? SS_OK : SS_ENOMEM;
    if (rc == SS_OK && sqlite3_prepare_v2(o->db, sql, -1, st, NULL) != SQLITE_OK)
        rc = out_db_err(o, err, "preparing an insert into");
    sbuf_free(&b);
    return rc;
}

/* Insert one row struct through the table's columns. */
static int out_insert(struct output *o, sqlite3_stmt *st, const struct out_table *t,
                      const void *row, struct ss_error *err)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < t->n && rc == SQLITE_OK; i++) {
        struct out_value v;
        out_get(&t->cols[i], row, o, &v);
        int k = (int)i + 1;
        switch (v.kind) {
        case V_INT:
            rc = sqlite3_bind_int64(st, k, v.i);
            break;
        case V_REAL:
            rc = sqlite3_bind_double(st, k, v.r);
            break;
        case V_TEXT:
            rc = sqlite3_bind_text(st, k, v.s, -1, SQLITE_TRANSIENT);
            break;
        default:
            rc = sqlite3_bind_null(st, k);
            break;
        }
    }
    if (rc == SQLITE_OK && sqlite3_step(st) != SQLITE_DONE) rc = SQLITE_ERROR;
    /* The message first: it belongs to the failed step. */
    int status = rc == SQLITE_OK ? SS_OK : out_db_err(o, err, "writing");
    sqlite3_reset(st);
    return status;
}

/* Prepare, insert n rows of size `size` from rows, finalize. */
static int out_insert_all(struct output *o, int id, const void *rows, size_t size, size_t n,
                          struct ss_error *err)
{
    struct out_table t = out_table_get(id);
    sqlite3_stmt *st = NULL;
    int rc = out_prepare(o, &t, &st, err);
    for (size_t i = 0; i < n && rc == SS_OK; i++)
        rc = out_insert(o, st, &t, (const char *)rows + i * size, err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- files ------------------------------------------------------------ */

static int out_path(char *buf, size_t size, const char *dir, const char *name)
{
    int k = snprintf(buf, size, "%s/%s", dir, name);
    return k >= 0 && (size_t)k < size;
}

static void out_finalize(struct output *o);

/* The names the files are written under: a pid-suffixed temporary name,
 * or for a durable output (checkpoints) a fixed one a resumed run finds. */
static int out_names(struct output *o, const char *dir, int durable, struct ss_error *err)
{
    long pid = (long)getpid();
    int a = durable
                ? snprintf(o->db_tmp, sizeof o->db_tmp, "%s/" STORE_PARTIAL_NAME, dir)
                : snprintf(o->db_tmp, sizeof o->db_tmp, "%s/." STORE_DB_NAME ".tmp-%ld", dir, pid);
    if (a < 0 || (size_t)a >= sizeof o->db_tmp)
        return err_msg(err, SS_EIO, "results folder path too long: %s", dir);
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    o->durable = durable;
    return SS_OK;
}

static void out_names_of(struct output *o, const struct out_group *groups, uint32_t n_groups,
                         const struct out_layer *layers, uint32_t n_layers)
{
    o->n_groups = n_groups;
    o->n_layers = n_layers;
    for (uint32_t g = 0; g < n_groups; g++)
        snprintf(o->group_name[g], MAX_NAME, "%s", groups[g].name ? groups[g].name : "");
    for (uint32_t l = 0; l < n_layers; l++)
        snprintf(o->layer_name[l], MAX_NAME, "%s", layers[l].name ? layers[l].name : "");
}

static int out_open_db(struct output *o, int create, struct ss_error *err)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlmem_open(o->db_tmp, &db, flags) != SQLITE_OK) {
        int rc = sqlmem_nomem(db)
                     ? err_msg(err, SS_ENOMEM, "out of memory while opening %s", o->db_tmp)
                     : err_msg(err, create ? SS_EIO : SS_EINPUT, "cannot %s %s: %s",
                               create ? "create" : "open the partial results", o->db_tmp,
                               db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    o->db = db;
    /* Without checkpoints the rename at the end is the only commit, so no
     * journal is needed; with them, each checkpoint commits, and a journal
     * lets a run killed in the middle of a commit come back to the last. */
    return out_exec(o,
                    o->durable ? "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF"
                               : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF",
                    err);
}

static int out_prepare_all(struct output *o, int snapshot, struct ss_error *err)
{
    struct out_table daily = out_table_get(T_DAILY), layer = out_table_get(T_DAILY_LAYER);
    sqlite3_stmt *ins[4] = {NULL, NULL, NULL, NULL};
    int rc = out_prepare(o, &daily, &ins[0], err);
    if (rc == SS_OK) rc = out_prepare(o, &layer, &ins[1], err);
    if (rc == SS_OK && snapshot) {
        struct out_table ta = out_table_get(T_AGENTS), td = out_table_get(T_AGENT_DEGREE);
        rc = out_prepare(o, &ta, &ins[2], err);
        if (rc == SS_OK) rc = out_prepare(o, &td, &ins[3], err);
    }
    o->ins_daily = ins[0];
    o->ins_layer = ins[1];
    o->ins_agent = ins[2];
    o->ins_degree = ins[3];
    return rc;
}

int out_open(struct output *o, const char *dir, const struct out_group *groups, uint32_t n_groups,
             const struct out_layer *layers, uint32_t n_layers, const struct out_change *changes,
             uint32_t n_changes, int snapshot, int durable, struct ss_error *err)
{
    memset(o, 0, sizeof *o);
    if (n_groups > MAX_GROUPS || n_layers > MAX_LAYERS)
        return err_msg(err, SS_EINTERNAL, "out_open: %u groups, %u layers", n_groups, n_layers);
    int rc = store_mkdirs(dir, err);
    if (rc == SS_OK) rc = out_names(o, dir, durable, err);
    if (rc != SS_OK) return rc;
    out_names_of(o, groups, n_groups, layers, n_layers);
    unlink(o->db_tmp); /* a leftover of a killed run with our name: start afresh */
    char journal[MAX_PATH + 80];
    snprintf(journal, sizeof journal, "%s-journal", o->db_tmp);
    unlink(journal);

    rc = out_open_db(o, 1, err);
    if (rc == SS_OK) rc = out_exec(o, "BEGIN", err);
    int ids[] = {T_RUN,   T_GROUPS,      T_LAYERS, T_SCHEDULE,
                 T_DAILY, T_DAILY_LAYER, T_AGENTS, T_AGENT_DEGREE};
    size_t n_ids = snapshot ? N_OF(ids) : N_OF(ids) - 2;
    for (size_t i = 0; i < n_ids && rc == SS_OK; i++) {
        struct out_table t = out_table_get(ids[i]);
        rc = out_create(o, &t, err);
    }
    if (rc == SS_OK) rc = out_insert_all(o, T_GROUPS, groups, sizeof *groups, n_groups, err);
    if (rc == SS_OK) rc = out_insert_all(o, T_LAYERS, layers, sizeof *layers, n_layers, err);
    if (rc == SS_OK) rc = out_insert_all(o, T_SCHEDULE, changes, sizeof *changes, n_changes, err);
    if (rc == SS_OK) rc = out_prepare_all(o, snapshot, err);
    if (rc != SS_OK) goto fail;
    return SS_OK;

fail:
    out_abort(o);
    return rc;
}

int out_resume(struct output *o, const char *dir, const struct out_group *groups, uint32_t n_groups,
               const struct out_layer *layers, uint32_t n_layers, const struct out_change *changes,
               uint32_t n_changes, int day, int *snapshot, struct ss_error *err)
{
    memset(o, 0, sizeof *o);
    if (n_groups > MAX_GROUPS || n_layers > MAX_LAYERS)
        return err_msg(err, SS_EINTERNAL, "out_resume: %u groups, %u layers", n_groups, n_layers);
    int rc = out_names(o, dir, 1, err);
    if (rc != SS_OK) return rc;
    out_names_of(o, groups, n_groups, layers, n_layers);
    if (access(o->db_tmp, F_OK) != 0)
        return err_msg(err, SS_EINPUT,
                       "%s holds no partial results to resume (%s): was the run finished, or "
                       "its folder cleaned?",
                       dir, o->db_tmp);
    rc = out_open_db(o, 0, err);
    /* Rows of days after the checkpoint were never committed, or were
     * committed after it: either way they are made again. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "DELETE FROM daily WHERE day > %d; DELETE FROM daily_layer WHERE day > %d", day, day);
    if (rc == SS_OK) rc = out_exec(o, sql, err);
    if (rc == SS_OK) {
        int has = 0;
        rc = store_has_table(o->db, "agents", &has, err);
        *snapshot = has;
    }
    if (rc == SS_OK) rc = out_exec(o, "BEGIN", err);
    /* begun by a version without the schedule table: out_close writes
     * every table's CSV, so the table must be there, and the run's rows
     * are known now as they were then */
    int has_schedule = 1;
    if (rc == SS_OK) rc = store_has_table(o->db, "schedule", &has_schedule, err);
    if (rc == SS_OK && !has_schedule) {
        struct out_table t = out_table_get(T_SCHEDULE);
        rc = out_create(o, &t, err);
        if (rc == SS_OK)
            rc = out_insert_all(o, T_SCHEDULE, changes, sizeof *changes, n_changes, err);
    }
    if (rc == SS_OK) rc = out_prepare_all(o, *snapshot, err);
    if (rc != SS_OK) goto fail;
    return SS_OK;

fail:
    out_suspend(o);
    return rc;
}

int out_checkpoint(struct output *o, struct ss_error *err)
{
    if (!o->db || !o->durable)
        return err_msg(err, SS_EINTERNAL, "out_checkpoint without a durable output");
    int rc = out_exec(o, "COMMIT", err);
    if (rc == SS_OK) rc = out_exec(o, "BEGIN", err);
    return rc;
}

int out_copy_days(struct output *o, const char *db, int day, struct ss_error *err)
{
    if (!o->db) return err_msg(err, SS_EINTERNAL, "out_copy_days before out_open");
    /* the base's daily rows through the fork day */
    if (access(db, R_OK) != 0)
        return err_msg(err, SS_EINPUT,
                       "the base run's results are gone (%s): a fork copies its days through "
                       "the fork from them",
                       db);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(o->db, "ATTACH DATABASE ? AS base", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, db, -1, SQLITE_TRANSIENT);
        rc = store_step_done(o->db, st, err);
        sqlite3_finalize(st);
    }
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO daily SELECT * FROM base.daily WHERE day <= %d; "
             "INSERT INTO daily_layer SELECT * FROM base.daily_layer WHERE day <= %d",
             day, day);
    if (rc == SS_OK) rc = out_exec(o, sql, err);
    /* DETACH cannot run inside the transaction that used it: the base
     * stays attached, read by nothing, until the output closes. */
    return rc;
}

void out_suspend(struct output *o)
{
    out_finalize(o);
    if (o->db) sqlite3_close_v2(o->db); /* the open transaction is rolled back */
    memset(o, 0, sizeof *o);
}

int out_day(struct output *o, const struct met_row *rows, uint32_t n_rows,
            const struct met_layer_row *layer_rows, uint32_t n_layer_rows, struct ss_error *err)
{
    if (!o->db) return err_msg(err, SS_EINTERNAL, "out_day before out_open");
    struct out_table daily = out_table_get(T_DAILY), layer = out_table_get(T_DAILY_LAYER);
    int rc = SS_OK;
    for (uint32_t r = 0; r < n_rows && rc == SS_OK; r++)
        rc = out_insert(o, o->ins_daily, &daily, &rows[r], err);
    for (uint32_t r = 0; r < n_layer_rows && rc == SS_OK; r++)
        rc = out_insert(o, o->ins_layer, &layer, &layer_rows[r], err);
    return rc;
}

int out_agent(struct output *o, const struct out_agent *row, const int64_t *degree,
              struct ss_error *err)
{
    if (!o->db || !o->ins_agent)
        return err_msg(err, SS_EINTERNAL, "out_agent without a snapshot opened");
    struct out_table ta = out_table_get(T_AGENTS), td = out_table_get(T_AGENT_DEGREE);
    int rc = out_insert(o, o->ins_agent, &ta, row, err);
    for (uint32_t l = 0; l < o->n_layers && rc == SS_OK; l++) {
        struct out_agent_degree d = {.id = row->id, .layer = l, .degree = degree[l]};
        rc = out_insert(o, o->ins_degree, &td, &d, err);
    }
    return rc;
}

/* Write the file's data to disk before it is renamed into place. */
static int out_sync_path(const char *path, struct ss_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return err_msg(err, SS_EIO, "syncing %s: %s", path, strerror(e));
    }
    close(fd);
    return SS_OK;
}

/* Finalize every prepared insert (NULL ones are skipped by SQLite). */
static void out_finalize(struct output *o)
{
    sqlite3_finalize(o->ins_daily);
    sqlite3_finalize(o->ins_layer);
    sqlite3_finalize(o->ins_agent);
    sqlite3_finalize(o->ins_degree);
    o->ins_daily = o->ins_layer = o->ins_agent = o->ins_degree = NULL;
}

int out_close(struct output *o, const struct out_run *run, struct ss_error *err)
{
    char db_final[MAX_PATH + 64];
    /* The tables, as their CSVs are named; the snapshot's only with one. */
    const char *tables[] = {"run",         "groups", "layers", "schedule", "daily",
                            "daily_layer", "ratios", NULL,     NULL,       NULL};
    if (o->ins_agent) tables[7] = "agents", tables[8] = "agent_degree";
    if (!o->db) return err_msg(err, SS_EINTERNAL, "out_close before out_open");
    if (!out_path(db_final, sizeof db_final, o->dir, STORE_DB_NAME)) {
        out_abort(o);
        return err_msg(err, SS_EIO, "results folder path too long: %s", o->dir);
    }

    int rc = out_insert_all(o, T_RUN, run, sizeof *run, 1, err);
    if (rc == SS_OK) rc = ratios_build(o->db, 0, err);
    if (rc == SS_OK) rc = out_exec(o, "COMMIT", err);
    out_finalize(o);
    if (rc == SS_OK) rc = store_csv_write(o->db, o->dir, tables, err);
    if (rc != SS_OK) goto fail;
    if (sqlite3_close(o->db) != SQLITE_OK) {
        rc = out_db_err(o, err, "closing");
        store_csv_remove(o->dir, tables);
        goto fail;
    }
    o->db = NULL;
    rc = out_sync_path(o->db_tmp, err);
    if (rc == SS_OK && rename(o->db_tmp, db_final) != 0)
        rc = err_msg(err, SS_EIO, "renaming %s to %s: %s", o->db_tmp, db_final, strerror(errno));
    if (rc == SS_OK) sys_test_point("db");
    if (rc != SS_OK) {
        store_csv_remove(o->dir, tables); /* no half of a result */
        goto fail;
    }
    memset(o, 0, sizeof *o);
    return rc;

fail:
    out_abort(o);
    return rc;
}

void out_abort(struct output *o)
{
    out_finalize(o);
    if (o->db) sqlite3_close_v2(o->db);
    if (o->db_tmp[0]) unlink(o->db_tmp);
    memset(o, 0, sizeof *o);
}
