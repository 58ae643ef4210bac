/*
 * experiment_db.c - the experiment database (see experiment.h and
 * docs/experiments-schema.md): its schema, the check that a folder holds
 * the same experiment, merging a finished run and recording a failed one.
 * The summary and comparison tables are summary.c's.
 *
 * The database is the record of completion. Every change is one
 * transaction (a run's daily rows and its 'done' mark together), so a sweep
 * killed at any moment leaves it consistent, and it can live under its
 * final name.
 */
#include "experiment/experiment.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "engine/metrics.h"
#include "io/output.h"
#include "io/sqlmem.h"
#include "io/store.h"

/* ---- SQL text ---------------------------------------------------------- */

int exp_db_is_metric(const struct met_column *c)
{
    return (c->type == MET_INT || c->type == MET_REAL) && strcmp(c->name, "day") &&
           strcmp(c->name, "group");
}

void exp_db_columns(struct sbuf *b, const char *prefix, int metrics_only)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!metrics_only || exp_db_is_metric(&met_daily_columns[i]))
            sbuf_printf(b, ", %s\"%s\"", prefix, met_daily_columns[i].name);
}

/* ---- schema and identity ----------------------------------------------- */

static int create_schema(sqlite3 *db, const struct exp_plan *pl, struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_add(&b, "CREATE TABLE experiment (kind TEXT NOT NULL, name TEXT, scenario TEXT, "
                 "scenario_b TEXT, varied TEXT, replicates INTEGER, base_seed INTEGER, "
                 "version TEXT, started TEXT, finished TEXT);"
                 "CREATE TABLE points (point INTEGER PRIMARY KEY, label TEXT NOT NULL, "
                 "params TEXT NOT NULL);"
                 "CREATE TABLE runs (run INTEGER PRIMARY KEY, point INTEGER NOT NULL, "
                 "replicate INTEGER NOT NULL, seed INTEGER NOT NULL, status TEXT NOT NULL, "
                 "error TEXT, wall_seconds REAL, peak_memory_bytes INTEGER);"
                 "CREATE TABLE daily (\"run\" INTEGER");
    for (size_t i = 0; i < met_n_daily_columns; i++)
        sbuf_printf(&b, ", \"%s\" %s", met_daily_columns[i].name,
                    met_sql_type(met_daily_columns[i].type));
    sbuf_add(&b, ", PRIMARY KEY(\"run\", \"day\", \"group\")) WITHOUT ROWID;"
                 "CREATE TABLE summary (\"point\" INTEGER, \"group\" INTEGER, \"group_name\" TEXT, "
                 "\"metric\" TEXT, \"day\" INTEGER, \"n\" INTEGER, \"mean\" REAL, \"sd\" REAL, "
                 "\"ci_low\" REAL, \"ci_high\" REAL, "
                 "PRIMARY KEY(\"point\", \"group\", \"metric\", \"day\")) WITHOUT ROWID;");
    if (pl->kind == EXP_COMPARE)
        sbuf_add(&b, "CREATE TABLE comparison (\"group\" INTEGER, \"group_name\" TEXT, "
                     "\"metric\" TEXT, \"day\" INTEGER, \"n\" INTEGER, \"mean_a\" REAL, "
                     "\"mean_b\" REAL, \"diff\" REAL, \"ci_low\" REAL, \"ci_high\" REAL, "
                     "PRIMARY KEY(\"group\", \"metric\", \"day\")) WITHOUT ROWID;");
    const char *sql = sbuf_str(&b, err, "creating the experiment database");
    int rc = sql ? store_exec(db, sql, err) : SS_ENOMEM;
    sbuf_free(&b);
    if (rc) return rc;

    char started[32];
    text_iso_utc(started, sizeof started, time(NULL));
    sqlite3_stmt *st = NULL;
    rc = store_prepare(db, "INSERT INTO experiment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", &st,
                       err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, exp_kind_name(pl->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pl->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pl->scenario, -1, SQLITE_STATIC);
        if (pl->scenario_b)
            sqlite3_bind_text(st, 4, pl->scenario_b, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_text(st, 5, pl->varied, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, pl->replicates);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)pl->base_seed);
        sqlite3_bind_text(st, 8, SS_VERSION, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, started, -1, SQLITE_STATIC);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK) rc = store_prepare(db, "INSERT INTO points VALUES (?, ?, ?)", &st, err);
    for (int p = 0; rc == SS_OK && p < pl->n_points; p++) {
        sqlite3_bind_int(st, 1, p);
        sqlite3_bind_text(st, 2, pl->label[p], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pl->params[p], -1, SQLITE_STATIC);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Whether db's table `table` has the column `name` (0 when there is no
 * such table). */
