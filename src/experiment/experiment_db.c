/*
 * experiment_db.c - the experiment database (see experiment.h and
 * docs/experiments-schema.md): its schema, the check that a folder holds
 * the same experiment, merging a finished run, recording a failed one, and
 * the summary and comparison tables with the statistics behind them.
 *
 * The database is the record of completion. Every change is one
 * transaction (a run's daily rows and its 'done' mark together), so a sweep
 * killed at any moment leaves it consistent, and it can live under its
 * final name. The summary is derived data, rebuilt from `daily` at the end
 * of every invocation in one ordered pass, so it never disagrees with the
 * runs it covers.
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

/* ---- SQL helpers ------------------------------------------------------- */

static int db_err(sqlite3 *db, struct ss_error *err, const char *what)
{
    const char *file = sqlite3_db_filename(db, "main");
    return err_msg(err, SS_EIO, "%s %s: %s", what, file && file[0] ? file : "the experiment",
                   sqlite3_errmsg(db));
}

static int db_exec(sqlite3 *db, const char *sql, struct ss_error *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_err(db, err, "writing");
    return SS_OK;
}

static int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct ss_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_err(db, err, "reading");
    }
    return SS_OK;
}

/* Step a statement that returns no rows, then reset it. */
static int db_step_done(sqlite3 *db, sqlite3_stmt *st, struct ss_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? SS_OK : db_err(db, err, "writing");
    sqlite3_reset(st);
    return rc;
}

/* End the transaction: COMMIT if rc is SS_OK, else ROLLBACK. */
static int db_end(sqlite3 *db, int rc, struct ss_error *err)
{
    if (rc == SS_OK) return db_exec(db, "COMMIT", err);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void bind_real_or_null(sqlite3_stmt *st, int k, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, k);
    else
        sqlite3_bind_double(st, k, v);
}

/* The numeric daily metrics: every INTEGER or REAL column but the key. */
static int is_metric(const struct met_column *c)
{
    return (c->type == MET_INT || c->type == MET_REAL) && strcmp(c->name, "day") &&
           strcmp(c->name, "group");
}

/* ", p."c1", p."c2", ..." for the metric columns (all daily columns if
 * !metrics_only), each prefixed by `prefix` (may be ""). */
static void sql_columns(struct sbuf *b, const char *prefix, int metrics_only)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!metrics_only || is_metric(&met_daily_columns[i]))
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
    int rc = sql ? db_exec(db, sql, err) : SS_ENOMEM;
    sbuf_free(&b);
    if (rc) return rc;

    char started[32];
    text_iso_utc(started, sizeof started, time(NULL));
    sqlite3_stmt *st = NULL;
    rc =
        db_prepare(db, "INSERT INTO experiment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, pl->kind == EXP_COMPARE ? "compare" : "sweep", -1, SQLITE_STATIC);
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
        rc = db_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK) rc = db_prepare(db, "INSERT INTO points VALUES (?, ?, ?)", &st, err);
    for (int p = 0; rc == SS_OK && p < pl->n_points; p++) {
        sqlite3_bind_int(st, 1, p);
        sqlite3_bind_text(st, 2, pl->label[p], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pl->params[p], -1, SQLITE_STATIC);
        rc = db_step_done(db, st, err);
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
 * pl. SS_EINPUT naming the first difference. */
static int check_same(sqlite3 *db, const struct exp_plan *pl, const char *path,
                      struct ss_error *err)
{
    char why[600] = "";
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db,
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
        const char *want_kind = pl->kind == EXP_COMPARE ? "compare" : "sweep";
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
        } else if (sqlite3_column_int64(st, 4) != pl->replicates) {
            snprintf(why, sizeof why, "it has %lld replicates, this asks for %d",
                     (long long)sqlite3_column_int64(st, 4), pl->replicates);
        } else if (sqlite3_column_int64(st, 5) != (sqlite3_int64)pl->base_seed) {
            snprintf(why, sizeof why, "its base seed is %llu, this one's is %llu",
                     (unsigned long long)sqlite3_column_int64(st, 5),
                     (unsigned long long)pl->base_seed);
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!why[0]) {
        rc = db_prepare(db, "SELECT point, label, params FROM points ORDER BY point", &st, err);
        if (rc) return rc;
        int p = 0;
        for (; !why[0] && sqlite3_step(st) == SQLITE_ROW; p++) {
            const char *label = text_or(sqlite3_column_text(st, 1), "");
            const char *params = text_or(sqlite3_column_text(st, 2), "");
            if (p >= pl->n_points || sqlite3_column_int(st, 0) != p)
                snprintf(why, sizeof why, "it has more points (%d here)", pl->n_points);
            else if (strcmp(label, pl->label[p]) || strcmp(params, pl->params[p]))
                snprintf(why, sizeof why, "its point %d is '%.200s', here '%.200s'", p + 1, label,
                         pl->label[p]);
        }
        if (!why[0] && p != pl->n_points)
            snprintf(why, sizeof why, "it has %d points, this has %d", p, pl->n_points);
        sqlite3_finalize(st);
    }
    if (why[0])
        return err_msg(err, SS_EINPUT,
                       "%s holds a different experiment (%s): use another --out folder, or "
                       "delete it to start again",
                       path, why);
    return SS_OK;
}