static int has_column(sqlite3 *db, const char *table, const char *name, int *has,
                      struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    *has = 0;
    int rc =
        store_prepare(db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", &st, err);
    if (rc) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) *has = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return SS_OK;
}

/* The schedule table: a point's column, then a run's (output.h). */
static int create_schedule(sqlite3 *db, struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_add(&b, "CREATE TABLE IF NOT EXISTS schedule (\"point\" INTEGER");
    for (size_t i = 0; i < out_n_schedule_columns; i++)
        sbuf_printf(&b, ", \"%s\" %s", out_schedule_columns[i].name,
                    met_sql_type(out_schedule_columns[i].type));
    sbuf_add(&b, ", PRIMARY KEY(\"point\", \"day\", \"key\")) WITHOUT ROWID");
    const char *sql = sbuf_str(&b, err, "creating the experiment database");
    int rc = sql ? store_exec(db, sql, err) : SS_ENOMEM;
    sbuf_free(&b);
    return rc;
}

/* The groups and layers tables: every run's rows, a `run` column then a
 * single run's (output.h), keyed by run so that what they hold and the
 * order they hold it in do not depend on which run finished first. An
 * older database's are one run's copy, which run not recorded (the first
 * merged): they go, and the runs merged from then on bring their own. */
static int create_run_tables(sqlite3 *db, struct ss_error *err)
{
    static const struct {
        const char *name, *key;
        const struct met_column *cols;
        const size_t *n;
    } t[] = {{"groups", "group", out_group_columns, &out_n_group_columns},
             {"layers", "layer", out_layer_columns, &out_n_layer_columns}};
    int rc = SS_OK;
    for (size_t k = 0; k < 2 && rc == SS_OK; k++) {
        int has_run = 0, has_key = 0;
        rc = has_column(db, t[k].name, "run", &has_run, err);
        if (rc == SS_OK) rc = has_column(db, t[k].name, t[k].key, &has_key, err);
        if (rc != SS_OK) break;
        struct mem m = {0};
        struct sbuf b = {.m = &m};
        if (has_key && !has_run) sbuf_printf(&b, "DROP TABLE \"%s\";", t[k].name);
        sbuf_printf(&b, "CREATE TABLE IF NOT EXISTS \"%s\" (\"run\" INTEGER", t[k].name);
        for (size_t i = 0; i < *t[k].n; i++)
            sbuf_printf(&b, ", \"%s\" %s", t[k].cols[i].name, met_sql_type(t[k].cols[i].type));
        sbuf_printf(&b, ", PRIMARY KEY(\"run\", \"%s\")) WITHOUT ROWID", t[k].key);
        const char *sql = sbuf_str(&b, err, "creating the experiment database");
        rc = sql ? store_exec(db, sql, err) : SS_ENOMEM;
        sbuf_free(&b);
    }
    return rc;
}

/* What later versions added to an experiment database, for a new one and
 * one written before: the experiment's baseline and fork_day columns (the
 * fork day is also in the points' params, so it is part of what the
 * experiment is; an older database's is NULL: none), the sweep's
 * differences table, the schedule table (an older database's gains the
 * schedules of the runs merged from then on), the groups and layers tables
 * of every run (create_run_tables). (Derived tables are rebuilt by every
 * invocation, so an older database gains them complete.) */
static int migrate(sqlite3 *db, const struct exp_plan *pl, struct ss_error *err)
{
    int has_baseline = 0, has_fork = 0;
    int rc = has_column(db, "experiment", "baseline", &has_baseline, err);
    if (rc == SS_OK) rc = has_column(db, "experiment", "fork_day", &has_fork, err);
    if (rc == SS_OK && !has_baseline)
        rc = store_exec(db, "ALTER TABLE experiment ADD COLUMN baseline INTEGER", err);
    if (rc == SS_OK && !has_fork)
        rc = store_exec(db, "ALTER TABLE experiment ADD COLUMN fork_day INTEGER", err);
    if (rc == SS_OK && pl->fork_day) {
        char sql[64];
        snprintf(sql, sizeof sql, "UPDATE experiment SET fork_day = %d", pl->fork_day);
        rc = store_exec(db, sql, err);
    }
    if (rc == SS_OK && pl->kind == EXP_SWEEP)
        rc = store_exec(db,
                        "CREATE TABLE IF NOT EXISTS differences (\"point\" INTEGER, "
                        "\"group\" INTEGER, \"group_name\" TEXT, \"metric\" TEXT, \"day\" INTEGER, "
                        "\"n\" INTEGER, \"mean_baseline\" REAL, \"mean\" REAL, \"diff\" REAL, "
                        "\"ci_low\" REAL, \"ci_high\" REAL, "
                        "PRIMARY KEY(\"point\", \"group\", \"metric\", \"day\")) WITHOUT ROWID",
                        err);
    if (rc == SS_OK) rc = create_schedule(db, err);
    if (rc == SS_OK) rc = create_run_tables(db, err);
    return rc;
}

/* The baseline: a new one is recorded; none asked for takes the recorded
 * one (if it still names a point). */