int exp_db_open(sqlite3 **out, const char *path, const struct exp_plan *pl, struct ss_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        int rc = err_msg(err, SS_EIO, "cannot open %s: %s", path,
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
    int rc = db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", err);
    if (rc == SS_OK) rc = db_exec(db, "BEGIN IMMEDIATE", err);
    sqlite3_stmt *st = NULL;
    int n_tables = 0, has_experiment = 0;
    if (rc == SS_OK)
        rc = db_prepare(db,
                        "SELECT count(*), count(CASE WHEN name = 'experiment' THEN 1 END) "
                        "FROM sqlite_master WHERE type = 'table'",
                        &st, err);
    if (rc == SS_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            n_tables = sqlite3_column_int(st, 0);
            has_experiment = sqlite3_column_int(st, 1);
        } else {
            rc = db_err(db, err, "reading");
        }
    }
    sqlite3_finalize(st);
    if (rc == SS_OK) {
        if (has_experiment)
            rc = check_same(db, pl, path, err);
        else if (n_tables)
            rc = err_msg(err, SS_EINPUT,
                         "%s holds results that are not a sweep's or a comparison's: use "
                         "another --out folder",
                         path);
        else
            rc = create_schema(db, pl, err);
    }
    rc = db_end(db, rc, err);
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
    int rc = db_prepare(db, "SELECT run FROM runs WHERE status = 'done'", &st, err);
    int s;
    while (rc == SS_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 r = sqlite3_column_int64(st, 0);
        if (r >= 0 && r < pl->n_runs) done[r] = 1;
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = db_err(db, err, "reading");
    sqlite3_finalize(st);
    return rc;
}

int exp_db_run_error(sqlite3 *db, int run, char *buf, size_t size, int *failed,
                     struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    *failed = 0;
    buf[0] = '\0';
    int rc = db_prepare(db, "SELECT error FROM runs WHERE run = ? AND status = 'failed'", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_int(st, 1, run);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            *failed = 1;
            snprintf(buf, size, "%s", text_or(sqlite3_column_text(st, 0), "no message"));
        } else if (s != SQLITE_DONE) {
            rc = db_err(db, err, "reading");
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
    int rc = db_prepare(db, sql, &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_int(st, 1, run);
        rc = db_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The groups or layers table, from the attached run, if main has none:
 * the run's own CREATE statement, so the schema is output.c's. */
static int take_static_table(sqlite3 *db, const char *table, struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT (SELECT count(*) FROM main.sqlite_master WHERE type = 'table' "
                        "AND name = ?1), (SELECT sql FROM child.sqlite_master WHERE type = "
                        "'table' AND name = ?1)",
                        &st, err);
    if (rc) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = db_err(db, err, "reading");
    } else if (sqlite3_column_int(st, 0) == 0 && sqlite3_column_text(st, 1)) {
        struct mem m = {0};
        struct sbuf b = {.m = &m};
        sbuf_printf(&b, "%s; INSERT INTO main.\"%s\" SELECT * FROM child.\"%s\"",
                    (const char *)sqlite3_column_text(st, 1), table, table);
        const char *sql = sbuf_str(&b, err, "merging a run");
        rc = sql ? db_exec(db, sql, err) : SS_ENOMEM;
        sbuf_free(&b);
    }
    sqlite3_finalize(st);
    return rc;
}

int exp_db_merge(sqlite3 *db, const struct exp_plan *pl, int run, const char *run_db,
                 struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    /* ATTACH cannot be inside a transaction: attach, then one transaction. */
    int rc = db_prepare(db, "ATTACH ? AS child", &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, run_db, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = err_msg(err, SS_EIO, "cannot read run %d's results %s: %s", run, run_db,
                         sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc) return rc;

    rc = db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) rc = take_static_table(db, "groups", err);
    if (rc == SS_OK) rc = take_static_table(db, "layers", err);
    if (rc == SS_OK) {
        struct mem m = {0};
        struct sbuf b = {.m = &m};
        sbuf_add(&b, "INSERT INTO main.daily (\"run\"");
        sql_columns(&b, "", 0);
        sbuf_add(&b, ") SELECT ?1");
        sql_columns(&b, "", 0);
        sbuf_add(&b, " FROM child.daily");
        const char *sql = sbuf_str(&b, err, "merging a run");
        rc = sql ? exec_for_run(db, "DELETE FROM main.daily WHERE run = ?1", run, err) : SS_ENOMEM;
        if (rc == SS_OK) rc = exec_for_run(db, sql, run, err);
        sbuf_free(&b);
    }
    if (rc == SS_OK)
        rc = db_prepare(db,
                        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, 'done', NULL, "
                        "(SELECT wall_seconds FROM child.run), "
                        "(SELECT peak_memory_bytes FROM child.run))",
                        &st, err);
    if (rc == SS_OK) {
        bind_run(st, pl, run);
        rc = db_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    rc = db_end(db, rc, err);
    sqlite3_exec(db, "DETACH child", NULL, NULL, NULL);
    return rc;
}

int exp_db_fail(sqlite3 *db, const struct exp_plan *pl, int run, const char *error,
                double wall_seconds, struct ss_error *err)
{
    sqlite3_stmt *ins = NULL;
    int rc = db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) rc = exec_for_run(db, "DELETE FROM daily WHERE run = ?1", run, err);
    if (rc == SS_OK)
        rc = db_prepare(db, "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, 'failed', ?, ?, NULL)",
                        &ins, err);
    if (rc == SS_OK) {
        bind_run(ins, pl, run);
        sqlite3_bind_text(ins, 5, error, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 6, wall_seconds);
        rc = db_step_done(db, ins, err);
    }
    sqlite3_finalize(ins);
    return db_end(db, rc, err);
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
    for (size_t i = 0; i < met_n_daily_columns; i++) g->k += is_metric(&met_daily_columns[i]);
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
        if (is_metric(&met_daily_columns[i])) g->name[m++] = met_daily_columns[i].name;
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
    snprintf(k->group_name, sizeof k->group_name, "%s",
             text_or(sqlite3_column_text(st, n_key), ""));
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
        sqlite3_bind_int64(ins, 1, k->v[0]);
        sqlite3_bind_int64(ins, 2, k->v[1]);
        sqlite3_bind_text(ins, 3, k->group_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, g->name[m], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, k->v[2]);
        sqlite3_bind_int(ins, 6, s.n);
        bind_real_or_null(ins, 7, s.mean);
        bind_real_or_null(ins, 8, s.sd);
        bind_real_or_null(ins, 9, s.ci_low);
        bind_real_or_null(ins, 10, s.ci_high);
        rc = db_step_done(db, ins, err);
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
    sql_columns(&b, "d.", 1);
    sbuf_add(&b, " FROM daily d JOIN runs r ON r.run = d.run WHERE r.status = 'done' "
                 "ORDER BY r.point, d.\"group\", d.day, r.replicate");
    const char *sql = rc == SS_OK ? sbuf_str(&b, err, "summarising the runs") : NULL;
    if (rc == SS_OK && !sql) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = db_exec(db, "DELETE FROM summary", err);
    if (rc == SS_OK) rc = db_prepare(db, sql, &sel, err);
    sbuf_free(&b);
    if (rc == SS_OK)
        rc = db_prepare(db, "INSERT INTO summary VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins, err);
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
    if (rc == SS_OK && s != SQLITE_DONE) rc = db_err(db, err, "summarising");
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

static int flush_comparison(sqlite3 *db, sqlite3_stmt *ins, struct gather *g, struct key *k,
                            struct ss_error *err)
{
    int rc = SS_OK;
    for (int m = 0; m < g->k && rc == SS_OK; m++) {
        size_t at = (size_t)m * g->cap;
        struct exp_stat d;
        exp_stat_of(g->v[2] + at, g->n[m], g->t975[g->n[m]], &d);
        sqlite3_bind_int64(ins, 1, k->v[0]);
        sqlite3_bind_text(ins, 2, k->group_name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, g->name[m], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, k->v[1]);
        sqlite3_bind_int(ins, 5, d.n);
        bind_real_or_null(ins, 6, mean_of(g->v[0] + at, g->n[m]));
        bind_real_or_null(ins, 7, mean_of(g->v[1] + at, g->n[m]));
        bind_real_or_null(ins, 8, d.mean);
        bind_real_or_null(ins, 9, d.ci_low);
        bind_real_or_null(ins, 10, d.ci_high);
        rc = db_step_done(db, ins, err);
        g->n[m] = 0;
    }
    return rc;
}

/* The comparison table: B - A per replicate (the same seed), per group
 * (matched by name, so B may number its groups differently), metric and
 * day, over the pairs where both values are measured. */
static int build_comparison(sqlite3 *db, const struct exp_plan *pl, struct ss_error *err)
{
    struct gather g;
    struct key k = {.valid = 0};
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = gather_init(&g, pl->replicates, 3, err);
    struct sbuf b = {.m = &g.mem};
    sbuf_add(&b, "SELECT a.\"group\", a.day, a.group_name");
    sql_columns(&b, "a.", 1);
    sql_columns(&b, "b.", 1);
    sbuf_add(&b, " FROM runs ra JOIN runs rb ON rb.point = 1 AND rb.replicate = ra.replicate "
                 "AND rb.status = 'done' JOIN daily a ON a.run = ra.run "
                 "JOIN daily b ON b.run = rb.run AND b.day = a.day AND b.group_name = a.group_name "
                 "WHERE ra.point = 0 AND ra.status = 'done' "
                 "ORDER BY a.\"group\", a.day, ra.replicate");
    const char *sql = rc == SS_OK ? sbuf_str(&b, err, "comparing the runs") : NULL;
    if (rc == SS_OK && !sql) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = db_exec(db, "DELETE FROM comparison", err);
    if (rc == SS_OK) rc = db_prepare(db, sql, &sel, err);
    sbuf_free(&b);
    if (rc == SS_OK)
        rc = db_prepare(db, "INSERT INTO comparison VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins,
                        err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        if (!k.valid || key_differs(&k, sel, 2)) {
            if (k.valid) rc = flush_comparison(db, ins, &g, &k, err);
            key_take(&k, sel, 2);
        }
        for (int m = 0; m < g.k && rc == SS_OK; m++) {
            int ca = 3 + m, cb = 3 + g.k + m;
            if (sqlite3_column_type(sel, ca) == SQLITE_NULL ||
                sqlite3_column_type(sel, cb) == SQLITE_NULL)
                continue;
            if (g.n[m] == g.cap) {
                rc = err_msg(err, SS_EINTERNAL,
                             "more pairs than replicates for group %lld, day "
                             "%lld",
                             (long long)k.v[0], (long long)k.v[1]);
                break;
            }
            size_t at = (size_t)m * g.cap + g.n[m]++;
            g.v[0][at] = sqlite3_column_double(sel, ca);
            g.v[1][at] = sqlite3_column_double(sel, cb);
            g.v[2][at] = g.v[1][at] - g.v[0][at];
        }
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = db_err(db, err, "comparing");
    if (rc == SS_OK && k.valid) rc = flush_comparison(db, ins, &g, &k, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    gather_free(&g);
    return rc;
}

int exp_db_finish(sqlite3 *db, const struct exp_plan *pl, int all_done, struct ss_error *err)
{
    int rc = db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) rc = build_summary(db, pl, err);
    if (rc == SS_OK && pl->kind == EXP_COMPARE) rc = build_comparison(db, pl, err);
    sqlite3_stmt *st = NULL;
    if (rc == SS_OK) rc = db_prepare(db, "UPDATE experiment SET finished = ?", &st, err);
    if (rc == SS_OK) {
        char now[32];
        text_iso_utc(now, sizeof now, time(NULL));
        if (all_done)
            sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 1);
        rc = db_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return db_end(db, rc, err);
}