static int record_baseline(sqlite3 *db, struct exp_plan *pl, struct ss_error *err)
{
    if (pl->kind != EXP_SWEEP) return SS_OK;
    sqlite3_stmt *st = NULL;
    int rc;
    if (pl->baseline >= 0) {
        rc = store_prepare(db, "UPDATE experiment SET baseline = ?", &st, err);
        if (rc == SS_OK) {
            sqlite3_bind_int(st, 1, pl->baseline);
            rc = store_step_done(db, st, err);
        }
    } else {
        rc = store_prepare(db, "SELECT baseline FROM experiment", &st, err);
        if (rc == SS_OK && sqlite3_step(st) == SQLITE_ROW &&
            sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
            sqlite3_int64 b = sqlite3_column_int64(st, 0);
            if (b >= 0 && b < pl->n_points) pl->baseline = (int)b;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* "line N: 'there' here 'here'" for the first line where a and b differ. */
static void first_difference(const char *a, const char *b, char *buf, size_t size)
{
    int line = 1;
    const char *la = a, *lb = b;
    while (*a && *a == *b) {
        if (*a == '\n') line++, la = a + 1, lb = b + 1;
        a++, b++;
    }
    int na = (int)strcspn(la, "\n"), nb = (int)strcspn(lb, "\n");
    snprintf(buf, size, "at line %d, '%.*s' there, '%.*s' here", line, na > 80 ? 80 : na, la,
             nb > 80 ? 80 : nb, lb);
}

static const char *text_or(const unsigned char *s, const char *dflt)
{
    return s ? (const char *)s : dflt;
}

/* The experiment recorded in db (whose experiment table exists) against
 * pl: SS_OK and its replicates in *reps when it is the same (with fewer
 * replicates, or another number when pl asks for none), else SS_EINPUT
 * naming the first difference. */
static int check_same(sqlite3 *db, const struct exp_plan *pl, const char *path, int *reps,
                      struct ss_error *err)
{
    char why[600] = "";
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "SELECT kind, scenario, scenario_b, varied, replicates, base_seed "
                           "FROM experiment",
                           &st, err);
    if (rc) return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        snprintf(why, sizeof why, "its experiment table is empty");
    } else {
        const char *kind = text_or(sqlite3_column_text(st, 0), "");
        const char *scn = text_or(sqlite3_column_text(st, 1), "");
        const char *scn_b = text_or(sqlite3_column_text(st, 2), "");
        const char *varied = text_or(sqlite3_column_text(st, 3), "");
        const char *want_kind = exp_kind_name(pl->kind);
        char diff[300];
        if (strcmp(kind, want_kind)) {
            snprintf(why, sizeof why, "it holds a %s, not a %s", kind, want_kind);
        } else if (strcmp(scn, pl->scenario)) {
            first_difference(scn, pl->scenario, diff, sizeof diff);
            snprintf(why, sizeof why, "its scenario%s differs %s",
                     pl->kind == EXP_COMPARE ? " A" : "", diff);
        } else if (pl->scenario_b && strcmp(scn_b, pl->scenario_b)) {
            first_difference(scn_b, pl->scenario_b, diff, sizeof diff);
            snprintf(why, sizeof why, "its scenario B differs %s", diff);
        } else if (strcmp(varied, pl->varied)) {
            snprintf(why, sizeof why, "it varies %.200s, this varies %.200s", varied, pl->varied);
        } else if (sqlite3_column_int64(st, 4) < 1 || sqlite3_column_int64(st, 4) > EXP_MAX_RUNS) {
            snprintf(why, sizeof why, "it records %lld replicates",
                     (long long)sqlite3_column_int64(st, 4));
        } else if (pl->replicates_asked && sqlite3_column_int64(st, 4) > pl->replicates) {
            snprintf(why, sizeof why,
                     "it has %lld replicates, this asks for %d: an experiment can gain "
                     "replicates, not lose them (ask for %lld or more, or leave --replicates out)",
                     (long long)sqlite3_column_int64(st, 4), pl->replicates,
                     (long long)sqlite3_column_int64(st, 4));
        } else if (sqlite3_column_int64(st, 5) != (sqlite3_int64)pl->base_seed) {
            snprintf(why, sizeof why, "its base seed is %llu, this one's is %llu",
                     (unsigned long long)sqlite3_column_int64(st, 5),
                     (unsigned long long)pl->base_seed);
        }
    }
    *reps = (int)sqlite3_column_int64(st, 4);
    sqlite3_finalize(st);
    st = NULL;
    if (!why[0]) {
        rc = store_prepare(db, "SELECT point, label, params FROM points ORDER BY point", &st, err);
        if (rc) return rc;
        int p = 0;
        for (; !why[0] && sqlite3_step(st) == SQLITE_ROW; p++) {
            const char *label = text_or(sqlite3_column_text(st, 1), "");
            const char *params = text_or(sqlite3_column_text(st, 2), "");
            if (p >= pl->n_points || sqlite3_column_int(st, 0) != p)
                snprintf(why, sizeof why, "it has more points (%d here)", pl->n_points);
            else if (strcmp(label, pl->label[p]) || strcmp(params, pl->params[p]))
                snprintf(why, sizeof why, "its point %d is '%.200s', here '%.200s'", p, label,
                         pl->label[p]);
        }
        if (!why[0] && p != pl->n_points)
            snprintf(why, sizeof why, "it has %d points, this has %d", p, pl->n_points);
        sqlite3_finalize(st);
    }
    if (why[0])
        return err_msg(err, SS_EINPUT,
                       "%s holds a different experiment (%s): use another --out folder, or add "
                       "--force to replace it",
                       path, why);
    return SS_OK;
}

/* Renumber the runs recorded with `from` replicates per point for pl's
 * (more): run = point x replicates + replicate. Through negative numbers,
 * so that no two rows ever share a key on the way. */
static int renumber_runs(sqlite3 *db, const struct exp_plan *pl, struct ss_error *err)
{
    char sql[1024];
    int rc = SS_OK;
    /* the tables keyed by run first, runs (which they look up) last */
    static const char *const tables[] = {"daily", "groups", "layers"};
    for (size_t t = 0; t < 3 && rc == SS_OK; t++) {
        snprintf(sql, sizeof sql,
                 "DELETE FROM \"%s\" WHERE run NOT IN (SELECT run FROM runs);"
                 "UPDATE \"%s\" SET run = -1 - (SELECT r.point * %d + r.replicate FROM runs r"
                 " WHERE r.run = \"%s\".run);",
                 tables[t], tables[t], pl->replicates, tables[t]);
        rc = store_exec(db, sql, err);
    }
    snprintf(sql, sizeof sql,
             "UPDATE runs SET run = -1 - (point * %d + replicate);"
             "UPDATE daily SET run = -1 - run; UPDATE groups SET run = -1 - run;"
             "UPDATE layers SET run = -1 - run; UPDATE runs SET run = -1 - run;"
             "UPDATE experiment SET replicates = %d, finished = NULL;",
             pl->replicates, pl->replicates);
    return rc == SS_OK ? store_exec(db, sql, err) : rc;
}

/* What the tables of db are: how many, and whether one is the experiment
 * table. */
static int db_tables(sqlite3 *db, int *n_tables, int *has_experiment, struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "SELECT count(*), count(CASE WHEN name = 'experiment' THEN 1 END) "
                           "FROM sqlite_master WHERE type = 'table'",
                           &st, err);
    if (rc == SS_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *n_tables = sqlite3_column_int(st, 0);
            *has_experiment = sqlite3_column_int(st, 1);
        } else {
            rc = store_db_err(db, err, "reading");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int not_an_experiment(const char *path, struct ss_error *err)
{
    return err_msg(err, SS_EINPUT,
                   "%s holds results that are not a sweep's or a comparison's: use another "
                   "--out folder, or add --force to replace them",
                   path);
}

int exp_db_check(const char *path, const struct exp_plan *pl, struct ss_error *err)
{
    sqlite3 *db = NULL;
    if (sqlmem_open(path, &db, SQLITE_OPEN_READONLY) != SQLITE_OK) {
        int rc = sqlmem_nomem(db) ? err_msg(err, SS_ENOMEM, "out of memory while opening %s", path)
                                  : not_an_experiment(path, err);
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 30000);
    int n_tables = 0, has_experiment = 0, reps = 0;
    int rc = db_tables(db, &n_tables, &has_experiment, err);
    /* not a database at all, or not an experiment's */
    if (rc != SS_OK || !has_experiment)
        rc = not_an_experiment(path, err);
    else
        rc = check_same(db, pl, path, &reps, err);
    sqlite3_close(db);
    return rc;
}

int exp_db_open(sqlite3 **out, const char *path, struct exp_plan *pl, struct ss_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlmem_open(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) != SQLITE_OK) {
        int rc = sqlmem_nomem(db) ? err_msg(err, SS_ENOMEM, "out of memory while opening %s", path)
                                  : err_msg(err, SS_EIO, "cannot open %s: %s", path,
                                            db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    /* Readers (a report, a test polling for progress) may hold the file
     * for a moment; wait for them rather than fail a merge. */
    sqlite3_busy_timeout(db, 30000);
    /* WAL with NORMAL sync: a commit is not synced, but a crash (even of
     * the machine) can only lose the last commits whole, never leave one
     * half-done; a lost merge is a run not done, run again on resume. */
    int rc = store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", err);
    if (rc == SS_OK) rc = store_exec(db, "BEGIN IMMEDIATE", err);
    int n_tables = 0, has_experiment = 0, reps = 0;
    if (rc == SS_OK) rc = db_tables(db, &n_tables, &has_experiment, err);
    pl->replicates_before = 0;
    if (rc == SS_OK) {
        if (has_experiment)
            rc = check_same(db, pl, path, &reps, err);
        else if (n_tables)
            rc = not_an_experiment(path, err);
        else
            rc = create_schema(db, pl, err);
    }
    /* before renumbering: an older database's tables gain their run column */
    if (rc == SS_OK) rc = migrate(db, pl, err);
    if (rc == SS_OK && has_experiment) {
        pl->replicates_before = reps;
        if (!pl->replicates_asked && reps != pl->replicates)
            rc = exp_plan_set_replicates(pl, reps, err); /* resume what the folder holds */
        else if (reps < pl->replicates)
            rc = renumber_runs(db, pl, err); /* extend it */
    }
    if (rc == SS_OK) rc = record_baseline(db, pl, err);
    rc = store_end(db, rc, err);
    if (rc != SS_OK) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return SS_OK;
}

void exp_db_close(sqlite3 *db)
{
    /* Back to one self-contained file for whoever copies or reads it next
     * (best effort: a reader holding it keeps it in WAL mode). */
    if (db) sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(db);
}

int exp_db_done(sqlite3 *db, const struct exp_plan *pl, unsigned char *done, struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(done, 0, (size_t)pl->n_runs);
    int rc = store_prepare(db, "SELECT run FROM runs WHERE status = 'done'", &st, err);
    int s;
    while (rc == SS_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 r = sqlite3_column_int64(st, 0);
        if (r >= 0 && r < pl->n_runs) done[r] = 1;
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "reading");
    sqlite3_finalize(st);
    return rc;
}

int exp_db_run_error(sqlite3 *db, int run, char *buf, size_t size, int *failed,
                     struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    *failed = 0;
    buf[0] = '\0';
    int rc =
        store_prepare(db, "SELECT error FROM runs WHERE run = ? AND status = 'failed'", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_int(st, 1, run);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            *failed = 1;
            snprintf(buf, size, "%s", text_or(sqlite3_column_text(st, 0), "no message"));
        } else if (s != SQLITE_DONE) {
            rc = store_db_err(db, err, "reading");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- runs -------------------------------------------------------------- */

/* Bind run, point, replicate, seed as parameters 1-4 of st. */
static void bind_run(sqlite3_stmt *st, const struct exp_plan *pl, int run)
{
    sqlite3_bind_int(st, 1, run);
    sqlite3_bind_int(st, 2, run / pl->replicates);
    sqlite3_bind_int(st, 3, run % pl->replicates);
    /* Seeds of 2^63 and above read as negative, as in a run's table. */
    sqlite3_bind_int64(st, 4, (sqlite3_int64)exp_run_seed(pl, run));
}

/* Run one statement whose parameter ?1 is the run id. */
static int exec_for_run(sqlite3 *db, const char *sql, int run, struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_int(st, 1, run);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The attached run's rows of the groups or layers table (cols, n of them),
 * under its run id, in place of any it had (a run done again). */
static int take_run_rows(sqlite3 *db, const char *table, const struct met_column *cols, size_t n,
                         int run, struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_printf(&b, "INSERT INTO main.\"%s\" (\"run\"", table);
    for (size_t i = 0; i < n; i++) sbuf_printf(&b, ", \"%s\"", cols[i].name);
    sbuf_add(&b, ") SELECT ?1");
    for (size_t i = 0; i < n; i++) sbuf_printf(&b, ", \"%s\"", cols[i].name);
    sbuf_printf(&b, " FROM child.\"%s\"", table);
    const char *sql = sbuf_str(&b, err, "merging a run");
    char del[64];
    snprintf(del, sizeof del, "DELETE FROM main.\"%s\" WHERE run = ?1", table);
    int rc = sql ? exec_for_run(db, del, run, err) : SS_ENOMEM;
    if (rc == SS_OK) rc = exec_for_run(db, sql, run, err);
    sbuf_free(&b);
    return rc;
}

/* The schedule of the attached run's point, if main has none for it yet:
 * point 0's (a sweep's points share their schedule but for what --vary
 * sets), and a compare's B's too. */
static int take_schedule(sqlite3 *db, const struct exp_plan *pl, int run, struct ss_error *err)
{
    const int point = run / pl->replicates;
    if (point != 0 && pl->kind != EXP_COMPARE) return SS_OK;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "SELECT (SELECT count(*) FROM child.sqlite_master WHERE type = 'table' "
                           "AND name = 'schedule'), (SELECT count(*) FROM main.schedule WHERE "
                           "point = ?1)",
                           &st, err);
    if (rc) return rc;
    sqlite3_bind_int(st, 1, point);
    int take = 0;
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = store_db_err(db, err, "reading");
    else
        take = sqlite3_column_int(st, 0) > 0 && sqlite3_column_int(st, 1) == 0;
    sqlite3_finalize(st);
    if (rc || !take) return rc;
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_add(&b, "INSERT INTO main.schedule (\"point\"");
    for (size_t i = 0; i < out_n_schedule_columns; i++)
        sbuf_printf(&b, ", \"%s\"", out_schedule_columns[i].name);
    sbuf_add(&b, ") SELECT ?1");
    for (size_t i = 0; i < out_n_schedule_columns; i++)
        sbuf_printf(&b, ", \"%s\"", out_schedule_columns[i].name);
    sbuf_add(&b, " FROM child.schedule");
    const char *sql = sbuf_str(&b, err, "merging a run");
    rc = sql ? exec_for_run(db, sql, point, err) : SS_ENOMEM;
    sbuf_free(&b);
    return rc;
}

int exp_db_merge(sqlite3 *db, const struct exp_plan *pl, int run, const char *run_db,
                 struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    /* What a DETACH that failed at the end of an earlier merge (out of
     * memory) left attached: else every later run's ATTACH would fail. */
    sqlite3_exec(db, "DETACH child", NULL, NULL, NULL);
    /* ATTACH cannot be inside a transaction: attach, then one transaction. */
    int rc = store_prepare(db, "ATTACH ? AS child", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, run_db, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sqlmem_nomem(db)
                     ? err_msg(err, SS_ENOMEM, "out of memory while reading run %d's results %s",
                               run, run_db)
                     : err_msg(err, SS_EIO, "cannot read run %d's results %s: %s", run, run_db,
                               sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc) return rc;

    rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK)
        rc = take_run_rows(db, "groups", out_group_columns, out_n_group_columns, run, err);
    if (rc == SS_OK)
        rc = take_run_rows(db, "layers", out_layer_columns, out_n_layer_columns, run, err);
    if (rc == SS_OK) rc = take_schedule(db, pl, run, err);
    if (rc == SS_OK) {
        struct mem m = {0};
        struct sbuf b = {.m = &m};
        sbuf_add(&b, "INSERT INTO main.daily (\"run\"");
        exp_db_columns(&b, "", 0);
        sbuf_add(&b, ") SELECT ?1");
        exp_db_columns(&b, "", 0);
        sbuf_add(&b, " FROM child.daily");
        const char *sql = sbuf_str(&b, err, "merging a run");
        rc = sql ? exec_for_run(db, "DELETE FROM main.daily WHERE run = ?1", run, err) : SS_ENOMEM;
        if (rc == SS_OK) rc = exec_for_run(db, sql, run, err);
        sbuf_free(&b);
    }
    if (rc == SS_OK)
        rc = store_prepare(db,
                           "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, 'done', NULL, "
                           "(SELECT wall_seconds FROM child.run), "
                           "(SELECT peak_memory_bytes FROM child.run))",
                           &st, err);
    if (rc == SS_OK) {
        bind_run(st, pl, run);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    rc = store_end(db, rc, err);
    sqlite3_exec(db, "DETACH child", NULL, NULL, NULL);
    return rc;
}

int exp_db_fail(sqlite3 *db, const struct exp_plan *pl, int run, const char *error,
                double wall_seconds, struct ss_error *err)
{
    sqlite3_stmt *ins = NULL;
    int rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) rc = exec_for_run(db, "DELETE FROM daily WHERE run = ?1", run, err);
    if (rc == SS_OK) rc = exec_for_run(db, "DELETE FROM groups WHERE run = ?1", run, err);
    if (rc == SS_OK) rc = exec_for_run(db, "DELETE FROM layers WHERE run = ?1", run, err);
    if (rc == SS_OK)
        rc = store_prepare(
            db, "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, 'failed', ?, ?, NULL)", &ins, err);
    if (rc == SS_OK) {
        bind_run(ins, pl, run);
        sqlite3_bind_text(ins, 5, error, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 6, wall_seconds);
        rc = store_step_done(db, ins, err);
    }
    sqlite3_finalize(ins);
    return store_end(db, rc, err);
}
